// Tensor shapes: a list of dims, each static (>= 0) or dynamic (kDynamic, written `?`).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace graphc::ir {

inline constexpr int64_t kDynamic = -1;

class Shape {
 public:
  Shape() = default;  // rank 0: a scalar
  Shape(std::initializer_list<int64_t> dims) : dims_(dims) {}
  explicit Shape(std::vector<int64_t> dims) : dims_(std::move(dims)) {}

  int64_t rank() const { return static_cast<int64_t>(dims_.size()); }
  int64_t dim(int64_t i) const { return dims_[static_cast<size_t>(i)]; }
  void set_dim(int64_t i, int64_t d) { dims_[static_cast<size_t>(i)] = d; }
  const std::vector<int64_t>& dims() const { return dims_; }

  bool is_scalar() const { return dims_.empty(); }
  bool is_static() const;
  // Product of the dims; nullopt if any dim is dynamic.
  std::optional<int64_t> num_elements() const;

  // "[2,?,3]"; a scalar is "[]".
  std::string ToString() const;

  friend bool operator==(const Shape&, const Shape&) = default;

 private:
  std::vector<int64_t> dims_;
};

// NumPy/TensorFlow broadcasting: dims are aligned from the right; a dim of 1
// stretches to the other; a dynamic dim against n > 1 becomes n, against 1 or
// ? stays ?. Returns an error describing both shapes when they do not match.
absl::StatusOr<Shape> BroadcastShapes(const Shape& a, const Shape& b);

// Resolves a possibly negative axis against `rank` (Python style: -1 is the
// last axis). Errors if out of range.
absl::StatusOr<int64_t> NormalizeAxis(int64_t axis, int64_t rank);

}  // namespace graphc::ir
