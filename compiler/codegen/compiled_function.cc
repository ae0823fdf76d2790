#include "compiler/codegen/compiled_function.h"

#include <atomic>

#include "compiler/codegen/function_emitter.h"
#include "ir/str_cat.h"
#include "passes/buffer_plan.h"

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

absl::StatusOr<std::unique_ptr<CompiledFunction>> CompiledFunction::Compile(
    const ir::Function& function, std::span<const ir::TensorType> param_types) {
  std::unique_ptr<CompiledFunction> compiled(new CompiledFunction());
  absl::StatusOr<LoweredFunction> lowered = LowerForCodegen(function, param_types);
  if (!lowered.ok()) return lowered.status();
  compiled->module_ = std::move(lowered->module);
  if (absl::Status s = compiled->Build(function, lowered->function, lowered->plan, nullptr); !s.ok()) return s;
  return compiled;
}

absl::StatusOr<std::unique_ptr<CompiledFunction>> CompiledFunction::CompileFamily(
    const ir::Function& function, std::span<const ir::TensorType> param_types) {
  std::unique_ptr<CompiledFunction> compiled(new CompiledFunction());
  absl::StatusOr<ShapeFamily> family = DeriveShapeFamily(function, param_types);
  if (!family.ok()) return family.status();
  // The fit comes from large probes: check it at the call's own shapes
  // before generating code for them.
  std::optional<std::vector<int64_t>> dims = MatchShapeFamily(*family, function, param_types);
  if (!dims) {
    return absl::FailedPreconditionError(
        StrCat("@", function.name(), "'s shape family does not hold at the shapes of the call"));
  }
  compiled->compiled_dims_ = std::move(*dims);
  compiled->family_ = std::make_unique<ShapeFamily>(std::move(*family));
  const ShapeFamily& f = *compiled->family_;
  if (absl::Status s = compiled->Build(function, f.lowered.function, f.lowered.plan, &f.dims); !s.ok()) return s;
  return compiled;
}

absl::Status CompiledFunction::Build(const ir::Function& source, ir::Function* f, const passes::BufferPlan& plan,
                                     const DimTable* dims) {
  source_ = &source;
  specialized_ = f;
  absl::StatusOr<Jit*> jit = ProcessJit();
  if (!jit.ok()) return jit.status();
  const std::string name = NextModuleName(source.name());
  auto context = std::make_unique<llvm::LLVMContext>();
  auto llvm_module = std::make_unique<llvm::Module>(name, *context);
  absl::StatusOr<EmittedFunction> emitted = EmitFunction(*f, plan, *llvm_module, name, dims);
  if (!emitted.ok()) return emitted.status();
  absl::StatusOr<Jit::ModuleHandle> code = (*jit)->AddRemovableModule(std::move(llvm_module), std::move(context));
  if (!code.ok()) return code.status();
  code_ = std::move(*code);
  absl::StatusOr<void*> entry = (*jit)->Lookup(emitted->entry_symbol);
  if (!entry.ok()) return entry.status();

  // A dim that varies at run time is -1 in the spec.
  auto spec_of = [&](std::string spec_name, const ir::Value* v) {
    runtime::BufferSpec spec = Spec(std::move(spec_name), v->type());
    for (size_t d = 0; dims != nullptr && d < spec.dims.size(); ++d) {
      if (!dims->Dim(v, static_cast<int64_t>(d)).is_constant()) spec.dims[d] = -1;
    }
    return spec;
  };
  runtime::ExecutableSpec spec;
  spec.name = StrCat("@", source.name());
  spec.entry = reinterpret_cast<graphc_entry>(*entry);
  spec.num_dims = dims != nullptr ? dims->num_symbols() : 0;
  spec.arena_bytes = emitted->arena.constant;
  for (int i = 0; i < spec.num_dims; ++i) spec.arena_bytes_per_dim.push_back(emitted->arena.coef(i));
  for (int i = 0; i < f->num_params(); ++i) {
    const std::string& hint = f->param(i)->name_hint();
    spec.params.push_back(spec_of(hint.empty() ? StrCat(i) : hint, f->param(i)));
  }
  const ir::Op* ret = f->body().terminator();
  for (int r = 0; r < ret->num_operands(); ++r) spec.results.push_back(spec_of(StrCat("result", r), ret->operand(r)));
  for (const std::string& var : emitted->variables) {
    const ir::VariableDecl* decl = f->module()->FindVariable(var);
    if (decl == nullptr) return absl::InternalError(StrCat("variable @", var, " is not declared"));
    spec.variables.push_back(Spec(var, decl->type));
  }
  variables_ = emitted->variables;
  fusions_ = emitted->fusions;
  executable_ = std::make_unique<runtime::Executable>(std::move(spec));
  if (!executable_->ok()) {
    return absl::ResourceExhaustedError(
        StrCat("@", source.name(), ": cannot allocate an arena of ", emitted->arena_bytes, " bytes"));
  }
  return absl::OkStatus();
}

std::optional<std::vector<int64_t>> CompiledFunction::Accepts(std::span<const ir::TensorType> param_types) const {
  if (family_ != nullptr) return MatchShapeFamily(*family_, *source_, param_types);
  if (param_types.size() != static_cast<size_t>(specialized_->num_params())) return std::nullopt;
  for (size_t i = 0; i < param_types.size(); ++i) {
    if (param_types[i] != specialized_->param(static_cast<int>(i))->type()) return std::nullopt;
  }
  return std::vector<int64_t>{};
}

std::vector<ir::TensorType> CompiledFunction::ResultTypes(std::span<const int64_t> dims) const {
  const ir::Op* ret = specialized_->body().terminator();
  std::vector<ir::TensorType> types;
  for (const ir::Value* v : ret->operands()) {
    if (family_ == nullptr) {
      types.push_back(v->type());
      continue;
    }
    std::vector<int64_t> shape;
    for (const AffineDim& d : family_->dims.Dims(v)) shape.push_back(d.Evaluate(dims));
    types.push_back({v->dtype(), ir::Shape(shape)});
  }
  return types;
}

absl::StatusOr<std::vector<HostTensor>> CompiledFunction::Run(std::span<const HostTensor> args,
                                                              interp::VariableStore* variables) const {
  const runtime::ExecutableSpec& spec = executable_->spec();
  if (args.size() != spec.params.size()) {
    return absl::InvalidArgumentError(StrCat(spec.name, " takes ", spec.params.size(), " arguments, got ", args.size()));
  }
  std::vector<void*> params, results, vars;
  std::vector<ir::TensorType> types;
  for (const HostTensor& t : args) types.push_back(t.type());
  const std::optional<std::vector<int64_t>> dims = Accepts(types);
  for (size_t i = 0; i < args.size(); ++i) {
    const runtime::BufferSpec& want = spec.params[i];
    bool fits = ToRuntimeDType(args[i].dtype()) == want.dtype && args[i].shape().rank() == static_cast<int64_t>(want.dims.size());
    for (size_t d = 0; fits && d < want.dims.size(); ++d) {
      fits = want.dims[d] < 0 || want.dims[d] == args[i].shape().dim(static_cast<int64_t>(d));
    }
    if (!fits) {
      return absl::InvalidArgumentError(StrCat(spec.name, ": argument ", i, " must be ", want.TypeString(), ", got ",
                                               args[i].type().ToString()));
    }
    params.push_back(const_cast<uint8_t*>(args[i].data()));
  }
  if (!dims) {
    return absl::InvalidArgumentError(
        StrCat(spec.name, ": this executable does not run these shapes (its `?` dims take other values or ",
               "sizes of 0 or 1 here): compile for them"));
  }
  std::vector<HostTensor> out;
  for (const ir::TensorType& type : ResultTypes(*dims)) {
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
  if (!executable_->Run(params, results, vars, *dims, &error)) return absl::InvalidArgumentError(error);
  return out;
}

}  // namespace graphc::codegen
