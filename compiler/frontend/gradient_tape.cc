#include "graphc/gradient_tape.h"

#include <algorithm>

#include "compiler/frontend/dispatch.h"
#include "compiler/frontend/tape_impl.h"
#include "compiler/frontend/trace_state.h"
#include "graphc/ops.h"
#include "ir/str_cat.h"
#include "passes/autodiff.h"

namespace graphc {
namespace {

thread_local std::vector<TapeImpl*> g_tapes;

passes::UnconnectedGradients ToPass(UnconnectedGradients u) {
  return u == UnconnectedGradients::kZero ? passes::UnconnectedGradients::kZero
                                          : passes::UnconnectedGradients::kNone;
}

// One result per source: its gradient (`as_tensor` turns the IR value into
// a Tensor), zeros, or an undefined Tensor (None) when unconnected.
template <typename AsTensor>
std::vector<Tensor> Collect(const std::vector<GradientTape::Source>& sources, const std::vector<ir::Value*>& grads,
                            UnconnectedGradients unconnected, AsTensor as_tensor) {
  std::vector<Tensor> out;
  for (size_t i = 0; i < sources.size(); ++i) {
    ir::Value* g = i < grads.size() ? grads[i] : nullptr;
    if (g != nullptr) {
      out.push_back(as_tensor(g));
    } else if (unconnected == UnconnectedGradients::kZero) {
      const GradientTape::Source& s = sources[i];
      out.push_back(std::holds_alternative<Tensor>(s) ? zeros_like(std::get<Tensor>(s))
                                                      : zeros_like(std::get<Variable>(s).value()));
    } else {
      out.emplace_back();
    }
  }
  return out;
}

}  // namespace

// ---- GradientTape: the public face ----

GradientTape::GradientTape(bool persistent, bool watch_accessed_variables)
    : impl_(std::make_unique<TapeImpl>(persistent, watch_accessed_variables)) {}
GradientTape::~GradientTape() = default;

void GradientTape::watch(const Tensor& t) { impl_->Watch(t); }
void GradientTape::watch(const Variable& v) { impl_->Watch(v); }
std::vector<Variable> GradientTape::watched_variables() const { return impl_->WatchedVariables(); }

std::vector<Tensor> GradientTape::gradient(const Tensor& target, const std::vector<Source>& sources,
                                           UnconnectedGradients unconnected, std::source_location loc) {
  return impl_->Gradient(target, sources, unconnected, loc);
}

std::vector<Tensor> GradientTape::gradient(const Tensor& target, const std::vector<Variable>& sources,
                                           UnconnectedGradients unconnected, std::source_location loc) {
  return impl_->Gradient(target, std::vector<Source>(sources.begin(), sources.end()), unconnected, loc);
}

Tensor GradientTape::gradient(const Tensor& target, const Source& source, UnconnectedGradients unconnected,
                              std::source_location loc) {
  return impl_->Gradient(target, {source}, unconnected, loc).at(0);
}

// ---- TapeImpl ----

TapeImpl::TapeImpl(bool persistent, bool watch_accessed_variables)
    : persistent_(persistent), watch_accessed_(watch_accessed_variables) {
  TraceState* trace = TraceState::Current();
  trace_id_ = trace == nullptr ? 0 : trace->id();
  if (eager()) {
    module_ = std::make_unique<ir::Module>();
    function_ = module_->AddFunction("tape");
  }
  g_tapes.push_back(this);
}

TapeImpl::~TapeImpl() { g_tapes.erase(std::find(g_tapes.begin(), g_tapes.end(), this)); }

void TapeImpl::Track(const Tensor& t) {
  if (tracked_.insert(&t.impl()).second) keep_alive_.push_back(t);
}

void TapeImpl::Watch(const Tensor& t) {
  if (!t.defined()) throw Error(absl::InvalidArgumentError("GradientTape.watch: the tensor is undefined"));
  watched_.push_back(t);
  Track(t);
}

void TapeImpl::Watch(const Variable& v) {
  if (std::find(watched_variables_.begin(), watched_variables_.end(), v.state()) == watched_variables_.end()) {
    watched_variables_.push_back(v.state());
  }
}

bool TapeImpl::VariableWatched(const VariableState* var) const {
  for (const auto& w : watched_variables_) {
    if (w.get() == var) return true;
  }
  if (!watch_accessed_ || !var->trainable) return false;
  for (const auto& a : accessed_variables_) {
    if (a.get() == var) return true;
  }
  return false;
}

std::vector<Variable> TapeImpl::WatchedVariables() const {
  std::vector<Variable> out;
  auto add = [&](const std::shared_ptr<VariableState>& s) {
    if (!VariableWatched(s.get())) return;
    for (const Variable& v : out) {
      if (v.state() == s) return;
    }
    // Rebuild a handle around the shared state.
    out.push_back(Variable::FromState(s));
  };
  for (const auto& s : watched_variables_) add(s);
  for (const auto& s : accessed_variables_) add(s);
  return out;
}

bool TapeImpl::AnyEagerTapeActive() {
  for (const TapeImpl* t : g_tapes) {
    if (t->eager() && !t->paused_) return true;
  }
  return false;
}

void TapeImpl::RecordVariableRead(const std::shared_ptr<VariableState>& var, const Tensor& value) {
  TraceState* trace = TraceState::Current();
  const uint64_t id = trace == nullptr ? 0 : trace->id();
  for (TapeImpl* t : g_tapes) {
    if (t->paused_ || t->trace_id_ != id) continue;
    if (std::find(t->accessed_variables_.begin(), t->accessed_variables_.end(), var) == t->accessed_variables_.end()) {
      t->accessed_variables_.push_back(var);
    }
    t->reads_[var.get()].push_back(value);
    t->Track(value);
  }
}

ir::Value* TapeImpl::EagerValueOf(const Tensor& t) {
  auto it = value_of_.find(&t.impl());
  if (it != value_of_.end()) return it->second;
  // A parameter for a tensor made outside the record. It is not tracked:
  // an unwatched input gets no gradient (None), as in TensorFlow.
  ir::Value* v = function_->AddParam(t.impl().type());
  value_of_[&t.impl()] = v;
  tensor_of_[v] = t;
  keep_alive_.push_back(t);
  return v;
}

void TapeImpl::RecordEagerOp(std::string_view op, const ir::AttrMap& attrs, const std::vector<Tensor>& operands,
                             const std::vector<Tensor>& results, const std::source_location& loc) {
  for (TapeImpl* t : g_tapes) {
    if (!t->eager() || t->paused_) continue;
    bool reads_tracked = false;
    for (const Tensor& x : operands) reads_tracked |= t->Tracks(x);
    if (!reads_tracked) continue;
    std::vector<ir::Value*> values;
    for (const Tensor& x : operands) values.push_back(t->EagerValueOf(x));
    ir::Builder b(&t->function_->body());
    b.set_module(t->module_.get());
    b.set_loc(ToIrLocation(loc));
    ir::Op* recorded = ValueOrThrow(b.Create(op, values, attrs), loc);
    for (int i = 0; i < recorded->num_results(); ++i) {
      const Tensor& r = results[static_cast<size_t>(i)];
      t->value_of_[&r.impl()] = recorded->result(i);
      t->tensor_of_[recorded->result(i)] = r;
      t->Track(r);
    }
  }
}

std::vector<Tensor> TapeImpl::Gradient(const Tensor& target, const std::vector<GradientTape::Source>& sources,
                                       UnconnectedGradients unconnected, const std::source_location& loc) {
  if (used_ && !persistent_) {
    throw Error(absl::FailedPreconditionError(
                    "a non-persistent GradientTape can compute gradients only once; create it with "
                    "GradientTape(/*persistent=*/true) to call gradient() again"),
                loc);
  }
  used_ = true;
  if (!target.defined()) throw Error(absl::InvalidArgumentError("GradientTape.gradient: the target is undefined"), loc);
  paused_ = true;  // the tape does not record its own gradient computation
  struct Resume {
    bool& paused;
    ~Resume() { paused = false; }
  } resume{paused_};
  return eager() ? EagerGradient(target, sources, unconnected, loc)
                 : TracedGradient(target, sources, unconnected, loc);
}

std::vector<Tensor> TapeImpl::EagerGradient(const Tensor& target, const std::vector<GradientTape::Source>& sources,
                                            UnconnectedGradients unconnected, const std::source_location& loc) {
  if (target.is_traced()) {
    throw Error(absl::FailedPreconditionError("GradientTape.gradient: this tape was created outside the traced "
                                              "function the target belongs to; create the tape inside it"),
                loc);
  }
  passes::GradientRequest req;
  req.unconnected = ToPass(unconnected);
  const bool target_tracked = Tracks(target);
  if (target_tracked) req.targets.push_back(EagerValueOf(target));
  for (const GradientTape::Source& s : sources) {
    std::vector<ir::Value*> group;
    if (const Tensor* t = std::get_if<Tensor>(&s)) {
      if (target_tracked && Tracks(*t)) group.push_back(EagerValueOf(*t));
    } else {
      const auto& state = std::get<Variable>(s).state();
      if (target_tracked && VariableWatched(state.get())) {
        for (const Tensor& read : reads_[state.get()]) group.push_back(EagerValueOf(read));
      }
    }
    req.sources.push_back(std::move(group));
  }
  ir::Builder b(&function_->body());
  b.set_module(module_.get());
  const size_t first_new = function_->body().ops().size();
  std::vector<ir::Value*> grads;
  if (target_tracked) grads = ValueOrThrow(passes::EmitGradients(b, req), loc);
  // Run the backward ops eagerly, op by op, so that outer tapes record them.
  size_t index = 0;
  for (const auto& op : function_->body().ops()) {
    if (index++ < first_new) continue;
    std::vector<Tensor> operands;
    for (ir::Value* v : op->operands()) operands.push_back(tensor_of_.at(v));
    std::vector<Tensor> results = ApplyOp(op->name(), operands, op->attrs(), loc);
    for (int i = 0; i < op->num_results(); ++i) {
      tensor_of_[op->result(i)] = results[static_cast<size_t>(i)];
      value_of_[&results[static_cast<size_t>(i)].impl()] = op->result(i);
    }
  }
  return Collect(sources, grads, unconnected, [&](ir::Value* g) { return tensor_of_.at(g); });
}

std::vector<Tensor> TapeImpl::TracedGradient(const Tensor& target, const std::vector<GradientTape::Source>& sources,
                                             UnconnectedGradients unconnected, const std::source_location& loc) {
  TraceState* trace = TraceState::Current();
  if (trace == nullptr || trace->id() != trace_id_) {
    throw Error(absl::FailedPreconditionError(
                    "GradientTape.gradient: the tape belongs to a traced function; call gradient() inside it"),
                loc);
  }
  TraceFor({target}, "gradient", loc);
  ir::Builder& b = trace->builder();
  b.set_loc(ToIrLocation(loc));
  // Values derived from what the tape watches, in program order.
  absl::flat_hash_set<const ir::Value*> tracked;
  for (const Tensor& t : watched_) {
    if (t.is_traced()) tracked.insert(t.impl().symbolic);
  }
  for (const auto& [var, reads] : reads_) {
    for (const Tensor& r : reads) tracked.insert(r.impl().symbolic);
  }
  for (const ir::Region* region : trace->open_regions()) {
    ir::WalkOps(*region, [&](const ir::Op* op) {
      for (ir::Value* v : op->operands()) {
        if (tracked.contains(v)) {
          for (int i = 0; i < op->num_results(); ++i) tracked.insert(op->result(i));
          return;
        }
      }
    });
  }
  passes::GradientRequest req;
  req.unconnected = ToPass(unconnected);
  const bool target_tracked = target.is_traced() && tracked.contains(target.impl().symbolic);
  if (target_tracked) req.targets.push_back(target.impl().symbolic);
  for (const GradientTape::Source& s : sources) {
    std::vector<ir::Value*> group;
    if (const Tensor* t = std::get_if<Tensor>(&s)) {
      if (target_tracked && t->is_traced() && tracked.contains(t->impl().symbolic)) {
        group.push_back(t->impl().symbolic);
      }
    } else {
      const auto& state = std::get<Variable>(s).state();
      if (target_tracked && VariableWatched(state.get())) {
        for (const Tensor& read : reads_[state.get()]) group.push_back(read.impl().symbolic);
      }
    }
    req.sources.push_back(std::move(group));
  }
  std::vector<ir::Value*> grads;
  if (target_tracked) grads = ValueOrThrow(passes::EmitGradients(b, req), loc);
  return Collect(sources, grads, unconnected, [&](ir::Value* g) { return MakeTraced(g, trace->id()); });
}

}  // namespace graphc
