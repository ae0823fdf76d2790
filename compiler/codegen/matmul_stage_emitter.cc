// matmul inside element fusions (the ones the fast path of matmul_fusion.h
// does not take: batched, integer, operands computed in the fusion, or an
// epilogue that is not per-element). The interpreter's definition
// (compiler/interpreter/eval_linalg.cc, MatMul) is followed exactly:
// - floats: graphc_matmul_f32/f64, the runtime's GEMM, once per batch
//   matrix (batch dims broadcast), from a serial stage. Operands that are
//   fusion operands or constants (seen through reshapes) are passed in
//   place; others were stored by a kMaterialize stage before.
// - integers: per element, a wrapping 64-bit sum of products over k in
//   order, narrowed at the end.
#include "compiler/codegen/element_kernel_emitter.h"
#include "compiler/codegen/runtime_symbols.h"

namespace graphc::codegen::elements {
namespace {

struct MatmulDims {
  int64_t m, n, k;
  bool ta, tb;
  ir::Shape out_batch, a_batch, b_batch;
};

ir::Shape BatchOf(const ir::Shape& s) {
  return ir::Shape(std::vector<int64_t>(s.dims().begin(), s.dims().end() - 2));
}

MatmulDims DimsOf(const ir::Op& op) {
  const ir::Shape& a = op.operand(0)->shape();
  const ir::Shape& out = op.result(0)->shape();
  MatmulDims d;
  d.ta = op.attr<bool>("transpose_a");
  d.tb = op.attr<bool>("transpose_b");
  d.m = out.dim(out.rank() - 2);
  d.n = out.dim(out.rank() - 1);
  d.k = a.dim(a.rank() - (d.ta ? 2 : 1));
  d.out_batch = BatchOf(out);
  d.a_batch = BatchOf(a);
  d.b_batch = BatchOf(op.operand(1)->shape());
  return d;
}

}  // namespace

void ElementEmitter::FloatMatmul(const ir::Op& op, llvm::Value* out) {
  const MatmulDims d = DimsOf(op);
  const ir::Shape& as = op.operand(0)->shape();
  const ir::Shape& bs = op.operand(1)->shape();
  const int64_t a_mat = as.dim(as.rank() - 2) * as.dim(as.rank() - 1);
  const int64_t b_mat = bs.dim(bs.rank() - 2) * bs.dim(bs.rank() - 1);
  const bool f32 = op.result(0)->dtype() == ir::DType::kF32;
  llvm::Type* element = f32 ? b_.getFloatTy() : b_.getDoubleTy();
  llvm::Value* a = BufferOf(op.operand(0));
  llvm::Value* b = BufferOf(op.operand(1));
  if (a == nullptr || b == nullptr) return;  // not reached: PlanStages stores such operands
  llvm::FunctionCallee gemm = RuntimeFunction(module(), f32 ? "graphc_matmul_f32" : "graphc_matmul_f64");
  ForRange(*d.out_batch.num_elements(), [&](llvm::Value* batch) {
    const Index index = Delinear(batch, d.out_batch);
    llvm::Value* a_base = b_.CreateMul(Linear(Broadcast(index, d.a_batch, d.out_batch), d.a_batch), b_.getInt64(a_mat));
    llvm::Value* b_base = b_.CreateMul(Linear(Broadcast(index, d.b_batch, d.out_batch), d.b_batch), b_.getInt64(b_mat));
    llvm::Value* c_base = b_.CreateMul(batch, b_.getInt64(d.m * d.n));
    b_.CreateCall(gemm, {b_.CreateGEP(element, a, a_base), b_.CreateGEP(element, b, b_base),
                         b_.CreateGEP(element, out, c_base), b_.getInt64(d.m), b_.getInt64(d.n), b_.getInt64(d.k),
                         b_.getInt32(d.ta ? 1 : 0), b_.getInt32(d.tb ? 1 : 0)});
  });
}

ir::Scalar ElementEmitter::IntegerMatmul(const ir::Op& op, const Index& index) {
  const MatmulDims d = DimsOf(op);
  const ir::Value* a = op.operand(0);
  const ir::Value* b = op.operand(1);
  const size_t batch_rank = static_cast<size_t>(d.out_batch.rank());
  const Index batch(index.begin(), index.begin() + static_cast<std::ptrdiff_t>(batch_rank));
  const Index a_batch = Broadcast(batch, d.a_batch, d.out_batch);
  const Index b_batch = Broadcast(batch, d.b_batch, d.out_batch);
  llvm::Value* i = index[batch_rank];
  llvm::Value* j = index[batch_rank + 1];
  llvm::AllocaInst* acc = EntryAlloca(b_.getInt64Ty());
  b_.CreateStore(b_.getInt64(0), acc);
  ForRange(d.k, [&](llvm::Value* p) {
    Index ai = a_batch, bi = b_batch;
    ai.push_back(d.ta ? p : i);
    ai.push_back(d.ta ? i : p);
    bi.push_back(d.tb ? j : p);
    bi.push_back(d.tb ? p : j);
    llvm::Value* product = b_.CreateMul(ToI64(At(a, ai)), ToI64(At(b, bi)));  // wraps, as uint64
    b_.CreateStore(b_.CreateAdd(b_.CreateLoad(b_.getInt64Ty(), acc), product), acc);
  });
  return FromI64(b_.CreateLoad(b_.getInt64Ty(), acc), op.result(0)->dtype());
}

}  // namespace graphc::codegen::elements
