// Builds a gradient function: for `f`, a new function `<f>_grad` in the
// same module with f's parameters that returns f's first result (a
// floating-point value; non-scalars are summed, as a tape would) followed by
// its gradient with respect to each floating-point parameter. What
// `graphc grad` prints.
#pragma once

#include "absl/status/statusor.h"
#include "ir/module.h"

namespace graphc::passes {

absl::StatusOr<ir::Function*> BuildGradientFunction(ir::Module& module, const ir::Function& f);

}  // namespace graphc::passes
