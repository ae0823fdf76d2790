// The machinery behind graphc::GradientTape.
//
// Active tapes form a thread-local stack. An eager tape records each eager
// op that reads a tracked tensor (a watched one, a read of a watched
// variable, or an output of a recorded op) as IR in a private function;
// gradient() runs the autodiff pass on that function and executes the
// backward ops through the normal eager path, so outer tapes record them.
// A tape created inside a traced function records nothing: gradient() runs
// the autodiff pass on the function being traced.
#pragma once

#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "compiler/frontend/tensor_impl.h"
#include "compiler/frontend/variable_state.h"
#include "graphc/gradient_tape.h"
#include "ir/module.h"

namespace graphc {

class TapeImpl {
 public:
  TapeImpl(bool persistent, bool watch_accessed_variables);
  ~TapeImpl();

  void Watch(const Tensor& t);
  void Watch(const Variable& v);
  std::vector<Variable> WatchedVariables() const;
  std::vector<Tensor> Gradient(const Tensor& target, const std::vector<GradientTape::Source>& sources,
                               UnconnectedGradients unconnected, const std::source_location& loc);

  // Hooks called by the eager op path and by Variable::value().
  static bool AnyEagerTapeActive();
  static void RecordEagerOp(std::string_view op, const ir::AttrMap& attrs, const std::vector<Tensor>& operands,
                            const std::vector<Tensor>& results, const std::source_location& loc);
  static void RecordVariableRead(const std::shared_ptr<VariableState>& var, const Tensor& value);

 private:
  bool eager() const { return trace_id_ == 0; }
  bool Tracks(const Tensor& t) const { return tracked_.contains(&t.impl()); }
  void Track(const Tensor& t);
  // The tape-function value standing for an eager tensor (a parameter when
  // the tensor was not made by a recorded op).
  ir::Value* EagerValueOf(const Tensor& t);
  bool VariableWatched(const VariableState* var) const;

  std::vector<Tensor> EagerGradient(const Tensor& target, const std::vector<GradientTape::Source>& sources,
                                    UnconnectedGradients unconnected, const std::source_location& loc);
  std::vector<Tensor> TracedGradient(const Tensor& target, const std::vector<GradientTape::Source>& sources,
                                     UnconnectedGradients unconnected, const std::source_location& loc);

  bool persistent_;
  bool watch_accessed_;
  uint64_t trace_id_;  // 0 for an eager tape
  bool used_ = false;
  bool paused_ = false;

  absl::flat_hash_set<const TensorImpl*> tracked_;
  std::vector<Tensor> keep_alive_;  // tracked tensors stay alive (their addresses are keys)
  std::vector<Tensor> watched_;
  std::vector<std::shared_ptr<VariableState>> watched_variables_;
  std::vector<std::shared_ptr<VariableState>> accessed_variables_;
  absl::flat_hash_map<const VariableState*, std::vector<Tensor>> reads_;

  // Eager recording.
  std::unique_ptr<ir::Module> module_;
  ir::Function* function_ = nullptr;
  absl::flat_hash_map<const TensorImpl*, ir::Value*> value_of_;
  absl::flat_hash_map<const ir::Value*, Tensor> tensor_of_;
};

}  // namespace graphc
