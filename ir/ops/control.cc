// Control ops: region terminators, structured control flow (cond, while) and
// calls.
#include "absl/status/status.h"
#include "ir/op_registry.h"
#include "ir/ops/infer_util.h"

namespace graphc::ir {

using ops::Types;

void RegisterControlOps(OpRegistry& r) {
  // ---- return: ends a function body; operands are the function's results ----
  {
    OpDef def;
    def.name = "return";
    def.summary = "returns its operands from the function";
    def.num_operands = OpDef::kVariadic;
    def.infer = [](const InferContext&) -> Types { return std::vector<TensorType>{}; };
    def.structural = true;
    def.is_terminator = true;
    def.not_differentiable = true;  // autodiff handles terminators itself
    r.Register(std::move(def));
  }

  // ---- yield: ends a nested region (cond branch, while cond/body, fusion body) ----
  {
    OpDef def;
    def.name = "yield";
    def.summary = "returns its operands from the enclosing region";
    def.num_operands = OpDef::kVariadic;
    def.infer = [](const InferContext&) -> Types { return std::vector<TensorType>{}; };
    def.structural = true;
    def.is_terminator = true;
    def.not_differentiable = true;
    r.Register(std::move(def));
  }
}

}  // namespace graphc::ir
