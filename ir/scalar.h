// The abstract scalar builder. Elementwise ops define their semantics once,
// as a function over this interface (see OpDef::scalar). The reference
// interpreter implements it with numbers; the LLVM emitter implements it
// with llvm::Value*. Both therefore share one definition of every op, and
// LLVM stays out of ir/.
//
// Semantics every implementation must follow (docs/ir.md repeats them):
// - Arithmetic happens in the operands' dtype (f32 math in single precision).
// - Integer add/sub/mul wrap around (two's complement); integer div rounds
//   toward zero and x/0 is 0 (no trap, no UB).
// - kMax/kMin propagate NaN and order -0 below +0 (like llvm.maximum/minimum).
// - Comparisons with NaN are false except kNe, which is true.
// - Cast float->int truncates toward zero, saturating at the integer range,
//   and NaN becomes 0; any->bool is (x != 0); bool->number is 0 or 1.
#pragma once

#include <cstdint>

#include "ir/dtype.h"

namespace graphc::ir {

// An opaque scalar handle. `payload` is the implementation's: the bits of a
// number for the interpreter, an llvm::Value* for the emitter.
struct Scalar {
  DType dtype;
  uint64_t payload;
};

enum class ScalarUnary : uint8_t {
  kNeg, kAbs, kSign, kExp, kLog, kSqrt, kRsqrt, kTanh, kNot,
};
enum class ScalarBinary : uint8_t {
  kAdd, kSub, kMul, kDiv, kPow, kMax, kMin, kAnd, kOr,
};
enum class CmpPredicate : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };

class ScalarBuilder {
 public:
  virtual ~ScalarBuilder() = default;

  virtual Scalar Constant(double value, DType dtype) = 0;
  virtual Scalar Unary(ScalarUnary op, Scalar x) = 0;
  // Both operands have the same dtype.
  virtual Scalar Binary(ScalarBinary op, Scalar a, Scalar b) = 0;
  // Returns a bool scalar.
  virtual Scalar Compare(CmpPredicate pred, Scalar a, Scalar b) = 0;
  // `cond` is bool; `a` and `b` have the same dtype.
  virtual Scalar Select(Scalar cond, Scalar a, Scalar b) = 0;
  virtual Scalar Cast(Scalar x, DType to) = 0;

  // Shorthands so op definitions read like formulas.
  Scalar Add(Scalar a, Scalar b) { return Binary(ScalarBinary::kAdd, a, b); }
  Scalar Sub(Scalar a, Scalar b) { return Binary(ScalarBinary::kSub, a, b); }
  Scalar Mul(Scalar a, Scalar b) { return Binary(ScalarBinary::kMul, a, b); }
  Scalar Div(Scalar a, Scalar b) { return Binary(ScalarBinary::kDiv, a, b); }
  Scalar Max(Scalar a, Scalar b) { return Binary(ScalarBinary::kMax, a, b); }
  Scalar Min(Scalar a, Scalar b) { return Binary(ScalarBinary::kMin, a, b); }
  Scalar Neg(Scalar x) { return Unary(ScalarUnary::kNeg, x); }
  Scalar Exp(Scalar x) { return Unary(ScalarUnary::kExp, x); }
  // A constant of the same dtype as `like`.
  Scalar ConstantLike(double value, Scalar like) { return Constant(value, like.dtype); }
};

}  // namespace graphc::ir
