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
//               const int64_t* out_dims, const int64_t* in_strides,
//               int64_t begin, int64_t end)
// `out_dims` holds the output's rank dims; `in_strides[k * rank + d]` is
// input k's element stride along output dim d (0 where it broadcasts).
// The kernel computes flat output elements [begin, end), so a caller can
// split the range across threads.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "ir/op.h"
#include "llvm/IR/Module.h"

namespace graphc::codegen {

// What a caller needs to run an emitted kernel.
struct LoopKernelInfo {
  std::string symbol;
  int rank = 0;  // of the iteration (output) shape
};

// True if EmitLoopKernel supports `fusion` (else the caller interprets it).
bool CanEmitLoopKernel(const ir::Op& fusion);

// Adds the kernel for `fusion` to `module` under `symbol`.
absl::StatusOr<LoopKernelInfo> EmitLoopKernel(const ir::Op& fusion, llvm::Module& module,
                                              const std::string& symbol);

}  // namespace graphc::codegen
