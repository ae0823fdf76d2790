// The ops gradients are built from (sum_to_like, reshape_like,
// strided_slice_grad, scatter_add) in the interpreter: exact values and every
// error; then a few gradient rules run end to end on values where the rule
// makes a choice (ties, x <= 0 in pow, zeros in prod, dynamic dims).
// Expected values are computed by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "compiler/interpreter/interpreter.h"
#include "ir/builder.h"
#include "ir/ops/vjp_util.h"

namespace graphc::interp {
namespace {

using ir::AttrMap;
using ir::DType;
using ir::Shape;
using Ints = std::vector<int64_t>;

template <typename T>
HostTensor Make(DType dtype, Shape shape, std::vector<T> v) {
  HostTensor t(dtype, std::move(shape));
  EXPECT_EQ(static_cast<int64_t>(v.size()), t.size());
  for (size_t i = 0; i < v.size(); ++i) t.mutable_data_as<T>()[i] = v[i];
  return t;
}
HostTensor F32(Shape s, std::vector<float> v) {
  return Make(DType::kF32, std::move(s), std::move(v));
}
HostTensor F64(Shape s, std::vector<double> v) {
  return Make(DType::kF64, std::move(s), std::move(v));
}
HostTensor I32(Shape s, std::vector<int32_t> v) {
  return Make(DType::kI32, std::move(s), std::move(v));
}
HostTensor I8(Shape s, std::vector<int8_t> v) {
  return Make(DType::kI8, std::move(s), std::move(v));
}
HostTensor Bool(Shape s, std::vector<uint8_t> v) {
  return Make(DType::kBool, std::move(s), std::move(v));
}

std::vector<double> Values(const HostTensor& t) {
  std::vector<double> v;
  for (int64_t i = 0; i < t.size(); ++i) v.push_back(t.GetDouble(i));
  return v;
}

HostTensor Eval(std::string_view op, std::vector<HostTensor> in, AttrMap attrs = {}) {
  absl::StatusOr<std::vector<HostTensor>> out = EvalOp(op, in, std::move(attrs), nullptr);
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? (*out)[0] : HostTensor();
}

std::string Error(std::string_view op, std::vector<HostTensor> in, AttrMap attrs = {}) {
  absl::StatusOr<std::vector<HostTensor>> out = EvalOp(op, in, std::move(attrs), nullptr);
  return out.ok() ? "ok" : std::string(out.status().message());
}

AttrMap Slice(Ints begin, Ints end, Ints strides, int64_t begin_mask = 0, int64_t end_mask = 0,
              int64_t shrink = 0) {
  return {{"begin", std::move(begin)}, {"end", std::move(end)}, {"strides", std::move(strides)},
          {"begin_mask", begin_mask},  {"end_mask", end_mask},  {"shrink_axis_mask", shrink}};
}

// ---- sum_to_like ----

TEST(SumToLike, SumsLeadingDims) {
  HostTensor out = Eval("sum_to_like", {F32({2, 3}, {1, 2, 3, 4, 5, 6}), F32({3}, {0, 0, 0})});
  EXPECT_EQ(out.type().ToString(), "f32[3]");
  EXPECT_EQ(Values(out), (std::vector<double>{5, 7, 9}));
}

TEST(SumToLike, SumsDimsWhereLikeIsOne) {
  const HostTensor x = F32({2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(Values(Eval("sum_to_like", {x, I32({2, 1}, {0, 0})})), (std::vector<double>{6, 15}));
  EXPECT_EQ(Values(Eval("sum_to_like", {x, F32({1, 3}, {0, 0, 0})})),
            (std::vector<double>{5, 7, 9}));
  HostTensor all = Eval("sum_to_like", {x, F32({}, {0})});
  EXPECT_EQ(all.type().ToString(), "f32[]");
  EXPECT_EQ(Values(all), (std::vector<double>{21}));
}

TEST(SumToLike, SameShapeIsACopyOfTheValues) {
  const HostTensor x = F64({2, 2}, {1.5, -0.0, 3, 4});
  HostTensor out = Eval("sum_to_like", {x, x});
  EXPECT_EQ(Values(out), (std::vector<double>{1.5, 0, 3, 4}));
}

TEST(SumToLike, ThreeDimsMixed) {
  // [2,2,2] to [2,1]: sum over dim 0 (leading) and dim 2 (like has 1).
  HostTensor out =
      Eval("sum_to_like", {F32({2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8}), F32({2, 1}, {0, 0})});
  EXPECT_EQ(Values(out), (std::vector<double>{1 + 2 + 5 + 6, 3 + 4 + 7 + 8}));
}

TEST(SumToLike, IntegersWrapAround) {
  HostTensor out = Eval("sum_to_like", {I8({3}, {100, 100, 1}), I8({1}, {0})});
  EXPECT_EQ(out.GetInt(0), -55);  // 201 wraps to 201 - 256
}

TEST(SumToLike, Errors) {
  EXPECT_EQ(Error("sum_to_like", {F32({3}, {1, 2, 3}), F32({2, 3}, {0, 0, 0, 0, 0, 0})}),
            "sum_to_like(f32[3], f32[2,3]): cannot sum [3] to the shape [2,3]: `like` has more "
            "dims");
  EXPECT_EQ(Error("sum_to_like", {F32({2, 3}, {1, 2, 3, 4, 5, 6}), F32({2}, {0, 0})}),
            "sum_to_like(f32[2,3], f32[2]): cannot sum [2,3] to the shape [2]: dim 0 of `like` "
            "is 2 where x has 3 (only an equal size or 1 fits)");
  EXPECT_EQ(Error("sum_to_like", {Bool({1}, {1}), Bool({1}, {1})}),
            "sum_to_like(bool[1], bool[1]): expects numeric (float or integer) operands, got bool");
}

// ---- reshape_like ----

TEST(ReshapeLike, TakesTheShapeOfLike) {
  HostTensor out =
      Eval("reshape_like", {F32({6}, {1, 2, 3, 4, 5, 6}), I32({3, 2}, {0, 0, 0, 0, 0, 0})});
  EXPECT_EQ(out.type().ToString(), "f32[3,2]");
  EXPECT_EQ(Values(out), (std::vector<double>{1, 2, 3, 4, 5, 6}));
}

TEST(ReshapeLike, ElementCountsMustMatch) {
  EXPECT_EQ(Error("reshape_like", {F32({2}, {1, 2}), F32({3}, {0, 0, 0})}),
            "reshape_like(f32[2], f32[3]): cannot reshape [2] (2 elements) to the shape of "
            "`like` [3] (3 elements)");
}

// ---- strided_slice_grad ----

TEST(StridedSliceGrad, WritesAtTheSlicedPositions) {
  // x[1:5:2] of a [5] reads positions 1 and 3.
  HostTensor out = Eval("strided_slice_grad", {F32({2}, {7, 8}), F32({5}, {0, 0, 0, 0, 0})},
                        Slice({1}, {5}, {2}));
  EXPECT_EQ(out.type().ToString(), "f32[5]");
  EXPECT_EQ(Values(out), (std::vector<double>{0, 7, 0, 8, 0}));
}

TEST(StridedSliceGrad, NegativeStrideWithMasks) {
  // x[::-1] reverses: out[i] = g[3 - i].
  HostTensor out = Eval("strided_slice_grad", {F32({4}, {1, 2, 3, 4}), F32({4}, {0, 0, 0, 0})},
                        Slice({0}, {0}, {-1}, 1, 1));
  EXPECT_EQ(Values(out), (std::vector<double>{4, 3, 2, 1}));
}

TEST(StridedSliceGrad, ShrunkDimAndNegativeIndex) {
  // x[-1, 1:] of a [2,3]: row 1, columns 1 and 2.
  HostTensor out = Eval("strided_slice_grad", {F64({2}, {5, 6}), F64({2, 3}, {0, 0, 0, 0, 0, 0})},
                        Slice({-1, 1}, {0, 3}, {1, 1}, 0, 0, 1));
  EXPECT_EQ(out.type().ToString(), "f64[2,3]");
  EXPECT_EQ(Values(out), (std::vector<double>{0, 0, 0, 0, 5, 6}));
}

TEST(StridedSliceGrad, DtypeOfGradShapeOfLikeAndBitsKept) {
  const float neg_zero = -0.0f;
  HostTensor out =
      Eval("strided_slice_grad", {F32({1}, {neg_zero}), I32({3}, {9, 9, 9})}, Slice({2}, {3}, {1}));
  EXPECT_EQ(out.type().ToString(), "f32[3]");
  EXPECT_TRUE(std::signbit(out.data_as<float>()[2]));  // written, not added to +0
  EXPECT_FALSE(std::signbit(out.data_as<float>()[0]));
}

TEST(StridedSliceGrad, EmptySliceGivesZeros) {
  HostTensor out =
      Eval("strided_slice_grad", {F32({0}, {}), F32({3}, {1, 1, 1})}, Slice({2}, {1}, {1}));
  EXPECT_EQ(Values(out), (std::vector<double>{0, 0, 0}));
}

TEST(StridedSliceGrad, Errors) {
  EXPECT_EQ(Error("strided_slice_grad", {F32({3}, {1, 2, 3}), F32({5}, {0, 0, 0, 0, 0})},
                  Slice({1}, {5}, {2})),
            "strided_slice_grad(f32[3], f32[5]): g has shape [3] but slicing [5] gives [2]");
  EXPECT_EQ(
      Error("strided_slice_grad", {F32({}, {1}), F32({2}, {0, 0})}, Slice({2}, {3}, {1}, 0, 0, 1)),
      "strided_slice_grad(f32[], f32[2]): index 2 is out of range for dim 0 of size 2");
  EXPECT_EQ(
      Error("strided_slice_grad", {F32({1}, {1}), F32({2}, {0, 0})}, Slice({0, 0}, {1, 1}, {1, 1})),
      "strided_slice_grad(f32[1], f32[2]): begin [0,0] must have one entry per dim (1)");
  EXPECT_EQ(Error("strided_slice_grad", {F32({1}, {1}), F32({2}, {0, 0})}, Slice({0}, {1}, {0})),
            "strided_slice_grad(f32[1], f32[2]): strides [0] has a 0 at dim 0");
  EXPECT_EQ(Error("strided_slice_grad", {F32({1}, {1}), F32({2}, {0, 0})},
                  {{"begin", Ints{0}}, {"end", Ints{1}}}),
            "op 'strided_slice_grad' needs attribute 'strides' (int list)");
}

// ---- scatter_add ----

TEST(ScatterAdd, DuplicateIndicesAccumulate) {
  HostTensor out =
      Eval("scatter_add", {F32({4}, {9, 9, 9, 9}), I32({3}, {1, 3, 1}), F32({3}, {10, 20, 30})});
  EXPECT_EQ(out.type().ToString(), "f32[4]");
  EXPECT_EQ(Values(out), (std::vector<double>{0, 40, 0, 20}));  // like's values are not used
}

TEST(ScatterAdd, RowsAlongAxisZero) {
  HostTensor out = Eval("scatter_add", {F64({3, 2}, {0, 0, 0, 0, 0, 0}), I32({2}, {2, 0}),
                                        F64({2, 2}, {1, 2, 3, 4})});
  EXPECT_EQ(Values(out), (std::vector<double>{3, 4, 0, 0, 1, 2}));
}

TEST(ScatterAdd, AxisOneWithTwoDimIndices) {
  // like [2,3], indices [[2,0],[2,2]] (shape [2,2]), updates [2, 2,2, ...]:
  // out[i, indices[j,k]] += updates[i, j, k].
  HostTensor out = Eval("scatter_add",
                        {F32({2, 3}, {0, 0, 0, 0, 0, 0}), I32({2, 2}, {2, 0, 2, 2}),
                         F32({2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8})},
                        {{"axis", int64_t{-1}}});
  EXPECT_EQ(Values(out), (std::vector<double>{2, 0, 1 + 3 + 4, 6, 0, 5 + 7 + 8}));
}

TEST(ScatterAdd, IntegersWrapAround) {
  HostTensor out = Eval("scatter_add", {I8({1}, {0}), I32({2}, {0, 0}), I8({2}, {127, 1})});
  EXPECT_EQ(out.GetInt(0), -128);
}

TEST(ScatterAdd, Errors) {
  const HostTensor like = F32({4}, {0, 0, 0, 0});
  EXPECT_EQ(Error("scatter_add", {like, I32({2}, {1, 4}), F32({2}, {1, 2})}),
            "scatter_add: index 4 is out of range [0, 4) along axis 0");
  EXPECT_EQ(Error("scatter_add", {like, I32({1}, {-1}), F32({1}, {1})}),
            "scatter_add: index -1 is out of range [0, 4) along axis 0");
  EXPECT_EQ(Error("scatter_add", {like, F32({1}, {1}), F32({1}, {1})}),
            "scatter_add(f32[4], f32[1], f32[1]): indices must be integer, got f32");
  EXPECT_EQ(Error("scatter_add", {like, I32({1}, {1}), F64({1}, {1})}),
            "scatter_add(f32[4], i32[1], f64[1]): updates are f64 but `like` is f32 (cast one of "
            "them first)");
  EXPECT_EQ(Error("scatter_add", {like, I32({2}, {1, 2}), F32({3}, {1, 2, 3})}),
            "scatter_add(f32[4], i32[2], f32[3]): updates have shape [3], expected [2] "
            "(like[:axis] + indices.shape + like[axis+1:], axis 0)");
  EXPECT_EQ(Error("scatter_add", {like, I32({1}, {1}), F32({1}, {1})}, {{"axis", int64_t{1}}}),
            "scatter_add(f32[4], i32[1], f32[1]): axis 1 is out of range for rank 1");
  EXPECT_EQ(Error("scatter_add", {Bool({1}, {0}), I32({1}, {0}), Bool({1}, {1})}),
            "scatter_add(bool[1], i32[1], bool[1]): expects numeric (float or integer) operands, "
            "got bool");
}

// ---- gradient rules run end to end ----

// Builds `op(params)` with the params typed `types` (default: the inputs'
// types), applies its rule to a gradient parameter, and runs the result on
// `inputs` and `g`. Operands without a gradient come back undefined.
std::vector<HostTensor> RunVjp(std::string_view op_name, const std::vector<HostTensor>& inputs,
                               const HostTensor& g, AttrMap attrs = {},
                               std::vector<ir::TensorType> types = {}) {
  ir::Module m;
  ir::Function* f = m.AddFunction("grad");
  ir::Builder b(&f->body());
  std::vector<ir::Value*> params;
  for (size_t i = 0; i < inputs.size(); ++i) {
    params.push_back(f->AddParam(types.empty() ? inputs[i].type() : types[i]));
  }
  absl::StatusOr<ir::Op*> op = b.Create(op_name, params, std::move(attrs));
  EXPECT_TRUE(op.ok()) << op.status();
  if (!op.ok()) return {};
  ir::Value* g_param = f->AddParam((*op)->result()->type());
  ir::Value* result_grads[] = {g_param};
  absl::StatusOr<std::vector<ir::Value*>> grads =
      (*op)->def().vjp(b, **op, ir::ops::ResultGrads(result_grads));
  EXPECT_TRUE(grads.ok()) << grads.status();
  if (!grads.ok()) return {};
  std::vector<ir::Value*> returned;
  std::vector<ir::TensorType> returned_types;
  for (ir::Value* v : *grads) {
    if (v == nullptr) continue;
    returned.push_back(v);
    returned_types.push_back(v->type());
  }
  f->set_result_types(returned_types);
  EXPECT_TRUE(b.Create("return", returned).ok());
  std::vector<HostTensor> args = inputs;
  args.push_back(g);
  absl::StatusOr<std::vector<HostTensor>> out = RunFunction(*f, args, nullptr);
  EXPECT_TRUE(out.ok()) << out.status();
  if (!out.ok()) return {};
  std::vector<HostTensor> result;
  size_t next = 0;
  for (ir::Value* v : *grads) result.push_back(v == nullptr ? HostTensor() : (*out)[next++]);
  return result;
}

TEST(VjpValues, MatmulOfSmallIntegersIsExact) {
  const HostTensor a = F64({2, 3}, {1, 2, 3, 4, 5, 6});
  const HostTensor b = F64({3, 2}, {1, 2, 3, 4, 5, 6});
  std::vector<HostTensor> d = RunVjp("matmul", {a, b}, F64({2, 2}, {1, 1, 1, 1}));
  EXPECT_EQ(Values(d[0]), (std::vector<double>{3, 7, 11, 3, 7, 11}));  // g B^T: B's row sums
  EXPECT_EQ(Values(d[1]), (std::vector<double>{5, 5, 7, 7, 9, 9}));    // A^T g: A's column sums
}

TEST(VjpValues, MatmulWithBothTransposesAndABroadcastBatch) {
  // a' = a^T: [[1,3],[2,4]]; b' = b^T = I; out = a'. With g = [[1,0],[0,0]]
  // in each of 2 batches: da = sum over the batch of (g b')^T = 2 * g^T.
  const HostTensor a = F64({2, 2}, {1, 2, 3, 4});
  const HostTensor b = F64({2, 2, 2}, {1, 0, 0, 1, 1, 0, 0, 1});
  std::vector<HostTensor> d = RunVjp("matmul", {a, b}, F64({2, 2, 2}, {1, 0, 0, 0, 1, 0, 0, 0}),
                                     {{"transpose_a", true}, {"transpose_b", true}});
  EXPECT_EQ(d[0].type().ToString(), "f64[2,2]");
  EXPECT_EQ(Values(d[0]), (std::vector<double>{2, 0, 0, 0}));
  // db = g^T a^T per batch: a^T = [[1,3],[2,4]], g^T a^T = [[1,3],[0,0]].
  EXPECT_EQ(Values(d[1]), (std::vector<double>{1, 3, 0, 0, 1, 3, 0, 0}));
}

TEST(VjpValues, ReduceMaxTiesShareTheGradient) {
  std::vector<HostTensor> d = RunVjp("reduce_max", {F32({2, 3}, {1, 3, 3, 2, 0, -1})},
                                     F32({2}, {1, 4}), {{"axes", Ints{1}}});
  EXPECT_EQ(Values(d[0]), (std::vector<double>{0, 0.5, 0.5, 4, 0, 0}));
}

TEST(VjpValues, ReduceMinOverAllAxes) {
  std::vector<HostTensor> d = RunVjp("reduce_min", {F32({2, 2}, {5, -1, -1, -1})}, F32({}, {3}));
  EXPECT_EQ(Values(d[0]), (std::vector<double>{0, 1, 1, 1}));
}

TEST(VjpValues, PowGivesTheExponentNoNaNWhereXIsNotPositive) {
  std::vector<HostTensor> d =
      RunVjp("pow", {F64({3}, {-2, 0, 4}), F64({3}, {2, 3, 0.5})}, F64({3}, {1, 1, 1}));
  EXPECT_EQ(Values(d[0]), (std::vector<double>{-4, 0, 0.25}));              // y * x^(y-1)
  EXPECT_EQ(Values(d[1]), (std::vector<double>{0, 0, 2 * std::log(4.0)}));  // out * log(x) if x > 0
}

TEST(VjpValues, ReduceProdIsNaNAtAZero) {
  // Documented: out / x is 0/0 at the zero (the true gradient is 2 * 3 = 6).
  std::vector<HostTensor> d = RunVjp("reduce_prod", {F64({3}, {2, 0, 3})}, F64({}, {1}));
  EXPECT_EQ(d[0].GetDouble(0), 0);
  EXPECT_TRUE(std::isnan(d[0].GetDouble(1)));
  EXPECT_EQ(d[0].GetDouble(2), 0);
}

TEST(VjpValues, DynamicBroadcastIsSummedAtRunTime) {
  // Both operands typed f32[?]; at run time y has 1 element and is broadcast.
  const ir::TensorType dyn{DType::kF32, Shape{ir::kDynamic}};
  std::vector<HostTensor> d =
      RunVjp("add", {F32({3}, {1, 1, 1}), F32({1}, {5})}, F32({3}, {1, 2, 3}), {}, {dyn, dyn});
  EXPECT_EQ(Values(d[0]), (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(d[1].type().ToString(), "f32[1]");
  EXPECT_EQ(Values(d[1]), (std::vector<double>{6}));
}

TEST(VjpValues, ReduceMeanCountsADynamicDimAtRunTime) {
  const ir::TensorType dyn{DType::kF32, Shape{ir::kDynamic, 2}};
  std::vector<HostTensor> d = RunVjp("reduce_mean", {F32({3, 2}, {1, 2, 3, 4, 5, 6})},
                                     F32({2}, {3, 6}), {{"axes", Ints{0}}}, {dyn});
  EXPECT_EQ(Values(d[0]), (std::vector<double>{1, 2, 1, 2, 1, 2}));
}

TEST(VjpValues, ConcatSplitsTheGradient) {
  std::vector<HostTensor> d = RunVjp("concat", {F32({2, 1}, {0, 0}), F32({2, 2}, {0, 0, 0, 0})},
                                     F32({2, 3}, {1, 2, 3, 4, 5, 6}), {{"axis", int64_t{1}}});
  EXPECT_EQ(Values(d[0]), (std::vector<double>{1, 4}));
  EXPECT_EQ(Values(d[1]), (std::vector<double>{2, 3, 5, 6}));
}

TEST(VjpValues, GatherWithDuplicateIndices) {
  std::vector<HostTensor> d =
      RunVjp("gather", {F32({4}, {9, 9, 9, 9}), I32({3}, {1, 1, 3})}, F32({3}, {1, 2, 3}));
  EXPECT_EQ(Values(d[0]), (std::vector<double>{0, 3, 0, 3}));
  EXPECT_FALSE(d[1].defined());
}

TEST(VjpValues, StridedSliceScattersBack) {
  std::vector<HostTensor> d =
      RunVjp("strided_slice", {F32({5}, {9, 9, 9, 9, 9})}, F32({2}, {7, 8}), Slice({1}, {5}, {2}));
  EXPECT_EQ(Values(d[0]), (std::vector<double>{0, 7, 0, 8, 0}));
}

TEST(VjpValues, SelectRoutesByTheCondition) {
  std::vector<HostTensor> d = RunVjp(
      "select", {Bool({3}, {1, 0, 1}), F32({3}, {0, 0, 0}), F32({}, {0})}, F32({3}, {1, 2, 3}));
  EXPECT_FALSE(d[0].defined());
  EXPECT_EQ(Values(d[1]), (std::vector<double>{1, 0, 3}));
  EXPECT_EQ(Values(d[2]), (std::vector<double>{2}));
}

TEST(VjpValues, CastBackToTheOperandsPrecision) {
  std::vector<HostTensor> d =
      RunVjp("cast", {F64({2}, {0, 0})}, F32({2}, {1.5, -2}), {{"dtype", DType::kF32}});
  EXPECT_EQ(d[0].type().ToString(), "f64[2]");
  EXPECT_EQ(Values(d[0]), (std::vector<double>{1.5, -2}));
}

TEST(VjpValues, MaximumGivesTiesToX) {
  std::vector<HostTensor> d =
      RunVjp("maximum", {F32({3}, {1, 2, 3}), F32({3}, {2, 2, 2})}, F32({3}, {10, 20, 30}));
  EXPECT_EQ(Values(d[0]), (std::vector<double>{0, 20, 30}));
  EXPECT_EQ(Values(d[1]), (std::vector<double>{10, 0, 0}));
}

}  // namespace
}  // namespace graphc::interp
