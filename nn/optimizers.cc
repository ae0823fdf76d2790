#include "nn/optimizers.h"

#include <cmath>

namespace graphc::nn {
namespace {

// Optimizer state is made eagerly even if the optimizer is constructed
// inside a trace.
Variable EagerScalar(double value, DType dtype, const char* name) {
  init_scope eager;
  return Variable(constant(value, dtype), name, /*trainable=*/false);
}

bool Compatible(const Shape& a, const Shape& b) {
  if (a.rank() != b.rank()) return false;
  for (int64_t i = 0; i < a.rank(); ++i) {
    if (a.dim(i) != b.dim(i) && a.dim(i) != kDynamic && b.dim(i) != kDynamic) return false;
  }
  return true;
}

// A scalar of `dtype` from a tensor of another float dtype.
Tensor As(const Tensor& t, DType dtype) { return t.dtype() == dtype ? t : cast(t, dtype); }

// Hyperparameters as scalars of the variable's dtype. (A bare C++ double in
// an op is a weakly typed float32 literal, which would round 0.999 for a
// float64 variable.)
Tensor Scalar(double value, DType dtype) { return constant(value, dtype); }

}  // namespace

// ---- Optimizer ----

Optimizer::Optimizer(const char* name, double learning_rate, std::optional<double> clipnorm,
                     std::optional<double> clipvalue)
    : name_(name),
      learning_rate_(EagerScalar(learning_rate, float32, "learning_rate")),
      iterations_(EagerScalar(0, int64, "iterations")),
      clipnorm_(clipnorm),
      clipvalue_(clipvalue) {
  CheckRange("learning_rate", learning_rate, 0, INFINITY);
  if (clipnorm && clipvalue) {
    throw Error(absl::InvalidArgumentError(name_ + ": set at most one of clipnorm and clipvalue"));
  }
  if (clipnorm) CheckRange("clipnorm", *clipnorm, 0, INFINITY);
  if (clipvalue) CheckRange("clipvalue", *clipvalue, 0, INFINITY);
  if ((clipnorm && *clipnorm == 0) || (clipvalue && *clipvalue == 0)) {
    throw Error(absl::InvalidArgumentError(name_ + ": clipnorm and clipvalue must be positive"));
  }
}

void Optimizer::CheckRange(const char* option, double value, double lo, double hi) const {
  if (!(value >= lo && value <= hi)) {
    throw Error(absl::InvalidArgumentError(name_ + ": " + option + " must be in [" + std::to_string(lo) + ", " +
                                           std::to_string(hi) + "], got " + std::to_string(value)));
  }
}

void Optimizer::set_learning_rate(double learning_rate) {
  CheckRange("learning_rate", learning_rate, 0, INFINITY);
  learning_rate_.assign(constant(learning_rate, float32));
}

std::vector<Variable> Optimizer::variables() const {
  std::vector<Variable> out{iterations_, learning_rate_};
  out.insert(out.end(), slots_in_order_.begin(), slots_in_order_.end());
  return out;
}

Variable Optimizer::slot(const Variable& var, const std::string& slot_name) {
  const auto key = std::make_pair(static_cast<const void*>(var.state().get()), slot_name);
  if (auto it = slots_.find(key); it != slots_.end()) return it->second;
  init_scope eager;  // a slot's initial value must be eager, also mid-trace
  Variable created(zeros(var.shape(), var.dtype()), var.name() + "/" + slot_name, /*trainable=*/false);
  slots_.emplace(key, created);
  slots_in_order_.push_back(created);
  return created;
}

Tensor Optimizer::Clip(const Tensor& grad) const {
  if (clipnorm_) {
    // tf.clip_by_norm: unchanged when the norm is within the limit.
    const Tensor clip = Scalar(*clipnorm_, grad.dtype());
    const Tensor norm = sqrt(reduce_sum(square(grad)));
    return grad * clip / maximum(norm, clip);
  }
  if (clipvalue_) {
    const Tensor clip = Scalar(*clipvalue_, grad.dtype());
    return minimum(maximum(grad, -clip), clip);
  }
  return grad;
}

void Optimizer::apply_gradients(const std::vector<Tensor>& grads, const std::vector<Variable>& vars) {
  if (grads.size() != vars.size()) {
    throw Error(absl::InvalidArgumentError(name_ + ".apply_gradients: " + std::to_string(grads.size()) +
                                           " gradients for " + std::to_string(vars.size()) + " variables"));
  }
  bool any = false;
  for (size_t i = 0; i < vars.size(); ++i) {
    if (!grads[i].defined()) continue;
    any = true;
    if (grads[i].dtype() != vars[i].dtype() || !Compatible(grads[i].shape(), vars[i].shape())) {
      throw Error(absl::InvalidArgumentError(
          name_ + ".apply_gradients: the gradient for variable '" + vars[i].name() + "' (#" + std::to_string(i) +
          ") is " + std::string(ir::DTypeName(grads[i].dtype())) + grads[i].shape().ToString() +
          ", the variable is " + std::string(ir::DTypeName(vars[i].dtype())) + vars[i].shape().ToString()));
    }
  }
  if (!any) {
    throw Error(absl::InvalidArgumentError(name_ + ".apply_gradients: no gradient is defined for any of the " +
                                           std::to_string(vars.size()) +
                                           " variables (does the loss depend on them?)"));
  }
  // Keras's local_step: iterations counts finished steps, so this is t >= 1.
  const Tensor step = cast(iterations_.value() + constant(int64_t{1}, int64), float32);
  const Tensor lr = learning_rate_.value();
  for (size_t i = 0; i < vars.size(); ++i) {
    if (!grads[i].defined()) continue;
    const DType dtype = vars[i].dtype();
    update_step(Clip(grads[i]), vars[i], As(lr, dtype), As(step, dtype));
  }
  iterations_.assign_add(constant(int64_t{1}, int64));
}

// ---- GradientDescent ----

GradientDescent::GradientDescent(GradientDescentOptions options)
    : Optimizer("GradientDescent", options.learning_rate, options.clipnorm, options.clipvalue) {}

void GradientDescent::update_step(const Tensor& grad, const Variable& var, const Tensor& lr, const Tensor&) {
  var.assign_sub(lr * grad);
}

// ---- Momentum ----

Momentum::Momentum(MomentumOptions options)
    : Optimizer("Momentum", options.learning_rate, options.clipnorm, options.clipvalue),
      momentum_(options.momentum),
      nesterov_(options.nesterov) {
  CheckRange("momentum", momentum_, 0, 1);
}

void Momentum::update_step(const Tensor& grad, const Variable& var, const Tensor& lr, const Tensor&) {
  const Tensor momentum = Scalar(momentum_, var.dtype());
  const Variable m = slot(var, "momentum");
  const Tensor m_new = momentum * m.value() - lr * grad;
  m.assign(m_new);
  var.assign_add(nesterov_ ? momentum * m_new - lr * grad : m_new);
}

// ---- Adam ----

Adam::Adam(AdamOptions options)
    : Optimizer("Adam", options.learning_rate, options.clipnorm, options.clipvalue),
      beta_1_(options.beta_1),
      beta_2_(options.beta_2),
      epsilon_(options.epsilon) {
  // beta < 1 keeps the bias corrections 1 - beta^t away from zero.
  CheckRange("beta_1", beta_1_, 0, std::nextafter(1.0, 0.0));
  CheckRange("beta_2", beta_2_, 0, std::nextafter(1.0, 0.0));
  CheckRange("epsilon", epsilon_, 0, INFINITY);
}

void Adam::update_step(const Tensor& grad, const Variable& var, const Tensor& lr, const Tensor& step) {
  const DType dtype = var.dtype();
  const Variable m = slot(var, "m");
  const Variable v = slot(var, "v");
  const Tensor beta_1 = Scalar(beta_1_, dtype), beta_2 = Scalar(beta_2_, dtype);
  const Tensor alpha = lr * sqrt(1.0 - pow(beta_2, step)) / (1.0 - pow(beta_1, step));
  const Tensor m_new = m.value() + (grad - m.value()) * (1.0 - beta_1);
  const Tensor v_new = v.value() + (square(grad) - v.value()) * (1.0 - beta_2);
  m.assign(m_new);
  v.assign(v_new);
  var.assign_sub(alpha * m_new / (sqrt(v_new) + Scalar(epsilon_, dtype)));
}

// ---- RMSprop ----

RMSprop::RMSprop(RMSpropOptions options)
    : Optimizer("RMSprop", options.learning_rate, options.clipnorm, options.clipvalue),
      rho_(options.rho),
      momentum_(options.momentum),
      epsilon_(options.epsilon) {
  CheckRange("rho", rho_, 0, 1);
  CheckRange("momentum", momentum_, 0, 1);
  CheckRange("epsilon", epsilon_, 0, INFINITY);
}

void RMSprop::update_step(const Tensor& grad, const Variable& var, const Tensor& lr, const Tensor&) {
  const DType dtype = var.dtype();
  const Tensor rho = Scalar(rho_, dtype);
  const Variable velocity = slot(var, "velocity");
  const Tensor velocity_new = rho * velocity.value() + (1.0 - rho) * square(grad);
  velocity.assign(velocity_new);
  const Tensor increment = lr * grad / sqrt(velocity_new + Scalar(epsilon_, dtype));
  if (momentum_ > 0) {
    const Variable mom = slot(var, "momentum");
    const Tensor mom_new = Scalar(momentum_, dtype) * mom.value() + increment;
    mom.assign(mom_new);
    var.assign_sub(mom_new);
  } else {
    var.assign_sub(increment);
  }
}

}  // namespace graphc::nn
