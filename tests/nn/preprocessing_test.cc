// nn::random_permutation, train_test_split and StandardScaler: exact
// permutations (checked against an independent implementation of the
// algorithm), exact split sizes and contents, statistics against a double
// computation in the test, eager and traced transform, and the errors.
#include "nn/preprocessing.h"
#include "tests/nn/test_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <numeric>

namespace graphc::nn {
namespace {

using test_util::MessageOf;
using test_util::Iota;
using test_util::Sorted;

TEST(RandomPermutation, MatchesTheAlgorithmBitForBit) {
  // From a separate Python implementation of SplitMix64 + Fisher-Yates with
  // rejection sampling (the algorithm preprocessing.cc documents), so a
  // seed gives these orders on every platform.
  EXPECT_EQ(random_permutation(10, 42), (std::vector<int64_t>{0, 5, 3, 6, 1, 2, 4, 9, 8, 7}));
  EXPECT_EQ(random_permutation(10, 42, 1), (std::vector<int64_t>{7, 9, 5, 6, 8, 1, 0, 4, 3, 2}));
  EXPECT_EQ(random_permutation(8, 0), (std::vector<int64_t>{0, 2, 1, 3, 7, 4, 5, 6}));
}

TEST(RandomPermutation, IsAPermutationAndDependsOnSeedAndStream) {
  const std::vector<int64_t> p = random_permutation(100, 7);
  EXPECT_EQ(Sorted(p), Iota(100));
  EXPECT_EQ(random_permutation(100, 7), p);
  EXPECT_NE(random_permutation(100, 8), p);
  EXPECT_NE(random_permutation(100, 7, 1), p);
  EXPECT_TRUE(random_permutation(0, 7).empty());
  EXPECT_EQ(random_permutation(1, 7), (std::vector<int64_t>{0}));
  EXPECT_THROW(random_permutation(-1, 7), Error);
}

TEST(RandomPermutation, IsUniformOverSmallSets) {
  // All 6 orders of 3 elements, each close to 1/6 of 6000 seeds, 1000 (one
  // standard deviation is 29). A biased shuffle, such as swapping with any
  // index, gives orders 4/27 or 5/27 of them: 889 or 1111.
  std::map<std::vector<int64_t>, int> counts;
  for (uint64_t seed = 0; seed < 6000; ++seed) ++counts[random_permutation(3, seed)];
  EXPECT_EQ(counts.size(), 6u);
  for (const auto& [order, count] : counts) {
    EXPECT_GT(count, 900);
    EXPECT_LT(count, 1100);
  }
}

// Example i: features {i, -i}, label i.
struct Data {
  Tensor features, labels;
};
Data Numbered(int64_t n) {
  std::vector<float> f;
  std::vector<int32_t> l;
  for (int64_t i = 0; i < n; ++i) {
    f.push_back(static_cast<float>(i));
    f.push_back(-static_cast<float>(i));
    l.push_back(static_cast<int32_t>(i));
  }
  return {constant(f, Shape{n, 2}), constant(l, Shape{n})};
}

std::vector<int64_t> Labels(const Tensor& t) {
  const std::vector<int32_t> v = t.to_vector<int32_t>();
  return std::vector<int64_t>(v.begin(), v.end());
}

TEST(TrainTestSplit, SizesAndContentsFollowThePermutation) {
  const Data d = Numbered(10);
  const TrainTestSplit s = train_test_split(d.features, d.labels, 0.3, /*seed=*/42);
  EXPECT_EQ(s.train_features.shape(), (Shape{7, 2}));
  EXPECT_EQ(s.train_labels.shape(), (Shape{7}));
  EXPECT_EQ(s.test_features.shape(), (Shape{3, 2}));
  EXPECT_EQ(s.test_labels.shape(), (Shape{3}));
  // As scikit-learn's ShuffleSplit: the first n_test of the permutation
  // (0, 5, 3, 6, 1, 2, 4, 9, 8, 7 for seed 42) are the test set.
  EXPECT_EQ(Labels(s.test_labels), (std::vector<int64_t>{0, 5, 3}));
  EXPECT_EQ(Labels(s.train_labels), (std::vector<int64_t>{6, 1, 2, 4, 9, 8, 7}));
  // Features stay with their labels.
  EXPECT_EQ(s.test_features.to_vector<float>(), (std::vector<float>{0, 0, 5, -5, 3, -3}));
}

TEST(TrainTestSplit, DeterministicForASeed) {
  const Data d = Numbered(50);
  const TrainTestSplit a = train_test_split(d.features, d.labels, 0.2, 1);
  const TrainTestSplit b = train_test_split(d.features, d.labels, 0.2, 1);
  const TrainTestSplit c = train_test_split(d.features, d.labels, 0.2, 2);
  EXPECT_EQ(Labels(a.test_labels), Labels(b.test_labels));
  EXPECT_EQ(Labels(a.train_labels), Labels(b.train_labels));
  EXPECT_NE(Labels(a.test_labels), Labels(c.test_labels));
  std::vector<int64_t> all = Labels(a.train_labels);
  const std::vector<int64_t> test = Labels(a.test_labels);
  all.insert(all.end(), test.begin(), test.end());
  EXPECT_EQ(Sorted(all), Iota(50));
}

TEST(TrainTestSplit, TestSizeIsTheCeilingLikeScikitLearn) {
  auto test_size = [](int64_t n, double fraction) {
    const Data d = Numbered(n);
    return train_test_split(d.features, d.labels, fraction, 0).test_labels.shape().dim(0);
  };
  EXPECT_EQ(test_size(150, 0.2), 30);
  EXPECT_EQ(test_size(10, 0.25), 3);  // 2.5 rounds up
  EXPECT_EQ(test_size(10, 0.01), 1);  // 0.1 rounds up
  // 0.14 * 50 is 7.000000000000001 in doubles: still 7.
  ASSERT_GT(0.14 * 50, 7.0);
  EXPECT_EQ(test_size(50, 0.14), 7);
  EXPECT_EQ(test_size(2, 0.5), 1);
}

TEST(TrainTestSplit, Errors) {
  const Data d = Numbered(3);
  for (double bad : {0.0, 1.0, -0.1, 1.5, std::nan("")}) {
    EXPECT_THROW(train_test_split(d.features, d.labels, bad, 0), Error) << bad;
  }
  // ceil(0.9 * 3) = 3 leaves nothing to train on.
  EXPECT_NE(MessageOf([&] { train_test_split(d.features, d.labels, 0.9, 0); }).find("leave 0 for training"),
            std::string::npos);
  EXPECT_NE(MessageOf([&] { train_test_split(d.features, zeros({4}), 0.5, 0); })
                .find("features have 3 examples but labels have 4"),
            std::string::npos);
  EXPECT_THROW(train_test_split(Tensor(1.f), d.labels, 0.5, 0), Error);
}

TEST(StandardScaler, ExactStatisticsAndTransform) {
  // Columns: mean 2 / std 2, constant 5, mean 2 / std 1.
  const Tensor train = constant({{0.f, 5.f, 1.f}, {0.f, 5.f, 3.f}, {4.f, 5.f, 1.f}, {4.f, 5.f, 3.f}});
  StandardScaler scaler;
  EXPECT_FALSE(scaler.fitted());
  const Tensor z = scaler.fit_transform(train);
  EXPECT_TRUE(scaler.fitted());
  EXPECT_EQ(scaler.mean().to_vector<float>(), (std::vector<float>{2, 5, 2}));
  EXPECT_EQ(scaler.scale().to_vector<float>(), (std::vector<float>{2, 1, 1}));
  EXPECT_EQ(z.to_vector<float>(), (std::vector<float>{-1, 0, -1, -1, 0, 1, 1, 0, -1, 1, 0, 1}));
  // Test data uses the training statistics.
  EXPECT_EQ(scaler.transform(constant({{6.f, 7.f, 2.f}})).to_vector<float>(), (std::vector<float>{2, 2, 0}));
}

TEST(StandardScaler, MatchesADoubleComputation) {
  const int rows = 7, cols = 3;
  std::vector<double> x(rows * cols);
  for (int i = 0; i < rows * cols; ++i) x[i] = std::sin(1.7 * i) * (1 + i % 3) + 0.25 * i;
  StandardScaler scaler;
  const Tensor z = scaler.fit_transform(constant(x, Shape{rows, cols}, float64));
  const std::vector<double> got = z.to_vector<double>();
  for (int c = 0; c < cols; ++c) {
    double mean = 0, var = 0;
    for (int r = 0; r < rows; ++r) mean += x[r * cols + c] / rows;
    for (int r = 0; r < rows; ++r) var += (x[r * cols + c] - mean) * (x[r * cols + c] - mean) / rows;
    for (int r = 0; r < rows; ++r) {
      EXPECT_NEAR(got[r * cols + c], (x[r * cols + c] - mean) / std::sqrt(var), 1e-12) << r << "," << c;
    }
  }
  // Standardised data has mean 0 and population variance 1 per column.
  const std::vector<double> m = reduce_mean(z, {0}).to_vector<double>();
  const std::vector<double> v = reduce_mean(square(z), {0}).to_vector<double>();
  for (int c = 0; c < cols; ++c) {
    EXPECT_NEAR(m[c], 0, 1e-12);
    EXPECT_NEAR(v[c], 1, 1e-12);
  }
}

TEST(StandardScaler, ConstantColumnBecomesExactZeros) {
  // 0.1 + 0.1 + 0.1 != 0.3 in doubles: the mean must not come from the sum.
  StandardScaler scaler;
  const Tensor z = scaler.fit_transform(constant({{0.1, 1.0}, {0.1, 2.0}, {0.1, 3.0}}, float64));
  const std::vector<double> got = z.to_vector<double>();
  for (int r = 0; r < 3; ++r) EXPECT_EQ(got[2 * r], 0.0);
  EXPECT_EQ(scaler.scale().to_vector<double>()[0], 1.0);
}

TEST(StandardScaler, TransformWorksTraced) {
  StandardScaler scaler;
  scaler.fit(constant({{0.f, 1.f}, {4.f, 3.f}}));
  auto standardise = function([&](const Tensor& x) { return scaler.transform(x) * 2; });
  // Columns: mean 2 / std 2 and mean 2 / std 1.
  EXPECT_EQ(standardise(constant({{2.f, 2.f}, {6.f, 5.f}})).to_vector<float>(), (std::vector<float>{0, 0, 4, 6}));
}

TEST(StandardScaler, Errors) {
  StandardScaler scaler;
  const std::string before_fit = MessageOf([&] { scaler.transform(zeros({2, 2})); });
  EXPECT_NE(before_fit.find("call fit() first"), std::string::npos) << before_fit;
  EXPECT_THROW(scaler.fit(constant({{1, 2}, {3, 4}})), Error);  // i32
  EXPECT_THROW(scaler.fit(constant({1.f, 2.f})), Error);        // rank 1
  EXPECT_THROW(scaler.fit(zeros({0, 2})), Error);               // no rows
  auto traced_fit = function([&](const Tensor& x) {
    scaler.fit(x);
    return x;
  });
  EXPECT_THROW(traced_fit(zeros({2, 2})), Error);
  scaler.fit(constant({{1.f, 2.f}, {3.f, 4.f}}));
  const std::string columns = MessageOf([&] { scaler.transform(zeros({2, 3})); });
  EXPECT_NE(columns.find("fitted on 2 columns of f32, got [2,3] f32"), std::string::npos) << columns;
  EXPECT_THROW(scaler.transform(zeros({2, 2}, float64)), Error);
}

}  // namespace
}  // namespace graphc::nn
