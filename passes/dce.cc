#include "passes/dce.h"

#include <vector>

#include "passes/effects.h"

namespace graphc::passes {
namespace {

bool IsDead(const ir::Op& op) {
  if (op.def().is_terminator) return false;
  for (int i = 0; i < op.num_results(); ++i) {
    if (op.result(i)->has_uses()) return false;
  }
  return !WritesState(op);
}

// Deletes dead ops in `region` (nested regions first, so an op whose
// region uses an outer value releases it). Walking backwards deletes a whole
// dead chain in one sweep: by the time a producer is seen, its dead users
// are gone.
bool SweepRegion(ir::Region& region) {
  bool changed = false;
  for (const auto& op : region.ops()) {
    for (int i = 0; i < op->num_regions(); ++i) changed |= SweepRegion(op->region(i));
  }
  std::vector<ir::Op*> ops;
  for (const auto& op : region.ops()) ops.push_back(op.get());
  for (auto it = ops.rbegin(); it != ops.rend(); ++it) {
    if (IsDead(**it)) {
      region.Erase(*it);
      changed = true;
    }
  }
  return changed;
}

class DcePass : public Pass {
 public:
  std::string_view name() const override { return "dce"; }
  absl::StatusOr<bool> Run(ir::Module& module, PassContext&) override {
    bool changed = false;
    for (const auto& f : module.functions()) changed |= SweepRegion(f->body());
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> CreateDcePass() { return std::make_unique<DcePass>(); }

}  // namespace graphc::passes
