// Reductions: combine the elements along some axes into one (sum, mean,
// max, ...), and argmax/argmin. Executors implement them structurally; the
// fusion pass may put elementwise producers in front of them.
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_join.h"
#include "ir/op_registry.h"
#include "ir/ops/infer_util.h"
#include "ir/str_cat.h"

namespace graphc::ir {
namespace {

using ops::DTypeClass;
using ops::Types;

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
  r.Register(ReduceDef("reduce_sum", "sum over `axes` (all when empty)"));
  r.Register(ReduceDef("reduce_mean", "mean over `axes` (all when empty)"));
  r.Register(ReduceDef("reduce_max", "maximum over `axes`, NaN-propagating"));
  r.Register(ReduceDef("reduce_min", "minimum over `axes`, NaN-propagating"));
  r.Register(ReduceDef("reduce_prod", "product over `axes` (all when empty)"));

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
