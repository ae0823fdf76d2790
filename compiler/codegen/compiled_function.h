// A function compiled whole for one set of parameter shapes: specialized
// to them (passes/specialize_shapes.h), its standalone ops wrapped in
// fusions (wrap_kernels.h), its buffers planned, emitted as one entry point
// (function_emitter.h) and compiled by the process's JIT. What runs it is
// the runtime's Executable: a call hands it the parameters', results' and
// variables' buffers and nothing is allocated.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "compiler/codegen/jit.h"
#include "compiler/host_tensor.h"
#include "compiler/interpreter/eval_context.h"
#include "ir/module.h"
#include "passes/buffer_plan.h"
#include "runtime/executable.h"

namespace graphc::codegen {

// A function ready for the function emitter: specialized to
// `param_types`, standalone ops wrapped, buffers planned.
struct LoweredFunction {
  std::unique_ptr<ir::Module> module;
  ir::Function* function = nullptr;
  passes::BufferPlan plan;
};
absl::StatusOr<LoweredFunction> LowerForCodegen(const ir::Function& function,
                                                std::span<const ir::TensorType> param_types);

class CompiledFunction {
 public:
  // Fails with Unimplemented when the function has something codegen does
  // not compile (a `call`; a `while` whose loop variables change shape),
  // InvalidArgument when `param_types` do not fit its parameters.
  static absl::StatusOr<std::unique_ptr<CompiledFunction>> Compile(
      const ir::Function& function, std::span<const ir::TensorType> param_types);

  runtime::Executable& executable() const { return *executable_; }
  // The function as compiled: static shapes, every compute op in a fusion.
  const ir::Function& specialized() const { return *specialized_; }
  // Module variables in the order Executable::Run takes them.
  const std::vector<std::string>& variables() const { return variables_; }
  int fusions() const { return fusions_; }

  // Runs on host tensors: `args` match the specialized parameter types;
  // `variables` holds every variable in variables() (updated in place).
  // Allocates the results. For tools and tests; graphc::function has its
  // own path that reuses result buffers.
  absl::StatusOr<std::vector<HostTensor>> Run(std::span<const HostTensor> args,
                                              interp::VariableStore* variables) const;

 private:
  CompiledFunction() = default;

  std::unique_ptr<ir::Module> module_;
  const ir::Function* specialized_ = nullptr;
  std::vector<std::string> variables_;
  int fusions_ = 0;
  Jit::ModuleHandle code_;  // declared before executable_: outlives it
  std::unique_ptr<runtime::Executable> executable_;
};

// The process-wide JIT, created on first use.
absl::StatusOr<Jit*> ProcessJit();

// The runtime's element type for an IR dtype (the same order).
runtime::DType ToRuntimeDType(ir::DType dtype);

}  // namespace graphc::codegen
