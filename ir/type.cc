#include "ir/type.h"

namespace graphc::ir {

std::string TensorType::ToString() const {
  return std::string(DTypeName(dtype)) + shape.ToString();
}

bool IsCompatible(const TensorType& expected, const TensorType& actual) {
  if (expected.dtype != actual.dtype) return false;
  if (expected.shape.rank() != actual.shape.rank()) return false;
  for (int64_t i = 0; i < expected.shape.rank(); ++i) {
    const int64_t e = expected.shape.dim(i);
    if (e != kDynamic && e != actual.shape.dim(i)) return false;
  }
  return true;
}

}  // namespace graphc::ir
