// Parses the IR text form (grammar in docs/ir.md). Every op is built through
// ir::Builder, so parsed IR is shape-checked exactly like traced IR. Errors
// read "FILE:LINE:COL: error: what was expected".
#pragma once

#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "ir/module.h"

namespace graphc::ir {

absl::StatusOr<std::unique_ptr<Module>> ParseModule(std::string_view text,
                                                    std::string_view filename = "<input>");

}  // namespace graphc::ir
