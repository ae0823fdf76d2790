#include "compiler/codegen/function_emitter.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "compiler/codegen/element_emitter.h"
#include "compiler/codegen/llvm_scalar_builder.h"
#include "compiler/codegen/loop_emitter.h"
#include "compiler/codegen/matmul_fusion.h"
#include "compiler/codegen/runtime_symbols.h"
#include "compiler/codegen/small_matmul.h"
#include "compiler/codegen/symbolic_arena.h"
#include "compiler/host_tensor.h"
#include "ir/op_registry.h"
#include "ir/str_cat.h"
#include "llvm/IR/IRBuilder.h"

namespace graphc::codegen {
namespace {

using passes::BufferKind;
using passes::ValueBuffer;

// A loop of at least this much work (elements, times the elements each one
// reads for a reduction) is split over the thread pool. Waking the pool
// costs about 0.2-0.3 us (bench BM_ThreadPoolDispatch), a 2^15-element loop
// takes several us: splitting the large MLP's [256, 512] activation loops
// (2^17) took its step on 2 threads from 5.65 to 5.38 ms (2^18 before).
constexpr int64_t kParallelWork = int64_t{1} << 15;

int64_t RoundUp(int64_t n) { return (n + 63) / 64 * 64; }

// Fields of graphc_call_frame, in order.
enum FrameField { kParams, kResults, kVariables, kArena, kError, kErrorCapacity, kDims };

std::string DescribeFusion(const ir::Op& fusion) {
  std::string ops;
  for (const auto& op : fusion.region(0).ops()) {
    if (op->def().is_terminator) continue;
    if (!ops.empty()) ops += ", ";
    ops += op->name();
  }
  return StrCat("fusion {kind = \"", fusion.attr<std::string>("kind"), "\"} of ", ops);
}

class FunctionEmitter {
 public:
  FunctionEmitter(const ir::Function& f, const passes::BufferPlan& plan, llvm::Module& m, std::string symbol,
                  const DimTable* dims)
      : f_(f), plan_(plan), m_(m), c_(m.getContext()), b_(c_), symbol_(std::move(symbol)),
        dims_(dims != nullptr && !dims->empty() ? dims : nullptr) {
    for (const ValueBuffer& vb : plan_.values) buffers_[vb.value] = &vb;
    if (dims_ != nullptr) {
      arena_ = PlaceArena(plan_, *dims_);
      scratch_begin_ = RoundUpTerms(arena_->bytes, passes::kBufferAlignment);
    } else {
      scratch_begin_ = AffineDim::Constant(RoundUp(plan_.arena_bytes));
    }
    result_.entry_symbol = symbol_;
    result_.variables = f_.UsedVariables();
    for (size_t i = 0; i < result_.variables.size(); ++i) variable_index_[result_.variables[i]] = static_cast<int>(i);
  }

  absl::StatusOr<EmittedFunction> Emit() {
    llvm::Type* ptr = b_.getPtrTy();
    auto* type = llvm::FunctionType::get(b_.getInt32Ty(), {ptr}, false);
    entry_ = llvm::Function::Create(type, llvm::Function::ExternalLinkage, symbol_, m_);
    entry_->addFnAttr(llvm::Attribute::NoUnwind);
    frame_ = entry_->getArg(0);
    b_.SetInsertPoint(llvm::BasicBlock::Create(c_, "entry", entry_));
    for (FrameField field : {kParams, kResults, kVariables, kArena}) {
      frame_fields_[field] = b_.CreateLoad(ptr, FrameFieldAddress(field));
    }
    symbols_ = b_.CreateLoad(ptr, FrameFieldAddress(kDims));
    dim_values_ = DimEmitter(b_, dims_, symbols_);
    if (absl::Status s = EmitRegion(f_.body()); !s.ok()) return s;
    const ir::Op* ret = f_.body().terminator();
    for (int r = 0; r < ret->num_operands(); ++r) {
      const ir::Value* v = ret->operand(r);
      const ValueBuffer& root = Root(v);
      if (root.kind == BufferKind::kResult && root.result == r) continue;  // computed in place
      Copy(LoadPointer(kResults, r), Address(v), Bytes(v));
    }
    b_.CreateRet(b_.getInt32(0));
    result_.arena = scratch_begin_ + scratch_bytes_;
    result_.arena_bytes = result_.arena.constant;
    return result_;
  }

 private:
  // ---- addresses ----

  llvm::Value* FrameFieldAddress(FrameField field) {
    return b_.CreateConstInBoundsGEP1_64(b_.getInt8Ty(), frame_, 8 * static_cast<int64_t>(field));
  }

  // Element i of the pointer array in frame field `field`, loaded where the
  // builder is (always dominated by the entry block's loads).
  llvm::Value* LoadPointer(FrameField field, int64_t i) {
    llvm::Type* ptr = b_.getPtrTy();
    return b_.CreateLoad(ptr, b_.CreateConstInBoundsGEP1_64(ptr, frame_fields_[field], i));
  }

  const ValueBuffer& Buffer(const ir::Value* v) const { return *buffers_.at(v); }
  const ValueBuffer& Root(const ir::Value* v) const {
    return plan_.values[static_cast<size_t>(Buffer(v).root)];
  }

  llvm::Value* ArenaAt(const AffineDim& offset) {
    return b_.CreateInBoundsGEP(b_.getInt8Ty(), frame_fields_[kArena], dim_values_.Emit(b_, offset));
  }

  // Sizes, which vary with the run-time dims of a shape family.
  AffineDim Elements(const ir::Value* v) const { return dim_values_.AffineElements(v); }
  AffineDim Bytes(const ir::Value* v) const { return Elements(v) * ir::DTypeSize(v->dtype()); }
  bool SameType(const ir::Value* a, const ir::Value* b) const {
    return a->dtype() == b->dtype() && SameShape(dims_, a, b);
  }

  llvm::Value* VariableAddress(const std::string& name) { return LoadPointer(kVariables, variable_index_.at(name)); }

  // Where the bytes of `v` are.
  llvm::Value* Address(const ir::Value* v) {
    const ValueBuffer& root = Root(v);
    switch (root.kind) {
      case BufferKind::kArena:
        return ArenaAt(arena_ ? arena_->offsets[static_cast<size_t>(Buffer(v).root)] : AffineDim::Constant(root.offset));
      case BufferKind::kParam: return LoadPointer(kParams, root.value->index());
      case BufferKind::kResult: return LoadPointer(kResults, root.result);
      case BufferKind::kVariable: return VariableAddress(root.variable);
      case BufferKind::kConstant: return ConstantData(root.value);
      default: break;
    }
    return llvm::ConstantPointerNull::get(b_.getPtrTy());  // excluded by the checks before emitting
  }

  // A private constant global holding `t`'s bytes.
  llvm::Value* GlobalData(const HostTensor& t) {
    auto* data = llvm::ConstantDataArray::getRaw(
        llvm::StringRef(reinterpret_cast<const char*>(t.data()), static_cast<size_t>(t.byte_size())),
        static_cast<uint64_t>(t.size()), MemoryType(c_, t.dtype()));
    auto* global = new llvm::GlobalVariable(m_, data->getType(), /*isConstant=*/true,
                                            llvm::GlobalValue::PrivateLinkage, data);
    global->setAlignment(llvm::Align(64));
    return global;
  }

  llvm::Value* ConstantData(const ir::Value* v) {
    auto [it, inserted] = constants_.try_emplace(v, nullptr);
    if (inserted) {
      it->second = GlobalData(HostTensor::FromDense(v->defining_op()->attr<ir::DenseElements>("value")));
    }
    return it->second;
  }

  // Scratch bytes valid until the next fusion, at `*next` (advanced).
  llvm::Value* Scratch(const AffineDim& bytes, AffineDim* next) {
    const AffineDim offset = *next;
    *next = *next + RoundUpTerms(bytes, passes::kBufferAlignment);
    scratch_bytes_ = UpperBound(scratch_bytes_, *next);
    return ArenaAt(scratch_begin_ + offset);
  }

  void Copy(llvm::Value* to, llvm::Value* from, const AffineDim& bytes) {
    if (bytes == AffineDim::Constant(0) || to == from) return;
    b_.CreateMemCpy(to, llvm::MaybeAlign(), from, llvm::MaybeAlign(), dim_values_.Emit(b_, bytes));
  }

  // ---- kernel calls ----

  // An array of pointers on the entry's stack, filled here.
  llvm::Value* PointerArray(const std::vector<llvm::Value*>& pointers) {
    llvm::IRBuilder<> at_entry(&entry_->getEntryBlock(), entry_->getEntryBlock().begin());
    llvm::Type* ptr = b_.getPtrTy();
    llvm::Value* array = at_entry.CreateAlloca(ptr, b_.getInt64(std::max<size_t>(pointers.size(), 1)));
    for (size_t i = 0; i < pointers.size(); ++i) {
      b_.CreateStore(pointers[i], b_.CreateConstInBoundsGEP1_64(ptr, array, static_cast<int64_t>(i)));
    }
    return array;
  }

  // Calls the loop kernel `symbol` (runtime/kernel_abi.h) over [0, n), on
  // the thread pool when `work` is large. The kernel becomes internal to
  // the module, so small ones can be inlined into the entry.
  void CallLoop(const std::string& symbol, const std::vector<llvm::Value*>& inputs,
                const std::vector<llvm::Value*>& outputs, const AffineDim& n, const AffineDim& work) {
    CallKernel(symbol, PointerArray(inputs), outputs, n, work);
  }

  // The same with the input pointer array already built (`in`). When the
  // sizes vary with the run-time dims, whether to split is decided at run
  // time.
  void CallKernel(const std::string& symbol, llvm::Value* in, const std::vector<llvm::Value*>& outputs,
                  const AffineDim& n, const AffineDim& work) {
    llvm::Function* kernel = m_.getFunction(symbol);
    kernel->setLinkage(llvm::GlobalValue::InternalLinkage);
    if (n == AffineDim::Constant(0)) return;
    llvm::Value* out = PointerArray(outputs);
    llvm::Value* count = dim_values_.Emit(b_, n);
    auto parallel = [&] {
      b_.CreateCall(RuntimeFunction(m_, "graphc_parallel_loop"), {kernel, in, out, symbols_, count});
    };
    auto serial = [&] { b_.CreateCall(kernel, {in, out, symbols_, b_.getInt64(0), count}); };
    if (n.is_constant() && work.is_constant()) {
      std::max(work.constant, n.constant) >= kParallelWork ? parallel() : serial();
      return;
    }
    llvm::Value* large = b_.CreateOr(b_.CreateICmpSGE(count, b_.getInt64(kParallelWork)),
                                     b_.CreateICmpSGE(dim_values_.Emit(b_, work), b_.getInt64(kParallelWork)));
    auto* split = llvm::BasicBlock::Create(c_, "split", entry_);
    auto* direct = llvm::BasicBlock::Create(c_, "direct", entry_);
    auto* done = llvm::BasicBlock::Create(c_, "called", entry_);
    b_.CreateCondBr(large, split, direct);
    b_.SetInsertPoint(split);
    parallel();
    b_.CreateBr(done);
    b_.SetInsertPoint(direct);
    serial();
    b_.CreateBr(done);
    b_.SetInsertPoint(done);
  }

  std::string NextKernelName() { return StrCat(symbol_, "_k", next_kernel_++); }

  // ---- ops ----

  absl::Status EmitRegion(const ir::Region& region) {
    for (const auto& op : region.ops()) {
      if (op->def().is_terminator) break;
      if (absl::Status s = EmitOp(*op); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  absl::Status EmitOp(const ir::Op& op) {
    const std::string_view name = op.name();
    if (name == "fusion") return EmitFusion(op);
    if (name == "while") return EmitWhile(op);
    if (name == "cond") return EmitCond(op);
    if (name == "read_var") {
      const ValueBuffer& vb = Buffer(op.result(0));
      if (vb.kind != BufferKind::kVariable) {  // a copy: the variable is written while this is read
        Copy(Address(op.result(0)), VariableAddress(vb.variable), Bytes(op.result(0)));
      }
      return absl::OkStatus();
    }
    if (name == "assign" || name == "assign_add" || name == "assign_sub") return EmitAssign(op);
    if (name == "random_uniform" || name == "random_normal") return EmitRandom(op);
    if (name == "constant" || name == "reshape" || name == "reshape_like" || name == "expand_dims" ||
        name == "squeeze") {
      return absl::OkStatus();  // constants and views take no code
    }
    return absl::UnimplementedError(StrCat("'", name, "' is not compiled yet"));
  }

  absl::Status EmitAssign(const ir::Op& op) {
    const std::string& var = op.attr<ir::SymbolRef>("var").name;
    const ir::Value* value = op.operand(0);
    llvm::Value* dst = VariableAddress(var);
    llvm::Value* src = Address(value);
    if (op.name() == "assign") {
      // Nothing to do when the value was computed in the variable
      // (PlanOptions::assigned_values_in_variables) or read from it.
      const ValueBuffer& vb = Buffer(value);
      if (vb.kind == BufferKind::kVariable && vb.variable == var) return absl::OkStatus();
      // The value may be a view of the variable itself.
      b_.CreateMemMove(dst, llvm::MaybeAlign(), src, llvm::MaybeAlign(), dim_values_.Emit(b_, Bytes(value)));
      return absl::OkStatus();
    }
    // var[i] = var[i] +/- value[i], in the loop below.
    const ir::DType dtype = value->dtype();
    llvm::Type* mem = MemoryType(c_, dtype);
    llvm::BasicBlock* before = b_.GetInsertBlock();
    auto* loop = llvm::BasicBlock::Create(c_, "assign.loop", entry_);
    auto* done = llvm::BasicBlock::Create(c_, "assign.done", entry_);
    llvm::Value* n = dim_values_.Emit(b_, Elements(value));
    b_.CreateCondBr(b_.CreateICmpSGT(n, b_.getInt64(0)), loop, done);
    b_.SetInsertPoint(loop);
    llvm::PHINode* i = b_.CreatePHI(b_.getInt64Ty(), 2);
    i->addIncoming(b_.getInt64(0), before);
    llvm::Value* dst_i = b_.CreateInBoundsGEP(mem, dst, i);
    auto load = [&](llvm::Value* p) {
      llvm::Value* v = b_.CreateLoad(mem, p);
      if (dtype == ir::DType::kBool) v = b_.CreateICmpNE(v, b_.getInt8(0));
      return LlvmScalarBuilder::Wrap(v, dtype);
    };
    LlvmScalarBuilder sb(b_);
    const ir::Scalar old_value = load(dst_i);
    const ir::Scalar delta = load(b_.CreateInBoundsGEP(mem, src, i));
    llvm::Value* updated =
        LlvmScalarBuilder::Unwrap(op.name() == "assign_add" ? sb.Add(old_value, delta) : sb.Sub(old_value, delta));
    if (dtype == ir::DType::kBool) updated = b_.CreateZExt(updated, b_.getInt8Ty());
    b_.CreateStore(updated, dst_i);
    llvm::Value* next = b_.CreateAdd(i, b_.getInt64(1));
    i->addIncoming(next, b_.GetInsertBlock());
    b_.CreateCondBr(b_.CreateICmpSLT(next, n), loop, done);
    b_.SetInsertPoint(done);
    return absl::OkStatus();
  }

  absl::Status EmitRandom(const ir::Op& op) {
    const ir::Value* out = op.result(0);
    const bool f32 = out->dtype() == ir::DType::kF32;
    if (!f32 && out->dtype() != ir::DType::kF64) {
      return absl::UnimplementedError(StrCat(op.name(), " of ", ir::DTypeName(out->dtype())));
    }
    const bool uniform = op.name() == "random_uniform";
    const double p0 = op.attr<double>(uniform ? "minval" : "mean");
    const double p1 = op.attr<double>(uniform ? "maxval" : "stddev");
    llvm::Type* ft = f32 ? b_.getFloatTy() : b_.getDoubleTy();
    // The interpreter rounds the attributes to the dtype first.
    auto param = [&](double v) {
      return f32 ? llvm::ConstantFP::get(ft, static_cast<double>(static_cast<float>(v))) : llvm::ConstantFP::get(ft, v);
    };
    const std::string fn = StrCat("graphc_", op.name(), f32 ? "_f32" : "_f64");
    b_.CreateCall(RuntimeFunction(m_, fn),
                  {Address(out), dim_values_.Emit(b_, Elements(out)),
                   b_.getInt64(static_cast<uint64_t>(op.attr<int64_t>("seed"))), param(p0), param(p1)});
    return absl::OkStatus();
  }

  // ---- control flow ----

  llvm::Value* LoadBool(const ir::Value* v) {
    return b_.CreateICmpNE(b_.CreateLoad(b_.getInt8Ty(), Address(v)), b_.getInt8(0));
  }

  // cond: the chosen branch runs on views of the operands; its yield copies
  // into the cond's result buffers.
  absl::Status EmitCond(const ir::Op& op) {
    auto* then_block = llvm::BasicBlock::Create(c_, "cond.then", entry_);
    auto* else_block = llvm::BasicBlock::Create(c_, "cond.else", entry_);
    auto* merge = llvm::BasicBlock::Create(c_, "cond.merge", entry_);
    b_.CreateCondBr(LoadBool(op.operand(0)), then_block, else_block);
    for (auto [r, block] : {std::pair{0, then_block}, std::pair{1, else_block}}) {
      b_.SetInsertPoint(block);
      const ir::Region& region = op.region(r);
      if (absl::Status s = EmitRegion(region); !s.ok()) return s;
      const ir::Op* yield = region.terminator();
      for (int i = 0; i < yield->num_operands(); ++i) {
        Copy(Address(op.result(i)), Address(yield->operand(i)), Bytes(op.result(i)));
      }
      b_.CreateBr(merge);
    }
    b_.SetInsertPoint(merge);
    return absl::OkStatus();
  }

  // while: loop variable i lives in a slot (the cond region's argument i;
  // the body's arguments are views of the slots). The initial values are
  // copied in; each iteration runs the cond region, then the body, whose
  // yield writes the next values into the slots; at the end the slots are
  // copied into the results.
  absl::Status EmitWhile(const ir::Op& op) {
    const ir::Region& cond = op.region(0);
    const ir::Region& body = op.region(1);
    const int n = op.num_operands();
    for (int i = 0; i < n; ++i) {
      Copy(Address(cond.argument(i)), Address(op.operand(i)), Bytes(op.operand(i)));
    }
    auto* header = llvm::BasicBlock::Create(c_, "while.cond", entry_);
    auto* loop = llvm::BasicBlock::Create(c_, "while.body", entry_);
    auto* exit = llvm::BasicBlock::Create(c_, "while.exit", entry_);
    b_.CreateBr(header);
    b_.SetInsertPoint(header);
    if (absl::Status s = EmitRegion(cond); !s.ok()) return s;
    b_.CreateCondBr(LoadBool(cond.terminator()->operand(0)), loop, exit);
    b_.SetInsertPoint(loop);
    if (absl::Status s = EmitRegion(body); !s.ok()) return s;
    const ir::Op* yield = body.terminator();
    // Straight into the slots, unless a yielded value lives in another
    // variable's slot (a swap): then through the result buffers.
    bool direct = true;
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < n; ++j) {
        if (i != j && Buffer(yield->operand(i)).root == Buffer(cond.argument(j)).root) direct = false;
      }
    }
    for (int i = 0; i < n; ++i) {
      const AffineDim bytes = Bytes(op.result(i));
      if (Buffer(yield->operand(i)).root == Buffer(cond.argument(i)).root) continue;  // already there
      Copy(direct ? Address(cond.argument(i)) : Address(op.result(i)), Address(yield->operand(i)), bytes);
    }
    if (!direct) {
      for (int i = 0; i < n; ++i) {
        if (Buffer(yield->operand(i)).root == Buffer(cond.argument(i)).root) continue;
        Copy(Address(cond.argument(i)), Address(op.result(i)), Bytes(op.result(i)));
      }
    }
    b_.CreateBr(header);
    b_.SetInsertPoint(exit);
    for (int i = 0; i < n; ++i) {
      Copy(Address(op.result(i)), Address(cond.argument(i)), Bytes(op.result(i)));
    }
    return absl::OkStatus();
  }

  // ---- fusions ----

  absl::Status EmitFusion(const ir::Op& fusion) {
    ++result_.fusions;
    if (CanEmitLoopKernel(fusion, dims_)) return EmitLoopFusion(fusion);
    if (std::optional<MatmulFusion> plan = AnalyzeMatmulFusion(fusion, dims_)) return EmitMatmulFusion(fusion, *plan);
    if (CanEmitByElements(fusion, dims_)) return EmitElementsFusion(fusion);
    return absl::UnimplementedError(StrCat(DescribeFusion(fusion), " is not compiled yet"));
  }

  std::vector<llvm::Value*> OperandAddresses(const ir::Op& op) {
    std::vector<llvm::Value*> addresses;
    for (const ir::Value* v : op.operands()) addresses.push_back(Address(v));
    return addresses;
  }

  absl::Status EmitLoopFusion(const ir::Op& fusion) {
    const std::string symbol = NextKernelName();
    if (absl::StatusOr<LoopKernelInfo> info = EmitLoopKernel(fusion, m_, symbol, dims_); !info.ok()) {
      return info.status();
    }
    std::vector<llvm::Value*> outputs;
    for (const ir::Value* r : fusion.results()) outputs.push_back(Address(r));
    const AffineDim n = Elements(fusion.result(0));
    CallLoop(symbol, OperandAddresses(fusion), outputs, n, n);
    return absl::OkStatus();
  }

  llvm::Value* MatmulSourceAddress(const ir::Op& fusion, const MatmulSource& source, llvm::Value* product) {
    switch (source.kind) {
      case MatmulSource::Kind::kOperand: return Address(fusion.operand(source.operand));
      case MatmulSource::Kind::kConstant: return GlobalData(source.constant);
      case MatmulSource::Kind::kProduct: break;
    }
    return product;
  }

  // The product through the runtime's GEMM, then the epilogue loop. The
  // product goes straight into result 0 when it has the product's type
  // (the epilogue then runs in place over it); else into scratch.
  absl::Status EmitMatmulFusion(const ir::Op& fusion, const MatmulFusion& plan) {
    const ir::Op& mm = *plan.matmul;
    const ir::Value* product = mm.result(0);
    const bool ta = mm.attr<bool>("transpose_a"), tb = mm.attr<bool>("transpose_b");
    const AffineDim m = dim_values_.AffineDimOf(product, 0), n = dim_values_.AffineDimOf(product, 1);
    const AffineDim k = dim_values_.AffineDimOf(mm.operand(0), ta ? 0 : 1);
    llvm::Value* a = MatmulSourceAddress(fusion, plan.a, nullptr);
    llvm::Value* b = MatmulSourceAddress(fusion, plan.b, nullptr);
    AffineDim scratch;
    llvm::Value* dst = nullptr;
    const ir::Value* out0 = fusion.result(0);
    bool out0_shares_operand = false;
    for (const ir::Value* v : fusion.operands()) out0_shares_operand |= Buffer(v).root == Buffer(out0).root;
    const bool into_out0 = SameType(out0, product) && !out0_shares_operand;
    if (into_out0) {
      dst = Address(out0);
    } else {
      dst = Scratch(Bytes(product), &scratch);
    }
    // Inline only products whose size is known here; the runtime's GEMM
    // computes the same bits at any size (kernel_abi.h, "Result bits").
    const bool static_sizes = m.is_constant() && n.is_constant() && k.is_constant();
    if (static_sizes && IsSmallMatmul(product->dtype(), m.constant, n.constant, k.constant)) {
      EmitSmallMatmul(b_, a, b, dst, m.constant, n.constant, k.constant, ta, tb);
    } else {
      b_.CreateCall(
          RuntimeFunction(m_, product->dtype() == ir::DType::kF32 ? "graphc_matmul_f32" : "graphc_matmul_f64"),
          {a, b, dst, dim_values_.Emit(b_, m), dim_values_.Emit(b_, n), dim_values_.Emit(b_, k),
           b_.getInt32(ta ? 1 : 0), b_.getInt32(tb ? 1 : 0)});
    }
    const bool no_epilogue = plan.epilogue.ops.empty() && plan.epilogue.outputs.size() == 1 &&
                             plan.epilogue.outputs[0] == product && into_out0;
    if (no_epilogue) return absl::OkStatus();
    const std::string symbol = NextKernelName();
    if (absl::Status s = EmitElementwiseLoop(plan.epilogue, m_, symbol, dims_); !s.ok()) return s;
    std::vector<llvm::Value*> inputs;
    for (size_t i = 0; i < plan.epilogue.inputs.size(); ++i) {
      inputs.push_back(MatmulSourceAddress(fusion, plan.epilogue_sources[i], dst));
    }
    std::vector<llvm::Value*> outputs;
    for (const ir::Value* r : fusion.results()) outputs.push_back(Address(r));
    CallLoop(symbol, inputs, outputs, Elements(product), Elements(product));
    return absl::OkStatus();
  }

  // Stage kernels fill temporaries in scratch, then one kernel per result.
  // A result that overwrites an operand (in place) is computed into
  // scratch and copied after the others, which may still read the operand.
  // Kernels that can detect run-time errors share an error slot, checked
  // after the last kernel.
  absl::Status EmitElementsFusion(const ir::Op& fusion) {
    absl::StatusOr<ElementsKernels> kernels = EmitByElements(fusion, m_, NextKernelName(), dims_);
    if (!kernels.ok()) return kernels.status();
    AffineDim scratch;
    llvm::Value* error_slot = nullptr;
    if (!kernels->error_formats.empty()) {
      error_slot = Scratch(AffineDim::Constant(4 * 8), &scratch);
      b_.CreateStore(b_.getInt64(0), error_slot);
    }
    AffineDim operand_elements;
    for (const ir::Value* v : fusion.operands()) operand_elements = operand_elements + Elements(v);
    // One input array for all the fusion's kernels: operands, the error
    // slot, the stage buffers.
    std::vector<llvm::Value*> input_pointers = OperandAddresses(fusion);
    if (error_slot != nullptr) input_pointers.push_back(error_slot);
    std::vector<llvm::Value*> stage_buffers;
    for (size_t k = 0; k < kernels->stage_types.size(); ++k) {
      const AffineDim& elements = kernels->stage_elements[k];
      stage_buffers.push_back(Scratch(elements * ir::DTypeSize(kernels->stage_types[k].dtype), &scratch));
      input_pointers.push_back(stage_buffers.back());
    }
    llvm::Value* inputs = PointerArray(input_pointers);
    for (size_t k = 0; k < kernels->stage_symbols.size(); ++k) {
      const bool serial = kernels->stage_serial[k];
      const AffineDim& elements = kernels->stage_elements[k];
      CallKernel(kernels->stage_symbols[k], inputs, {stage_buffers[k]}, serial ? AffineDim::Constant(1) : elements,
                 serial ? AffineDim::Constant(0) : operand_elements);
    }
    std::vector<std::pair<llvm::Value*, const ir::Value*>> deferred;  // scratch copy -> result
    for (int r = 0; r < fusion.num_results(); ++r) {
      const ir::Value* result = fusion.result(r);
      bool shares_operand = false;
      for (const ir::Value* v : fusion.operands()) shares_operand |= Buffer(v).root == Buffer(result).root;
      llvm::Value* out = Address(result);
      if (shares_operand && fusion.num_results() > 1) {
        out = Scratch(Bytes(result), &scratch);
        deferred.emplace_back(out, result);
      }
      CallKernel(kernels->result_symbols[static_cast<size_t>(r)], inputs, {out}, Elements(result),
                 UpperBound(Elements(result), operand_elements));
    }
    if (error_slot != nullptr) EmitErrorCheck(error_slot, kernels->error_formats);
    for (auto [from, result] : deferred) Copy(Address(result), from, Bytes(result));
    return absl::OkStatus();
  }

  // if (slot[0] != 0) { graphc_set_error(frame, formats[slot[0] - 1], ...);
  // return 1; }
  void EmitErrorCheck(llvm::Value* slot, const std::vector<std::string>& formats) {
    llvm::Type* i64 = b_.getInt64Ty();
    llvm::Value* code = b_.CreateLoad(i64, slot);
    auto* fail = llvm::BasicBlock::Create(c_, "error", entry_);
    auto* ok = llvm::BasicBlock::Create(c_, "no_error", entry_);
    b_.CreateCondBr(b_.CreateICmpNE(code, b_.getInt64(0)), fail, ok);
    b_.SetInsertPoint(fail);
    llvm::Value* format = b_.CreateGlobalStringPtr(formats[0]);
    for (size_t k = 1; k < formats.size(); ++k) {
      format = b_.CreateSelect(b_.CreateICmpEQ(code, b_.getInt64(static_cast<int64_t>(k) + 1)),
                               b_.CreateGlobalStringPtr(formats[k]), format);
    }
    std::vector<llvm::Value*> args = {frame_, format};
    for (int64_t i = 1; i <= 3; ++i) args.push_back(b_.CreateLoad(i64, b_.CreateConstInBoundsGEP1_64(i64, slot, i)));
    b_.CreateCall(RuntimeFunction(m_, "graphc_set_error"), args);
    b_.CreateRet(b_.getInt32(1));
    b_.SetInsertPoint(ok);
  }

  const ir::Function& f_;
  const passes::BufferPlan& plan_;
  llvm::Module& m_;
  llvm::LLVMContext& c_;
  llvm::IRBuilder<> b_;
  const std::string symbol_;
  EmittedFunction result_;

  llvm::Function* entry_ = nullptr;
  llvm::Value* frame_ = nullptr;
  llvm::Value* frame_fields_[4] = {};
  llvm::Value* symbols_ = nullptr;  // frame->dims
  absl::flat_hash_map<const ir::Value*, const ValueBuffer*> buffers_;
  absl::flat_hash_map<const ir::Value*, llvm::Value*> constants_;
  absl::flat_hash_map<std::string, int> variable_index_;
  const DimTable* dims_;              // null for static shapes
  std::optional<SymbolicArena> arena_;  // with dims_: the arena's offsets
  DimEmitter dim_values_;
  AffineDim scratch_begin_, scratch_bytes_;
  int next_kernel_ = 0;
};

// The first value of `function` (fusion bodies included) whose shape is
// not static, or null.
const ir::Value* FirstDynamicValue(const ir::Function& function) {
  for (int i = 0; i < function.num_params(); ++i) {
    if (!function.param(i)->shape().is_static()) return function.param(i);
  }
  const ir::Value* found = nullptr;
  ir::WalkOps(function.body(), [&](const ir::Op* op) {
    for (int r = 0; found == nullptr && r < op->num_results(); ++r) {
      if (!op->result(r)->shape().is_static()) found = op->result(r);
    }
    for (int g = 0; found == nullptr && g < op->num_regions(); ++g) {
      for (int a = 0; found == nullptr && a < op->region(g).num_arguments(); ++a) {
        if (!op->region(g).argument(a)->shape().is_static()) found = op->region(g).argument(a);
      }
    }
  });
  return found;
}

}  // namespace

absl::StatusOr<EmittedFunction> EmitFunction(const ir::Function& function, const passes::BufferPlan& plan,
                                             llvm::Module& module, const std::string& symbol,
                                             const DimTable* dims) {
  if (const ir::Value* v = FirstDynamicValue(function)) {
    return absl::UnimplementedError(StrCat("@", function.name(), " has a value of type ", v->type().ToString(),
                                           ": codegen needs static shapes (specialize first)"));
  }
  absl::flat_hash_set<const llvm::GlobalValue*> before;
  for (const llvm::GlobalValue& g : module.global_values()) before.insert(&g);
  absl::StatusOr<EmittedFunction> emitted = FunctionEmitter(function, plan, module, symbol, dims).Emit();
  if (!emitted.ok()) {
    // A half-emitted function (blocks without terminators) would break the
    // optimizer for the rest of the module: take back all that was added.
    std::vector<llvm::GlobalValue*> added;
    for (llvm::GlobalValue& g : module.global_values()) {
      if (!before.contains(&g)) added.push_back(&g);
    }
    for (llvm::GlobalValue* g : added) {
      if (auto* fn = llvm::dyn_cast<llvm::Function>(g)) fn->dropAllReferences();
    }
    for (llvm::GlobalValue* g : added) g->eraseFromParent();
  }
  return emitted;
}

}  // namespace graphc::codegen
