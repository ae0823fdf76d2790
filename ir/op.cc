#include "ir/op.h"

#include <algorithm>
#include <cassert>

#include "ir/module.h"
#include "ir/op_registry.h"

namespace graphc::ir {
namespace {

void AddUse(Value* v, Op* user, int index, std::vector<Use>& uses) {
  (void)v;
  uses.push_back(Use{user, index});
}

void DropUse(std::vector<Use>& uses, Op* user, int index) {
  auto it = std::find(uses.begin(), uses.end(), Use{user, index});
  assert(it != uses.end() && "use list out of sync");
  if (it != uses.end()) uses.erase(it);
}

}  // namespace

void Value::ReplaceAllUsesWith(Value* other) {
  if (other == this) return;
  // SetOperand edits uses_, so iterate over a copy.
  std::vector<Use> uses = uses_;
  for (const Use& use : uses) use.user->SetOperand(use.operand_index, other);
}

Op::Op(const OpDef& def, std::vector<Value*> operands,
       const std::vector<TensorType>& result_types, AttrMap attrs, Location loc)
    : def_(&def), attrs_(std::move(attrs)), loc_(std::move(loc)) {
  SetOperands(std::move(operands));
  for (size_t i = 0; i < result_types.size(); ++i) {
    results_.push_back(std::make_unique<Value>(result_types[i], this, static_cast<int>(i)));
  }
}

Op::~Op() {
  // Nested regions go first: their ops may use this op's operands.
  regions_.clear();
  for (size_t i = 0; i < operands_.size(); ++i) {
    if (operands_[i] != nullptr) DropUse(operands_[i]->uses_, this, static_cast<int>(i));
  }
}

std::string_view Op::name() const { return def_->name; }

void Op::SetOperand(int i, Value* v) {
  Value*& slot = operands_[static_cast<size_t>(i)];
  if (slot != nullptr) DropUse(slot->uses_, this, i);
  slot = v;
  if (v != nullptr) AddUse(v, this, i, v->uses_);
}

void Op::SetOperands(std::vector<Value*> operands) {
  for (size_t i = 0; i < operands_.size(); ++i) {
    if (operands_[i] != nullptr) DropUse(operands_[i]->uses_, this, static_cast<int>(i));
  }
  operands_ = std::move(operands);
  for (size_t i = 0; i < operands_.size(); ++i) {
    if (operands_[i] != nullptr) AddUse(operands_[i], this, static_cast<int>(i), operands_[i]->uses_);
  }
}

std::vector<Value*> Op::results() const {
  std::vector<Value*> out;
  out.reserve(results_.size());
  for (const auto& r : results_) out.push_back(r.get());
  return out;
}

Region& Op::AddRegion() {
  regions_.push_back(std::make_unique<Region>(this));
  return *regions_.back();
}

void Op::AdoptRegion(std::unique_ptr<Region> region) {
  region->owner_op_ = this;
  region->owner_function_ = nullptr;
  regions_.push_back(std::move(region));
}

Op* Op::parent_op() const { return parent_ == nullptr ? nullptr : parent_->owner_op(); }

Region::~Region() {
  // Destroy ops last-to-first so users die before the values they use.
  while (!ops_.empty()) ops_.pop_back();
}

Function* Region::function() const {
  const Region* r = this;
  while (r->owner_op_ != nullptr) {
    if (r->owner_op_->parent() == nullptr) return nullptr;
    r = r->owner_op_->parent();
  }
  return r->owner_function_;
}

std::vector<Value*> Region::arguments() const {
  std::vector<Value*> out;
  out.reserve(arguments_.size());
  for (const auto& a : arguments_) out.push_back(a.get());
  return out;
}

Value* Region::AddArgument(TensorType type, std::string name_hint) {
  arguments_.push_back(
      std::make_unique<Value>(std::move(type), this, static_cast<int>(arguments_.size())));
  arguments_.back()->set_name_hint(std::move(name_hint));
  return arguments_.back().get();
}

Op* Region::Insert(std::unique_ptr<Op> op, Op* before) {
  Op* raw = op.get();
  auto pos = before == nullptr ? ops_.end() : before->position_;
  raw->position_ = ops_.insert(pos, std::move(op));
  raw->parent_ = this;
  return raw;
}

std::unique_ptr<Op> Region::Remove(Op* op) {
  assert(op->parent_ == this);
  std::unique_ptr<Op> owned = std::move(*op->position_);
  ops_.erase(op->position_);
  op->parent_ = nullptr;
  return owned;
}

void Region::Erase(Op* op) {
  for (int i = 0; i < op->num_results(); ++i) {
    assert(!op->result(i)->has_uses() && "erasing an op whose results are used");
  }
  Remove(op);
}

}  // namespace graphc::ir
