// The code codegen generates for a module, as text: LLVM IR (after the -O3
// pipeline for the host) or the host's assembly. For `graphc opt --emit=`.
// Each supported fusion group becomes a function named
// `<function>_fusion<N>` (N counts the function's fusion ops in program
// order, nested regions included); unsupported ones are listed in a comment.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "ir/module.h"

namespace graphc::codegen {

enum class TextKind { kLlvmIr, kAssembly };

absl::StatusOr<std::string> EmitModuleText(const ir::Module& module, TextKind kind);

}  // namespace graphc::codegen
