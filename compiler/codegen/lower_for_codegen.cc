#include "compiler/codegen/lower_for_codegen.h"

#include "compiler/codegen/fuse_variable_updates.h"
#include "compiler/codegen/wrap_kernels.h"
#include "passes/specialize_shapes.h"

namespace graphc::codegen {

absl::StatusOr<LoweredFunction> LowerForCodegen(const ir::Function& function,
                                                std::span<const ir::TensorType> param_types) {
  LoweredFunction lowered;
  absl::StatusOr<std::unique_ptr<ir::Module>> module = passes::SpecializeFunction(function, param_types);
  if (!module.ok()) return module.status();
  lowered.module = std::move(*module);
  lowered.function = lowered.module->FindFunction(function.name());
  if (absl::Status s = WrapStandaloneOps(*lowered.function); !s.ok()) return s;
  if (absl::Status s = FuseVariableUpdates(*lowered.function); !s.ok()) return s;
  absl::StatusOr<passes::BufferPlan> plan =
      passes::PlanBuffers(*lowered.function,
                          {.results_in_caller_buffers = true, .assigned_values_in_variables = true});
  if (!plan.ok()) return plan.status();
  lowered.plan = std::move(*plan);
  return lowered;
}

}  // namespace graphc::codegen
