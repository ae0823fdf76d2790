#include "passes/effects.h"

#include "absl/container/flat_hash_set.h"

namespace graphc::passes {
namespace {

// `direct(op)` decides for a single op; regions and callees are searched.
// `visiting` breaks recursion between functions that call each other.
template <typename Direct>
bool AnyOpIn(const ir::Op& op, Direct direct, absl::flat_hash_set<const ir::Function*>& visiting);

template <typename Direct>
bool AnyInFunction(const ir::Function& f, Direct direct,
                   absl::flat_hash_set<const ir::Function*>& visiting) {
  if (!visiting.insert(&f).second) return false;  // already being searched
  for (const auto& op : f.body().ops()) {
    if (AnyOpIn(*op, direct, visiting)) return true;
  }
  return false;
}

template <typename Direct>
bool AnyOpIn(const ir::Op& op, Direct direct, absl::flat_hash_set<const ir::Function*>& visiting) {
  if (direct(op)) return true;
  for (int i = 0; i < op.num_regions(); ++i) {
    for (const auto& inner : op.region(i).ops()) {
      if (AnyOpIn(*inner, direct, visiting)) return true;
    }
  }
  if (op.name() == "call") {
    const ir::Function* parent = op.parent() == nullptr ? nullptr : op.parent()->function();
    const ir::Module* module = parent == nullptr ? nullptr : parent->module();
    const ir::Function* callee =
        module == nullptr ? nullptr : module->FindFunction(op.attr<ir::SymbolRef>("callee").name);
    // An unresolvable call is assumed to do anything.
    if (callee == nullptr) return true;
    if (AnyInFunction(*callee, direct, visiting)) return true;
  }
  return false;
}

}  // namespace

bool WritesState(const ir::Op& op) {
  absl::flat_hash_set<const ir::Function*> visiting;
  return AnyOpIn(op, [](const ir::Op& o) { return o.def().has_side_effects; }, visiting);
}

bool ReadsState(const ir::Op& op) {
  absl::flat_hash_set<const ir::Function*> visiting;
  return AnyOpIn(op, [](const ir::Op& o) { return o.name() == "read_var"; }, visiting);
}

}  // namespace graphc::passes
