// The steps between a traced (optimized) function and the function
// emitter: specialize to the call's shapes, wrap standalone compute ops in
// fusions, fold optimizer updates into the fusions that produce them, plan
// the buffers. Shared by the JIT (compiled_function.h), the AOT compiler
// (aot.h), `graphc opt --emit` (emit_text.h) and shape families
// (shape_family.h), so all of them compile the same thing.
#pragma once

#include <memory>
#include <span>

#include "absl/status/statusor.h"
#include "ir/module.h"
#include "passes/buffer_plan.h"

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

}  // namespace graphc::codegen
