#include "passes/inline.h"

#include <vector>

#include "ir/builder.h"
#include "ir/clone.h"
#include "ir/str_cat.h"

namespace graphc::passes {
namespace {

bool ContainsCall(const ir::Region& region) {
  bool found = false;
  ir::WalkOps(region, [&](const ir::Op* op) { found |= op->name() == "call"; });
  return found;
}

// The callee of `call` if it can be inlined (see inline.h), else null.
const ir::Function* InlinableCallee(const ir::Module& module, const ir::Op& call) {
  const ir::Function* callee = module.FindFunction(call.attr<ir::SymbolRef>("callee").name);
  if (callee == nullptr || ContainsCall(callee->body())) return nullptr;
  if (call.num_operands() != callee->num_params()) return nullptr;
  for (int i = 0; i < call.num_operands(); ++i) {
    if (call.operand(i)->type() != callee->param(i)->type()) return nullptr;
  }
  const ir::Op* ret = callee->body().terminator();
  if (ret == nullptr || ret->num_operands() != call.num_results()) return nullptr;
  for (int i = 0; i < call.num_results(); ++i) {
    if (ret->operand(i)->type() != call.result(i)->type()) return nullptr;
  }
  return callee;
}

absl::Status InlineCall(ir::Op& call, const ir::Function& callee) {
  ir::Builder b;
  b.SetInsertionPoint(&call);
  b.set_module(callee.module());
  ir::ValueMap map;
  for (int i = 0; i < call.num_operands(); ++i) map[callee.param(i)] = call.operand(i);
  absl::StatusOr<std::vector<ir::Value*>> results = ir::CloneRegionBody(b, callee.body(), map);
  if (!results.ok()) {
    return absl::Status(results.status().code(),
                        StrCat("inlining @", callee.name(), ": ", results.status().message()));
  }
  for (int i = 0; i < call.num_results(); ++i) {
    call.result(i)->ReplaceAllUsesWith((*results)[static_cast<size_t>(i)]);
  }
  call.parent()->Erase(&call);
  return absl::OkStatus();
}

class InlinePass : public Pass {
 public:
  std::string_view name() const override { return "inline"; }
  absl::StatusOr<bool> Run(ir::Module& module, PassContext&) override {
    bool changed = false;
    // Each round inlines the calls of leaf callees; the callers of those
    // become leaves for the next round.
    for (bool progress = true; progress;) {
      progress = false;
      for (const auto& f : module.functions()) {
        std::vector<ir::Op*> calls;
        ir::WalkOps(f->body(), [&](const ir::Op* op) {
          if (op->name() == "call") calls.push_back(const_cast<ir::Op*>(op));
        });
        for (ir::Op* call : calls) {
          const ir::Function* callee = InlinableCallee(module, *call);
          if (callee == nullptr || callee == f.get()) continue;
          if (absl::Status s = InlineCall(*call, *callee); !s.ok()) return s;
          progress = changed = true;
        }
      }
    }
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> CreateInlinePass() { return std::make_unique<InlinePass>(); }

}  // namespace graphc::passes
