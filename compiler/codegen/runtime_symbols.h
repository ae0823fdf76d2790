// The runtime functions generated code may call (runtime/kernel_abi.h), by
// name: the JIT binds these names to the functions linked into this
// process, and an AOT object lists them as what it needs from
// graphc_runtime. Declarations in LLVM modules come from here too, so a
// name and its signature are written once.
#pragma once

#include <span>
#include <string_view>

#include "llvm/IR/Module.h"

namespace graphc::codegen {

struct RuntimeSymbol {
  std::string_view name;
  void* address;
};

// Every function of runtime/kernel_abi.h that generated code calls.
std::span<const RuntimeSymbol> RuntimeSymbols();

// The declaration of runtime function `name` in `module` (added on first
// use), with its C signature.
llvm::FunctionCallee RuntimeFunction(llvm::Module& module, std::string_view name);

}  // namespace graphc::codegen
