#include "compiler/frontend/trace_state.h"

#include <atomic>

#include "compiler/frontend/tensor_impl.h"
#include "compiler/frontend/variable_state.h"
#include "graphc/function.h"
#include "ir/str_cat.h"

namespace graphc {
namespace {

thread_local std::vector<TraceState*> g_trace_stack;
std::atomic<uint64_t> g_next_trace_id{1};

}  // namespace

TraceState::TraceState(ir::Module* module, ir::Function* function)
    : module_(module), function_(function), id_(g_next_trace_id++) {
  builders_.emplace_back(&function->body());
  builders_.back().set_module(module);
  g_trace_stack.push_back(this);
}

TraceState::~TraceState() { g_trace_stack.pop_back(); }

// An init_scope pushes a null entry: ops inside it see no current trace.
TraceState* TraceState::Current() { return g_trace_stack.empty() ? nullptr : g_trace_stack.back(); }

TraceState* TraceState::Find(uint64_t id) {
  for (TraceState* t : g_trace_stack) {
    if (t != nullptr && t->id_ == id) return t;
  }
  return nullptr;
}

init_scope::init_scope() { g_trace_stack.push_back(nullptr); }
init_scope::~init_scope() { g_trace_stack.pop_back(); }

void TraceState::PushRegion(ir::Region* region) {
  builders_.emplace_back(region);
  builders_.back().set_module(module_);
}

void TraceState::PopRegion() { builders_.pop_back(); }

std::vector<const ir::Region*> TraceState::open_regions() const {
  std::vector<const ir::Region*> regions;
  for (const ir::Builder& b : builders_) regions.push_back(b.region());
  return regions;
}

ir::Value* TraceState::ValueOf(const Tensor& t, const std::source_location& loc) {
  const TensorImpl& impl = t.impl();
  if (impl.traced()) return impl.symbolic;  // the caller checked it is ours
  const HostTensor& value = impl.value;
  if (value.size() <= kMaxInlineConstantElements) {
    ir::Builder& b = builder();
    b.set_loc(ToIrLocation(loc));
    return ValueOrThrow(b.Constant(value.ToDense()), loc);
  }
  // Large tensors become parameters: the IR stays small and the tensor is
  // passed at each call. Function parameters dominate every region, so one
  // parameter serves every use of the same buffer.
  auto it = captured_by_buffer_.find(value.data());
  if (it != captured_by_buffer_.end() && it->second->type() == value.type()) return it->second;
  ir::Value* param = function_->AddParam(value.type(), StrCat("capture", captured_.size()));
  captured_.push_back(value);
  captured_by_buffer_[value.data()] = param;
  return param;
}

const std::string& TraceState::VariableName(const std::shared_ptr<VariableState>& var) {
  auto it = variable_names_.find(var.get());
  if (it != variable_names_.end()) return it->second;
  // Unique within the module: the variable's own name, then name_1, name_2, ...
  const std::string base = ir::ToSymbolName(var->name);
  std::string name = base;
  for (int k = 1; module_->FindVariable(name) != nullptr; ++k) name = StrCat(base, "_", k);
  module_->AddVariable({name, var->value.type(), var->trainable});
  variables_.push_back(var);
  return variable_names_.emplace(var.get(), std::move(name)).first->second;
}

}  // namespace graphc
