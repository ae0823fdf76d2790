#include "graphc/variable.h"

#include "compiler/frontend/dispatch.h"
#include "compiler/frontend/tape_impl.h"
#include "compiler/frontend/tensor_impl.h"
#include "compiler/frontend/trace_state.h"
#include "compiler/frontend/variable_state.h"
#include "compiler/interpreter/interpreter.h"
#include "ir/str_cat.h"

namespace graphc {

Variable::Variable(const Tensor& initial_value, std::string name, bool trainable,
                   std::source_location loc) {
  if (!initial_value.defined() || initial_value.is_traced()) {
    throw Error(absl::FailedPreconditionError(StrCat(
                    "Variable '", name, "': the initial value must be an eager tensor; create "
                    "variables outside traced functions, or inside a graphc::init_scope")),
                loc);
  }
  state_ = std::make_shared<VariableState>();
  state_->value = initial_value.impl().value.Clone();
  state_->name = std::move(name);
  state_->trainable = trainable;
}

Variable Variable::FromState(std::shared_ptr<VariableState> state) {
  Variable v;
  v.state_ = std::move(state);
  return v;
}

const std::string& Variable::name() const { return state_->name; }
bool Variable::trainable() const { return state_->trainable; }
DType Variable::dtype() const { return state_->value.dtype(); }
const Shape& Variable::shape() const { return state_->value.shape(); }

Tensor Variable::value(std::source_location loc) const {
  Tensor read;
  if (TraceState* trace = TraceState::Current()) {
    const std::string& name = trace->VariableName(state_);
    read = ApplyOp1("read_var", {}, {{"var", ir::SymbolRef{name}}}, loc);
  } else {
    read = MakeEager(state_->value.Clone());
  }
  TapeImpl::RecordVariableRead(state_, read);  // gradient tapes watch reads
  return read;
}

void Variable::Write(std::string_view op, const Tensor& v, const std::source_location& loc) const {
  if (TraceState* trace = TraceState::Current()) {
    const std::string& name = trace->VariableName(state_);
    ApplyOp(op, {v}, {{"var", ir::SymbolRef{name}}}, loc);
    return;
  }
  TraceFor({v}, op, loc);  // rejects traced tensors from finished traces
  // Eagerly the op runs against a one-variable module and store; the store
  // shares the variable's buffer, so the update lands in place.
  ir::Module module;
  module.AddVariable({state_->name, state_->value.type(), state_->trainable});
  interp::VariableStore store;
  store.emplace(state_->name, state_->value);
  ThrowIfError(interp::EvalOp(op, std::vector<HostTensor>{v.impl().value},
                              {{"var", ir::SymbolRef{state_->name}}}, &store, &module)
                   .status(),
               loc);
}

void Variable::assign(const Tensor& v, std::source_location loc) const { Write("assign", v, loc); }
void Variable::assign_add(const Tensor& v, std::source_location loc) const { Write("assign_add", v, loc); }
void Variable::assign_sub(const Tensor& v, std::source_location loc) const { Write("assign_sub", v, loc); }

std::string Variable::ToString() const {
  std::string t = MakeEager(state_->value).ToString();
  // "graphc.Tensor(...)" -> "graphc.Variable 'name' (...)"
  return StrCat("graphc.Variable '", state_->name, "' ", t.substr(t.find('(')));
}

std::ostream& operator<<(std::ostream& os, const Variable& v) { return os << v.ToString(); }

}  // namespace graphc
