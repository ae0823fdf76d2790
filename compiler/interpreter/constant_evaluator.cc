#include "compiler/interpreter/constant_evaluator.h"

#include "compiler/interpreter/interpreter.h"
#include "ir/op_registry.h"

namespace graphc::interp {

passes::ConstantEvaluator InterpreterConstantEvaluator() {
  return [](const ir::Op& op, std::span<const ir::DenseElements> operands)
             -> absl::StatusOr<std::vector<ir::DenseElements>> {
    if (op.num_regions() > 0 || op.def().has_side_effects || op.name() == "read_var" ||
        op.name() == "call") {
      return absl::InvalidArgumentError("only region-free, stateless ops fold");
    }
    std::vector<HostTensor> args;
    args.reserve(operands.size());
    for (const ir::DenseElements& d : operands) args.push_back(HostTensor::FromDense(d));
    absl::StatusOr<std::vector<HostTensor>> results =
        EvalOp(op.name(), args, op.attrs(), /*variables=*/nullptr);
    if (!results.ok()) return results.status();
    std::vector<ir::DenseElements> out;
    out.reserve(results->size());
    for (const HostTensor& t : *results) out.push_back(t.ToDense());
    return out;
  };
}

passes::PassContext DefaultPassContext() {
  passes::PassContext context;
  context.evaluate_constant = InterpreterConstantEvaluator();
  return context;
}

}  // namespace graphc::interp
