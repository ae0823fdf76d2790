// Before a function is compiled whole, every op that computes elements
// (an elementwise op the fusion pass left alone because several ops use
// it, a reduction, a gather, a lone matmul, ...) is wrapped in a one-op
// `fusion`, so the function emitter deals with one kind of compute op and
// the kernel emitters with one kind of input. What stays outside fusions
// is structural: variables, constants, views, control flow, calls and the
// random ops (runtime library calls).
#pragma once

#include "absl/status/status.h"
#include "ir/module.h"

namespace graphc::codegen {

// True for ops the function emitter handles itself, outside any fusion.
bool IsStructuralOp(const ir::Op& op);

// Wraps each non-structural op outside fusion bodies, in every region of
// `function`, in a fusion of its own (kind "loop" for ops with a scalar
// definition, "matmul" for matmul, "reduction" otherwise).
absl::Status WrapStandaloneOps(ir::Function& function);

}  // namespace graphc::codegen
