#include <atomic>
#include <fstream>

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
  std::vector<HostTensor> args = inputs;
  args.insert(args.end(), captured.begin(), captured.end());
  interp::VariableStore store;
  for (const auto& [name, state] : variables) store.emplace(name, state->value);  // shares buffers
  return interp::RunFunction(*function, args, &store, &kernels);
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
int ConcreteFunction::compiled_fusions() const { return impl_->compile_stats.compiled_fusions; }
int ConcreteFunction::interpreted_fusions() const {
  return impl_->compile_stats.interpreted_fusions;
}

void ConcreteFunction::save(const std::string& path) const {
  std::ofstream out(path);
  out << ir_text();
  if (!out) throw Error(absl::UnavailableError(StrCat("cannot write '", path, "'")));
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
      ir::Value* p = impl->function->AddParam({key[i].dtype, key[i].shape}, StrCat("arg", i));
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
  const Executor executor =
      options.executor == Executor::kDefault ? default_executor() : options.executor;
  if (executor == Executor::kJit) {
    impl->kernels = ValueOrThrow(codegen::CompileFusionKernels(*impl->function, &impl->compile_stats),
                                 std::source_location::current());
  } else {
    ir::WalkOps(impl->function->body(), [&](const ir::Op* op) {
      if (op->name() == "fusion") ++impl->compile_stats.interpreted_fusions;
    });
  }
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
