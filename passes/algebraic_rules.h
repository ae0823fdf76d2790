// The algebraic simplifications of `canonicalize`, as a table: each row
// names a rule, the op it matches, the rewrite in one line, and the function
// that checks and performs it.
//
// Every rule is exact: the rewritten IR computes the same bits as before
// under the reference interpreter, for every input (NaN, infinities and -0.0
// included), and fails at run time exactly when the original would. So
// rules that are only true of real numbers (x + 0.0 -> x, x * 0.0 -> 0,
// log(exp(x)) -> x) are not here; docs/passes.md lists them with the reason.
//
// A rule never changes the type of a value that has uses: when the
// replacement's type differs from the replaced value's, the rule does not
// apply. With dynamic dims, equal types are not enough for ops that
// broadcast (`?` may be 1 at run time), so rules that drop an operand check
// that it cannot widen the result.
#pragma once

#include <span>
#include <string_view>

#include "ir/op.h"

namespace graphc::passes {

enum class RewriteResult {
  kNoMatch,         // the IR is untouched
  kUpdatedInPlace,  // the op's operands changed; the op stays
  kReplaced,        // every use of the op's results now uses other values
};

struct AlgebraicRule {
  std::string_view name;
  // The op the rule matches, or kAnyOp for rules that check the op
  // themselves (e.g. every broadcasting elementwise op).
  std::string_view op;
  std::string_view description;  // the rewrite, in one line
  // Checks the rule against `op` and, if it applies, rewrites: new ops are
  // built just before `op`. Never erases ops; ops left unused are the
  // caller's to erase.
  RewriteResult (*apply)(ir::Op& op);
};

inline constexpr std::string_view kAnyOp = "*";

// The table, in the order rules are tried on an op.
std::span<const AlgebraicRule> AlgebraicRules();

// The rules to try on `op`: those for its name, then the kAnyOp ones.
std::span<const AlgebraicRule* const> RulesFor(const ir::Op& op);

}  // namespace graphc::passes
