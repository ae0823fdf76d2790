// A function compiled whole for one set of parameter shapes: specialized
// to them (passes/specialize_shapes.h), its standalone ops wrapped in
// fusions (wrap_kernels.h), its buffers planned, emitted as one entry point
// (function_emitter.h) and compiled by the process's JIT. What runs it is
// the runtime's Executable: a call hands it the parameters', results' and
// variables' buffers and nothing is allocated.
//
// Or compiled once for a shape family (shape_family.h): every batch size
// the function's `?` dims can take, the sizes passed at run time.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "compiler/codegen/jit.h"
#include "compiler/codegen/lower_for_codegen.h"
#include "compiler/codegen/shape_family.h"
#include "compiler/host_tensor.h"
#include "compiler/interpreter/eval_context.h"
#include "ir/module.h"
#include "passes/buffer_plan.h"
#include "runtime/executable.h"

namespace graphc::codegen {

class CompiledFunction {
 public:
  // Fails with Unimplemented when the function has something codegen does
  // not compile (a `call`; a `while` whose loop variables change shape),
  // InvalidArgument when `param_types` do not fit its parameters.
  static absl::StatusOr<std::unique_ptr<CompiledFunction>> Compile(
      const ir::Function& function, std::span<const ir::TensorType> param_types);
  // Compiles the shape family around a call with `param_types`.
  // FailedPrecondition when there is none (DeriveShapeFamily) or it does
  // not hold at `param_types` themselves (MatchShapeFamily), Unimplemented
  // when codegen cannot read some size at run time; the caller then
  // compiles per shape. `function` must outlive the result (Accepts lowers
  // it again).
  static absl::StatusOr<std::unique_ptr<CompiledFunction>> CompileFamily(
      const ir::Function& function, std::span<const ir::TensorType> param_types);

  bool is_family() const { return family_ != nullptr; }
  // The run-time dims a call with `param_types` passes (empty for a single
  // shape), or nullopt if this code does not run such a call exactly.
  std::optional<std::vector<int64_t>> Accepts(std::span<const ir::TensorType> param_types) const;
  // The run-time dims of the call it was compiled for (empty for a single
  // shape): Accepts of that call's types, without lowering again.
  const std::vector<int64_t>& compiled_dims() const { return compiled_dims_; }
  // The result types of a call with run-time dims `dims`.
  std::vector<ir::TensorType> ResultTypes(std::span<const int64_t> dims) const;

  runtime::Executable& executable() const { return *executable_; }
  // The function as compiled: static shapes, every compute op in a fusion.
  // For a family, its lowering at the probe shapes (shape_family.h).
  const ir::Function& specialized() const { return *specialized_; }
  // Module variables in the order Executable::Run takes them.
  const std::vector<std::string>& variables() const { return variables_; }
  int fusions() const { return fusions_; }

  // Runs on host tensors: `args` are accepted (Accepts);
  // `variables` holds every variable in variables() (updated in place).
  // Allocates the results. For tools and tests; graphc::function has its
  // own path that reuses result buffers.
  absl::StatusOr<std::vector<HostTensor>> Run(std::span<const HostTensor> args,
                                              interp::VariableStore* variables) const;

 private:
  CompiledFunction() = default;
  // Emits and JIT-compiles `f` (with `dims`, a family's lowering).
  absl::Status Build(const ir::Function& source, ir::Function* f, const passes::BufferPlan& plan,
                     const DimTable* dims);

  std::unique_ptr<ir::Module> module_;     // a single shape's lowering
  std::unique_ptr<ShapeFamily> family_;    // or a family's
  const ir::Function* source_ = nullptr;   // the function compiled (a family re-lowers it)
  std::vector<int64_t> compiled_dims_;
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
