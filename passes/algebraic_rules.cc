#include "passes/algebraic_rules.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "ir/builder.h"
#include "ir/op_registry.h"

namespace graphc::passes {
namespace {

using ir::DType;
using ir::Op;
using ir::Value;

// ---------------------------------------------------------------------------
// Recognising operands.

// The op defining `v` if it is called `name`.
const Op* Producer(const Value* v, std::string_view name) {
  const Op* def = v->defining_op();
  return def != nullptr && def->name() == name ? def : nullptr;
}

// Values fixed at compile time (their shape aside): literals and fills.
bool IsConstantLike(const Value* v) {
  return Producer(v, "constant") || Producer(v, "fill") || Producer(v, "fill_like");
}

// `value` as one element of `dtype`, when every executor converts it the
// same way (fill's attribute is a double): floats in range, integers that
// are integral and in range. Anything else is not recognised.
std::optional<ir::DenseElements> ExactElement(double value, DType dtype) {
  ir::DenseElements e(ir::TensorType{dtype, ir::Shape{}});
  if (ir::IsBool(dtype)) {
    e.SetInt(0, value != 0 ? 1 : 0);  // NaN is true, as in cast
    return e;
  }
  if (ir::IsFloat(dtype)) {
    if (dtype == DType::kF32 && std::isfinite(value) && std::fabs(value) > FLT_MAX) {
      return std::nullopt;
    }
    e.SetDouble(0, value);
    return e;
  }
  double lo = 0, hi = 0;
  switch (dtype) {
    case DType::kI8: lo = -128.0, hi = 127.0; break;
    case DType::kI32: lo = -2147483648.0, hi = 2147483647.0; break;
    default: lo = -9223372036854775808.0, hi = 9223372036854774784.0; break;
  }
  if (!std::isfinite(value) || std::trunc(value) != value || value < lo || value > hi) {
    return std::nullopt;
  }
  e.SetInt(0, static_cast<int64_t>(value));
  return e;
}

// The element every position of `v` holds, as a scalar of v's dtype, when
// `v` is a splat: a `constant` with all elements equal, a `fill` or a
// `fill_like`.
std::optional<ir::DenseElements> SplatOf(const Value* v) {
  if (const Op* c = Producer(v, "constant")) {
    const ir::DenseElements& value = c->attr<ir::DenseElements>("value");
    if (value.size() == 0 || !value.IsSplat()) return std::nullopt;
    ir::DenseElements e(ir::TensorType{value.type().dtype, ir::Shape{}});
    std::memcpy(e.mutable_bytes().data(), value.bytes().data(), e.bytes().size());
    return e;
  }
  if (Producer(v, "fill") || Producer(v, "fill_like")) {
    return ExactElement(v->defining_op()->attr<double>("value"), v->dtype());
  }
  return std::nullopt;
}

bool IsZero(const ir::DenseElements& e) {
  return ir::IsFloat(e.type().dtype) ? e.GetDouble(0) == 0 : e.GetInt(0) == 0;
}
bool IsPositiveZero(const ir::DenseElements& e) {
  return ir::IsFloat(e.type().dtype) && e.GetDouble(0) == 0 && !std::signbit(e.GetDouble(0));
}
bool IsNegativeZero(const ir::DenseElements& e) {
  return ir::IsFloat(e.type().dtype) && e.GetDouble(0) == 0 && std::signbit(e.GetDouble(0));
}
// Also "true" for bool.
bool IsOne(const ir::DenseElements& e) {
  return ir::IsFloat(e.type().dtype) ? e.GetDouble(0) == 1 : e.GetInt(0) == 1;
}
bool IsIntegerMinusOne(const ir::DenseElements& e) {
  return ir::IsInteger(e.type().dtype) && e.GetInt(0) == -1;
}

// True unless `v` is a constant-like float value known to hold no NaN.
bool MayHoldNaN(const Value* v) {
  if (!ir::IsFloat(v->dtype())) return false;
  if (const Op* c = Producer(v, "constant")) {
    const ir::DenseElements& value = c->attr<ir::DenseElements>("value");
    for (int64_t i = 0; i < value.size(); ++i) {
      if (std::isnan(value.GetDouble(i))) return true;
    }
    return false;
  }
  if (Producer(v, "fill") || Producer(v, "fill_like")) {
    return std::isnan(v->defining_op()->attr<double>("value"));
  }
  return true;
}

// True if broadcasting a tensor of shape `small` against one of shape `big`
// can never widen `big`, whatever sizes `?` dims take at run time: each dim
// of `small` (aligned from the right) is 1, or equals big's static dim.
bool BroadcastsInto(const ir::Shape& small, const ir::Shape& big) {
  if (small.rank() > big.rank()) return false;
  const int64_t offset = big.rank() - small.rank();
  for (int64_t i = 0; i < small.rank(); ++i) {
    const int64_t s = small.dim(i);
    if (s != 1 && (s == ir::kDynamic || s != big.dim(i + offset))) return false;
  }
  return true;
}

// The value whose run-time shape `v` has: `v` itself, or for fill_like,
// broadcast_like and reshape_like, the source of their `like` operand.
const Value* ShapeSource(const Value* v) {
  while (true) {
    const Op* def = v->defining_op();
    if (def == nullptr) return v;
    if (def->name() == "fill_like") {
      v = def->operand(0);
    } else if (def->name() == "broadcast_like" || def->name() == "reshape_like") {
      v = def->operand(1);
    } else {
      return v;
    }
  }
}

// True if broadcasting `small` against `big` can never widen `big`: their
// shapes say so, or both have the shape of one value.
bool FitsInto(const Value* small, const Value* big) {
  return BroadcastsInto(small->shape(), big->shape()) || ShapeSource(small) == ShapeSource(big);
}

// The `shape` attribute of a reshape to `shape` (its `?` dim as -1), when a
// reshape can produce it and never fails on a tensor with as many elements:
// at most one `?`, and then the static dims' product is not 0.
std::optional<std::vector<int64_t>> ReshapeDims(const ir::Shape& shape) {
  std::vector<int64_t> dims = shape.dims();
  int dynamic = 0;
  int64_t product = 1;
  for (int64_t& d : dims) {
    if (d == ir::kDynamic) {
      ++dynamic;
      d = -1;
    } else {
      product *= d;
    }
  }
  if (dynamic > 1 || (dynamic == 1 && product == 0)) return std::nullopt;
  return dims;
}

// ---------------------------------------------------------------------------
// Rewriting.

// Uses `v` instead of op's (single) result, if it has exactly that type.
RewriteResult ReplaceWith(Op& op, Value* v) {
  if (op.num_results() != 1 || op.result(0)->type() != v->type()) return RewriteResult::kNoMatch;
  op.result(0)->ReplaceAllUsesWith(v);
  return RewriteResult::kReplaced;
}

// Builds `name(operands) {attrs}` just before `op` and uses its results
// instead of op's, if they have exactly op's result types; otherwise
// removes the new op again.
RewriteResult ReplaceWithNew(Op& op, std::string_view name, std::vector<Value*> operands,
                             ir::AttrMap attrs = {}) {
  ir::Builder b;
  b.SetInsertionPoint(&op);
  b.set_loc(op.loc());
  absl::StatusOr<Op*> built = b.Create(name, std::move(operands), std::move(attrs));
  if (!built.ok()) return RewriteResult::kNoMatch;
  Op* replacement = *built;
  bool same_types = replacement->num_results() == op.num_results();
  for (int i = 0; same_types && i < op.num_results(); ++i) {
    same_types = replacement->result(i)->type() == op.result(i)->type();
  }
  if (!same_types) {
    op.parent()->Erase(replacement);
    return RewriteResult::kNoMatch;
  }
  for (int i = 0; i < op.num_results(); ++i) {
    op.result(i)->ReplaceAllUsesWith(replacement->result(i));
  }
  return RewriteResult::kReplaced;
}

// op(keep, drop) is `keep` (the caller checked the values); `drop` must not
// widen it.
RewriteResult ForwardOperand(Op& op, Value* keep, const Value* drop) {
  if (!FitsInto(drop, keep)) return RewriteResult::kNoMatch;
  return ReplaceWith(op, keep);
}

// op(other, splat) is `value` everywhere (x * 0, x and false): the splat
// itself when it already has the result's shape, else a fill of the static
// result type, else a fill_like of `other`. Each needs the operands it
// does not keep to be unable to widen the result, or a run-time
// broadcasting error (or a different `?` size) would be lost.
RewriteResult ReplaceWithSplat(Op& op, Value* splat, Value* other, double value) {
  const ir::TensorType& type = op.result(0)->type();
  if (splat->type() == type && FitsInto(other, splat)) return ReplaceWith(op, splat);
  if (type.shape.is_static() && BroadcastsInto(other->shape(), type.shape) &&
      BroadcastsInto(splat->shape(), type.shape)) {
    return ReplaceWithNew(op, "fill", {},
                          {{"shape", type.shape.dims()}, {"value", value}, {"dtype", type.dtype}});
  }
  if (other->type() == type && FitsInto(splat, other)) {
    return ReplaceWithNew(op, "fill_like", {other}, {{"value", value}});
  }
  return RewriteResult::kNoMatch;
}

// A reshape of `x` (which has as many elements as op's result, whatever the
// `?` dims are) to op's result type, or `x` itself when it has that shape.
RewriteResult ReplaceWithReshape(Op& op, Value* x) {
  const ir::TensorType& type = op.result(0)->type();
  std::optional<std::vector<int64_t>> dims = ReshapeDims(type.shape);
  if (!dims.has_value()) return RewriteResult::kNoMatch;
  // Equal types with at most one `?` and equal element counts: equal shapes.
  if (x->type() == type) return ReplaceWith(op, x);
  return ReplaceWithNew(op, "reshape", {x}, {{"shape", *std::move(dims)}});
}

// ---------------------------------------------------------------------------
// Canonical operand order.

// add/mul/maximum/minimum/eq/ne/and/or(c, x) -> op(x, c).
RewriteResult ConstantToRight(Op& op) {
  Value* c = op.operand(0);
  Value* x = op.operand(1);
  if (!IsConstantLike(c) || IsConstantLike(x)) return RewriteResult::kNoMatch;
  // When both operands are NaN, which one's sign and payload the result
  // carries depends on the order.
  if (ir::IsFloat(op.result(0)->dtype()) && MayHoldNaN(c)) return RewriteResult::kNoMatch;
  op.SetOperands({x, c});
  return RewriteResult::kUpdatedInPlace;
}

// lt(c, x) -> gt(x, c), and so on (comparisons with NaN are false either way).
RewriteResult MirrorComparison(Op& op) {
  Value* c = op.operand(0);
  Value* x = op.operand(1);
  if (!IsConstantLike(c) || IsConstantLike(x)) return RewriteResult::kNoMatch;
  const std::string_view name = op.name();
  const std::string_view mirrored = name == "lt"   ? "gt"
                                    : name == "gt" ? "lt"
                                    : name == "le" ? "ge"
                                                   : "le";
  return ReplaceWithNew(op, mirrored, {x, c});
}

// ---------------------------------------------------------------------------
// Arithmetic and logic identities. Constants are on the right by now.

// -0.0 is the additive identity of floats: +0.0 + -0.0 is +0.0, but
// -0.0 + +0.0 is +0.0 too, so x + 0.0 is not x.
RewriteResult AddZero(Op& op) {
  std::optional<ir::DenseElements> c = SplatOf(op.operand(1));
  if (!c.has_value()) return RewriteResult::kNoMatch;
  const bool identity = ir::IsFloat(c->type().dtype) ? IsNegativeZero(*c) : IsZero(*c);
  if (!identity) return RewriteResult::kNoMatch;
  return ForwardOperand(op, op.operand(0), op.operand(1));
}

// x - +0.0 is x for every x (-0.0 - +0.0 is -0.0); x - -0.0 is not.
RewriteResult SubZero(Op& op) {
  std::optional<ir::DenseElements> c = SplatOf(op.operand(1));
  if (!c.has_value()) return RewriteResult::kNoMatch;
  const bool identity = ir::IsFloat(c->type().dtype) ? IsPositiveZero(*c) : IsZero(*c);
  if (!identity) return RewriteResult::kNoMatch;
  return ForwardOperand(op, op.operand(0), op.operand(1));
}

// Integers only: for floats 0 - 0 is +0 where neg(0) is -0.
RewriteResult ZeroSub(Op& op) {
  std::optional<ir::DenseElements> c = SplatOf(op.operand(0));
  if (!c.has_value() || !ir::IsInteger(c->type().dtype) || !IsZero(*c)) {
    return RewriteResult::kNoMatch;
  }
  if (!FitsInto(op.operand(0), op.operand(1))) return RewriteResult::kNoMatch;
  return ReplaceWithNew(op, "neg", {op.operand(1)});
}

// x * 1 and x / 1 are x for floats (NaN, inf and -0.0 included) and integers.
RewriteResult TimesOrOverOne(Op& op) {
  std::optional<ir::DenseElements> c = SplatOf(op.operand(1));
  if (!c.has_value() || !IsOne(*c)) return RewriteResult::kNoMatch;
  return ForwardOperand(op, op.operand(0), op.operand(1));
}

// Integers only: for floats NaN * 0, inf * 0 and -1 * 0 are not +0.
RewriteResult MulZero(Op& op) {
  std::optional<ir::DenseElements> c = SplatOf(op.operand(1));
  if (!c.has_value() || !ir::IsInteger(c->type().dtype) || !IsZero(*c)) {
    return RewriteResult::kNoMatch;
  }
  return ReplaceWithSplat(op, op.operand(1), op.operand(0), 0.0);
}

// Integers only (wrapping makes them agree on the lowest value): for floats
// NaN * -1 keeps the NaN's sign where neg flips it.
RewriteResult MulMinusOne(Op& op) {
  std::optional<ir::DenseElements> c = SplatOf(op.operand(1));
  if (!c.has_value() || !IsIntegerMinusOne(*c)) return RewriteResult::kNoMatch;
  if (!FitsInto(op.operand(1), op.operand(0))) return RewriteResult::kNoMatch;
  return ReplaceWithNew(op, "neg", {op.operand(0)});
}

// and(x, true) -> x, or(x, false) -> x.
RewriteResult LogicIdentity(Op& op) {
  std::optional<ir::DenseElements> c = SplatOf(op.operand(1));
  const bool identity = op.name() == "and";
  if (!c.has_value() || IsOne(*c) != identity) return RewriteResult::kNoMatch;
  return ForwardOperand(op, op.operand(0), op.operand(1));
}

// and(x, false) -> false, or(x, true) -> true.
RewriteResult LogicAbsorb(Op& op) {
  std::optional<ir::DenseElements> c = SplatOf(op.operand(1));
  const bool absorbing = op.name() == "or";
  if (!c.has_value() || IsOne(*c) != absorbing) return RewriteResult::kNoMatch;
  return ReplaceWithSplat(op, op.operand(1), op.operand(0), absorbing ? 1.0 : 0.0);
}

// neg(neg(x)) -> x, not(not(x)) -> x: neg flips the sign bit (NaN too)
// and wraps on integers, so twice is the identity.
RewriteResult Involution(Op& op) {
  const Op* inner = Producer(op.operand(0), op.name());
  if (inner == nullptr) return RewriteResult::kNoMatch;
  return ReplaceWith(op, inner->operand(0));
}

// abs(abs(x)) -> abs(x), relu(relu(x)) -> relu(x).
RewriteResult Idempotent(Op& op) {
  if (Producer(op.operand(0), op.name()) == nullptr) return RewriteResult::kNoMatch;
  return ReplaceWith(op, op.operand(0));
}

// abs(neg(x)) -> abs(x): abs clears the sign bit of floats; for integers
// |-x| = |x| with wrapping (both give the lowest value for the lowest value).
RewriteResult AbsOfNeg(Op& op) {
  const Op* inner = Producer(op.operand(0), "neg");
  if (inner == nullptr) return RewriteResult::kNoMatch;
  op.SetOperand(0, inner->operand(0));
  return RewriteResult::kUpdatedInPlace;
}

// not(eq(x, y)) -> ne(x, y) and back: ne is exactly not eq, NaN included
// (unlike not(lt), which is not ge).
RewriteResult NotOfEquality(Op& op) {
  const Op* inner = op.operand(0)->defining_op();
  if (inner == nullptr || (inner->name() != "eq" && inner->name() != "ne")) {
    return RewriteResult::kNoMatch;
  }
  return ReplaceWithNew(op, inner->name() == "eq" ? "ne" : "eq",
                        {inner->operand(0), inner->operand(1)});
}

RewriteResult CastToSameDType(Op& op) {
  if (op.attr<DType>("dtype") != op.operand(0)->dtype()) return RewriteResult::kNoMatch;
  return ReplaceWith(op, op.operand(0));
}

RewriteResult SelectSameValue(Op& op) {
  if (op.operand(1) != op.operand(2)) return RewriteResult::kNoMatch;
  return ForwardOperand(op, op.operand(1), op.operand(0));
}

// select(true, x, y) -> x, select(false, x, y) -> y.
RewriteResult SelectConstantCondition(Op& op) {
  std::optional<ir::DenseElements> c = SplatOf(op.operand(0));
  if (!c.has_value()) return RewriteResult::kNoMatch;
  Value* picked = op.operand(IsOne(*c) ? 1 : 2);
  const Value* other = op.operand(IsOne(*c) ? 2 : 1);
  if (!FitsInto(other, picked)) return RewriteResult::kNoMatch;
  return ForwardOperand(op, picked, op.operand(0));
}

// op(broadcast(s), y) -> op(s, y) for an elementwise op that broadcasts its
// operands anyway. Exact when the result type stays the same and the
// broadcast's shape is static (so it pins nothing the op would not), or when
// it is broadcast_like(s, y) against the op's other operand y itself.
RewriteResult DropBroadcast(Op& op) {
  if (op.def().scalar == nullptr || op.def().fusion != ir::FusionKind::kBroadcast) {
    return RewriteResult::kNoMatch;
  }
  for (int i = 0; i < op.num_operands(); ++i) {
    const Op* b = op.operand(i)->defining_op();
    if (b == nullptr || (b->name() != "broadcast_to" && b->name() != "broadcast_like")) continue;
    Value* small = b->operand(0);
    const bool static_shapes = b->result(0)->shape().is_static() && small->shape().is_static();
    const bool like_other_operand = b->name() == "broadcast_like" && op.num_operands() == 2 &&
                                    b->operand(1) == op.operand(1 - i);
    if (!static_shapes && !like_other_operand) continue;
    std::vector<Value*> operands(op.operands().begin(), op.operands().end());
    operands[static_cast<size_t>(i)] = small;
    const RewriteResult r = ReplaceWithNew(op, op.name(), std::move(operands), op.attrs());
    if (r != RewriteResult::kNoMatch) return r;
  }
  return RewriteResult::kNoMatch;
}

// ---------------------------------------------------------------------------
// Data movement.

// The permutation a transpose applies (an empty `perm` reverses the dims).
std::vector<int64_t> PermOf(const Op& transpose) {
  std::vector<int64_t> perm = transpose.attr<std::vector<int64_t>>("perm");
  if (perm.empty()) {
    for (int64_t d = transpose.operand(0)->shape().rank() - 1; d >= 0; --d) perm.push_back(d);
  }
  return perm;
}

bool IsIdentityPerm(const std::vector<int64_t>& perm) {
  for (size_t i = 0; i < perm.size(); ++i) {
    if (perm[i] != static_cast<int64_t>(i)) return false;
  }
  return true;
}

RewriteResult IdentityTranspose(Op& op) {
  if (!IsIdentityPerm(PermOf(op))) return RewriteResult::kNoMatch;
  return ReplaceWith(op, op.operand(0));
}

// transpose(transpose(x, p), q): out.dim(k) = x.dim(p[q[k]]).
RewriteResult TransposeOfTranspose(Op& op) {
  const Op* inner = Producer(op.operand(0), "transpose");
  if (inner == nullptr) return RewriteResult::kNoMatch;
  const std::vector<int64_t> p = PermOf(*inner);
  const std::vector<int64_t> q = PermOf(op);
  std::vector<int64_t> composed(q.size());
  for (size_t k = 0; k < q.size(); ++k) composed[k] = p[static_cast<size_t>(q[k])];
  Value* x = inner->operand(0);
  if (IsIdentityPerm(composed)) return ReplaceWith(op, x);
  return ReplaceWithNew(op, "transpose", {x}, {{"perm", composed}});
}

// A reshape to its operand's own type. With one `?` dim the element count
// fixes it, so the shapes are equal at run time too.
RewriteResult ReshapeToSameType(Op& op) {
  if (op.operand(0)->type() != op.result(0)->type()) return RewriteResult::kNoMatch;
  return ReplaceWithReshape(op, op.operand(0));
}

// A squeeze without `axes` removes the dims of size 1 it sees, so at run
// time it also removes a `?` dim that is 1, which the declared type keeps:
// the interpreter reports that as an error.
bool IsSqueezeOfDynamicDims(const Op& op) {
  return op.name() == "squeeze" && op.attr<std::vector<int64_t>>("axes").empty() &&
         !op.operand(0)->shape().is_static();
}

// True for expand_dims, a squeeze of static dims, and a reshape whose count
// check cannot fail: its operand is static, or its `-1` divides out of the
// operand's static dims.
bool CannotFail(const Op& reshape_op) {
  if (IsSqueezeOfDynamicDims(reshape_op)) return false;
  if (reshape_op.name() != "reshape") return true;
  const ir::Shape& in = reshape_op.operand(0)->shape();
  if (in.is_static()) return true;
  int64_t in_static = 1;
  for (int64_t d : in.dims()) in_static *= d == ir::kDynamic ? 1 : d;
  int64_t target = 1;
  bool has_minus_one = false;
  for (int64_t d : reshape_op.attr<std::vector<int64_t>>("shape")) {
    if (d == -1) {
      has_minus_one = true;
    } else {
      target *= d;
    }
  }
  return has_minus_one && target != 0 && in_static % target == 0;
}

// reshape, squeeze or expand_dims of a reshape, squeeze or expand_dims ->
// one reshape of the inner operand. Neither op may be able to fail at run
// time where the new reshape would not (an outer reshape fails exactly when
// the new one does: both check the same element count).
RewriteResult ReshapeChain(Op& op) {
  if (IsSqueezeOfDynamicDims(op)) return RewriteResult::kNoMatch;
  const Op* inner = op.operand(0)->defining_op();
  if (inner == nullptr) return RewriteResult::kNoMatch;
  const std::string_view name = inner->name();
  if (name != "reshape" && name != "squeeze" && name != "expand_dims") {
    return RewriteResult::kNoMatch;
  }
  if (!CannotFail(*inner)) return RewriteResult::kNoMatch;
  return ReplaceWithReshape(op, inner->operand(0));
}

// A squeeze that removes no dim (of a static shape: see
// IsSqueezeOfDynamicDims).
RewriteResult SqueezeNothing(Op& op) {
  if (IsSqueezeOfDynamicDims(op)) return RewriteResult::kNoMatch;
  return ReplaceWith(op, op.operand(0));
}

// reshape_like, broadcast_to, broadcast_like to the operand's own static
// type (with `?` dims the target may differ at run time).
RewriteResult StaticSameType(Op& op) {
  if (!op.result(0)->shape().is_static()) return RewriteResult::kNoMatch;
  return ReplaceWith(op, op.operand(0));
}

// sum_to_like that sums nothing. Integers only: the interpreter adds each
// float to a +0.0 accumulator, which turns -0.0 into +0.0.
RewriteResult SumToLikeSameType(Op& op) {
  if (!ir::IsInteger(op.operand(0)->dtype())) return RewriteResult::kNoMatch;
  return StaticSameType(op);
}

// fill_like, broadcast_like and reshape_like read their `like` operand only
// for its shape. Once that shape is static they become fill, broadcast_to
// and reshape, which no longer depend on the `like` value: the forward
// values autodiff seeds gradients with (fill_like of the loss) can then be
// removed, and the seeds folded.
RewriteResult FillLikeStatic(Op& op) {
  const ir::TensorType& type = op.result(0)->type();
  if (!type.shape.is_static()) return RewriteResult::kNoMatch;
  return ReplaceWithNew(op, "fill", {},
                        {{"shape", type.shape.dims()}, {"value", op.attr<double>("value")}, {"dtype", type.dtype}});
}

RewriteResult BroadcastLikeStatic(Op& op) {
  const ir::Shape& shape = op.result(0)->shape();
  if (!shape.is_static()) return RewriteResult::kNoMatch;
  return ReplaceWithNew(op, "broadcast_to", {op.operand(0)}, {{"shape", shape.dims()}});
}

RewriteResult ReshapeLikeStatic(Op& op) {
  const ir::Shape& shape = op.result(0)->shape();
  if (!shape.is_static()) return RewriteResult::kNoMatch;
  return ReplaceWithNew(op, "reshape", {op.operand(0)}, {{"shape", shape.dims()}});
}

RewriteResult BroadcastToOfBroadcastTo(Op& op) {
  const Op* inner = Producer(op.operand(0), "broadcast_to");
  if (inner == nullptr) return RewriteResult::kNoMatch;
  return ReplaceWithNew(op, "broadcast_to", {inner->operand(0)}, op.attrs());
}

// ---------------------------------------------------------------------------
// Reductions over dims of size 1: each output element is one input element
// combined with the reduction's start value. That is the element itself for
// integers (wrapping sum, product, max, min; mean divides by 1), bools, and
// float max/min (from -inf/+inf, NaN-propagating) and product (1 * x). Float
// sum and mean start from +0.0 and so turn -0.0 into +0.0: not rewritten.
RewriteResult ReduceOverUnitDims(Op& op) {
  Value* x = op.operand(0);
  const std::string_view name = op.name();
  const bool exact = !ir::IsFloat(x->dtype()) || name == "reduce_max" ||
                     name == "reduce_min" || name == "reduce_prod";
  if (!exact) return RewriteResult::kNoMatch;
  const int64_t rank = x->shape().rank();
  std::vector<int64_t> axes = op.attr<std::vector<int64_t>>("axes");
  if (axes.empty()) {
    for (int64_t d = 0; d < rank; ++d) axes.push_back(d);
  }
  for (int64_t& a : axes) {
    if (a < 0) a += rank;
    if (x->shape().dim(a) != 1) return RewriteResult::kNoMatch;
  }
  if (x->type() == op.result(0)->type()) return ReplaceWith(op, x);  // keepdims
  const RewriteResult r = ReplaceWithReshape(op, x);
  if (r != RewriteResult::kNoMatch) return r;
  // Several `?` dims: a squeeze of the unit dims says the same.
  std::sort(axes.begin(), axes.end());
  return ReplaceWithNew(op, "squeeze", {x}, {{"axes", axes}});
}

// ---------------------------------------------------------------------------
// The table.

constexpr AlgebraicRule kRules[] = {
    // Canonical operand order first, so that the rules below (and CSE) see
    // one form: constants on the right.
    {"add-constant-right", "add", "add(c, x) -> add(x, c), c constant, x not", ConstantToRight},
    {"mul-constant-right", "mul", "mul(c, x) -> mul(x, c)", ConstantToRight},
    {"maximum-constant-right", "maximum", "maximum(c, x) -> maximum(x, c)", ConstantToRight},
    {"minimum-constant-right", "minimum", "minimum(c, x) -> minimum(x, c)", ConstantToRight},
    {"eq-constant-right", "eq", "eq(c, x) -> eq(x, c)", ConstantToRight},
    {"ne-constant-right", "ne", "ne(c, x) -> ne(x, c)", ConstantToRight},
    {"and-constant-right", "and", "and(c, x) -> and(x, c)", ConstantToRight},
    {"or-constant-right", "or", "or(c, x) -> or(x, c)", ConstantToRight},
    {"lt-constant-right", "lt", "lt(c, x) -> gt(x, c)", MirrorComparison},
    {"le-constant-right", "le", "le(c, x) -> ge(x, c)", MirrorComparison},
    {"gt-constant-right", "gt", "gt(c, x) -> lt(x, c)", MirrorComparison},
    {"ge-constant-right", "ge", "ge(c, x) -> le(x, c)", MirrorComparison},
    // Arithmetic and logic.
    {"add-zero", "add", "x + 0 -> x for integers; for floats only x + -0.0", AddZero},
    {"sub-zero", "sub", "x - 0 -> x for integers; for floats only x - +0.0", SubZero},
    {"zero-sub", "sub", "0 - x -> neg(x) for integers", ZeroSub},
    {"mul-one", "mul", "x * 1 -> x", TimesOrOverOne},
    {"mul-zero", "mul", "x * 0 -> 0 for integers", MulZero},
    {"mul-minus-one", "mul", "x * -1 -> neg(x) for integers", MulMinusOne},
    {"div-one", "div", "x / 1 -> x", TimesOrOverOne},
    {"and-true", "and", "and(x, true) -> x", LogicIdentity},
    {"and-false", "and", "and(x, false) -> false", LogicAbsorb},
    {"or-false", "or", "or(x, false) -> x", LogicIdentity},
    {"or-true", "or", "or(x, true) -> true", LogicAbsorb},
    {"neg-neg", "neg", "neg(neg(x)) -> x", Involution},
    {"not-not", "not", "not(not(x)) -> x", Involution},
    {"not-eq", "not", "not(eq(x, y)) -> ne(x, y); not(ne(x, y)) -> eq(x, y)", NotOfEquality},
    {"abs-abs", "abs", "abs(abs(x)) -> abs(x)", Idempotent},
    {"abs-neg", "abs", "abs(neg(x)) -> abs(x)", AbsOfNeg},
    {"relu-relu", "relu", "relu(relu(x)) -> relu(x)", Idempotent},
    {"cast-same-dtype", "cast", "cast(x) to x's own dtype -> x", CastToSameDType},
    {"select-same", "select", "select(c, x, x) -> x", SelectSameValue},
    {"select-constant", "select", "select(true, x, y) -> x; select(false, x, y) -> y",
     SelectConstantCondition},
    {"drop-broadcast", kAnyOp,
     "op(broadcast_to/broadcast_like(s), y) -> op(s, y) for a broadcasting elementwise op, "
     "when the result type is unchanged",
     DropBroadcast},
    // Data movement.
    {"transpose-identity", "transpose", "transpose(x) with the identity perm -> x",
     IdentityTranspose},
    {"transpose-transpose", "transpose",
     "transpose(transpose(x, p), q) -> transpose(x, p[q[i]]), or x if that is the identity",
     TransposeOfTranspose},
    {"reshape-same-type", "reshape", "reshape(x) to x's own type -> x", ReshapeToSameType},
    {"reshape-chain", "reshape", "reshape(reshape/squeeze/expand_dims(x)) -> reshape(x)",
     ReshapeChain},
    {"squeeze-nothing", "squeeze", "squeeze(x) removing no dim -> x", SqueezeNothing},
    {"squeeze-chain", "squeeze", "squeeze(reshape/squeeze/expand_dims(x)) -> reshape(x)",
     ReshapeChain},
    {"expand-dims-chain", "expand_dims",
     "expand_dims(reshape/squeeze/expand_dims(x)) -> reshape(x)", ReshapeChain},
    {"reshape-like-same-type", "reshape_like", "reshape_like(x, y) to x's own static type -> x",
     StaticSameType},
    {"broadcast-to-same-type", "broadcast_to", "broadcast_to(x) to x's own type -> x",
     StaticSameType},
    {"broadcast-to-chain", "broadcast_to",
     "broadcast_to(broadcast_to(x, s), t) -> broadcast_to(x, t)", BroadcastToOfBroadcastTo},
    {"broadcast-like-same-type", "broadcast_like",
     "broadcast_like(x, y) to x's own static type -> x", StaticSameType},
    {"fill-like-static", "fill_like", "fill_like(x) with a static type -> fill", FillLikeStatic},
    {"broadcast-like-static", "broadcast_like",
     "broadcast_like(x, y) to a static type -> broadcast_to(x)", BroadcastLikeStatic},
    {"reshape-like-static", "reshape_like", "reshape_like(x, y) to a static type -> reshape(x)",
     ReshapeLikeStatic},
    {"sum-to-like-same-type", "sum_to_like",
     "sum_to_like(x, y) to x's own static type -> x, integers only", SumToLikeSameType},
    // Reductions over dims of size 1.
    {"reduce-sum-unit-dims", "reduce_sum",
     "reduce_sum over dims of size 1 -> reshape, integers only", ReduceOverUnitDims},
    {"reduce-mean-unit-dims", "reduce_mean",
     "reduce_mean over dims of size 1 -> reshape, integers only", ReduceOverUnitDims},
    {"reduce-prod-unit-dims", "reduce_prod", "reduce_prod over dims of size 1 -> reshape",
     ReduceOverUnitDims},
    {"reduce-max-unit-dims", "reduce_max", "reduce_max over dims of size 1 -> reshape",
     ReduceOverUnitDims},
    {"reduce-min-unit-dims", "reduce_min", "reduce_min over dims of size 1 -> reshape",
     ReduceOverUnitDims},
    {"reduce-any-unit-dims", "reduce_any", "reduce_any over dims of size 1 -> reshape",
     ReduceOverUnitDims},
    {"reduce-all-unit-dims", "reduce_all", "reduce_all over dims of size 1 -> reshape",
     ReduceOverUnitDims},
};

}  // namespace

std::span<const AlgebraicRule> AlgebraicRules() { return kRules; }

std::span<const AlgebraicRule* const> RulesFor(const ir::Op& op) {
  using Index = absl::flat_hash_map<std::string_view, std::vector<const AlgebraicRule*>>;
  static const Index* const index = [] {
    auto* by_op = new Index;
    std::vector<const AlgebraicRule*> any;
    for (const AlgebraicRule& rule : kRules) {
      if (rule.op == kAnyOp) {
        any.push_back(&rule);
      } else {
        (*by_op)[rule.op].push_back(&rule);
      }
    }
    for (const ir::OpDef* def : ir::OpRegistry::Get().All()) {
      std::vector<const AlgebraicRule*>& rules = (*by_op)[def->name];
      rules.insert(rules.end(), any.begin(), any.end());
    }
    return by_op;
  }();
  auto it = index->find(op.name());
  if (it == index->end()) return {};
  return it->second;
}

}  // namespace graphc::passes
