#include "passes/canonicalize.h"

#include <vector>

#include "absl/container/flat_hash_set.h"
#include "passes/algebraic_rules.h"
#include "passes/constant_fold.h"
#include "passes/effects.h"

namespace graphc::passes {
namespace {

// A rewrite builds its replacement before the op it replaces, where the
// current sweep does not look; the next sweep sees it. Each rewrite removes
// an op, a constant operand on the left or a broadcast, so this settles in
// a few sweeps; the bound only guards against a rule bug (the pass manager's
// fixpoint would then report the loop).
constexpr int kMaxSweeps = 32;
// In-place rewrites of one op in a row (operand swap, then abs(neg x)).
constexpr int kMaxInPlaceRewrites = 4;

bool HasUses(const ir::Op& op) {
  for (int i = 0; i < op.num_results(); ++i) {
    if (op.result(i)->has_uses()) return true;
  }
  return false;
}

class Canonicalizer {
 public:
  explicit Canonicalizer(const PassContext& context) : context_(context) {}

  bool Run(ir::Region& body) {
    bool changed = false;
    for (int sweep = 0; sweep < kMaxSweeps; ++sweep) {
      const bool swept = Sweep(body);
      EraseDeadOps();
      if (!swept) break;
      changed = true;
    }
    return changed;
  }

 private:
  // Visits `region`'s ops in order, nested regions first. Nothing is erased
  // during a sweep (the op list is walked from a snapshot); replaced ops are
  // collected for EraseDeadOps.
  bool Sweep(ir::Region& region) {
    bool changed = false;
    std::vector<ir::Op*> ops;
    for (const auto& op : region.ops()) ops.push_back(op.get());
    for (ir::Op* op : ops) {
      for (int i = 0; i < op->num_regions(); ++i) changed |= Sweep(op->region(i));
      changed |= Visit(*op);
    }
    return changed;
  }

  bool Visit(ir::Op& op) {
    // Dead ops (including those replaced earlier in this sweep) are DCE's.
    if (op.num_regions() > 0 || op.def().is_terminator || !HasUses(op)) return false;
    const std::vector<ir::Value*> operands(op.operands().begin(), op.operands().end());
    if (TryFold(op, context_)) {
      MaybeDead(&op);
      return true;
    }
    bool changed = false;
    for (int round = 0; round < kMaxInPlaceRewrites; ++round) {
      RewriteResult result = RewriteResult::kNoMatch;
      for (const AlgebraicRule* rule : RulesFor(op)) {
        result = rule->apply(op);
        if (result != RewriteResult::kNoMatch) break;
      }
      if (result == RewriteResult::kNoMatch) break;
      changed = true;
      if (result == RewriteResult::kReplaced) {
        MaybeDead(&op);
        break;
      }
    }
    // Operands an in-place rewrite dropped may have lost their last use.
    if (changed) {
      for (ir::Value* v : operands) {
        if (v->defining_op() != nullptr) MaybeDead(v->defining_op());
      }
    }
    return changed;
  }

  void MaybeDead(ir::Op* op) {
    if (queued_.insert(op).second) maybe_dead_.push_back(op);
  }

  // Erases the collected ops that are unused now, then the producers of
  // their operands that this leaves unused, and so on. Only region-free
  // ops that write no state are erased.
  void EraseDeadOps() {
    while (!maybe_dead_.empty()) {
      ir::Op* op = maybe_dead_.back();
      maybe_dead_.pop_back();
      queued_.erase(op);
      if (HasUses(*op) || op->num_regions() > 0 || op->def().is_terminator || WritesState(*op)) {
        continue;
      }
      for (ir::Value* v : op->operands()) {
        // `op` still uses v here, so v's producer cannot have been erased.
        if (v->defining_op() != nullptr) MaybeDead(v->defining_op());
      }
      op->parent()->Erase(op);
    }
  }

  const PassContext& context_;
  // Ops that may have become unused, each queued once. An op is queued only
  // while it is alive and leaves the queue before it is erased; once erased
  // nothing refers to it, so it is never queued again.
  std::vector<ir::Op*> maybe_dead_;
  absl::flat_hash_set<ir::Op*> queued_;
};

class CanonicalizePass : public Pass {
 public:
  std::string_view name() const override { return "canonicalize"; }
  absl::StatusOr<bool> Run(ir::Module& module, PassContext& context) override {
    bool changed = false;
    for (const auto& f : module.functions()) changed |= Canonicalizer(context).Run(f->body());
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> CreateCanonicalizePass() { return std::make_unique<CanonicalizePass>(); }

}  // namespace graphc::passes
