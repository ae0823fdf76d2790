// Internal to codegen: the machinery behind element_emitter.h, shared by the
// files that hold each op family's element generators:
//   element_emitter.cc     stages, kernels, the per-element dispatch, and the
//                          ops that only move elements (reshapes,
//                          broadcasts, constants, fills)
//   reduce_emitter.cc      reduce_* and sum_to_like (float, integer, bool),
//                          argmax / argmin, softmax / log_softmax
//   index_ops_emitter.cc   transpose, concat, one_hot, range,
//                          strided_slice(_grad), gather, scatter_add
//   matmul_stage_emitter.cc matmul (batched, integer, any operands)
//
// An ElementEmitter emits one kernel's body: At(v, index) is the scalar
// value of v at a multi-index, generated from v's defining op and its
// operands' values (memoized per loop scope). Stages are the values that
// are computed once into a temporary by a kernel of their own and read by
// later kernels (see Stage).
//
// Sizes: the IR is a static specialization (at a probe size for a function
// with `?` dims); the DimEmitter says which dims really vary at run time.
// Every size the emitted code uses is an i64 llvm::Value from it: a
// constant for a static dim (IRBuilder folds arithmetic on constants, so a
// fusion without run-time dims compiles to the same code as before), a
// function of the kernel's `dims` argument for a dynamic one. Decisions
// such as "this dim is 1" or "this axis is empty" are made on static dims
// only; the caller guarantees that every dynamic dim is at least 2 at run
// time, so a dynamic dim is never 1 (nor 0), as it is not at the probe
// size.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "compiler/codegen/dim_table.h"
#include "compiler/codegen/llvm_scalar_builder.h"
#include "compiler/host_tensor.h"
#include "ir/op.h"
#include "ir/type.h"
#include "llvm/IR/IRBuilder.h"

namespace graphc::codegen::elements {

using Index = std::vector<llvm::Value*>;  // one i64 per dim
// A shape's dims as i64 values (constants where static): what addressing
// and loops read sizes from.
using Dims = std::vector<llvm::Value*>;

enum class StageKind {
  kReduce,       // a reduce_* or sum_to_like result, per element
  kSoftmaxMax,   // a softmax's row max (f64, per row)
  kSoftmaxSum,   // ... and its row sum of exp(x - max) (log_softmax: the log of it)
  kArgReduce,    // argmax / argmin, per element
  kMaterialize,  // a value stored as it is (a matmul operand computed in the fusion)
  kMatmul,       // a matmul's product: floats serial (the runtime's GEMM per
                 // batch matrix), integers per element
  kIndexCheck,   // serial: gather's index check (the first bad index is reported)
  kScatter,      // serial: scatter_add's accumulators (f64 or i64), in order
};

struct Stage {
  StageKind kind;
  const ir::Op* op = nullptr;         // the op the stage belongs to
  const ir::Value* value = nullptr;   // kMaterialize: the value stored
  ir::TensorType type;                // the temporary's type, at the specialized shapes
  // The temporary's dims, which may vary at run time: those of `shape_of`
  // (null: a scalar), with dim `unit_axis` (if not -1) set to 1, as a
  // softmax's row statistics are its operand's dims without the axis.
  const ir::Value* shape_of = nullptr;
  int64_t unit_axis = -1;
  bool serial = false;                // called once; fills its whole temporary
  int error = -1;                     // index into the fusion's error formats
};

// ---- shared helpers (element_emitter.cc) ----

enum class Combine { kSum, kMean, kMax, kMin, kProd, kAny, kAll };
std::optional<Combine> ReduceKind(std::string_view name);
bool IsReshape(std::string_view name);
bool IsSoftmax(std::string_view name);
// The axes a reduce op reduces, as a mask over its operand's dims.
std::vector<bool> ReducedDims(const ir::Op& op);
// A float sum or mean over leading dims only, keeping the trailing ones (a
// bias gradient: [batch, n] -> [n]): each result element's position is its
// column's among the kept dims, and ColumnReduce computes it.
bool IsColumnReduction(const ir::Op& op);
// A softmax's axis (normalized) and the shape of its row statistics.
int64_t SoftmaxAxis(const ir::Op& op);
ir::Shape StatsShape(const ir::Op& op);
// True if the generator of `op` (in a fusion) supports the dims `dims`
// gives its operands and results (see CanEmitByElements).
bool SupportsDynamicDims(const ir::Op& op, const DimTable& dims);
// The value whose bytes `v` has: `v` seen through reshapes.
const ir::Value* ThroughReshapes(const ir::Value* v);
// The stage whose temporary holds `op`'s result as it is (reductions,
// argmax / argmin, matmul), if any.
std::optional<StageKind> StoredResultKind(const ir::Op& op);
// The scatter_add accumulator dtype: f64 for floats, i64 for integers.
ir::DType AccumulatorDType(ir::DType dtype);

// The stages of a fusion body in order. Ops that can fail at run time add
// their message to `error_formats` (graphc_set_error formats, prefixed
// with the op's source locations as the interpreter prefixes its errors).
std::vector<Stage> PlanStages(const ir::Op& fusion, std::vector<std::string>* error_formats);

// A strided_slice's index rule per input dim (the interpreter's): element
// start + i * step, i being output dim `out_dim`; shrunk dims (out_dim -1)
// are fixed at start. Computed from the specialized dims: a dynamic dim is
// only supported taken whole (start 0, step 1; SupportsDynamicDims), where
// the rule does not depend on the dim.
struct SliceDim {
  int64_t start = 0;
  int64_t step = 0;
  int64_t out_dim = -1;
};
std::vector<SliceDim> SliceDims(const ir::Op& op, const ir::Shape& in);

class ElementEmitter {
 public:
  // `input_ptrs`: the fusion's operands, then the buffers of `available`
  // stages (computed by earlier kernels), in that order. `error_slot`: the
  // fusion's error slot, or null. `dims`: the dims of the values of
  // `region` (made in the kernel's entry block).
  ElementEmitter(llvm::IRBuilder<>& b, llvm::Function* fn, const ir::Region& region,
                 std::vector<llvm::Value*> input_ptrs, const std::vector<Stage>& available,
                 llvm::Value* error_slot, DimEmitter dims);

  // A parallel stage's value at `index` (of its temporary's shape).
  ir::Scalar ComputeStage(const Stage& s, const Index& index);
  // A serial stage: fills its whole temporary at `out`.
  void ComputeSerialStage(const Stage& s, llvm::Value* out);

  // The scalar value of `v` at `index` (an index into v's shape).
  ir::Scalar At(const ir::Value* v, const Index& index);

  // ---- sizes ----

  // v's dims, with dim `unit_axis` (if not -1) replaced by 1.
  Dims DimsOf(const ir::Value* v, int64_t unit_axis = -1);
  llvm::Value* DimOf(const ir::Value* v, int64_t d);
  // The dims of a stage's temporary.
  Dims StageDims(const Stage& s);
  // The number of elements of `dims` (a constant if they all are).
  llvm::Value* Product(const Dims& dims);

  // ---- loops and addressing ----

  // for (i = 0; i < n; ++i) body(i), as LLVM blocks at the insertion point.
  // Values generated inside stay inside (they do not dominate what follows).
  void ForRange(llvm::Value* n, const std::function<void(llvm::Value*)>& body);
  // for (i = begin; i < end; i += step) body(i), bounds known at run time.
  void ForStep(llvm::Value* begin, llvm::Value* end, int64_t step, const std::function<void(llvm::Value*)>& body);
  // Nested loops over every index of `dims`, row-major (last dim innermost).
  void ForIndices(const Dims& dims, const std::function<void(const Index&)>& body, Index prefix = {});
  llvm::AllocaInst* EntryAlloca(llvm::Type* type);
  llvm::Value* Linear(const Index& index, const Dims& dims);
  // The index of row-major element `linear` (in range) of `dims`.
  Index Delinear(llvm::Value* linear, const Dims& dims);
  // NumPy broadcasting: the index into a value of dims `from` (aligned on
  // the right with `index`) of element `index` of the broadcast result.
  Index Broadcast(const Index& index, const Dims& from);
  // v clamped into [lo, hi] (signed i64).
  llvm::Value* Clamp(llvm::Value* v, int64_t lo, llvm::Value* hi);

  // ---- memory ----

  ir::Scalar Load(llvm::Value* base, ir::DType dtype, llvm::Value* offset);
  void Store(llvm::Value* base, ir::Scalar value, llvm::Value* offset);
  // A constant op's bytes as a private global (one per op and kernel).
  llvm::Value* ConstantGlobal(const ir::Op& constant);
  // The buffer holding `v`'s bytes if it has one in this kernel: a fusion
  // operand or a constant (seen through reshapes), or a stage that stored it.
  llvm::Value* BufferOf(const ir::Value* v);
  llvm::Value* StageBuffer(const ir::Op& op, StageKind kind) const;

  // ---- scalars ----

  ir::Scalar FromHost(const HostTensor& t);  // a one-element tensor as a constant
  ir::Scalar Zero(ir::DType dtype);
  llvm::Value* ToDouble(ir::Scalar s);
  ir::Scalar FromDouble(llvm::Value* d, ir::DType dtype);
  llvm::Value* CallDouble(const char* name, llvm::Value* x);
  // An integer scalar as i64, sign-extended (HostTensor::GetInt).
  llvm::Value* ToI64(ir::Scalar s);
  // An i64 narrowed to an integer dtype with wraparound (ConvertNumber).
  ir::Scalar FromI64(llvm::Value* v, ir::DType dtype);

  // ---- op families ----

  // reduce_emitter.cc
  ir::Scalar Reduce(const ir::Op& op, const Index& index);
  // A column reduction's elements [begin, end) into `out`, vectorized
  // across columns (IsColumnReduction); the bits are Reduce's.
  void ColumnReduce(const ir::Op& op, llvm::Value* out, llvm::Value* begin, llvm::Value* end);
  ir::Scalar ArgReduce(const ir::Op& op, const Index& index);
  llvm::Value* SoftmaxStat(const ir::Op& op, int part, const Index& row);
  ir::Scalar Softmax(const ir::Op& op, const Index& index);

  // index_ops_emitter.cc
  ir::Scalar Transpose(const ir::Op& op, const Index& index);
  ir::Scalar Concat(const ir::Op& op, const Index& index);
  ir::Scalar OneHot(const ir::Op& op, const Index& index);
  ir::Scalar Range(const ir::Op& op, const Index& index);
  ir::Scalar StridedSlice(const ir::Op& op, const Index& index);
  ir::Scalar StridedSliceGrad(const ir::Op& op, const Index& index);
  ir::Scalar Gather(const ir::Op& op, const Index& index);
  ir::Scalar ScatterAdd(const ir::Op& op, const Index& index);
  // Serial: records the first out-of-range index of a gather or
  // scatter_add (operand 1, along `axis` of operand 0) as error `error`.
  void CheckIndices(const ir::Op& op, int error);
  // Serial: scatter_add's accumulators into `out`.
  void Scatter(const ir::Op& op, llvm::Value* out);

  // matmul_stage_emitter.cc
  void FloatMatmul(const ir::Op& op, llvm::Value* out);
  ir::Scalar IntegerMatmul(const ir::Op& op, const Index& index);

  llvm::IRBuilder<>& b() { return b_; }
  LlvmScalarBuilder& sb() { return sb_; }
  llvm::Module& module() { return *fn_->getParent(); }

 private:
  struct Key {
    const ir::Value* value;
    Index index;
    bool operator<(const Key& o) const { return std::tie(value, index) < std::tie(o.value, o.index); }
  };

  ir::Scalar Generate(const ir::Value* v, const Index& index);

  llvm::IRBuilder<>& b_;
  LlvmScalarBuilder sb_;
  llvm::Function* fn_;
  const ir::Region& region_;
  std::vector<llvm::Value*> inputs_;
  llvm::Value* error_slot_;
  DimEmitter dims_;
  // Values already emitted at an index; one scope per open loop.
  std::vector<std::map<Key, ir::Scalar>> scopes_;
  std::map<std::pair<const ir::Op*, StageKind>, llvm::Value*> stage_buffers_;
  std::map<const ir::Value*, llvm::Value*> materialized_;
  std::map<const ir::Op*, llvm::Value*> constants_;
};

}  // namespace graphc::codegen::elements
