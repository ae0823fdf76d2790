// Checks the structural invariants of a module: SSA dominance, use lists,
// types (re-running inference), region rules (terminators, isolation), per-op
// checks (OpDef::verify), symbols. Passes run it after they change the IR.
#pragma once

#include "absl/status/status.h"
#include "ir/module.h"

namespace graphc::ir {

absl::Status VerifyModule(const Module& module);
absl::Status VerifyFunction(const Function& function);

}  // namespace graphc::ir
