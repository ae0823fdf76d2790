// Control ops: region terminators, structured control flow (cond, while) and
// calls.
//
// cond and while check their regions both in inference (so a bad region is
// reported when the op is built) and in `verify` (so the verifier catches a
// pass that edits a region after the op was built); both use the same
// checks below.
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "ir/module.h"
#include "ir/op_registry.h"
#include "ir/ops/infer_util.h"
#include "ir/status_macros.h"
#include "ir/str_cat.h"

namespace graphc::ir {

using ops::Types;

namespace {

// "(f32[2], i32[])".
std::string TypeList(std::span<const TensorType> types) {
  std::string s = "(";
  for (size_t i = 0; i < types.size(); ++i) {
    s += StrCat(i == 0 ? "" : ", ", types[i].ToString());
  }
  return s + ")";
}

std::vector<TensorType> ValueTypes(std::span<Value* const> values) {
  std::vector<TensorType> types;
  for (const Value* v : values) types.push_back(v->type());
  return types;
}

// Errors unless `region`'s arguments have exactly the types `expected`.
absl::Status CheckRegionArgs(const Region& region, std::string_view what,
                             std::span<const TensorType> expected) {
  std::vector<TensorType> args = ValueTypes(region.arguments());
  if (args.size() != expected.size()) {
    return absl::InvalidArgumentError(
        StrCat(what, " region takes ", args.size(), " argument", args.size() == 1 ? "" : "s", " ",
               TypeList(args), ", expected ", expected.size(), " ", TypeList(expected)));
  }
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] != expected[i]) {
      return absl::InvalidArgumentError(StrCat(what, " region argument ", i, " is ",
                                               args[i].ToString(), ", expected ",
                                               expected[i].ToString()));
    }
  }
  return absl::OkStatus();
}

// The operand types of the `yield` ending `region`.
absl::StatusOr<std::vector<TensorType>> YieldTypes(const Region& region, std::string_view what) {
  const Op* term = region.terminator();
  if (term == nullptr || term->name() != "yield") {
    return absl::InvalidArgumentError(StrCat(what, " region must end with yield"));
  }
  for (const Value* v : term->operands()) {
    if (v == nullptr) {
      return absl::InvalidArgumentError(StrCat(what, " region yields a null value"));
    }
  }
  return ValueTypes(term->operands());
}

absl::Status CheckRegionsPresent(std::span<const Region* const> regions) {
  for (const Region* r : regions) {
    if (r == nullptr) return absl::InvalidArgumentError("a region is null");
  }
  return absl::OkStatus();
}

// cond(pred, args...) {then} {else}: both regions take `args` and yield the
// same types, which are the results.
Types CheckCond(std::span<const TensorType> operands, std::span<const Region* const> regions) {
  GRAPHC_RETURN_IF_ERROR(CheckRegionsPresent(regions));
  const TensorType& pred = operands[0];
  if (pred.dtype != DType::kBool || !pred.shape.is_scalar()) {
    return absl::InvalidArgumentError(
        StrCat("the predicate must be bool[], got ", pred.ToString()));
  }
  std::span<const TensorType> args = operands.subspan(1);
  GRAPHC_RETURN_IF_ERROR(CheckRegionArgs(*regions[0], "then", args));
  GRAPHC_RETURN_IF_ERROR(CheckRegionArgs(*regions[1], "else", args));
  GRAPHC_ASSIGN_OR_RETURN(std::vector<TensorType> then_types, YieldTypes(*regions[0], "then"));
  GRAPHC_ASSIGN_OR_RETURN(std::vector<TensorType> else_types, YieldTypes(*regions[1], "else"));
  if (then_types != else_types) {
    return absl::InvalidArgumentError(StrCat("the branches yield different types: then ",
                                             TypeList(then_types), ", else ",
                                             TypeList(else_types)));
  }
  return then_types;
}

// while(init...) {cond} {body}: both regions take the loop vars (typed like
// `init`); cond yields one bool[], body yields the next loop vars.
Types CheckWhile(std::span<const TensorType> init, std::span<const Region* const> regions) {
  GRAPHC_RETURN_IF_ERROR(CheckRegionsPresent(regions));
  GRAPHC_RETURN_IF_ERROR(CheckRegionArgs(*regions[0], "cond", init));
  GRAPHC_RETURN_IF_ERROR(CheckRegionArgs(*regions[1], "body", init));
  GRAPHC_ASSIGN_OR_RETURN(std::vector<TensorType> cond_types, YieldTypes(*regions[0], "cond"));
  if (cond_types.size() != 1 || cond_types[0] != TensorType{DType::kBool, Shape{}}) {
    return absl::InvalidArgumentError(
        StrCat("cond region must yield one bool[], got ", TypeList(cond_types)));
  }
  GRAPHC_ASSIGN_OR_RETURN(std::vector<TensorType> body_types, YieldTypes(*regions[1], "body"));
  bool fits = body_types.size() == init.size();
  // A static yield may refine a `?` loop var dim (IsCompatible); anything
  // else would change the loop var's type between iterations.
  for (size_t i = 0; fits && i < init.size(); ++i) fits = IsCompatible(init[i], body_types[i]);
  if (!fits) {
    return absl::InvalidArgumentError(StrCat("body region yields ", TypeList(body_types),
                                             ", expected the loop var types ", TypeList(init)));
  }
  return std::vector<TensorType>(init.begin(), init.end());
}

// fusion(inputs...) {body}: the body takes the inputs and yields the
// results; `kind` names the loop nest codegen builds for it.
Types CheckFusion(std::span<const TensorType> inputs, const AttrMap& attrs,
                  std::span<const Region* const> regions) {
  GRAPHC_RETURN_IF_ERROR(CheckRegionsPresent(regions));
  const std::string& kind = std::get<std::string>(attrs.find("kind")->second);
  if (kind != "loop" && kind != "reduction" && kind != "matmul") {
    return absl::InvalidArgumentError(
        StrCat("fusion kind must be \"loop\", \"reduction\" or \"matmul\", got \"", kind, "\""));
  }
  GRAPHC_RETURN_IF_ERROR(CheckRegionArgs(*regions[0], "fusion", inputs));
  return YieldTypes(*regions[0], "fusion");
}

// The operand types of `op`, as inference saw them.
absl::StatusOr<std::vector<TensorType>> OperandTypes(const Op& op) {
  for (int i = 0; i < op.num_operands(); ++i) {
    if (op.operand(i) == nullptr)
      return absl::InvalidArgumentError(StrCat("operand ", i, " is null"));
  }
  return ValueTypes(op.operands());
}

std::vector<const Region*> RegionsOf(const Op& op) {
  std::vector<const Region*> regions;
  for (int i = 0; i < op.num_regions(); ++i) regions.push_back(&op.region(i));
  return regions;
}

}  // namespace

void RegisterControlOps(OpRegistry& r) {
  // ---- return: ends a function body; operands are the function's results ----
  {
    OpDef def;
    def.name = "return";
    def.summary = "returns its operands from the function";
    def.num_operands = OpDef::kVariadic;
    def.infer = [](const InferContext&) -> Types { return std::vector<TensorType>{}; };
    def.structural = true;
    def.is_terminator = true;
    def.not_differentiable = true;  // autodiff handles terminators itself
    r.Register(std::move(def));
  }

  // ---- yield: ends a nested region (cond branch, while cond/body, fusion body) ----
  {
    OpDef def;
    def.name = "yield";
    def.summary = "returns its operands from the enclosing region";
    def.num_operands = OpDef::kVariadic;
    def.infer = [](const InferContext&) -> Types { return std::vector<TensorType>{}; };
    def.structural = true;
    def.is_terminator = true;
    def.not_differentiable = true;
    r.Register(std::move(def));
  }

  // ---- cond: runs the then or the else region on `args` ----
  {
    OpDef def;
    def.name = "cond";
    def.summary = "if pred then region 0 else region 1, each applied to the operands after pred";
    def.num_operands = OpDef::kVariadic;
    def.min_operands = 1;
    def.num_regions = 2;
    def.infer = [](const InferContext& c) -> Types { return CheckCond(c.operands, c.regions); };
    def.verify = [](const Op& op) -> absl::Status {
      GRAPHC_ASSIGN_OR_RETURN(std::vector<TensorType> operands, OperandTypes(op));
      return CheckCond(operands, RegionsOf(op)).status();
    };
    def.fusion = FusionKind::kOpaque;
    def.structural = true;
    r.Register(std::move(def));
  }

  // ---- while: loop vars start at `init`; repeat body while cond holds ----
  {
    OpDef def;
    def.name = "while";
    def.summary = "loop: vars = init; while cond(vars): vars = body(vars); results are vars";
    def.num_operands = OpDef::kVariadic;
    def.num_regions = 2;
    def.infer = [](const InferContext& c) -> Types { return CheckWhile(c.operands, c.regions); };
    def.verify = [](const Op& op) -> absl::Status {
      GRAPHC_ASSIGN_OR_RETURN(std::vector<TensorType> init, OperandTypes(op));
      return CheckWhile(init, RegionsOf(op)).status();
    };
    def.fusion = FusionKind::kOpaque;
    def.structural = true;
    r.Register(std::move(def));
  }

  // ---- fusion: a group of ops the fusion pass outlined; codegen makes it one loop nest ----
  {
    OpDef def;
    def.name = "fusion";
    def.summary = "runs its region on the operands as one unit; `kind` is loop, reduction or matmul";
    def.num_operands = OpDef::kVariadic;
    def.num_regions = 1;
    def.attrs = {{"kind", AttrKind::kString, std::nullopt}};
    def.infer = [](const InferContext& c) -> Types { return CheckFusion(c.operands, c.attrs, c.regions); };
    def.verify = [](const Op& op) -> absl::Status {
      GRAPHC_ASSIGN_OR_RETURN(std::vector<TensorType> operands, OperandTypes(op));
      return CheckFusion(operands, op.attrs(), RegionsOf(op)).status();
    };
    def.fusion = FusionKind::kOpaque;
    def.structural = true;
    // Fusion runs after autodiff in every pipeline; differentiating a fused
    // graph would mean differentiating its body, which nothing needs.
    def.not_differentiable = true;
    def.isolated_regions = true;
    r.Register(std::move(def));
  }

  // ---- call: runs the function @callee of the same module ----
  {
    OpDef def;
    def.name = "call";
    def.summary = "calls function `callee` with the operands; results are its results";
    def.num_operands = OpDef::kVariadic;
    def.attrs = {{"callee", AttrKind::kSymbol, std::nullopt}};
    def.infer = [](const InferContext& c) -> Types {
      const std::string& name = c.attr<SymbolRef>("callee").name;
      const Function* callee = c.module == nullptr ? nullptr : c.module->FindFunction(name);
      if (callee == nullptr) {
        return absl::InvalidArgumentError(StrCat("unknown function @", name));
      }
      if (static_cast<int>(c.operands.size()) != callee->num_params()) {
        return absl::InvalidArgumentError(StrCat("@", name, " takes ", callee->num_params(),
                                                 " argument", callee->num_params() == 1 ? "" : "s",
                                                 ", got ", c.operands.size()));
      }
      for (size_t i = 0; i < c.operands.size(); ++i) {
        const TensorType& param = callee->param(static_cast<int>(i))->type();
        if (!IsCompatible(param, c.operand(i))) {
          return absl::InvalidArgumentError(StrCat("argument ", i, " is ", c.operand(i).ToString(),
                                                   ", @", name, " expects ", param.ToString()));
        }
      }
      return callee->result_types();
    };
    def.fusion = FusionKind::kOpaque;
    def.structural = true;
    r.Register(std::move(def));
  }
}

}  // namespace graphc::ir
