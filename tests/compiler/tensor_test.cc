// graphc::Tensor basics: construction, copy-out, printing, indexing, weak
// scalars, dtype rules.
#include <gtest/gtest.h>

#include "graphc/graphc.h"

namespace graphc {
namespace {

TEST(Tensor, ConstructsFromNestedListsVectorsAndEigen) {
  Tensor a = constant({{1, 2}, {3, 4}});
  EXPECT_EQ(a.dtype(), int32);
  EXPECT_EQ(a.shape(), (Shape{2, 2}));
  EXPECT_EQ(a.to_vector<int32_t>(), (std::vector<int32_t>{1, 2, 3, 4}));
  Tensor b = constant({1.5, 2.5});
  EXPECT_EQ(b.dtype(), float32);  // Python-float style
  Tensor c = constant(std::vector<double>{1, 2, 3, 4, 5, 6}, {2, 3}, float64);
  EXPECT_EQ(c.dtype(), float64);
  Eigen::MatrixXd m(2, 2);
  m << 1, 2, 3, 4;
  Tensor d = constant(m);
  EXPECT_EQ(d.dtype(), float64);
  EXPECT_EQ(d.to_eigen<double>(), m);
  Tensor e = constant({{{1.f}, {2.f}}, {{3.f}, {4.f}}});
  EXPECT_EQ(e.shape(), (Shape{2, 2, 1}));
  EXPECT_THROW(constant({{1.f, 2.f}, {3.f}}), Error);  // ragged
  EXPECT_THROW(constant(std::vector<float>{1, 2, 3}, {2, 2}), Error);
}

TEST(Tensor, ItemAndCopyOut) {
  EXPECT_EQ(Tensor(7).item<int32_t>(), 7);
  EXPECT_EQ(Tensor(2.5f).item<double>(), 2.5);
  EXPECT_THROW(constant({1.f, 2.f}).item<float>(), Error);
}

TEST(Tensor, PrintsLikeTensorFlow) {
  EXPECT_EQ(constant({{1.f, 2.f}, {3.f, 4.5f}}).ToString(),
            "graphc.Tensor(\n[[1. 2.]\n [3. 4.5]], shape=(2, 2), dtype=float32)");
  EXPECT_EQ(constant({1, 2, 3}).ToString(), "graphc.Tensor([1 2 3], shape=(3,), dtype=int32)");
  EXPECT_EQ(Tensor(true).ToString(), "graphc.Tensor(True, shape=(), dtype=bool)");
  const std::string big = range(2000).ToString();
  EXPECT_NE(big.find("[0 1 2 ... 1997 1998 1999]"), std::string::npos) << big;
}

TEST(Tensor, SlicesLikeNumPy) {
  Tensor x = constant({{1, 2}, {3, 4}, {5, 6}});
  Tensor s = x[{Slice(0, 2), Slice(0, 1)}];
  EXPECT_EQ(s.shape(), (Shape{2, 1}));
  EXPECT_EQ(s.to_vector<int32_t>(), (std::vector<int32_t>{1, 3}));
  EXPECT_EQ(x[-1].to_vector<int32_t>(), (std::vector<int32_t>{5, 6}));
  EXPECT_EQ((x[{Slice({}, {}, -1), 1}]).to_vector<int32_t>(), (std::vector<int32_t>{6, 4, 2}));
  EXPECT_EQ((x[{newaxis, ellipsis, 0}]).shape(), (Shape{1, 3}));
  EXPECT_EQ((x[{ellipsis, newaxis}]).shape(), (Shape{3, 2, 1}));
  EXPECT_THROW((x[{0, 0, 0}]), Error);
}

TEST(Tensor, CastToInt8KeepsValues) {
  Tensor x = constant({{1.f, 2.f}, {3.f, 4.f}, {5.f, 6.f}});
  Tensor i = x.cast(int8);
  EXPECT_EQ(i.dtype(), int8);
  EXPECT_EQ(i.to_vector<int32_t>(), (std::vector<int32_t>{1, 2, 3, 4, 5, 6}));
}

TEST(Tensor, WeakScalarsTakeTheTensorsDtype) {
  Tensor x = constant({1.f, 2.f});
  EXPECT_EQ((x * 2).dtype(), float32);
  EXPECT_EQ((x * 2).to_vector<float>(), (std::vector<float>{2.f, 4.f}));
  Tensor i = constant({1, 2});
  EXPECT_EQ((i + 2).to_vector<int32_t>(), (std::vector<int32_t>{3, 4}));
  EXPECT_THROW(i * 0.5, Error);  // would change the value
  EXPECT_THROW(x + constant({1, 2}), Error);  // two real dtypes: cast first
}

TEST(Tensor, RandomIsSeededAndRepeatable) {
  EXPECT_EQ(random_uniform({4}, 3).to_vector<float>(), random_uniform({4}, 3).to_vector<float>());
  EXPECT_NE(random_uniform({4}, 3).to_vector<float>(), random_uniform({4}, 4).to_vector<float>());
  auto traced = function([] { return random_normal({5}, 11); });
  EXPECT_EQ(traced().to_vector<float>(), random_normal({5}, 11).to_vector<float>());
  set_random_seed(5);
  const std::vector<float> first = random_uniform({3}).to_vector<float>();
  set_random_seed(5);
  EXPECT_EQ(random_uniform({3}).to_vector<float>(), first);
}

TEST(Tensor, TruthValue) {
  EXPECT_TRUE(static_cast<bool>(constant({1.f}) > 0));
  EXPECT_FALSE(static_cast<bool>(Tensor(0)));
  EXPECT_THROW((void)static_cast<bool>(constant({1.f, 2.f})), Error);
}

}  // namespace
}  // namespace graphc
