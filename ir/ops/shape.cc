// Shape ops: ops that move elements without computing new values (reshape,
// transpose, broadcasts, slices, gather, concat), plus the transposes of
// slices and gather that gradients use (scatter_add also sums). All are
// structural: each executor implements the index mapping documented in
// docs/ir.md.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_join.h"
#include "ir/builder.h"
#include "ir/op_registry.h"
#include "ir/ops/infer_util.h"
#include "ir/ops/vjp_util.h"
#include "ir/str_cat.h"

namespace graphc::ir {
namespace {

using ops::DTypeClass;
using ops::GradBuilder;
using ops::Grads;
using ops::ResultGrads;
using ops::Types;
using Ints = std::vector<int64_t>;

// An int-list attribute as written by the user: "[-1,2]". (Shape::ToString
// would print -1 as `?`, which is not what the user wrote.)
std::string List(const Ints& v) { return StrCat("[", absl::StrJoin(v, ","), "]"); }

Types One(DType dtype, Ints dims) {
  return std::vector<TensorType>{TensorType{dtype, Shape(std::move(dims))}};
}

// An axis that names an insertion point among `rank` dims: [-rank-1, rank].
absl::StatusOr<int64_t> InsertionAxis(int64_t axis, int64_t rank) {
  if (axis < -rank - 1 || axis > rank) {
    return absl::InvalidArgumentError(StrCat("axis ", axis, " is out of range [", -rank - 1, ", ",
                                             rank, "] for inserting a dim into rank ", rank));
  }
  return axis < 0 ? axis + rank + 1 : axis;
}

Types InferReshape(const InferContext& c) {
  const TensorType& x = c.operand(0);
  Ints dims = c.attr<Ints>("shape");
  int64_t inferred_at = -1;
  int64_t known = 1;  // product of the dims other than the -1
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == -1) {
      if (inferred_at >= 0) {
        return absl::InvalidArgumentError(
            StrCat("shape ", List(dims), " has more than one -1 (at most one dim is inferred)"));
      }
      inferred_at = static_cast<int64_t>(i);
    } else if (dims[i] < 0) {
      return absl::InvalidArgumentError(StrCat("shape ", List(dims), " has a negative dim ",
                                               dims[i], " (only -1, inferred, is allowed)"));
    } else if (__builtin_mul_overflow(known, dims[i], &known)) {
      return absl::InvalidArgumentError(StrCat("shape ", List(dims), " has too many elements"));
    }
  }
  const std::optional<int64_t> count = x.shape.num_elements();
  if (!count.has_value()) {
    // Unknown element count: a -1 stays unknown; a full target is trusted
    // (checked at run time).
    if (inferred_at >= 0) dims[static_cast<size_t>(inferred_at)] = kDynamic;
    return One(x.dtype, std::move(dims));
  }
  if (inferred_at >= 0) {
    if (known == 0 || *count % known != 0) {
      return absl::InvalidArgumentError(StrCat("cannot reshape ", x.shape.ToString(), " (", *count,
                                               " elements) into ", List(dims),
                                               ": no size for the -1 dim fits"));
    }
    dims[static_cast<size_t>(inferred_at)] = *count / known;
  } else if (known != *count) {
    return absl::InvalidArgumentError(StrCat("cannot reshape ", x.shape.ToString(), " (", *count,
                                             " elements) into ", List(dims), " (", known,
                                             " elements)"));
  }
  return One(x.dtype, std::move(dims));
}

Types InferTranspose(const InferContext& c) {
  const TensorType& x = c.operand(0);
  const int64_t rank = x.shape.rank();
  Ints perm = c.attr<Ints>("perm");
  if (perm.empty()) {
    // TensorFlow's default: reverse the dims.
    for (int64_t i = rank - 1; i >= 0; --i) perm.push_back(i);
  }
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  bool valid = static_cast<int64_t>(perm.size()) == rank;
  for (size_t i = 0; valid && i < perm.size(); ++i) {
    valid = perm[i] >= 0 && perm[i] < rank && !seen[static_cast<size_t>(perm[i])];
    if (valid) seen[static_cast<size_t>(perm[i])] = true;
  }
  if (!valid) {
    return absl::InvalidArgumentError(StrCat("perm ", List(perm),
                                             " is not a permutation of 0..", rank - 1,
                                             " (the operand has rank ", rank, ")"));
  }
  Ints dims;
  for (int64_t p : perm) dims.push_back(x.shape.dim(p));
  return One(x.dtype, std::move(dims));
}

Types InferBroadcastTo(const InferContext& c) {
  const TensorType& x = c.operand(0);
  const Ints& target = c.attr<Ints>("shape");
  for (int64_t d : target) {
    if (d < 0) {
      return absl::InvalidArgumentError(
          StrCat("target shape ", List(target), " must be static with dims >= 0"));
    }
  }
  absl::StatusOr<Shape> b = BroadcastShapes(x.shape, Shape(target));
  if (!b.ok()) return b.status();
  if (*b != Shape(target)) {
    return absl::InvalidArgumentError(StrCat("cannot broadcast ", x.shape.ToString(), " to ",
                                             List(target), " (broadcasting gives ",
                                             b->ToString(), ")"));
  }
  return One(x.dtype, target);
}

Types InferBroadcastLike(const InferContext& c) {
  const TensorType& x = c.operand(0);
  const Shape& like = c.operand(1).shape;
  absl::StatusOr<Shape> b = BroadcastShapes(x.shape, like);
  if (!b.ok()) return b.status();
  // The broadcast must not grow `like`: a wider rank, or a static dim of x
  // stretching a static 1 of `like`. A `?` on either side is checked at run time.
  bool fits = b->rank() == like.rank();
  for (int64_t i = 0; fits && i < like.rank(); ++i) {
    fits = b->dim(i) == like.dim(i) || b->dim(i) == kDynamic || like.dim(i) == kDynamic;
  }
  if (!fits) {
    return absl::InvalidArgumentError(StrCat("cannot broadcast ", x.shape.ToString(), " to ",
                                             like.ToString(), " (broadcasting gives ",
                                             b->ToString(), ")"));
  }
  return std::vector<TensorType>{TensorType{x.dtype, like}};
}

Types InferExpandDims(const InferContext& c) {
  const TensorType& x = c.operand(0);
  absl::StatusOr<int64_t> axis = InsertionAxis(c.attr<int64_t>("axis"), x.shape.rank());
  if (!axis.ok()) return axis.status();
  Ints dims = x.shape.dims();
  dims.insert(dims.begin() + *axis, 1);
  return One(x.dtype, std::move(dims));
}

Types InferSqueeze(const InferContext& c) {
  const TensorType& x = c.operand(0);
  const int64_t rank = x.shape.rank();
  const Ints& axes = c.attr<Ints>("axes");
  std::vector<bool> drop(static_cast<size_t>(rank), false);
  if (axes.empty()) {
    // Only dims known to be 1: a `?` might not be.
    for (int64_t i = 0; i < rank; ++i) drop[static_cast<size_t>(i)] = x.shape.dim(i) == 1;
  }
  for (int64_t a : axes) {
    absl::StatusOr<int64_t> axis = NormalizeAxis(a, rank);
    if (!axis.ok()) return axis.status();
    const int64_t d = x.shape.dim(*axis);
    if (drop[static_cast<size_t>(*axis)]) {
      return absl::InvalidArgumentError(StrCat("axes ", List(axes), " repeat axis ", *axis));
    }
    if (d == kDynamic) {
      return absl::InvalidArgumentError(
          StrCat("cannot squeeze a dynamic dim (axis ", *axis, " is ?)"));
    }
    if (d != 1) {
      return absl::InvalidArgumentError(
          StrCat("cannot squeeze axis ", *axis, " of size ", d, " (only size-1 dims)"));
    }
    drop[static_cast<size_t>(*axis)] = true;
  }
  Ints dims;
  for (int64_t i = 0; i < rank; ++i) {
    if (!drop[static_cast<size_t>(i)]) dims.push_back(x.shape.dim(i));
  }
  return One(x.dtype, std::move(dims));
}

// Errors unless `mask` only has bits for dims 0..rank-1.
absl::Status CheckMask(const InferContext& c, std::string_view name, int64_t rank) {
  const int64_t mask = c.attr<int64_t>(name);
  if (mask < 0 || (rank < 63 && (mask >> rank) != 0)) {
    return absl::InvalidArgumentError(
        StrCat(name, " ", mask, " has bits beyond the operand's ", rank, " dims"));
  }
  return absl::OkStatus();
}

// The number of elements tf.strided_slice takes from a static dim of size `d`
// (not shrunk): begin/end count from the end when negative, then clamp to the
// dim like Python slicing; a masked bound is the full range in the stride's
// direction.
int64_t SliceSize(int64_t d, int64_t begin, int64_t end, int64_t stride, bool begin_masked,
                  bool end_masked) {
  // Valid bounds: [0, d] going forward, [-1, d-1] going backward (-1 is "before 0").
  const int64_t lo = stride > 0 ? 0 : -1;
  const int64_t hi = stride > 0 ? d : d - 1;
  auto canonical = [&](int64_t v, bool masked, bool is_begin) {
    if (masked) return (stride > 0) == is_begin ? lo : hi;
    if (v < 0) v += d;
    return std::clamp(v, lo, hi);
  };
  const int64_t b = canonical(begin, begin_masked, true);
  const int64_t e = canonical(end, end_masked, false);
  const int64_t span = e - b;
  if (span == 0 || (span < 0) != (stride < 0)) return 0;
  return span / stride + (span % stride != 0 ? 1 : 0);
}

Types InferStridedSlice(const InferContext& c) {
  const TensorType& x = c.operand(0);
  const int64_t rank = x.shape.rank();
  const Ints& begin = c.attr<Ints>("begin");
  const Ints& end = c.attr<Ints>("end");
  const Ints& strides = c.attr<Ints>("strides");
  for (const auto& [name, list] : {std::pair<std::string_view, const Ints*>{"begin", &begin},
                                   {"end", &end},
                                   {"strides", &strides}}) {
    if (static_cast<int64_t>(list->size()) != rank) {
      return absl::InvalidArgumentError(
          StrCat(name, " ", List(*list), " must have one entry per dim (", rank, ")"));
    }
  }
  for (std::string_view mask : {"begin_mask", "end_mask", "shrink_axis_mask"}) {
    if (absl::Status s = CheckMask(c, mask, rank); !s.ok()) return s;
  }
  const int64_t begin_mask = c.attr<int64_t>("begin_mask");
  const int64_t end_mask = c.attr<int64_t>("end_mask");
  const int64_t shrink_mask = c.attr<int64_t>("shrink_axis_mask");
  Ints dims;
  for (int64_t i = 0; i < rank; ++i) {
    const size_t k = static_cast<size_t>(i);
    const int64_t d = x.shape.dim(i);
    if (strides[k] == 0) {
      return absl::InvalidArgumentError(StrCat("strides ", List(strides), " has a 0 at dim ", i));
    }
    if ((shrink_mask >> i) & 1) {
      // Indexed by begin[i] alone; the dim disappears.
      const int64_t index = begin[k] < 0 && d != kDynamic ? begin[k] + d : begin[k];
      if (d != kDynamic && (index < 0 || index >= d)) {
        return absl::InvalidArgumentError(StrCat("index ", begin[k], " is out of range for dim ",
                                                 i, " of size ", d));
      }
      continue;
    }
    if (d == kDynamic) {
      dims.push_back(kDynamic);
      continue;
    }
    dims.push_back(SliceSize(d, begin[k], end[k], strides[k], (begin_mask >> i) & 1,
                             (end_mask >> i) & 1));
  }
  return One(x.dtype, std::move(dims));
}

Types InferGather(const InferContext& c) {
  const TensorType& params = c.operand(0);
  const TensorType& indices = c.operand(1);
  if (!IsInteger(indices.dtype)) {
    return absl::InvalidArgumentError(
        StrCat("indices must be integer, got ", DTypeName(indices.dtype)));
  }
  absl::StatusOr<int64_t> axis = NormalizeAxis(c.attr<int64_t>("axis"), params.shape.rank());
  if (!axis.ok()) return axis.status();
  const Ints& p = params.shape.dims();
  Ints dims(p.begin(), p.begin() + *axis);
  dims.insert(dims.end(), indices.shape.dims().begin(), indices.shape.dims().end());
  dims.insert(dims.end(), p.begin() + *axis + 1, p.end());
  return One(params.dtype, std::move(dims));
}

Types InferConcat(const InferContext& c) {
  if (absl::Status s = ops::CheckSameDType(c); !s.ok()) return s;
  const TensorType& first = c.operand(0);
  const int64_t rank = first.shape.rank();
  absl::StatusOr<int64_t> axis = NormalizeAxis(c.attr<int64_t>("axis"), rank);
  if (!axis.ok()) return axis.status();
  Ints dims = first.shape.dims();
  for (size_t i = 1; i < c.operands.size(); ++i) {
    const Shape& s = c.operand(i).shape;
    if (s.rank() != rank) {
      return absl::InvalidArgumentError(
          StrCat("operand ", i, " has rank ", s.rank(), ", operand 0 has rank ", rank));
    }
    for (int64_t j = 0; j < rank; ++j) {
      int64_t& d = dims[static_cast<size_t>(j)];
      const int64_t e = s.dim(j);
      if (j == *axis) {
        d = d == kDynamic || e == kDynamic ? kDynamic : d + e;
      } else if (d == kDynamic) {
        d = e;  // a static dim elsewhere pins the `?`
      } else if (e != kDynamic && e != d) {
        return absl::InvalidArgumentError(StrCat("operand ", i, " has size ", e, " in dim ", j,
                                                 ", the others have ", d,
                                                 " (only the concat axis ", *axis, " may differ)"));
      }
    }
  }
  return One(first.dtype, std::move(dims));
}

// reshape_like(x, like): x's elements with like's dims.
Types InferReshapeLike(const InferContext& c) {
  const TensorType& x = c.operand(0);
  const Shape& like = c.operand(1).shape;
  const std::optional<int64_t> n = x.shape.num_elements(), m = like.num_elements();
  if (n.has_value() && m.has_value() && *n != *m) {
    return absl::InvalidArgumentError(StrCat("cannot reshape ", x.shape.ToString(), " (", *n,
                                             " elements) to the shape of `like` ",
                                             like.ToString(), " (", *m, " elements)"));
  }
  return std::vector<TensorType>{TensorType{x.dtype, like}};
}

// True if `a` and `b` have one rank and equal dims wherever both are static.
bool ShapesMayMatch(const Shape& a, const Shape& b) {
  if (a.rank() != b.rank()) return false;
  for (int64_t i = 0; i < a.rank(); ++i) {
    if (a.dim(i) != kDynamic && b.dim(i) != kDynamic && a.dim(i) != b.dim(i)) return false;
  }
  return true;
}

// strided_slice_grad(g, like): like's shape, g's dtype; g must have the shape
// strided_slice(like) has with the same attributes.
Types InferStridedSliceGrad(const InferContext& c) {
  const TensorType& g = c.operand(0);
  const TensorType& like = c.operand(1);
  const InferContext slice{c.op_name, std::span<const TensorType>(&like, 1), c.attrs, c.regions,
                           c.module};
  Types sliced = InferStridedSlice(slice);
  if (!sliced.ok()) return sliced.status();
  const Shape& want = (*sliced)[0].shape;
  if (!ShapesMayMatch(g.shape, want)) {
    return absl::InvalidArgumentError(StrCat("g has shape ", g.shape.ToString(), " but slicing ",
                                             like.shape.ToString(), " gives ", want.ToString()));
  }
  return One(g.dtype, like.shape.dims());
}

// scatter_add(like, indices, updates): like's type; updates are shaped like
// gather(like, indices) with the same axis.
Types InferScatterAdd(const InferContext& c) {
  const TensorType& like = c.operand(0);
  const TensorType& indices = c.operand(1);
  const TensorType& updates = c.operand(2);
  if (absl::Status s = ops::CheckDType(like, DTypeClass::kNumeric); !s.ok()) return s;
  if (!IsInteger(indices.dtype)) {
    return absl::InvalidArgumentError(
        StrCat("indices must be integer, got ", DTypeName(indices.dtype)));
  }
  if (updates.dtype != like.dtype) {
    return absl::InvalidArgumentError(StrCat("updates are ", DTypeName(updates.dtype),
                                             " but `like` is ", DTypeName(like.dtype),
                                             " (cast one of them first)"));
  }
  absl::StatusOr<int64_t> axis = NormalizeAxis(c.attr<int64_t>("axis"), like.shape.rank());
  if (!axis.ok()) return axis.status();
  const Ints& p = like.shape.dims();
  Ints want(p.begin(), p.begin() + *axis);
  want.insert(want.end(), indices.shape.dims().begin(), indices.shape.dims().end());
  want.insert(want.end(), p.begin() + *axis + 1, p.end());
  if (!ShapesMayMatch(updates.shape, Shape(want))) {
    return absl::InvalidArgumentError(
        StrCat("updates have shape ", updates.shape.ToString(), ", expected ",
               Shape(want).ToString(), " (like[:axis] + indices.shape + like[axis+1:], axis ",
               *axis, ")"));
  }
  return std::vector<TensorType>{like};
}

// The attributes of strided_slice and strided_slice_grad.
std::vector<AttrSpec> SliceAttrs() {
  return {{"begin", AttrKind::kInts, std::nullopt},
          {"end", AttrKind::kInts, std::nullopt},
          {"strides", AttrKind::kInts, std::nullopt},
          {"begin_mask", AttrKind::kInt, int64_t{0}},
          {"end_mask", AttrKind::kInt, int64_t{0}},
          {"shrink_axis_mask", AttrKind::kInt, int64_t{0}}};
}

// The gradient of concat: one slice of g per operand, at static offsets
// along the axis (the other dims are taken whole through the masks).
Grads ConcatVjp(Builder& b, const Op& op, ResultGrads rg) {
  GradBuilder e(b, op, rg);
  const int64_t rank = op.result()->shape().rank();
  const int64_t raw_axis = op.attr<int64_t>("axis");
  const int64_t axis = raw_axis < 0 ? raw_axis + rank : raw_axis;  // verified in range
  // Checked before anything is emitted, so a failed rule leaves no ops behind.
  for (int i = 0; i < op.num_operands(); ++i) {
    if (op.operand(i)->shape().dim(axis) == kDynamic) {
      e.Fail(absl::UnimplementedError(StrCat(
          "concat: gradient along a dynamic axis is not supported (operand ", i, " is ",
          op.operand(i)->type().ToString(), ", axis ", axis, ")")));
    }
  }
  if (rank >= 63) e.Fail(absl::UnimplementedError("concat: no gradient for rank >= 63"));
  const int64_t others = rank >= 63 ? 0 : ((int64_t{1} << rank) - 1) & ~(int64_t{1} << axis);
  std::vector<Value*> grads;
  int64_t offset = 0;
  for (Value* x : op.operands()) {
    Ints begin(static_cast<size_t>(rank), 0), end(static_cast<size_t>(rank), 0);
    begin[static_cast<size_t>(axis)] = offset;
    offset += x->shape().dim(axis);
    end[static_cast<size_t>(axis)] = offset;
    Value* slice = e.Emit("strided_slice", {e.g()},
                          {{"begin", begin}, {"end", end}, {"strides", Ints(begin.size(), 1)},
                           {"begin_mask", others}, {"end_mask", others}});
    grads.push_back(e.MatchType(slice, x));
  }
  return e.Done(std::move(grads));
}

// reshape, expand_dims, squeeze: the same elements back in x's shape.
Grads ReshapeBackVjp(Builder& b, const Op& op, ResultGrads rg) {
  GradBuilder e(b, op, rg);
  return e.Done({e.Emit("reshape_like", {e.g(), op.operand(0)})});
}

// A structural shape op with one operand.
OpDef ShapeOp(std::string_view name, std::string_view summary, std::vector<AttrSpec> attrs,
              InferFn infer, FusionKind fusion = FusionKind::kInjective) {
  OpDef def;
  def.name = name;
  def.summary = summary;
  def.num_operands = 1;
  def.attrs = std::move(attrs);
  def.infer = infer;
  def.fusion = fusion;
  def.structural = true;
  return def;
}

}  // namespace

void RegisterShapeOps(OpRegistry& r) {
  // ---- reshape: same elements in row-major order, new dims ----
  {
    OpDef def = ShapeOp("reshape", "the elements of x in row-major order, with dims `shape`",
                        {{"shape", AttrKind::kInts, std::nullopt}}, InferReshape);
    def.vjp = ReshapeBackVjp;
    r.Register(std::move(def));
  }

  // ---- transpose: permutes dims ----
  {
    OpDef def = ShapeOp("transpose", "permutes the dims of x (`perm`; empty reverses them)",
                        {{"perm", AttrKind::kInts, Ints{}}}, InferTranspose);
    def.vjp = [](Builder& b, const Op& op, ResultGrads rg) -> Grads {
      GradBuilder e(b, op, rg);
      const Ints& perm = op.attr<Ints>("perm");
      Ints inverse(perm.size());  // an empty perm (reverse) is its own inverse
      for (size_t i = 0; i < perm.size(); ++i) {
        inverse[static_cast<size_t>(perm[i])] = static_cast<int64_t>(i);
      }
      return e.Done({e.Emit("transpose", {e.g()}, {{"perm", inverse}})});
    };
    r.Register(std::move(def));
  }

  // ---- broadcast_to: NumPy broadcast to a static shape ----
  {
    OpDef def = ShapeOp("broadcast_to", "broadcasts x to the static shape `shape`",
                        {{"shape", AttrKind::kInts, std::nullopt}}, InferBroadcastTo,
                        FusionKind::kBroadcast);
    def.vjp = [](Builder& b, const Op& op, ResultGrads rg) -> Grads {
      GradBuilder e(b, op, rg);
      return e.Done({e.SumTo(e.g(), op.operand(0))});
    };
    r.Register(std::move(def));
  }

  // ---- broadcast_like: NumPy broadcast to another value's shape ----
  {
    OpDef def = ShapeOp("broadcast_like", "broadcasts x to the shape of `like` (dtype of x)", {},
                        InferBroadcastLike, FusionKind::kBroadcast);
    def.num_operands = 2;
    def.vjp = [](Builder& b, const Op& op, ResultGrads rg) -> Grads {
      GradBuilder e(b, op, rg);
      return e.Done({e.SumTo(e.g(), op.operand(0)), nullptr});
    };
    r.Register(std::move(def));
  }

  // ---- expand_dims: inserts a dim of size 1 ----
  {
    OpDef def = ShapeOp("expand_dims", "inserts a dim of size 1 at `axis`",
                        {{"axis", AttrKind::kInt, std::nullopt}}, InferExpandDims);
    def.vjp = ReshapeBackVjp;
    r.Register(std::move(def));
  }

  // ---- squeeze: removes dims of size 1 ----
  {
    OpDef def = ShapeOp("squeeze", "removes size-1 dims (`axes`, or all static ones)",
                        {{"axes", AttrKind::kInts, Ints{}}}, InferSqueeze);
    def.vjp = ReshapeBackVjp;
    r.Register(std::move(def));
  }

  // ---- strided_slice: tf.strided_slice without ellipsis/new-axis masks ----
  {
    OpDef def = ShapeOp("strided_slice", "x[begin:end:strides] per dim, TensorFlow-style masks",
                        SliceAttrs(), InferStridedSlice);
    def.vjp = [](Builder& b, const Op& op, ResultGrads rg) -> Grads {
      GradBuilder e(b, op, rg);
      return e.Done({e.Emit("strided_slice_grad", {e.g(), op.operand(0)}, op.attrs())});
    };
    r.Register(std::move(def));
  }

  // ---- gather: picks slices of params along `axis` by integer indices ----
  {
    OpDef def = ShapeOp("gather", "params[..., indices, ...] along `axis` (tf.gather)",
                        {{"axis", AttrKind::kInt, int64_t{0}}}, InferGather);
    def.num_operands = 2;
    def.vjp = [](Builder& b, const Op& op, ResultGrads rg) -> Grads {
      GradBuilder e(b, op, rg);
      Value *params = op.operand(0), *indices = op.operand(1);
      const AttrMap axis = {{"axis", op.attr<int64_t>("axis")}};
      return e.Done({e.Emit("scatter_add", {params, indices, e.g()}, axis), nullptr});
    };
    r.Register(std::move(def));
  }

  // ---- concat: joins operands along `axis` ----
  {
    OpDef def = ShapeOp("concat", "joins the operands along `axis`",
                        {{"axis", AttrKind::kInt, std::nullopt}}, InferConcat);
    def.num_operands = OpDef::kVariadic;
    def.min_operands = 1;
    def.vjp = ConcatVjp;
    r.Register(std::move(def));
  }

  // ---- ops that gradients are built from ----
  // reshape_like: reshape to another value's (possibly dynamic) shape.
  {
    OpDef def = ShapeOp("reshape_like", "the elements of x in row-major order, with like's dims",
                        {}, InferReshapeLike);
    def.num_operands = 2;
    def.vjp = [](Builder& b, const Op& op, ResultGrads rg) -> Grads {
      GradBuilder e(b, op, rg);
      return e.Done({e.Emit("reshape_like", {e.g(), op.operand(0)}), nullptr});
    };
    r.Register(std::move(def));
  }

  // strided_slice_grad: the transpose of strided_slice (zeros elsewhere).
  {
    OpDef def = ShapeOp("strided_slice_grad",
                        "zeros shaped like `like`, with g where strided_slice(like) reads",
                        SliceAttrs(), InferStridedSliceGrad);
    def.num_operands = 2;
    def.vjp = [](Builder& b, const Op& op, ResultGrads rg) -> Grads {
      GradBuilder e(b, op, rg);
      Value* values = op.operand(0);  // what the forward op wrote into the zeros
      return e.Done({e.MatchType(e.Emit("strided_slice", {e.g()}, op.attrs()), values), nullptr});
    };
    r.Register(std::move(def));
  }

  // scatter_add: the transpose of gather. Several updates may add into one
  // element, so it is not injective: it gets its own fusion group.
  {
    OpDef def = ShapeOp("scatter_add",
                        "zeros shaped like `like`, plus updates added at indices along `axis`",
                        {{"axis", AttrKind::kInt, int64_t{0}}}, InferScatterAdd,
                        FusionKind::kOpaque);
    def.num_operands = 3;
    def.vjp = [](Builder& b, const Op& op, ResultGrads rg) -> Grads {
      GradBuilder e(b, op, rg);
      const AttrMap axis = {{"axis", op.attr<int64_t>("axis")}};
      Value* picked = e.Emit("gather", {e.g(), op.operand(1)}, axis);
      return e.Done({nullptr, nullptr, e.MatchType(picked, op.operand(2))});
    };
    r.Register(std::move(def));
  }
}

}  // namespace graphc::ir
