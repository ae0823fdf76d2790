#include "nn/metrics.h"

#include <string>
#include <vector>

namespace graphc::nn {
namespace {

bool Compatible(const Shape& a, const Shape& b) {
  if (a.rank() != b.rank()) return false;
  for (int64_t i = 0; i < a.rank(); ++i) {
    if (a.dim(i) != b.dim(i) && a.dim(i) != kDynamic && b.dim(i) != kDynamic) return false;
  }
  return true;
}

void CheckDefined(const char* metric, const Tensor& y_true, const Tensor& y_pred) {
  if (!y_true.defined() || !y_pred.defined()) {
    throw Error(absl::InvalidArgumentError(std::string(metric) + ": an argument is undefined"));
  }
}

void CheckClassScores(const char* metric, const Tensor& y_pred) {
  if (y_pred.rank() < 2) {
    throw Error(absl::InvalidArgumentError(std::string(metric) +
                                           ": y_pred needs rank >= 2 ([batch, classes]), got shape " +
                                           y_pred.shape().ToString()));
  }
}

// The fraction of true elements of a bool tensor.
Tensor FractionTrue(const Tensor& correct) { return reduce_mean(cast(correct, float32)); }

Tensor ArgmaxLast(const Tensor& x) { return argmax(x, x.rank() - 1, int64); }

}  // namespace

Tensor sparse_categorical_accuracy(const Tensor& labels, const Tensor& y_pred) {
  const char* kMetric = "sparse_categorical_accuracy";
  CheckDefined(kMetric, labels, y_pred);
  CheckClassScores(kMetric, y_pred);
  if (labels.dtype() != int8 && labels.dtype() != int32 && labels.dtype() != int64) {
    throw Error(absl::InvalidArgumentError(std::string(kMetric) + ": labels must be integer class indices, got " +
                                           std::string(ir::DTypeName(labels.dtype())) +
                                           " (for one-hot targets use categorical_accuracy)"));
  }
  Tensor ids = labels;
  if (ids.rank() == y_pred.rank() && ids.shape().dim(ids.rank() - 1) == 1) ids = squeeze(ids, {ids.rank() - 1});
  std::vector<int64_t> batch_dims = y_pred.shape().dims();
  batch_dims.pop_back();
  if (!Compatible(ids.shape(), Shape(batch_dims))) {
    throw Error(absl::InvalidArgumentError(std::string(kMetric) + ": labels of shape " + labels.shape().ToString() +
                                           " do not match y_pred of shape " + y_pred.shape().ToString()));
  }
  return FractionTrue(equal(cast(ids, int64), ArgmaxLast(y_pred)));
}

Tensor categorical_accuracy(const Tensor& y_true, const Tensor& y_pred) {
  const char* kMetric = "categorical_accuracy";
  CheckDefined(kMetric, y_true, y_pred);
  CheckClassScores(kMetric, y_pred);
  if (!Compatible(y_true.shape(), y_pred.shape())) {
    throw Error(absl::InvalidArgumentError(std::string(kMetric) + ": y_true and y_pred must have the same shape, got " +
                                           y_true.shape().ToString() + " and " + y_pred.shape().ToString()));
  }
  return FractionTrue(equal(ArgmaxLast(y_true), ArgmaxLast(y_pred)));
}

Tensor binary_accuracy(const Tensor& y_true, const Tensor& y_pred, double threshold) {
  const char* kMetric = "binary_accuracy";
  CheckDefined(kMetric, y_true, y_pred);
  if (!Compatible(y_true.shape(), y_pred.shape())) {
    throw Error(absl::InvalidArgumentError(std::string(kMetric) + ": y_true and y_pred must have the same shape, got " +
                                           y_true.shape().ToString() + " and " + y_pred.shape().ToString()));
  }
  // Threshold in y_pred's own precision; compare as f32 0/1 so that bool,
  // integer and float targets all work.
  const bool is_float = y_pred.dtype() == float32 || y_pred.dtype() == float64;
  const Tensor p = is_float ? y_pred : cast(y_pred, float32);
  const Tensor predicted = cast(greater(p, Tensor(threshold)), float32);
  return FractionTrue(equal(cast(y_true, float32), predicted));
}

}  // namespace graphc::nn
