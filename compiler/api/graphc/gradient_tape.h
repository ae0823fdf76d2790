// graphc::GradientTape: tf.GradientTape for C++, plus the grad /
// value_and_grad transforms.
//
// Eagerly, a tape records the ops run while it exists (as IR) and
// gradient() differentiates that record symbolically and runs the backward
// ops; an outer tape records those too, so nesting tapes gives higher-order
// gradients. Inside a traced function, gradient() runs the autodiff pass at
// trace time: the backward ops join the same graph.
#pragma once

#include <memory>
#include <source_location>
#include <variant>
#include <vector>

#include "graphc/tensor.h"
#include "graphc/variable.h"

namespace graphc {

// What a source with no path to the target gets: none (an undefined Tensor,
// like TensorFlow's None) or zeros.
enum class UnconnectedGradients { kNone, kZero };

class TapeImpl;  // compiler/frontend/tape_impl.h

class GradientTape {
 public:
  using Source = std::variant<Tensor, Variable>;

  // persistent: gradient() may be called more than once.
  // watch_accessed_variables: trainable variables read while the tape
  // exists are watched automatically.
  explicit GradientTape(bool persistent = false, bool watch_accessed_variables = true);
  ~GradientTape();
  GradientTape(const GradientTape&) = delete;
  GradientTape& operator=(const GradientTape&) = delete;

  void watch(const Tensor& t);
  void watch(const Variable& v);
  std::vector<Variable> watched_variables() const;

  // d(sum of target)/d(source) for each source, aligned with `sources`.
  std::vector<Tensor> gradient(const Tensor& target, const std::vector<Source>& sources,
                               UnconnectedGradients unconnected = UnconnectedGradients::kNone,
                               std::source_location loc = std::source_location::current());
  std::vector<Tensor> gradient(const Tensor& target, const std::vector<Variable>& sources,
                               UnconnectedGradients unconnected = UnconnectedGradients::kNone,
                               std::source_location loc = std::source_location::current());
  Tensor gradient(const Tensor& target, const Source& source,
                  UnconnectedGradients unconnected = UnconnectedGradients::kNone,
                  std::source_location loc = std::source_location::current());

 private:
  std::unique_ptr<TapeImpl> impl_;
};

namespace tape_internal {
// Runs fn(args...) under a tape watching every argument; returns the value
// and the gradients with respect to each argument.
template <typename Fn, typename... Args>
std::pair<Tensor, std::vector<Tensor>> ValueAndGrad(const Fn& fn, const Args&... args) {
  GradientTape tape;
  std::vector<GradientTape::Source> sources;
  (([&] {
     tape.watch(Tensor(args));
     sources.emplace_back(Tensor(args));
   }()),
   ...);
  const Tensor y = fn(args...);
  return {y, tape.gradient(y, sources, UnconnectedGradients::kZero)};
}
}  // namespace tape_internal

// grad(fn)(x, y, ...): the gradients of fn's (scalar) result with respect
// to each Tensor argument, like jax.grad over all arguments.
template <typename Fn>
auto grad(Fn fn) {
  return [fn](const auto&... args) -> std::vector<Tensor> {
    return tape_internal::ValueAndGrad(fn, args...).second;
  };
}

// value_and_grad(fn)(args...): {fn(args...), grad(fn)(args...)} from one
// forward pass.
template <typename Fn>
auto value_and_grad(Fn fn) {
  return [fn](const auto&... args) -> std::pair<Tensor, std::vector<Tensor>> {
    return tape_internal::ValueAndGrad(fn, args...);
  };
}

}  // namespace graphc
