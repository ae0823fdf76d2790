// Codegen for fusion groups that the loop and matmul emitters do not take,
// as XLA's CPU backend builds fused loops: every op has an element
// generator that emits the scalar value of its result at a multi-index,
// computed from its operands' elements at derived indices. Every op
// without a scalar definition has one, except the structural ops that
// never sit in a fusion (variables, control flow, calls, random ops).
//
// Values that are not per-element are stages, each computed once by its own
// kernel into a temporary that later kernels read: reductions (float,
// integer, bool; sum_to_like), argmax/argmin, a softmax's row max and row
// sum, matmul products (floats by the runtime's GEMM per batch matrix,
// after storing operands computed in the fusion), a scatter_add's
// accumulators, and the index checks of gathers. So nothing expensive is
// recomputed, and the work stays linear in the sizes. Elementwise values
// needed at several places are recomputed there (cheap), never stored.
// Then each result of the fusion gets its own kernel.
//
// Every generator follows the interpreter's evaluator of its op (same
// accumulator types, order and rounding), so results are the interpreter's
// bits. Out-of-range gather / scatter_add indices give the interpreter's
// error message through the error slot (below).
//
// Shapes must be static (specialize first: specialize_shapes.h). One set
// of kernels can still serve a family of shapes: compile the fusion
// specialized at a probe size (a large batch, say) and pass a DimTable
// (dim_table.h) that says which dims of the values in its body (the
// region's arguments and its ops' results) vary with the run-time symbols;
// the kernels then read those dims from their `dims` argument. Every
// dynamic dim must be at least 2 at run time (as it is at the probe size),
// since the kernels decide on the specialized shapes where a dim of 1 or 0
// would matter.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "compiler/codegen/dim_table.h"
#include "ir/type.h"
#include "ir/op.h"
#include "llvm/IR/Module.h"

namespace graphc::codegen {

// True if `op` has an element generator.
bool HasElementGenerator(const ir::Op& op);
// True if every op of `fusion`'s body has an element generator.
bool HasElementGenerators(const ir::Op& fusion);
// ... and every shape in it is static (else specialize it per call:
// specialize_shapes.h), and, with `dims`, every op's generator supports the
// dims that vary at run time. Refused (the caller then compiles per shape):
// concat along a dynamic axis; range with a dynamic length; strided_slice
// (and its gradient) cutting a dynamic dim other than whole; gather and
// scatter_add along a dynamic axis; softmax / log_softmax whose row
// statistics would not have an affine number of elements.
bool CanEmitByElements(const ir::Op& fusion, const DimTable* dims = nullptr);

// The kernels of a fusion, all with the loop-kernel ABI of
// runtime/kernel_abi.h and one output; every kernel's inputs are the
// fusion's operands (read at their dims: the DimTable's, else static),
// then the error slot if there is one, then the stage buffers: one array
// serves every kernel of the fusion (each reads the stages before its
// own). The kernels' `dims` argument holds the symbols' values (unread
// without a DimTable). Run the stages in order, each writing its buffer,
// then the result kernels, each over the elements of its result.
struct ElementsKernels {
  std::vector<ir::TensorType> stage_types;  // temporaries, in order, at the specialized shapes
  // The number of elements of each temporary, in the order of stage_types,
  // for the run-time symbols (a constant when no dim varies): what its
  // buffer holds and what a parallel stage is called over.
  std::vector<AffineDim> stage_elements;
  std::vector<std::string> stage_symbols;   // stage k writes temporary k
  // A serial stage is called once, over [0, 1), and fills its whole
  // temporary itself (a scatter, which adds updates in order); the others
  // are called over the elements of their temporary, in any split.
  std::vector<bool> stage_serial;
  std::vector<std::string> result_symbols;  // one per fusion result
  // Run-time errors the kernels can detect (an out-of-range gather index),
  // as graphc_set_error formats. When there are any, the kernels' inputs
  // hold an error slot of 4 int64 after the operands, which the caller
  // zeroes before the fusion. A kernel that finds error k stores k + 1 in
  // slot[0] and the format's numbers in slot[1..3] (atomically: several
  // threads may find one), then goes on with a clamped index so it reads
  // no memory out of bounds; the caller reports the error after the
  // fusion's kernels.
  std::vector<std::string> error_formats;
};

// Adds the kernels of `fusion` to `module`, named from `symbol_prefix`;
// their sizes are `dims`'s (null or empty: all static, and the code is
// what it would be without a table). Unimplemented unless
// CanEmitByElements(fusion, dims).
absl::StatusOr<ElementsKernels> EmitByElements(const ir::Op& fusion, llvm::Module& module,
                                               const std::string& symbol_prefix,
                                               const DimTable* dims = nullptr);

}  // namespace graphc::codegen
