// The interpreter's ScalarBuilder: evaluates scalar op definitions on
// numbers, in the operands' own precision, with the semantics of
// ir/scalar.h. Scalar::payload holds the value's native bytes.
#pragma once

#include <cstring>

#include "ir/scalar.h"

namespace graphc::interp {

template <typename T>
T ScalarAs(ir::Scalar s) {
  T v;
  std::memcpy(&v, &s.payload, sizeof(T));
  return v;
}

template <typename T>
ir::Scalar MakeScalar(ir::DType dtype, T v) {
  ir::Scalar s{dtype, 0};
  std::memcpy(&s.payload, &v, sizeof(T));
  return s;
}

class NumberScalarBuilder final : public ir::ScalarBuilder {
 public:
  ir::Scalar Constant(double value, ir::DType dtype) override;
  ir::Scalar Unary(ir::ScalarUnary op, ir::Scalar x) override;
  ir::Scalar Binary(ir::ScalarBinary op, ir::Scalar a, ir::Scalar b) override;
  ir::Scalar Compare(ir::CmpPredicate pred, ir::Scalar a, ir::Scalar b) override;
  ir::Scalar Select(ir::Scalar cond, ir::Scalar a, ir::Scalar b) override;
  ir::Scalar Cast(ir::Scalar x, ir::DType to) override;
};

}  // namespace graphc::interp
