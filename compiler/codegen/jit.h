// The ORC LLJIT for the host CPU: compiles LLVM modules, optimised
// (OptimizeForTarget) for the host's CPU and all its features (AVX-512 where present), and
// returns the addresses of their functions. Calls into the C library (expf,
// ...) resolve against the running process.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

namespace graphc::codegen {

class Jit {
 public:
  static absl::StatusOr<std::unique_ptr<Jit>> Create();

  // Optimises and adds `module` (owning its context); its functions become
  // callable. Symbols must be unique across modules of one Jit.
  absl::Status AddModule(std::unique_ptr<llvm::Module> module,
                         std::unique_ptr<llvm::LLVMContext> context);

  // Code the JIT frees when the handle goes (a compiled function's module).
  class ModuleHandle {
   public:
    ModuleHandle() = default;
    explicit ModuleHandle(llvm::orc::ResourceTrackerSP tracker) : tracker_(std::move(tracker)) {}
    ModuleHandle(ModuleHandle&&) = default;
    ModuleHandle& operator=(ModuleHandle&&) = default;
    ~ModuleHandle();

   private:
    llvm::orc::ResourceTrackerSP tracker_;
  };

  // As AddModule, but the module's code is removed when the handle is
  // destroyed; its functions must not run after that.
  absl::StatusOr<ModuleHandle> AddRemovableModule(std::unique_ptr<llvm::Module> module,
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

// graphc's optimisation pipeline: LLVM's -O3 without its loop unroller and
// interleaver, for the target `tm` (its data layout and triple are set on
// the module). The JIT runs it on every module, `graphc compile` on AOT
// objects.
absl::Status OptimizeForTarget(llvm::Module& module, llvm::TargetMachine& tm);

// The pipeline for the host CPU, as the JIT compiles (for `--emit=llvm`).
absl::Status OptimizeForHost(llvm::Module& module);

}  // namespace graphc::codegen
