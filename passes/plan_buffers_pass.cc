// The "plan-buffers" pass: records a BufferPlan per function in the pass
// context for the code generator (and for `graphc opt` to print).
#include <memory>

#include "ir/str_cat.h"
#include "passes/buffer_plan.h"
#include "passes/pass.h"

namespace graphc::passes {
namespace {

class PlanBuffersPass : public Pass {
 public:
  std::string_view name() const override { return "plan-buffers"; }
  absl::StatusOr<bool> Run(ir::Module& module, PassContext& context) override {
    for (const auto& f : module.functions()) {
      absl::StatusOr<BufferPlan> plan = PlanBuffers(*f);
      if (!plan.ok()) {
        return absl::Status(plan.status().code(),
                            StrCat("@", f->name(), ": ", ToStd(plan.status().message())));
      }
      context.buffer_plans.insert_or_assign(f->name(), *std::move(plan));
    }
    return false;  // planning reads the IR only
  }
};

}  // namespace

std::unique_ptr<Pass> CreatePlanBuffersPass() { return std::make_unique<PlanBuffersPass>(); }

}  // namespace graphc::passes
