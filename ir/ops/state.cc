// Variable ops: read and write the module-level variables (VariableDecl).
// Writes are side effects that DCE keeps; at run time they update the
// variable's buffer in place.
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "ir/module.h"
#include "ir/op_registry.h"
#include "ir/ops/infer_util.h"
#include "ir/status_macros.h"
#include "ir/str_cat.h"

namespace graphc::ir {
namespace {

using ops::Types;

absl::StatusOr<const VariableDecl*> LookupVar(const InferContext& c) {
  const std::string& name = c.attr<SymbolRef>("var").name;
  const VariableDecl* var = c.module == nullptr ? nullptr : c.module->FindVariable(name);
  if (var == nullptr) return absl::InvalidArgumentError(StrCat("unknown variable @", name));
  return var;
}

// assign*(value) {var}: `value` must fit the variable; no results.
Types InferAssign(const InferContext& c, bool numeric_only) {
  GRAPHC_ASSIGN_OR_RETURN(const VariableDecl* var, LookupVar(c));
  const TensorType& value = c.operand(0);
  if (numeric_only && !IsNumeric(var->type.dtype)) {
    return absl::InvalidArgumentError(StrCat("variable @", var->name, " is ", var->type.ToString(),
                                             ": needs a numeric (float or integer) dtype"));
  }
  if (value.dtype != var->type.dtype) {
    return absl::InvalidArgumentError(StrCat("value dtype ", DTypeName(value.dtype),
                                             " does not match variable @", var->name, " of type ",
                                             var->type.ToString(), " (cast it first)"));
  }
  if (!IsCompatible(var->type, value)) {
    return absl::InvalidArgumentError(StrCat("value shape ", value.shape.ToString(),
                                             " does not fit variable @", var->name, " of type ",
                                             var->type.ToString()));
  }
  return std::vector<TensorType>{};
}

OpDef AssignDef(std::string_view name, std::string_view summary, bool numeric_only) {
  OpDef def;
  def.name = name;
  def.summary = summary;
  def.num_operands = 1;
  def.attrs = {{"var", AttrKind::kSymbol, std::nullopt}};
  if (numeric_only) {
    def.infer = [](const InferContext& c) { return InferAssign(c, true); };
  } else {
    def.infer = [](const InferContext& c) { return InferAssign(c, false); };
  }
  def.fusion = FusionKind::kOpaque;
  def.structural = true;
  def.has_side_effects = true;
  def.not_differentiable = true;  // a write has no result to differentiate
  return def;
}

}  // namespace

void RegisterStateOps(OpRegistry& r) {
  // ---- read_var: the current value of a variable ----
  {
    OpDef def;
    def.name = "read_var";
    def.summary = "the current value of variable `var`";
    def.num_operands = 0;
    def.attrs = {{"var", AttrKind::kSymbol, std::nullopt}};
    def.infer = [](const InferContext& c) -> Types {
      GRAPHC_ASSIGN_OR_RETURN(const VariableDecl* var, LookupVar(c));
      return std::vector<TensorType>{var->type};
    };
    def.fusion = FusionKind::kOpaque;
    def.structural = true;
    // vjp stays null: autodiff treats variables as inputs of the function.
    r.Register(std::move(def));
  }

  // ---- writes ----
  r.Register(AssignDef("assign", "var = value", false));
  r.Register(AssignDef("assign_add", "var += value", true));
  r.Register(AssignDef("assign_sub", "var -= value", true));
}

}  // namespace graphc::ir
