// graphc::nn::Module and Layer: the base classes of everything that owns
// variables, like tf.Module / keras.Layer and torch.nn.Module.
//
// A module registers its own variables and its child modules under names it
// chooses; variables() and trainable_variables() collect them recursively,
// and named_variables() gives each one a stable hierarchical path built from
// those names ("layers.0.kernel"), like the keys of PyTorch's state_dict.
// Two modules built the same way get the same paths, so the weights saved
// from one load into the other (save_weights / load_weights, safetensors
// files through nn/checkpoint.h).
//
// Order: a module's own variables in registration order, then each child's
// (recursively) in registration order. A variable or child reachable twice
// (a shared layer) is listed once, under its first path, as PyTorch does.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "graphc/graphc.h"

namespace graphc::nn {

class Module {
 public:
  Module() = default;
  virtual ~Module() = default;
  // A copy would share the variables (Variable is a handle), which is never
  // what a copied layer should mean; hold modules by shared_ptr instead.
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;
  Module(Module&&) = default;
  Module& operator=(Module&&) = default;

  // Every variable of this module and its children.
  std::vector<Variable> variables() const;
  // The trainable ones: what GradientTape::gradient and an optimizer take.
  std::vector<Variable> trainable_variables() const;
  // Each variable with its dotted path, e.g. {"layers.0.kernel", kernel}.
  std::vector<std::pair<std::string, Variable>> named_variables() const;
  // The direct children, with the names they were registered under.
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& children() const { return children_; }

  // Writes named_variables() to a safetensors file. Throws graphc::Error.
  void save_weights(const std::string& path) const;
  // Reads every variable of named_variables() from a safetensors file
  // written by a module built the same way. A lazily built layer has no
  // variables until its first call (or build()): build the model first.
  void load_weights(const std::string& path) const;

 protected:
  // Names: non-empty, of letters, digits, '_' and '.' (a '.' separates path
  // parts, so "layers.0" is fine but "a..b" or ".a" is not); unique among
  // this module's variables and children. Errors are graphc::Error.
  Variable register_variable(const std::string& name, Variable variable);
  template <typename M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    AddChild(name, module);
    return module;
  }

 private:
  void AddChild(const std::string& name, std::shared_ptr<Module> module);
  void CheckNewName(const std::string& name) const;
  void CollectInto(const std::string& prefix, std::set<const void*>& seen_variables,
                   std::set<const Module*>& seen_modules,
                   std::vector<std::pair<std::string, Variable>>& out) const;

  std::vector<std::pair<std::string, Variable>> own_variables_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
};

// A module called on one tensor: layer(x), as in Keras. Subclasses
// implement call().
class Layer : public Module {
 public:
  Tensor operator()(const Tensor& x) { return call(x); }

 protected:
  virtual Tensor call(const Tensor& x) = 0;
};

}  // namespace graphc::nn
