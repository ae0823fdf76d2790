// Optimizers, as keras.optimizers (Keras 3 update rules): GradientDescent
// (SGD), Momentum (Keras's SGD with momentum / nesterov), Adam and RMSprop.
//
//   nn::Adam opt({.learning_rate = 1e-3, .clipnorm = 1.0});
//   opt.apply_gradients(tape.gradient(loss, vars), vars);
//
// All state is in Variables: the learning rate (float32 scalar), the
// iteration count (int64 scalar) and the per-variable slots (momentum, ...),
// created lazily on the first apply_gradients inside graphc::init_scope. So
// a whole training step — forward pass, GradientTape, apply_gradients — can
// be one graphc::function, and set_learning_rate() changes a traced step's
// updates without a retrace.
//
// Like Keras: undefined gradients (TensorFlow's None, e.g. a variable the
// loss does not use) are skipped; clipnorm clips each gradient to that L2
// norm on its own (not the global norm); clipvalue clips each element to
// [-clipvalue, clipvalue]; at most one of the two may be set.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "graphc/graphc.h"

namespace graphc::nn {

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // Updates vars[i] with grads[i] for each defined gradient, then adds 1 to
  // iterations(). Errors: sizes differ, no gradient is defined, or a
  // gradient's dtype or shape differs from its variable's.
  void apply_gradients(const std::vector<Tensor>& grads, const std::vector<Variable>& vars);

  // A float32 scalar Variable; the updates read it when they run.
  const Variable& learning_rate() const { return learning_rate_; }
  void set_learning_rate(double learning_rate);
  // How many times apply_gradients ran (int64 scalar).
  const Variable& iterations() const { return iterations_; }
  // iterations, learning_rate, then the slots in the order they were made.
  std::vector<Variable> variables() const;

 protected:
  Optimizer(const char* name, double learning_rate, std::optional<double> clipnorm,
            std::optional<double> clipvalue);

  // Updates `var` from its (clipped) gradient. `lr` is the learning rate and
  // `step` the 1-based iteration number, both scalars of var's dtype.
  virtual void update_step(const Tensor& grad, const Variable& var, const Tensor& lr, const Tensor& step) = 0;

  // The optimizer's slot `slot_name` for `var`: zeros shaped like it, made
  // eagerly on first use (also when that use is being traced).
  Variable slot(const Variable& var, const std::string& slot_name);

  // Throws unless lo <= value <= hi (as a clear error naming the option).
  void CheckRange(const char* option, double value, double lo, double hi) const;

 private:
  Tensor Clip(const Tensor& grad) const;

  std::string name_;  // for error messages: "Adam: ..."
  Variable learning_rate_;
  Variable iterations_;
  std::optional<double> clipnorm_, clipvalue_;
  // Keyed by the variable's identity and the slot name.
  std::map<std::pair<const void*, std::string>, Variable> slots_;
  std::vector<Variable> slots_in_order_;
};

// ---- plain gradient descent: var -= lr * g ----
struct GradientDescentOptions {
  double learning_rate = 0.01;
  std::optional<double> clipnorm = std::nullopt;
  std::optional<double> clipvalue = std::nullopt;
};

class GradientDescent : public Optimizer {
 public:
  explicit GradientDescent(GradientDescentOptions options = {});
  explicit GradientDescent(double learning_rate) : GradientDescent(GradientDescentOptions{learning_rate}) {}

 protected:
  void update_step(const Tensor& grad, const Variable& var, const Tensor& lr, const Tensor& step) override;
};
using SGD = GradientDescent;

// ---- momentum, as Keras SGD(momentum, nesterov) ----
//   m = momentum * m - lr * g
//   var += m                         (nesterov: var += momentum * m - lr * g)
struct MomentumOptions {
  double learning_rate = 0.01;
  double momentum = 0.9;
  bool nesterov = false;
  std::optional<double> clipnorm = std::nullopt;
  std::optional<double> clipvalue = std::nullopt;
};

class Momentum : public Optimizer {
 public:
  explicit Momentum(MomentumOptions options = {});
  explicit Momentum(double learning_rate) : Momentum(MomentumOptions{learning_rate}) {}

 protected:
  void update_step(const Tensor& grad, const Variable& var, const Tensor& lr, const Tensor& step) override;

 private:
  double momentum_;
  bool nesterov_;
};

// ---- Adam (Kingma & Ba), as Keras ----
//   m = m + (g - m) (1 - beta_1);  v = v + (g^2 - v) (1 - beta_2)
//   lr_t = lr sqrt(1 - beta_2^t) / (1 - beta_1^t)
//   var -= lr_t m / (sqrt(v) + epsilon)
struct AdamOptions {
  double learning_rate = 0.001;
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  double epsilon = 1e-7;
  std::optional<double> clipnorm = std::nullopt;
  std::optional<double> clipvalue = std::nullopt;
};

class Adam : public Optimizer {
 public:
  explicit Adam(AdamOptions options = {});
  explicit Adam(double learning_rate) : Adam(AdamOptions{learning_rate}) {}

 protected:
  void update_step(const Tensor& grad, const Variable& var, const Tensor& lr, const Tensor& step) override;

 private:
  double beta_1_, beta_2_, epsilon_;
};

// ---- RMSprop (uncentered), as Keras 3 ----
//   v = rho v + (1 - rho) g^2;  increment = lr g / sqrt(v + epsilon)
//   var -= increment     (momentum > 0: mom = momentum mom + increment; var -= mom)
struct RMSpropOptions {
  double learning_rate = 0.001;
  double rho = 0.9;
  double momentum = 0.0;
  double epsilon = 1e-7;
  std::optional<double> clipnorm = std::nullopt;
  std::optional<double> clipvalue = std::nullopt;
};

class RMSprop : public Optimizer {
 public:
  explicit RMSprop(RMSpropOptions options = {});
  explicit RMSprop(double learning_rate) : RMSprop(RMSpropOptions{learning_rate}) {}

 protected:
  void update_step(const Tensor& grad, const Variable& var, const Tensor& lr, const Tensor& step) override;

 private:
  double rho_, momentum_, epsilon_;
};

}  // namespace graphc::nn
