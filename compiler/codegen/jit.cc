#include "compiler/codegen/jit.h"

#include <mutex>

#include "compiler/codegen/perf_map.h"
#include "compiler/codegen/runtime_symbols.h"
#include "ir/str_cat.h"
#include "llvm/ExecutionEngine/Orc/ExecutionUtils.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

namespace graphc::codegen {
namespace {

void InitializeLlvmOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

absl::Status ToStatus(llvm::Error error) {
  std::string message = llvm::toString(std::move(error));
  return absl::InternalError(StrCat("LLVM: ", message));
}

// The host, with every feature the CPU has.
llvm::Expected<llvm::orc::JITTargetMachineBuilder> HostMachine() {
  auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!jtmb) return jtmb.takeError();
  jtmb->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  return jtmb;
}

}  // namespace

absl::Status OptimizeForTarget(llvm::Module& module, llvm::TargetMachine& tm) {
  module.setDataLayout(tm.createDataLayout());
  module.setTargetTriple(tm.getTargetTriple().str());
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  // Measured on the small MLP's training step: LLVM's loop unroller and
  // interleaver took half of the compile time (230 -> 120 ms) and sped
  // nothing up that was measured (the step, the elementwise chain and the
  // linear regression loop ran as fast or faster without them), so they are
  // off. Loops that gain from unrolling are unrolled by the emitters.
  llvm::PipelineTuningOptions tuning;
  tuning.LoopUnrolling = false;
  tuning.LoopInterleaving = false;
  llvm::PassBuilder pb(&tm, tuning);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3);
  mpm.run(module, mam);
  return absl::OkStatus();
}


absl::Status OptimizeForHost(llvm::Module& module) {
  InitializeLlvmOnce();
  auto jtmb = HostMachine();
  if (!jtmb) return ToStatus(jtmb.takeError());
  auto tm = jtmb->createTargetMachine();
  if (!tm) return ToStatus(tm.takeError());
  return OptimizeForTarget(module, **tm);
}

absl::StatusOr<std::unique_ptr<Jit>> Jit::Create() {
  InitializeLlvmOnce();
  auto jtmb = HostMachine();
  if (!jtmb) return ToStatus(jtmb.takeError());
  std::unique_ptr<Jit> jit(new Jit());
  jit->cpu_ = jtmb->getCPU();
  auto tm = jtmb->createTargetMachine();
  if (!tm) return ToStatus(tm.takeError());
  std::shared_ptr<llvm::TargetMachine> machine = std::move(*tm);
  auto lljit = llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(std::move(*jtmb)).create();
  if (!lljit) return ToStatus(lljit.takeError());
  jit->jit_ = std::move(*lljit);
  MaybeWritePerfMap(*jit->jit_);
  // C library functions (expf, logf, ...) come from the running process.
  auto generator = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
      jit->jit_->getDataLayout().getGlobalPrefix());
  if (!generator) return ToStatus(generator.takeError());
  jit->jit_->getMainJITDylib().addGenerator(std::move(*generator));
  // The runtime's kernels (runtime/kernel_abi.h) are bound to the copies
  // linked into this program: an executable does not export them.
  llvm::orc::SymbolMap runtime_symbols;
  for (const RuntimeSymbol& symbol : RuntimeSymbols()) {
    runtime_symbols[jit->jit_->mangleAndIntern(llvm::StringRef(symbol.name.data(), symbol.name.size()))] =
        llvm::orc::ExecutorSymbolDef(llvm::orc::ExecutorAddr::fromPtr(symbol.address),
                                     llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable);
  }
  if (llvm::Error error =
          jit->jit_->getMainJITDylib().define(llvm::orc::absoluteSymbols(std::move(runtime_symbols)))) {
    return ToStatus(std::move(error));
  }
  // Every module is optimised for the host before it is compiled.
  jit->jit_->getIRTransformLayer().setTransform(
      [machine](llvm::orc::ThreadSafeModule tsm,
                const llvm::orc::MaterializationResponsibility&)
          -> llvm::Expected<llvm::orc::ThreadSafeModule> {
        llvm::Error error = llvm::Error::success();
        tsm.withModuleDo([&](llvm::Module& m) {
          absl::Status s = OptimizeForTarget(m, *machine);
          if (!s.ok()) {
            error = llvm::make_error<llvm::StringError>(std::string(s.message()),
                                                        llvm::inconvertibleErrorCode());
          }
        });
        if (error) return error;
        return tsm;
      });
  return jit;
}

absl::Status Jit::AddModule(std::unique_ptr<llvm::Module> module,
                            std::unique_ptr<llvm::LLVMContext> context) {
  llvm::Error error =
      jit_->addIRModule(llvm::orc::ThreadSafeModule(std::move(module), std::move(context)));
  if (error) return ToStatus(std::move(error));
  return absl::OkStatus();
}

absl::StatusOr<Jit::ModuleHandle> Jit::AddRemovableModule(std::unique_ptr<llvm::Module> module,
                                                          std::unique_ptr<llvm::LLVMContext> context) {
  llvm::orc::ResourceTrackerSP tracker = jit_->getMainJITDylib().createResourceTracker();
  llvm::Error error =
      jit_->addIRModule(tracker, llvm::orc::ThreadSafeModule(std::move(module), std::move(context)));
  if (error) return ToStatus(std::move(error));
  return ModuleHandle(std::move(tracker));
}

Jit::ModuleHandle::~ModuleHandle() {
  if (tracker_) llvm::consumeError(tracker_->remove());
}

absl::StatusOr<void*> Jit::Lookup(const std::string& symbol) {
  auto address = jit_->lookup(symbol);
  if (!address) return ToStatus(address.takeError());
  return address->toPtr<void*>();
}

}  // namespace graphc::codegen
