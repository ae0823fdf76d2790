// nn/initializers.h: the Keras initializers' distributions (checked on 10k
// samples), determinism by seed, eagerness inside a trace, and bad input.
#include "nn/initializers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace graphc::nn {
namespace {

struct Stats {
  double mean, stddev, min, max;
};

Stats StatsOf(const Tensor& t) {
  const std::vector<double> v = t.to_vector<double>();
  const double mean = std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
  double sq = 0;
  for (double x : v) sq += (x - mean) * (x - mean);
  return {mean, std::sqrt(sq / double(v.size())), *std::min_element(v.begin(), v.end()),
          *std::max_element(v.begin(), v.end())};
}

TEST(ComputeFans, FollowsKerasForEachRank) {
  EXPECT_EQ(ComputeFans(Shape{}).fan_in, 1);
  EXPECT_EQ(ComputeFans(Shape{7}).fan_out, 7);
  const Fans dense = ComputeFans(Shape{3, 5});
  EXPECT_EQ(dense.fan_in, 3);
  EXPECT_EQ(dense.fan_out, 5);
  const Fans conv = ComputeFans(Shape{2, 3, 4, 5});  // 2x3 kernel, 4 in, 5 out
  EXPECT_EQ(conv.fan_in, 24);
  EXPECT_EQ(conv.fan_out, 30);
}

TEST(GlorotUniform, StaysWithinTheLimitAndHasTheUniformStatistics) {
  // [100, 100]: limit sqrt(6 / 200); a uniform on [-l, l] has std l / sqrt(3).
  const Tensor w = GlorotUniform(1)(Shape{100, 100}, float32);
  EXPECT_EQ(w.shape(), (Shape{100, 100}));
  EXPECT_EQ(w.dtype(), float32);
  const double limit = std::sqrt(6.0 / 200.0);
  const Stats s = StatsOf(w);
  EXPECT_GE(s.min, -limit);
  EXPECT_LE(s.max, limit);
  EXPECT_LT(s.min, -0.95 * limit);  // it does reach the edges
  EXPECT_GT(s.max, 0.95 * limit);
  // The mean of 10k uniforms has std l / sqrt(3) / 100 ~ 0.001.
  EXPECT_NEAR(s.mean, 0.0, 0.005);
  EXPECT_NEAR(s.stddev, limit / std::sqrt(3.0), 0.03 * limit);
}

TEST(GlorotUniform, LimitFollowsTheFans) {
  const double limit = std::sqrt(6.0 / (10 + 1000));
  const Stats s = StatsOf(GlorotUniform(3)(Shape{10, 1000}, float32));
  EXPECT_LE(std::max(-s.min, s.max), limit);
  EXPECT_GT(std::max(-s.min, s.max), 0.95 * limit);
}

TEST(GlorotUniform, SameSeedSameValuesOtherSeedOtherValues) {
  const std::vector<float> a = GlorotUniform(5)(Shape{4, 3}, float32).to_vector<float>();
  const std::vector<float> b = GlorotUniform(5)(Shape{4, 3}, float32).to_vector<float>();
  const std::vector<float> c = GlorotUniform(6)(Shape{4, 3}, float32).to_vector<float>();
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(GlorotUniform, UnseededCallsDifferButFollowTheGlobalSeed) {
  set_random_seed(11);
  const std::vector<float> first = GlorotUniform()(Shape{8}, float32).to_vector<float>();
  const std::vector<float> second = GlorotUniform()(Shape{8}, float32).to_vector<float>();
  EXPECT_NE(first, second);
  set_random_seed(11);
  EXPECT_EQ(GlorotUniform()(Shape{8}, float32).to_vector<float>(), first);
}

TEST(RandomNormal, HasTheRequestedMeanAndStddev) {
  const Stats s = StatsOf(RandomNormal(/*stddev=*/2.0, /*mean=*/3.0, /*seed=*/7)(Shape{10000}, float32));
  // Standard errors: 2 / 100 for the mean, about 2 / 141 for the std.
  EXPECT_NEAR(s.mean, 3.0, 0.08);
  EXPECT_NEAR(s.stddev, 2.0, 0.06);
  EXPECT_EQ(RandomNormal(1, 0, 4)(Shape{5}, float64).to_vector<double>(),
            RandomNormal(1, 0, 4)(Shape{5}, float64).to_vector<double>());
  EXPECT_NE(RandomNormal(1, 0, 4)(Shape{5}, float64).to_vector<double>(),
            RandomNormal(1, 0, 5)(Shape{5}, float64).to_vector<double>());
}

TEST(RandomUniform, StaysInRangeWithTheUniformMean) {
  const Tensor t = RandomUniform(-1.0, 3.0, 9)(Shape{100, 100}, float64);
  EXPECT_EQ(t.dtype(), float64);
  const Stats s = StatsOf(t);
  EXPECT_GE(s.min, -1.0);
  EXPECT_LT(s.max, 3.0);
  EXPECT_NEAR(s.mean, 1.0, 0.05);                      // std of the mean: 4/sqrt(12)/100
  EXPECT_NEAR(s.stddev, 4.0 / std::sqrt(12.0), 0.03);  // 1.1547
}

TEST(ZerosAndOnes, AreConstantInAnyDtype) {
  EXPECT_EQ(Zeros()(Shape{2, 2}, float32).to_vector<float>(), std::vector<float>(4, 0.f));
  EXPECT_EQ(Ones()(Shape{3}, int32).to_vector<int32_t>(), std::vector<int32_t>(3, 1));
  EXPECT_EQ(Ones()(Shape{}, float64).to_vector<double>(), std::vector<double>{1.0});
}

TEST(Initializers, AreEagerEvenDuringATrace) {
  bool was_traced = true;
  auto f = function([&](const Tensor& x) {
    const Tensor w = GlorotUniform(1)(Shape{2, 2}, float32);
    was_traced = w.is_traced();
    return x;
  });
  f(constant({1.f}));
  EXPECT_FALSE(was_traced);
}

TEST(Initializers, AnInitializerIsAnyCallable) {
  const Initializer init = [](const Shape& shape, DType dtype) { return fill(shape, 0.5, dtype); };
  EXPECT_EQ(init(Shape{2}, float32).to_vector<float>(), (std::vector<float>{0.5f, 0.5f}));
  const Initializer glorot = GlorotUniform(2);
  EXPECT_EQ(glorot(Shape{3}, float32).to_vector<float>(), GlorotUniform(2)(Shape{3}).to_vector<float>());
}

TEST(Initializers, RejectBadArguments) {
  EXPECT_THROW(GlorotUniform()(Shape{2, kDynamic}, float32), Error);
  EXPECT_THROW(GlorotUniform()(Shape{2, 2}, int32), Error);
  EXPECT_THROW(RandomNormal(-1.0), Error);
  EXPECT_THROW(RandomUniform(1.0, 0.0), Error);
  try {
    RandomUniform()(Shape{3}, int64);
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("floating dtype"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace graphc::nn
