// Constant folding, one op at a time: an op whose operands are all known at
// compile time is evaluated by the injected evaluator
// (PassContext::evaluate_constant, the reference interpreter in practice)
// and its results are replaced by `constant` ops, so folding computes
// exactly what the op would compute at run time.
//
// An operand is known when it is the result of a `constant`, or of a pure op
// without operands (fill, range, random_*) whose value fits the budget. Those
// generator ops are not folded themselves: they are already compact, and
// codegen generates them faster than it loads a literal.
//
// Not folded: ops with regions, terminators, variable ops and calls, ops
// with a dynamic result type, ops whose result (or a generator operand)
// would exceed PassContext::fold_budget_bytes, and ops the evaluator
// rejects (an op that would fail at run time keeps failing at run time).
#pragma once

#include <optional>

#include "ir/op.h"
#include "passes/pass.h"

namespace graphc::passes {

// The value of `v` if it is known at compile time within the budget (see
// above); nullopt otherwise, and always without an evaluator for anything
// but `constant`.
std::optional<ir::DenseElements> KnownValue(const ir::Value& v, const PassContext& context);

// True if a tensor of `type` is static and takes at most `budget` bytes.
bool FitsBudget(const ir::TensorType& type, int64_t budget);

// Folds `op` if it can: builds one `constant` per result just before it and
// points every use of its results at them. Returns true if it did; `op` is
// then unused, left for the caller to erase. Anything that prevents folding
// leaves the IR untouched.
bool TryFold(ir::Op& op, const PassContext& context);

}  // namespace graphc::passes
