#include "nn/initializers.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace graphc::nn {
namespace {

// A variable's shape is fully known: reject `?` and negative dims here,
// where the message can say which initializer was asked.
void CheckShape(const char* who, const Shape& shape) {
  for (int64_t d : shape.dims()) {
    if (d < 0) {
      throw Error(absl::InvalidArgumentError(std::string(who) + ": needs a static shape with dims >= 0, got " +
                                             shape.ToString()));
    }
  }
}

void CheckFloat(const char* who, DType dtype) {
  if (dtype != float32 && dtype != float64) {
    throw Error(absl::InvalidArgumentError(std::string(who) + ": needs a floating dtype (float32 or float64)"));
  }
}

}  // namespace

Fans ComputeFans(const Shape& shape) {
  const int64_t rank = shape.rank();
  if (rank == 0) return {1, 1};
  if (rank == 1) return {double(shape.dim(0)), double(shape.dim(0))};
  double receptive_field = 1;
  for (int64_t i = 0; i < rank - 2; ++i) receptive_field *= double(shape.dim(i));
  return {double(shape.dim(rank - 2)) * receptive_field, double(shape.dim(rank - 1)) * receptive_field};
}

Tensor GlorotUniform::operator()(const Shape& shape, DType dtype) const {
  CheckShape("GlorotUniform", shape);
  CheckFloat("GlorotUniform", dtype);
  const Fans fans = ComputeFans(shape);
  // An empty shape ([0, n]) has no values to draw; keep the limit finite.
  const double limit = std::sqrt(6.0 / std::max(1.0, fans.fan_in + fans.fan_out));
  init_scope eager;
  return random_uniform(shape, seed_, -limit, limit, dtype);
}

RandomNormal::RandomNormal(double stddev, double mean, std::optional<int64_t> seed)
    : stddev_(stddev), mean_(mean), seed_(seed) {
  if (!(stddev >= 0)) {
    throw Error(absl::InvalidArgumentError("RandomNormal: stddev must be >= 0, got " + std::to_string(stddev)));
  }
}

Tensor RandomNormal::operator()(const Shape& shape, DType dtype) const {
  CheckShape("RandomNormal", shape);
  CheckFloat("RandomNormal", dtype);
  init_scope eager;
  return random_normal(shape, seed_, mean_, stddev_, dtype);
}

RandomUniform::RandomUniform(double minval, double maxval, std::optional<int64_t> seed)
    : minval_(minval), maxval_(maxval), seed_(seed) {
  if (!(minval <= maxval)) {
    throw Error(absl::InvalidArgumentError("RandomUniform: minval (" + std::to_string(minval) +
                                           ") must be <= maxval (" + std::to_string(maxval) + ")"));
  }
}

Tensor RandomUniform::operator()(const Shape& shape, DType dtype) const {
  CheckShape("RandomUniform", shape);
  CheckFloat("RandomUniform", dtype);
  init_scope eager;
  return random_uniform(shape, seed_, minval_, maxval_, dtype);
}

Tensor Zeros::operator()(const Shape& shape, DType dtype) const {
  CheckShape("Zeros", shape);
  init_scope eager;
  return zeros(shape, dtype);
}

Tensor Ones::operator()(const Shape& shape, DType dtype) const {
  CheckShape("Ones", shape);
  init_scope eager;
  return ones(shape, dtype);
}

}  // namespace graphc::nn
