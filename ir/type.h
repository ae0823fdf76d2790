// Tensor types: an element dtype and a shape, written `f32[?,20]`.
#pragma once

#include <string>

#include "ir/dtype.h"
#include "ir/shape.h"

namespace graphc::ir {

struct TensorType {
  DType dtype = DType::kF32;
  Shape shape;

  std::string ToString() const;
  friend bool operator==(const TensorType&, const TensorType&) = default;
};

// True if a value of type `actual` may be passed where `expected` is declared:
// same dtype and rank, and each dim equal or `?` in `expected`.
bool IsCompatible(const TensorType& expected, const TensorType& actual);

}  // namespace graphc::ir
