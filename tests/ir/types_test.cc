// Basics of the IR's data types: dtypes, shapes, tensor types, constant
// contents (DenseElements) and attributes.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "ir/attribute.h"
#include "ir/dtype.h"
#include "ir/type.h"

namespace graphc::ir {
namespace {

TEST(DType, NamesParseAndSizes) {
  struct Row {
    DType dtype;
    std::string_view name;
    int64_t size;
  };
  const Row rows[] = {{DType::kF32, "f32", 4}, {DType::kF64, "f64", 8}, {DType::kI8, "i8", 1},
                      {DType::kI32, "i32", 4}, {DType::kI64, "i64", 8}, {DType::kBool, "bool", 1}};
  ASSERT_EQ(std::size(rows), std::size(kAllDTypes));
  for (const Row& row : rows) {
    EXPECT_EQ(DTypeName(row.dtype), row.name);
    EXPECT_EQ(ParseDType(row.name), row.dtype);
    EXPECT_EQ(DTypeSize(row.dtype), row.size) << row.name;
  }
}

TEST(DType, ParseRejectsOtherNames) {
  EXPECT_EQ(ParseDType("f16"), std::nullopt);
  EXPECT_EQ(ParseDType("F32"), std::nullopt);
  EXPECT_EQ(ParseDType(""), std::nullopt);
  EXPECT_EQ(ParseDType("f32 "), std::nullopt);
}

TEST(DType, Classes) {
  EXPECT_TRUE(IsFloat(DType::kF64));
  EXPECT_FALSE(IsFloat(DType::kI32));
  EXPECT_TRUE(IsInteger(DType::kI8));
  EXPECT_FALSE(IsInteger(DType::kBool));
  EXPECT_TRUE(IsNumeric(DType::kI64));
  EXPECT_FALSE(IsNumeric(DType::kBool));
  EXPECT_TRUE(IsBool(DType::kBool));
}

TEST(Shape, ElementsRankAndText) {
  EXPECT_EQ(Shape{}.num_elements(), 1);  // a scalar holds one element
  EXPECT_EQ((Shape{2, 3, 4}).num_elements(), 24);
  EXPECT_EQ((Shape{5, 0}).num_elements(), 0);
  EXPECT_EQ((Shape{2, kDynamic}).num_elements(), std::nullopt);
  EXPECT_EQ((Shape{2, 3}).rank(), 2);
  EXPECT_TRUE(Shape{}.is_scalar());
  EXPECT_TRUE((Shape{2, 3}).is_static());
  EXPECT_FALSE((Shape{kDynamic}).is_static());
  EXPECT_EQ((Shape{kDynamic, 1}).ToString(), "[?,1]");
}

TEST(TensorType, ToString) {
  EXPECT_EQ((TensorType{DType::kF32, Shape{kDynamic, 20}}).ToString(), "f32[?,20]");
  EXPECT_EQ((TensorType{DType::kBool, Shape{}}).ToString(), "bool[]");
}

TEST(TensorType, IsCompatible) {
  const TensorType dyn{DType::kF32, Shape{kDynamic, 3}};
  const TensorType fixed{DType::kF32, Shape{8, 3}};
  EXPECT_TRUE(IsCompatible(fixed, fixed));
  EXPECT_TRUE(IsCompatible(dyn, fixed));  // `?` accepts any size
  EXPECT_TRUE(IsCompatible(dyn, dyn));
  EXPECT_FALSE(IsCompatible(fixed, dyn));  // a static dim needs a static match
  EXPECT_FALSE(IsCompatible(fixed, (TensorType{DType::kF32, Shape{8, 4}})));
  EXPECT_FALSE(IsCompatible(fixed, (TensorType{DType::kF64, Shape{8, 3}})));
  EXPECT_FALSE(IsCompatible(dyn, (TensorType{DType::kF32, Shape{8, 3, 1}})));
  EXPECT_TRUE(IsCompatible((TensorType{DType::kI8, Shape{}}), (TensorType{DType::kI8, Shape{}})));
}

DenseElements Dense(DType dtype, Shape shape) {
  return DenseElements(TensorType{dtype, std::move(shape)});
}

TEST(DenseElements, ZeroFilledWithNativeLayout) {
  DenseElements d = Dense(DType::kI32, Shape{2, 3});
  EXPECT_EQ(d.size(), 6);
  EXPECT_EQ(d.bytes().size(), 24u);
  for (int64_t i = 0; i < d.size(); ++i) EXPECT_EQ(d.GetInt(i), 0);
  d.SetInt(1, 0x01020304);  // little-endian, row-major
  EXPECT_EQ(d.bytes()[4], 0x04);
  EXPECT_EQ(d.bytes()[7], 0x01);
  EXPECT_EQ(Dense(DType::kBool, Shape{}).size(), 1);
  EXPECT_EQ(Dense(DType::kF64, Shape{0, 4}).size(), 0);
}

TEST(DenseElements, FloatsRoundToTheirDType) {
  DenseElements f32 = Dense(DType::kF32, Shape{1});
  f32.SetDouble(0, 0.1);
  EXPECT_EQ(f32.GetDouble(0), static_cast<double>(0.1f));
  EXPECT_NE(f32.GetDouble(0), 0.1);
  DenseElements f64 = Dense(DType::kF64, Shape{1});
  f64.SetDouble(0, 0.1);
  EXPECT_EQ(f64.GetDouble(0), 0.1);
  f32.SetInt(0, 16777217);  // 2^24 + 1 has no f32
  EXPECT_EQ(f32.GetInt(0), 16777216);
  f64.SetDouble(0, -2.75);
  EXPECT_EQ(f64.GetInt(0), -2);  // toward zero
  f32.SetDouble(0, std::nan(""));
  EXPECT_TRUE(std::isnan(f32.GetDouble(0)));
}

TEST(DenseElements, IntegersConvertWithCasts) {
  DenseElements i8 = Dense(DType::kI8, Shape{3});
  i8.SetInt(0, 200);  // wraps around like static_cast<int8_t>
  i8.SetInt(1, -129);
  i8.SetDouble(2, -7.9);  // truncates toward zero
  EXPECT_EQ(i8.GetInt(0), -56);
  EXPECT_EQ(i8.GetInt(1), 127);
  EXPECT_EQ(i8.GetInt(2), -7);
  EXPECT_EQ(i8.GetDouble(0), -56.0);

  DenseElements i32 = Dense(DType::kI32, Shape{1});
  i32.SetDouble(0, 2.9);
  EXPECT_EQ(i32.GetInt(0), 2);
  i32.SetInt(0, -2147483648LL);
  EXPECT_EQ(i32.GetInt(0), -2147483648LL);

  DenseElements i64 = Dense(DType::kI64, Shape{1});
  i64.SetInt(0, (int64_t{1} << 62) + 1);  // exact: not routed through double
  EXPECT_EQ(i64.GetInt(0), (int64_t{1} << 62) + 1);
}

TEST(DenseElements, BoolsAreZeroOrOne) {
  DenseElements b = Dense(DType::kBool, Shape{4});
  b.SetDouble(0, 0.5);
  b.SetInt(1, -3);
  b.SetInt(2, 0);
  b.SetDouble(3, -0.0);
  EXPECT_EQ(b.GetInt(0), 1);
  EXPECT_EQ(b.bytes()[1], 1);  // stored as the byte 1, whatever the input
  EXPECT_EQ(b.GetInt(2), 0);
  EXPECT_EQ(b.GetDouble(3), 0.0);
  EXPECT_EQ(b.GetDouble(1), 1.0);
}

TEST(DenseElements, IsSplatComparesBytes) {
  DenseElements d = Dense(DType::kF32, Shape{3});
  EXPECT_TRUE(d.IsSplat());
  d.SetDouble(2, 1.5);
  EXPECT_FALSE(d.IsSplat());
  d.SetDouble(0, 1.5);
  d.SetDouble(1, 1.5);
  EXPECT_TRUE(d.IsSplat());
  d.SetDouble(1, -0.0);
  d.SetDouble(0, 0.0);
  d.SetDouble(2, 0.0);
  EXPECT_FALSE(d.IsSplat());  // -0.0 and 0.0 differ in their bits
  EXPECT_TRUE(Dense(DType::kI64, Shape{}).IsSplat());
  EXPECT_TRUE(Dense(DType::kI64, Shape{0}).IsSplat());
}

TEST(DenseElements, EqualityIsTypeAndBytes) {
  DenseElements a = Dense(DType::kI32, Shape{2});
  DenseElements b = Dense(DType::kI32, Shape{2});
  EXPECT_EQ(a, b);
  b.SetInt(1, 4);
  EXPECT_NE(a, b);
  EXPECT_NE(Dense(DType::kI32, Shape{2}), Dense(DType::kF32, Shape{2}));
  EXPECT_NE(Dense(DType::kI32, Shape{2, 1}), Dense(DType::kI32, Shape{2}));
}

TEST(Attribute, KindsAndNames) {
  struct Row {
    Attribute attr;
    AttrKind kind;
    std::string_view name;
  };
  const Row rows[] = {
      {true, AttrKind::kBool, "bool"},
      {int64_t{3}, AttrKind::kInt, "int"},
      {2.5, AttrKind::kFloat, "float"},
      {std::string("s"), AttrKind::kString, "string"},
      {DType::kI8, AttrKind::kDType, "dtype"},
      {std::vector<int64_t>{0, 1}, AttrKind::kInts, "int list"},
      {SymbolRef{"w"}, AttrKind::kSymbol, "symbol"},
      {Dense(DType::kF32, Shape{2}), AttrKind::kDense, "dense tensor"},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(KindOf(row.attr), row.kind) << row.name;
    EXPECT_EQ(AttrKindName(row.kind), row.name);
  }
  EXPECT_EQ(Attribute(SymbolRef{"w"}), Attribute(SymbolRef{"w"}));
  EXPECT_NE(Attribute(int64_t{1}), Attribute(1.0));  // kinds never compare equal
}

}  // namespace
}  // namespace graphc::ir
