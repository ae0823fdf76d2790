// Element generators of ops that pick elements by index: transpose, concat,
// one_hot, range, strided_slice and its gradient, gather and scatter_add.
// Each follows the interpreter's evaluator (compiler/interpreter/
// eval_shape.cc, eval_generator.cc, eval_grad_ops.cc). No generated read
// leaves its buffer: indices read from tensors are clamped into range; an
// out-of-range gather or scatter_add index is reported through the fusion's
// error slot by a serial stage that checks the indices in order first
// (CheckIndices), so the message names the same index as the interpreter's.
// Lengths that positions and indices are checked against (a concat's
// operands, a gather's or scatter_add's indexed axis) are static
// (SupportsDynamicDims); other dims may vary at run time.
#include "compiler/codegen/element_kernel_emitter.h"

namespace graphc::codegen::elements {
namespace {

int64_t NormalizedAxis(const ir::Op& op, int64_t rank) {
  const int64_t axis = op.attr<int64_t>("axis");
  return axis < 0 ? axis + rank : axis;
}

}  // namespace

// transpose: out[i_0, ..., i_n] = x[j] with j[perm[d]] = i_d (perm empty:
// reversed dims).
ir::Scalar ElementEmitter::Transpose(const ir::Op& op, const Index& index) {
  const int64_t rank = static_cast<int64_t>(index.size());
  std::vector<int64_t> perm = op.attr<std::vector<int64_t>>("perm");
  if (perm.empty()) {
    for (int64_t d = rank - 1; d >= 0; --d) perm.push_back(d);
  }
  Index in(index.size());
  for (int64_t d = 0; d < rank; ++d) in[static_cast<size_t>(perm[static_cast<size_t>(d)])] = index[static_cast<size_t>(d)];
  return At(op.operand(0), in);
}

// concat along `axis`: operand k holds positions [start_k, start_k +
// len_k). Every operand is read at its index clamped into range (so no
// read leaves its buffer) and a select chain keeps the right one.
ir::Scalar ElementEmitter::Concat(const ir::Op& op, const Index& index) {
  const int64_t axis = NormalizedAxis(op, op.result(0)->shape().rank());
  llvm::Value* position = index[static_cast<size_t>(axis)];
  llvm::Value* result = nullptr;
  int64_t start = 0;
  for (int k = 0; k < op.num_operands(); ++k) {
    const int64_t len = op.operand(k)->shape().dim(axis);
    if (len == 0) continue;
    Index in = index;
    in[static_cast<size_t>(axis)] = Clamp(b_.CreateSub(position, b_.getInt64(start)), 0, b_.getInt64(len - 1));
    llvm::Value* v = LlvmScalarBuilder::Unwrap(At(op.operand(k), in));
    result = result == nullptr ? v : b_.CreateSelect(b_.CreateICmpSGE(position, b_.getInt64(start)), v, result);
    start += len;
  }
  if (result == nullptr) return Zero(op.result(0)->dtype());  // no elements to read
  return LlvmScalarBuilder::Wrap(result, op.result(0)->dtype());
}

// one_hot: on where the index along `axis` equals the indices' element.
ir::Scalar ElementEmitter::OneHot(const ir::Op& op, const Index& index) {
  const int64_t rank = op.result(0)->shape().rank();
  const int64_t axis = NormalizedAxis(op, rank);
  Index outer;
  for (int64_t d = 0; d < rank; ++d) {
    if (d != axis) outer.push_back(index[static_cast<size_t>(d)]);
  }
  llvm::Value* hit = b_.CreateICmpEQ(ToI64(At(op.operand(0), outer)), index[static_cast<size_t>(axis)]);
  const ir::DType dtype = op.result(0)->dtype();
  HostTensor on(dtype, ir::Shape{}), off(dtype, ir::Shape{});
  on.SetDouble(0, op.attr<double>("on_value"));
  off.SetDouble(0, op.attr<double>("off_value"));
  return LlvmScalarBuilder::Wrap(
      b_.CreateSelect(hit, LlvmScalarBuilder::Unwrap(FromHost(on)), LlvmScalarBuilder::Unwrap(FromHost(off))),
      dtype);
}

// range: element i is start + i * delta in double (no fused multiply-add),
// converted to the dtype as HostTensor::SetDouble converts.
ir::Scalar ElementEmitter::Range(const ir::Op& op, const Index& index) {
  llvm::Type* f64 = b_.getDoubleTy();
  llvm::Value* i = b_.CreateSIToFP(index[0], f64);
  llvm::Value* v = b_.CreateFAdd(llvm::ConstantFP::get(f64, op.attr<double>("start")),
                                 b_.CreateFMul(i, llvm::ConstantFP::get(f64, op.attr<double>("delta"))));
  return sb_.Cast(LlvmScalarBuilder::Wrap(v, ir::DType::kF64), op.result(0)->dtype());
}

// strided_slice: input element start + i * step along each kept dim, start
// along each shrunk one.
ir::Scalar ElementEmitter::StridedSlice(const ir::Op& op, const Index& index) {
  const ir::Value* x = op.operand(0);
  const std::vector<SliceDim> dims = SliceDims(op, x->shape());
  Index in(dims.size());
  for (size_t d = 0; d < dims.size(); ++d) {
    in[d] = dims[d].out_dim < 0 ? b_.getInt64(dims[d].start)
                                : b_.CreateAdd(b_.getInt64(dims[d].start),
                                               b_.CreateMul(index[static_cast<size_t>(dims[d].out_dim)],
                                                            b_.getInt64(dims[d].step)));
  }
  return At(x, in);
}

// strided_slice_grad(g, like): g's element where strided_slice(like) reads
// this element, else 0 (a slice reads each element at most once, so it is a
// plain copy of g's value, -0.0 included).
ir::Scalar ElementEmitter::StridedSliceGrad(const ir::Op& op, const Index& index) {
  const ir::Value* g = op.operand(0);
  const ir::DType dtype = op.result(0)->dtype();
  const AffineDim g_elements = dims_.AffineElements(g);
  if (g_elements.is_constant() && g_elements.constant == 0) return Zero(dtype);  // the slice reads nothing
  const std::vector<SliceDim> dims = SliceDims(op, op.operand(1)->shape());
  llvm::Value* hit = b_.getTrue();
  Index gi(static_cast<size_t>(g->shape().rank()));
  for (size_t d = 0; d < dims.size(); ++d) {
    llvm::Value* i = index[d];
    if (dims[d].out_dim < 0) {
      hit = b_.CreateAnd(hit, b_.CreateICmpEQ(i, b_.getInt64(dims[d].start)));
      continue;
    }
    llvm::Value* n = DimOf(g, dims[d].out_dim);
    llvm::Value* rel = b_.CreateSub(i, b_.getInt64(dims[d].start));
    llvm::Value* step = b_.getInt64(dims[d].step);
    llvm::Value* q = b_.CreateSDiv(rel, step);
    hit = b_.CreateAnd(hit, b_.CreateICmpEQ(b_.CreateSRem(rel, step), b_.getInt64(0)));
    hit = b_.CreateAnd(hit, b_.CreateICmpSGE(q, b_.getInt64(0)));
    hit = b_.CreateAnd(hit, b_.CreateICmpSLT(q, n));
    gi[static_cast<size_t>(dims[d].out_dim)] = Clamp(q, 0, b_.CreateSub(n, b_.getInt64(1)));
  }
  return sb_.Select(LlvmScalarBuilder::Wrap(hit, ir::DType::kBool), At(g, gi), Zero(dtype));
}

// gather: out index = params[:axis] ++ indices ++ params[axis+1:]; the
// index read is clamped into range (CheckIndices reports a bad one).
ir::Scalar ElementEmitter::Gather(const ir::Op& op, const Index& index) {
  const ir::Value* params = op.operand(0);
  const ir::Value* indices = op.operand(1);
  const int64_t axis = NormalizedAxis(op, params->shape().rank());
  const int64_t dim = params->shape().dim(axis);
  if (dim == 0) return Zero(op.result(0)->dtype());  // every index is out of range: an error
  const int64_t irank = indices->shape().rank();
  Index ii(index.begin() + axis, index.begin() + axis + irank);
  Index pi(index.begin(), index.begin() + axis);
  pi.push_back(Clamp(ToI64(At(indices, ii)), 0, b_.getInt64(dim - 1)));
  pi.insert(pi.end(), index.begin() + axis + irank, index.end());
  return At(params, pi);
}

// scatter_add: its accumulator (computed by its serial stage), converted
// as the interpreter stores it (SetDouble / SetInt).
ir::Scalar ElementEmitter::ScatterAdd(const ir::Op& op, const Index& index) {
  const ir::DType dtype = op.result(0)->dtype();
  llvm::Value* buffer = StageBuffer(op, StageKind::kScatter);
  if (buffer == nullptr) return Zero(dtype);  // not reached: PlanStages gives every scatter_add a stage
  const ir::DType acc = AccumulatorDType(dtype);
  const ir::Scalar v = Load(buffer, acc, Linear(index, DimsOf(op.result(0))));
  if (acc == ir::DType::kF64) return FromDouble(LlvmScalarBuilder::Unwrap(v), dtype);
  return FromI64(LlvmScalarBuilder::Unwrap(v), dtype);
}

// Every index in row-major order; the first out of range, if no earlier
// stage reported one, goes into the error slot: [error + 1, index, dim,
// axis]. Serial, so no other thread writes the slot meanwhile.
void ElementEmitter::CheckIndices(const ir::Op& op, int error) {
  const ir::Value* indices = op.operand(1);
  const int64_t axis = NormalizedAxis(op, op.operand(0)->shape().rank());
  const int64_t dim = op.operand(0)->shape().dim(axis);
  llvm::Type* i64 = b_.getInt64Ty();
  auto slot = [&](int64_t k) { return b_.CreateConstInBoundsGEP1_64(i64, error_slot_, k); };
  ForIndices(DimsOf(indices), [&](const Index& ii) {
    llvm::Value* idx = ToI64(At(indices, ii));
    llvm::Value* bad = b_.CreateOr(b_.CreateICmpSLT(idx, b_.getInt64(0)), b_.CreateICmpSGE(idx, b_.getInt64(dim)));
    llvm::Value* code = b_.CreateLoad(i64, slot(0));
    llvm::Value* first = b_.CreateAnd(bad, b_.CreateICmpEQ(code, b_.getInt64(0)));
    const std::pair<int64_t, llvm::Value*> fields[] = {
        {0, b_.getInt64(error + 1)}, {1, idx}, {2, b_.getInt64(dim)}, {3, b_.getInt64(axis)}};
    for (const auto& [k, value] : fields) {
      b_.CreateStore(b_.CreateSelect(first, value, b_.CreateLoad(i64, slot(k))), slot(k));
    }
  });
}

// scatter_add's accumulators: zeros of like's shape (f64 for floats, i64
// for integers), then every update added in row-major order at the element
// gather(iota(like), indices) names, as the interpreter's AddAt does.
void ElementEmitter::Scatter(const ir::Op& op, llvm::Value* out) {
  const ir::Value* like = op.operand(0);
  const ir::Value* indices = op.operand(1);
  const ir::Value* updates = op.operand(2);
  const Dims like_dims = DimsOf(like);
  const ir::DType acc = AccumulatorDType(op.result(0)->dtype());
  llvm::Type* acc_type = RegisterType(b_.getContext(), acc);
  ForRange(Product(like_dims), [&](llvm::Value* i) {
    b_.CreateStore(llvm::Constant::getNullValue(acc_type), b_.CreateGEP(acc_type, out, i));
  });
  const int64_t axis = NormalizedAxis(op, like->shape().rank());
  const int64_t dim = like->shape().dim(axis);
  if (dim == 0) return;  // every index is out of range: an error
  const int64_t irank = indices->shape().rank();
  ForIndices(DimsOf(updates), [&](const Index& ui) {
    Index ii(ui.begin() + axis, ui.begin() + axis + irank);
    Index li(ui.begin(), ui.begin() + axis);
    li.push_back(Clamp(ToI64(At(indices, ii)), 0, b_.getInt64(dim - 1)));
    li.insert(li.end(), ui.begin() + axis + irank, ui.end());
    llvm::Value* address = b_.CreateGEP(acc_type, out, Linear(li, like_dims));
    llvm::Value* a = b_.CreateLoad(acc_type, address);
    const ir::Scalar v = At(updates, ui);
    b_.CreateStore(acc == ir::DType::kF64 ? b_.CreateFAdd(a, ToDouble(v)) : b_.CreateAdd(a, ToI64(v)), address);
  });
}

}  // namespace graphc::codegen::elements
