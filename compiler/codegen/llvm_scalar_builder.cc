#include "compiler/codegen/llvm_scalar_builder.h"

#include <bit>
#include <cstring>

#include "compiler/convert.h"
#include "compiler/dtype_dispatch.h"
#include "ir/scalar_math.h"
#include "llvm/IR/Intrinsics.h"
#include "llvm/IR/Module.h"

namespace graphc::codegen {

using ir::CmpPredicate;
using ir::DType;
using ir::Scalar;
using ir::ScalarBinary;
using ir::ScalarUnary;

using ir::IsFloat;

namespace {

// The policy of ir/scalar_math.h that emits LLVM IR: f32 values are
// `float`, i32 values `i32`, bools `i1`. Each operation is the exactly
// specified LLVM one (no fast-math flags, `llvm.fma` for fma), so the
// emitted code computes what ir::math::FloatOps computes in the
// interpreter, bit for bit; the loop vectorizer widens it.
class LlvmMathOps {
 public:
  using F = llvm::Value*;
  using I = llvm::Value*;
  using B = llvm::Value*;

  explicit LlvmMathOps(llvm::IRBuilder<>& b) : b_(b) {}

  F F32(float v) { return llvm::ConstantFP::get(b_.getFloatTy(), v); }
  I I32(int32_t v) { return b_.getInt32(static_cast<uint32_t>(v)); }
  F Add(F a, F b) { return b_.CreateFAdd(a, b); }
  F Sub(F a, F b) { return b_.CreateFSub(a, b); }
  F Mul(F a, F b) { return b_.CreateFMul(a, b); }
  F Div(F a, F b) { return b_.CreateFDiv(a, b); }
  F Neg(F a) { return b_.CreateFNeg(a); }
  F Abs(F a) { return b_.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, a); }
  F Fma(F a, F b, F c) {
    return b_.CreateIntrinsic(llvm::Intrinsic::fma, {a->getType()}, {a, b, c});
  }
  B Lt(F a, F b) { return b_.CreateFCmpOLT(a, b); }
  B Gt(F a, F b) { return b_.CreateFCmpOGT(a, b); }
  B Ge(F a, F b) { return b_.CreateFCmpOGE(a, b); }
  B Eq(F a, F b) { return b_.CreateFCmpOEQ(a, b); }
  B IsNan(F a) { return b_.CreateFCmpUNO(a, a); }
  F Select(B c, F a, F b) { return b_.CreateSelect(c, a, b); }
  I SelectI(B c, I a, I b) { return b_.CreateSelect(c, a, b); }
  I Bits(F a) { return b_.CreateBitCast(a, b_.getInt32Ty()); }
  F FromBits(I a) { return b_.CreateBitCast(a, b_.getFloatTy()); }
  F ToF32(I a) { return b_.CreateSIToFP(a, b_.getFloatTy()); }
  I AddI(I a, I b) { return b_.CreateAdd(a, b); }
  I SubI(I a, I b) { return b_.CreateSub(a, b); }
  I AndI(I a, I b) { return b_.CreateAnd(a, b); }
  I Shl(I a, int s) { return b_.CreateShl(a, static_cast<uint64_t>(s)); }
  I AShr(I a, int s) { return b_.CreateAShr(a, static_cast<uint64_t>(s)); }

 private:
  llvm::IRBuilder<>& b_;
};

}  // namespace

llvm::Type* RegisterType(llvm::LLVMContext& c, DType dtype) {
  switch (dtype) {
    case DType::kF32: return llvm::Type::getFloatTy(c);
    case DType::kF64: return llvm::Type::getDoubleTy(c);
    case DType::kI8: return llvm::Type::getInt8Ty(c);
    case DType::kI32: return llvm::Type::getInt32Ty(c);
    case DType::kI64: return llvm::Type::getInt64Ty(c);
    case DType::kBool: return llvm::Type::getInt1Ty(c);
  }
  return nullptr;
}

llvm::Type* MemoryType(llvm::LLVMContext& c, DType dtype) {
  return dtype == DType::kBool ? llvm::Type::getInt8Ty(c) : RegisterType(c, dtype);
}

Scalar LlvmScalarBuilder::Wrap(llvm::Value* v, DType dtype) {
  return Scalar{dtype, reinterpret_cast<uint64_t>(v)};
}

llvm::Value* LlvmScalarBuilder::Unwrap(Scalar s) {
  return reinterpret_cast<llvm::Value*>(s.payload);
}

Scalar LlvmScalarBuilder::Constant(double value, DType dtype) {
  llvm::LLVMContext& c = b_.getContext();
  llvm::Type* type = RegisterType(c, dtype);
  // The same conversion as the interpreter's constants (ConvertNumber).
  llvm::Value* v = DispatchDType(dtype, [&]<typename T>() -> llvm::Value* {
    const T x = ConvertNumber<T>(value);
    if constexpr (std::is_floating_point_v<T>) {
      return llvm::ConstantFP::get(type, static_cast<double>(x));
    } else if constexpr (std::is_same_v<T, uint8_t>) {
      return llvm::ConstantInt::get(type, x != 0 ? 1 : 0);
    } else {
      return llvm::ConstantInt::getSigned(type, static_cast<int64_t>(x));
    }
  });
  return Wrap(v, dtype);
}

llvm::Value* LlvmScalarBuilder::LibmCall(const char* f32_name, const char* f64_name, DType dtype,
                                         llvm::ArrayRef<llvm::Value*> args) {
  llvm::Module* m = b_.GetInsertBlock()->getModule();
  llvm::Type* t = RegisterType(b_.getContext(), dtype);
  std::vector<llvm::Type*> params(args.size(), t);
  llvm::FunctionCallee f = m->getOrInsertFunction(dtype == DType::kF32 ? f32_name : f64_name,
                                                  llvm::FunctionType::get(t, params, false));
  return b_.CreateCall(f, args);
}

llvm::Value* LlvmScalarBuilder::Truth(Scalar x) {
  llvm::Value* v = Unwrap(x);
  if (x.dtype == DType::kBool) return v;
  if (IsFloat(x.dtype)) return b_.CreateFCmpUNE(v, llvm::ConstantFP::get(v->getType(), 0.0));
  return b_.CreateICmpNE(v, llvm::ConstantInt::get(v->getType(), 0));
}

Scalar LlvmScalarBuilder::Unary(ScalarUnary op, Scalar x) {
  const DType d = x.dtype;
  llvm::Value* v = Unwrap(x);
  llvm::Type* t = v->getType();
  if (op == ScalarUnary::kNot) {
    // x == 0 ? 1 : 0, in x's dtype.
    llvm::Value* is_zero = b_.CreateNot(Truth(x));
    return Cast(Wrap(is_zero, DType::kBool), d);
  }
  if (IsFloat(d)) {
    llvm::Value* zero = llvm::ConstantFP::get(t, 0.0);
    switch (op) {
      case ScalarUnary::kNeg: return Wrap(b_.CreateFNeg(v), d);
      case ScalarUnary::kAbs:
        return Wrap(b_.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, v), d);
      case ScalarUnary::kSign: {
        // x > 0 ? 1 : x < 0 ? -1 : x (keeps NaN and the sign of zero).
        llvm::Value* neg = b_.CreateSelect(b_.CreateFCmpOLT(v, zero),
                                           llvm::ConstantFP::get(t, -1.0), v);
        return Wrap(b_.CreateSelect(b_.CreateFCmpOGT(v, zero), llvm::ConstantFP::get(t, 1.0), neg),
                    d);
      }
      // f32: graphc's own definitions (ir/scalar_math.h), inlined so loops
      // vectorize. f64: the C library, as the interpreter.
      case ScalarUnary::kExp: {
        if (d == DType::kF32) {
          LlvmMathOps o(b_);
          return Wrap(ir::math::ExpF32(o, v), d);
        }
        return Wrap(LibmCall("expf", "exp", d, {v}), d);
      }
      case ScalarUnary::kLog: {
        if (d == DType::kF32) {
          LlvmMathOps o(b_);
          return Wrap(ir::math::LogF32(o, v), d);
        }
        return Wrap(LibmCall("logf", "log", d, {v}), d);
      }
      case ScalarUnary::kTanh: {
        if (d == DType::kF32) {
          LlvmMathOps o(b_);
          return Wrap(ir::math::TanhF32(o, v), d);
        }
        return Wrap(LibmCall("tanhf", "tanh", d, {v}), d);
      }
      case ScalarUnary::kSqrt:
        return Wrap(b_.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, v), d);
      case ScalarUnary::kRsqrt:
        return Wrap(b_.CreateFDiv(llvm::ConstantFP::get(t, 1.0),
                                  b_.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, v)),
                    d);
      case ScalarUnary::kNot: break;
    }
  }
  if (d == DType::kBool) {
    // neg/abs/sign of a bool as the interpreter computes them on uint8_t 0/1.
    if (op == ScalarUnary::kNeg) return Wrap(v, d);  // 0 - 1 wraps to 255: still true
    return Wrap(v, d);
  }
  llvm::Value* zero = llvm::ConstantInt::get(t, 0);
  switch (op) {
    case ScalarUnary::kNeg: return Wrap(b_.CreateSub(zero, v), d);
    case ScalarUnary::kAbs:
      return Wrap(b_.CreateSelect(b_.CreateICmpSLT(v, zero), b_.CreateSub(zero, v), v), d);
    case ScalarUnary::kSign: {
      llvm::Value* neg = b_.CreateSelect(b_.CreateICmpSLT(v, zero),
                                         llvm::ConstantInt::getSigned(t, -1), zero);
      return Wrap(b_.CreateSelect(b_.CreateICmpSGT(v, zero), llvm::ConstantInt::get(t, 1), neg),
                  d);
    }
    default: {
      // Math on integers (inference rejects it): through f64, as the interpreter.
      Scalar as_f64 = Cast(x, DType::kF64);
      return Cast(Unary(op, as_f64), d);
    }
  }
}

Scalar LlvmScalarBuilder::Binary(ScalarBinary op, Scalar a, Scalar b) {
  const DType d = a.dtype;
  llvm::Value* x = Unwrap(a);
  llvm::Value* y = Unwrap(b);
  llvm::Type* t = x->getType();
  if (op == ScalarBinary::kAnd || op == ScalarBinary::kOr) {
    llvm::Value* r = op == ScalarBinary::kAnd ? b_.CreateAnd(Truth(a), Truth(b))
                                              : b_.CreateOr(Truth(a), Truth(b));
    return Cast(Wrap(r, DType::kBool), d);
  }
  if (IsFloat(d)) {
    switch (op) {
      case ScalarBinary::kAdd: return Wrap(b_.CreateFAdd(x, y), d);
      case ScalarBinary::kSub: return Wrap(b_.CreateFSub(x, y), d);
      case ScalarBinary::kMul: return Wrap(b_.CreateFMul(x, y), d);
      case ScalarBinary::kDiv: return Wrap(b_.CreateFDiv(x, y), d);
      case ScalarBinary::kPow: return Wrap(LibmCall("powf", "pow", d, {x, y}), d);
      case ScalarBinary::kMax:
      case ScalarBinary::kMin: {
        // As the interpreter: a NaN operand gives a + b; equal values pick
        // by sign (-0 < +0); otherwise the larger (smaller).
        const bool max = op == ScalarBinary::kMax;
        llvm::Value* any_nan = b_.CreateFCmpUNO(x, y);
        llvm::Value* x_neg = b_.CreateICmpSLT(
            b_.CreateBitCast(x, b_.getIntNTy(t->getPrimitiveSizeInBits())),
            llvm::ConstantInt::get(b_.getIntNTy(t->getPrimitiveSizeInBits()), 0));
        llvm::Value* on_tie = max ? b_.CreateSelect(x_neg, y, x) : b_.CreateSelect(x_neg, x, y);
        llvm::Value* pick = max ? b_.CreateSelect(b_.CreateFCmpOGT(x, y), x, y)
                                : b_.CreateSelect(b_.CreateFCmpOLT(x, y), x, y);
        llvm::Value* ordered = b_.CreateSelect(b_.CreateFCmpOEQ(x, y), on_tie, pick);
        return Wrap(b_.CreateSelect(any_nan, b_.CreateFAdd(x, y), ordered), d);
      }
      default: break;
    }
  }
  if (d == DType::kBool) {
    // Arithmetic on bools (uint8_t 0/1 in the interpreter), reduced to i1.
    Scalar xi = Cast(a, DType::kI32), yi = Cast(b, DType::kI32);
    return Cast(Binary(op, xi, yi), DType::kBool);
  }
  switch (op) {
    case ScalarBinary::kAdd: return Wrap(b_.CreateAdd(x, y), d);
    case ScalarBinary::kSub: return Wrap(b_.CreateSub(x, y), d);
    case ScalarBinary::kMul: return Wrap(b_.CreateMul(x, y), d);
    case ScalarBinary::kDiv: {
      // x / 0 = 0; INT_MIN / -1 wraps (0 - x); otherwise toward zero.
      llvm::Value* zero = llvm::ConstantInt::get(t, 0);
      llvm::Value* minus_one = llvm::ConstantInt::getSigned(t, -1);
      llvm::Value* is_zero = b_.CreateICmpEQ(y, zero);
      llvm::Value* is_minus_one = b_.CreateICmpEQ(y, minus_one);
      llvm::Value* safe = b_.CreateSelect(b_.CreateOr(is_zero, is_minus_one),
                                          llvm::ConstantInt::get(t, 1), y);
      llvm::Value* q = b_.CreateSDiv(x, safe);
      return Wrap(b_.CreateSelect(is_zero, zero,
                                  b_.CreateSelect(is_minus_one, b_.CreateSub(zero, x), q)),
                  d);
    }
    case ScalarBinary::kPow:
      return Cast(Binary(op, Cast(a, DType::kF64), Cast(b, DType::kF64)), d);
    case ScalarBinary::kMax: return Wrap(b_.CreateSelect(b_.CreateICmpSGT(x, y), x, y), d);
    case ScalarBinary::kMin: return Wrap(b_.CreateSelect(b_.CreateICmpSLT(x, y), x, y), d);
    default: break;
  }
  return a;
}

Scalar LlvmScalarBuilder::Compare(CmpPredicate pred, Scalar a, Scalar b) {
  llvm::Value* x = Unwrap(a);
  llvm::Value* y = Unwrap(b);
  llvm::Value* r = nullptr;
  if (IsFloat(a.dtype)) {
    switch (pred) {
      case CmpPredicate::kEq: r = b_.CreateFCmpOEQ(x, y); break;
      case CmpPredicate::kNe: r = b_.CreateFCmpUNE(x, y); break;
      case CmpPredicate::kLt: r = b_.CreateFCmpOLT(x, y); break;
      case CmpPredicate::kLe: r = b_.CreateFCmpOLE(x, y); break;
      case CmpPredicate::kGt: r = b_.CreateFCmpOGT(x, y); break;
      case CmpPredicate::kGe: r = b_.CreateFCmpOGE(x, y); break;
    }
  } else {
    const bool is_bool = a.dtype == DType::kBool;  // unsigned 0/1
    switch (pred) {
      case CmpPredicate::kEq: r = b_.CreateICmpEQ(x, y); break;
      case CmpPredicate::kNe: r = b_.CreateICmpNE(x, y); break;
      case CmpPredicate::kLt: r = is_bool ? b_.CreateICmpULT(x, y) : b_.CreateICmpSLT(x, y); break;
      case CmpPredicate::kLe: r = is_bool ? b_.CreateICmpULE(x, y) : b_.CreateICmpSLE(x, y); break;
      case CmpPredicate::kGt: r = is_bool ? b_.CreateICmpUGT(x, y) : b_.CreateICmpSGT(x, y); break;
      case CmpPredicate::kGe: r = is_bool ? b_.CreateICmpUGE(x, y) : b_.CreateICmpSGE(x, y); break;
    }
  }
  return Wrap(r, DType::kBool);
}

Scalar LlvmScalarBuilder::Select(Scalar cond, Scalar a, Scalar b) {
  return Wrap(b_.CreateSelect(Unwrap(cond), Unwrap(a), Unwrap(b)), a.dtype);
}

Scalar LlvmScalarBuilder::Cast(Scalar x, DType to) {
  const DType from = x.dtype;
  llvm::Value* v = Unwrap(x);
  llvm::Type* t = RegisterType(b_.getContext(), to);
  if (from == to) return x;
  if (to == DType::kBool) return Wrap(Truth(x), to);
  if (from == DType::kBool) {
    return Wrap(IsFloat(to) ? b_.CreateUIToFP(v, t) : b_.CreateZExt(v, t), to);
  }
  if (IsFloat(from) && IsFloat(to)) return Wrap(b_.CreateFPCast(v, t), to);
  if (IsFloat(from)) {
    // Truncate toward zero, saturating, NaN -> 0: exactly fptosi.sat.
    return Wrap(b_.CreateIntrinsic(llvm::Intrinsic::fptosi_sat, {t, v->getType()}, {v}), to);
  }
  if (IsFloat(to)) return Wrap(b_.CreateSIToFP(v, t), to);
  return Wrap(b_.CreateSExtOrTrunc(v, t), to);
}

}  // namespace graphc::codegen
