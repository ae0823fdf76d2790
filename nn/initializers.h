// Weight initializers, as keras.initializers: each makes the initial value
// of a variable for a shape and dtype.
//
// An Initializer is any callable (shape, dtype) -> Tensor; the classes here
// are the Keras ones. The result is always an *eager* tensor: they run
// inside graphc::init_scope, so a layer may build its variables during a
// trace (tf.init_scope does the same for Keras layers under tf.function).
//
// Seeds, as in Keras: with a seed, every call gives the same values; without
// one, values come from graphc's global seed (set_random_seed) and a
// per-program counter, so successive layers differ yet a program that sets
// the global seed is reproducible.
//
// Note: RandomNormal takes (stddev, mean) and RandomUniform (minval, maxval)
// positionally, since stddev is usually the one value set in C++ (Keras has
// keywords: RandomNormal(mean=0.0, stddev=0.05)).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "graphc/graphc.h"

namespace graphc::nn {

using Initializer = std::function<Tensor(const Shape& shape, DType dtype)>;

// Keras's fans: for a kernel [in, out], fan_in = in and fan_out = out; for
// rank > 2 (convolutions: [..., in, out]) both are multiplied by the product
// of the leading dims; rank 1 has fan_in = fan_out = the dim; rank 0 has 1.
struct Fans {
  double fan_in, fan_out;
};
Fans ComputeFans(const Shape& shape);

// Uniform on [-limit, limit] with limit = sqrt(6 / (fan_in + fan_out))
// (Glorot & Bengio 2010): Keras's default kernel initializer.
class GlorotUniform {
 public:
  explicit GlorotUniform(std::optional<int64_t> seed = std::nullopt) : seed_(seed) {}
  Tensor operator()(const Shape& shape, DType dtype = float32) const;

 private:
  std::optional<int64_t> seed_;
};

// Normal with the given standard deviation and mean.
class RandomNormal {
 public:
  explicit RandomNormal(double stddev = 0.05, double mean = 0.0, std::optional<int64_t> seed = std::nullopt);
  Tensor operator()(const Shape& shape, DType dtype = float32) const;

 private:
  double stddev_, mean_;
  std::optional<int64_t> seed_;
};

// Uniform on [minval, maxval).
class RandomUniform {
 public:
  explicit RandomUniform(double minval = -0.05, double maxval = 0.05,
                         std::optional<int64_t> seed = std::nullopt);
  Tensor operator()(const Shape& shape, DType dtype = float32) const;

 private:
  double minval_, maxval_;
  std::optional<int64_t> seed_;
};

class Zeros {
 public:
  Tensor operator()(const Shape& shape, DType dtype = float32) const;
};

class Ones {
 public:
  Tensor operator()(const Shape& shape, DType dtype = float32) const;
};

}  // namespace graphc::nn
