// graphc::Tensor: one type for eager values and traced (symbolic) values.
// Outside a traced function every op runs at once and a Tensor holds
// numbers; inside one, ops append IR and a Tensor names an SSA value. The
// same user code runs both ways.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <ostream>
#include <source_location>
#include <string>
#include <variant>
#include <vector>

#include <Eigen/Core>

#include "graphc/error.h"
#include "ir/dtype.h"
#include "ir/shape.h"

namespace graphc {

using ir::DType;
using ir::kDynamic;
using ir::Shape;

// TensorFlow's dtype names.
inline constexpr DType float32 = DType::kF32;
inline constexpr DType float64 = DType::kF64;
inline constexpr DType int8 = DType::kI8;
inline constexpr DType int32 = DType::kI32;
inline constexpr DType int64 = DType::kI64;
inline constexpr DType boolean = DType::kBool;

// Indexing, as in x[0:2, ::-1, tf.newaxis, ...]:
//   x[{Slice(0, 2), Slice({}, {}, -1), newaxis, ellipsis}]
struct Slice {
  std::optional<int64_t> start, stop;
  int64_t step = 1;
  Slice(std::optional<int64_t> start_ = std::nullopt, std::optional<int64_t> stop_ = std::nullopt,
        int64_t step_ = 1)
      : start(start_), stop(stop_), step(step_) {}
};
struct NewAxis {};
struct Ellipsis {};
inline constexpr NewAxis newaxis{};
inline constexpr Ellipsis ellipsis{};
using Index = std::variant<int64_t, Slice, NewAxis, Ellipsis>;

struct TensorImpl;  // compiler/frontend/tensor_impl.h

class Tensor {
 public:
  Tensor() = default;  // undefined until assigned
  // Scalars. Like TensorFlow's Python numbers: float and double give f32,
  // int gives i32; use constant(v, dtype) for another dtype.
  Tensor(float v);    // NOLINT: implicit, so `x * 2.0f` works
  Tensor(double v);   // NOLINT
  Tensor(int v);      // NOLINT
  Tensor(int64_t v);  // NOLINT
  Tensor(bool v);     // NOLINT

  bool defined() const { return impl_ != nullptr; }
  DType dtype() const;
  // Static when eager; traced tensors may have dynamic (`?`) dims.
  const Shape& shape() const;
  int64_t rank() const { return shape().rank(); }
  // True inside a traced function, where the value is not known yet.
  bool is_traced() const;

  // The values, converted to T (the `.numpy()` of graphc). Eager tensors only.
  template <typename T>
  std::vector<T> to_vector() const;
  template <typename T>
  std::vector<T> numpy() const { return to_vector<T>(); }
  // The single value of a one-element tensor.
  template <typename T>
  T item() const;
  // Rank 0, 1 (a column) or 2, row-major.
  template <typename T>
  Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> to_eigen() const;

  // Like TensorFlow's str(): values, shape and dtype.
  std::string ToString() const;

  Tensor cast(DType dtype, std::source_location loc = std::source_location::current()) const;
  Tensor reshape(const Shape& shape, std::source_location loc = std::source_location::current()) const;
  Tensor transpose(std::vector<int64_t> perm = {},
                   std::source_location loc = std::source_location::current()) const;

  Tensor operator[](int64_t i) const;
  Tensor operator[](std::initializer_list<Index> indices) const;
  Tensor slice(const std::vector<Index>& indices,
               std::source_location loc = std::source_location::current()) const;

  // The truth value of a one-element eager tensor. A traced tensor has none:
  // this throws an Error that points to cond / while_loop.
  explicit operator bool() const;

  // Internal: the representation (compiler/frontend/tensor_impl.h).
  explicit Tensor(std::shared_ptr<const TensorImpl> impl) : impl_(std::move(impl)) {}
  const TensorImpl& impl() const;

 private:
  std::shared_ptr<const TensorImpl> impl_;
};

std::ostream& operator<<(std::ostream& os, const Tensor& t);

template <typename T>
T Tensor::item() const {
  std::vector<T> v = to_vector<T>();
  if (v.size() != 1) {
    throw Error(absl::InvalidArgumentError("item() needs a tensor with one element, this one has shape " +
                                           shape().ToString()));
  }
  return v[0];
}

template <typename T>
Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> Tensor::to_eigen() const {
  if (rank() > 2) {
    throw Error(absl::InvalidArgumentError("to_eigen() needs rank <= 2, got shape " + shape().ToString()));
  }
  const std::vector<T> v = to_vector<T>();
  const int64_t rows = rank() == 0 ? 1 : shape().dim(0);
  const int64_t cols = rank() == 2 ? shape().dim(1) : 1;
  Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> m(rows, cols);
  for (int64_t i = 0; i < rows * cols; ++i) m.data()[i] = v[static_cast<size_t>(i)];
  return m;
}

}  // namespace graphc
