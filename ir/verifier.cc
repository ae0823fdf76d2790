// The verifier walks each function once, in program order, keeping a stack
// of scopes (the values visible at the current point, one scope per region
// being walked). That single walk checks dominance, use lists, terminators,
// inferred types and per-op hooks; errors name the function, the op and the
// rule that was broken.
#include "ir/verifier.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "ir/builder.h"
#include "ir/op_registry.h"
#include "ir/printer.h"
#include "ir/str_cat.h"

namespace graphc::ir {
namespace {

std::string Ordinal(int i) { return StrCat("#", i); }
// "1 result", "2 results".
std::string Count(size_t n, std::string_view noun) {
  return StrCat(n, " ", noun, n == 1 ? "" : "s");
}

// The function a value belongs to, or null for a value of a detached op or
// region.
const Function* FunctionOf(const Value& v) {
  if (v.is_argument()) return v.owner_region()->function();
  const Region* parent = v.defining_op()->parent();
  return parent == nullptr ? nullptr : parent->function();
}

// The region in which a value is defined (for an argument, the region whose
// argument it is), or null for a result of a detached op.
const Region* DefiningRegion(const Value& v) {
  return v.is_argument() ? v.owner_region() : v.defining_op()->parent();
}

class FunctionVerifier {
 public:
  explicit FunctionVerifier(const Function& f) : f_(f) {}

  absl::Status Run() {
    WalkOps(f_.body(), [&](const Op* op) { ops_.insert(op); });
    return VerifyRegion(f_.body(), /*isolated=*/true, /*owner=*/nullptr, 0);
  }

 private:
  // What a lookup of an operand in the scope stack found.
  enum class Visibility { kVisible, kBehindIsolation, kNotInScope };

  struct Scope {
    const Region* region;
    bool isolated;  // values of enclosing scopes are not visible from here
    absl::flat_hash_set<const Value*> values;
  };

  // "function @f: '%0 = add %x, %y : f32[2]': RULE".
  absl::Status OpError(const Op& op, std::string_view rule) const {
    return absl::InvalidArgumentError(
        StrCat("function @", f_.name(), ": ", Describe(op), ": ", rule));
  }
  absl::Status RegionError(const Op* owner, int index, std::string_view rule) const {
    if (owner == nullptr) {
      return absl::InvalidArgumentError(StrCat("function @", f_.name(), ": body ", rule));
    }
    return absl::InvalidArgumentError(StrCat("function @", f_.name(), ": ", Describe(*owner),
                                             ": region ", Ordinal(index), " ", rule));
  }

  // The op's printed line, quoted. An op with regions prints on several
  // lines: keep the first, and name the location that the cut dropped.
  static std::string Describe(const Op& op) {
    const std::string text = PrintOp(op);
    const size_t newline = text.find('\n');
    if (newline == std::string::npos) return StrCat("'", text, "'");
    std::string first = StrCat("'", std::string_view(text).substr(0, newline), " ...'");
    if (op.loc().known()) first += StrCat(" at ", op.loc().ToString());
    return first;
  }

  Visibility Lookup(const Value* v) const {
    for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
      if (it->values.contains(v)) {
        return Crossed(it) ? Visibility::kBehindIsolation : Visibility::kVisible;
      }
    }
    return Visibility::kNotInScope;
  }
  // True if an isolated scope lies strictly inside `found` on the stack.
  bool Crossed(std::vector<Scope>::const_reverse_iterator found) const {
    for (auto it = scopes_.rbegin(); it != found; ++it) {
      if (it->isolated) return true;
    }
    return false;
  }
  bool EnclosesCurrentPoint(const Region* r) const {
    return std::any_of(scopes_.begin(), scopes_.end(),
                       [&](const Scope& s) { return s.region == r; });
  }

  absl::Status VerifyRegion(const Region& region, bool isolated, const Op* owner, int index) {
    const bool is_body = owner == nullptr;
    const std::string_view terminator = is_body ? "return" : "yield";
    if (region.empty()) {
      return RegionError(owner, index, StrCat("is empty; it must end with '", terminator, "'"));
    }
    scopes_.push_back(Scope{&region, isolated, {}});
    for (Value* arg : region.arguments()) scopes_.back().values.insert(arg);
    for (const auto& op : region.ops()) {
      const bool last = op.get() == region.terminator();
      if (op->def().is_terminator && !last) {
        return OpError(*op, "a terminator must be the last op of its region");
      }
      if (last && !op->def().is_terminator) {
        return RegionError(owner, index,
                           StrCat("does not end with a terminator (its last op is '", op->name(),
                                  "'; it must end with '", terminator, "')"));
      }
      if (last && op->name() != terminator) {
        return OpError(*op, StrCat(is_body ? "a function body" : "a nested region",
                                   " must end with '", terminator, "'"));
      }
      if (absl::Status s = VerifyOp(*op); !s.ok()) return s;
    }
    if (is_body) {
      if (absl::Status s = VerifyReturn(*region.terminator()); !s.ok()) return s;
    }
    // Checked after the ops, so that a bad operand is reported at its user.
    for (int i = 0; i < region.num_arguments(); ++i) {
      absl::Status s =
          CheckUsesOf(*region.argument(i), StrCat("argument ", Ordinal(i)),
                      [&](std::string_view rule) { return RegionError(owner, index, rule); });
      if (!s.ok()) return s;
    }
    scopes_.pop_back();
    return absl::OkStatus();
  }

  absl::Status VerifyOp(const Op& op) {
    for (int i = 0; i < op.num_operands(); ++i) {
      if (absl::Status s = VerifyOperand(op, i); !s.ok()) return s;
    }
    for (int i = 0; i < op.num_regions(); ++i) {
      absl::Status s = VerifyRegion(op.region(i), op.def().isolated_regions, &op, i);
      if (!s.ok()) return s;
    }
    for (int i = 0; i < op.num_results(); ++i) {
      absl::Status s = CheckUsesOf(*op.result(i), StrCat("result ", Ordinal(i)),
                                   [&](std::string_view rule) { return OpError(op, rule); });
      if (!s.ok()) return s;
    }
    if (absl::Status s = VerifyTypes(op); !s.ok()) return s;
    if (op.def().verify != nullptr) {
      if (absl::Status s = op.def().verify(op); !s.ok()) {
        return OpError(op, ToStd(s.message()));
      }
    }
    // Results become visible only after the op (its regions cannot use them).
    for (int i = 0; i < op.num_results(); ++i) scopes_.back().values.insert(op.result(i));
    return absl::OkStatus();
  }

  absl::Status VerifyOperand(const Op& op, int i) {
    const Value* v = op.operand(i);
    const std::string which = StrCat("operand ", Ordinal(i));
    if (v == nullptr) return OpError(op, StrCat(which, " is null"));
    const Function* owner = FunctionOf(*v);
    if (owner != &f_) {
      return OpError(op, owner == nullptr
                             ? StrCat(which, " is a value of a detached op or region")
                             : StrCat(which, " is a value of another function, @", owner->name()));
    }
    switch (Lookup(v)) {
      case Visibility::kVisible: break;
      case Visibility::kBehindIsolation:
        return OpError(op, StrCat(which, " is defined outside the isolated region that uses it"));
      case Visibility::kNotInScope:
        if (EnclosesCurrentPoint(DefiningRegion(*v))) {
          return OpError(op, StrCat(which, " is used before it is defined"));
        }
        return OpError(op, StrCat(which, " is defined in a region that does not enclose this op"));
    }
    const auto n = std::count(v->uses().begin(), v->uses().end(), Use{const_cast<Op*>(&op), i});
    if (n != 1) {
      return OpError(
          op, StrCat(which, " appears ", n, " times in the use list of its value (expected once)"));
    }
    return absl::OkStatus();
  }

  // Every use recorded on `v` must be a real operand slot of an op of this
  // function holding `v`; the converse (each operand recorded exactly once)
  // is checked at the operand. Through the Op API the only way to break
  // this is an op that left its function but still holds its operands (a
  // removed op, or a value used across functions); the slot checks guard
  // the invariant that passes rely on when they walk uses.
  template <typename ErrorFn>
  absl::Status CheckUsesOf(const Value& v, std::string_view what, ErrorFn error) const {
    for (const Use& use : v.uses()) {
      if (!ops_.contains(use.user)) {
        const Region* r = use.user->parent();
        const Function* g = r == nullptr ? nullptr : r->function();
        if (g == nullptr) {
          return error(
              StrCat(what, " is used by '", use.user->name(),
                     "', which is in no function (a removed op still holds its operands)"));
        }
        return error(StrCat(what, " is used by '", use.user->name(), "' in function @", g->name(),
                            "; values cannot cross functions"));
      }
      if (use.operand_index < 0 || use.operand_index >= use.user->num_operands() ||
          use.user->operand(use.operand_index) != &v) {
        return error(StrCat("the use list of ", what, " names operand ", Ordinal(use.operand_index),
                            " of '", use.user->name(), "', which does not use it"));
      }
    }
    return absl::OkStatus();
  }

  // Re-runs inference: arity, attributes, region count and result types must
  // all agree with what the op holds.
  absl::Status VerifyTypes(const Op& op) {
    std::vector<TensorType> operand_types;
    for (const Value* v : op.operands()) operand_types.push_back(v->type());
    std::vector<const Region*> regions;
    for (int i = 0; i < op.num_regions(); ++i) regions.push_back(&op.region(i));
    AttrMap attrs = op.attrs();
    absl::StatusOr<std::vector<TensorType>> types =
        InferResultTypes(op.def(), operand_types, attrs, regions, f_.module());
    if (!types.ok()) return OpError(op, ToStd(types.status().message()));
    if (attrs.size() != op.attrs().size()) {
      for (const auto& [name, value] : attrs) {
        if (!op.has_attr(name)) {
          return OpError(op, StrCat("attribute '", name,
                                    "' is missing (defaults are filled in when an op is built)"));
        }
      }
    }
    if (static_cast<int>(types->size()) != op.num_results()) {
      return OpError(
          op, StrCat("has ", op.num_results(), " results, but inference gives ", types->size()));
    }
    for (int i = 0; i < op.num_results(); ++i) {
      const TensorType& inferred = (*types)[static_cast<size_t>(i)];
      if (op.result(i)->type() != inferred) {
        return OpError(op,
                       StrCat("result ", Ordinal(i), " has type ", op.result(i)->type().ToString(),
                              ", but inference gives ", inferred.ToString()));
      }
    }
    return absl::OkStatus();
  }

  absl::Status VerifyReturn(const Op& ret) const {
    const auto& declared = f_.result_types();
    if (ret.num_operands() != static_cast<int>(declared.size())) {
      return OpError(ret, StrCat("returns ", Count(ret.num_operands(), "value"),
                                 ", but the function declares ", Count(declared.size(), "result")));
    }
    for (int i = 0; i < ret.num_operands(); ++i) {
      const TensorType& actual = ret.operand(i)->type();
      const TensorType& expected = declared[static_cast<size_t>(i)];
      if (!IsCompatible(expected, actual)) {
        return OpError(ret, StrCat("operand ", Ordinal(i), " has type ", actual.ToString(),
                                   ", but the function declares result ", Ordinal(i), " as ",
                                   expected.ToString()));
      }
    }
    return absl::OkStatus();
  }

  const Function& f_;
  absl::flat_hash_set<const Op*> ops_;  // every op of the function, for use lists
  std::vector<Scope> scopes_;
};

}  // namespace

absl::Status VerifyFunction(const Function& function) { return FunctionVerifier(function).Run(); }

absl::Status VerifyModule(const Module& module) {
  absl::flat_hash_set<std::string_view> names;
  for (const auto& var : module.variables()) {
    if (!names.insert(var.name).second) {
      return absl::InvalidArgumentError(StrCat("variable @", var.name, " is declared twice"));
    }
  }
  names.clear();
  for (const auto& f : module.functions()) {
    if (!names.insert(f->name()).second) {
      return absl::InvalidArgumentError(StrCat("function @", f->name(), " is defined twice"));
    }
  }
  for (const auto& f : module.functions()) {
    if (absl::Status s = VerifyFunction(*f); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace graphc::ir
