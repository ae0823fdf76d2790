#include "nn/layers.h"

#include <string>

namespace graphc::nn {

namespace activations {
Tensor linear(const Tensor& x) { return x; }
Tensor relu(const Tensor& x) { return graphc::relu(x); }
Tensor sigmoid(const Tensor& x) { return graphc::sigmoid(x); }
Tensor tanh(const Tensor& x) { return graphc::tanh(x); }
Tensor softmax(const Tensor& x) { return graphc::softmax(x, -1); }
}  // namespace activations

// ---- Dense ----

Dense::Dense(int64_t units, Activation activation, bool use_bias, Initializer kernel_initializer,
             Initializer bias_initializer)
    : units_(units),
      activation_(std::move(activation)),
      use_bias_(use_bias),
      kernel_initializer_(std::move(kernel_initializer)),
      bias_initializer_(std::move(bias_initializer)) {
  if (units <= 0) {
    throw Error(absl::InvalidArgumentError("Dense: units must be positive, got " + std::to_string(units)));
  }
  if (!kernel_initializer_ || (use_bias_ && !bias_initializer_)) {
    throw Error(absl::InvalidArgumentError("Dense: an initializer is empty"));
  }
}

void Dense::build(const Shape& input_shape, DType dtype) {
  if (input_shape.rank() < 2) {
    throw Error(absl::InvalidArgumentError("Dense: input must have rank >= 2 ([batch, ..., features]), got shape " +
                                           input_shape.ToString()));
  }
  const int64_t in = input_shape.dim(input_shape.rank() - 1);
  if (in == kDynamic) {
    throw Error(absl::InvalidArgumentError(
        "Dense: the last dim of the input must be known to build the layer, got shape " + input_shape.ToString()));
  }
  if (dtype != float32 && dtype != float64) {
    throw Error(absl::InvalidArgumentError("Dense: input must be float32 or float64 (cast other features first), got " +
                                           std::string(ir::DTypeName(dtype))));
  }
  if (built()) {
    const int64_t built_in = kernel_->shape().dim(0);
    if (in != built_in) {
      throw Error(absl::InvalidArgumentError("Dense: the layer was built for inputs with last dim " +
                                             std::to_string(built_in) + ", got shape " + input_shape.ToString()));
    }
    return;
  }
  // Eager even when the first call is being traced: a variable's initial
  // value must be a real tensor (tf.init_scope in Keras's build()).
  init_scope eager;
  kernel_ = register_variable("kernel", Variable(kernel_initializer_(Shape{in, units_}, dtype), "kernel"));
  if (use_bias_) bias_ = register_variable("bias", Variable(bias_initializer_(Shape{units_}, dtype), "bias"));
}

const Variable& Dense::kernel() const {
  if (!kernel_) throw Error(absl::FailedPreconditionError("Dense: kernel() before the layer is built"));
  return *kernel_;
}

const Variable& Dense::bias() const {
  if (!use_bias_) throw Error(absl::FailedPreconditionError("Dense: bias() on a layer with use_bias = false"));
  if (!bias_) throw Error(absl::FailedPreconditionError("Dense: bias() before the layer is built"));
  return *bias_;
}

Tensor Dense::call(const Tensor& x) {
  // build() checks the input against the variables on every call, so a
  // wrong feature count is reported as such rather than as a matmul error.
  build(x.shape(), x.dtype());
  Tensor y = matmul(x, *kernel_);
  if (bias_) y = y + *bias_;
  return activation_ ? activation_(y) : y;
}

// ---- activation layers ----

Tensor ReLU::call(const Tensor& x) { return relu(x); }
Tensor Sigmoid::call(const Tensor& x) { return sigmoid(x); }
Tensor Tanh::call(const Tensor& x) { return tanh(x); }
Tensor Softmax::call(const Tensor& x) { return softmax(x, axis_); }

// ---- Sequential ----

Sequential::Sequential(std::vector<std::shared_ptr<Layer>> layers) {
  for (auto& layer : layers) add(std::move(layer));
}

Sequential& Sequential::add(std::shared_ptr<Layer> layer) {
  if (layer == nullptr) throw Error(absl::InvalidArgumentError("Sequential::add: the layer is null"));
  register_module("layers." + std::to_string(layers_.size()), layer);
  layers_.push_back(std::move(layer));
  return *this;
}

Tensor Sequential::call(const Tensor& x) {
  if (layers_.empty()) throw Error(absl::FailedPreconditionError("Sequential: called with no layers; add() some"));
  Tensor y = x;
  for (const auto& layer : layers_) y = (*layer)(y);
  return y;
}

void Sequential::build(const Shape& input_shape, DType dtype) {
  std::vector<int64_t> dims(input_shape.dims().begin(), input_shape.dims().end());
  for (int64_t& d : dims) d = d == kDynamic ? 1 : d;
  init_scope eager;  // variables need eager initial values, also mid-trace
  call(zeros(Shape(dims), dtype));
}

// ---- MLP ----

MLP::MLP(const std::vector<int64_t>& hidden_units, int64_t targets, Activation activation) {
  for (int64_t units : hidden_units) add(Dense(units, activation));
  add(Dense(targets));
}

}  // namespace graphc::nn
