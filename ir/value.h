// SSA values: op results and region (block) arguments, with use lists.
#pragma once

#include <string>
#include <vector>

#include "ir/type.h"

namespace graphc::ir {

class Op;
class Region;

// One use of a value: operand `operand_index` of `user`.
struct Use {
  Op* user;
  int operand_index;
  friend bool operator==(const Use&, const Use&) = default;
};

class Value {
 public:
  // An op result.
  Value(TensorType type, Op* defining_op, int index)
      : type_(std::move(type)), defining_op_(defining_op), index_(index) {}
  // A region argument.
  Value(TensorType type, Region* owner_region, int index)
      : type_(std::move(type)), owner_region_(owner_region), index_(index) {}
  Value(const Value&) = delete;
  Value& operator=(const Value&) = delete;

  const TensorType& type() const { return type_; }
  void set_type(TensorType type) { type_ = std::move(type); }
  DType dtype() const { return type_.dtype; }
  const Shape& shape() const { return type_.shape; }

  // The op producing this value, or null for a region argument.
  Op* defining_op() const { return defining_op_; }
  // The region whose argument this is, or null for an op result.
  Region* owner_region() const { return owner_region_; }
  bool is_argument() const { return owner_region_ != nullptr; }
  // Result index within the defining op, or argument index within the region.
  int index() const { return index_; }

  const std::vector<Use>& uses() const { return uses_; }
  bool has_uses() const { return !uses_.empty(); }
  // Points every use of this value at `other` instead.
  void ReplaceAllUsesWith(Value* other);

  // A readable name kept from the source (a parameter name, say); empty if none.
  const std::string& name_hint() const { return name_hint_; }
  void set_name_hint(std::string name) { name_hint_ = std::move(name); }

 private:
  friend class Op;  // maintains use lists
  TensorType type_;
  Op* defining_op_ = nullptr;
  Region* owner_region_ = nullptr;
  int index_ = 0;
  std::vector<Use> uses_;
  std::string name_hint_;
};

}  // namespace graphc::ir
