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

// A matmul's sizes as i64 values, from the DimEmitter (so a dynamic m, a
// batch of rows, reaches the GEMM at run time): the product is
// [batch..., m, n] from a [batch..., m, k] (transposed: [k, m]) and b
// [batch..., k, n] (transposed: [n, k]), batch dims broadcast.
struct MatmulDims {
  llvm::Value *m, *n, *k;
  bool ta, tb;
  Dims out_batch, a_batch, b_batch;
  Dims a_matrix, b_matrix;  // the last two dims of a and b
};

Dims Leading(const Dims& dims) { return Dims(dims.begin(), dims.end() - 2); }
Dims Trailing(const Dims& dims) { return Dims(dims.end() - 2, dims.end()); }

MatmulDims MatmulDimsOf(ElementEmitter& e, const ir::Op& op) {
  const Dims a = e.DimsOf(op.operand(0));
  const Dims b = e.DimsOf(op.operand(1));
  const Dims out = e.DimsOf(op.result(0));
  MatmulDims d;
  d.ta = op.attr<bool>("transpose_a");
  d.tb = op.attr<bool>("transpose_b");
  d.m = out[out.size() - 2];
  d.n = out[out.size() - 1];
  d.k = a[a.size() - (d.ta ? 2 : 1)];
  d.out_batch = Leading(out);
  d.a_batch = Leading(a);
  d.b_batch = Leading(b);
  d.a_matrix = Trailing(a);
  d.b_matrix = Trailing(b);
  return d;
}

}  // namespace

void ElementEmitter::FloatMatmul(const ir::Op& op, llvm::Value* out) {
  const MatmulDims d = MatmulDimsOf(*this, op);
  llvm::Value* a_mat = Product(d.a_matrix);
  llvm::Value* b_mat = Product(d.b_matrix);
  llvm::Value* c_mat = Product({d.m, d.n});
  const bool f32 = op.result(0)->dtype() == ir::DType::kF32;
  llvm::Type* element = f32 ? b_.getFloatTy() : b_.getDoubleTy();
  llvm::Value* a = BufferOf(op.operand(0));
  llvm::Value* b = BufferOf(op.operand(1));
  if (a == nullptr || b == nullptr) return;  // not reached: PlanStages stores such operands
  llvm::FunctionCallee gemm = RuntimeFunction(module(), f32 ? "graphc_matmul_f32" : "graphc_matmul_f64");
  ForRange(Product(d.out_batch), [&](llvm::Value* batch) {
    const Index index = Delinear(batch, d.out_batch);
    llvm::Value* a_base = b_.CreateMul(Linear(Broadcast(index, d.a_batch), d.a_batch), a_mat);
    llvm::Value* b_base = b_.CreateMul(Linear(Broadcast(index, d.b_batch), d.b_batch), b_mat);
    llvm::Value* c_base = b_.CreateMul(batch, c_mat);
    b_.CreateCall(gemm, {b_.CreateGEP(element, a, a_base), b_.CreateGEP(element, b, b_base),
                         b_.CreateGEP(element, out, c_base), d.m, d.n, d.k, b_.getInt32(d.ta ? 1 : 0),
                         b_.getInt32(d.tb ? 1 : 0)});
  });
}

ir::Scalar ElementEmitter::IntegerMatmul(const ir::Op& op, const Index& index) {
  const MatmulDims d = MatmulDimsOf(*this, op);
  const ir::Value* a = op.operand(0);
  const ir::Value* b = op.operand(1);
  const size_t batch_rank = d.out_batch.size();
  const Index batch(index.begin(), index.begin() + static_cast<std::ptrdiff_t>(batch_rank));
  const Index a_batch = Broadcast(batch, d.a_batch);
  const Index b_batch = Broadcast(batch, d.b_batch);
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
