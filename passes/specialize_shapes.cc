#include "passes/specialize_shapes.h"

#include <string>
#include <utility>
#include <vector>

#include "ir/builder.h"
#include "ir/clone.h"
#include "ir/str_cat.h"

namespace graphc::passes {
namespace {

ir::Value* Mapped(const ir::ValueMap& map, ir::Value* v) {
  auto it = map.find(v);
  return it == map.end() ? v : it->second;
}

// The types region `r` of `op` receives as arguments, given the new
// operands: the operands themselves for the ops that pass them in, else
// the declared argument types.
std::vector<ir::TensorType> RegionArgTypes(const ir::Op& op, int r, const std::vector<ir::Value*>& operands) {
  const ir::Region& region = op.region(r);
  std::vector<ir::TensorType> types;
  const std::string_view name = op.name();
  const size_t skip = name == "cond" ? 1 : 0;  // cond's branches take the operands after pred
  const bool passes_operands = name == "fusion" || name == "while" || name == "cond";
  for (int i = 0; i < region.num_arguments(); ++i) {
    const size_t k = skip + static_cast<size_t>(i);
    types.push_back(passes_operands && k < operands.size() ? operands[k]->type()
                                                           : region.argument(i)->type());
  }
  return types;
}

// Calls are inlined while specializing (their arguments now have static
// types the callee's `?` parameters did not promise, so the callee's body is
// re-inferred in place), up to this depth; deeper (recursive) calls stay.
constexpr int kMaxInlineDepth = 16;

struct Context {
  const ir::Module* source = nullptr;  // where callees are
  int depth = 0;                       // calls being inlined around here
};

absl::Status SpecializeOp(ir::Builder& b, const ir::Op& op, ir::ValueMap& map, Context& ctx);

absl::Status SpecializeRegionOps(ir::Builder& b, const ir::Region& src, ir::ValueMap& map, Context& ctx) {
  for (const auto& inner : src.ops()) {
    b.set_loc(inner->loc());
    if (absl::Status s = SpecializeOp(b, *inner, map, ctx); !s.ok()) return s;
  }
  return absl::OkStatus();
}

// The callee's body, re-inferred for the call's operands, at the call's
// place; the call's results become the values the callee returns.
absl::Status InlineCall(ir::Builder& b, const ir::Op& call, const ir::Function& callee,
                        const std::vector<ir::Value*>& operands, ir::ValueMap& map, Context& ctx) {
  ir::ValueMap inner;
  for (int i = 0; i < callee.num_params(); ++i) inner[callee.param(i)] = operands[static_cast<size_t>(i)];
  ++ctx.depth;
  for (const auto& op : callee.body().ops()) {
    if (op->def().is_terminator) {
      for (int r = 0; r < op->num_operands(); ++r) map[call.result(r)] = Mapped(inner, op->operand(r));
      break;
    }
    b.set_loc(op->loc());
    if (absl::Status s = SpecializeOp(b, *op, inner, ctx); !s.ok()) return s;
  }
  --ctx.depth;
  return absl::OkStatus();
}

absl::Status SpecializeOp(ir::Builder& b, const ir::Op& op, ir::ValueMap& map, Context& ctx) {
  std::vector<ir::Value*> operands;
  for (ir::Value* v : op.operands()) operands.push_back(Mapped(map, v));
  if (op.name() == "call" && ctx.source != nullptr && ctx.depth < kMaxInlineDepth) {
    const ir::Function* callee = ctx.source->FindFunction(op.attr<ir::SymbolRef>("callee").name);
    if (callee != nullptr && callee->num_params() == op.num_operands() &&
        callee->result_types().size() == static_cast<size_t>(op.num_results())) {
      return InlineCall(b, op, *callee, operands, map, ctx);
    }
  }
  std::vector<std::unique_ptr<ir::Region>> regions;
  for (int r = 0; r < op.num_regions(); ++r) {
    const ir::Region& src = op.region(r);
    auto copy = std::make_unique<ir::Region>();
    const std::vector<ir::TensorType> arg_types = RegionArgTypes(op, r, operands);
    for (int i = 0; i < src.num_arguments(); ++i) {
      map[src.argument(i)] = copy->AddArgument(arg_types[static_cast<size_t>(i)], src.argument(i)->name_hint());
    }
    ir::Builder rb(copy.get());
    rb.set_module(b.module());
    if (absl::Status s = SpecializeRegionOps(rb, src, map, ctx); !s.ok()) return s;
    regions.push_back(std::move(copy));
  }
  b.set_loc(op.loc());
  absl::StatusOr<ir::Op*> copy = b.Create(op.name(), std::move(operands), op.attrs(), std::move(regions));
  if (!copy.ok()) return copy.status();
  for (int i = 0; i < op.num_results(); ++i) map[op.result(i)] = (*copy)->result(i);
  return absl::OkStatus();
}

// Adds `src`'s signature to `module` with `param_types` (the body comes
// later, once every function exists so calls resolve).
ir::Function* AddShell(const ir::Function& src, std::span<const ir::TensorType> param_types, ir::Module& module) {
  ir::Function* f = module.AddFunction(src.name());
  for (int i = 0; i < src.num_params(); ++i) {
    f->AddParam(param_types[static_cast<size_t>(i)], src.param(i)->name_hint());
  }
  f->set_result_types(src.result_types());
  return f;
}

// Fills `f`'s body with a copy of `src`'s; the result types become what its
// return returns.
absl::Status CopyBody(const ir::Function& src, ir::Function& f, bool inline_calls) {
  ir::ValueMap map;
  for (int i = 0; i < src.num_params(); ++i) map[src.param(i)] = f.param(i);
  ir::Builder b(&f.body());
  b.set_module(f.module());
  Context ctx;
  if (inline_calls) ctx.source = src.module();
  if (absl::Status s = SpecializeRegionOps(b, src.body(), map, ctx); !s.ok()) return s;
  const ir::Op* ret = f.body().terminator();
  if (ret != nullptr) {
    std::vector<ir::TensorType> result_types;
    for (const ir::Value* v : ret->operands()) result_types.push_back(v->type());
    f.set_result_types(std::move(result_types));
  }
  return absl::OkStatus();
}

std::vector<ir::TensorType> DeclaredParamTypes(const ir::Function& f) {
  std::vector<ir::TensorType> types;
  for (int i = 0; i < f.num_params(); ++i) types.push_back(f.param(i)->type());
  return types;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ir::Module>> SpecializeFunction(
    const ir::Function& function, std::span<const ir::TensorType> param_types) {
  if (static_cast<int>(param_types.size()) != function.num_params()) {
    return absl::InvalidArgumentError(StrCat("@", function.name(), " takes ", function.num_params(),
                                             " parameters, got ", param_types.size(), " types"));
  }
  for (int i = 0; i < function.num_params(); ++i) {
    const ir::TensorType& declared = function.param(i)->type();
    const ir::TensorType& given = param_types[static_cast<size_t>(i)];
    if (!ir::IsCompatible(declared, given)) {
      return absl::InvalidArgumentError(StrCat("@", function.name(), ": parameter ", i, " is ",
                                               declared.ToString(), ", got ", given.ToString()));
    }
  }
  auto module = std::make_unique<ir::Module>();
  const ir::Module* source = function.module();
  std::vector<std::pair<const ir::Function*, ir::Function*>> copies;
  if (source != nullptr) {
    for (const ir::VariableDecl& var : source->variables()) module->AddVariable(var);
    for (const auto& f : source->functions()) {
      if (f.get() == &function) continue;
      copies.emplace_back(f.get(), AddShell(*f, DeclaredParamTypes(*f), *module));
    }
  }
  ir::Function* target = AddShell(function, param_types, *module);
  // Other functions are copied as they are, so that calls resolve.
  for (auto [src, copy] : copies) {
    if (absl::Status s = CopyBody(*src, *copy, /*inline_calls=*/false); !s.ok()) return s;
  }
  if (absl::Status s = CopyBody(function, *target, /*inline_calls=*/true); !s.ok()) {
    return absl::InvalidArgumentError(
        StrCat("@", function.name(), " cannot be specialized to these shapes: ", s.message()));
  }
  return module;
}

}  // namespace graphc::passes
