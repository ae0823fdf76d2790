#include "compiler/interpreter/number_scalar.h"

#include <cmath>
#include <type_traits>

#include "compiler/convert.h"
#include "compiler/dtype_dispatch.h"
#include "ir/scalar_math.h"

namespace graphc::interp {
namespace {

using ir::CmpPredicate;
using ir::DType;
using ir::Scalar;
using ir::ScalarBinary;
using ir::ScalarUnary;

// Integer arithmetic that wraps instead of overflowing (no UB).
template <typename T>
T WrapAdd(T a, T b) {
  using U = std::make_unsigned_t<T>;
  return ConvertNumber<T>(static_cast<int64_t>(static_cast<U>(a) + static_cast<U>(b)));
}
template <typename T>
T WrapSub(T a, T b) {
  using U = std::make_unsigned_t<T>;
  return ConvertNumber<T>(static_cast<int64_t>(static_cast<U>(a) - static_cast<U>(b)));
}
template <typename T>
T WrapMul(T a, T b) {
  using U = std::make_unsigned_t<T>;
  return ConvertNumber<T>(static_cast<int64_t>(static_cast<U>(a) * static_cast<U>(b)));
}
template <typename T>
T SafeDiv(T a, T b) {
  if (b == 0) return 0;
  if (b == -1) return WrapSub<T>(0, a);  // INT_MIN / -1 wraps
  return static_cast<T>(a / b);
}

// NaN-propagating max/min that order -0 below +0, like llvm.maximum.
template <typename T>
T FloatMax(T a, T b) {
  if (std::isnan(a) || std::isnan(b)) return a + b;
  if (a == b) return std::signbit(a) ? b : a;
  return a > b ? a : b;
}
template <typename T>
T FloatMin(T a, T b) {
  if (std::isnan(a) || std::isnan(b)) return a + b;
  if (a == b) return std::signbit(a) ? a : b;
  return a < b ? a : b;
}

template <typename T>
T UnaryOp(ScalarUnary op, T x) {
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case ScalarUnary::kNeg: return -x;
      case ScalarUnary::kAbs: return std::fabs(x);
      case ScalarUnary::kSign: return x > 0 ? T(1) : x < 0 ? T(-1) : x;
      // f32: graphc's own definitions (ir/scalar_math.h), which compiled
      // code inlines too. f64: the C library, which compiled code calls.
      case ScalarUnary::kExp:
        if constexpr (std::is_same_v<T, float>) return ir::math::Exp(x);
        return std::exp(x);
      case ScalarUnary::kLog:
        if constexpr (std::is_same_v<T, float>) return ir::math::Log(x);
        return std::log(x);
      case ScalarUnary::kSqrt: return std::sqrt(x);
      case ScalarUnary::kRsqrt: return T(1) / std::sqrt(x);
      case ScalarUnary::kTanh:
        if constexpr (std::is_same_v<T, float>) return ir::math::Tanh(x);
        return std::tanh(x);
      case ScalarUnary::kNot: return x == 0 ? T(1) : T(0);
    }
  } else {
    switch (op) {
      case ScalarUnary::kNeg: return WrapSub<T>(0, x);
      case ScalarUnary::kAbs: return x < 0 ? WrapSub<T>(0, x) : x;
      case ScalarUnary::kSign: return static_cast<T>(x > 0 ? 1 : x < 0 ? -1 : 0);
      case ScalarUnary::kNot: return x == 0 ? 1 : 0;
      // Math functions on integers are rejected by inference; compute in double.
      case ScalarUnary::kExp: return ConvertNumber<T>(std::exp(static_cast<double>(x)));
      case ScalarUnary::kLog: return ConvertNumber<T>(std::log(static_cast<double>(x)));
      case ScalarUnary::kSqrt: return ConvertNumber<T>(std::sqrt(static_cast<double>(x)));
      case ScalarUnary::kRsqrt: return ConvertNumber<T>(1.0 / std::sqrt(static_cast<double>(x)));
      case ScalarUnary::kTanh: return ConvertNumber<T>(std::tanh(static_cast<double>(x)));
    }
  }
  return x;
}

template <typename T>
T BinaryOp(ScalarBinary op, T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case ScalarBinary::kAdd: return a + b;
      case ScalarBinary::kSub: return a - b;
      case ScalarBinary::kMul: return a * b;
      case ScalarBinary::kDiv: return a / b;
      case ScalarBinary::kPow: return std::pow(a, b);
      case ScalarBinary::kMax: return FloatMax(a, b);
      case ScalarBinary::kMin: return FloatMin(a, b);
      case ScalarBinary::kAnd: return (a != 0 && b != 0) ? T(1) : T(0);
      case ScalarBinary::kOr: return (a != 0 || b != 0) ? T(1) : T(0);
    }
  } else {
    switch (op) {
      case ScalarBinary::kAdd: return WrapAdd(a, b);
      case ScalarBinary::kSub: return WrapSub(a, b);
      case ScalarBinary::kMul: return WrapMul(a, b);
      case ScalarBinary::kDiv: return SafeDiv(a, b);
      case ScalarBinary::kPow:
        return ConvertNumber<T>(std::pow(static_cast<double>(a), static_cast<double>(b)));
      case ScalarBinary::kMax: return a > b ? a : b;
      case ScalarBinary::kMin: return a < b ? a : b;
      case ScalarBinary::kAnd: return (a != 0 && b != 0) ? 1 : 0;
      case ScalarBinary::kOr: return (a != 0 || b != 0) ? 1 : 0;
    }
  }
  return a;
}

template <typename T>
bool CompareOp(CmpPredicate pred, T a, T b) {
  switch (pred) {
    case CmpPredicate::kEq: return a == b;
    case CmpPredicate::kNe: return a != b;
    case CmpPredicate::kLt: return a < b;
    case CmpPredicate::kLe: return a <= b;
    case CmpPredicate::kGt: return a > b;
    case CmpPredicate::kGe: return a >= b;
  }
  return false;
}

}  // namespace

Scalar NumberScalarBuilder::Constant(double value, DType dtype) {
  return DispatchDType(dtype, [&]<typename T>() {
    return MakeScalar<T>(dtype, ConvertNumber<T>(value));
  });
}

Scalar NumberScalarBuilder::Unary(ScalarUnary op, Scalar x) {
  return DispatchDType(x.dtype, [&]<typename T>() {
    return MakeScalar<T>(x.dtype, UnaryOp<T>(op, ScalarAs<T>(x)));
  });
}

Scalar NumberScalarBuilder::Binary(ScalarBinary op, Scalar a, Scalar b) {
  return DispatchDType(a.dtype, [&]<typename T>() {
    return MakeScalar<T>(a.dtype, BinaryOp<T>(op, ScalarAs<T>(a), ScalarAs<T>(b)));
  });
}

Scalar NumberScalarBuilder::Compare(CmpPredicate pred, Scalar a, Scalar b) {
  return DispatchDType(a.dtype, [&]<typename T>() {
    return MakeScalar<uint8_t>(DType::kBool, CompareOp<T>(pred, ScalarAs<T>(a), ScalarAs<T>(b)) ? 1 : 0);
  });
}

Scalar NumberScalarBuilder::Select(Scalar cond, Scalar a, Scalar b) {
  return ScalarAs<uint8_t>(cond) != 0 ? a : b;
}

Scalar NumberScalarBuilder::Cast(Scalar x, DType to) {
  return DispatchDType(x.dtype, [&]<typename From>() {
    const From v = ScalarAs<From>(x);
    return DispatchDType(to, [&]<typename To>() {
      return MakeScalar<To>(to, ConvertNumber<To>(v));
    });
  });
}

}  // namespace graphc::interp
