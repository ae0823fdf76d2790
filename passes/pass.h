// The pass interface. A pass rewrites a module in place and says whether it
// changed anything, so the pass manager can iterate groups of passes to a
// fixed point. Passes are registered by name in passes/pass_registry.cc and
// composed into pipelines by passes/pass_manager.h.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/module.h"
#include "passes/buffer_plan.h"

namespace graphc::passes {

// Evaluates one region-free op on constant operands and returns its results.
// Constant folding needs an executor, which lives above passes/ (the
// reference interpreter in compiler/), so the caller injects one.
using ConstantEvaluator = std::function<absl::StatusOr<std::vector<ir::DenseElements>>(
    const ir::Op& op, std::span<const ir::DenseElements> operands)>;

// What passes share during one pipeline run.
struct PassContext {
  // Null: constant folding is skipped (other simplifications still run).
  ConstantEvaluator evaluate_constant;
  // Folding never creates a constant larger than this many bytes, so a
  // `fill` of a huge shape stays a `fill` instead of becoming a literal.
  int64_t fold_budget_bytes = 64 * 1024;
  // Filled by the plan-buffers pass: each function's buffer plan, by name.
  std::map<std::string, BufferPlan, std::less<>> buffer_plans;
};

class Pass {
 public:
  virtual ~Pass() = default;
  // The name used in pipelines (`--passes=NAME,...`) and in errors.
  virtual std::string_view name() const = 0;
  // Rewrites `module`; returns true if it changed the IR.
  virtual absl::StatusOr<bool> Run(ir::Module& module, PassContext& context) = 0;
};

}  // namespace graphc::passes
