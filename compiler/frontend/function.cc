#include <algorithm>
#include <atomic>
#include <fstream>

#include "absl/container/inlined_vector.h"

#include "compiler/frontend/concrete_function.h"
#include "compiler/frontend/dispatch.h"
#include "compiler/frontend/tensor_impl.h"
#include "compiler/frontend/trace_state.h"
#include "compiler/interpreter/constant_evaluator.h"
#include "compiler/interpreter/interpreter.h"
#include "ir/printer.h"
#include "ir/str_cat.h"
#include "ir/verifier.h"
#include "passes/pass_manager.h"
#include "runtime/thread_pool.h"

namespace graphc {

bool IsTracing() { return TraceState::Current() != nullptr; }

absl::StatusOr<std::vector<HostTensor>> ConcreteFunctionImpl::Run(
    const std::vector<HostTensor>& inputs) const {
  if (static_cast<int>(inputs.size()) != num_inputs) {
    return absl::InvalidArgumentError(StrCat("@", function->name(), " takes ", num_inputs,
                                             " tensor arguments, got ", inputs.size()));
  }
  for (int i = 0; i < num_inputs; ++i) {
    const ir::TensorType& want = function->param(i)->type();
    if (!ir::IsCompatible(want, inputs[static_cast<size_t>(i)].type())) {
      return absl::InvalidArgumentError(StrCat("@", function->name(), ": tensor argument ", i, " must be ",
                                               want.ToString(), ", got ",
                                               inputs[static_cast<size_t>(i)].type().ToString()));
    }
  }
  if (executor == Executor::kInterpreter) return RunInterpreted(inputs);
  std::lock_guard<std::mutex> lock(mutex_);
  absl::StatusOr<Compiled*> compiled = CompiledFor(inputs);
  if (!compiled.ok()) return compiled.status();
  if ((*compiled)->code == nullptr) return RunInterpreted(inputs);
  return RunCompiled(**compiled, inputs);
}

absl::StatusOr<std::vector<HostTensor>> ConcreteFunctionImpl::RunInterpreted(
    const std::vector<HostTensor>& inputs) const {
  std::vector<HostTensor> args = inputs;
  args.insert(args.end(), captured.begin(), captured.end());
  interp::VariableStore store;
  for (const auto& [name, state] : variables) store.emplace(name, state->value);  // shares buffers
  return interp::RunFunction(*function, args, &store);
}

absl::StatusOr<ConcreteFunctionImpl::Compiled*> ConcreteFunctionImpl::CompiledFor(
    const std::vector<HostTensor>& inputs) const {
  if (last_ != nullptr) {
    bool same = true;
    for (size_t i = 0; i < inputs.size() && same; ++i) same = last_->shapes[i] == inputs[i].shape();
    if (same) return last_;
  }
  std::vector<ir::TensorType> types;
  for (const HostTensor& t : inputs) types.push_back(t.type());
  return CompiledFor(types);
}

absl::StatusOr<ConcreteFunctionImpl::Compiled*> ConcreteFunctionImpl::CompiledFor(
    const std::vector<ir::TensorType>& input_types) const {
  auto same_shapes = [&](const Compiled& c) {
    for (size_t i = 0; i < input_types.size(); ++i) {
      if (c.shapes[i] != input_types[i].shape) return false;
    }
    return true;
  };
  for (const auto& c : compiled_) {
    if (same_shapes(*c)) return last_ = c.get();
  }
  auto entry = std::make_unique<Compiled>();
  std::vector<ir::TensorType> param_types = input_types;
  for (const HostTensor& t : captured) param_types.push_back(t.type());
  for (const ir::TensorType& t : input_types) entry->shapes.push_back(t.shape);
  // A shape family compiled before may run these shapes (each family is
  // asked once: several entries share it).
  std::vector<const codegen::CompiledFunction*> asked;
  for (const auto& c : compiled_) {
    if (c->code == nullptr || !c->code->is_family()) continue;
    if (std::find(asked.begin(), asked.end(), c->code.get()) != asked.end()) continue;
    asked.push_back(c->code.get());
    if (std::optional<std::vector<int64_t>> dims = c->code->Accepts(param_types)) {
      entry->code = c->code;
      entry->dims = std::move(*dims);
      entry->variables = c->variables;
      entry->result_types = entry->code->ResultTypes(entry->dims);
      compiled_.push_back(std::move(entry));
      return last_ = compiled_.back().get();
    }
  }
  // Else compile: for the family of shapes when parameters have `?` dims
  // (so other batch sizes need no compiling), else, or when codegen cannot
  // make a family of this function, for these shapes.
  bool has_dynamic_dims = false;
  for (int i = 0; i < num_inputs; ++i) has_dynamic_dims |= !function->param(i)->shape().is_static();
  absl::StatusOr<std::unique_ptr<codegen::CompiledFunction>> code =
      has_dynamic_dims ? codegen::CompiledFunction::CompileFamily(*function, param_types)
                       : codegen::CompiledFunction::Compile(*function, param_types);
  if (has_dynamic_dims && (absl::IsFailedPrecondition(code.status()) || absl::IsUnimplemented(code.status()))) {
    code = codegen::CompiledFunction::Compile(*function, param_types);
  }
  if (code.ok()) {
    entry->code = std::move(*code);
    entry->dims = entry->code->compiled_dims();
    entry->result_types = entry->code->ResultTypes(entry->dims);
    for (const std::string& name : entry->code->variables()) {
      VariableState* state = nullptr;
      for (const auto& [var_name, var] : variables) {
        if (var_name == name) state = var.get();
      }
      if (state == nullptr) return absl::InternalError(StrCat("variable @", name, " is not bound"));
      entry->variables.push_back(state);
    }
  } else if (absl::IsUnimplemented(code.status())) {
    entry->note = std::string(code.status().message());
  } else {
    return code.status();
  }
  compiled_.push_back(std::move(entry));
  return last_ = compiled_.back().get();
}

absl::StatusOr<std::vector<HostTensor>> ConcreteFunctionImpl::RunCompiled(
    Compiled& compiled, const std::vector<HostTensor>& inputs) const {
  runtime::Executable& executable = compiled.code->executable();
  const runtime::ExecutableSpec& spec = executable.spec();
  absl::InlinedVector<void*, 16> params, results, vars;
  for (const HostTensor& t : inputs) params.push_back(const_cast<uint8_t*>(t.data()));
  for (const HostTensor& t : captured) params.push_back(const_cast<uint8_t*>(t.data()));
  compiled.last_results.resize(spec.results.size());
  for (size_t r = 0; r < spec.results.size(); ++r) {
    HostTensor& out = compiled.last_results[r];
    if (!out.HasUniqueBuffer()) {
      const ir::TensorType& type = compiled.result_types[r];
      out = HostTensor::Uninitialized(type.dtype, type.shape);
    }
    results.push_back(out.mutable_data());
  }
  for (size_t v = 0; v < compiled.variables.size(); ++v) {
    HostTensor& value = compiled.variables[v]->value;
    const runtime::BufferSpec& want = spec.variables[v];
    if (value.byte_size() != want.byte_size() || codegen::ToRuntimeDType(value.dtype()) != want.dtype) {
      return absl::FailedPreconditionError(StrCat("variable '", compiled.variables[v]->name, "' is ",
                                                  value.type().ToString(), ", the graph was compiled for ",
                                                  want.TypeString()));
    }
    vars.push_back(value.mutable_data());
  }
  std::string error;
  if (!executable.Run(params, results, vars, compiled.dims, &error)) return absl::InvalidArgumentError(error);
  return compiled.last_results;  // copies share the buffers
}

absl::Status ConcreteFunctionImpl::Compile(const std::vector<ir::TensorType>& input_types) const {
  if (executor != Executor::kJit) return absl::OkStatus();
  std::lock_guard<std::mutex> lock(mutex_);
  return CompiledFor(input_types).status();
}

const codegen::CompiledFunction* ConcreteFunctionImpl::last_compiled() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return last_ == nullptr ? nullptr : last_->code.get();
}

int ConcreteFunctionImpl::compiled_executables() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<const codegen::CompiledFunction*> seen;
  for (const auto& c : compiled_) {
    if (c->code != nullptr && std::find(seen.begin(), seen.end(), c->code.get()) == seen.end()) {
      seen.push_back(c->code.get());
    }
  }
  return static_cast<int>(seen.size());
}

std::string ConcreteFunctionImpl::jit_note() const {
  if (executor == Executor::kInterpreter) return "Executor::kInterpreter";
  std::lock_guard<std::mutex> lock(mutex_);
  return last_ == nullptr ? "" : last_->note;
}

namespace {
std::atomic<Executor> g_default_executor{Executor::kJit};
}  // namespace

void set_default_executor(Executor executor) {
  g_default_executor = executor == Executor::kDefault ? Executor::kJit : executor;
}
Executor default_executor() { return g_default_executor; }

void set_intra_op_parallelism_threads(int threads) {
  if (threads < 1) {
    throw Error(absl::InvalidArgumentError(
        StrCat("set_intra_op_parallelism_threads: needs at least 1 thread, got ", threads)));
  }
  runtime::SetDefaultThreadPoolSize(threads);
}
int intra_op_parallelism_threads() { return runtime::DefaultThreadPool().size(); }

std::vector<Tensor> ConcreteFunction::operator()(const std::vector<Tensor>& inputs) const {
  std::vector<HostTensor> values;
  values.reserve(inputs.size());
  for (const Tensor& t : inputs) values.push_back(EagerValue(t, "calling a concrete function"));
  std::vector<HostTensor> out = ValueOrThrow(impl_->Run(values), std::source_location::current());
  std::vector<Tensor> tensors;
  for (HostTensor& h : out) tensors.push_back(MakeEager(std::move(h)));
  return tensors;
}

std::string ConcreteFunction::ir_text() const { return ir::PrintModule(*impl_->module); }
std::string ConcreteFunction::traced_ir_text() const { return impl_->traced_text; }
namespace {
int CountFusions(const ir::Function& f) {
  int n = 0;
  ir::WalkOps(f.body(), [&](const ir::Op* op) { n += op->name() == "fusion" ? 1 : 0; });
  return n;
}
}  // namespace

int ConcreteFunction::compiled_fusions() const {
  const codegen::CompiledFunction* compiled = impl_->last_compiled();
  return compiled == nullptr ? 0 : CountFusions(compiled->specialized());
}
int ConcreteFunction::interpreted_fusions() const {
  return impl_->last_compiled() == nullptr ? CountFusions(*impl_->function) : 0;
}
std::string ConcreteFunction::jit_note() const { return impl_->jit_note(); }
int ConcreteFunction::compiled_executables() const { return impl_->compiled_executables(); }

void ConcreteFunction::save(const std::string& path) const {
  std::ofstream out(path);
  out << ir_text();
  if (!out) throw Error(absl::UnavailableError(StrCat("cannot write '", path, "'")));
}

std::vector<std::pair<std::string, Variable>> ConcreteFunction::variables() const {
  std::vector<std::pair<std::string, Variable>> out;
  for (const auto& [name, state] : impl_->variables) out.emplace_back(name, Variable::FromState(state));
  return out;
}

const ir::Function& ConcreteFunction::function() const { return *impl_->function; }
const ir::Module& ConcreteFunction::module() const { return *impl_->module; }

namespace function_internal {

struct FunctionCore::Cache {
  FunctionOptions options;
  int traces = 0;
  // Exact signatures seen in calls, and traces made for specs with `?` dims.
  std::vector<std::pair<std::vector<ArgKey>, ConcreteFunction>> exact;
  std::vector<std::pair<std::vector<ArgKey>, ConcreteFunction>> by_spec;
};

namespace {

std::string DescribeKey(const std::vector<ArgKey>& key) {
  std::string s;
  for (const ArgKey& k : key) {
    if (!s.empty()) s += ", ";
    s += k.is_tensor ? ir::TensorType{k.dtype, k.shape}.ToString() : k.host;
  }
  return s;
}

// True if a call with `call` may run a function traced for `spec`.
bool Matches(const std::vector<ArgKey>& spec, const std::vector<ArgKey>& call) {
  if (spec.size() != call.size()) return false;
  for (size_t i = 0; i < spec.size(); ++i) {
    if (spec[i].is_tensor != call[i].is_tensor) return false;
    if (spec[i].is_tensor) {
      if (!ir::IsCompatible({spec[i].dtype, spec[i].shape}, {call[i].dtype, call[i].shape})) return false;
    } else if (spec[i].host != call[i].host) {
      return false;
    }
  }
  return true;
}

ConcreteFunction Trace(const FunctionOptions& options, const std::vector<ArgKey>& key, const Body& body) {
  auto impl = std::make_shared<ConcreteFunctionImpl>();
  impl->module = std::make_unique<ir::Module>();
  impl->function = impl->module->AddFunction(ir::ToSymbolName(options.name));
  std::vector<Tensor> symbolic;
  {
    TraceState trace(impl->module.get(), impl->function);
    for (size_t i = 0; i < key.size(); ++i) {
      if (!key[i].is_tensor) continue;
      // A TensorSpec's name names the parameter (`%images`), as in tf.function.
      const std::string hint = key[i].name.empty() ? StrCat("arg", i) : ir::ToSymbolName(key[i].name);
      ir::Value* p = impl->function->AddParam({key[i].dtype, key[i].shape}, hint);
      symbolic.push_back(MakeTraced(p, trace.id()));
    }
    impl->num_inputs = static_cast<int>(symbolic.size());
    std::vector<Tensor> outputs = body(symbolic);
    std::vector<ir::Value*> results;
    std::vector<ir::TensorType> result_types;
    const std::source_location here = std::source_location::current();
    for (const Tensor& t : outputs) {
      TraceFor({t}, "return", here);
      results.push_back(trace.ValueOf(t, here));
      result_types.push_back(results.back()->type());
    }
    impl->function->set_result_types(result_types);
    trace.builder().set_loc({});
    ValueOrThrow(trace.builder().Create("return", results), here);
    impl->captured = trace.captured_tensors();
    for (const auto& var : trace.variables()) {
      impl->variables.emplace_back(trace.VariableName(var), var);
    }
  }
  ThrowIfError(ir::VerifyFunction(*impl->function));
  impl->traced_text = ir::PrintModule(*impl->module);
  if (options.optimize) {
    passes::PassContext context = interp::DefaultPassContext();
    ThrowIfError(passes::RunPipeline(*impl->module, context));
  }
  impl->executor = options.executor == Executor::kDefault ? default_executor() : options.executor;
  // With static input shapes the graph compiles now; with `?` dims, on the
  // first call with each new shape.
  std::vector<ir::TensorType> input_types;
  bool all_static = true;
  for (int i = 0; i < impl->num_inputs; ++i) {
    input_types.push_back(impl->function->param(i)->type());
    all_static &= input_types.back().shape.is_static();
  }
  if (all_static) ThrowIfError(impl->Compile(input_types));
  return ConcreteFunction(std::move(impl));
}

}  // namespace

FunctionCore::FunctionCore(FunctionOptions options) : cache_(std::make_unique<Cache>()) {
  cache_->options = std::move(options);
}
FunctionCore::~FunctionCore() = default;

int FunctionCore::tracing_count() const { return cache_->traces; }
const FunctionOptions& FunctionCore::options() const { return cache_->options; }

ConcreteFunction FunctionCore::GetOrTrace(const std::vector<ArgKey>& key, const Body& body) {
  for (auto& [k, cf] : cache_->exact) {
    if (k == key) return cf;
  }
  for (auto& [k, cf] : cache_->by_spec) {
    if (Matches(k, key)) return cf;
  }
  if (cache_->options.input_signature.has_value()) {
    // The fixed signature: trace it once, and reject calls that do not match.
    std::vector<ArgKey> spec;
    size_t next = 0;
    for (const ArgKey& k : key) {
      if (!k.is_tensor || next >= cache_->options.input_signature->size()) {
        spec.push_back(k);
        continue;
      }
      const TensorSpec& s = (*cache_->options.input_signature)[next++];
      ArgKey sk;
      sk.is_tensor = true;
      sk.dtype = s.dtype;
      sk.shape = s.shape;
      sk.name = s.name;
      spec.push_back(sk);
    }
    if (!Matches(spec, key)) {
      throw Error(absl::InvalidArgumentError(StrCat("function '", cache_->options.name, "' was called with (",
                                                    DescribeKey(key), ") but its input_signature is (",
                                                    DescribeKey(spec), ")")));
    }
    return TraceForSpecs(spec, body);
  }
  ConcreteFunction cf = Trace(cache_->options, key, body);
  ++cache_->traces;
  cache_->exact.emplace_back(key, cf);
  return cf;
}

ConcreteFunction FunctionCore::TraceForSpecs(const std::vector<ArgKey>& key, const Body& body) {
  for (auto& [k, cf] : cache_->by_spec) {
    if (k == key) return cf;
  }
  ConcreteFunction cf = Trace(cache_->options, key, body);
  ++cache_->traces;
  cache_->by_spec.emplace_back(key, cf);
  return cf;
}

}  // namespace function_internal
}  // namespace graphc
