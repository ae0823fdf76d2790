// Before a function is compiled whole: a variable update `assign_add x` or
// `assign_sub x` whose x is computed by an elementwise loop fusion (an
// optimizer's step: SGD's lr * g, Adam's lr_t * m / (sqrt(v) + eps)) has
// the update folded into that fusion, which then reads the variable and
// yields its new value for a plain `assign`. With the buffer plan's
// assigned_values_in_variables the fusion then writes the variable in
// place: one pass over the weights instead of a loop writing x, a second
// reading x back and the variable, and a serial update loop.
//
// Bits do not change: the fusion computes `old + x` / `old - x` exactly as
// the update op did, from the same old value (nothing writes the variable
// between the fusion and the update, or the update is left alone).
#pragma once

#include "absl/status/status.h"
#include "ir/module.h"

namespace graphc::codegen {

// Rewrites every such update in `function`'s body (not in nested regions).
absl::Status FuseVariableUpdates(ir::Function& function);

}  // namespace graphc::codegen
