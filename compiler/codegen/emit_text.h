// The code codegen generates for a module, as text: LLVM IR (after the -O3
// pipeline for the host) or the host's assembly. For `graphc opt --emit=`.
// Each function with static parameter shapes becomes its entry point,
// named after it, and kernels `<function>_k<N>` (function_emitter.h);
// functions with `?` dims (compiled per call shape) and functions codegen
// does not compile are listed in comments at the top.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "ir/module.h"

namespace graphc::codegen {

enum class TextKind { kLlvmIr, kAssembly };

absl::StatusOr<std::string> EmitModuleText(const ir::Module& module, TextKind kind);

}  // namespace graphc::codegen
