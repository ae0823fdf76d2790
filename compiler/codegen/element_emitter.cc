#include "compiler/codegen/element_emitter.h"

#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include "absl/strings/match.h"
#include "compiler/codegen/element_kernel_emitter.h"
#include "compiler/codegen/llvm_scalar_builder.h"
#include "compiler/host_tensor.h"
#include "ir/module.h"
#include "ir/op_registry.h"
#include "ir/str_cat.h"
#include "llvm/IR/IRBuilder.h"

namespace graphc::codegen {
namespace elements {

// ---- shared helpers ----

bool IsReshape(std::string_view name) {
  return name == "reshape" || name == "reshape_like" || name == "expand_dims" || name == "squeeze";
}
bool IsSoftmax(std::string_view name) { return name == "softmax" || name == "log_softmax"; }

namespace {

// Ops that broadcast their first operand to the result's shape.
bool IsBroadcast(std::string_view name) { return name == "broadcast_to" || name == "broadcast_like"; }
bool IsFill(std::string_view name) { return name == "fill" || name == "fill_like"; }

// Ops that pick elements of their operands by index, each its own way.
bool IsIndexOp(std::string_view name) {
  return name == "transpose" || name == "concat" || name == "one_hot" || name == "range" ||
         name == "strided_slice" || name == "strided_slice_grad" || name == "gather" ||
         name == "scatter_add";
}

}  // namespace

std::optional<Combine> ReduceKind(std::string_view name) {
  if (name == "reduce_sum" || name == "sum_to_like") return Combine::kSum;
  if (name == "reduce_mean") return Combine::kMean;
  if (name == "reduce_max") return Combine::kMax;
  if (name == "reduce_min") return Combine::kMin;
  if (name == "reduce_prod") return Combine::kProd;
  if (name == "reduce_any") return Combine::kAny;
  if (name == "reduce_all") return Combine::kAll;
  return std::nullopt;
}

std::vector<bool> ReducedDims(const ir::Op& op) {
  const int64_t rank = op.operand(0)->shape().rank();
  if (op.name() == "sum_to_like") {
    // x's dims that are missing from the result or 1 there (and not in x).
    const ir::Shape& x = op.operand(0)->shape();
    const ir::Shape& out = op.result(0)->shape();
    std::vector<bool> reduced(static_cast<size_t>(rank), false);
    for (int64_t d = 0; d < rank; ++d) {
      const int64_t o = d - (rank - out.rank());
      reduced[static_cast<size_t>(d)] = o < 0 || (out.dim(o) == 1 && x.dim(d) != 1);
    }
    return reduced;
  }
  const auto& axes = op.attr<std::vector<int64_t>>("axes");
  std::vector<bool> reduced(static_cast<size_t>(rank), axes.empty());
  for (int64_t a : axes) reduced[static_cast<size_t>(a < 0 ? a + rank : a)] = true;
  return reduced;
}

int64_t SoftmaxAxis(const ir::Op& op) {
  const int64_t axis = op.attr<int64_t>("axis");
  return axis < 0 ? axis + op.operand(0)->shape().rank() : axis;
}

ir::Shape StatsShape(const ir::Op& op) {
  std::vector<int64_t> dims(op.operand(0)->shape().dims().begin(), op.operand(0)->shape().dims().end());
  dims[static_cast<size_t>(SoftmaxAxis(op))] = 1;
  return ir::Shape(dims);
}

const ir::Value* ThroughReshapes(const ir::Value* v) {
  while (v->defining_op() != nullptr && IsReshape(v->defining_op()->name())) v = v->defining_op()->operand(0);
  return v;
}

ir::DType AccumulatorDType(ir::DType dtype) { return ir::IsFloat(dtype) ? ir::DType::kF64 : ir::DType::kI64; }

namespace {

// A run-time error of `op` as the interpreter reports it: each enclosing
// op with a known location (innermost first) prefixes its location, unless
// the message already holds it (interpreter.cc, WithOpContext).
std::string ErrorFormat(const ir::Op& op, std::string message) {
  for (const ir::Op* o = &op; o != nullptr; o = o->parent_op()) {
    const std::string loc = o->loc().ToString();
    if (o->loc().known() && !absl::StrContains(message, loc)) message = StrCat(loc, ": ", message);
  }
  return message;
}

// The interpreter's messages (eval_shape.cc, eval_grad_ops.cc), with %d for
// the index, the dim and the axis.
std::string IndexErrorFormat(const ir::Op& op) {
  return ErrorFormat(op, StrCat(op.name(), ": index %d is out of range [0, %d) along axis %d"));
}

bool IsArgument(const ir::Region& region, const ir::Value* v) {
  for (int k = 0; k < region.num_arguments(); ++k) {
    if (region.argument(k) == v) return true;
  }
  return false;
}

}  // namespace

std::optional<StageKind> StoredResultKind(const ir::Op& op) {
  if (ReduceKind(op.name())) return StageKind::kReduce;
  if (op.name() == "argmax" || op.name() == "argmin") return StageKind::kArgReduce;
  if (op.name() == "matmul") return StageKind::kMatmul;
  return std::nullopt;
}

// The stages, in body order: each reduction's result, each softmax's row
// max and row sum (f64, as the interpreter keeps them), each argmax; for a
// matmul, its operands that have no buffer yet (computed in the fusion),
// then its product; a gather's index check; a scatter_add's accumulators
// (checking its indices first). Stages run in this order, so the first op
// (in body order) that fails reports its error, as in the interpreter.
std::vector<Stage> PlanStages(const ir::Op& fusion, std::vector<std::string>* error_formats) {
  const ir::Region& region = fusion.region(0);
  std::vector<Stage> stages;
  std::set<const ir::Value*> stored;
  for (const auto& op_ptr : region.ops()) {
    const ir::Op* op = op_ptr.get();
    const std::string_view name = op->name();
    const ir::Value* result = op->num_results() == 1 ? op->result(0) : nullptr;
    if (ReduceKind(name)) stages.push_back({StageKind::kReduce, op, nullptr, result->type(), result});
    if (IsSoftmax(name)) {
      const ir::TensorType stats{ir::DType::kF64, StatsShape(*op)};
      stages.push_back({StageKind::kSoftmaxMax, op, nullptr, stats, op->operand(0), SoftmaxAxis(*op)});
      stages.push_back({StageKind::kSoftmaxSum, op, nullptr, stats, op->operand(0), SoftmaxAxis(*op)});
    }
    if (name == "argmax" || name == "argmin") {
      stages.push_back({StageKind::kArgReduce, op, nullptr, result->type(), result});
    }
    if (name == "matmul") {
      for (const ir::Value* operand : op->operands()) {
        const ir::Value* root = ThroughReshapes(operand);
        const ir::Op* def = root->defining_op();
        const bool has_buffer = IsArgument(region, root) || def->name() == "constant" || StoredResultKind(*def);
        if (has_buffer || !stored.insert(root).second) continue;
        stages.push_back({StageKind::kMaterialize, root->defining_op(), root, root->type(), root});
      }
      const bool serial = ir::IsFloat(result->dtype());
      stages.push_back({StageKind::kMatmul, op, nullptr, result->type(), result, -1, serial});
    }
    if (name == "gather" || name == "scatter_add") {
      error_formats->push_back(IndexErrorFormat(*op));
      const int error = static_cast<int>(error_formats->size()) - 1;
      if (name == "gather") {
        const ir::TensorType flag{ir::DType::kI8, ir::Shape{}};
        stages.push_back({StageKind::kIndexCheck, op, nullptr, flag, nullptr, -1, true, error});
      } else {
        const ir::TensorType acc{AccumulatorDType(result->dtype()), result->shape()};
        stages.push_back({StageKind::kScatter, op, nullptr, acc, result, -1, true, error});
      }
    }
  }
  return stages;
}

std::vector<SliceDim> SliceDims(const ir::Op& op, const ir::Shape& in) {
  const auto& begin = op.attr<std::vector<int64_t>>("begin");
  const auto& strides = op.attr<std::vector<int64_t>>("strides");
  const int64_t begin_mask = op.attr<int64_t>("begin_mask");
  const int64_t shrink_mask = op.attr<int64_t>("shrink_axis_mask");
  std::vector<SliceDim> dims(static_cast<size_t>(in.rank()));
  int64_t next_out = 0;
  for (int64_t d = 0; d < in.rank(); ++d) {
    const auto u = static_cast<size_t>(d);
    const int64_t dim = in.dim(d);
    if ((shrink_mask >> d) & 1) {
      dims[u] = {begin[u] < 0 ? begin[u] + dim : begin[u], 0, -1};  // in range: inference checked
      continue;
    }
    // eval_shape.cc, SliceStart.
    const int64_t stride = strides[u];
    int64_t start;
    if ((begin_mask >> d) & 1) {
      start = stride > 0 ? 0 : dim - 1;
    } else {
      start = begin[u] < 0 ? begin[u] + dim : begin[u];
      start = stride > 0 ? std::clamp<int64_t>(start, 0, dim) : std::clamp<int64_t>(start, -1, dim - 1);
    }
    dims[u] = {start, stride, next_out++};
  }
  return dims;
}

namespace {

// The product of `dims` if it is affine: when all of them but at most one
// are constants.
std::optional<AffineDim> AffineProduct(const std::vector<AffineDim>& dims) {
  int64_t constant = 1;
  std::optional<AffineDim> variable;
  for (const AffineDim& d : dims) {
    if (d.is_constant()) {
      constant *= d.constant;
    } else if (variable) {
      return std::nullopt;
    } else {
      variable = d;
    }
  }
  return variable ? *variable * constant : AffineDim::Constant(constant);
}

// The number of elements of v's shape with dim `axis` set to 1 (a
// softmax's row statistics), if it is affine.
std::optional<AffineDim> UnitAxisElements(const ir::Value* v, int64_t axis, const DimTable& dims) {
  std::vector<AffineDim> d = dims.Dims(v);
  d[static_cast<size_t>(axis)] = AffineDim::Constant(1);
  return AffineProduct(d);
}

bool StaticDim(const DimTable& dims, const ir::Value* v, int64_t d) { return dims.Dim(v, d).is_constant(); }

// True if a strided_slice of `in` (giving `out`) takes each dynamic dim of
// `in` whole: not shrunk, from 0 (by begin_mask or begin 0; a negative
// begin would count from the run-time end) with step 1, to a dim of `out`
// equal to it for every size. SliceDims then gives {0, 1, out dim} for it,
// whatever its size.
bool SlicesDynamicDimsWhole(const ir::Op& op, const ir::Value* in, const ir::Value* out, const DimTable& dims) {
  const auto& begin = op.attr<std::vector<int64_t>>("begin");
  const auto& strides = op.attr<std::vector<int64_t>>("strides");
  const int64_t begin_mask = op.attr<int64_t>("begin_mask");
  const std::vector<SliceDim> slice = SliceDims(op, in->shape());
  for (int64_t d = 0; d < in->shape().rank(); ++d) {
    const auto u = static_cast<size_t>(d);
    if (StaticDim(dims, in, d)) continue;
    const bool from_zero = ((begin_mask >> d) & 1) != 0 || begin[u] == 0;
    if (slice[u].out_dim < 0 || !from_zero || strides[u] != 1) return false;
    if (!(dims.Dim(out, slice[u].out_dim) == dims.Dim(in, d))) return false;
  }
  return true;
}

}  // namespace

bool SupportsDynamicDims(const ir::Op& op, const DimTable& dims) {
  const std::string_view name = op.name();
  if (op.num_results() != 1) return true;  // the terminator
  const ir::Value* result = op.result(0);
  // Operand k's position along the axis starts at the sum of the lengths
  // before it: static lengths keep those sums constants.
  if (name == "concat") {
    const int64_t axis = op.attr<int64_t>("axis");
    const int64_t a = axis < 0 ? axis + result->shape().rank() : axis;
    for (const ir::Value* operand : op.operands()) {
      if (!StaticDim(dims, operand, a)) return false;
    }
    return StaticDim(dims, result, a);
  }
  if (name == "range") return !dims.IsDynamic(result);
  if (name == "strided_slice") return SlicesDynamicDimsWhole(op, op.operand(0), result, dims);
  if (name == "strided_slice_grad") return SlicesDynamicDimsWhole(op, op.operand(1), op.operand(0), dims);
  // The indexed axis's length bounds (clamps and checks) every index read.
  if (name == "gather" || name == "scatter_add") {
    const ir::Value* indexed = op.operand(0);
    const int64_t axis = op.attr<int64_t>("axis");
    return StaticDim(dims, indexed, axis < 0 ? axis + indexed->shape().rank() : axis);
  }
  // The row statistics' buffers need an affine size (along any axis: the
  // rows' length is read at run time).
  if (IsSoftmax(name)) return UnitAxisElements(op.operand(0), SoftmaxAxis(op), dims).has_value();
  return true;
}

// ---- ElementEmitter: core ----

ElementEmitter::ElementEmitter(llvm::IRBuilder<>& b, llvm::Function* fn, const ir::Region& region,
                               std::vector<llvm::Value*> input_ptrs, const std::vector<Stage>& available,
                               llvm::Value* error_slot, DimEmitter dims)
    : b_(b),
      sb_(b),
      fn_(fn),
      region_(region),
      inputs_(std::move(input_ptrs)),
      error_slot_(error_slot),
      dims_(std::move(dims)) {
  scopes_.emplace_back();
  for (size_t k = 0; k < available.size(); ++k) {
    llvm::Value* buffer = inputs_[static_cast<size_t>(region.num_arguments()) + k];
    if (available[k].kind == StageKind::kMaterialize) {
      materialized_[available[k].value] = buffer;
    } else {
      stage_buffers_[{available[k].op, available[k].kind}] = buffer;
    }
  }
}

ir::Scalar ElementEmitter::ComputeStage(const Stage& s, const Index& index) {
  switch (s.kind) {
    case StageKind::kReduce: return Reduce(*s.op, index);
    case StageKind::kSoftmaxMax: return FromDouble(SoftmaxStat(*s.op, 0, index), ir::DType::kF64);
    case StageKind::kSoftmaxSum: return FromDouble(SoftmaxStat(*s.op, 1, index), ir::DType::kF64);
    case StageKind::kArgReduce: return ArgReduce(*s.op, index);
    case StageKind::kMaterialize: return At(s.value, index);
    case StageKind::kMatmul: return IntegerMatmul(*s.op, index);
    default: break;
  }
  return Zero(s.type.dtype);  // serial stages are not computed per element
}

void ElementEmitter::ComputeSerialStage(const Stage& s, llvm::Value* out) {
  switch (s.kind) {
    case StageKind::kMatmul: FloatMatmul(*s.op, out); break;
    case StageKind::kIndexCheck:
      CheckIndices(*s.op, s.error);
      b_.CreateStore(b_.getInt8(0), out);
      break;
    case StageKind::kScatter:
      CheckIndices(*s.op, s.error);
      Scatter(*s.op, out);
      break;
    default: break;
  }
}

ir::Scalar ElementEmitter::At(const ir::Value* v, const Index& index) {
  const Key key{v, index};
  for (auto scope = scopes_.rbegin(); scope != scopes_.rend(); ++scope) {
    if (auto it = scope->find(key); it != scope->end()) return it->second;
  }
  const ir::Scalar s = Generate(v, index);
  scopes_.back().emplace(key, s);
  return s;
}

Dims ElementEmitter::DimsOf(const ir::Value* v, int64_t unit_axis) {
  Dims dims = dims_.Dims(b_, v);
  if (unit_axis >= 0) dims[static_cast<size_t>(unit_axis)] = b_.getInt64(1);
  return dims;
}

llvm::Value* ElementEmitter::DimOf(const ir::Value* v, int64_t d) { return dims_.Dim(b_, v, d); }

Dims ElementEmitter::StageDims(const Stage& s) {
  return s.shape_of == nullptr ? Dims{} : DimsOf(s.shape_of, s.unit_axis);
}

// The constant dims multiplied at compile time, so static shapes give a
// constant (0 if any dim is 0).
llvm::Value* ElementEmitter::Product(const Dims& dims) {
  int64_t constant = 1;
  llvm::Value* variable = nullptr;
  for (llvm::Value* d : dims) {
    if (auto* c = llvm::dyn_cast<llvm::ConstantInt>(d)) {
      constant *= c->getSExtValue();
    } else {
      variable = variable == nullptr ? d : b_.CreateMul(variable, d);
    }
  }
  if (variable == nullptr || constant == 0) return b_.getInt64(constant);
  return constant == 1 ? variable : b_.CreateMul(variable, b_.getInt64(constant));
}

void ElementEmitter::ForRange(llvm::Value* n, const std::function<void(llvm::Value*)>& body) {
  ForStep(b_.getInt64(0), n, 1, body);
}

void ElementEmitter::ForStep(llvm::Value* begin, llvm::Value* end, int64_t step,
                             const std::function<void(llvm::Value*)>& body) {
  llvm::AllocaInst* counter = EntryAlloca(b_.getInt64Ty());
  b_.CreateStore(begin, counter);
  llvm::LLVMContext& c = b_.getContext();
  auto* header = llvm::BasicBlock::Create(c, "for.header", fn_);
  auto* loop = llvm::BasicBlock::Create(c, "for.body", fn_);
  auto* exit = llvm::BasicBlock::Create(c, "for.exit", fn_);
  b_.CreateBr(header);
  b_.SetInsertPoint(header);
  llvm::Value* i = b_.CreateLoad(b_.getInt64Ty(), counter);
  b_.CreateCondBr(b_.CreateICmpSLT(i, end), loop, exit);
  b_.SetInsertPoint(loop);
  scopes_.emplace_back();
  body(i);
  scopes_.pop_back();
  b_.CreateStore(b_.CreateAdd(i, b_.getInt64(step)), counter);
  b_.CreateBr(header);
  b_.SetInsertPoint(exit);
}

void ElementEmitter::ForIndices(const Dims& dims, const std::function<void(const Index&)>& body, Index prefix) {
  if (prefix.size() == dims.size()) {
    body(prefix);
    return;
  }
  ForRange(dims[prefix.size()], [&](llvm::Value* i) {
    Index next = prefix;
    next.push_back(i);
    ForIndices(dims, body, std::move(next));
  });
}

llvm::AllocaInst* ElementEmitter::EntryAlloca(llvm::Type* type) {
  llvm::IRBuilder<> entry(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
  return entry.CreateAlloca(type);
}

namespace {

// Only a constant dim can be known to be 1: a dynamic one is at least 2.
bool IsOne(llvm::Value* dim) {
  auto* c = llvm::dyn_cast<llvm::ConstantInt>(dim);
  return c != nullptr && c->isOne();
}

}  // namespace

// Strides are products of the dims, folded to constants where static.
llvm::Value* ElementEmitter::Linear(const Index& index, const Dims& dims) {
  llvm::Value* linear = b_.getInt64(0);
  llvm::Value* stride = b_.getInt64(1);
  for (size_t d = dims.size(); d-- > 0;) {
    linear = b_.CreateAdd(linear, b_.CreateMul(index[d], stride));
    if (d > 0) stride = b_.CreateMul(stride, dims[d]);
  }
  return linear;
}

Index ElementEmitter::Delinear(llvm::Value* linear, const Dims& dims) {
  Index index(dims.size());
  for (size_t d = dims.size(); d-- > 0;) {
    llvm::Value* dim = dims[d];
    if (IsOne(dim)) {
      index[d] = b_.getInt64(0);
      continue;
    }
    // What is left of an index in range is below the leading dim: no
    // division by a run-time dim (a batch dim, usually leading) there.
    if (d == 0 && !llvm::isa<llvm::ConstantInt>(dim)) {
      index[d] = linear;
      continue;
    }
    index[d] = b_.CreateURem(linear, dim);
    if (d > 0) linear = b_.CreateUDiv(linear, dim);
  }
  return index;
}

Index ElementEmitter::Broadcast(const Index& index, const Dims& from) {
  Index out(from.size());
  const size_t offset = index.size() - from.size();
  for (size_t d = 0; d < from.size(); ++d) out[d] = IsOne(from[d]) ? b_.getInt64(0) : index[d + offset];
  return out;
}

llvm::Value* ElementEmitter::Clamp(llvm::Value* v, int64_t lo, llvm::Value* hi) {
  v = b_.CreateSelect(b_.CreateICmpSLT(v, b_.getInt64(lo)), b_.getInt64(lo), v);
  return b_.CreateSelect(b_.CreateICmpSGT(v, hi), hi, v);
}

ir::Scalar ElementEmitter::Load(llvm::Value* base, ir::DType dtype, llvm::Value* offset) {
  llvm::Type* mem = MemoryType(b_.getContext(), dtype);
  llvm::Value* v = b_.CreateLoad(mem, b_.CreateGEP(mem, base, offset));
  if (dtype == ir::DType::kBool) v = b_.CreateICmpNE(v, b_.getInt8(0));
  return LlvmScalarBuilder::Wrap(v, dtype);
}

void ElementEmitter::Store(llvm::Value* base, ir::Scalar value, llvm::Value* offset) {
  llvm::Value* v = LlvmScalarBuilder::Unwrap(value);
  if (value.dtype == ir::DType::kBool) v = b_.CreateZExt(v, b_.getInt8Ty());
  b_.CreateStore(v, b_.CreateGEP(MemoryType(b_.getContext(), value.dtype), base, offset));
}

llvm::Value* ElementEmitter::ConstantGlobal(const ir::Op& constant) {
  auto [it, inserted] = constants_.try_emplace(&constant, nullptr);
  if (!inserted) return it->second;
  const HostTensor t = HostTensor::FromDense(constant.attr<ir::DenseElements>("value"));
  auto* data = llvm::ConstantDataArray::getRaw(
      llvm::StringRef(reinterpret_cast<const char*>(t.data()), static_cast<size_t>(t.byte_size())),
      static_cast<uint64_t>(t.size()), MemoryType(b_.getContext(), t.dtype()));
  auto* global = new llvm::GlobalVariable(module(), data->getType(), /*isConstant=*/true,
                                          llvm::GlobalValue::PrivateLinkage, data);
  global->setAlignment(llvm::Align(64));
  it->second = global;
  return global;
}

llvm::Value* ElementEmitter::BufferOf(const ir::Value* v) {
  v = ThroughReshapes(v);
  for (int k = 0; k < region_.num_arguments(); ++k) {
    if (region_.argument(k) == v) return inputs_[static_cast<size_t>(k)];
  }
  if (auto it = materialized_.find(v); it != materialized_.end()) return it->second;
  const ir::Op& op = *v->defining_op();
  if (op.name() == "constant") return ConstantGlobal(op);
  if (std::optional<StageKind> kind = StoredResultKind(op)) return StageBuffer(op, *kind);
  return nullptr;
}

llvm::Value* ElementEmitter::StageBuffer(const ir::Op& op, StageKind kind) const {
  auto it = stage_buffers_.find({&op, kind});
  return it == stage_buffers_.end() ? nullptr : it->second;
}

ir::Scalar ElementEmitter::FromHost(const HostTensor& t) {
  if (t.dtype() == ir::DType::kF32) {
    return LlvmScalarBuilder::Wrap(llvm::ConstantFP::get(b_.getFloatTy(), t.data_as<float>()[0]), t.dtype());
  }
  if (t.dtype() == ir::DType::kF64) {
    return LlvmScalarBuilder::Wrap(llvm::ConstantFP::get(b_.getDoubleTy(), t.data_as<double>()[0]), t.dtype());
  }
  llvm::Type* type = RegisterType(b_.getContext(), t.dtype());
  const int64_t value = t.GetInt(0);
  return LlvmScalarBuilder::Wrap(t.dtype() == ir::DType::kBool ? llvm::ConstantInt::get(type, value != 0 ? 1 : 0)
                                                              : llvm::ConstantInt::getSigned(type, value),
                                 t.dtype());
}

ir::Scalar ElementEmitter::Zero(ir::DType dtype) { return sb_.Constant(0, dtype); }

llvm::Value* ElementEmitter::ToDouble(ir::Scalar s) {
  llvm::Value* v = LlvmScalarBuilder::Unwrap(s);
  return s.dtype == ir::DType::kF64 ? v : b_.CreateFPExt(v, b_.getDoubleTy());
}

ir::Scalar ElementEmitter::FromDouble(llvm::Value* d, ir::DType dtype) {
  return LlvmScalarBuilder::Wrap(dtype == ir::DType::kF64 ? d : b_.CreateFPTrunc(d, b_.getFloatTy()), dtype);
}

llvm::Value* ElementEmitter::CallDouble(const char* name, llvm::Value* x) {
  llvm::FunctionCallee f =
      module().getOrInsertFunction(name, llvm::FunctionType::get(b_.getDoubleTy(), {b_.getDoubleTy()}, false));
  return b_.CreateCall(f, {x});
}

llvm::Value* ElementEmitter::ToI64(ir::Scalar s) {
  llvm::Value* v = LlvmScalarBuilder::Unwrap(s);
  return s.dtype == ir::DType::kBool ? b_.CreateZExt(v, b_.getInt64Ty()) : b_.CreateSExtOrTrunc(v, b_.getInt64Ty());
}

ir::Scalar ElementEmitter::FromI64(llvm::Value* v, ir::DType dtype) {
  if (dtype == ir::DType::kBool) return LlvmScalarBuilder::Wrap(b_.CreateICmpNE(v, b_.getInt64(0)), dtype);
  return LlvmScalarBuilder::Wrap(b_.CreateTrunc(v, RegisterType(b_.getContext(), dtype)), dtype);
}

ir::Scalar ElementEmitter::Generate(const ir::Value* v, const Index& index) {
  for (int k = 0; k < region_.num_arguments(); ++k) {
    if (region_.argument(k) == v) {
      return Load(inputs_[static_cast<size_t>(k)], v->dtype(), Linear(index, DimsOf(v)));
    }
  }
  if (auto it = materialized_.find(v); it != materialized_.end()) {
    return Load(it->second, v->dtype(), Linear(index, DimsOf(v)));
  }
  const ir::Op& op = *v->defining_op();
  const std::string_view name = op.name();
  if (name == "constant") {
    const ir::DenseElements& dense = op.attr<ir::DenseElements>("value");
    if (*dense.type().shape.num_elements() == 1) return FromHost(HostTensor::FromDense(dense));
    return Load(ConstantGlobal(op), v->dtype(), Linear(index, DimsOf(v)));
  }
  if (IsFill(name)) {
    HostTensor t(v->dtype(), ir::Shape{});
    t.SetDouble(0, op.attr<double>("value"));  // the interpreter's conversion
    return FromHost(t);
  }
  if (IsReshape(name)) return At(op.operand(0), Delinear(Linear(index, DimsOf(v)), DimsOf(op.operand(0))));
  if (IsBroadcast(name)) return At(op.operand(0), Broadcast(index, DimsOf(op.operand(0))));
  if (name == "transpose") return Transpose(op, index);
  if (name == "concat") return Concat(op, index);
  if (name == "one_hot") return OneHot(op, index);
  if (name == "range") return Range(op, index);
  if (name == "strided_slice") return StridedSlice(op, index);
  if (name == "strided_slice_grad") return StridedSliceGrad(op, index);
  if (name == "gather") return Gather(op, index);
  if (name == "scatter_add") return ScatterAdd(op, index);
  if (IsSoftmax(name)) return Softmax(op, index);
  if (ReduceKind(name)) {
    if (llvm::Value* buffer = StageBuffer(op, StageKind::kReduce)) {
      return Load(buffer, v->dtype(), Linear(index, DimsOf(v)));
    }
    return Reduce(op, index);
  }
  if (name == "argmax" || name == "argmin") {
    if (llvm::Value* buffer = StageBuffer(op, StageKind::kArgReduce)) {
      return Load(buffer, v->dtype(), Linear(index, DimsOf(v)));
    }
    return ArgReduce(op, index);
  }
  if (name == "matmul") {
    if (llvm::Value* buffer = StageBuffer(op, StageKind::kMatmul)) {
      return Load(buffer, v->dtype(), Linear(index, DimsOf(v)));
    }
    return IntegerMatmul(op, index);  // floats always have their stage
  }
  std::vector<ir::Scalar> operands;
  for (const ir::Value* operand : op.operands()) {
    operands.push_back(At(operand, Broadcast(index, DimsOf(operand))));
  }
  return op.def().scalar(sb_, operands, op.attrs());
}

}  // namespace elements

namespace {

using elements::ElementEmitter;
using elements::Index;
using elements::Stage;

bool IsStatic(const ir::Value* v) { return v->shape().is_static(); }

// The number of elements of a stage's temporary.
AffineDim StageElements(const Stage& s, const DimTable& dims) {
  if (s.shape_of == nullptr) return AffineDim::Constant(1);
  if (s.unit_axis < 0) return dims.NumElements(s.shape_of);
  return *elements::UnitAxisElements(s.shape_of, s.unit_axis, dims);  // affine: SupportsDynamicDims checked
}

bool HasGenerator(const ir::Op& op) {
  const std::string_view name = op.name();
  if (op.def().is_terminator || op.num_results() != 1) return op.def().is_terminator;
  if (op.def().scalar != nullptr || name == "constant" || name == "fill" || name == "fill_like" ||
      elements::IsReshape(name) || name == "broadcast_to" || name == "broadcast_like") {
    return true;
  }
  return elements::ReduceKind(name) || elements::IsSoftmax(name) || elements::IsIndexOp(name) ||
         name == "argmax" || name == "argmin" || name == "matmul";
}

// Adds one kernel `symbol` with the loop-kernel ABI: inputs the fusion's
// operands, then (with `error_slot`) the error slot, then the buffers of
// `available` stages; output 0 `out`; the symbols' values in `dims` (read
// once, in the entry block, when `table` has dynamic dims). `body` emits
// its work.
void EmitKernel(const ir::Op& fusion, llvm::Module& module, const std::string& symbol, const DimTable* table,
                const std::vector<Stage>& available, bool error_slot,
                const std::function<void(ElementEmitter&, llvm::Function*, llvm::Value* out)>& body) {
  llvm::LLVMContext& c = module.getContext();
  llvm::Type* i64 = llvm::Type::getInt64Ty(c);
  llvm::Type* ptr = llvm::PointerType::getUnqual(c);
  auto* fn_type = llvm::FunctionType::get(llvm::Type::getVoidTy(c), {ptr, ptr, ptr, i64, i64}, false);
  llvm::Function* fn = llvm::Function::Create(fn_type, llvm::Function::ExternalLinkage, symbol, module);
  fn->addFnAttr(llvm::Attribute::NoUnwind);
  auto* entry = llvm::BasicBlock::Create(c, "entry", fn);
  llvm::IRBuilder<> b(entry);
  DimEmitter dims(b, table, fn->getArg(2));
  std::vector<llvm::Value*> inputs;
  auto input = [&](int k) { return b.CreateLoad(ptr, b.CreateConstGEP1_64(ptr, fn->getArg(0), k)); };
  const int num_operands = fusion.num_operands();
  for (int k = 0; k < num_operands; ++k) inputs.push_back(input(k));
  llvm::Value* slot = error_slot ? input(num_operands) : nullptr;
  const int first_stage = num_operands + (error_slot ? 1 : 0);
  for (int k = 0; k < static_cast<int>(available.size()); ++k) inputs.push_back(input(first_stage + k));
  llvm::Value* out = b.CreateLoad(ptr, fn->getArg(1));
  ElementEmitter e(b, fn, fusion.region(0), std::move(inputs), available, slot, std::move(dims));
  body(e, fn, out);
  b.CreateRetVoid();
}

// A kernel computing `value(emitter, index)` at elements [begin, end) of a
// value whose dims `dims(emitter)` gives.
void EmitElementKernel(const ir::Op& fusion, llvm::Module& module, const std::string& symbol, const DimTable* table,
                       const std::vector<Stage>& available, bool error_slot,
                       const std::function<elements::Dims(ElementEmitter&)>& dims,
                       const std::function<ir::Scalar(ElementEmitter&, const Index&)>& value) {
  auto loop = [&](ElementEmitter& e, llvm::Function* fn, llvm::Value* out) {
    llvm::IRBuilder<>& b = e.b();
    llvm::LLVMContext& c = b.getContext();
    llvm::Type* i64 = b.getInt64Ty();
    const elements::Dims shape = dims(e);  // in the entry block: computed once
    // for (i = begin; i < end; ++i) out[i] = value at Delinear(i).
    llvm::AllocaInst* counter = e.EntryAlloca(i64);
    b.CreateStore(fn->getArg(3), counter);
    auto* header = llvm::BasicBlock::Create(c, "header", fn);
    auto* body = llvm::BasicBlock::Create(c, "body", fn);
    auto* exit = llvm::BasicBlock::Create(c, "exit", fn);
    b.CreateBr(header);
    b.SetInsertPoint(header);
    llvm::Value* i = b.CreateLoad(i64, counter);
    b.CreateCondBr(b.CreateICmpSLT(i, fn->getArg(4)), body, exit);
    b.SetInsertPoint(body);
    e.Store(out, value(e, e.Delinear(i, shape)), i);
    b.CreateStore(b.CreateAdd(i, b.getInt64(1)), counter);
    b.CreateBr(header);
    b.SetInsertPoint(exit);
  };
  EmitKernel(fusion, module, symbol, table, available, error_slot, loop);
}

}  // namespace

bool HasElementGenerator(const ir::Op& op) { return HasGenerator(op); }

bool HasElementGenerators(const ir::Op& fusion) {
  if (fusion.name() != "fusion") return false;
  for (const auto& op : fusion.region(0).ops()) {
    if (!HasGenerator(*op)) return false;
  }
  return true;
}

bool CanEmitByElements(const ir::Op& fusion, const DimTable* dims) {
  if (!HasElementGenerators(fusion)) return false;
  for (int i = 0; i < fusion.num_operands(); ++i) {
    if (!IsStatic(fusion.operand(i))) return false;
  }
  for (const auto& op : fusion.region(0).ops()) {
    for (int r = 0; r < op->num_results(); ++r) {
      if (!IsStatic(op->result(r))) return false;
    }
  }
  if (dims == nullptr) return true;
  for (const auto& op : fusion.region(0).ops()) {
    if (!elements::SupportsDynamicDims(*op, *dims)) return false;
  }
  return true;
}

absl::StatusOr<ElementsKernels> EmitByElements(const ir::Op& fusion, llvm::Module& module,
                                               const std::string& symbol_prefix, const DimTable* dims) {
  if (!CanEmitByElements(fusion, dims)) {
    return absl::UnimplementedError("fusion has ops without element generators or unsupported run-time dims");
  }
  const DimTable static_dims;  // without a table: every dim as the IR has it
  const DimTable& table = dims != nullptr ? *dims : static_dims;
  const ir::Region& region = fusion.region(0);
  ElementsKernels kernels;
  const std::vector<Stage> stages = elements::PlanStages(fusion, &kernels.error_formats);
  const bool error_slot = !kernels.error_formats.empty();
  for (size_t k = 0; k < stages.size(); ++k) {
    const Stage& stage = stages[k];
    const std::vector<Stage> available(stages.begin(), stages.begin() + static_cast<std::ptrdiff_t>(k));
    kernels.stage_symbols.push_back(StrCat(symbol_prefix, "_stage_", k));
    kernels.stage_types.push_back(stage.type);
    kernels.stage_elements.push_back(StageElements(stage, table));
    kernels.stage_serial.push_back(stage.serial);
    if (stage.serial) {
      EmitKernel(fusion, module, kernels.stage_symbols.back(), dims, available, error_slot,
                 [&](ElementEmitter& e, llvm::Function*, llvm::Value* out) { e.ComputeSerialStage(stage, out); });
    } else if (stage.kind == elements::StageKind::kReduce && elements::IsColumnReduction(*stage.op)) {
      EmitKernel(fusion, module, kernels.stage_symbols.back(), dims, available, error_slot,
                 [&](ElementEmitter& e, llvm::Function* fn, llvm::Value* out) {
                   e.ColumnReduce(*stage.op, out, fn->getArg(3), fn->getArg(4));
                 });
    } else {
      EmitElementKernel(
          fusion, module, kernels.stage_symbols.back(), dims, available, error_slot,
          [&](ElementEmitter& e) { return e.StageDims(stage); },
          [&](ElementEmitter& e, const Index& index) { return e.ComputeStage(stage, index); });
    }
  }
  for (int r = 0; r < fusion.num_results(); ++r) {
    const ir::Value* result = region.terminator()->operand(r);
    kernels.result_symbols.push_back(StrCat(symbol_prefix, "_result_", r));
    EmitElementKernel(
        fusion, module, kernels.result_symbols.back(), dims, stages, error_slot,
        [&](ElementEmitter& e) { return e.DimsOf(result); },
        [&](ElementEmitter& e, const Index& index) { return e.At(result, index); });
  }
  return kernels;
}

}  // namespace graphc::codegen
