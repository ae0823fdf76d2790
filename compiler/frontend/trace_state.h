// The state of one trace: the module and function being built, where ops
// go (the function body, or a cond/while region being traced), and what
// the function captured from outside (eager tensors and variables).
//
// Traces form a thread-local stack; the innermost is Current(). Ops called
// while a trace is active append IR to it instead of running.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "compiler/host_tensor.h"
#include "graphc/tensor.h"
#include "ir/builder.h"
#include "ir/module.h"

namespace graphc {

struct VariableState;

class TraceState {
 public:
  // Starts tracing `function` (in `module`) and makes it Current().
  TraceState(ir::Module* module, ir::Function* function);
  ~TraceState();  // stops tracing (pops)
  TraceState(const TraceState&) = delete;
  TraceState& operator=(const TraceState&) = delete;

  static TraceState* Current();
  // The active trace with this id, or null if it has finished.
  static TraceState* Find(uint64_t id);

  uint64_t id() const { return id_; }
  ir::Module& module() { return *module_; }
  ir::Function& function() { return *function_; }
  // Where ops go now.
  ir::Builder& builder() { return builders_.back(); }

  // cond/while branches: ops go into `region` until PopRegion().
  void PushRegion(ir::Region* region);
  void PopRegion();
  // The function body and the regions being traced inside it, outermost
  // first: program order, since each open region's op is created only
  // after its region is traced (so no walk from the body reaches them).
  std::vector<const ir::Region*> open_regions() const;

  // The SSA value for `t` in this trace: its own value, or a capture of an
  // eager tensor (a `constant` op when small, else an extra function
  // parameter bound to the tensor at every call).
  ir::Value* ValueOf(const Tensor& t, const std::source_location& loc);

  // The IR name of a variable, declaring it in the module on first use.
  const std::string& VariableName(const std::shared_ptr<VariableState>& var);

  // What the traced function captured, in parameter order after the user's
  // inputs, and the variables it uses.
  const std::vector<HostTensor>& captured_tensors() const { return captured_; }
  const std::vector<std::shared_ptr<VariableState>>& variables() const { return variables_; }

  // Eager tensors with at most this many elements become `constant` ops.
  static constexpr int64_t kMaxInlineConstantElements = 64;

 private:
  ir::Module* module_;
  ir::Function* function_;
  uint64_t id_;
  std::vector<ir::Builder> builders_;
  std::vector<HostTensor> captured_;
  absl::flat_hash_map<const void*, ir::Value*> captured_by_buffer_;
  std::vector<std::shared_ptr<VariableState>> variables_;
  absl::flat_hash_map<const VariableState*, std::string> variable_names_;
};

}  // namespace graphc
