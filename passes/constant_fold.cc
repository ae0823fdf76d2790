#include "passes/constant_fold.h"

#include <span>
#include <vector>

#include "ir/builder.h"
#include "ir/op_registry.h"

namespace graphc::passes {
namespace {

// Ops that read or write variables, or run other code, never fold: their
// results are not a function of their operands alone.
bool IsStateful(const ir::Op& op) {
  return op.def().has_side_effects || op.name() == "read_var" || op.name() == "call";
}

// Region-free, stateless, not a terminator, with results: what the
// evaluator may be asked about.
bool IsEvaluable(const ir::Op& op) {
  return op.num_regions() == 0 && !op.def().is_terminator && !IsStateful(op) &&
         op.num_results() > 0;
}

bool ResultsFitBudget(const ir::Op& op, int64_t budget) {
  for (int i = 0; i < op.num_results(); ++i) {
    if (!FitsBudget(op.result(i)->type(), budget)) return false;
  }
  return true;
}

// Runs the evaluator and checks it produced one tensor of the declared type
// per result.
std::optional<std::vector<ir::DenseElements>> Evaluate(
    const ir::Op& op, std::span<const ir::DenseElements> operands, const PassContext& context) {
  absl::StatusOr<std::vector<ir::DenseElements>> results =
      context.evaluate_constant(op, operands);
  if (!results.ok() || static_cast<int>(results->size()) != op.num_results()) return std::nullopt;
  for (int i = 0; i < op.num_results(); ++i) {
    if ((*results)[static_cast<size_t>(i)].type() != op.result(i)->type()) return std::nullopt;
  }
  return *std::move(results);
}

}  // namespace

bool FitsBudget(const ir::TensorType& type, int64_t budget) {
  const std::optional<int64_t> n = type.shape.num_elements();
  if (!n.has_value()) return false;
  // Compared by division: a product of dims may overflow.
  return *n <= budget / ir::DTypeSize(type.dtype);
}

std::optional<ir::DenseElements> KnownValue(const ir::Value& v, const PassContext& context) {
  const ir::Op* def = v.defining_op();
  if (def == nullptr) return std::nullopt;
  if (def->name() == "constant") return def->attr<ir::DenseElements>("value");
  if (def->num_operands() > 0 || !IsEvaluable(*def) || context.evaluate_constant == nullptr ||
      !ResultsFitBudget(*def, context.fold_budget_bytes)) {
    return std::nullopt;
  }
  std::optional<std::vector<ir::DenseElements>> results = Evaluate(*def, {}, context);
  if (!results.has_value()) return std::nullopt;
  return std::move((*results)[static_cast<size_t>(v.index())]);
}

bool TryFold(ir::Op& op, const PassContext& context) {
  if (context.evaluate_constant == nullptr || op.num_operands() == 0 || !IsEvaluable(op) ||
      !ResultsFitBudget(op, context.fold_budget_bytes)) {
    return false;
  }
  std::vector<ir::DenseElements> operands;
  operands.reserve(static_cast<size_t>(op.num_operands()));
  for (const ir::Value* v : op.operands()) {
    std::optional<ir::DenseElements> value = KnownValue(*v, context);
    if (!value.has_value()) return false;
    operands.push_back(*std::move(value));
  }
  std::optional<std::vector<ir::DenseElements>> results = Evaluate(op, operands, context);
  if (!results.has_value()) return false;

  ir::Builder b;
  b.SetInsertionPoint(&op);
  b.set_loc(op.loc());
  std::vector<ir::Value*> constants;
  for (ir::DenseElements& result : *results) {
    absl::StatusOr<ir::Value*> c = b.Constant(std::move(result));
    if (!c.ok()) {
      // Cannot happen for an evaluator's well-typed output; undo anyway.
      for (ir::Value* built : constants) op.parent()->Erase(built->defining_op());
      return false;
    }
    constants.push_back(*c);
  }
  for (int i = 0; i < op.num_results(); ++i) {
    op.result(i)->ReplaceAllUsesWith(constants[static_cast<size_t>(i)]);
  }
  return true;
}

}  // namespace graphc::passes
