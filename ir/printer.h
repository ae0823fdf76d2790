// The IR text form (grammar in docs/ir.md). Printing is deterministic and
// parses back to an identical module: print(parse(print(m))) == print(m).
#pragma once

#include <string>

#include "absl/container/flat_hash_map.h"
#include "ir/module.h"

namespace graphc::ir {

std::string PrintModule(const Module& module);
std::string PrintFunction(const Function& function);
// The name PrintFunction gives each value of `function` ("%x", "%3"),
// nested regions included: for tools that annotate a dump (buffer plans).
absl::flat_hash_map<const Value*, std::string> ValueNames(const Function& function);
// One op on one line (nested regions on the following lines), as in a dump.
std::string PrintOp(const Op& op);

}  // namespace graphc::ir
