#include "compiler/codegen/emit_text.h"

#include "compiler/codegen/jit.h"
#include "compiler/codegen/loop_emitter.h"
#include "ir/str_cat.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

namespace graphc::codegen {
namespace {

absl::StatusOr<std::string> Assembly(llvm::Module& module) {
  const std::string triple = module.getTargetTriple();
  std::string error;
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (target == nullptr) return absl::InternalError(StrCat("LLVM: ", error));
  llvm::SubtargetFeatures features;
  for (const auto& [name, enabled] : llvm::sys::getHostCPUFeatures()) {
    features.AddFeature(name, enabled);
  }
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, llvm::sys::getHostCPUName(), features.getString(), llvm::TargetOptions(),
      std::nullopt, std::nullopt, llvm::CodeGenOptLevel::Aggressive));
  llvm::SmallString<4096> text;
  llvm::raw_svector_ostream out(text);
  llvm::legacy::PassManager pm;
  if (tm->addPassesToEmitFile(pm, out, nullptr, llvm::CodeGenFileType::AssemblyFile)) {
    return absl::InternalError("LLVM: the host target cannot emit assembly");
  }
  pm.run(module);
  return std::string(text.str());
}

}  // namespace

absl::StatusOr<std::string> EmitModuleText(const ir::Module& ir_module, TextKind kind) {
  llvm::LLVMContext context;
  llvm::Module module("graphc", context);
  std::string skipped;
  for (const auto& f : ir_module.functions()) {
    int n = 0;
    absl::Status status = absl::OkStatus();
    ir::WalkOps(f->body(), [&](const ir::Op* op) {
      if (op->name() != "fusion" || !status.ok()) return;
      const std::string symbol = StrCat(f->name(), "_fusion", n++);
      if (!CanEmitLoopKernel(*op)) {
        skipped += StrCat("; ", symbol, " (", op->attr<std::string>("kind"),
                          "): not compiled yet, runs on the interpreter\n");
        return;
      }
      status = EmitLoopKernel(*op, module, symbol).status();
    });
    if (!status.ok()) return status;
  }
  if (absl::Status s = OptimizeForHost(module); !s.ok()) return s;
  if (kind == TextKind::kAssembly) {
    absl::StatusOr<std::string> assembly = Assembly(module);
    if (!assembly.ok()) return assembly.status();
    std::string comments;
    for (size_t pos = 0; pos < skipped.size();) {
      const size_t end = skipped.find('\n', pos);
      comments += "#" + skipped.substr(pos + 1, end - pos) ;
      pos = end + 1;
    }
    return comments + *assembly;
  }
  std::string text;
  llvm::raw_string_ostream out(text);
  module.print(out, nullptr);
  out.flush();
  return skipped + text;
}

}  // namespace graphc::codegen
