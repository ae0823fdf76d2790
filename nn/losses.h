// Loss functions, as keras.losses (Keras 3 formulas): each takes
// (y_true, y_pred) like Keras, computes one loss per example and returns
// their mean, a scalar of y_pred's dtype (Keras's default
// "sum_over_batch_size" reduction).
//
// y_pred must be float32 or float64; y_true is cast to y_pred's dtype, as
// Keras does. Shapes must match exactly (a `?` dim matches anything): a
// [batch] target against [batch, 1] predictions is an error here, where
// broadcasting would silently give a [batch, batch] loss.
//
// Probabilities are clipped to [epsilon, 1 - epsilon] with Keras's
// epsilon 1e-7 before the log, so 0 and 1 give a large but finite loss.
// With from_logits the losses use the stable forms: log_softmax for the
// categorical ones, max(x, 0) - x z + log(1 + exp(-|x|)) for the binary one
// (tf.nn.sigmoid_cross_entropy_with_logits), so logits like 1000 are fine.
#pragma once

#include "graphc/graphc.h"

namespace graphc::nn {

// Keras's backend epsilon.
inline constexpr double kEpsilon = 1e-7;

// mean((y_true - y_pred)^2).
Tensor mean_squared_error(const Tensor& y_true, const Tensor& y_pred);

// Targets in [0, 1]; y_pred holds probabilities, or logits if from_logits.
// -mean(y log p + (1 - y) log(1 - p)).
Tensor binary_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits = false);

// One-hot (or soft) targets [..., classes]; y_pred holds probabilities
// (normalised to sum 1 over the last axis first, as Keras does), or logits
// if from_logits. mean over examples of -sum(y log p) over the last axis.
Tensor categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits = false);

// Integer class labels (int8/int32/int64) of shape y_pred.shape[:-1] (or
// with a trailing 1); y_pred [..., classes] with a known class count. Labels
// outside [0, classes) are an error when the labels are eager; inside a
// trace they cannot be checked and such an example contributes 0.
Tensor sparse_categorical_crossentropy(const Tensor& labels, const Tensor& y_pred, bool from_logits = false);

}  // namespace graphc::nn
