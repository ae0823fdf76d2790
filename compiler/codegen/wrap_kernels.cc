#include "compiler/codegen/wrap_kernels.h"

#include <memory>
#include <string>
#include <vector>

#include "ir/builder.h"

namespace graphc::codegen {
namespace {

bool IsViewOp(std::string_view name) {
  return name == "reshape" || name == "reshape_like" || name == "expand_dims" || name == "squeeze";
}

std::string FusionKind(const ir::Op& op) {
  if (op.def().scalar != nullptr) return "loop";
  if (op.name() == "matmul") return "matmul";
  return "reduction";
}

absl::Status WrapOp(ir::Op& op) {
  ir::Builder b;
  b.SetInsertionPoint(&op);
  b.set_loc(op.loc());
  auto body = std::make_unique<ir::Region>();
  std::vector<ir::Value*> args;
  for (ir::Value* v : op.operands()) args.push_back(body->AddArgument(v->type()));
  ir::Builder inner(body.get());
  inner.set_module(b.module());
  inner.set_loc(op.loc());
  absl::StatusOr<ir::Op*> copy = inner.Create(op.name(), args, op.attrs());
  if (!copy.ok()) return copy.status();
  if (absl::StatusOr<ir::Op*> y = inner.Create("yield", (*copy)->results()); !y.ok()) return y.status();
  std::vector<ir::Value*> operands(op.operands().begin(), op.operands().end());
  std::vector<std::unique_ptr<ir::Region>> regions;
  regions.push_back(std::move(body));
  absl::StatusOr<ir::Op*> fusion =
      b.Create("fusion", std::move(operands), ir::AttrMap{{"kind", FusionKind(op)}}, std::move(regions));
  if (!fusion.ok()) return fusion.status();
  for (int r = 0; r < op.num_results(); ++r) op.result(r)->ReplaceAllUsesWith((*fusion)->result(r));
  op.parent()->Erase(&op);
  return absl::OkStatus();
}

absl::Status WrapInRegion(ir::Region& region) {
  std::vector<ir::Op*> to_wrap;
  for (const auto& op : region.ops()) {
    if (op->name() == "fusion") continue;
    for (int r = 0; r < op->num_regions(); ++r) {
      if (absl::Status s = WrapInRegion(op->region(r)); !s.ok()) return s;
    }
    if (!IsStructuralOp(*op)) to_wrap.push_back(op.get());
  }
  for (ir::Op* op : to_wrap) {
    if (absl::Status s = WrapOp(*op); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

bool IsStructuralOp(const ir::Op& op) {
  const std::string_view name = op.name();
  return op.def().is_terminator || op.num_regions() > 0 || IsViewOp(name) || name == "constant" ||
         name == "read_var" || name == "assign" || name == "assign_add" || name == "assign_sub" ||
         name == "call" || name == "random_uniform" || name == "random_normal";
}

absl::Status WrapStandaloneOps(ir::Function& function) { return WrapInRegion(function.body()); }

}  // namespace graphc::codegen
