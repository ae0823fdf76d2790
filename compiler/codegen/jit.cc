#include "compiler/codegen/jit.h"

#include <mutex>

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

absl::Status Optimize(llvm::Module& module, llvm::TargetMachine& tm) {
  module.setDataLayout(tm.createDataLayout());
  module.setTargetTriple(tm.getTargetTriple().str());
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(&tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3);
  mpm.run(module, mam);
  return absl::OkStatus();
}

}  // namespace

absl::Status OptimizeForHost(llvm::Module& module) {
  InitializeLlvmOnce();
  auto jtmb = HostMachine();
  if (!jtmb) return ToStatus(jtmb.takeError());
  auto tm = jtmb->createTargetMachine();
  if (!tm) return ToStatus(tm.takeError());
  return Optimize(module, **tm);
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
  // C library functions (expf, logf, ...) come from the running process.
  auto generator = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
      jit->jit_->getDataLayout().getGlobalPrefix());
  if (!generator) return ToStatus(generator.takeError());
  jit->jit_->getMainJITDylib().addGenerator(std::move(*generator));
  // Every module is optimised for the host before it is compiled.
  jit->jit_->getIRTransformLayer().setTransform(
      [machine](llvm::orc::ThreadSafeModule tsm,
                const llvm::orc::MaterializationResponsibility&)
          -> llvm::Expected<llvm::orc::ThreadSafeModule> {
        llvm::Error error = llvm::Error::success();
        tsm.withModuleDo([&](llvm::Module& m) {
          absl::Status s = Optimize(m, *machine);
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

absl::StatusOr<void*> Jit::Lookup(const std::string& symbol) {
  auto address = jit_->lookup(symbol);
  if (!address) return ToStatus(address.takeError());
  return address->toPtr<void*>();
}

}  // namespace graphc::codegen
