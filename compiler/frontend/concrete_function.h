// A traced function and what it needs to run: its module, the tensors it
// captured (passed as trailing parameters) and the variables it uses.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compiler/codegen/compiled_kernels.h"
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
  // Executor::kJit: the compiled fusion kernels (empty for the interpreter).
  interp::CompiledKernels kernels;
  codegen::CompileStats compile_stats;
  std::vector<HostTensor> captured;        // values of the capture parameters
  // Variables by IR name (module variable declarations).
  std::vector<std::pair<std::string, std::shared_ptr<VariableState>>> variables;

  // Checks `inputs` against the signature and runs the graph.
  absl::StatusOr<std::vector<HostTensor>> Run(const std::vector<HostTensor>& inputs) const;
};

}  // namespace graphc
