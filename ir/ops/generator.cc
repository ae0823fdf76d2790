// Ops that make tensors from attributes: constants, fills, ranges, one-hot
// encodings and stateless seeded random numbers.
#include <cmath>
#include <cstdint>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_join.h"
#include "ir/op_registry.h"
#include "ir/ops/infer_util.h"
#include "ir/str_cat.h"

namespace graphc::ir {
namespace {

using ops::DTypeClass;
using ops::Types;

// The `shape` attribute of a generator as a Shape. Generators make new
// tensors, so every dim must be known: there is no operand to take a `?` from.
absl::StatusOr<Shape> StaticShapeAttr(const InferContext& c) {
  const auto& dims = c.attr<std::vector<int64_t>>("shape");
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] < 0) {
      return absl::InvalidArgumentError(StrCat(
          "shape [", absl::StrJoin(dims, ","), "] has a negative dim at index ", i,
          " (generator shapes must be static)"));
    }
  }
  return Shape(dims);
}

// A random op's result: a float tensor of the static `shape` attribute.
Types RandomResult(const InferContext& c) {
  const DType dtype = c.attr<DType>("dtype");
  if (!IsFloat(dtype)) {
    return absl::InvalidArgumentError(
        StrCat("dtype must be f32 or f64, got ", DTypeName(dtype)));
  }
  absl::StatusOr<Shape> shape = StaticShapeAttr(c);
  if (!shape.ok()) return shape.status();
  return std::vector<TensorType>{TensorType{dtype, *std::move(shape)}};
}

// Element count of `range`: max(0, ceil((limit - start) / delta)).
absl::StatusOr<int64_t> RangeCount(double start, double limit, double delta) {
  if (delta == 0) return absl::InvalidArgumentError("delta must not be 0");
  const double q = std::ceil((limit - start) / delta);
  if (!std::isfinite(q)) {
    return absl::InvalidArgumentError(StrCat(
        "start, limit and delta must be finite, got ", start, ", ", limit, ", ", delta));
  }
  // 2^62 keeps the count exact in a double and far from overflow in products.
  if (q > 4611686018427387904.0) {
    return absl::InvalidArgumentError(StrCat("the range has too many elements (", q, ")"));
  }
  return q <= 0 ? int64_t{0} : static_cast<int64_t>(q);
}

}  // namespace

void RegisterGeneratorOps(OpRegistry& r) {
  // ---- constant: a literal tensor ----
  {
    OpDef def;
    def.name = "constant";
    def.summary = "a literal tensor (`value`)";
    def.num_operands = 0;
    def.attrs = {{"value", AttrKind::kDense, std::nullopt}};
    def.infer = [](const InferContext& c) -> Types {
      return std::vector<TensorType>{c.attr<DenseElements>("value").type()};
    };
    def.fusion = FusionKind::kElementwise;  // a splat folds into any loop
    def.structural = true;
    def.not_differentiable = true;
    r.Register(std::move(def));
  }

  // ---- fill: a tensor of one value (zeros and ones are fills) ----
  {
    OpDef def;
    def.name = "fill";
    def.summary = "a `dtype[shape]` tensor with every element `value`";
    def.num_operands = 0;
    def.attrs = {{"shape", AttrKind::kInts, std::nullopt},
                 {"value", AttrKind::kFloat, std::nullopt},
                 {"dtype", AttrKind::kDType, DType::kF32}};
    def.infer = [](const InferContext& c) -> Types {
      absl::StatusOr<Shape> shape = StaticShapeAttr(c);
      if (!shape.ok()) return shape.status();
      return std::vector<TensorType>{TensorType{c.attr<DType>("dtype"), *std::move(shape)}};
    };
    def.fusion = FusionKind::kElementwise;
    def.structural = true;
    def.not_differentiable = true;  // no operands
    r.Register(std::move(def));
  }

  // ---- fill_like: a fill with the type of an operand (dynamic dims allowed) ----
  {
    OpDef def;
    def.name = "fill_like";
    def.summary = "a tensor of x's type with every element `value`";
    def.num_operands = 1;
    def.attrs = {{"value", AttrKind::kFloat, std::nullopt}};
    def.infer = [](const InferContext& c) -> Types {
      return std::vector<TensorType>{c.operand(0)};
    };
    def.fusion = FusionKind::kElementwise;
    def.structural = true;
    def.not_differentiable = true;  // the result does not depend on x's values
    r.Register(std::move(def));
  }

  // ---- range: start, start + delta, ... up to (excluding) limit ----
  {
    OpDef def;
    def.name = "range";
    def.summary = "[start, start + delta, ...) stopping before `limit`, as `dtype`";
    def.num_operands = 0;
    def.attrs = {{"start", AttrKind::kFloat, std::nullopt},
                 {"limit", AttrKind::kFloat, std::nullopt},
                 {"delta", AttrKind::kFloat, 1.0},
                 {"dtype", AttrKind::kDType, DType::kI32}};
    def.infer = [](const InferContext& c) -> Types {
      const DType dtype = c.attr<DType>("dtype");
      if (!IsNumeric(dtype)) {
        return absl::InvalidArgumentError(
            StrCat("dtype must be numeric, got ", DTypeName(dtype)));
      }
      absl::StatusOr<int64_t> n =
          RangeCount(c.attr<double>("start"), c.attr<double>("limit"), c.attr<double>("delta"));
      if (!n.ok()) return n.status();
      return std::vector<TensorType>{TensorType{dtype, Shape{*n}}};
    };
    def.fusion = FusionKind::kInjective;
    def.structural = true;
    def.not_differentiable = true;  // no operands
    r.Register(std::move(def));
  }

  // ---- random_uniform: stateless, seeded ----
  {
    OpDef def;
    def.name = "random_uniform";
    def.summary = "uniform random numbers in [minval, maxval); same seed, same numbers";
    def.num_operands = 0;
    def.attrs = {{"shape", AttrKind::kInts, std::nullopt},
                 {"seed", AttrKind::kInt, std::nullopt},
                 {"minval", AttrKind::kFloat, 0.0},
                 {"maxval", AttrKind::kFloat, 1.0},
                 {"dtype", AttrKind::kDType, DType::kF32}};
    def.infer = RandomResult;
    def.fusion = FusionKind::kOpaque;
    def.kernel = "random_uniform";
    def.not_differentiable = true;
    r.Register(std::move(def));
  }

  // ---- random_normal: stateless, seeded ----
  {
    OpDef def;
    def.name = "random_normal";
    def.summary = "normal random numbers (mean, stddev); same seed, same numbers";
    def.num_operands = 0;
    def.attrs = {{"shape", AttrKind::kInts, std::nullopt},
                 {"seed", AttrKind::kInt, std::nullopt},
                 {"mean", AttrKind::kFloat, 0.0},
                 {"stddev", AttrKind::kFloat, 1.0},
                 {"dtype", AttrKind::kDType, DType::kF32}};
    def.infer = RandomResult;
    def.fusion = FusionKind::kOpaque;
    def.kernel = "random_normal";
    def.not_differentiable = true;
    r.Register(std::move(def));
  }

  // ---- one_hot: indices -> on_value at the index, off_value elsewhere ----
  {
    OpDef def;
    def.name = "one_hot";
    def.summary = "one-hot encoding of integer indices along a new dim of size `depth`";
    def.num_operands = 1;
    def.attrs = {{"depth", AttrKind::kInt, std::nullopt},
                 {"on_value", AttrKind::kFloat, 1.0},
                 {"off_value", AttrKind::kFloat, 0.0},
                 {"axis", AttrKind::kInt, int64_t{-1}},
                 {"dtype", AttrKind::kDType, DType::kF32}};
    def.infer = [](const InferContext& c) -> Types {
      const TensorType& indices = c.operand(0);
      if (absl::Status s = ops::CheckDType(indices, DTypeClass::kInteger); !s.ok()) return s;
      const int64_t depth = c.attr<int64_t>("depth");
      if (depth < 0) {
        return absl::InvalidArgumentError(StrCat("depth must be >= 0, got ", depth));
      }
      const int64_t rank = indices.shape.rank();
      int64_t axis = c.attr<int64_t>("axis");
      // The new dim may go anywhere from before the first dim to after the last.
      if (axis < -rank - 1 || axis > rank) {
        return absl::InvalidArgumentError(StrCat("axis ", axis, " is out of range [", -rank - 1,
                                                 ", ", rank, "] for indices of rank ", rank));
      }
      if (axis < 0) axis += rank + 1;
      std::vector<int64_t> dims = indices.shape.dims();
      dims.insert(dims.begin() + axis, depth);
      return std::vector<TensorType>{TensorType{c.attr<DType>("dtype"), Shape(std::move(dims))}};
    };
    def.fusion = FusionKind::kInjective;
    def.structural = true;
    def.not_differentiable = true;
    r.Register(std::move(def));
  }
}

}  // namespace graphc::ir
