#include "nn/losses.h"

#include <string>
#include <vector>

namespace graphc::nn {
namespace {

std::string DTypeString(DType dtype) { return std::string(ir::DTypeName(dtype)); }

bool IsFloating(DType dtype) { return dtype == float32 || dtype == float64; }
bool IsIndexType(DType dtype) { return dtype == int8 || dtype == int32 || dtype == int64; }

// Equal ranks and dims, where a `?` (a traced dynamic dim) matches any.
bool Compatible(const Shape& a, const Shape& b) {
  if (a.rank() != b.rank()) return false;
  for (int64_t i = 0; i < a.rank(); ++i) {
    if (a.dim(i) != b.dim(i) && a.dim(i) != kDynamic && b.dim(i) != kDynamic) return false;
  }
  return true;
}

void CheckPredictions(const char* loss, const Tensor& y_pred, int64_t min_rank) {
  if (!y_pred.defined()) throw Error(absl::InvalidArgumentError(std::string(loss) + ": y_pred is undefined"));
  if (!IsFloating(y_pred.dtype())) {
    throw Error(absl::InvalidArgumentError(std::string(loss) + ": y_pred must be float32 or float64, got " +
                                           DTypeString(y_pred.dtype())));
  }
  if (y_pred.rank() < min_rank) {
    throw Error(absl::InvalidArgumentError(std::string(loss) + ": y_pred needs rank >= " +
                                           std::to_string(min_rank) + " ([batch, classes]), got shape " +
                                           y_pred.shape().ToString()));
  }
}

// Checks the shapes and casts the targets to the predictions' dtype.
Tensor DenseTargets(const char* loss, const Tensor& y_true, const Tensor& y_pred) {
  if (!y_true.defined()) throw Error(absl::InvalidArgumentError(std::string(loss) + ": y_true is undefined"));
  if (!Compatible(y_true.shape(), y_pred.shape())) {
    throw Error(absl::InvalidArgumentError(std::string(loss) + ": y_true and y_pred must have the same shape, got " +
                                           y_true.shape().ToString() + " and " + y_pred.shape().ToString()));
  }
  return y_true.dtype() == y_pred.dtype() ? y_true : cast(y_true, y_pred.dtype());
}

// Probabilities kept away from 0 and 1 so that their logs stay finite. The
// bounds are typed constants: a bare double would be a float32 literal.
Tensor ClipProbabilities(const Tensor& p) {
  return minimum(maximum(p, constant(kEpsilon, p.dtype())), constant(1.0 - kEpsilon, p.dtype()));
}

int64_t LastAxis(const Tensor& t) { return t.rank() - 1; }

}  // namespace

Tensor mean_squared_error(const Tensor& y_true, const Tensor& y_pred) {
  CheckPredictions("mean_squared_error", y_pred, 0);
  const Tensor y = DenseTargets("mean_squared_error", y_true, y_pred);
  return reduce_mean(square(y - y_pred));
}

Tensor binary_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits) {
  CheckPredictions("binary_crossentropy", y_pred, 0);
  const Tensor y = DenseTargets("binary_crossentropy", y_true, y_pred);
  if (from_logits) {
    // -(y log s(x) + (1-y) log(1-s(x))) rearranged so no exp overflows.
    const Tensor& x = y_pred;
    return reduce_mean(maximum(x, 0.0) - x * y + log(1.0 + exp(-abs(x))));
  }
  const Tensor p = ClipProbabilities(y_pred);
  return -reduce_mean(y * log(p) + (1.0 - y) * log(1.0 - p));
}

Tensor categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits) {
  CheckPredictions("categorical_crossentropy", y_pred, 1);
  const Tensor y = DenseTargets("categorical_crossentropy", y_true, y_pred);
  const int64_t axis = LastAxis(y_pred);
  Tensor log_p;
  if (from_logits) {
    log_p = log_softmax(y_pred, axis);
  } else {
    log_p = log(ClipProbabilities(y_pred / reduce_sum(y_pred, {axis}, /*keepdims=*/true)));
  }
  return reduce_mean(-reduce_sum(y * log_p, {axis}));
}

Tensor sparse_categorical_crossentropy(const Tensor& labels, const Tensor& y_pred, bool from_logits) {
  const char* kLoss = "sparse_categorical_crossentropy";
  CheckPredictions(kLoss, y_pred, 2);
  if (!labels.defined()) throw Error(absl::InvalidArgumentError(std::string(kLoss) + ": labels are undefined"));
  if (!IsIndexType(labels.dtype())) {
    throw Error(absl::InvalidArgumentError(std::string(kLoss) + ": labels must be integer class indices, got " +
                                           DTypeString(labels.dtype()) +
                                           " (for one-hot targets use categorical_crossentropy)"));
  }
  const int64_t classes = y_pred.shape().dim(LastAxis(y_pred));
  if (classes == kDynamic) {
    throw Error(absl::InvalidArgumentError(std::string(kLoss) + ": the class dim of y_pred must be known, got " +
                                           y_pred.shape().ToString()));
  }
  // Keras also takes labels [batch, 1] for y_pred [batch, classes].
  Tensor ids = labels;
  if (ids.rank() == y_pred.rank() && ids.shape().dim(LastAxis(ids)) == 1) ids = squeeze(ids, {LastAxis(ids)});
  std::vector<int64_t> batch_dims = y_pred.shape().dims();
  batch_dims.pop_back();
  if (!Compatible(ids.shape(), Shape(batch_dims))) {
    throw Error(absl::InvalidArgumentError(std::string(kLoss) + ": labels of shape " + labels.shape().ToString() +
                                           " do not match y_pred of shape " + y_pred.shape().ToString() +
                                           " (labels need y_pred's shape without its last dim)"));
  }
  if (!ids.is_traced()) {
    for (int64_t id : ids.to_vector<int64_t>()) {
      if (id < 0 || id >= classes) {
        throw Error(absl::InvalidArgumentError(std::string(kLoss) + ": label " + std::to_string(id) +
                                               " is outside [0, " + std::to_string(classes) + ")"));
      }
    }
  }
  if (ids.dtype() == int8) ids = cast(ids, int32);
  return categorical_crossentropy(one_hot(ids, classes, 1, 0, -1, y_pred.dtype()), y_pred, from_logits);
}

}  // namespace graphc::nn
