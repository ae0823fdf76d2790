// Reductions: combine the elements along some axes into one (sum, mean,
// max, ...), and argmax/argmin. Executors implement them structurally; the
// fusion pass may put elementwise producers in front of them.
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

// The shape rule shared by every reduce_* op: `axes` (empty = all) are
// removed, or kept as size 1 with `keepdims`. The dtype is unchanged.
Types InferReduce(const InferContext& c, DTypeClass cls) {
  const TensorType& x = c.operand(0);
  if (absl::Status s = ops::CheckDType(x, cls); !s.ok()) return s;
  const auto& axes = c.attr<std::vector<int64_t>>("axes");
  const int64_t rank = x.shape.rank();
  std::vector<bool> reduced(static_cast<size_t>(rank), axes.empty());
  for (int64_t axis : axes) {
    absl::StatusOr<int64_t> a = NormalizeAxis(axis, rank);
    if (!a.ok()) return a.status();
    if (reduced[static_cast<size_t>(*a)]) {
      return absl::InvalidArgumentError(
          StrCat("axis ", axis, " is repeated in axes [", absl::StrJoin(axes, ","), "]"));
    }
    reduced[static_cast<size_t>(*a)] = true;
  }
  const bool keepdims = c.attr<bool>("keepdims");
  std::vector<int64_t> dims;
  for (int64_t i = 0; i < rank; ++i) {
    if (!reduced[static_cast<size_t>(i)]) {
      dims.push_back(x.shape.dim(i));
    } else if (keepdims) {
      dims.push_back(1);
    }
  }
  return std::vector<TensorType>{TensorType{x.dtype, Shape(std::move(dims))}};
}

Types InferNumericReduce(const InferContext& c) { return InferReduce(c, DTypeClass::kNumeric); }
Types InferBoolReduce(const InferContext& c) { return InferReduce(c, DTypeClass::kBool); }

// Removes `axis`; the result holds indices of dtype `dtype` (i32 or i64).
Types InferArgReduce(const InferContext& c) {
  const TensorType& x = c.operand(0);
  if (absl::Status s = ops::CheckDType(x, DTypeClass::kNumeric); !s.ok()) return s;
  const DType dtype = c.attr<DType>("dtype");
  if (dtype != DType::kI32 && dtype != DType::kI64) {
    return absl::InvalidArgumentError(StrCat("dtype must be i32 or i64, got ", DTypeName(dtype)));
  }
  absl::StatusOr<int64_t> axis = NormalizeAxis(c.attr<int64_t>("axis"), x.shape.rank());
  if (!axis.ok()) return axis.status();
  if (x.shape.dim(*axis) == 0) {
    return absl::InvalidArgumentError(
        StrCat("axis ", *axis, " has size 0: an empty axis has no ", c.op_name));
  }
  std::vector<int64_t> dims = x.shape.dims();
  dims.erase(dims.begin() + *axis);
  return std::vector<TensorType>{TensorType{dtype, Shape(std::move(dims))}};
}

// sum_to_like(x, like): x summed over its leading dims and over the dims
// where `like` has a 1, giving like's shape. Where both dims are static they
// must be equal or like's must be 1; a `?` is checked at run time.
Types InferSumToLike(const InferContext& c) {
  const TensorType& x = c.operand(0);
  const Shape& like = c.operand(1).shape;
  if (absl::Status s = ops::CheckDType(x, DTypeClass::kNumeric); !s.ok()) return s;
  const int64_t lead = x.shape.rank() - like.rank();
  if (lead < 0) {
    return absl::InvalidArgumentError(StrCat("cannot sum ", x.shape.ToString(), " to the shape ",
                                             like.ToString(), ": `like` has more dims"));
  }
  for (int64_t i = 0; i < like.rank(); ++i) {
    const int64_t xd = x.shape.dim(lead + i), ld = like.dim(i);
    if (xd != kDynamic && ld != kDynamic && ld != 1 && ld != xd) {
      return absl::InvalidArgumentError(
          StrCat("cannot sum ", x.shape.ToString(), " to the shape ", like.ToString(), ": dim ", i,
                 " of `like` is ", ld, " where x has ", xd, " (only an equal size or 1 fits)"));
    }
  }
  return std::vector<TensorType>{TensorType{x.dtype, like}};
}

// A reduction's gradient-side value `v` (shaped like the reduction's result)
// with the reduced dims put back as size 1, so it broadcasts against x.
Value* Expanded(GradBuilder& e, const Op& op, Value* v) {
  return e.ExpandReduced(v, op.operand(0), op.attr<Ints>("axes"), op.attr<bool>("keepdims"));
}

// How many elements of x each result element of a reduction combines, as a
// value that broadcasts against x: a constant when the reduced dims are
// static, else counted at run time as reduce_sum(ones) with keepdims.
Value* ReducedCount(GradBuilder& e, const Op& op) {
  Value* x = op.operand(0);
  const Ints& axes = op.attr<Ints>("axes");
  const int64_t rank = x->shape().rank();
  std::vector<bool> reduced(static_cast<size_t>(rank), axes.empty());
  for (int64_t a : axes) reduced[static_cast<size_t>(a < 0 ? a + rank : a)] = true;  // verified
  int64_t count = 1;
  for (int64_t i = 0; i < rank; ++i) {
    if (!reduced[static_cast<size_t>(i)]) continue;
    if (x->shape().dim(i) == kDynamic) {
      return e.ReduceSum(e.Emit("fill_like", {x}, {{"value", 1.0}}), axes, true);
    }
    count *= x->shape().dim(i);
  }
  return e.Const(static_cast<double>(count), x);
}

// reduce_max/reduce_min: g goes to the elements equal to the result, and
// ties share it equally (as in TensorFlow). A NaN result equals nothing, so
// no element gets a gradient.
Grads ExtremumVjp(Builder& b, const Op& op, ResultGrads rg) {
  GradBuilder e(b, op, rg);
  Value* x = op.operand(0);
  Value* hit = e.Emit("eq", {x, Expanded(e, op, op.result())});
  Value* ties = e.ReduceSum(e.Cast(hit, x->dtype()), op.attr<Ints>("axes"), true);
  return e.Done({e.Where(hit, e.Div(Expanded(e, op, e.g()), ties))});
}

// The common part of every reduce_* block.
OpDef ReduceDef(std::string_view name, std::string_view summary) {
  OpDef def;
  def.name = name;
  def.summary = summary;
  def.num_operands = 1;
  def.attrs = {{"axes", AttrKind::kInts, std::vector<int64_t>{}},
               {"keepdims", AttrKind::kBool, false}};
  def.infer = InferNumericReduce;
  def.fusion = FusionKind::kReduction;
  def.structural = true;
  return def;
}

OpDef ArgReduceDef(std::string_view name, std::string_view summary) {
  OpDef def;
  def.name = name;
  def.summary = summary;
  def.num_operands = 1;
  def.attrs = {{"axis", AttrKind::kInt, int64_t{0}}, {"dtype", AttrKind::kDType, DType::kI64}};
  def.infer = InferArgReduce;
  def.fusion = FusionKind::kReduction;
  def.structural = true;
  def.not_differentiable = true;  // integer indices
  return def;
}

}  // namespace

void RegisterReduceOps(OpRegistry& r) {
  // ---- numeric reductions (empty axes: all of them) ----
  // Gradients broadcast g back over the reduced dims (Expanded, then
  // broadcast_like or an elementwise op against x). Integer reductions have
  // none (GradBuilder is then inactive).
  {
    OpDef def = ReduceDef("reduce_sum", "sum over `axes` (all when empty)");
    def.vjp = [](Builder& b, const Op& op, ResultGrads rg) -> Grads {
      GradBuilder e(b, op, rg);
      return e.Done({e.BroadcastLike(Expanded(e, op, e.g()), op.operand(0))});
    };
    r.Register(std::move(def));
  }
  {
    OpDef def = ReduceDef("reduce_mean", "mean over `axes` (all when empty)");
    def.vjp = [](Builder& b, const Op& op, ResultGrads rg) -> Grads {
      GradBuilder e(b, op, rg);
      Value* count = ReducedCount(e, op);
      Value* share = e.Div(Expanded(e, op, e.g()), count);
      return e.Done({e.BroadcastLike(share, op.operand(0))});
    };
    r.Register(std::move(def));
  }
  {
    OpDef def = ReduceDef("reduce_max", "maximum over `axes`, NaN-propagating");
    def.vjp = ExtremumVjp;
    r.Register(std::move(def));
  }
  {
    OpDef def = ReduceDef("reduce_min", "minimum over `axes`, NaN-propagating");
    def.vjp = ExtremumVjp;
    r.Register(std::move(def));
  }
  // prod: d/dx_i = prod / x_i. Where x_i is 0 this is 0/0 = NaN (and inf/NaN
  // may appear when the product under/overflows): cheap, exact elsewhere.
  {
    OpDef def = ReduceDef("reduce_prod", "product over `axes` (all when empty)");
    def.vjp = [](Builder& b, const Op& op, ResultGrads rg) -> Grads {
      GradBuilder e(b, op, rg);
      Value* out = Expanded(e, op, op.result());
      Value* g_out = e.Mul(Expanded(e, op, e.g()), out);
      return e.Done({e.Div(g_out, op.operand(0))});
    };
    r.Register(std::move(def));
  }

  // ---- sum_to_like: the transpose of broadcast_like (used by gradients) ----
  {
    OpDef def;
    def.name = "sum_to_like";
    def.summary = "sums x over leading dims and dims where `like` is 1, to like's shape";
    def.num_operands = 2;
    def.infer = InferSumToLike;
    def.fusion = FusionKind::kReduction;
    def.structural = true;
    def.vjp = [](Builder& b, const Op& op, ResultGrads rg) -> Grads {
      GradBuilder e(b, op, rg);
      return e.Done({e.BroadcastLike(e.g(), op.operand(0)), nullptr});
    };
    r.Register(std::move(def));
  }

  // ---- logical reductions over bool ----
  {
    OpDef def = ReduceDef("reduce_any", "logical or over `axes`");
    def.infer = InferBoolReduce;
    def.not_differentiable = true;
    r.Register(std::move(def));
  }
  {
    OpDef def = ReduceDef("reduce_all", "logical and over `axes`");
    def.infer = InferBoolReduce;
    def.not_differentiable = true;
    r.Register(std::move(def));
  }

  // ---- index of the extreme element along one axis ----
  r.Register(ArgReduceDef("argmax", "index of the largest element along `axis` (first on ties)"));
  r.Register(ArgReduceDef("argmin", "index of the smallest element along `axis` (first on ties)"));
}

}  // namespace graphc::ir
