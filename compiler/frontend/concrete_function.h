// A traced function and what it needs to run: its module, the tensors it
// captured (passed as trailing parameters) and the variables it uses; with
// the JIT, the executables compiled from it, one per input shapes.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "compiler/codegen/compiled_function.h"
#include "compiler/frontend/variable_state.h"
#include "compiler/host_tensor.h"
#include "graphc/function.h"
#include "ir/module.h"

namespace graphc {

class ConcreteFunctionImpl {
 public:
  std::unique_ptr<ir::Module> module;
  ir::Function* function = nullptr;
  std::string traced_text;                 // the module as traced, printed
  int num_inputs = 0;                      // user inputs; captures follow
  Executor executor = Executor::kJit;      // kJit or kInterpreter
  std::vector<HostTensor> captured;        // values of the capture parameters
  // Variables by IR name (module variable declarations).
  std::vector<std::pair<std::string, std::shared_ptr<VariableState>>> variables;

  // Checks `inputs` against the signature and runs the graph: compiled for
  // the inputs' shapes (compiling on the first call with them), or on the
  // interpreter for Executor::kInterpreter and graphs codegen refuses.
  absl::StatusOr<std::vector<HostTensor>> Run(const std::vector<HostTensor>& inputs) const;

  // kJit: compiles for `input_types` now unless done already. Errors are
  // what compiling reports (codegen refusing the graph is not an error: it
  // then runs on the interpreter, and `jit_note` says why).
  absl::Status Compile(const std::vector<ir::TensorType>& input_types) const;

  // The most recent compilation (null if none, or the interpreter runs).
  const codegen::CompiledFunction* last_compiled() const;
  // Why the graph runs on the interpreter; empty when it is compiled.
  std::string jit_note() const;
  // Distinct executables compiled so far.
  int compiled_executables() const;

 private:
  // One compilation: for one list of input shapes. Several share the code
  // of a shape family, each with its own run-time dims.
  struct Compiled {
    std::vector<ir::Shape> shapes;
    std::shared_ptr<codegen::CompiledFunction> code;  // null: interpreted
    std::vector<int64_t> dims;                        // the run-time dims of these shapes
    std::vector<ir::TensorType> result_types;
    std::string note;                                 // why interpreted
    std::vector<VariableState*> variables;            // in the executable's order
    std::vector<HostTensor> last_results;             // reused once the caller drops them
  };

  // The compilation for these input shapes, made if new. Holds mutex_.
  absl::StatusOr<Compiled*> CompiledFor(const std::vector<ir::TensorType>& input_types) const;
  // The same for the inputs of a call: the most recent compilation is
  // checked first, without allocating.
  absl::StatusOr<Compiled*> CompiledFor(const std::vector<HostTensor>& inputs) const;
  absl::StatusOr<std::vector<HostTensor>> RunCompiled(Compiled& compiled,
                                                      const std::vector<HostTensor>& inputs) const;
  absl::StatusOr<std::vector<HostTensor>> RunInterpreted(const std::vector<HostTensor>& inputs) const;

  mutable std::mutex mutex_;
  mutable std::vector<std::unique_ptr<Compiled>> compiled_;
  mutable Compiled* last_ = nullptr;
};

}  // namespace graphc
