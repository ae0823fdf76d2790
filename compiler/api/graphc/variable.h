// graphc::Variable: a mutable tensor, like tf.Variable. Copies of a Variable
// refer to the same variable. Eagerly, assign* update its buffer at once;
// inside a traced function they become IR variable writes that update the
// same buffer in place when the function runs.
#pragma once

#include <memory>
#include <source_location>
#include <string>

#include "graphc/tensor.h"

namespace graphc {

struct VariableState;  // compiler/frontend/variable_state.h

class Variable {
 public:
  // `initial_value` must be eager: create variables outside traced functions
  // (or, inside one, within a graphc::init_scope).
  explicit Variable(const Tensor& initial_value, std::string name = "Variable",
                    bool trainable = true,
                    std::source_location loc = std::source_location::current());

  const std::string& name() const;
  bool trainable() const;
  DType dtype() const;
  const Shape& shape() const;

  // The current value: a snapshot eagerly, a `read_var` op when traced.
  Tensor value(std::source_location loc = std::source_location::current()) const;
  Tensor read_value(std::source_location loc = std::source_location::current()) const {
    return value(loc);
  }
  // NOLINT: use a Variable where a Tensor goes (no source location there).
  operator Tensor() const { return value(std::source_location{}); }

  void assign(const Tensor& v, std::source_location loc = std::source_location::current()) const;
  void assign_add(const Tensor& v, std::source_location loc = std::source_location::current()) const;
  void assign_sub(const Tensor& v, std::source_location loc = std::source_location::current()) const;

  std::string ToString() const;

  // Internal: the shared state, and a handle around existing state.
  const std::shared_ptr<VariableState>& state() const { return state_; }
  static Variable FromState(std::shared_ptr<VariableState> state);
  friend bool operator==(const Variable& a, const Variable& b) { return a.state_ == b.state_; }

 private:
  Variable() = default;
  void Write(std::string_view op, const Tensor& v, const std::source_location& loc) const;
  std::shared_ptr<VariableState> state_;
};

std::ostream& operator<<(std::ostream& os, const Variable& v);

}  // namespace graphc
