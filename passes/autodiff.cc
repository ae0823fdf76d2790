#include "passes/autodiff.h"

#include <algorithm>

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
      if (std::find(req.stop_ops.begin(), req.stop_ops.end(), op.get()) != req.stop_ops.end()) continue;
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
    if (op.name() == "while") return BackpropWhile(op, result_grads);
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

  // The gradient of a while loop, by recomputation: a forward copy counts
  // the iterations n; then a reverse loop runs k = n-1 .. 0, each time
  // recomputing the loop state at the start of iteration k (a loop running
  // the body k times from the initial values) and applying the gradient of
  // one body step there. This needs no storage per iteration but costs
  // O(n^2) body evaluations (docs/gradients.md). Values the body captures
  // from outside get their gradients summed over the iterations.
  absl::Status BackpropWhile(const Op& op, const std::vector<Value*>& result_grads) {
    const int num_vars = op.num_operands();
    std::vector<int> float_vars;  // loop variables that carry gradients
    for (int i = 0; i < num_vars; ++i) {
      if (ir::IsFloat(op.operand(i)->dtype())) float_vars.push_back(i);
    }
    std::vector<Value*> captured;
    ValueSet seen;
    for (Value* v : InputsOf(op)) {
      bool is_operand = false;
      for (Value* o : op.operands()) is_operand |= o == v;
      if (is_operand || !ir::IsFloat(v->dtype()) || !reached_.contains(v) || !seen.insert(v).second) continue;
      captured.push_back(v);
    }
    const Region& fwd_cond = op.region(0);
    const Region& fwd_body = op.region(1);
    auto var_type = [&](int i) { return op.operand(i)->type(); };
    const ir::TensorType counter{ir::DType::kI32, ir::Shape{}};

    // 1. n: the forward loop again, with an iteration counter.
    absl::StatusOr<Value*> zero = b_.ScalarConstant(0, ir::DType::kI32);
    if (!zero.ok()) return zero.status();
    std::vector<Value*> count_init(op.operands().begin(), op.operands().end());
    count_init.push_back(*zero);
    std::vector<std::unique_ptr<Region>> count_regions;
    for (int r = 0; r < 2; ++r) {
      auto region = std::make_unique<Region>();
      Builder rb = RegionBuilder(region.get(), op);
      ir::ValueMap map;
      const Region& src = r == 0 ? fwd_cond : fwd_body;
      for (int i = 0; i < num_vars; ++i) map[src.argument(i)] = region->AddArgument(var_type(i));
      Value* i_arg = region->AddArgument(counter);
      absl::StatusOr<std::vector<Value*>> yielded = ir::CloneRegionBody(rb, src, map);
      if (!yielded.ok()) return yielded.status();
      if (r == 1) {
        absl::StatusOr<Value*> next = Increment(rb, i_arg, 1);
        if (!next.ok()) return next.status();
        yielded->push_back(*next);
      }
      if (absl::StatusOr<Op*> y = rb.Create("yield", *yielded); !y.ok()) return y.status();
      count_regions.push_back(std::move(region));
    }
    absl::StatusOr<Op*> count = b_.Create("while", count_init, {}, std::move(count_regions));
    if (!count.ok()) return count.status();
    absl::StatusOr<Value*> last = Increment(b_, (*count)->result(num_vars), -1);
    if (!last.ok()) return last.status();

    // 2. The reverse loop over (k, gradients of the float loop variables,
    // gradients of the captured values).
    std::vector<Value*> back_init = {*last};
    for (int i : float_vars) {
      Value* g = result_grads[static_cast<size_t>(i)];
      if (g == nullptr) {
        absl::StatusOr<Value*> z = b_.Emit("fill_like", {op.operand(i)}, {{"value", 0.0}});
        if (!z.ok()) return z.status();
        g = *z;
      }
      back_init.push_back(g);
    }
    for (Value* c : captured) {
      absl::StatusOr<Value*> z = b_.Emit("fill_like", {c}, {{"value", 0.0}});
      if (!z.ok()) return z.status();
      back_init.push_back(*z);
    }
    std::vector<std::unique_ptr<Region>> back_regions;
    {  // cond: k >= 0
      auto region = std::make_unique<Region>();
      Builder rb = RegionBuilder(region.get(), op);
      for (Value* v : back_init) region->AddArgument(v->type());
      absl::StatusOr<Value*> z = rb.ScalarConstant(0, ir::DType::kI32);
      if (!z.ok()) return z.status();
      absl::StatusOr<Value*> go = rb.Emit("ge", {region->argument(0), *z});
      if (!go.ok()) return go.status();
      if (absl::StatusOr<Op*> y = rb.Create("yield", {*go}); !y.ok()) return y.status();
      back_regions.push_back(std::move(region));
    }
    {  // body: recompute the state of iteration k, differentiate one step
      auto region = std::make_unique<Region>();
      Builder rb = RegionBuilder(region.get(), op);
      for (Value* v : back_init) region->AddArgument(v->type());
      Value* k = region->argument(0);
      absl::StatusOr<std::vector<Value*>> state = RunBodyTimes(rb, op, k);
      if (!state.ok()) return state.status();
      ir::ValueMap map;
      for (int i = 0; i < num_vars; ++i) map[fwd_body.argument(i)] = (*state)[static_cast<size_t>(i)];
      absl::StatusOr<std::vector<Value*>> yielded = ir::CloneRegionBody(rb, fwd_body, map);
      if (!yielded.ok()) return yielded.status();
      GradientRequest step;
      for (size_t j = 0; j < float_vars.size(); ++j) {
        step.targets.push_back((*yielded)[static_cast<size_t>(float_vars[j])]);
        step.seeds.push_back(region->argument(static_cast<int>(1 + j)));
      }
      for (int i : float_vars) step.sources.push_back({(*state)[static_cast<size_t>(i)]});
      for (Value* c : captured) step.sources.push_back({c});
      step.unconnected = UnconnectedGradients::kZero;
      // The state is an input of this step: do not differentiate the loop
      // that recomputed it (the outer reverse loop covers those iterations).
      step.stop_ops.push_back((*state)[0]->defining_op());
      absl::StatusOr<std::vector<Value*>> grads = EmitGradients(rb, step);
      if (!grads.ok()) return grads.status();
      absl::StatusOr<Value*> prev = Increment(rb, k, -1);
      if (!prev.ok()) return prev.status();
      std::vector<Value*> next = {*prev};
      for (size_t j = 0; j < float_vars.size(); ++j) next.push_back((*grads)[j]);
      for (size_t m = 0; m < captured.size(); ++m) {
        Value* acc = region->argument(static_cast<int>(1 + float_vars.size() + m));
        absl::StatusOr<Value*> sum = rb.Emit("add", {acc, (*grads)[float_vars.size() + m]});
        if (!sum.ok()) return sum.status();
        next.push_back(*sum);
      }
      if (absl::StatusOr<Op*> y = rb.Create("yield", next); !y.ok()) return y.status();
      back_regions.push_back(std::move(region));
    }
    absl::StatusOr<Op*> back = b_.Create("while", back_init, {}, std::move(back_regions));
    if (!back.ok()) return back.status();
    for (size_t j = 0; j < float_vars.size(); ++j) {
      Value* init = op.operand(float_vars[j]);
      if (absl::Status s = Accumulate(init, (*back)->result(static_cast<int>(1 + j))); !s.ok()) return s;
    }
    for (size_t m = 0; m < captured.size(); ++m) {
      Value* g = (*back)->result(static_cast<int>(1 + float_vars.size() + m));
      if (absl::Status s = Accumulate(captured[m], g); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  // The loop state after running `op`'s body `times` times from its initial
  // values (an i32 scalar count), built with `rb`.
  absl::StatusOr<std::vector<Value*>> RunBodyTimes(Builder& rb, const Op& op, Value* times) {
    const int num_vars = op.num_operands();
    const ir::TensorType counter{ir::DType::kI32, ir::Shape{}};
    absl::StatusOr<Value*> zero = rb.ScalarConstant(0, ir::DType::kI32);
    if (!zero.ok()) return zero.status();
    std::vector<Value*> init(op.operands().begin(), op.operands().end());
    init.push_back(*zero);
    std::vector<std::unique_ptr<Region>> regions;
    {  // cond: j < times
      auto region = std::make_unique<Region>();
      Builder cb = RegionBuilder(region.get(), op);
      for (Value* v : init) region->AddArgument(v->type());
      absl::StatusOr<Value*> go = cb.Emit("lt", {region->argument(num_vars), times});
      if (!go.ok()) return go.status();
      if (absl::StatusOr<Op*> y = cb.Create("yield", {*go}); !y.ok()) return y.status();
      regions.push_back(std::move(region));
    }
    {  // body: one forward step, j + 1
      auto region = std::make_unique<Region>();
      Builder bb = RegionBuilder(region.get(), op);
      ir::ValueMap map;
      for (int i = 0; i < num_vars; ++i) map[op.region(1).argument(i)] = region->AddArgument(op.operand(i)->type());
      Value* j = region->AddArgument(counter);
      absl::StatusOr<std::vector<Value*>> yielded = ir::CloneRegionBody(bb, op.region(1), map);
      if (!yielded.ok()) return yielded.status();
      absl::StatusOr<Value*> next = Increment(bb, j, 1);
      if (!next.ok()) return next.status();
      yielded->push_back(*next);
      if (absl::StatusOr<Op*> y = bb.Create("yield", *yielded); !y.ok()) return y.status();
      regions.push_back(std::move(region));
    }
    absl::StatusOr<Op*> loop = rb.Create("while", init, {}, std::move(regions));
    if (!loop.ok()) return loop.status();
    std::vector<Value*> state;
    for (int i = 0; i < num_vars; ++i) state.push_back((*loop)->result(i));
    return state;
  }

  Builder RegionBuilder(Region* region, const Op& op) {
    Builder rb(region);
    rb.set_module(b_.module());
    rb.set_loc(op.loc());
    return rb;
  }

  static absl::StatusOr<Value*> Increment(Builder& b, Value* i, int delta) {
    absl::StatusOr<Value*> d = b.ScalarConstant(delta, ir::DType::kI32);
    if (!d.ok()) return d.status();
    return b.Emit("add", {i, *d});
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
