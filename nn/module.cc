#include "nn/module.h"

#include <set>

#include "nn/checkpoint.h"

namespace graphc::nn {
namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Non-empty parts of [A-Za-z0-9_], separated by single dots.
bool IsValidName(const std::string& name) {
  if (name.empty() || name.front() == '.' || name.back() == '.') return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '.') {
      if (name[i + 1] == '.') return false;
    } else if (!IsNameChar(name[i])) {
      return false;
    }
  }
  return true;
}

}  // namespace

Variable Module::register_variable(const std::string& name, Variable variable) {
  CheckNewName(name);
  for (const auto& [other_name, other] : own_variables_) {
    if (other == variable) {
      throw Error(absl::InvalidArgumentError("register_variable: this variable is already registered as '" +
                                             other_name + "', cannot register it again as '" + name + "'"));
    }
  }
  own_variables_.emplace_back(name, variable);
  return variable;
}

void Module::AddChild(const std::string& name, std::shared_ptr<Module> module) {
  if (module == nullptr) {
    throw Error(absl::InvalidArgumentError("register_module: module '" + name + "' is null"));
  }
  if (module.get() == this) {
    throw Error(absl::InvalidArgumentError("register_module: a module cannot be its own child ('" + name + "')"));
  }
  CheckNewName(name);
  children_.emplace_back(name, std::move(module));
}

void Module::CheckNewName(const std::string& name) const {
  if (!IsValidName(name)) {
    throw Error(absl::InvalidArgumentError(
        "invalid variable or module name '" + name +
        "': use letters, digits and '_', with '.' only between non-empty parts"));
  }
  for (const auto& entry : own_variables_) {
    if (entry.first == name) {
      throw Error(absl::AlreadyExistsError("the name '" + name + "' is already used by a variable"));
    }
  }
  for (const auto& entry : children_) {
    if (entry.first == name) {
      throw Error(absl::AlreadyExistsError("the name '" + name + "' is already used by a child module"));
    }
  }
}

// Depth-first: own variables, then children. The `seen` sets make a shared
// variable or module appear once (its first path wins) and stop cycles.
void Module::CollectInto(const std::string& prefix, std::set<const void*>& seen_variables,
                         std::set<const Module*>& seen_modules,
                         std::vector<std::pair<std::string, Variable>>& out) const {
  for (const auto& [name, variable] : own_variables_) {
    if (seen_variables.insert(variable.state().get()).second) out.emplace_back(prefix + name, variable);
  }
  for (const auto& [name, child] : children_) {
    if (seen_modules.insert(child.get()).second) {
      child->CollectInto(prefix + name + ".", seen_variables, seen_modules, out);
    }
  }
}

std::vector<std::pair<std::string, Variable>> Module::named_variables() const {
  std::vector<std::pair<std::string, Variable>> out;
  std::set<const void*> seen_variables;
  std::set<const Module*> seen_modules{this};
  CollectInto("", seen_variables, seen_modules, out);
  return out;
}

std::vector<Variable> Module::variables() const {
  std::vector<Variable> out;
  for (auto& entry : named_variables()) out.push_back(std::move(entry.second));
  return out;
}

std::vector<Variable> Module::trainable_variables() const {
  std::vector<Variable> out;
  for (auto& entry : named_variables()) {
    if (entry.second.trainable()) out.push_back(std::move(entry.second));
  }
  return out;
}

void Module::save_weights(const std::string& path) const { save_variables(path, named_variables()); }

void Module::load_weights(const std::string& path) const {
  const auto variables = named_variables();
  if (variables.empty()) {
    throw Error(absl::FailedPreconditionError(
        "load_weights('" + path +
        "'): this module has no variables yet; layers create theirs on the first call, so call the "
        "model once (or build() it) before loading weights"));
  }
  load_variables(path, variables);
}

}  // namespace graphc::nn
