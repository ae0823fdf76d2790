// The ORC LLJIT for the host CPU: compiles LLVM modules, optimised at -O3
// for the host's CPU and all its features (AVX-512 where present), and
// returns the addresses of their functions. Calls into the C library (expf,
// ...) resolve against the running process.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/IR/Module.h"

namespace graphc::codegen {

class Jit {
 public:
  static absl::StatusOr<std::unique_ptr<Jit>> Create();

  // Optimises and adds `module` (owning its context); its functions become
  // callable. Symbols must be unique across modules of one Jit.
  absl::Status AddModule(std::unique_ptr<llvm::Module> module,
                         std::unique_ptr<llvm::LLVMContext> context);

  // The address of a compiled function.
  absl::StatusOr<void*> Lookup(const std::string& symbol);

  // The host CPU's name and features, as the code is compiled for.
  const std::string& cpu() const { return cpu_; }

 private:
  Jit() = default;
  std::unique_ptr<llvm::orc::LLJIT> jit_;
  std::string cpu_;
};

// Runs the -O3 pipeline on `module` for the host CPU (also what the JIT
// does before compiling; exposed for `--emit=llvm`).
absl::Status OptimizeForHost(llvm::Module& module);

}  // namespace graphc::codegen
