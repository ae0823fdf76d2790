// Layers, as keras.layers: Dense, the activation layers (ReLU, Sigmoid,
// Tanh, Softmax), Sequential, and an MLP helper.
//
// Dense builds lazily like a Keras layer: its kernel and bias are created on
// the first call, sized from the input's last dim (or by an explicit
// build(input_shape)). They are created inside graphc::init_scope, so that
// first call may be inside a graphc::function trace; later eager or traced
// calls use the same variables.
//
// Variable paths (Module::named_variables): a Dense layer holds "kernel"
// ([in, units]) and "bias" ([units]); a Sequential names its layers
// "layers.0", "layers.1", ..., so an MLP's paths are "layers.0.kernel",
// "layers.0.bias", ...
#pragma once

#include <concepts>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "graphc/graphc.h"
#include "nn/initializers.h"
#include "nn/module.h"

namespace graphc::nn {

// An elementwise (or last-axis) function applied to a layer's output, like
// Keras's activation="relu". Empty means linear (none).
using Activation = std::function<Tensor(const Tensor&)>;

// Named activations to pass as an Activation: Dense(64, activations::relu).
namespace activations {
Tensor linear(const Tensor& x);
Tensor relu(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor softmax(const Tensor& x);  // over the last axis
}  // namespace activations

// y = activation(x @ kernel + bias) over the last dim of x (rank >= 2:
// leading dims are batch dims).
class Dense : public Layer {
 public:
  explicit Dense(int64_t units, Activation activation = nullptr, bool use_bias = true,
                 Initializer kernel_initializer = GlorotUniform(), Initializer bias_initializer = Zeros());

  // Creates the variables for inputs of `input_shape` (its last dim must be
  // known) and `dtype` (float32 or float64). Called by the first call; a
  // second build with the same last dim does nothing, another is an error.
  void build(const Shape& input_shape, DType dtype = float32);
  bool built() const { return kernel_.has_value(); }

  int64_t units() const { return units_; }
  // Throw graphc::Error before the layer is built (and bias() without bias).
  const Variable& kernel() const;
  const Variable& bias() const;

 protected:
  Tensor call(const Tensor& x) override;

 private:
  int64_t units_;
  Activation activation_;
  bool use_bias_;
  Initializer kernel_initializer_, bias_initializer_;
  std::optional<Variable> kernel_, bias_;
};

// Activation layers: no variables.
class ReLU : public Layer {
 protected:
  Tensor call(const Tensor& x) override;
};

class Sigmoid : public Layer {
 protected:
  Tensor call(const Tensor& x) override;
};

class Tanh : public Layer {
 protected:
  Tensor call(const Tensor& x) override;
};

class Softmax : public Layer {
 public:
  explicit Softmax(int64_t axis = -1) : axis_(axis) {}

 protected:
  Tensor call(const Tensor& x) override;

 private:
  int64_t axis_;
};

// Layers called one after another, as keras.Sequential.
class Sequential : public Layer {
 public:
  Sequential() = default;
  explicit Sequential(std::vector<std::shared_ptr<Layer>> layers);

  // Appends a layer, registered as "layers.<index>".
  Sequential& add(std::shared_ptr<Layer> layer);
  // Appends a layer given by value: model.add(Dense(10)).
  template <std::derived_from<Layer> L>
  Sequential& add(L layer) {
    return add(std::make_shared<L>(std::move(layer)));
  }

  const std::vector<std::shared_ptr<Layer>>& layers() const { return layers_; }

  // Creates every layer's variables for inputs of `input_shape` (`?` dims
  // allowed), as keras.Model.build: runs the model once, eagerly, on zeros
  // with each `?` dim taken as 1. Use it before load_weights on a fresh
  // model.
  void build(const Shape& input_shape, DType dtype = float32);

 protected:
  Tensor call(const Tensor& x) override;

 private:
  std::vector<std::shared_ptr<Layer>> layers_;
};

// A multi-layer perceptron: Dense(h, activation) for each h in
// hidden_units, then a linear Dense(targets) output layer (logits for a
// classifier, values for a regression).
class MLP : public Sequential {
 public:
  MLP(const std::vector<int64_t>& hidden_units, int64_t targets, Activation activation = activations::relu);
};

}  // namespace graphc::nn
