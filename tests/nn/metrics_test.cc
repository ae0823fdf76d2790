// nn/metrics.h: exact accuracies on hand-made batches, eager and traced,
// and bad arguments.
#include "nn/metrics.h"

#include <gtest/gtest.h>

namespace graphc::nn {
namespace {

Tensor Scores() {
  return constant({{0.1f, 0.7f, 0.2f},     // argmax 1
                   {2.0f, -1.0f, 0.5f},    // argmax 0
                   {0.3f, 0.3f, 0.4f},     // argmax 2
                   {5.0f, 5.0f, 1.0f}});  // a tie: the first, 0
}

TEST(SparseCategoricalAccuracy, ComparesTheArgmaxWithIntegerLabels) {
  EXPECT_EQ(sparse_categorical_accuracy(constant({1, 0, 2, 0}), Scores()).item<float>(), 1.0f);
  EXPECT_EQ(sparse_categorical_accuracy(constant({1, 2, 2, 1}), Scores()).item<float>(), 0.5f);
  EXPECT_EQ(accuracy(constant({0, 1, 0, 1}, int64), Scores()).item<float>(), 0.0f);
  EXPECT_EQ(accuracy(constant({{1}, {0}, {1}, {1}}), Scores()).item<float>(), 0.5f);  // [batch, 1] labels
  EXPECT_EQ(accuracy(constant({1, 0, 2, 0}), Scores()).dtype(), float32);
}

TEST(CategoricalAccuracy, ComparesArgmaxes) {
  const Tensor one_hot = constant({{0.f, 1.f, 0.f}, {0.f, 0.f, 1.f}, {0.f, 0.f, 1.f}, {1.f, 0.f, 0.f}});
  EXPECT_EQ(categorical_accuracy(one_hot, Scores()).item<float>(), 0.75f);
}

TEST(BinaryAccuracy, ThresholdsThePredictions) {
  const Tensor y = constant({{1.f}, {0.f}, {1.f}, {0.f}, {1.f}});
  const Tensor p = constant({{0.9f}, {0.4f}, {0.5f}, {0.51f}, {0.7f}});  // 0.5 is not > 0.5
  EXPECT_EQ(binary_accuracy(y, p).item<float>(), 0.6f);
  EXPECT_EQ(binary_accuracy(y, p, 0.45).item<float>(), 0.8f);
  EXPECT_EQ(binary_accuracy(constant({{true}, {false}, {true}, {false}, {true}}), p).item<float>(), 0.6f);
}

TEST(Metrics, WorkInsideATracedFunction) {
  auto f = function([](const Tensor& labels, const Tensor& scores, const Tensor& y, const Tensor& p) {
    return Tensors{accuracy(labels, scores), categorical_accuracy(one_hot(labels, 3), scores),
                   binary_accuracy(y, p)};
  });
  const Tensors out = f(constant({1, 2, 2, 1}), Scores(), constant({1.f, 0.f, 1.f, 0.f, 1.f}),
                        constant({0.9f, 0.4f, 0.5f, 0.51f, 0.7f}));
  EXPECT_EQ(out[0].item<float>(), 0.5f);
  EXPECT_EQ(out[1].item<float>(), 0.5f);
  EXPECT_EQ(out[2].item<float>(), 0.6f);
}

TEST(Metrics, RejectBadArguments) {
  EXPECT_THROW(accuracy(constant({1.f, 0.f, 2.f, 0.f}), Scores()), Error);  // float labels
  EXPECT_THROW(accuracy(constant({1, 0}), Scores()), Error);                // 2 labels, 4 rows
  EXPECT_THROW(accuracy(constant({1, 0, 2}), constant({0.1f, 0.9f, 0.5f})), Error);  // rank-1 scores
  EXPECT_THROW(categorical_accuracy(constant({{1.f, 0.f}}), Scores()), Error);
  EXPECT_THROW(binary_accuracy(constant({1.f, 0.f}), constant({{0.5f}, {0.5f}})), Error);
}

}  // namespace
}  // namespace graphc::nn
