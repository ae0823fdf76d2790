// Shape specialization: a copy of a function for one call's concrete
// parameter types, every `?` dim that follows from them made static, so
// codegen can plan buffers and emit loops for exact sizes (as XLA compiles
// one executable per shape). The pass pipeline runs once on the function
// with `?` dims; each specialization only re-infers types.
#pragma once

#include <memory>
#include <span>

#include "absl/status/statusor.h"
#include "ir/module.h"

namespace graphc::passes {

// A new module holding the module's variable declarations, copies of its
// other functions as they are, and a copy of `function` (same name) whose
// parameters have `param_types`. Each must be compatible with the declared
// type (same dtype and rank, equal static dims). Every op is rebuilt through
// the builder, so types are re-inferred; region arguments of `cond`,
// `while` and `fusion` take the types of the operands they receive. Calls
// in `function` are inlined (up to a depth of 16, so recursion stops), each
// callee's body re-inferred for the call's arguments. Errors
// when a type does not fit, or when the refined types do not check (a
// `while` whose loop variables change shape between iterations, say).
absl::StatusOr<std::unique_ptr<ir::Module>> SpecializeFunction(
    const ir::Function& function, std::span<const ir::TensorType> param_types);

}  // namespace graphc::passes
