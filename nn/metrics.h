// Accuracy metrics, as the keras.metrics functions of the same names: each
// returns the fraction of correct predictions as a float32 scalar (a batch's
// mean; average over batches yourself, weighting by batch size).
//
// Predictions may be probabilities or logits for the argmax-based metrics
// (the argmax is the same); ties go to the first class, as tf.argmax.
#pragma once

#include "graphc/graphc.h"

namespace graphc::nn {

// Integer labels [batch] (or [batch, 1]) against predictions [batch,
// classes]: mean(argmax(y_pred, -1) == labels). Keras's
// sparse_categorical_accuracy, which Keras picks for metrics=["accuracy"]
// with integer labels.
Tensor sparse_categorical_accuracy(const Tensor& labels, const Tensor& y_pred);
inline Tensor accuracy(const Tensor& labels, const Tensor& y_pred) {
  return sparse_categorical_accuracy(labels, y_pred);
}

// One-hot targets [batch, classes]: mean(argmax(y_true) == argmax(y_pred)).
Tensor categorical_accuracy(const Tensor& y_true, const Tensor& y_pred);

// Targets 0/1 (any dtype) against probabilities of the same shape:
// mean(y_true == (y_pred > threshold)).
Tensor binary_accuracy(const Tensor& y_true, const Tensor& y_pred, double threshold = 0.5);

}  // namespace graphc::nn
