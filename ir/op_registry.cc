#include "ir/op_registry.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace graphc::ir {

std::string_view FusionKindName(FusionKind kind) {
  switch (kind) {
    case FusionKind::kElementwise: return "elementwise";
    case FusionKind::kBroadcast: return "broadcast";
    case FusionKind::kInjective: return "injective";
    case FusionKind::kReduction: return "reduction";
    case FusionKind::kOpaque: return "opaque";
  }
  return "?";
}

const OpRegistry& OpRegistry::Get() {
  static const OpRegistry* registry = [] {
    auto* r = new OpRegistry;
    RegisterElementwiseOps(*r);
    RegisterReduceOps(*r);
    RegisterShapeOps(*r);
    RegisterLinalgOps(*r);
    RegisterGeneratorOps(*r);
    RegisterControlOps(*r);
    RegisterStateOps(*r);
    return r;
  }();
  return *registry;
}

const OpDef* OpRegistry::Find(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

std::vector<const OpDef*> OpRegistry::All() const {
  std::vector<const OpDef*> all;
  for (const auto& def : defs_) all.push_back(def.get());
  std::sort(all.begin(), all.end(),
            [](const OpDef* a, const OpDef* b) { return a->name < b->name; });
  return all;
}

void OpRegistry::Register(OpDef def) {
  if (Find(def.name) != nullptr) {
    // A programming error in a family file, caught by any test at startup.
    std::fprintf(stderr, "graphc: op '%.*s' registered twice\n",
                 static_cast<int>(def.name.size()), def.name.data());
    std::abort();
  }
  defs_.push_back(std::make_unique<OpDef>(std::move(def)));
  by_name_[defs_.back()->name] = defs_.back().get();
}

}  // namespace graphc::ir
