// nn::Dataset: batch shapes and contents, drop_remainder, one visit per
// example per epoch, per-epoch shuffling that depends only on the seed and
// the epoch, feeding a traced function, and the errors.
#include "nn/dataset.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "nn/preprocessing.h"
#include "tests/nn/test_util.h"

namespace graphc::nn {
namespace {

using test_util::Iota;
using test_util::Sorted;

// Example i: features {i, 10 i} (f32), label i (i32), so every batch shows
// which examples it holds and that features and labels stayed together.
Dataset Numbered(int64_t n) {
  std::vector<float> features;
  std::vector<int32_t> labels;
  for (int64_t i = 0; i < n; ++i) {
    features.push_back(static_cast<float>(i));
    features.push_back(static_cast<float>(10 * i));
    labels.push_back(static_cast<int32_t>(i));
  }
  return Dataset(constant(features, Shape{n, 2}), constant(labels, Shape{n}));
}

// The labels of every batch of one pass, in order, after checking that each
// batch's features belong to its labels.
template <typename Range>
std::vector<int64_t> Visit(Range&& range) {
  std::vector<int64_t> seen;
  for (const auto& [x, y] : range) {
    const std::vector<float> xs = x.template to_vector<float>();
    const std::vector<int32_t> ys = y.template to_vector<int32_t>();
    EXPECT_EQ(xs.size(), 2 * ys.size());
    for (size_t i = 0; i < ys.size(); ++i) {
      EXPECT_EQ(xs[2 * i], static_cast<float>(ys[i]));
      EXPECT_EQ(xs[2 * i + 1], static_cast<float>(10 * ys[i]));
      seen.push_back(ys[i]);
    }
  }
  return seen;
}

TEST(Dataset, BatchesInStoredOrderWithAPartialLastBatch) {
  Dataset ds = Numbered(10).batch(4);
  EXPECT_EQ(ds.size(), 10);
  EXPECT_EQ(ds.num_batches(), 3);
  std::vector<Shape> feature_shapes, label_shapes;
  for (const auto& [x, y] : ds) {
    feature_shapes.push_back(x.shape());
    label_shapes.push_back(y.shape());
    EXPECT_EQ(x.dtype(), float32);
    EXPECT_EQ(y.dtype(), int32);
  }
  EXPECT_EQ(feature_shapes, (std::vector<Shape>{{4, 2}, {4, 2}, {2, 2}}));
  EXPECT_EQ(label_shapes, (std::vector<Shape>{{4}, {4}, {2}}));
  EXPECT_EQ(Visit(ds.epoch(0)), Iota(10));
  const Batch first = *ds.epoch(0).begin();
  EXPECT_EQ(first.features.to_vector<float>(), (std::vector<float>{0, 0, 1, 10, 2, 20, 3, 30}));
}

TEST(Dataset, DropRemainderLeavesOutThePartialBatch) {
  Dataset ds = Numbered(10).batch(4, /*drop_remainder=*/true);
  EXPECT_EQ(ds.num_batches(), 2);
  EXPECT_EQ(Visit(ds), Iota(8));
  // A size that is a multiple of the batch: nothing to drop.
  EXPECT_EQ(Numbered(8).batch(4, true).num_batches(), 2);
  EXPECT_EQ(Numbered(8).batch(4, false).num_batches(), 2);
  // A batch larger than the data: one partial batch, or none.
  EXPECT_EQ(Numbered(3).batch(5).num_batches(), 1);
  EXPECT_EQ(Numbered(3).batch(5, true).num_batches(), 0);
  EXPECT_TRUE(Visit(Numbered(3).batch(5, true)).empty());
}

TEST(Dataset, UnbatchedYieldsSingleExamples) {
  Dataset ds = Numbered(3);
  EXPECT_EQ(ds.num_batches(), 3);
  int count = 0;
  for (const auto& [x, y] : ds) {
    EXPECT_EQ(x.shape(), (Shape{2}));
    EXPECT_EQ(y.shape(), Shape{});
    EXPECT_EQ(x.to_vector<float>(), (std::vector<float>{float(count), float(10 * count)}));
    EXPECT_EQ(y.item<int32_t>(), count);
    ++count;
  }
  EXPECT_EQ(count, 3);
}

TEST(Dataset, ShuffledEpochVisitsEveryExampleOnce) {
  Dataset ds = Numbered(23).shuffle(/*seed=*/5).batch(4);
  for (int epoch = 0; epoch < 3; ++epoch) {
    const std::vector<int64_t> seen = Visit(ds);
    EXPECT_EQ(seen, ds.order(epoch)) << "epoch " << epoch;
    EXPECT_EQ(Sorted(seen), Iota(23)) << "epoch " << epoch;
    EXPECT_NE(seen, Iota(23)) << "epoch " << epoch << " was not shuffled";
  }
}

TEST(Dataset, EachEpochHasANewOrder) {
  Dataset ds = Numbered(20).shuffle(9).batch(6);
  const std::vector<int64_t> first = Visit(ds), second = Visit(ds), third = Visit(ds);
  EXPECT_NE(first, second);
  EXPECT_NE(second, third);
  EXPECT_NE(first, third);
}

TEST(Dataset, OrderDependsOnlyOnSeedAndEpoch) {
  Dataset a = Numbered(20).shuffle(9).batch(6);
  Dataset b = Numbered(20).shuffle(9).batch(3);  // batching does not change the order
  for (int epoch = 0; epoch < 3; ++epoch) EXPECT_EQ(Visit(a), Visit(b)) << "epoch " << epoch;
  // Epoch 2 on its own, with no epochs before it, and after other epochs.
  EXPECT_EQ(Visit(Numbered(20).shuffle(9).epoch(2)), a.order(2));
  EXPECT_EQ(Visit(a.epoch(2)), a.order(2));
  // It is the seed's permutation for stream `epoch`.
  EXPECT_EQ(a.order(2), random_permutation(20, 9, 2));
  // Another seed, another order.
  EXPECT_NE(Numbered(20).shuffle(10).order(0), a.order(0));
  // shuffle and batch commute.
  EXPECT_EQ(Visit(Numbered(20).batch(6).shuffle(9)), a.order(0));
}

TEST(Dataset, CopiesStartAtEpochZero) {
  Dataset ds = Numbered(12).shuffle(3);
  Visit(ds);  // epoch 0
  Dataset batched = ds.batch(5);
  EXPECT_EQ(Visit(batched), ds.order(0));
  EXPECT_EQ(Visit(ds), ds.order(1));
}

TEST(Dataset, IteratorsOutliveTheirDataset) {
  // The range-for keeps only the Epoch; the Dataset temporary is gone.
  std::vector<int64_t> seen = Visit(Numbered(7).shuffle(1).batch(2).epoch(0));
  EXPECT_EQ(seen, random_permutation(7, 1, 0));
}

TEST(Dataset, BatchesFeedATracedFunction) {
  // The running sum of every batch's features, through a compiled
  // function: 0 + 1 + ... + 9 = 45 and 10 times that.
  auto batch_sum = function([](const Tensor& x) { return reduce_sum(x, {0}); });
  std::vector<float> total{0, 0};
  for (const auto& [x, y] : Numbered(10).shuffle(4).batch(4)) {
    const std::vector<float> s = batch_sum(x).to_vector<float>();
    total[0] += s[0];
    total[1] += s[1];
  }
  EXPECT_EQ(total, (std::vector<float>{45, 450}));
  EXPECT_EQ(batch_sum.tracing_count(), 2);  // batches of 4, then the last one of 2
}

TEST(Dataset, LabelsMayBeMatrices) {
  Dataset ds(constant({{1.f}, {2.f}, {3.f}}), constant({{1.f, 0.f}, {0.f, 1.f}, {1.f, 0.f}}));
  const Batch b = *ds.batch(2).epoch(0).begin();
  EXPECT_EQ(b.labels.shape(), (Shape{2, 2}));
  EXPECT_EQ(b.labels.to_vector<float>(), (std::vector<float>{1, 0, 0, 1}));
}

TEST(Dataset, ErrorsForBadBatchSizes) {
  Dataset ds = Numbered(4);
  EXPECT_THROW(ds.batch(0), Error);
  EXPECT_THROW(ds.batch(-3), Error);
  try {
    ds.batch(0);
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("batch_size must be > 0"), std::string::npos) << e.what();
  }
}

TEST(Dataset, ErrorsForMismatchedOrScalarTensors) {
  EXPECT_THROW(Dataset(zeros({4, 2}), zeros({3})), Error);
  EXPECT_THROW(Dataset(Tensor(1.f), zeros({1})), Error);
  EXPECT_THROW(Dataset(zeros({1}), Tensor(1.f)), Error);
  EXPECT_THROW(Dataset(Tensor(), zeros({1})), Error);
  try {
    Dataset(zeros({4, 2}), zeros({3}));
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("[4,2] and [3]"), std::string::npos) << e.what();
  }
}

TEST(Dataset, ErrorForTracedTensors) {
  auto build = function([](const Tensor& x) {
    Dataset ds(x, x);
    return x;
  });
  EXPECT_THROW(build(zeros({2})), Error);
}

}  // namespace
}  // namespace graphc::nn
