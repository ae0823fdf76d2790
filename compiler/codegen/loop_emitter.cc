#include "compiler/codegen/loop_emitter.h"

#include <vector>

#include "absl/container/flat_hash_map.h"
#include "compiler/codegen/llvm_scalar_builder.h"
#include "ir/module.h"
#include "ir/op_registry.h"
#include "ir/str_cat.h"
#include "llvm/IR/IRBuilder.h"

namespace graphc::codegen {
namespace {

// A splat constant's one value, or null for other ops.
bool IsSplatConstant(const ir::Op& op) {
  return op.name() == "constant" && op.attr<ir::DenseElements>("value").IsSplat() &&
         op.attr<ir::DenseElements>("value").size() > 0;
}

// The shape every output has (the iteration space), or null if they differ.
const ir::Shape* IterationShape(const ir::Op& fusion) {
  if (fusion.num_results() == 0) return nullptr;
  const ir::Shape* shape = &fusion.result(0)->shape();
  for (int i = 1; i < fusion.num_results(); ++i) {
    if (fusion.result(i)->shape() != *shape) return nullptr;
  }
  return shape;
}

}  // namespace

bool IsPerElementOp(const ir::Op& op, int64_t rank) {
  if (op.def().scalar == nullptr && !IsSplatConstant(op)) return false;
  // A body value larger than the loop would need its own loop.
  return op.num_results() == 1 && op.result(0)->shape().rank() <= rank;
}

bool CanEmitLoopKernel(const ir::Op& fusion) {
  if (fusion.name() != "fusion" || fusion.attr<std::string>("kind") != "loop") return false;
  const ir::Shape* shape = IterationShape(fusion);
  if (shape == nullptr) return false;
  for (const auto& op : fusion.region(0).ops()) {
    if (!op->def().is_terminator && !IsPerElementOp(*op, shape->rank())) return false;
  }
  for (int i = 0; i < fusion.num_operands(); ++i) {
    if (fusion.operand(i)->shape().rank() > shape->rank()) return false;
  }
  return true;
}

absl::StatusOr<LoopKernelInfo> EmitLoopKernel(const ir::Op& fusion, llvm::Module& module,
                                              const std::string& symbol) {
  if (!CanEmitLoopKernel(fusion)) {
    return absl::UnimplementedError("fusion is not an elementwise loop over one shape");
  }
  const ir::Region& region = fusion.region(0);
  ElementwiseLoop loop;
  loop.shape = *IterationShape(fusion);
  for (int k = 0; k < region.num_arguments(); ++k) loop.inputs.push_back(region.argument(k));
  for (const auto& op : region.ops()) {
    if (!op->def().is_terminator) loop.ops.push_back(op.get());
  }
  for (const ir::Value* v : region.terminator()->operands()) loop.outputs.push_back(v);
  if (absl::Status s = EmitElementwiseLoop(loop, module, symbol); !s.ok()) return s;
  return LoopKernelInfo{symbol, static_cast<int>(loop.shape.rank())};
}

absl::Status EmitElementwiseLoop(const ElementwiseLoop& loop, llvm::Module& module,
                                 const std::string& symbol) {
  const ir::Shape& shape = loop.shape;
  const int num_inputs = static_cast<int>(loop.inputs.size());
  const int num_outputs = static_cast<int>(loop.outputs.size());
  const int rank = static_cast<int>(shape.rank());
  llvm::LLVMContext& c = module.getContext();
  llvm::Type* i64 = llvm::Type::getInt64Ty(c);
  llvm::Type* ptr = llvm::PointerType::getUnqual(c);
  auto* fn_type = llvm::FunctionType::get(llvm::Type::getVoidTy(c), {ptr, ptr, ptr, ptr, i64, i64},
                                          /*isVarArg=*/false);
  llvm::Function* fn =
      llvm::Function::Create(fn_type, llvm::Function::ExternalLinkage, symbol, module);
  fn->addFnAttr(llvm::Attribute::NoUnwind);
  llvm::Argument* inputs = fn->getArg(0);
  llvm::Argument* outputs = fn->getArg(1);
  llvm::Argument* out_dims = fn->getArg(2);
  llvm::Argument* in_strides = fn->getArg(3);
  llvm::Argument* begin = fn->getArg(4);
  llvm::Argument* end = fn->getArg(5);

  auto* entry = llvm::BasicBlock::Create(c, "entry", fn);
  auto* body = llvm::BasicBlock::Create(c, "loop", fn);
  auto* exit = llvm::BasicBlock::Create(c, "exit", fn);
  llvm::IRBuilder<> b(entry);

  // Hoisted: buffer pointers, dims, and how each input is indexed.
  std::vector<llvm::Value*> in_ptrs, out_ptrs, dims;
  for (int k = 0; k < num_inputs; ++k) {
    in_ptrs.push_back(b.CreateLoad(ptr, b.CreateConstGEP1_64(ptr, inputs, k)));
  }
  for (int k = 0; k < num_outputs; ++k) {
    out_ptrs.push_back(b.CreateLoad(ptr, b.CreateConstGEP1_64(ptr, outputs, k)));
  }
  for (int d = 0; d < rank; ++d) dims.push_back(b.CreateLoad(i64, b.CreateConstGEP1_64(i64, out_dims, d)));
  // Contiguous: same static shape as the output (offset = flat index);
  // scalar: rank 0 (offset 0); otherwise strides from the caller.
  enum class Access { kContiguous, kScalar, kStrided };
  std::vector<Access> access;
  std::vector<std::vector<llvm::Value*>> strides(loop.inputs.size());
  bool any_strided = false;
  for (int k = 0; k < num_inputs; ++k) {
    const ir::Shape& s = loop.inputs[k]->shape();
    if (s.rank() == 0) {
      access.push_back(Access::kScalar);
    } else if (s == shape && s.is_static()) {
      access.push_back(Access::kContiguous);
    } else {
      access.push_back(Access::kStrided);
      any_strided = true;
      for (int d = 0; d < rank; ++d) {
        strides[k].push_back(
            b.CreateLoad(i64, b.CreateConstGEP1_64(i64, in_strides, int64_t{k} * rank + d)));
      }
    }
  }
  b.CreateCondBr(b.CreateICmpSLT(begin, end), body, exit);

  b.SetInsertPoint(body);
  llvm::PHINode* i = b.CreatePHI(i64, 2, "i");
  i->addIncoming(begin, entry);
  // The multi-index, only if some input is strided.
  std::vector<llvm::Value*> index(rank);
  if (any_strided) {
    llvm::Value* rest = i;
    for (int d = rank - 1; d >= 0; --d) {
      index[d] = b.CreateURem(rest, dims[d]);
      rest = b.CreateUDiv(rest, dims[d]);
    }
  }
  LlvmScalarBuilder sb(b);
  absl::flat_hash_map<const ir::Value*, ir::Scalar> values;
  for (int k = 0; k < num_inputs; ++k) {
    const ir::DType dtype = loop.inputs[k]->dtype();
    llvm::Value* offset = nullptr;
    switch (access[k]) {
      case Access::kContiguous: offset = i; break;
      case Access::kScalar: offset = b.getInt64(0); break;
      case Access::kStrided:
        offset = b.getInt64(0);
        for (int d = 0; d < rank; ++d) offset = b.CreateAdd(offset, b.CreateMul(index[d], strides[k][d]));
        break;
    }
    llvm::Type* mem = MemoryType(c, dtype);
    llvm::Value* v = b.CreateLoad(mem, b.CreateGEP(mem, in_ptrs[k], offset));
    if (dtype == ir::DType::kBool) v = b.CreateICmpNE(v, b.getInt8(0));
    values[loop.inputs[k]] = LlvmScalarBuilder::Wrap(v, dtype);
  }
  for (const ir::Op* op : loop.ops) {
    if (IsSplatConstant(*op)) {
      const ir::DenseElements& value = op->attr<ir::DenseElements>("value");
      const ir::DType dtype = value.type().dtype;
      const bool is_float = dtype == ir::DType::kF32 || dtype == ir::DType::kF64;
      values[op->result(0)] =
          is_float ? sb.Constant(value.GetDouble(0), dtype)
                   : sb.Constant(static_cast<double>(value.GetInt(0)), dtype);
      // i64 splats beyond 2^53 do not survive a double: build them exactly.
      if (dtype == ir::DType::kI64) {
        values[op->result(0)] =
            LlvmScalarBuilder::Wrap(b.getInt64(static_cast<uint64_t>(value.GetInt(0))), dtype);
      }
      continue;
    }
    std::vector<ir::Scalar> operands;
    for (const ir::Value* v : op->operands()) operands.push_back(values.at(v));
    values[op->result(0)] = op->def().scalar(sb, operands, op->attrs());
  }
  for (int k = 0; k < num_outputs; ++k) {
    const ir::DType dtype = loop.outputs[k]->dtype();
    llvm::Value* v = LlvmScalarBuilder::Unwrap(values.at(loop.outputs[k]));
    if (dtype == ir::DType::kBool) v = b.CreateZExt(v, b.getInt8Ty());
    b.CreateStore(v, b.CreateGEP(MemoryType(c, dtype), out_ptrs[k], i));
  }
  llvm::Value* next = b.CreateAdd(i, b.getInt64(1));
  i->addIncoming(next, b.GetInsertBlock());
  b.CreateCondBr(b.CreateICmpSLT(next, end), body, exit);
  b.SetInsertPoint(exit);
  b.CreateRetVoid();
  return absl::OkStatus();
}

}  // namespace graphc::codegen
