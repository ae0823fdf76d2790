// Emits the LLVM function for a `fusion` of kind "loop" whose body holds
// only elementwise/broadcast ops (ops with a scalar definition) and splat
// constants: one loop over the elements of the output, every body op
// evaluated per element in registers through its scalar definition (the
// same definition the interpreter runs), inputs read with NumPy
// broadcasting.
//
// The generated function follows the loop-kernel ABI of
// runtime/kernel_abi.h:
//   void kernel(void* const* inputs, void* const* outputs,
//               const int64_t* dims, int64_t begin, int64_t end)
// It computes flat output elements [begin, end), so a caller can split the
// range across threads. Sizes are constants, except in a shape family
// (shape_family.h), where the dims its DimTable lists are computed from
// `dims`, the run-time dims.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "compiler/codegen/dim_table.h"
#include "ir/op.h"
#include "llvm/IR/Module.h"

namespace graphc::codegen {

// What a caller needs to run an emitted kernel.
struct LoopKernelInfo {
  std::string symbol;
  int rank = 0;  // of the iteration (output) shape
};

// One elementwise loop over an iteration shape: kernel input k loads
// `inputs[k]` per element (broadcast to `shape`), `ops` are evaluated per
// element in order, and kernel output k stores `outputs[k]`. A loop fusion
// is one such loop over its whole body; a matmul fusion's epilogue is one
// over the ops after the product (matmul_fusion.h).
struct ElementwiseLoop {
  std::vector<const ir::Value*> inputs;
  std::vector<const ir::Op*> ops;
  std::vector<const ir::Value*> outputs;
  // The value whose shape is the iteration shape (its dims are read
  // through the DimTable when there is one).
  const ir::Value* shape_value = nullptr;
};

// True if `op` can be evaluated per element of a loop of rank `rank`: it
// has a scalar definition (or is a splat constant) and no result larger
// than the loop.
bool IsPerElementOp(const ir::Op& op, int64_t rank);

absl::Status EmitElementwiseLoop(const ElementwiseLoop& loop, llvm::Module& module,
                                 const std::string& symbol, const DimTable* dims = nullptr);

// True if EmitLoopKernel supports `fusion` (else the caller interprets it).
bool CanEmitLoopKernel(const ir::Op& fusion, const DimTable* dims = nullptr);

// Adds the kernel for `fusion` to `module` under `symbol`.
absl::StatusOr<LoopKernelInfo> EmitLoopKernel(const ir::Op& fusion, llvm::Module& module,
                                              const std::string& symbol, const DimTable* dims = nullptr);

}  // namespace graphc::codegen
