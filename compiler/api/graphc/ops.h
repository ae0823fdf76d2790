// Named functions for every op, in TensorFlow's spelling (tf.add ->
// graphc::add, tf.reduce_mean -> graphc::reduce_mean), and operator
// overloads. Each runs at once outside a traced function and appends IR
// inside one. The last parameter captures the caller's source location for
// error messages; leave it defaulted.
//
// Numbers written in C++ (2, 0.5f) are weakly typed, as Python numbers are in
// TensorFlow: in an elementwise op with a tensor they take that tensor's
// dtype, so `x * 2` works for f32 x.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <source_location>
#include <vector>

#include "graphc/tensor.h"

namespace graphc {

using Loc = std::source_location;
using Axes = std::vector<int64_t>;

// ---- creating tensors ----
// tf.constant: from nested initializer lists ({{1, 2}, {3, 4}}), a scalar,
// or values + shape. double data gives f32 unless a dtype says otherwise;
// int data gives i32.
template <typename T>
Tensor constant(std::initializer_list<T> values, std::optional<DType> dtype = std::nullopt,
                Loc loc = Loc::current());
template <typename T>
Tensor constant(std::initializer_list<std::initializer_list<T>> values,
                std::optional<DType> dtype = std::nullopt, Loc loc = Loc::current());
template <typename T>
Tensor constant(std::initializer_list<std::initializer_list<std::initializer_list<T>>> values,
                std::optional<DType> dtype = std::nullopt, Loc loc = Loc::current());
template <typename T>
Tensor constant(const std::vector<T>& values, const Shape& shape,
                std::optional<DType> dtype = std::nullopt, Loc loc = Loc::current());
// A scalar of a given dtype: constant(0.5, float64). (A template so that a
// braced list such as constant({2.0}, float64) means a 1-D tensor.)
template <typename T>
  requires std::is_arithmetic_v<T>
Tensor constant(T value, DType dtype, Loc loc = Loc::current());
// From an Eigen matrix or vector (copied, row-major).
template <typename Derived>
Tensor constant(const Eigen::MatrixBase<Derived>& m, Loc loc = Loc::current());

Tensor zeros(const Shape& shape, DType dtype = float32, Loc loc = Loc::current());
Tensor ones(const Shape& shape, DType dtype = float32, Loc loc = Loc::current());
Tensor fill(const Shape& shape, double value, DType dtype = float32, Loc loc = Loc::current());
Tensor zeros_like(const Tensor& x, Loc loc = Loc::current());
Tensor ones_like(const Tensor& x, Loc loc = Loc::current());
Tensor fill_like(const Tensor& x, double value, Loc loc = Loc::current());
// tf.range(start, limit, delta).
Tensor range(double start, double limit, double delta = 1, DType dtype = int32, Loc loc = Loc::current());
Tensor range(double limit, Loc loc = Loc::current());

// Stateless seeded random numbers: the same seed gives the same numbers,
// eagerly and traced. Without a seed, numbers come from the global seed
// (set_random_seed) and a per-program counter, as in TensorFlow.
Tensor random_uniform(const Shape& shape, std::optional<int64_t> seed = std::nullopt, double minval = 0,
                      double maxval = 1, DType dtype = float32, Loc loc = Loc::current());
Tensor random_normal(const Shape& shape, std::optional<int64_t> seed = std::nullopt, double mean = 0,
                     double stddev = 1, DType dtype = float32, Loc loc = Loc::current());
void set_random_seed(int64_t seed);

Tensor one_hot(const Tensor& indices, int64_t depth, double on_value = 1, double off_value = 0,
               int64_t axis = -1, DType dtype = float32, Loc loc = Loc::current());

// ---- elementwise ----
Tensor add(const Tensor& x, const Tensor& y, Loc loc = Loc::current());
Tensor subtract(const Tensor& x, const Tensor& y, Loc loc = Loc::current());
Tensor multiply(const Tensor& x, const Tensor& y, Loc loc = Loc::current());
Tensor divide(const Tensor& x, const Tensor& y, Loc loc = Loc::current());
Tensor pow(const Tensor& x, const Tensor& y, Loc loc = Loc::current());
Tensor maximum(const Tensor& x, const Tensor& y, Loc loc = Loc::current());
Tensor minimum(const Tensor& x, const Tensor& y, Loc loc = Loc::current());
Tensor negative(const Tensor& x, Loc loc = Loc::current());
Tensor abs(const Tensor& x, Loc loc = Loc::current());
Tensor sign(const Tensor& x, Loc loc = Loc::current());
Tensor square(const Tensor& x, Loc loc = Loc::current());
Tensor sqrt(const Tensor& x, Loc loc = Loc::current());
Tensor rsqrt(const Tensor& x, Loc loc = Loc::current());
Tensor exp(const Tensor& x, Loc loc = Loc::current());
Tensor log(const Tensor& x, Loc loc = Loc::current());
Tensor tanh(const Tensor& x, Loc loc = Loc::current());
Tensor sigmoid(const Tensor& x, Loc loc = Loc::current());
Tensor relu(const Tensor& x, Loc loc = Loc::current());

Tensor equal(const Tensor& x, const Tensor& y, Loc loc = Loc::current());
Tensor not_equal(const Tensor& x, const Tensor& y, Loc loc = Loc::current());
Tensor less(const Tensor& x, const Tensor& y, Loc loc = Loc::current());
Tensor less_equal(const Tensor& x, const Tensor& y, Loc loc = Loc::current());
Tensor greater(const Tensor& x, const Tensor& y, Loc loc = Loc::current());
Tensor greater_equal(const Tensor& x, const Tensor& y, Loc loc = Loc::current());
Tensor logical_and(const Tensor& x, const Tensor& y, Loc loc = Loc::current());
Tensor logical_or(const Tensor& x, const Tensor& y, Loc loc = Loc::current());
Tensor logical_not(const Tensor& x, Loc loc = Loc::current());
// tf.where(cond, x, y): elementwise select with broadcasting.
Tensor where(const Tensor& cond, const Tensor& x, const Tensor& y, Loc loc = Loc::current());
Tensor cast(const Tensor& x, DType dtype, Loc loc = Loc::current());

// ---- shapes ----
// A -1 in `shape` is inferred from the element count.
Tensor reshape(const Tensor& x, const Shape& shape, Loc loc = Loc::current());
// Empty `perm` reverses the dims.
Tensor transpose(const Tensor& x, Axes perm = {}, Loc loc = Loc::current());
Tensor broadcast_to(const Tensor& x, const Shape& shape, Loc loc = Loc::current());
Tensor expand_dims(const Tensor& x, int64_t axis, Loc loc = Loc::current());
// Empty `axes` removes every size-1 dim.
Tensor squeeze(const Tensor& x, Axes axes = {}, Loc loc = Loc::current());
Tensor gather(const Tensor& params, const Tensor& indices, int64_t axis = 0, Loc loc = Loc::current());
Tensor concat(const std::vector<Tensor>& values, int64_t axis, Loc loc = Loc::current());
Tensor stack(const std::vector<Tensor>& values, int64_t axis = 0, Loc loc = Loc::current());

// ---- reductions: empty `axes` reduces every axis ----
Tensor reduce_sum(const Tensor& x, Axes axes = {}, bool keepdims = false, Loc loc = Loc::current());
Tensor reduce_mean(const Tensor& x, Axes axes = {}, bool keepdims = false, Loc loc = Loc::current());
Tensor reduce_max(const Tensor& x, Axes axes = {}, bool keepdims = false, Loc loc = Loc::current());
Tensor reduce_min(const Tensor& x, Axes axes = {}, bool keepdims = false, Loc loc = Loc::current());
Tensor reduce_prod(const Tensor& x, Axes axes = {}, bool keepdims = false, Loc loc = Loc::current());
Tensor reduce_any(const Tensor& x, Axes axes = {}, bool keepdims = false, Loc loc = Loc::current());
Tensor reduce_all(const Tensor& x, Axes axes = {}, bool keepdims = false, Loc loc = Loc::current());
Tensor argmax(const Tensor& x, int64_t axis = 0, DType dtype = int64, Loc loc = Loc::current());
Tensor argmin(const Tensor& x, int64_t axis = 0, DType dtype = int64, Loc loc = Loc::current());

// ---- linear algebra and friends ----
Tensor matmul(const Tensor& a, const Tensor& b, bool transpose_a = false, bool transpose_b = false,
              Loc loc = Loc::current());
Tensor softmax(const Tensor& logits, int64_t axis = -1, Loc loc = Loc::current());
Tensor log_softmax(const Tensor& logits, int64_t axis = -1, Loc loc = Loc::current());

// ---- operators (elementwise, broadcasting; comparisons give bool) ----
Tensor operator+(const Tensor& x, const Tensor& y);
Tensor operator-(const Tensor& x, const Tensor& y);
Tensor operator*(const Tensor& x, const Tensor& y);
Tensor operator/(const Tensor& x, const Tensor& y);
Tensor operator-(const Tensor& x);
Tensor operator==(const Tensor& x, const Tensor& y);
Tensor operator!=(const Tensor& x, const Tensor& y);
Tensor operator<(const Tensor& x, const Tensor& y);
Tensor operator<=(const Tensor& x, const Tensor& y);
Tensor operator>(const Tensor& x, const Tensor& y);
Tensor operator>=(const Tensor& x, const Tensor& y);
Tensor operator&&(const Tensor& x, const Tensor& y);
Tensor operator||(const Tensor& x, const Tensor& y);
Tensor operator!(const Tensor& x);

// ---- implementation of the templates ----
namespace ops_internal {
// Builds an eager tensor from row-major values; `dtype` defaults by T.
Tensor FromValues(const std::vector<double>& values, const Shape& shape, DType dtype, const Loc& loc);
template <typename T>
constexpr DType DefaultDType() {
  if constexpr (std::is_same_v<T, bool>) return boolean;
  else if constexpr (std::is_same_v<T, double> || std::is_same_v<T, float>) return float32;
  else if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, long long>) return int64;
  else if constexpr (std::is_same_v<T, int8_t>) return int8;
  else return int32;
}
template <typename T>
void Flatten(std::initializer_list<T> v, std::vector<double>& out) {
  for (const T& x : v) out.push_back(static_cast<double>(x));
}
template <typename List>
void CheckRagged(const List& outer, const Loc& loc) {
  const size_t n = outer.begin()->size();
  for (const auto& inner : outer) {
    if (inner.size() != n) {
      throw Error(absl::InvalidArgumentError("constant: nested lists must be rectangular (rows of " +
                                             std::to_string(n) + " and " + std::to_string(inner.size()) +
                                             " elements)"),
                  loc);
    }
  }
}
}  // namespace ops_internal

template <typename T>
Tensor constant(std::initializer_list<T> values, std::optional<DType> dtype, Loc loc) {
  std::vector<double> flat;
  ops_internal::Flatten(values, flat);
  return ops_internal::FromValues(flat, Shape{static_cast<int64_t>(values.size())},
                                  dtype.value_or(ops_internal::DefaultDType<T>()), loc);
}

template <typename T>
Tensor constant(std::initializer_list<std::initializer_list<T>> values, std::optional<DType> dtype, Loc loc) {
  std::vector<double> flat;
  int64_t cols = 0;
  if (values.size() > 0) {
    ops_internal::CheckRagged(values, loc);
    cols = static_cast<int64_t>(values.begin()->size());
  }
  for (const auto& row : values) ops_internal::Flatten(row, flat);
  return ops_internal::FromValues(flat, Shape{static_cast<int64_t>(values.size()), cols},
                                  dtype.value_or(ops_internal::DefaultDType<T>()), loc);
}

template <typename T>
Tensor constant(std::initializer_list<std::initializer_list<std::initializer_list<T>>> values,
                std::optional<DType> dtype, Loc loc) {
  std::vector<double> flat;
  int64_t rows = 0, cols = 0;
  if (values.size() > 0) {
    ops_internal::CheckRagged(values, loc);
    rows = static_cast<int64_t>(values.begin()->size());
    if (rows > 0) cols = static_cast<int64_t>(values.begin()->begin()->size());
  }
  for (const auto& plane : values) {
    if (plane.size() > 0) ops_internal::CheckRagged(plane, loc);
    for (const auto& row : plane) {
      if (static_cast<int64_t>(row.size()) != cols) {
        throw Error(absl::InvalidArgumentError("constant: nested lists must be rectangular"), loc);
      }
      ops_internal::Flatten(row, flat);
    }
  }
  return ops_internal::FromValues(flat, Shape{static_cast<int64_t>(values.size()), rows, cols},
                                  dtype.value_or(ops_internal::DefaultDType<T>()), loc);
}

template <typename T>
Tensor constant(const std::vector<T>& values, const Shape& shape, std::optional<DType> dtype, Loc loc) {
  std::vector<double> flat(values.begin(), values.end());
  return ops_internal::FromValues(flat, shape, dtype.value_or(ops_internal::DefaultDType<T>()), loc);
}

template <typename T>
  requires std::is_arithmetic_v<T>
Tensor constant(T value, DType dtype, Loc loc) {
  return ops_internal::FromValues({static_cast<double>(value)}, Shape{}, dtype, loc);
}

template <typename Derived>
Tensor constant(const Eigen::MatrixBase<Derived>& m, Loc loc) {
  using T = typename Derived::Scalar;
  std::vector<double> flat;
  flat.reserve(static_cast<size_t>(m.size()));
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    for (Eigen::Index j = 0; j < m.cols(); ++j) flat.push_back(static_cast<double>(m(i, j)));
  }
  const DType dtype = std::is_same_v<T, double> ? float64 : ops_internal::DefaultDType<T>();
  return ops_internal::FromValues(flat, Shape{m.rows(), m.cols()}, dtype, loc);
}

}  // namespace graphc
