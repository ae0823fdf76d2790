#include "compiler/codegen/fuse_variable_updates.h"

#include <string>
#include <vector>

#include "ir/builder.h"

namespace graphc::codegen {
namespace {

// True if an op between `from` and `to` (exclusive, in the body's order,
// nested ops included) reads or writes `var`, or is a call (which may).
bool TouchedBetween(const ir::Region& body, const ir::Op* from, const ir::Op* to, const std::string& var) {
  bool inside = false, touched = false;
  for (const auto& op : body.ops()) {
    if (op.get() == to) break;
    if (inside) {
      auto check = [&](const ir::Op* o) {
        touched |= o->name() == "call" || (o->has_attr("var") && o->attr<ir::SymbolRef>("var").name == var);
      };
      check(op.get());
      for (int r = 0; r < op->num_regions(); ++r) ir::WalkOps(op->region(r), check);
    }
    inside |= op.get() == from;
  }
  return touched;
}

// The loop fusion computing `update`'s operand alone, or null.
ir::Op* FusableProducer(const ir::Op& update) {
  ir::Value* x = update.operand(0);
  if (x->is_argument() || x->uses().size() != 1) return nullptr;
  ir::Op* fusion = x->defining_op();
  if (fusion->name() != "fusion" || fusion->attr<std::string>("kind") != "loop") return nullptr;
  if (fusion->num_results() != 1 || fusion->parent() != update.parent()) return nullptr;
  return fusion;
}

absl::Status Fuse(ir::Op& update, ir::Op& fusion) {
  const std::string& var = update.attr<ir::SymbolRef>("var").name;
  ir::Value* x = update.operand(0);
  // The variable's value, read just before the fusion.
  ir::Builder outer;
  outer.SetInsertionPoint(&fusion);
  outer.set_loc(update.loc());
  absl::StatusOr<ir::Value*> old =
      outer.Emit("read_var", {}, ir::AttrMap{{"var", ir::SymbolRef{var}}});
  if (!old.ok()) return old.status();
  std::vector<ir::Value*> operands(fusion.operands().begin(), fusion.operands().end());
  operands.push_back(*old);
  fusion.SetOperands(std::move(operands));
  ir::Region& body = fusion.region(0);
  ir::Value* old_arg = body.AddArgument((*old)->type());
  ir::Op* yield = body.terminator();
  ir::Builder inner;
  inner.SetInsertionPoint(yield);
  inner.set_module(outer.module());
  inner.set_loc(update.loc());
  absl::StatusOr<ir::Value*> updated =
      inner.Emit(update.name() == "assign_add" ? "add" : "sub", {old_arg, yield->operand(0)});
  if (!updated.ok()) return updated.status();
  yield->SetOperand(0, *updated);
  // assign x (now the new value) in place of the update.
  outer.SetInsertionPoint(&update);
  absl::StatusOr<ir::Op*> assign = outer.Create("assign", {x}, update.attrs());
  if (!assign.ok()) return assign.status();
  update.parent()->Erase(&update);
  return absl::OkStatus();
}

}  // namespace

absl::Status FuseVariableUpdates(ir::Function& function) {
  std::vector<std::pair<ir::Op*, ir::Op*>> rewrites;  // (update, fusion)
  for (const auto& op : function.body().ops()) {
    if (op->name() != "assign_add" && op->name() != "assign_sub") continue;
    ir::Op* fusion = FusableProducer(*op);
    if (fusion == nullptr) continue;
    if (TouchedBetween(function.body(), fusion, op.get(), op->attr<ir::SymbolRef>("var").name)) continue;
    rewrites.emplace_back(op.get(), fusion);
  }
  for (auto [update, fusion] : rewrites) {
    if (absl::Status s = Fuse(*update, *fusion); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace graphc::codegen
