#include "ir/clone.h"

namespace graphc::ir {
namespace {

Value* Mapped(const ValueMap& map, Value* v) {
  auto it = map.find(v);
  return it == map.end() ? v : it->second;
}

}  // namespace

absl::StatusOr<Op*> CloneOp(Builder& b, const Op& op, ValueMap& map) {
  std::vector<Value*> operands;
  for (Value* v : op.operands()) operands.push_back(Mapped(map, v));
  std::vector<std::unique_ptr<Region>> regions;
  for (int r = 0; r < op.num_regions(); ++r) {
    const Region& src = op.region(r);
    auto copy = std::make_unique<Region>();
    for (int i = 0; i < src.num_arguments(); ++i) {
      map[src.argument(i)] = copy->AddArgument(src.argument(i)->type(), src.argument(i)->name_hint());
    }
    Builder rb(copy.get());
    rb.set_module(b.module());
    for (const auto& inner : src.ops()) {
      rb.set_loc(inner->loc());
      absl::StatusOr<Op*> cloned = CloneOp(rb, *inner, map);
      if (!cloned.ok()) return cloned.status();
    }
    regions.push_back(std::move(copy));
  }
  const Location saved = b.loc();
  b.set_loc(op.loc());
  absl::StatusOr<Op*> copy = b.Create(op.name(), std::move(operands), op.attrs(), std::move(regions));
  b.set_loc(saved);
  if (!copy.ok()) return copy.status();
  for (int i = 0; i < op.num_results(); ++i) map[op.result(i)] = (*copy)->result(i);
  return copy;
}

absl::StatusOr<std::vector<Value*>> CloneRegionBody(Builder& b, const Region& region, ValueMap& map) {
  std::vector<Value*> yielded;
  for (const auto& op : region.ops()) {
    if (op->def().is_terminator) {
      for (Value* v : op->operands()) yielded.push_back(Mapped(map, v));
      break;
    }
    absl::StatusOr<Op*> cloned = CloneOp(b, *op, map);
    if (!cloned.ok()) return cloned.status();
  }
  return yielded;
}

}  // namespace graphc::ir
