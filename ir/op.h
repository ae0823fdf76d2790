// Ops and regions. An op is flat and generic (name via its OpDef, operands,
// results, attributes, nested regions, source location); what an op means
// lives in the registry (ir/op_registry.h), not in a subclass.
#pragma once

#include <list>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "ir/attribute.h"
#include "ir/location.h"
#include "ir/value.h"

namespace graphc::ir {

struct OpDef;
class Function;

class Op {
 public:
  Op(const OpDef& def, std::vector<Value*> operands,
     const std::vector<TensorType>& result_types, AttrMap attrs, Location loc);
  ~Op();  // drops this op's uses of its operands
  Op(const Op&) = delete;
  Op& operator=(const Op&) = delete;

  const OpDef& def() const { return *def_; }
  std::string_view name() const;

  int num_operands() const { return static_cast<int>(operands_.size()); }
  Value* operand(int i) const { return operands_[static_cast<size_t>(i)]; }
  std::span<Value* const> operands() const { return operands_; }
  void SetOperand(int i, Value* v);
  // Replaces the whole operand list (used by passes that rewrite variadic ops).
  void SetOperands(std::vector<Value*> operands);

  int num_results() const { return static_cast<int>(results_.size()); }
  Value* result(int i = 0) const { return results_[static_cast<size_t>(i)].get(); }
  std::vector<Value*> results() const;

  const AttrMap& attrs() const { return attrs_; }
  AttrMap& mutable_attrs() { return attrs_; }
  bool has_attr(std::string_view name) const { return attrs_.find(name) != attrs_.end(); }
  // Typed access to an attribute the registry guarantees is present
  // (required, or filled with its default when the op was built).
  template <typename T>
  const T& attr(std::string_view name) const {
    return std::get<T>(attrs_.find(name)->second);
  }

  int num_regions() const { return static_cast<int>(regions_.size()); }
  Region& region(int i) const { return *regions_[static_cast<size_t>(i)]; }
  // Appends an empty region owned by this op and returns it.
  Region& AddRegion();
  // Appends a region built elsewhere (e.g. a cond branch built before the op).
  void AdoptRegion(std::unique_ptr<Region> region);

  const Location& loc() const { return loc_; }
  void set_loc(Location loc) { loc_ = std::move(loc); }

  // The region holding this op (null while detached).
  Region* parent() const { return parent_; }
  // The op owning the region holding this op, or null at function level.
  Op* parent_op() const;

 private:
  friend class Region;
  const OpDef* def_;
  std::vector<Value*> operands_;
  std::vector<std::unique_ptr<Value>> results_;
  AttrMap attrs_;
  std::vector<std::unique_ptr<Region>> regions_;
  Location loc_;
  Region* parent_ = nullptr;
  std::list<std::unique_ptr<Op>>::iterator position_;
};

// A single-block region: arguments and an ordered list of ops ending in a
// terminator (`return` in a function body, `yield` in a nested region).
// Function bodies, cond/while branches and fusion bodies are regions.
class Region {
 public:
  friend class Op;
  using OpList = std::list<std::unique_ptr<Op>>;

  // `owner` is the op whose region this is; null for a function body.
  explicit Region(Op* owner_op = nullptr, Function* owner_function = nullptr)
      : owner_op_(owner_op), owner_function_(owner_function) {}
  Region(const Region&) = delete;
  Region& operator=(const Region&) = delete;
  ~Region();

  Op* owner_op() const { return owner_op_; }
  Function* owner_function() const { return owner_function_; }
  // The function this region is (transitively) nested in.
  Function* function() const;

  int num_arguments() const { return static_cast<int>(arguments_.size()); }
  Value* argument(int i) const { return arguments_[static_cast<size_t>(i)].get(); }
  std::vector<Value*> arguments() const;
  Value* AddArgument(TensorType type, std::string name_hint = "");

  const OpList& ops() const { return ops_; }
  bool empty() const { return ops_.empty(); }
  // The last op, if any (the terminator in a well-formed region).
  Op* terminator() const { return ops_.empty() ? nullptr : ops_.back().get(); }

  // Inserts `op` before `before` (null: at the end) and returns it.
  Op* Insert(std::unique_ptr<Op> op, Op* before = nullptr);
  // Removes `op` from this region and returns ownership.
  std::unique_ptr<Op> Remove(Op* op);
  // Removes and destroys `op`; its results must have no uses left.
  void Erase(Op* op);

 private:
  Op* owner_op_;
  Function* owner_function_;
  std::vector<std::unique_ptr<Value>> arguments_;
  OpList ops_;
};

}  // namespace graphc::ir
