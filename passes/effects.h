// Which ops touch mutable state. DCE may delete, and CSE may merge, only
// ops that neither write state nor (for CSE) read state that changes.
#pragma once

#include "ir/module.h"
#include "ir/op_registry.h"

namespace graphc::passes {

// True if running `op` writes a variable: an assign op, or a cond/while/
// fusion whose regions contain one, or a call of a function that does
// (transitively).
bool WritesState(const ir::Op& op);

// True if `op`'s results may depend on variables' current values: read_var,
// or an op whose regions or callee read one.
bool ReadsState(const ir::Op& op);

}  // namespace graphc::passes
