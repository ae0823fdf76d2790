// Emits a whole function as one LLVM entry point with the entry ABI of
// runtime/kernel_abi.h: `int32_t entry(const graphc_call_frame*)`. The
// entry runs the function's ops in order over the buffers of its plan
// (passes/buffer_plan.h): each fusion becomes calls of the kernels the
// kernel emitters build for it (loop_emitter.h, element_emitter.h, the
// runtime's GEMM for matmul_fusion.h), split over the thread pool when
// large; variable reads and writes, copies, `cond` and `while` are code in
// the entry itself. Nothing is allocated at run time: values live in the
// parameters, the caller's result buffers, the variables, constants in the
// module, or the arena — the plan's bytes followed by a scratch area for
// temporaries inside one fusion (reduction stages, matmul products).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "compiler/codegen/dim_table.h"
#include "ir/module.h"
#include "llvm/IR/Module.h"
#include "passes/buffer_plan.h"

namespace graphc::codegen {

struct EmittedFunction {
  std::string entry_symbol;
  int64_t arena_bytes = 0;  // the plan's arena plus the scratch area (static shapes)
  AffineDim arena;          // the same in the run-time dims (a shape family)
  // The order of graphc_call_frame::variables: Function::UsedVariables().
  std::vector<std::string> variables;
  int fusions = 0;  // fusion ops compiled
};

// Emits `function` into `module`, its entry named `symbol` and its kernels
// named from it. Requirements: every shape static (passes/specialize_shapes.h),
// standalone compute ops wrapped in fusions (wrap_kernels.h), and `plan`
// made by PlanBuffers(function, {.results_in_caller_buffers = true,
// .assigned_values_in_variables = true}).
// With `dims` (shape_family.h), the function is a shape family's lowering
// at its probe shapes and every size in the code is read from the frame's
// run-time dims as the table says.
// Fails with Unimplemented, naming the op, when something cannot be compiled
// (a `call`, a fusion no kernel emitter supports, with `dims` one that
// does not support run-time dims).
absl::StatusOr<EmittedFunction> EmitFunction(const ir::Function& function,
                                             const passes::BufferPlan& plan, llvm::Module& module,
                                             const std::string& symbol, const DimTable* dims = nullptr);

}  // namespace graphc::codegen
