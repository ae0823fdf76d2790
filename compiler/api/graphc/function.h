// graphc::function: tf.function for C++. Wraps a callable; the first call
// with a new input signature traces it into IR (a ConcreteFunction), later
// calls with that signature run the cached graph.
//
// The signature of a call: for each Tensor argument its dtype and shape, for
// each Variable its identity, for every other argument (numbers, bools,
// strings) its value — as tf.function keys Python values. A TensorSpec with
// `?` dims, given to get_concrete_function or as FunctionOptions::
// input_signature, makes one trace serve every size of that dim.
#pragma once

#include <charconv>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "graphc/structure.h"
#include "graphc/tensor.h"
#include "graphc/variable.h"

namespace graphc {

namespace ir {
class Module;
class Function;
}  // namespace ir

struct TensorSpec {
  Shape shape;
  DType dtype = float32;
  std::string name;
  TensorSpec(Shape shape_, DType dtype_ = float32, std::string name_ = "")
      : shape(std::move(shape_)), dtype(dtype_), name(std::move(name_)) {}
};

// How traced graphs run. kJit compiles the whole graph to native code with
// the LLVM JIT (for each new combination of input shapes; a graph codegen
// cannot compile runs on the interpreter instead, with the same results);
// kInterpreter runs it on the reference interpreter; kDefault follows
// set_default_executor (kJit to begin with).
enum class Executor { kDefault, kJit, kInterpreter };

// The executor of functions whose options say kDefault, for functions
// traced from now on.
void set_default_executor(Executor executor);
Executor default_executor();

// How many threads compiled code splits a large loop over (as
// tf.config.threading.set_intra_op_parallelism_threads): 1 runs everything
// on the calling thread; the default is the machine's core count. Loops of
// fewer than 2^15 elements always run on the calling thread.
void set_intra_op_parallelism_threads(int threads);
int intra_op_parallelism_threads();

// tf.init_scope: while one is alive, ops run eagerly even inside a traced
// function. A layer that builds its variables on its first call uses it,
// since a variable's initial value must be eager even when that first call
// is being traced.
class init_scope {
 public:
  init_scope();
  ~init_scope();
  init_scope(const init_scope&) = delete;
  init_scope& operator=(const init_scope&) = delete;
};

struct FunctionOptions {
  std::string name = "fn";
  // When set, every call must match it (an error otherwise) and it is the
  // only signature ever traced.
  std::optional<std::vector<TensorSpec>> input_signature = std::nullopt;
  // Run the default pass pipeline (inlining, clean-ups, fusion:
  // docs/passes.md) on each traced graph. Off: the graph runs as traced.
  bool optimize = true;
  Executor executor = Executor::kDefault;
};

class ConcreteFunctionImpl;

// One traced graph for one input signature.
class ConcreteFunction {
 public:
  explicit ConcreteFunction(std::shared_ptr<ConcreteFunctionImpl> impl) : impl_(std::move(impl)) {}

  // Runs the graph. Inputs are the Tensor arguments in order; each must
  // match the traced signature (`?` dims match any size).
  std::vector<Tensor> operator()(const std::vector<Tensor>& inputs) const;

  // The IR that runs (docs/ir.md), after the pass pipeline: print it, or
  // save it for `graphc`.
  std::string ir_text() const;
  // The IR as traced, before any pass ran.
  std::string traced_ir_text() const;
  // How many fusion groups run as native code, and how many on the
  // interpreter (kInterpreter, or a graph codegen does not compile: then
  // jit_note() says why). With `?` dims these describe the most recent
  // call's compilation.
  int compiled_fusions() const;
  int interpreted_fusions() const;
  std::string jit_note() const;
  // How many executables the JIT has compiled for this function so far.
  // With `?` dims one executable serves every batch size it can (the
  // sizes are passed at run time); a size of 1 (which broadcasts), or a
  // graph codegen cannot size at run time, gets its own.
  int compiled_executables() const;
  void save(const std::string& path) const;
  // The variables the graph reads or writes, each with its name in the IR
  // (`@kernel` is "kernel"): what a weights file for `graphc compile
  // --weights` is keyed by.
  std::vector<std::pair<std::string, Variable>> variables() const;
  const ir::Function& function() const;
  const ir::Module& module() const;

  ConcreteFunctionImpl& impl() const { return *impl_; }

 private:
  std::shared_ptr<ConcreteFunctionImpl> impl_;
};

namespace function_internal {

// How one argument appears to the cache.
struct ArgKey {
  bool is_tensor = false;
  DType dtype = float32;
  Shape shape;
  std::string host;  // the value of a non-tensor argument, as text
  std::string name;  // a TensorSpec's name: the parameter's name in the IR; not part of the key
  friend bool operator==(const ArgKey& a, const ArgKey& b) {
    return a.is_tensor == b.is_tensor && a.dtype == b.dtype && a.shape == b.shape && a.host == b.host;
  }
};

template <typename T>
std::string HostKey(const T& v) {
  using U = std::decay_t<T>;
  if constexpr (std::is_same_v<U, bool>) {
    return v ? "bool:true" : "bool:false";
  } else if constexpr (std::is_arithmetic_v<U>) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof(buf), v);
    return std::string(typeid(U).name()) + ":" + std::string(buf, r.ptr);
  } else if constexpr (std::is_enum_v<U>) {
    return std::string(typeid(U).name()) + ":" + std::to_string(static_cast<long long>(v));
  } else if constexpr (std::is_convertible_v<U, std::string>) {
    return "str:" + std::string(v);
  } else {
    static_assert(std::is_arithmetic_v<U>,
                  "graphc::function arguments must be Tensors, Variables, numbers, bools, enums "
                  "or strings");
    return "";
  }
}

template <typename T>
ArgKey KeyOf(const T& arg) {
  using U = std::decay_t<T>;
  ArgKey key;
  if constexpr (std::is_same_v<U, Tensor>) {
    key.is_tensor = true;
    key.dtype = arg.dtype();
    key.shape = arg.shape();
  } else if constexpr (std::is_same_v<U, Variable>) {
    key.host = "var:" + std::to_string(reinterpret_cast<uintptr_t>(arg.state().get()));
  } else {
    key.host = HostKey(arg);
  }
  return key;
}

// While tracing, a Tensor argument is replaced by the next symbolic input.
template <typename T>
const T& Substitute(const T& arg, const std::vector<Tensor>&, size_t&) {
  return arg;
}
inline const Tensor& Substitute(const Tensor&, const std::vector<Tensor>& symbolic, size_t& next) {
  return symbolic[next++];
}

template <typename R>
using OutputTraits = structure::Traits<R>;

using Body = std::function<std::vector<Tensor>(const std::vector<Tensor>& symbolic_inputs)>;

// The non-template part of a Function: the cache of concrete functions and
// the tracing itself (compiler/frontend/function.cc).
class FunctionCore {
 public:
  explicit FunctionCore(FunctionOptions options);
  ~FunctionCore();

  // The concrete function for `key`, tracing `body` on a miss.
  ConcreteFunction GetOrTrace(const std::vector<ArgKey>& key, const Body& body);
  // Traces for explicit specs (`?` dims allowed), keeping host values in `key`.
  ConcreteFunction TraceForSpecs(const std::vector<ArgKey>& key, const Body& body);
  int tracing_count() const;
  const FunctionOptions& options() const;

 private:
  struct Cache;
  std::unique_ptr<Cache> cache_;
};

}  // namespace function_internal

// A tensor argument's spec, for get_concrete_function.
template <typename Fn>
class Function {
 public:
  Function(Fn fn, FunctionOptions options)
      : fn_(std::move(fn)), core_(std::make_shared<function_internal::FunctionCore>(std::move(options))) {}

  template <typename... Args>
  auto operator()(const Args&... args) const {
    using R = std::invoke_result_t<const Fn&, const Args&...>;
    // Called while another function is being traced: inline into that trace.
    if (IsTracing()) return fn_(args...);
    std::vector<function_internal::ArgKey> key{function_internal::KeyOf(args)...};
    ConcreteFunction cf = core_->GetOrTrace(key, MakeBody(args...));
    std::vector<Tensor> outputs = cf(TensorArgs(args...));
    if constexpr (std::is_void_v<R>) {
      return;
    } else {
      return function_internal::OutputTraits<std::decay_t<R>>::Unflatten(std::move(outputs));
    }
  }

  // Traces (or finds) the concrete function for these arguments, where each
  // TensorSpec stands for a Tensor argument and may have `?` dims.
  template <typename... Args>
  ConcreteFunction get_concrete_function(const Args&... args) const {
    std::vector<function_internal::ArgKey> key{SpecKey(args)...};
    return core_->TraceForSpecs(key, MakeBody(PlaceholderFor(args)...));
  }

  // How many times the function has been traced.
  int tracing_count() const { return core_->tracing_count(); }

 private:
  static bool IsTracing();

  template <typename T>
  static function_internal::ArgKey SpecKey(const T& arg) {
    if constexpr (std::is_same_v<T, TensorSpec>) {
      function_internal::ArgKey k;
      k.is_tensor = true;
      k.dtype = arg.dtype;
      k.shape = arg.shape;
      k.name = arg.name;
      return k;
    } else {
      return function_internal::KeyOf(arg);
    }
  }
  // A TensorSpec becomes a Tensor argument (substituted while tracing).
  template <typename T>
  static auto PlaceholderFor(const T& arg) {
    if constexpr (std::is_same_v<T, TensorSpec>) {
      return Tensor();
    } else {
      return arg;
    }
  }

  template <typename... Args>
  function_internal::Body MakeBody(const Args&... args) const {
    return [this, &args...](const std::vector<Tensor>& symbolic) -> std::vector<Tensor> {
      [[maybe_unused]] size_t next = 0;
      // Braced initialisation evaluates left to right, so tensors are
      // substituted in argument order.
      auto call_args = std::tuple<const Args&...>{function_internal::Substitute(args, symbolic, next)...};
      using R = std::invoke_result_t<const Fn&, const Args&...>;
      if constexpr (std::is_void_v<R>) {
        std::apply(fn_, call_args);
        return {};
      } else {
        return function_internal::OutputTraits<std::decay_t<R>>::Flatten(std::apply(fn_, call_args));
      }
    };
  }

  template <typename... Args>
  static std::vector<Tensor> TensorArgs(const Args&... args) {
    std::vector<Tensor> out;
    (
        [&] {
          if constexpr (std::is_same_v<Args, Tensor>) out.push_back(args);
        }(),
        ...);
    return out;
  }

  Fn fn_;
  std::shared_ptr<function_internal::FunctionCore> core_;
};

// True while some function is being traced on this thread (and no
// init_scope is open).
bool IsTracing();

template <typename Fn>
bool Function<Fn>::IsTracing() {
  return ::graphc::IsTracing();
}

template <typename Fn>
Function<Fn> function(Fn fn, FunctionOptions options = {}) {
  return Function<Fn>(std::move(fn), std::move(options));
}

}  // namespace graphc
