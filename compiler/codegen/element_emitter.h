// Codegen for fusion groups that mix shapes — reductions with their
// prologue and epilogue, softmax, one_hot, reshapes, broadcasts — as XLA's
// CPU backend builds fused loops: every op has an element generator that
// emits the scalar value of its result at a multi-index, computed from its
// operands' elements at derived indices.
//
// Reductions are stages: each is computed once per element of its result
// by its own kernel (a loop over the reduced dims) into a temporary
// buffer, which later kernels read; a softmax has two stages, the max and
// the sum of each row. So no reduction is recomputed, and the work stays
// linear in the sizes. Elementwise values needed at several places are
// recomputed there (cheap), never stored. Then each result of the fusion
// gets its own kernel.
//
// Every reduction accumulates in double in row-major order of its operand
// and rounds once, exactly as the interpreter does, so results are the
// interpreter's bits. Supported: static shapes throughout, float
// reductions; other fusions stay on the interpreter.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/type.h"
#include "ir/op.h"
#include "llvm/IR/Module.h"

namespace graphc::codegen {

// True if `op` has an element generator.
bool HasElementGenerator(const ir::Op& op);
// True if every op of `fusion`'s body has an element generator.
bool HasElementGenerators(const ir::Op& fusion);
// ... and every shape in it is static (else specialize it per call:
// specialize.h).
bool CanEmitByElements(const ir::Op& fusion);

// The kernels of a fusion, all with the loop-kernel ABI of
// runtime/kernel_abi.h and one output; every kernel's inputs are the
// fusion's operands (read at their static shapes) followed by the stage
// buffers (in_strides is unused). Run the stages in order, each writing
// its buffer, then the result kernels.
struct ElementsKernels {
  std::vector<ir::TensorType> stage_types;  // temporaries, in order
  std::vector<std::string> stage_symbols;   // stage k writes temporary k
  std::vector<std::string> result_symbols;  // one per fusion result
};

// Adds the kernels of `fusion` to `module`, named from `symbol_prefix`.
absl::StatusOr<ElementsKernels> EmitByElements(const ir::Op& fusion, llvm::Module& module,
                                               const std::string& symbol_prefix);

}  // namespace graphc::codegen
