// Helpers for the gradient (VJP) rules in the op family files. A rule builds
// its gradient as ordinary IR with a GradBuilder, which lets it read as a
// formula: each call emits one op and returns its value, and the first error
// is kept and returned by Done() instead of being checked after every line.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ir/builder.h"

namespace graphc::ir::ops {

using Grads = absl::StatusOr<std::vector<Value*>>;
using ResultGrads = std::span<Value* const>;

// `v` summed down to `like`'s shape (the transpose of broadcasting `like` to
// v's shape): nothing is emitted when v already has like's type and it is
// static; otherwise a `sum_to_like`, whose result has exactly like's shape
// (a `?` in `like` may be 1 at run time, so it cannot be skipped then).
absl::StatusOr<Value*> SumToLike(Builder& b, Value* v, Value* like);

// `v`, the result of reducing `x` over `axes` (empty: all) with `keepdims`,
// with size-1 dims put back at the reduced axes, so it has x's rank and
// broadcasts against x.
absl::StatusOr<Value*> ExpandReduced(Builder& b, Value* v, const Value* x,
                                     const std::vector<int64_t>& axes, bool keepdims);

// Emits the gradient IR of one op.
//
// C++ leaves the order in which a call's arguments are evaluated open, so a
// call never gets two arguments that both emit ops: name one first, so the
// IR comes out in the same order with every compiler. (Braced lists, as in
// Done({...}) and Emit's operands, are evaluated left to right.)
//
// Only floating-point values carry gradients. When the op's result is not a
// float (integer arithmetic, say) or has no gradient, the builder is
// inactive: it emits nothing, every call returns null, and Done() gives every
// operand no gradient. Rules therefore need no dtype checks of their own.
class GradBuilder {
 public:
  GradBuilder(Builder& b, const Op& op, ResultGrads result_grads);

  bool active() const { return active_; }
  // The gradient of the (single) result; null when inactive.
  Value* g() const { return active_ ? result_grads_[0] : nullptr; }

  // Emits a single-result op. Returns null when inactive, after an error, or
  // when it fails (the error is kept for Done()).
  Value* Emit(std::string_view name, std::vector<Value*> operands, AttrMap attrs = {});
  // A rank-0 constant of `like`'s dtype (broadcasts against anything).
  Value* Const(double value, Value* like);

  Value* Add(Value* a, Value* b) { return Emit("add", {a, b}); }
  Value* Sub(Value* a, Value* b) { return Emit("sub", {a, b}); }
  Value* Mul(Value* a, Value* b) { return Emit("mul", {a, b}); }
  Value* Div(Value* a, Value* b) { return Emit("div", {a, b}); }
  Value* Neg(Value* a) { return Emit("neg", {a}); }
  Value* Select(Value* c, Value* a, Value* b) { return Emit("select", {c, a, b}); }
  // `a * k` for a constant k.
  Value* Scale(Value* a, double k) { return Mul(a, Const(k, a)); }
  // select(c, a, 0): `a` where c holds, else zero.
  Value* Where(Value* c, Value* a) { return Select(c, a, Const(0.0, a)); }
  Value* BroadcastLike(Value* a, Value* like) { return Emit("broadcast_like", {a, like}); }
  Value* Cast(Value* a, DType dtype);
  Value* ReduceSum(Value* a, std::vector<int64_t> axes, bool keepdims);
  Value* MatMul(Value* a, Value* b, bool transpose_a, bool transpose_b);

  // See the free functions above.
  Value* SumTo(Value* v, Value* like);
  Value* ExpandReduced(Value* v, Value* x, const std::vector<int64_t>& axes, bool keepdims);
  // `v` with exactly like's type: a `reshape_like` when the types differ only
  // because one side knows a dim the other leaves `?` (same elements).
  Value* MatchType(Value* v, Value* like);

  // Makes the rule fail with `status` (ignored when inactive).
  void Fail(absl::Status status);

  // The rule's result: one gradient per operand (null: none), or the first
  // error. Checks that each gradient has its operand's exact type.
  Grads Done(std::vector<Value*> grads);

 private:
  bool Usable(std::span<Value* const> operands, std::string_view what);
  Value* Keep(absl::StatusOr<Value*> v);

  Builder& b_;
  const Op& op_;
  ResultGrads result_grads_;
  bool active_;
  absl::Status status_;
};

}  // namespace graphc::ir::ops
