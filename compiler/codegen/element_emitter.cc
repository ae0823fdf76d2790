#include "compiler/codegen/element_emitter.h"

#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <tuple>
#include <utility>

#include "compiler/codegen/llvm_scalar_builder.h"
#include "compiler/host_tensor.h"
#include "ir/module.h"
#include "ir/op_registry.h"
#include "ir/str_cat.h"
#include "llvm/IR/IRBuilder.h"

namespace graphc::codegen {
namespace {

using Index = std::vector<llvm::Value*>;  // one i64 per dim

// Ops that only renumber elements (row-major order kept) and ops that
// broadcast their first operand to the result's shape.
bool IsReshape(std::string_view name) {
  return name == "reshape" || name == "reshape_like" || name == "expand_dims" || name == "squeeze";
}
bool IsBroadcast(std::string_view name) { return name == "broadcast_to" || name == "broadcast_like"; }
bool IsFill(std::string_view name) { return name == "fill" || name == "fill_like"; }
bool IsSoftmax(std::string_view name) { return name == "softmax" || name == "log_softmax"; }

enum class Combine { kSum, kMean, kMax, kMin, kProd };
std::optional<Combine> ReduceKind(std::string_view name) {
  if (name == "reduce_sum" || name == "sum_to_like") return Combine::kSum;
  if (name == "reduce_mean") return Combine::kMean;
  if (name == "reduce_max") return Combine::kMax;
  if (name == "reduce_min") return Combine::kMin;
  if (name == "reduce_prod") return Combine::kProd;
  return std::nullopt;
}

bool IsStatic(const ir::Value* v) { return v->shape().is_static(); }

bool HasGenerator(const ir::Op& op) {
  const std::string_view name = op.name();
  if (op.def().is_terminator || op.num_results() != 1) return op.def().is_terminator;
  if (op.def().scalar != nullptr || name == "constant" || IsReshape(name) || IsBroadcast(name) ||
      IsFill(name)) {
    return true;
  }
  if (ReduceKind(name) || IsSoftmax(name)) return ir::IsFloat(op.operand(0)->dtype());
  return name == "one_hot" || name == "transpose" || name == "concat";
}

// The axes a reduce op reduces, as a mask over its operand's dims.
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

// A value computed by its own kernel into a buffer: a reduction's result
// (part 0), or a softmax's row max (part 0) or row sum (part 1).
struct Stage {
  const ir::Op* op;
  int part;
  ir::TensorType type;
};

int64_t SoftmaxAxis(const ir::Op& op) {
  const int64_t axis = op.attr<int64_t>("axis");
  return axis < 0 ? axis + op.operand(0)->shape().rank() : axis;
}

// The shape of a softmax's row statistics: x's, with the axis dim 1.
ir::Shape StatsShape(const ir::Op& op) {
  std::vector<int64_t> dims(op.operand(0)->shape().dims().begin(), op.operand(0)->shape().dims().end());
  dims[static_cast<size_t>(SoftmaxAxis(op))] = 1;
  return ir::Shape(dims);
}

// The stages of a fusion body, in order: each reduction's result, and each
// softmax's row max and row sum (f64, as the interpreter keeps them).
std::vector<Stage> StagesOf(const ir::Region& region) {
  std::vector<Stage> stages;
  for (const auto& op : region.ops()) {
    if (ReduceKind(op->name())) stages.push_back({op.get(), 0, op->result(0)->type()});
    if (IsSoftmax(op->name())) {
      for (int part : {0, 1}) stages.push_back({op.get(), part, ir::TensorType{ir::DType::kF64, StatsShape(*op)}});
    }
  }
  return stages;
}

class ElementEmitter {
 public:
  // `input_ptrs`: the fusion's operands, then the buffers of `available`
  // stages (computed by earlier kernels), in that order.
  ElementEmitter(llvm::IRBuilder<>& b, llvm::Function* fn, const ir::Region& region,
                 std::vector<llvm::Value*> input_ptrs, const std::vector<Stage>& available)
      : b_(b), sb_(b), fn_(fn), region_(region), inputs_(std::move(input_ptrs)) {
    scopes_.emplace_back();
    for (size_t k = 0; k < available.size(); ++k) {
      stage_buffers_[{available[k].op, available[k].part}] = inputs_[region.num_arguments() + k];
    }
  }

  // Stage `s` at `index` (of its shape), computed here: a reduction's loop,
  // or a softmax row's max or sum.
  ir::Scalar ComputeStage(const Stage& s, const Index& index) {
    if (IsSoftmax(s.op->name())) return FromDouble(SoftmaxStat(*s.op, s.part, index), ir::DType::kF64);
    return Reduce(*s.op, *ReduceKind(s.op->name()), index);
  }

  // The scalar value of `v` at `index` (an index into v's shape).
  ir::Scalar At(const ir::Value* v, const Index& index) {
    const Key key{v, index};
    for (auto scope = scopes_.rbegin(); scope != scopes_.rend(); ++scope) {
      if (auto it = scope->find(key); it != scope->end()) return it->second;
    }
    const ir::Scalar s = Generate(v, index);
    scopes_.back().emplace(key, s);
    return s;
  }

  // for (i = 0; i < n; ++i) body(i), as LLVM blocks at the insertion point.
  // Values generated inside stay inside (they do not dominate what follows).
  void ForRange(int64_t n, const std::function<void(llvm::Value*)>& body) {
    llvm::AllocaInst* counter = EntryAlloca(b_.getInt64Ty());
    b_.CreateStore(b_.getInt64(0), counter);
    llvm::LLVMContext& c = b_.getContext();
    auto* header = llvm::BasicBlock::Create(c, "for.header", fn_);
    auto* loop = llvm::BasicBlock::Create(c, "for.body", fn_);
    auto* exit = llvm::BasicBlock::Create(c, "for.exit", fn_);
    b_.CreateBr(header);
    b_.SetInsertPoint(header);
    llvm::Value* i = b_.CreateLoad(b_.getInt64Ty(), counter);
    b_.CreateCondBr(b_.CreateICmpSLT(i, b_.getInt64(n)), loop, exit);
    b_.SetInsertPoint(loop);
    scopes_.emplace_back();
    body(i);
    scopes_.pop_back();
    b_.CreateStore(b_.CreateAdd(i, b_.getInt64(1)), counter);
    b_.CreateBr(header);
    b_.SetInsertPoint(exit);
  }

  // Nested loops over every index of `dims` (row-major: the last dim
  // innermost), calling body with the full index.
  void ForIndices(const std::vector<int64_t>& dims, const std::function<void(const Index&)>& body,
                  Index prefix = {}) {
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

  llvm::AllocaInst* EntryAlloca(llvm::Type* type) {
    llvm::IRBuilder<> entry(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
    return entry.CreateAlloca(type);
  }

  llvm::Value* Linear(const Index& index, const ir::Shape& shape) {
    llvm::Value* linear = b_.getInt64(0);
    int64_t stride = 1;
    for (int64_t d = shape.rank() - 1; d >= 0; --d) {
      linear = b_.CreateAdd(linear, b_.CreateMul(index[static_cast<size_t>(d)], b_.getInt64(stride)));
      stride *= shape.dim(d);
    }
    return linear;
  }

  Index Delinear(llvm::Value* linear, const ir::Shape& shape) {
    Index index(static_cast<size_t>(shape.rank()));
    for (int64_t d = shape.rank() - 1; d >= 0; --d) {
      const int64_t dim = shape.dim(d);
      index[static_cast<size_t>(d)] = dim == 1 ? b_.getInt64(0) : b_.CreateURem(linear, b_.getInt64(dim));
      if (d > 0 && dim != 1) linear = b_.CreateUDiv(linear, b_.getInt64(dim));
    }
    return index;
  }

 private:
  struct Key {
    const ir::Value* value;
    Index index;
    bool operator<(const Key& o) const { return std::tie(value, index) < std::tie(o.value, o.index); }
  };

  // NumPy broadcasting: the index into `from` (aligned on the right with
  // `to`) of element `index` of `to`.
  Index Broadcast(const Index& index, const ir::Shape& from, const ir::Shape& to) {
    Index out(static_cast<size_t>(from.rank()));
    for (int64_t d = 0; d < from.rank(); ++d) {
      const int64_t o = d + (to.rank() - from.rank());
      out[static_cast<size_t>(d)] = from.dim(d) == 1 ? b_.getInt64(0) : index[static_cast<size_t>(o)];
    }
    return out;
  }

  ir::Scalar Load(llvm::Value* base, ir::DType dtype, llvm::Value* offset) {
    llvm::Type* mem = MemoryType(b_.getContext(), dtype);
    llvm::Value* v = b_.CreateLoad(mem, b_.CreateGEP(mem, base, offset));
    if (dtype == ir::DType::kBool) v = b_.CreateICmpNE(v, b_.getInt8(0));
    return LlvmScalarBuilder::Wrap(v, dtype);
  }

  // A host tensor's bytes as a private constant global.
  llvm::Value* ConstantData(const HostTensor& t) {
    llvm::Module& m = *fn_->getParent();
    auto* data = llvm::ConstantDataArray::getRaw(
        llvm::StringRef(reinterpret_cast<const char*>(t.data()), static_cast<size_t>(t.byte_size())),
        static_cast<uint64_t>(t.size()), MemoryType(b_.getContext(), t.dtype()));
    return new llvm::GlobalVariable(m, data->getType(), /*isConstant=*/true, llvm::GlobalValue::PrivateLinkage, data);
  }

  ir::Scalar Generate(const ir::Value* v, const Index& index) {
    for (int k = 0; k < region_.num_arguments(); ++k) {
      if (region_.argument(k) == v) return Load(inputs_[static_cast<size_t>(k)], v->dtype(), Linear(index, v->shape()));
    }
    const ir::Op& op = *v->defining_op();
    const std::string_view name = op.name();
    if (name == "constant") {
      const HostTensor t = HostTensor::FromDense(op.attr<ir::DenseElements>("value"));
      if (t.size() == 1) return FromHost(t);
      return Load(ConstantData(t), t.dtype(), Linear(index, v->shape()));
    }
    if (IsFill(name)) {
      HostTensor t(v->dtype(), ir::Shape{});
      t.SetDouble(0, op.attr<double>("value"));  // the interpreter's conversion
      return FromHost(t);
    }
    if (IsReshape(name)) return At(op.operand(0), Delinear(Linear(index, v->shape()), op.operand(0)->shape()));
    if (IsBroadcast(name)) return At(op.operand(0), Broadcast(index, op.operand(0)->shape(), v->shape()));
    if (name == "transpose") return Transpose(op, index);
    if (name == "concat") return Concat(op, index);
    if (name == "one_hot") return OneHot(op, index);
    if (IsSoftmax(name)) return Softmax(op, index);
    if (std::optional<Combine> combine = ReduceKind(name)) {
      if (llvm::Value* buffer = StageBuffer(op, 0)) return Load(buffer, v->dtype(), Linear(index, v->shape()));
      return Reduce(op, *combine, index);
    }
    std::vector<ir::Scalar> operands;
    for (const ir::Value* operand : op.operands()) {
      operands.push_back(At(operand, Broadcast(index, operand->shape(), v->shape())));
    }
    return op.def().scalar(sb_, operands, op.attrs());
  }

  // A one-element host tensor as an exact constant.
  ir::Scalar FromHost(const HostTensor& t) {
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

  llvm::Value* ToDouble(ir::Scalar s) {
    llvm::Value* v = LlvmScalarBuilder::Unwrap(s);
    return s.dtype == ir::DType::kF64 ? v : b_.CreateFPExt(v, b_.getDoubleTy());
  }
  ir::Scalar FromDouble(llvm::Value* d, ir::DType dtype) {
    return LlvmScalarBuilder::Wrap(dtype == ir::DType::kF64 ? d : b_.CreateFPTrunc(d, b_.getFloatTy()), dtype);
  }
  llvm::Value* CallDouble(const char* name, llvm::Value* x) {
    llvm::FunctionCallee f = fn_->getParent()->getOrInsertFunction(
        name, llvm::FunctionType::get(b_.getDoubleTy(), {b_.getDoubleTy()}, false));
    return b_.CreateCall(f, {x});
  }

  // The interpreter's FMax / FMin on doubles: NaN wins (a + b), -0 < +0.
  llvm::Value* MaxOrMin(llvm::Value* a, llvm::Value* v, bool max) {
    llvm::Value* any_nan = b_.CreateFCmpUNO(a, v);
    llvm::Value* sign_a = b_.CreateICmpSLT(b_.CreateBitCast(a, b_.getInt64Ty()), b_.getInt64(0));
    // Equal: max keeps the positive one (a unless a is negative), min the
    // negative one.
    llvm::Value* equal_pick = max ? b_.CreateSelect(sign_a, v, a) : b_.CreateSelect(sign_a, a, v);
    llvm::Value* ordered_pick =
        max ? b_.CreateSelect(b_.CreateFCmpOGT(a, v), a, v) : b_.CreateSelect(b_.CreateFCmpOLT(a, v), a, v);
    llvm::Value* pick = b_.CreateSelect(b_.CreateFCmpOEQ(a, v), equal_pick, ordered_pick);
    return b_.CreateSelect(any_nan, b_.CreateFAdd(a, v), pick);
  }

  // A float reduction at one result element: a double accumulator over the
  // reduced dims in row-major order, as the interpreter sums.
  ir::Scalar Reduce(const ir::Op& op, Combine combine, const Index& index) {
    const ir::Value* x = op.operand(0);
    const ir::Shape& xs = x->shape();
    const std::vector<bool> reduced = ReducedDims(op);
    // Kept dims come from the result index: with keepdims (and for
    // sum_to_like, whose result keeps x's rank or a suffix of it) a reduced
    // dim still occupies a result position.
    const bool same_rank = op.result(0)->shape().rank() == xs.rank();
    const int64_t dropped = xs.rank() - op.result(0)->shape().rank();  // sum_to_like's leading dims
    std::vector<int64_t> loop_dims;
    for (int64_t d = 0; d < xs.rank(); ++d) {
      if (reduced[static_cast<size_t>(d)]) loop_dims.push_back(xs.dim(d));
    }
    const double inf = std::numeric_limits<double>::infinity();
    const double init = combine == Combine::kProd ? 1.0 : combine == Combine::kMax ? -inf
                        : combine == Combine::kMin ? inf : 0.0;
    llvm::AllocaInst* acc = EntryAlloca(b_.getDoubleTy());
    b_.CreateStore(llvm::ConstantFP::get(b_.getDoubleTy(), init), acc);
    ForIndices(loop_dims, [&](const Index& inner) {
      Index xi(static_cast<size_t>(xs.rank()));
      size_t next_inner = 0, next_kept = 0;
      for (int64_t d = 0; d < xs.rank(); ++d) {
        if (reduced[static_cast<size_t>(d)]) {
          xi[static_cast<size_t>(d)] = inner[next_inner++];
        } else if (op.name() == "sum_to_like") {
          xi[static_cast<size_t>(d)] = index[static_cast<size_t>(d - dropped)];
        } else {
          xi[static_cast<size_t>(d)] = index[same_rank ? static_cast<size_t>(d) : next_kept++];
        }
      }
      llvm::Value* a = b_.CreateLoad(b_.getDoubleTy(), acc);
      llvm::Value* v = ToDouble(At(x, xi));
      llvm::Value* next = nullptr;
      switch (combine) {
        case Combine::kSum:
        case Combine::kMean: next = b_.CreateFAdd(a, v); break;
        case Combine::kProd: next = b_.CreateFMul(a, v); break;
        case Combine::kMax: next = MaxOrMin(a, v, true); break;
        case Combine::kMin: next = MaxOrMin(a, v, false); break;
      }
      b_.CreateStore(next, acc);
    });
    llvm::Value* result = b_.CreateLoad(b_.getDoubleTy(), acc);
    if (combine == Combine::kMean) {
      int64_t count = 1;
      for (int64_t n : loop_dims) count *= n;
      result = b_.CreateFDiv(result, llvm::ConstantFP::get(b_.getDoubleTy(), static_cast<double>(count)));
    }
    return FromDouble(result, op.result(0)->dtype());
  }

  // transpose: out[i_0, ..., i_n] = x[j] with j[perm[d]] = i_d (perm empty:
  // reversed dims).
  ir::Scalar Transpose(const ir::Op& op, const Index& index) {
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
  ir::Scalar Concat(const ir::Op& op, const Index& index) {
    const int64_t rank = op.result(0)->shape().rank();
    int64_t axis = op.attr<int64_t>("axis");
    if (axis < 0) axis += rank;
    llvm::Value* position = index[static_cast<size_t>(axis)];
    llvm::Value* result = nullptr;
    int64_t start = 0;
    for (int k = 0; k < op.num_operands(); ++k) {
      const int64_t len = op.operand(k)->shape().dim(axis);
      if (len == 0) continue;
      Index in = index;
      llvm::Value* local = b_.CreateSub(position, b_.getInt64(start));
      local = b_.CreateSelect(b_.CreateICmpSLT(local, b_.getInt64(0)), b_.getInt64(0), local);
      local = b_.CreateSelect(b_.CreateICmpSGT(local, b_.getInt64(len - 1)), b_.getInt64(len - 1), local);
      in[static_cast<size_t>(axis)] = local;
      llvm::Value* v = LlvmScalarBuilder::Unwrap(At(op.operand(k), in));
      result = result == nullptr ? v : b_.CreateSelect(b_.CreateICmpSGE(position, b_.getInt64(start)), v, result);
      start += len;
    }
    if (result == nullptr) return sb_.Constant(0, op.result(0)->dtype());  // no elements to read
    return LlvmScalarBuilder::Wrap(result, op.result(0)->dtype());
  }

  // one_hot: on where the index along `axis` equals the indices' element.
  ir::Scalar OneHot(const ir::Op& op, const Index& index) {
    const int64_t rank = op.result(0)->shape().rank();
    int64_t axis = op.attr<int64_t>("axis");
    if (axis < 0) axis += rank;
    Index outer;
    for (int64_t d = 0; d < rank; ++d) {
      if (d != axis) outer.push_back(index[static_cast<size_t>(d)]);
    }
    llvm::Value* idx = LlvmScalarBuilder::Unwrap(At(op.operand(0), outer));
    idx = b_.CreateSExtOrTrunc(idx, b_.getInt64Ty());
    llvm::Value* hit = b_.CreateICmpEQ(idx, index[static_cast<size_t>(axis)]);
    const ir::DType dtype = op.result(0)->dtype();
    HostTensor on(dtype, ir::Shape{}), off(dtype, ir::Shape{});
    on.SetDouble(0, op.attr<double>("on_value"));
    off.SetDouble(0, op.attr<double>("off_value"));
    return LlvmScalarBuilder::Wrap(
        b_.CreateSelect(hit, LlvmScalarBuilder::Unwrap(FromHost(on)), LlvmScalarBuilder::Unwrap(FromHost(off))),
        dtype);
  }

  llvm::Value* StageBuffer(const ir::Op& op, int part) const {
    auto it = stage_buffers_.find({&op, part});
    return it == stage_buffers_.end() ? nullptr : it->second;
  }

  // A softmax row statistic, in double, at `row` (an index into x's shape
  // with the axis at 0): part 0 the max (std::max, which skips a NaN after
  // the first element, as the interpreter), part 1 the sum of exp(x - max).
  llvm::Value* SoftmaxStat(const ir::Op& op, int part, const Index& row) {
    if (llvm::Value* buffer = StageBuffer(op, part)) {
      return LlvmScalarBuilder::Unwrap(Load(buffer, ir::DType::kF64, Linear(row, StatsShape(op))));
    }
    const ir::Value* x = op.operand(0);
    const int64_t axis = SoftmaxAxis(op);
    auto at = [&](llvm::Value* j) {
      Index xi = row;
      xi[static_cast<size_t>(axis)] = j;
      return ToDouble(At(x, xi));
    };
    llvm::Value* max = part == 1 ? SoftmaxStat(op, 0, row) : nullptr;
    llvm::AllocaInst* acc = EntryAlloca(b_.getDoubleTy());
    b_.CreateStore(part == 0 ? llvm::ConstantFP::getInfinity(b_.getDoubleTy(), /*Negative=*/true)
                             : llvm::ConstantFP::get(b_.getDoubleTy(), 0.0),
                   acc);
    ForRange(x->shape().dim(axis), [&](llvm::Value* j) {
      llvm::Value* a = b_.CreateLoad(b_.getDoubleTy(), acc);
      llvm::Value* v = at(j);
      b_.CreateStore(part == 0 ? b_.CreateSelect(b_.CreateFCmpOLT(a, v), v, a)
                               : b_.CreateFAdd(a, CallDouble("exp", b_.CreateFSub(v, max))),
                     acc);
    });
    return b_.CreateLoad(b_.getDoubleTy(), acc);
  }

  // softmax / log_softmax at one element, as the interpreter computes them
  // in double from the row's max and sum.
  ir::Scalar Softmax(const ir::Op& op, const Index& index) {
    Index row = index;
    row[static_cast<size_t>(SoftmaxAxis(op))] = b_.getInt64(0);
    llvm::Value* max = SoftmaxStat(op, 0, row);
    llvm::Value* total = SoftmaxStat(op, 1, row);
    llvm::Value* z = b_.CreateFSub(ToDouble(At(op.operand(0), index)), max);
    llvm::Value* result = op.name() == "log_softmax" ? b_.CreateFSub(z, CallDouble("log", total))
                                                     : b_.CreateFDiv(CallDouble("exp", z), total);
    return FromDouble(result, op.result(0)->dtype());
  }

  llvm::IRBuilder<>& b_;
  LlvmScalarBuilder sb_;
  llvm::Function* fn_;
  const ir::Region& region_;
  std::vector<llvm::Value*> inputs_;
  // Values already emitted at an index; one scope per open loop.
  std::vector<std::map<Key, ir::Scalar>> scopes_;
  std::map<std::pair<const ir::Op*, int>, llvm::Value*> stage_buffers_;
};

}  // namespace

bool HasElementGenerator(const ir::Op& op) { return HasGenerator(op); }

bool HasElementGenerators(const ir::Op& fusion) {
  if (fusion.name() != "fusion") return false;
  for (const auto& op : fusion.region(0).ops()) {
    if (!HasGenerator(*op)) return false;
  }
  return true;
}

bool CanEmitByElements(const ir::Op& fusion) {
  if (!HasElementGenerators(fusion)) return false;
  for (int i = 0; i < fusion.num_operands(); ++i) {
    if (!IsStatic(fusion.operand(i))) return false;
  }
  for (const auto& op : fusion.region(0).ops()) {
    for (int r = 0; r < op->num_results(); ++r) {
      if (!IsStatic(op->result(r))) return false;
    }
  }
  return true;
}

namespace {

// Adds one kernel `symbol` computing `value(emitter, index)` at every
// element of `type`: kernel output 0, inputs the fusion's operands and then
// the buffers of `available` stages.
void EmitKernel(const ir::Op& fusion, llvm::Module& module, const std::string& symbol,
                const std::vector<Stage>& available, const ir::TensorType& type,
                const std::function<ir::Scalar(ElementEmitter&, const Index&)>& value) {
  llvm::LLVMContext& c = module.getContext();
  llvm::Type* i64 = llvm::Type::getInt64Ty(c);
  llvm::Type* ptr = llvm::PointerType::getUnqual(c);
  auto* fn_type = llvm::FunctionType::get(llvm::Type::getVoidTy(c), {ptr, ptr, ptr, ptr, i64, i64}, false);
  llvm::Function* fn = llvm::Function::Create(fn_type, llvm::Function::ExternalLinkage, symbol, module);
  fn->addFnAttr(llvm::Attribute::NoUnwind);
  auto* entry = llvm::BasicBlock::Create(c, "entry", fn);
  llvm::IRBuilder<> b(entry);
  std::vector<llvm::Value*> inputs;
  const int num_inputs = fusion.num_operands() + static_cast<int>(available.size());
  for (int k = 0; k < num_inputs; ++k) {
    inputs.push_back(b.CreateLoad(ptr, b.CreateConstGEP1_64(ptr, fn->getArg(0), k)));
  }
  llvm::Value* out = b.CreateLoad(ptr, fn->getArg(1));
  ElementEmitter e(b, fn, fusion.region(0), std::move(inputs), available);
  // for (i = begin; i < end; ++i) out[i] = value at Delinear(i).
  llvm::AllocaInst* counter = e.EntryAlloca(i64);
  b.CreateStore(fn->getArg(4), counter);
  auto* header = llvm::BasicBlock::Create(c, "header", fn);
  auto* body = llvm::BasicBlock::Create(c, "body", fn);
  auto* exit = llvm::BasicBlock::Create(c, "exit", fn);
  b.CreateBr(header);
  b.SetInsertPoint(header);
  llvm::Value* i = b.CreateLoad(i64, counter);
  b.CreateCondBr(b.CreateICmpSLT(i, fn->getArg(5)), body, exit);
  b.SetInsertPoint(body);
  llvm::Value* v = LlvmScalarBuilder::Unwrap(value(e, e.Delinear(i, type.shape)));
  if (type.dtype == ir::DType::kBool) v = b.CreateZExt(v, b.getInt8Ty());
  b.CreateStore(v, b.CreateGEP(MemoryType(c, type.dtype), out, i));
  b.CreateStore(b.CreateAdd(i, b.getInt64(1)), counter);
  b.CreateBr(header);
  b.SetInsertPoint(exit);
  b.CreateRetVoid();
}

}  // namespace

absl::StatusOr<ElementsKernels> EmitByElements(const ir::Op& fusion, llvm::Module& module,
                                               const std::string& symbol_prefix) {
  if (!CanEmitByElements(fusion)) return absl::UnimplementedError("fusion has ops without element generators");
  const ir::Region& region = fusion.region(0);
  const std::vector<Stage> stages = StagesOf(region);
  ElementsKernels kernels;
  for (size_t k = 0; k < stages.size(); ++k) {
    const std::vector<Stage> available(stages.begin(), stages.begin() + static_cast<std::ptrdiff_t>(k));
    kernels.stage_symbols.push_back(StrCat(symbol_prefix, "_stage_", k));
    kernels.stage_types.push_back(stages[k].type);
    EmitKernel(fusion, module, kernels.stage_symbols.back(), available, stages[k].type,
               [&](ElementEmitter& e, const Index& index) { return e.ComputeStage(stages[k], index); });
  }
  for (int r = 0; r < fusion.num_results(); ++r) {
    const ir::Value* result = region.terminator()->operand(r);
    kernels.result_symbols.push_back(StrCat(symbol_prefix, "_result_", r));
    EmitKernel(fusion, module, kernels.result_symbols.back(), stages, result->type(),
               [&](ElementEmitter& e, const Index& index) { return e.At(result, index); });
  }
  return kernels;
}

}  // namespace graphc::codegen
