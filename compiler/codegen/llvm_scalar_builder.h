// The LLVM side of ir/scalar.h: the same scalar op definitions the
// interpreter evaluates on numbers, emitted as LLVM IR. Every operation
// follows ir/scalar.h exactly, so generated code matches the interpreter
// bit for bit. f32 exp, log and tanh are graphc's own definitions
// (ir/scalar_math.h), emitted inline so loops vectorize; f64 ones and pow
// call the C library, as the interpreter does.
//
// Registers hold bools as i1; memory holds them as i8 (0 or 1).
#pragma once

#include "ir/scalar.h"
#include "llvm/IR/IRBuilder.h"

namespace graphc::codegen {

// The register type of a dtype (bool: i1).
llvm::Type* RegisterType(llvm::LLVMContext& context, ir::DType dtype);
// The in-memory element type of a dtype (bool: i8).
llvm::Type* MemoryType(llvm::LLVMContext& context, ir::DType dtype);

class LlvmScalarBuilder final : public ir::ScalarBuilder {
 public:
  explicit LlvmScalarBuilder(llvm::IRBuilder<>& b) : b_(b) {}

  // Wraps a register value of `dtype`, and unwraps a Scalar.
  static ir::Scalar Wrap(llvm::Value* v, ir::DType dtype);
  static llvm::Value* Unwrap(ir::Scalar s);

  ir::Scalar Constant(double value, ir::DType dtype) override;
  ir::Scalar Unary(ir::ScalarUnary op, ir::Scalar x) override;
  ir::Scalar Binary(ir::ScalarBinary op, ir::Scalar a, ir::Scalar b) override;
  ir::Scalar Compare(ir::CmpPredicate pred, ir::Scalar a, ir::Scalar b) override;
  ir::Scalar Select(ir::Scalar cond, ir::Scalar a, ir::Scalar b) override;
  ir::Scalar Cast(ir::Scalar x, ir::DType to) override;

 private:
  llvm::Value* LibmCall(const char* f32_name, const char* f64_name, ir::DType dtype,
                        llvm::ArrayRef<llvm::Value*> args);
  llvm::Value* Truth(ir::Scalar x);  // x != 0, as i1

  llvm::IRBuilder<>& b_;
};

}  // namespace graphc::codegen
