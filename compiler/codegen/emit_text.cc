#include "compiler/codegen/emit_text.h"

#include "compiler/codegen/compiled_function.h"
#include "compiler/codegen/function_emitter.h"
#include "compiler/codegen/jit.h"
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
  // Lowered modules stay alive while the LLVM module refers to nothing of
  // theirs, but the plans are read during emission only.
  for (const auto& f : ir_module.functions()) {
    std::vector<ir::TensorType> param_types;
    bool all_static = true;
    for (int i = 0; i < f->num_params(); ++i) {
      param_types.push_back(f->param(i)->type());
      all_static &= param_types.back().shape.is_static();
    }
    if (!all_static) {
      skipped += StrCat("; @", f->name(), ": parameters with `?` dims; compiled at a call's shapes\n");
      continue;
    }
    absl::StatusOr<LoweredFunction> lowered = LowerForCodegen(*f, param_types);
    if (!lowered.ok()) return lowered.status();
    absl::StatusOr<EmittedFunction> emitted =
        EmitFunction(*lowered->function, lowered->plan, module, ir::ToSymbolName(f->name()));
    if (absl::IsUnimplemented(emitted.status())) {
      skipped += StrCat("; @", f->name(), ": not compiled (", emitted.status().message(),
                        "): runs on the interpreter\n");
      continue;
    }
    if (!emitted.ok()) return emitted.status();
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
