#include "ir/shape.h"

#include <gtest/gtest.h>

namespace graphc::ir {
namespace {

TEST(BroadcastShapes, AlignsFromTheRight) {
  EXPECT_EQ(*BroadcastShapes(Shape{2, 3}, Shape{3}), (Shape{2, 3}));
  EXPECT_EQ(*BroadcastShapes(Shape{4, 1, 5}, Shape{3, 1}), (Shape{4, 3, 5}));
  EXPECT_EQ(*BroadcastShapes(Shape{}, Shape{7}), (Shape{7}));
}

TEST(BroadcastShapes, DynamicDims) {
  EXPECT_EQ(*BroadcastShapes(Shape{kDynamic, 3}, Shape{1, 3}), (Shape{kDynamic, 3}));
  EXPECT_EQ(*BroadcastShapes(Shape{kDynamic}, Shape{4}), (Shape{4}));
  EXPECT_EQ(*BroadcastShapes(Shape{kDynamic}, Shape{kDynamic}), (Shape{kDynamic}));
}

TEST(BroadcastShapes, MismatchNamesBothShapes) {
  absl::StatusOr<Shape> s = BroadcastShapes(Shape{2, 3}, Shape{4});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("[2,3]"), std::string::npos);
  EXPECT_NE(s.status().message().find("[4]"), std::string::npos);
}

TEST(Shape, ToStringAndElements) {
  EXPECT_EQ((Shape{kDynamic, 20}).ToString(), "[?,20]");
  EXPECT_EQ(Shape{}.ToString(), "[]");
  EXPECT_EQ((Shape{2, 3}).num_elements(), 6);
  EXPECT_EQ((Shape{kDynamic, 3}).num_elements(), std::nullopt);
}

}  // namespace
}  // namespace graphc::ir
