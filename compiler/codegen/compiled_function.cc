#include "compiler/codegen/compiled_function.h"

#include <atomic>

#include "compiler/codegen/function_emitter.h"
#include "compiler/codegen/fuse_variable_updates.h"
#include "compiler/codegen/wrap_kernels.h"
#include "ir/str_cat.h"
#include "passes/buffer_plan.h"
#include "passes/specialize_shapes.h"

namespace graphc::codegen {
namespace {

// Symbols are unique per process: one JIT serves every function.
std::string NextModuleName(const std::string& function) {
  static std::atomic<int64_t> next{0};
  return StrCat("graphc_", ir::ToSymbolName(function), "_", next++);
}

runtime::BufferSpec Spec(std::string name, const ir::TensorType& type) {
  runtime::BufferSpec spec;
  spec.name = std::move(name);
  spec.dtype = ToRuntimeDType(type.dtype);
  spec.dims.assign(type.shape.dims().begin(), type.shape.dims().end());
  return spec;
}

}  // namespace

runtime::DType ToRuntimeDType(ir::DType dtype) {
  static_assert(static_cast<int>(ir::DType::kBool) == static_cast<int>(runtime::DType::kBool) &&
                static_cast<int>(ir::DType::kI64) == static_cast<int>(runtime::DType::kI64));
  return static_cast<runtime::DType>(dtype);
}

absl::StatusOr<Jit*> ProcessJit() {
  static absl::StatusOr<std::unique_ptr<Jit>>* jit =
      new absl::StatusOr<std::unique_ptr<Jit>>(Jit::Create());
  if (!jit->ok()) return jit->status();
  return jit->value().get();
}

absl::StatusOr<LoweredFunction> LowerForCodegen(const ir::Function& function,
                                                std::span<const ir::TensorType> param_types) {
  LoweredFunction lowered;
  absl::StatusOr<std::unique_ptr<ir::Module>> module = passes::SpecializeFunction(function, param_types);
  if (!module.ok()) return module.status();
  lowered.module = std::move(*module);
  lowered.function = lowered.module->FindFunction(function.name());
  if (absl::Status s = WrapStandaloneOps(*lowered.function); !s.ok()) return s;
  if (absl::Status s = FuseVariableUpdates(*lowered.function); !s.ok()) return s;
  absl::StatusOr<passes::BufferPlan> plan =
      passes::PlanBuffers(*lowered.function,
                          {.results_in_caller_buffers = true, .assigned_values_in_variables = true});
  if (!plan.ok()) return plan.status();
  lowered.plan = std::move(*plan);
  return lowered;
}

absl::StatusOr<std::unique_ptr<CompiledFunction>> CompiledFunction::Compile(
    const ir::Function& function, std::span<const ir::TensorType> param_types) {
  std::unique_ptr<CompiledFunction> compiled(new CompiledFunction());
  absl::StatusOr<LoweredFunction> lowered = LowerForCodegen(function, param_types);
  if (!lowered.ok()) return lowered.status();
  compiled->module_ = std::move(lowered->module);
  ir::Function* f = lowered->function;
  compiled->specialized_ = f;
  const passes::BufferPlan* plan = &lowered->plan;

  absl::StatusOr<Jit*> jit = ProcessJit();
  if (!jit.ok()) return jit.status();
  const std::string name = NextModuleName(function.name());
  auto context = std::make_unique<llvm::LLVMContext>();
  auto llvm_module = std::make_unique<llvm::Module>(name, *context);
  absl::StatusOr<EmittedFunction> emitted = EmitFunction(*f, *plan, *llvm_module, name);
  if (!emitted.ok()) return emitted.status();
  absl::StatusOr<Jit::ModuleHandle> code = (*jit)->AddRemovableModule(std::move(llvm_module), std::move(context));
  if (!code.ok()) return code.status();
  compiled->code_ = std::move(*code);
  absl::StatusOr<void*> entry = (*jit)->Lookup(emitted->entry_symbol);
  if (!entry.ok()) return entry.status();

  runtime::ExecutableSpec spec;
  spec.name = StrCat("@", function.name());
  spec.entry = reinterpret_cast<graphc_entry>(*entry);
  spec.arena_bytes = emitted->arena_bytes;
  for (int i = 0; i < f->num_params(); ++i) {
    const std::string& hint = f->param(i)->name_hint();
    spec.params.push_back(Spec(hint.empty() ? StrCat(i) : hint, f->param(i)->type()));
  }
  for (size_t r = 0; r < f->result_types().size(); ++r) {
    spec.results.push_back(Spec(StrCat("result", r), f->result_types()[r]));
  }
  for (const std::string& var : emitted->variables) {
    const ir::VariableDecl* decl = compiled->module_->FindVariable(var);
    if (decl == nullptr) return absl::InternalError(StrCat("variable @", var, " is not declared"));
    spec.variables.push_back(Spec(var, decl->type));
  }
  compiled->variables_ = emitted->variables;
  compiled->fusions_ = emitted->fusions;
  compiled->executable_ = std::make_unique<runtime::Executable>(std::move(spec));
  if (!compiled->executable_->ok()) {
    return absl::ResourceExhaustedError(
        StrCat("@", function.name(), ": cannot allocate an arena of ", emitted->arena_bytes, " bytes"));
  }
  return compiled;
}

absl::StatusOr<std::vector<HostTensor>> CompiledFunction::Run(std::span<const HostTensor> args,
                                                              interp::VariableStore* variables) const {
  const runtime::ExecutableSpec& spec = executable_->spec();
  if (args.size() != spec.params.size()) {
    return absl::InvalidArgumentError(StrCat(spec.name, " takes ", spec.params.size(), " arguments, got ", args.size()));
  }
  std::vector<void*> params, results, vars;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i].type() != specialized_->param(static_cast<int>(i))->type()) {
      return absl::InvalidArgumentError(StrCat(spec.name, ": argument ", i, " must be ",
                                               specialized_->param(static_cast<int>(i))->type().ToString(),
                                               ", got ", args[i].type().ToString()));
    }
    params.push_back(const_cast<uint8_t*>(args[i].data()));
  }
  std::vector<HostTensor> out;
  for (const ir::TensorType& type : specialized_->result_types()) {
    out.push_back(HostTensor::Uninitialized(type.dtype, type.shape));
    results.push_back(out.back().mutable_data());
  }
  for (size_t v = 0; v < variables_.size(); ++v) {
    auto it = variables == nullptr ? interp::VariableStore::iterator() : variables->find(variables_[v]);
    if (variables == nullptr || it == variables->end()) {
      return absl::InvalidArgumentError(StrCat(spec.name, ": no value for variable @", variables_[v]));
    }
    const runtime::BufferSpec& want = spec.variables[v];
    if (it->second.byte_size() != want.byte_size() || ToRuntimeDType(it->second.dtype()) != want.dtype) {
      return absl::InvalidArgumentError(StrCat(spec.name, ": variable @", variables_[v], " is ",
                                               it->second.type().ToString(), ", expected ", want.TypeString()));
    }
    vars.push_back(it->second.mutable_data());
  }
  std::string error;
  if (!executable_->Run(params, results, vars, &error)) return absl::InvalidArgumentError(error);
  return out;
}

}  // namespace graphc::codegen
