#include "passes/autodiff.h"

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "ir/clone.h"
#include "ir/printer.h"
#include "ir/str_cat.h"

namespace graphc::passes {
namespace {

using ir::Builder;
using ir::Op;
using ir::Region;
using ir::Value;

using ValueSet = absl::flat_hash_set<const Value*>;

// Values that `op` reads: its operands and any value from outside its
// regions that ops inside them use (regions may capture).
void CollectInputs(const Op& op, std::vector<Value*>& out) {
  for (Value* v : op.operands()) out.push_back(v);
  for (int r = 0; r < op.num_regions(); ++r) {
    const Region& region = op.region(r);
    ir::WalkOps(region, [&](const Op* inner) {
      for (Value* v : inner->operands()) {
        // A value defined inside `op` is not an input of it.
        const Region* def_region = v->is_argument() ? v->owner_region() : v->defining_op()->parent();
        bool inside = false;
        for (const Region* p = def_region; p != nullptr;) {
          if (p->owner_op() == &op) {
            inside = true;
            break;
          }
          const Op* owner = p->owner_op();
          p = owner == nullptr ? nullptr : owner->parent();
        }
        if (!inside) out.push_back(v);
      }
    });
  }
}

std::vector<Value*> InputsOf(const Op& op) {
  std::vector<Value*> inputs;
  CollectInputs(op, inputs);
  return inputs;
}

class Differentiator {
 public:
  explicit Differentiator(Builder& b) : b_(b) {}

  absl::StatusOr<std::vector<Value*>> Run(const GradientRequest& req) {
    Region* region = b_.region();
    for (Value* t : req.targets) {
      if (!ir::IsFloat(t->dtype())) {
        return absl::InvalidArgumentError(StrCat("cannot differentiate a ", t->type().ToString(),
                                                 " value: gradients need a floating-point target"));
      }
    }
    ValueSet source_values;
    for (const auto& group : req.sources) {
      for (Value* v : group) {
        if (!ir::IsFloat(v->dtype())) {
          return absl::InvalidArgumentError(StrCat("the gradient with respect to a ", v->type().ToString(),
                                                   " value is not defined (only floating-point sources)"));
        }
        source_values.insert(v);
      }
    }
    // Ops of `region` on a path from a source to a target, in program order.
    ValueSet reached = source_values;
    std::vector<const Op*> forward;
    for (const auto& op : region->ops()) {
      for (Value* v : InputsOf(*op)) {
        if (reached.contains(v)) {
          forward.push_back(op.get());
          for (int i = 0; i < op->num_results(); ++i) reached.insert(op->result(i));
          break;
        }
      }
    }
    ValueSet needed(req.targets.begin(), req.targets.end());
    std::vector<const Op*> relevant;
    for (auto it = forward.rbegin(); it != forward.rend(); ++it) {
      const Op* op = *it;
      bool is_needed = false;
      for (int i = 0; i < op->num_results(); ++i) is_needed |= needed.contains(op->result(i));
      if (!is_needed) continue;
      relevant.push_back(op);  // reverse program order
      for (Value* v : InputsOf(*op)) needed.insert(v);
    }
    reached_ = std::move(reached);
    targets_.insert(req.targets.begin(), req.targets.end());

    for (size_t i = 0; i < req.targets.size(); ++i) {
      Value* seed = i < req.seeds.size() ? req.seeds[i] : nullptr;
      if (seed == nullptr) {
        absl::StatusOr<Value*> ones = b_.Emit("fill_like", {req.targets[i]}, {{"value", 1.0}});
        if (!ones.ok()) return ones.status();
        seed = *ones;
      }
      if (absl::Status s = Accumulate(req.targets[i], seed); !s.ok()) return s;
    }
    for (const Op* op : relevant) {
      if (absl::Status s = Backprop(*op); !s.ok()) return s;
    }

    std::vector<Value*> grads;
    for (const auto& group : req.sources) {
      Value* sum = nullptr;
      for (Value* v : group) {
        auto it = grad_.find(v);
        if (it == grad_.end()) continue;
        if (sum == nullptr) {
          sum = it->second;
        } else {
          absl::StatusOr<Value*> s = b_.Emit("add", {sum, it->second});
          if (!s.ok()) return s.status();
          sum = *s;
        }
      }
      if (sum == nullptr && req.unconnected == UnconnectedGradients::kZero && !group.empty()) {
        absl::StatusOr<Value*> zero = b_.Emit("fill_like", {group[0]}, {{"value", 0.0}});
        if (!zero.ok()) return zero.status();
        sum = *zero;
      }
      grads.push_back(sum);
    }
    return grads;
  }

 private:
  absl::Status Accumulate(Value* v, Value* g) {
    // Only values a source reaches can pass a gradient on to a source.
    if (g == nullptr || (!reached_.contains(v) && !targets_.contains(v))) return absl::OkStatus();
    if (g->type() != v->type() && !ir::IsCompatible(v->type(), g->type())) {
      return absl::InternalError(StrCat("gradient of type ", g->type().ToString(), " for a value of type ",
                                        v->type().ToString()));
    }
    auto [it, inserted] = grad_.try_emplace(v, g);
    if (inserted) return absl::OkStatus();
    absl::StatusOr<Value*> sum = b_.Emit("add", {it->second, g});
    if (!sum.ok()) return sum.status();
    it->second = *sum;
    return absl::OkStatus();
  }

  absl::Status Backprop(const Op& op) {
    std::vector<Value*> result_grads;
    bool any = false;
    for (int i = 0; i < op.num_results(); ++i) {
      auto it = grad_.find(op.result(i));
      result_grads.push_back(it == grad_.end() ? nullptr : it->second);
      any |= result_grads.back() != nullptr;
    }
    if (!any) return absl::OkStatus();
    const Location loc = op.loc();
    b_.set_loc(loc);
    if (op.name() == "cond") return BackpropCond(op, result_grads);
    if (op.name() == "while") {
      return absl::UnimplementedError("gradients through while loops are not supported yet");
    }
    if (op.name() == "call") {
      return absl::UnimplementedError("gradients through call: inline the callee first");
    }
    const ir::OpDef& def = op.def();
    if (def.vjp == nullptr) {
      if (def.not_differentiable) return absl::OkStatus();
      return absl::UnimplementedError(StrCat("op '", op.name(), "' has no gradient rule"));
    }
    absl::StatusOr<std::vector<Value*>> grads = def.vjp(b_, op, result_grads);
    if (!grads.ok()) {
      return absl::Status(grads.status().code(),
                          StrCat("gradient of ", op.name(), ": ", ToStd(grads.status().message())));
    }
    for (int i = 0; i < op.num_operands() && i < static_cast<int>(grads->size()); ++i) {
      if (absl::Status s = Accumulate(op.operand(i), (*grads)[static_cast<size_t>(i)]); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  // The gradient of a cond is a cond on the same predicate: each branch
  // re-runs its forward ops and differentiates them, yielding gradients for
  // every floating-point input the cond reads (its operands and the values
  // its branches capture); a branch that does not use an input yields zeros.
  absl::Status BackpropCond(const Op& op, const std::vector<Value*>& result_grads) {
    std::vector<Value*> inputs;
    ValueSet seen;
    for (Value* v : InputsOf(op)) {
      if (v == op.operand(0) || !ir::IsFloat(v->dtype()) || !reached_.contains(v) || !seen.insert(v).second) {
        continue;
      }
      inputs.push_back(v);
    }
    if (inputs.empty()) return absl::OkStatus();
    std::vector<Value*> seeds;
    for (int i = 0; i < op.num_results(); ++i) {
      Value* g = result_grads[static_cast<size_t>(i)];
      if (g == nullptr) {
        absl::StatusOr<Value*> zero = b_.Emit("fill_like", {op.result(i)}, {{"value", 0.0}});
        if (!zero.ok()) return zero.status();
        g = *zero;
      }
      seeds.push_back(g);
    }
    std::vector<std::unique_ptr<Region>> regions;
    for (int r = 0; r < 2; ++r) {
      const Region& branch = op.region(r);
      auto region = std::make_unique<Region>();
      Builder rb(region.get());
      rb.set_module(b_.module());
      rb.set_loc(op.loc());
      // Branch arguments are the cond's operands 1..n: the copy uses them directly.
      ir::ValueMap map;
      for (int i = 0; i < branch.num_arguments(); ++i) map[branch.argument(i)] = op.operand(i + 1);
      absl::StatusOr<std::vector<Value*>> yielded = ir::CloneRegionBody(rb, branch, map);
      if (!yielded.ok()) return yielded.status();
      GradientRequest inner;
      for (size_t i = 0; i < yielded->size(); ++i) {
        if (!ir::IsFloat((*yielded)[i]->dtype())) continue;
        inner.targets.push_back((*yielded)[i]);
        inner.seeds.push_back(seeds[i]);
      }
      for (Value* v : inputs) inner.sources.push_back({v});
      inner.unconnected = UnconnectedGradients::kZero;
      absl::StatusOr<std::vector<Value*>> grads = EmitGradients(rb, inner);
      if (!grads.ok()) return grads.status();
      if (absl::StatusOr<Op*> y = rb.Create("yield", *grads); !y.ok()) return y.status();
      regions.push_back(std::move(region));
    }
    absl::StatusOr<Op*> back = b_.Create("cond", {op.operand(0)}, {}, std::move(regions));
    if (!back.ok()) return back.status();
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (absl::Status s = Accumulate(inputs[i], (*back)->result(static_cast<int>(i))); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  using Location = ir::Location;
  Builder& b_;
  ValueSet reached_;
  ValueSet targets_;
  absl::flat_hash_map<const Value*, Value*> grad_;
};

}  // namespace

absl::StatusOr<std::vector<ir::Value*>> EmitGradients(ir::Builder& b, const GradientRequest& request) {
  if (b.region() == nullptr) return absl::FailedPreconditionError("EmitGradients: the builder has no region");
  Differentiator d(b);
  return d.Run(request);
}

}  // namespace graphc::passes
