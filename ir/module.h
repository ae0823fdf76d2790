// Functions and modules. A module holds variable declarations (mutable state
// shared by its functions) and functions. A function's parameters are the
// arguments of its body region; its results are the operands of the `return`
// that ends the body.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ir/op.h"

namespace graphc::ir {

// A variable: a named tensor that outlives one call. Functions read it with
// `read_var @name` and write it with `assign`/`assign_add`/`assign_sub`; at
// run time the variable's buffer is updated in place.
struct VariableDecl {
  std::string name;
  TensorType type;
  bool trainable = true;
};

class Module;

class Function {
 public:
  Function(std::string name, Module* module)
      : name_(std::move(name)), module_(module), body_(nullptr, this) {}
  Function(const Function&) = delete;
  Function& operator=(const Function&) = delete;

  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }
  Module* module() const { return module_; }

  Region& body() { return body_; }
  const Region& body() const { return body_; }

  int num_params() const { return body_.num_arguments(); }
  Value* param(int i) const { return body_.argument(i); }
  Value* AddParam(TensorType type, std::string name_hint = "") {
    return body_.AddArgument(std::move(type), std::move(name_hint));
  }

  // Declared result types (the `-> (...)` of the signature).
  const std::vector<TensorType>& result_types() const { return result_types_; }
  void set_result_types(std::vector<TensorType> types) { result_types_ = std::move(types); }

  // The variables this function reads or writes, in first-use order: its
  // bindings to mutable state.
  std::vector<std::string> UsedVariables() const;

 private:
  std::string name_;
  Module* module_;
  Region body_;
  std::vector<TensorType> result_types_;
};

class Module {
 public:
  Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  const std::vector<std::unique_ptr<Function>>& functions() const { return functions_; }
  Function* AddFunction(std::string name);
  Function* FindFunction(std::string_view name) const;
  // Removes and destroys a function (no call may still refer to it).
  void EraseFunction(Function* f);

  const std::vector<VariableDecl>& variables() const { return variables_; }
  void AddVariable(VariableDecl var) { variables_.push_back(std::move(var)); }
  const VariableDecl* FindVariable(std::string_view name) const;

 private:
  std::vector<std::unique_ptr<Function>> functions_;
  std::vector<VariableDecl> variables_;
};

// A valid IR symbol (`[A-Za-z0-9_.]+`, docs/ir.md) made from any name:
// other characters become '_', and an empty name becomes "_".
std::string ToSymbolName(std::string_view name);

// Calls `fn(op)` for every op in `region` and, recursively, in nested
// regions, in program order (an op before the ops nested in it).
template <typename Fn>
void WalkOps(const Region& region, Fn&& fn) {
  for (const auto& op : region.ops()) {
    fn(op.get());
    for (int i = 0; i < op->num_regions(); ++i) WalkOps(op->region(i), fn);
  }
}

}  // namespace graphc::ir
