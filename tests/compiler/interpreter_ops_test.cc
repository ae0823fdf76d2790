// The reference interpreter on every non-elementwise op, one op at a time
// through EvalOp. Expected values are worked out by hand from the op reference in docs/ir.md;
// a tolerance appears only where the exact value is irrational, and says so.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "compiler/interpreter/interpreter.h"
#include "ir/module.h"

namespace graphc::interp {
namespace {

using ir::AttrMap;
using ir::DType;
using ir::Shape;
using Ints = std::vector<int64_t>;
using Doubles = std::vector<double>;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A tensor of `dtype` holding `v` (converted as SetDouble converts).
HostTensor T(DType dtype, Shape shape, Doubles v) {
  HostTensor t(dtype, std::move(shape));
  EXPECT_EQ(static_cast<size_t>(t.size()), v.size()) << "test bug: wrong number of values";
  for (size_t i = 0; i < v.size() && i < static_cast<size_t>(t.size()); ++i) {
    t.SetDouble(static_cast<int64_t>(i), v[i]);
  }
  return t;
}
HostTensor F32(Shape shape, Doubles v) { return T(DType::kF32, std::move(shape), std::move(v)); }
HostTensor I32(Shape shape, Doubles v) { return T(DType::kI32, std::move(shape), std::move(v)); }

Doubles Values(const HostTensor& t) {
  Doubles v;
  for (int64_t i = 0; i < t.size(); ++i) v.push_back(t.GetDouble(i));
  return v;
}

absl::StatusOr<std::vector<HostTensor>> RunOp(std::string_view op, std::vector<HostTensor> in,
                                            AttrMap attrs = {}, VariableStore* store = nullptr,
                                            const ir::Module* module = nullptr) {
  return EvalOp(op, in, std::move(attrs), store, module);
}

// The single result of a successful op.
HostTensor Eval(std::string_view op, std::vector<HostTensor> in, AttrMap attrs = {}) {
  absl::StatusOr<std::vector<HostTensor>> out = RunOp(op, std::move(in), std::move(attrs));
  EXPECT_TRUE(out.ok()) << out.status();
  if (!out.ok() || out->size() != 1) return HostTensor();
  return (*out)[0];
}

// The message of an op that must fail.
std::string Error(std::string_view op, std::vector<HostTensor> in, AttrMap attrs = {}) {
  absl::StatusOr<std::vector<HostTensor>> out = RunOp(op, std::move(in), std::move(attrs));
  EXPECT_FALSE(out.ok()) << op << " unexpectedly succeeded";
  return out.ok() ? "" : std::string(out.status().message());
}

// ============================== generator ==============================

TEST(InterpGenerator, ConstantIsTheLiteral) {
  ir::DenseElements e(ir::TensorType{DType::kI32, Shape{2, 2}});
  for (int64_t i = 0; i < 4; ++i) e.SetInt(i, (i + 1) * -7);
  HostTensor out = Eval("constant", {}, {{"value", e}});
  EXPECT_EQ(out.type(), (ir::TensorType{DType::kI32, Shape{2, 2}}));
  EXPECT_EQ(Values(out), (Doubles{-7, -14, -21, -28}));

  ir::DenseElements b(ir::TensorType{DType::kBool, Shape{3}});
  b.SetInt(1, 1);
  EXPECT_EQ(Values(Eval("constant", {}, {{"value", b}})), (Doubles{0, 1, 0}));
}

TEST(InterpGenerator, FillConvertsTheValueToEachDType) {
  auto fill = [](DType dtype, double value) {
    return Eval("fill", {}, {{"shape", Ints{2, 2}}, {"value", value}, {"dtype", dtype}});
  };
  HostTensor f32 = fill(DType::kF32, 2.5);
  EXPECT_EQ(f32.type(), (ir::TensorType{DType::kF32, Shape{2, 2}}));
  EXPECT_EQ(Values(f32), (Doubles{2.5, 2.5, 2.5, 2.5}));
  // 0.1 is stored as the f64 nearest 0.1, not rounded through f32.
  EXPECT_EQ(fill(DType::kF64, 0.1).data_as<double>()[3], 0.1);
  EXPECT_EQ(Values(fill(DType::kI8, 300)), (Doubles{127, 127, 127, 127}));  // saturates
  EXPECT_EQ(Values(fill(DType::kI8, -3.7)), (Doubles{-3, -3, -3, -3}));     // toward zero
  EXPECT_EQ(Values(fill(DType::kI32, -2.9)), (Doubles{-2, -2, -2, -2}));
  EXPECT_EQ(fill(DType::kI64, 1e10).data_as<int64_t>()[0], int64_t{10000000000});
  EXPECT_EQ(Values(fill(DType::kBool, 0.5)), (Doubles{1, 1, 1, 1}));
  EXPECT_EQ(Values(fill(DType::kBool, 0.0)), (Doubles{0, 0, 0, 0}));
  // A scalar and an empty shape.
  EXPECT_EQ(Values(Eval("fill", {}, {{"shape", Ints{}}, {"value", 4.0}})), (Doubles{4}));
  EXPECT_EQ(Eval("fill", {}, {{"shape", Ints{3, 0}}, {"value", 4.0}}).size(), 0);
}

TEST(InterpGenerator, FillRejectsANegativeDim) {
  EXPECT_EQ(Error("fill", {}, {{"shape", Ints{2, -1}}, {"value", 1.0}}),
            "fill(): shape [2,-1] has a negative dim at index 1 (generator shapes must be static)");
}

TEST(InterpGenerator, FillOfAnUnallocatableShapeIsAnErrorNotACrash) {
  // 2^31 * 2^31 * 4 elements: the byte size does not fit in int64.
  EXPECT_EQ(
      Error("fill", {}, {{"shape", Ints{int64_t{1} << 31, int64_t{1} << 31, 4}}, {"value", 1.0}}),
      "fill: result type f32[2147483648,2147483648,4] is too large to allocate");
  // 2^62 bytes fits in int64 but in no machine's address space.
  EXPECT_EQ(
      Error("fill", {}, {{"shape", Ints{int64_t{1} << 30, int64_t{1} << 30}}, {"value", 1.0}}),
      "fill: result type f32[1073741824,1073741824] is too large to allocate");
  // A zero dim makes any other dims harmless.
  EXPECT_EQ(
      Eval("fill", {}, {{"shape", Ints{0, int64_t{1} << 62, int64_t{1} << 62}}, {"value", 1.0}})
          .size(),
      0);
}

TEST(InterpGenerator, FillLikeTakesTypeButNotValues) {
  HostTensor x = I32({2, 2}, {1, 2, 3, 4});
  HostTensor out = Eval("fill_like", {x}, {{"value", 7.9}});
  EXPECT_EQ(out.type(), x.type());
  EXPECT_EQ(Values(out), (Doubles{7, 7, 7, 7}));
  EXPECT_FALSE(out.SharesBufferWith(x));
  EXPECT_EQ(Values(x), (Doubles{1, 2, 3, 4}));
}

TEST(InterpGenerator, RangeCountsUpDownAndInFractions) {
  auto range = [](double start, double limit, double delta, DType dtype) {
    return Eval("range", {},
                {{"start", start}, {"limit", limit}, {"delta", delta}, {"dtype", dtype}});
  };
  HostTensor up = range(0, 5, 1, DType::kI32);
  EXPECT_EQ(up.type(), (ir::TensorType{DType::kI32, Shape{5}}));
  EXPECT_EQ(Values(up), (Doubles{0, 1, 2, 3, 4}));
  EXPECT_EQ(Values(range(5, 0, -1, DType::kI32)), (Doubles{5, 4, 3, 2, 1}));
  // ceil(10 / 3) = 4 elements; the last one stays below the limit.
  EXPECT_EQ(Values(range(0, 10, 3, DType::kI64)), (Doubles{0, 3, 6, 9}));
  EXPECT_EQ(Values(range(0, 1, 0.25, DType::kF32)), (Doubles{0, 0.25, 0.5, 0.75}));
  EXPECT_EQ(Values(range(0, -1, -0.25, DType::kF64)), (Doubles{0, -0.25, -0.5, -0.75}));
  // Computed in double, then truncated toward zero like a cast.
  EXPECT_EQ(Values(range(0, 2, 0.5, DType::kI32)), (Doubles{0, 0, 1, 1}));
  EXPECT_EQ(Values(range(-1.5, 0, 0.5, DType::kI8)), (Doubles{-1, -1, 0}));
  EXPECT_EQ(range(3, 3, 1, DType::kI32).shape(), (Shape{0}));
  EXPECT_EQ(range(5, 0, 1, DType::kI32).shape(), (Shape{0}));
}

TEST(InterpGenerator, RangeRejectsAZeroDelta) {
  EXPECT_EQ(Error("range", {}, {{"start", 0.0}, {"limit", 3.0}, {"delta", 0.0}}),
            "range(): delta must not be 0");
}

AttrMap RandomAttrs(std::string_view lo_name, double lo, std::string_view hi_name, double hi,
                    int64_t seed, int64_t n, DType dtype) {
  return {{"shape", Ints{n}}, {"seed", seed}, {std::string(lo_name), lo},
          {std::string(hi_name), hi}, {"dtype", dtype}};
}

TEST(InterpGenerator, RandomUniformIsDeterministicPerSeed) {
  for (DType dtype : {DType::kF32, DType::kF64}) {
    const AttrMap a = RandomAttrs("minval", -2, "maxval", 3, 7, 1000, dtype);
    HostTensor x = Eval("random_uniform", {}, a);
    HostTensor again = Eval("random_uniform", {}, a);
    EXPECT_EQ(x.type(), (ir::TensorType{dtype, Shape{1000}}));
    EXPECT_TRUE(x.BitwiseEquals(again));
    HostTensor other =
        Eval("random_uniform", {}, RandomAttrs("minval", -2, "maxval", 3, 8, 1000, dtype));
    int differ = 0;
    for (int64_t i = 0; i < 1000; ++i) differ += x.GetDouble(i) != other.GetDouble(i);
    EXPECT_GT(differ, 990) << "seeds 7 and 8 give nearly the same numbers";
    double sum = 0;
    for (int64_t i = 0; i < 1000; ++i) {
      const double v = x.GetDouble(i);
      ASSERT_GE(v, -2.0) << "element " << i;
      ASSERT_LT(v, 3.0) << "element " << i;
      sum += v;
    }
    // Mean of U[-2,3) is 0.5; the sample mean of 1000 has stddev 5/sqrt(12*1000) = 0.046,
    // so 0.25 is more than 5 standard errors.
    EXPECT_NEAR(sum / 1000, 0.5, 0.25);
  }
}

// Near 1e6 an f32 step is 1/16, so minval + (maxval - minval) * u rounds up to
// maxval for u close to 1; the range must stay half-open anyway. Same for f64
// near 1e15 (step 1/8).
TEST(InterpGenerator, RandomUniformNeverReturnsMaxval) {
  struct Case { DType dtype; double lo; };
  for (Case c : {Case{DType::kF32, 1e6}, Case{DType::kF64, 1e15}}) {
    HostTensor x = Eval("random_uniform", {},
                        RandomAttrs("minval", c.lo, "maxval", c.lo + 1, 3, 2000, c.dtype));
    int at_max = 0;
    for (int64_t i = 0; i < x.size(); ++i) {
      EXPECT_GE(x.GetDouble(i), c.lo);
      at_max += x.GetDouble(i) >= c.lo + 1;
    }
    EXPECT_EQ(at_max, 0) << ir::DTypeName(c.dtype);
  }
}

TEST(InterpGenerator, RandomNormalHasTheRequestedMoments) {
  for (DType dtype : {DType::kF32, DType::kF64}) {
    const AttrMap a = RandomAttrs("mean", 3, "stddev", 2, 11, 10000, dtype);
    HostTensor x = Eval("random_normal", {}, a);
    EXPECT_TRUE(x.BitwiseEquals(Eval("random_normal", {}, a)));
    HostTensor other =
        Eval("random_normal", {}, RandomAttrs("mean", 3, "stddev", 2, 12, 10000, dtype));
    EXPECT_FALSE(x.BitwiseEquals(other));
    double sum = 0, sq = 0;
    for (int64_t i = 0; i < x.size(); ++i) {
      ASSERT_TRUE(std::isfinite(x.GetDouble(i)));
      sum += x.GetDouble(i);
    }
    const double mean = sum / 10000;
    for (int64_t i = 0; i < x.size(); ++i) sq += (x.GetDouble(i) - mean) * (x.GetDouble(i) - mean);
    const double sd = std::sqrt(sq / 9999);
    // Standard errors for n = 10000: mean 2/100 = 0.02, stddev 2/sqrt(2n) = 0.014.
    // The tolerances are 5 of them (the numbers are fixed by the seed anyway).
    EXPECT_NEAR(mean, 3.0, 0.1) << ir::DTypeName(dtype);
    EXPECT_NEAR(sd, 2.0, 0.07) << ir::DTypeName(dtype);
  }
}

TEST(InterpGenerator, RandomRejectsAnIntegerDType) {
  EXPECT_EQ(Error("random_uniform", {}, RandomAttrs("minval", 0, "maxval", 1, 1, 4, DType::kI32)),
            "random_uniform(): dtype must be f32 or f64, got i32");
}

TEST(InterpGenerator, OneHotAppendsTheNewDimByDefault) {
  // 2 and -1 and 3 (out of range for depth 3) as well as in-range indices.
  HostTensor out = Eval("one_hot", {I32({4}, {0, 2, -1, 3})}, {{"depth", int64_t{3}}});
  EXPECT_EQ(out.type(), (ir::TensorType{DType::kF32, Shape{4, 3}}));
  EXPECT_EQ(Values(out), (Doubles{1, 0, 0,  0, 0, 1,  0, 0, 0,  0, 0, 0}));
}

TEST(InterpGenerator, OneHotAlongAxisZeroAndOneOfA2DIndexTensor) {
  HostTensor idx = I32({2, 2}, {0, 1, 2, 0});
  // axis 0: out[j, a, b] = idx[a, b] == j.
  HostTensor a0 = Eval("one_hot", {idx}, {{"depth", int64_t{3}}, {"axis", int64_t{0}}});
  EXPECT_EQ(a0.shape(), (Shape{3, 2, 2}));
  EXPECT_EQ(Values(a0), (Doubles{1, 0, 0, 1,  0, 1, 0, 0,  0, 0, 1, 0}));
  // axis 1: out[a, j, b] = idx[a, b] == j.
  HostTensor a1 = Eval("one_hot", {idx}, {{"depth", int64_t{3}}, {"axis", int64_t{1}}});
  EXPECT_EQ(a1.shape(), (Shape{2, 3, 2}));
  EXPECT_EQ(Values(a1), (Doubles{1, 0, 0, 1, 0, 0,  0, 1, 0, 0, 1, 0}));
  // axis -3 is axis 0 (the new dim ranges over rank + 1 positions).
  EXPECT_TRUE(
      Eval("one_hot", {idx}, {{"depth", int64_t{3}}, {"axis", int64_t{-3}}}).BitwiseEquals(a0));
}

TEST(InterpGenerator, OneHotCustomValuesAndDType) {
  HostTensor idx = T(DType::kI64, {3}, {1, -5, 0});
  HostTensor out = Eval("one_hot", {idx}, {{"depth", int64_t{2}}, {"on_value", 5.0},
                                           {"off_value", -1.0}, {"dtype", DType::kI8}});
  EXPECT_EQ(out.type(), (ir::TensorType{DType::kI8, Shape{3, 2}}));
  EXPECT_EQ(Values(out), (Doubles{-1, 5,  -1, -1,  5, -1}));
  // An index far beyond int32 must not alias a small one.
  HostTensor big(DType::kI64, Shape{1});
  big.SetInt(0, (int64_t{1} << 32) + 1);
  EXPECT_EQ(Values(Eval("one_hot", {big}, {{"depth", int64_t{2}}})), (Doubles{0, 0}));
}

TEST(InterpGenerator, OneHotWithAnEmptyDimIsEmpty) {
  HostTensor out =
      Eval("one_hot", {I32({2, 0}, {})}, {{"depth", int64_t{3}}, {"axis", int64_t{0}}});
  EXPECT_EQ(out.shape(), (Shape{3, 2, 0}));
  EXPECT_EQ(out.size(), 0);
  EXPECT_EQ(Eval("one_hot", {I32({2}, {0, 1})}, {{"depth", int64_t{0}}}).shape(), (Shape{2, 0}));
}

TEST(InterpGenerator, OneHotRejectsFloatIndices) {
  EXPECT_EQ(Error("one_hot", {F32({1}, {0})}, {{"depth", int64_t{2}}}),
            "one_hot(f32[1]): expects integer operands, got f32");
}

// ================================ shape ================================

HostTensor Iota(DType dtype, Shape shape) {
  HostTensor t(dtype, std::move(shape));
  for (int64_t i = 0; i < t.size(); ++i) t.SetDouble(i, static_cast<double>(i));
  return t;
}

TEST(InterpShape, ReshapeInfersTheMinusOneDim) {
  HostTensor x = Iota(DType::kF32, {2, 3});
  HostTensor out = Eval("reshape", {x}, {{"shape", Ints{3, -1}}});
  EXPECT_EQ(out.shape(), (Shape{3, 2}));
  EXPECT_EQ(Values(out), (Doubles{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(Error("reshape", {x}, {{"shape", Ints{4, -1}}}),
            "reshape(f32[2,3]): cannot reshape [2,3] (6 elements) into [4,-1]: no size for the -1 "
            "dim fits");
}

TEST(InterpShape, TransposeReversesByDefault) {
  HostTensor out = Eval("transpose", {F32({2, 3}, {1, 2, 3, 4, 5, 6})});
  EXPECT_EQ(out.shape(), (Shape{3, 2}));
  EXPECT_EQ(Values(out), (Doubles{1, 4, 2, 5, 3, 6}));
}

TEST(InterpShape, TransposeRank3WithAPermutation) {
  // x[j, k, i] = 6j + 3k + i; out[i, j, k] = x[j, k, i].
  HostTensor out = Eval("transpose", {Iota(DType::kI32, {2, 2, 3})}, {{"perm", Ints{2, 0, 1}}});
  EXPECT_EQ(out.shape(), (Shape{3, 2, 2}));
  EXPECT_EQ(Values(out), (Doubles{0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11}));
  EXPECT_EQ(
      Error("transpose", {Iota(DType::kI32, {2, 2, 3})}, {{"perm", Ints{0, 0, 1}}}),
      "transpose(i32[2,2,3]): perm [0,0,1] is not a permutation of 0..2 (the operand has rank 3)");
}

TEST(InterpShape, BroadcastToRepeatsSize1AndMissingDims) {
  EXPECT_EQ(Values(Eval("broadcast_to", {F32({3}, {1, 2, 3})}, {{"shape", Ints{2, 3}}})),
            (Doubles{1, 2, 3, 1, 2, 3}));
  EXPECT_EQ(Values(Eval("broadcast_to", {F32({2, 1}, {1, 2})}, {{"shape", Ints{2, 3}}})),
            (Doubles{1, 1, 1, 2, 2, 2}));
  HostTensor s = Eval("broadcast_to", {F32({}, {9})}, {{"shape", Ints{2, 2}}});
  EXPECT_EQ(s.shape(), (Shape{2, 2}));
  EXPECT_EQ(Values(s), (Doubles{9, 9, 9, 9}));
  EXPECT_EQ(Error("broadcast_to", {F32({3}, {1, 2, 3})}, {{"shape", Ints{2, 4}}}),
            "broadcast_to(f32[3]): shapes [3] and [2,4] cannot be broadcast (dim 1: 3 vs 4)");
}

TEST(InterpShape, BroadcastLikeUsesOnlyTheShapeOfLike) {
  HostTensor out = Eval("broadcast_like", {F32({1, 2}, {5, 6}), I32({3, 2}, {0, 0, 0, 0, 0, 0})});
  EXPECT_EQ(out.type(), (ir::TensorType{DType::kF32, Shape{3, 2}}));
  EXPECT_EQ(Values(out), (Doubles{5, 6, 5, 6, 5, 6}));
  EXPECT_EQ(Error("broadcast_like", {F32({2}, {1, 2}), F32({1}, {0})}),
            "broadcast_like(f32[2], f32[1]): cannot broadcast [2] to [1] (broadcasting gives [2])");
}

TEST(InterpShape, ExpandDimsAndSqueezeKeepTheElements) {
  HostTensor x = Iota(DType::kF32, {2, 3});
  HostTensor front = Eval("expand_dims", {x}, {{"axis", int64_t{0}}});
  EXPECT_EQ(front.shape(), (Shape{1, 2, 3}));
  EXPECT_EQ(Values(front), Values(x));
  EXPECT_EQ(Eval("expand_dims", {x}, {{"axis", int64_t{-1}}}).shape(), (Shape{2, 3, 1}));
  EXPECT_EQ(Eval("expand_dims", {x}, {{"axis", int64_t{1}}}).shape(), (Shape{2, 1, 3}));
  EXPECT_EQ(
      Error("expand_dims", {x}, {{"axis", int64_t{3}}}),
      "expand_dims(f32[2,3]): axis 3 is out of range [-3, 2] for inserting a dim into rank 2");

  HostTensor y = Iota(DType::kI32, {1, 2, 1});
  HostTensor all = Eval("squeeze", {y});
  EXPECT_EQ(all.shape(), (Shape{2}));
  EXPECT_EQ(Values(all), (Doubles{0, 1}));
  EXPECT_EQ(Eval("squeeze", {y}, {{"axes", Ints{-1}}}).shape(), (Shape{1, 2}));
  EXPECT_EQ(Error("squeeze", {y}, {{"axes", Ints{1}}}),
            "squeeze(i32[1,2,1]): cannot squeeze axis 1 of size 2 (only size-1 dims)");
}

HostTensor Slice(HostTensor x, Ints begin, Ints end, Ints strides, int64_t begin_mask = 0,
                 int64_t end_mask = 0, int64_t shrink = 0) {
  return Eval("strided_slice", {std::move(x)},
              {{"begin", begin}, {"end", end}, {"strides", strides}, {"begin_mask", begin_mask},
               {"end_mask", end_mask}, {"shrink_axis_mask", shrink}});
}

TEST(InterpShape, StridedSlice1DLikePython) {
  HostTensor x = Iota(DType::kI32, {10});
  EXPECT_EQ(Values(Slice(x, {1}, {8}, {3})), (Doubles{1, 4, 7}));         // x[1:8:3]
  EXPECT_EQ(Values(Slice(x, {8}, {1}, {-2})), (Doubles{8, 6, 4, 2}));     // x[8:1:-2]
  EXPECT_EQ(Values(Slice(x, {-3}, {-1}, {1})), (Doubles{7, 8}));          // x[-3:-1]
  EXPECT_EQ(Values(Slice(x, {0}, {0}, {-3}, 1, 1)), (Doubles{9, 6, 3, 0}));  // x[::-3]
  EXPECT_EQ(Values(Slice(x, {7}, {0}, {1}, 0, 1)), (Doubles{7, 8, 9}));   // x[7:]
  EXPECT_EQ(Values(Slice(x, {0}, {2}, {-1}, 1, 0)), (Doubles{9, 8, 7, 6, 5, 4, 3}));  // x[:2:-1]
}

TEST(InterpShape, StridedSliceClampsOutOfRangeBoundsLikePython) {
  HostTensor x = Iota(DType::kI32, {5});
  EXPECT_EQ(Values(Slice(x, {-100}, {100}, {1})), (Doubles{0, 1, 2, 3, 4}));  // x[-100:100]
  EXPECT_EQ(Values(Slice(x, {100}, {-100}, {-1})), (Doubles{4, 3, 2, 1, 0}));  // x[100:-100:-1]
  EXPECT_EQ(Values(Slice(x, {3}, {100}, {2})), (Doubles{3}));                  // x[3:100:2]
  EXPECT_EQ(Values(Slice(x, {-100}, {2}, {-1})), (Doubles{}));                 // x[-100:2:-1]
}

TEST(InterpShape, StridedSliceEmptyResults) {
  HostTensor x = Iota(DType::kF32, {5});
  HostTensor wrong_way = Slice(x, {4}, {1}, {1});  // x[4:1]
  EXPECT_EQ(wrong_way.shape(), (Shape{0}));
  EXPECT_EQ(Slice(x, {1}, {4}, {-1}).shape(), (Shape{0}));  // x[1:4:-1]
  EXPECT_EQ(Slice(x, {2}, {2}, {1}).shape(), (Shape{0}));   // x[2:2]
}

TEST(InterpShape, StridedSlice2DWithMasksAndShrink) {
  HostTensor x = Iota(DType::kI32, {3, 4});  // rows [0..3], [4..7], [8..11]
  // x[1:, ::-1]
  HostTensor rev = Slice(x, {1, 0}, {0, 0}, {1, -1}, 0b10, 0b11);
  EXPECT_EQ(rev.shape(), (Shape{2, 4}));
  EXPECT_EQ(Values(rev), (Doubles{7, 6, 5, 4, 11, 10, 9, 8}));
  // x[2, 1:3]
  HostTensor row = Slice(x, {2, 1}, {3, 3}, {1, 1}, 0, 0, 0b01);
  EXPECT_EQ(row.shape(), (Shape{2}));
  EXPECT_EQ(Values(row), (Doubles{9, 10}));
  // x[-1, :] and x[:, -2] (shrinking with a negative index)
  EXPECT_EQ(Values(Slice(x, {-1, 0}, {0, 0}, {1, 1}, 0, 0b10, 0b01)), (Doubles{8, 9, 10, 11}));
  HostTensor col = Slice(x, {0, -2}, {0, -1}, {1, 1}, 0b01, 0b01, 0b10);
  EXPECT_EQ(col.shape(), (Shape{3}));
  EXPECT_EQ(Values(col), (Doubles{2, 6, 10}));
  // x[0, 1] with both dims shrunk is a scalar.
  HostTensor one = Slice(x, {0, 1}, {1, 2}, {1, 1}, 0, 0, 0b11);
  EXPECT_EQ(one.shape(), (Shape{}));
  EXPECT_EQ(Values(one), (Doubles{1}));
}

// The example of strided_slice in docs/ir.md: x[1:-1, ::-1, 3] on x[i, j, k] = 15i + 5j + k.
TEST(InterpShape, StridedSliceDocExample) {
  HostTensor out = Slice(Iota(DType::kI32, {4, 3, 5}), {1, 0, 3}, {-1, 0, 4}, {1, -1, 1}, 0b010,
                         0b010, 0b100);
  EXPECT_EQ(out.shape(), (Shape{2, 3}));
  // out[i, j] = x[1 + i, 2 - j, 3]
  EXPECT_EQ(Values(out), (Doubles{28, 23, 18, 43, 38, 33}));
}

TEST(InterpShape, StridedSliceErrors) {
  HostTensor x = Iota(DType::kI32, {3, 4});
  EXPECT_EQ(Error("strided_slice", {x},
                  {{"begin", Ints{3, 0}}, {"end", Ints{4, 4}}, {"strides", Ints{1, 1}},
                   {"shrink_axis_mask", int64_t{1}}}),
            "strided_slice(i32[3,4]): index 3 is out of range for dim 0 of size 3");
  EXPECT_EQ(Error("strided_slice", {x},
                  {{"begin", Ints{0, 0}}, {"end", Ints{3, 4}}, {"strides", Ints{1, 0}}}),
            "strided_slice(i32[3,4]): strides [1,0] has a 0 at dim 1");
  EXPECT_EQ(
      Error("strided_slice", {x}, {{"begin", Ints{0}}, {"end", Ints{3}}, {"strides", Ints{1}}}),
      "strided_slice(i32[3,4]): begin [0] must have one entry per dim (2)");
}

TEST(InterpShape, GatherAlongAxis0And1) {
  HostTensor p = F32({3, 2}, {10, 11, 20, 21, 30, 31});
  HostTensor rows = Eval("gather", {p, I32({2}, {2, 0})});
  EXPECT_EQ(rows.shape(), (Shape{2, 2}));
  EXPECT_EQ(Values(rows), (Doubles{30, 31, 10, 11}));
  HostTensor cols = Eval("gather", {p, T(DType::kI64, {3}, {1, 1, 0})}, {{"axis", int64_t{1}}});
  EXPECT_EQ(cols.shape(), (Shape{3, 3}));
  EXPECT_EQ(Values(cols), (Doubles{11, 11, 10, 21, 21, 20, 31, 31, 30}));
  EXPECT_TRUE(Eval("gather", {p, T(DType::kI64, {3}, {1, 1, 0})}, {{"axis", int64_t{-1}}})
                  .BitwiseEquals(cols));
}

TEST(InterpShape, GatherWith2DIndices) {
  HostTensor p = F32({3, 2}, {10, 11, 20, 21, 30, 31});
  HostTensor out = Eval("gather", {p, I32({2, 2}, {0, 2, 1, 1})});
  EXPECT_EQ(out.shape(), (Shape{2, 2, 2}));
  EXPECT_EQ(Values(out), (Doubles{10, 11, 30, 31, 20, 21, 20, 21}));
  // params[a, k, b] = 6a + 2k + b; out[a, i, j, b] = params[a, idx[i, j], b].
  HostTensor mid = Eval("gather", {Iota(DType::kI32, {2, 3, 2}), T(DType::kI8, {2, 1}, {2, 0})},
                        {{"axis", int64_t{1}}});
  EXPECT_EQ(mid.shape(), (Shape{2, 2, 1, 2}));
  EXPECT_EQ(Values(mid), (Doubles{4, 5, 0, 1, 10, 11, 6, 7}));
}

TEST(InterpShape, GatherOutOfRangeIndexIsAnError) {
  HostTensor p = F32({3, 2}, {10, 11, 20, 21, 30, 31});
  EXPECT_EQ(Error("gather", {p, I32({2}, {0, 3})}),
            "gather: index 3 is out of range [0, 3) along axis 0");
  EXPECT_EQ(Error("gather", {p, I32({1}, {-1})}, {{"axis", int64_t{-1}}}),
            "gather: index -1 is out of range [0, 2) along axis 1");
  EXPECT_EQ(Error("gather", {p, F32({1}, {0})}),
            "gather(f32[3,2], f32[1]): indices must be integer, got f32");
}

TEST(InterpShape, ConcatAlongEachAxis) {
  HostTensor a = F32({2, 2}, {1, 2, 3, 4});
  HostTensor rows = Eval("concat", {a, F32({1, 2}, {5, 6})}, {{"axis", int64_t{0}}});
  EXPECT_EQ(rows.shape(), (Shape{3, 2}));
  EXPECT_EQ(Values(rows), (Doubles{1, 2, 3, 4, 5, 6}));
  HostTensor cols = Eval("concat", {a, F32({2, 1}, {5, 6})}, {{"axis", int64_t{1}}});
  EXPECT_EQ(cols.shape(), (Shape{2, 3}));
  EXPECT_EQ(Values(cols), (Doubles{1, 2, 5, 3, 4, 6}));
  EXPECT_TRUE(
      Eval("concat", {a, F32({2, 1}, {5, 6})}, {{"axis", int64_t{-1}}}).BitwiseEquals(cols));
}

TEST(InterpShape, ConcatThreeOperandsAndAnEmptyOne) {
  HostTensor three = Eval("concat",
                          {T(DType::kI8, {2, 1}, {1, 2}), T(DType::kI8, {2, 2}, {3, 4, 5, 6}),
                           T(DType::kI8, {2, 1}, {7, 8})},
                          {{"axis", int64_t{1}}});
  EXPECT_EQ(three.type(), (ir::TensorType{DType::kI8, Shape{2, 4}}));
  EXPECT_EQ(Values(three), (Doubles{1, 3, 4, 7, 2, 5, 6, 8}));
  HostTensor a = F32({2, 2}, {1, 2, 3, 4});
  HostTensor empty = F32({2, 0}, {});
  EXPECT_EQ(Values(Eval("concat", {empty, a, empty}, {{"axis", int64_t{1}}})),
            (Doubles{1, 2, 3, 4}));
  EXPECT_EQ(Eval("concat", {empty, empty}, {{"axis", int64_t{1}}}).shape(), (Shape{2, 0}));
  EXPECT_EQ(Values(Eval("concat", {a}, {{"axis", int64_t{0}}})), (Doubles{1, 2, 3, 4}));
}

TEST(InterpShape, ConcatRejectsMismatchedDims) {
  EXPECT_EQ(
      Error("concat", {F32({2, 2}, {1, 2, 3, 4}), F32({1, 3}, {5, 6, 7})}, {{"axis", int64_t{0}}}),
      "concat(f32[2,2], f32[1,3]): operand 1 has size 3 in dim 1, the others have 2 (only "
      "the concat axis 0 may differ)");
}

// =============================== reduce ================================

HostTensor Reduce(std::string_view op, HostTensor x, Ints axes = {}, bool keepdims = false) {
  return Eval(op, {std::move(x)}, {{"axes", axes}, {"keepdims", keepdims}});
}

TEST(InterpReduce, EachReductionOverAllAxesAndOneAxis) {
  const HostTensor x = F32({2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(Values(Reduce("reduce_sum", x)), (Doubles{21}));
  EXPECT_EQ(Reduce("reduce_sum", x).shape(), (Shape{}));
  EXPECT_EQ(Values(Reduce("reduce_sum", x, {0})), (Doubles{5, 7, 9}));
  EXPECT_EQ(Values(Reduce("reduce_sum", x, {1})), (Doubles{6, 15}));
  EXPECT_EQ(Values(Reduce("reduce_mean", x)), (Doubles{3.5}));
  EXPECT_EQ(Values(Reduce("reduce_mean", x, {0})), (Doubles{2.5, 3.5, 4.5}));
  EXPECT_EQ(Values(Reduce("reduce_mean", x, {1})), (Doubles{2, 5}));
  EXPECT_EQ(Values(Reduce("reduce_max", x)), (Doubles{6}));
  EXPECT_EQ(Values(Reduce("reduce_max", x, {0})), (Doubles{4, 5, 6}));
  EXPECT_EQ(Values(Reduce("reduce_min", x)), (Doubles{1}));
  EXPECT_EQ(Values(Reduce("reduce_min", x, {1})), (Doubles{1, 4}));
  EXPECT_EQ(Values(Reduce("reduce_prod", x)), (Doubles{720}));
  EXPECT_EQ(Values(Reduce("reduce_prod", x, {0})), (Doubles{4, 10, 18}));
}

TEST(InterpReduce, SeveralAxesKeepdimsAndNegativeAxes) {
  const HostTensor x = Iota(DType::kF64, {2, 2, 2});  // x[i, j, k] = 4i + 2j + k
  HostTensor out = Reduce("reduce_sum", x, {0, 2});
  EXPECT_EQ(out.shape(), (Shape{2}));
  EXPECT_EQ(Values(out), (Doubles{0 + 1 + 4 + 5, 2 + 3 + 6 + 7}));
  HostTensor kept = Reduce("reduce_sum", x, {0, 2}, true);
  EXPECT_EQ(kept.shape(), (Shape{1, 2, 1}));
  EXPECT_EQ(Values(kept), (Doubles{10, 18}));
  EXPECT_TRUE(Reduce("reduce_sum", x, {-1, -3}).BitwiseEquals(out));
  EXPECT_EQ(Values(Reduce("reduce_max", x, {-1})), (Doubles{1, 3, 5, 7}));
  EXPECT_EQ(Reduce("reduce_max", x, {}, true).shape(), (Shape{1, 1, 1}));
  EXPECT_EQ(Error("reduce_sum", {x}, {{"axes", Ints{2, -1}}}),
            "reduce_sum(f64[2,2,2]): axis -1 is repeated in axes [2,-1]");
}

TEST(InterpReduce, IntegerReductionsWrapInTheElementType) {
  EXPECT_EQ(Values(Reduce("reduce_sum", I32({2, 2}, {1, -2, 3, 40}), {1})), (Doubles{-1, 43}));
  // 100 + 100 + 100 = 300 wraps to 44 in i8; 16 * 16 = 256 wraps to 0.
  const HostTensor x = T(DType::kI8, {3}, {100, 100, 100});
  HostTensor s = Reduce("reduce_sum", x);
  EXPECT_EQ(s.dtype(), DType::kI8);
  EXPECT_EQ(Values(s), (Doubles{44}));
  EXPECT_EQ(Values(Reduce("reduce_prod", T(DType::kI8, {2}, {16, 16}))), (Doubles{0}));
  EXPECT_EQ(Values(Reduce("reduce_max", T(DType::kI8, {3}, {-5, 7, -128}))), (Doubles{7}));
  EXPECT_EQ(Values(Reduce("reduce_min", T(DType::kI8, {3}, {-5, 7, -128}))), (Doubles{-128}));
  HostTensor i64(DType::kI64, Shape{2});
  i64.SetInt(0, std::numeric_limits<int64_t>::max());
  i64.SetInt(1, 1);
  EXPECT_EQ(Reduce("reduce_sum", i64).GetInt(0), std::numeric_limits<int64_t>::min());
}

TEST(InterpReduce, IntegerMeanWrapsTheSumThenRoundsTowardZero) {
  EXPECT_EQ(Values(Reduce("reduce_mean", I32({2, 2}, {7, 8, -7, -8}), {1})), (Doubles{7, -7}));
  // The sum wraps in i8 (200 -> -56) before the division, as `div` of the
  // i8 sum by the count would: -56 / 2 = -28.
  EXPECT_EQ(Values(Reduce("reduce_mean", T(DType::kI8, {2}, {100, 100}))), (Doubles{-28}));
}

TEST(InterpReduce, EmptyReductionsGiveTheIdentity) {
  const HostTensor e = F32({0}, {});
  EXPECT_EQ(Values(Reduce("reduce_sum", e)), (Doubles{0}));
  EXPECT_EQ(Values(Reduce("reduce_prod", e)), (Doubles{1}));
  EXPECT_EQ(Values(Reduce("reduce_max", e)), (Doubles{-kInf}));
  EXPECT_EQ(Values(Reduce("reduce_min", e)), (Doubles{kInf}));
  EXPECT_TRUE(std::isnan(Reduce("reduce_mean", e).GetDouble(0)));
  EXPECT_EQ(Values(Reduce("reduce_sum", F32({2, 0}, {}), {1})), (Doubles{0, 0}));
  EXPECT_EQ(Reduce("reduce_sum", F32({2, 0}, {}), {0}).shape(), (Shape{0}));

  const HostTensor ei = I32({0}, {});
  EXPECT_EQ(Values(Reduce("reduce_sum", ei)), (Doubles{0}));
  EXPECT_EQ(Values(Reduce("reduce_prod", ei)), (Doubles{1}));
  EXPECT_EQ(Values(Reduce("reduce_mean", ei)), (Doubles{0}));
  EXPECT_EQ(Values(Reduce("reduce_max", ei)), (Doubles{std::numeric_limits<int32_t>::min()}));
  EXPECT_EQ(Values(Reduce("reduce_min", ei)), (Doubles{std::numeric_limits<int32_t>::max()}));
  EXPECT_EQ(Values(Reduce("reduce_max", T(DType::kI8, {0}, {}))), (Doubles{-128}));
  EXPECT_EQ(Values(Reduce("reduce_min", T(DType::kI8, {0}, {}))), (Doubles{127}));

  const HostTensor eb(DType::kBool, Shape{0});
  EXPECT_EQ(Values(Reduce("reduce_any", eb)), (Doubles{0}));
  EXPECT_EQ(Values(Reduce("reduce_all", eb)), (Doubles{1}));
}

TEST(InterpReduce, MaxAndMinPropagateNaNAndOrderSignedZeros) {
  const HostTensor x = F32({2, 3}, {1, kNaN, 3, 4, 5, 6});
  HostTensor mx = Reduce("reduce_max", x, {1});
  EXPECT_TRUE(std::isnan(mx.GetDouble(0)));
  EXPECT_EQ(mx.GetDouble(1), 6);
  HostTensor mn = Reduce("reduce_min", x, {1});
  EXPECT_TRUE(std::isnan(mn.GetDouble(0)));
  EXPECT_EQ(mn.GetDouble(1), 4);
  EXPECT_TRUE(std::isnan(Reduce("reduce_sum", x).GetDouble(0)));
  EXPECT_FALSE(std::signbit(Reduce("reduce_max", F32({2}, {-0.0, 0.0})).GetDouble(0)));
  EXPECT_FALSE(std::signbit(Reduce("reduce_max", F32({2}, {0.0, -0.0})).GetDouble(0)));
  EXPECT_TRUE(std::signbit(Reduce("reduce_min", F32({2}, {0.0, -0.0})).GetDouble(0)));
  EXPECT_TRUE(std::signbit(Reduce("reduce_min", F32({2}, {-0.0, 0.0})).GetDouble(0)));
}

TEST(InterpReduce, AnyAndAllOverBools) {
  const HostTensor x = T(DType::kBool, {2, 2}, {1, 0, 1, 1});
  EXPECT_EQ(Values(Reduce("reduce_any", x, {1})), (Doubles{1, 1}));
  EXPECT_EQ(Values(Reduce("reduce_all", x, {1})), (Doubles{0, 1}));
  EXPECT_EQ(Values(Reduce("reduce_all", x, {0})), (Doubles{1, 0}));
  EXPECT_EQ(Values(Reduce("reduce_any", T(DType::kBool, {2}, {0, 0}))), (Doubles{0}));
  EXPECT_EQ(Reduce("reduce_any", x).dtype(), DType::kBool);
  EXPECT_EQ(Error("reduce_any", {F32({1}, {1})}),
            "reduce_any(f32[1]): expects bool operands, got f32");
  EXPECT_EQ(Error("reduce_sum", {T(DType::kBool, {1}, {1})}),
            "reduce_sum(bool[1]): expects numeric (float or integer) operands, got bool");
}

TEST(InterpReduce, ArgmaxArgminTiesNaNAndAxes) {
  EXPECT_EQ(Values(Eval("argmax", {F32({3}, {3, 1, 3})})), (Doubles{0}));    // first of the ties
  EXPECT_EQ(Values(Eval("argmin", {F32({3}, {1, 3, 1})})), (Doubles{0}));
  EXPECT_EQ(Values(Eval("argmax", {F32({4}, {1, kNaN, 5, kNaN})})), (Doubles{1}));  // NaN wins
  EXPECT_EQ(Values(Eval("argmin", {F32({3}, {3, 1, kNaN})})), (Doubles{2}));
  const HostTensor x = I32({2, 3}, {1, 5, 5, 7, 2, 7});
  HostTensor rows = Eval("argmax", {x}, {{"axis", int64_t{1}}, {"dtype", DType::kI32}});
  EXPECT_EQ(rows.type(), (ir::TensorType{DType::kI32, Shape{2}}));
  EXPECT_EQ(Values(rows), (Doubles{1, 0}));
  EXPECT_TRUE(
      Eval("argmax", {x}, {{"axis", int64_t{-1}}, {"dtype", DType::kI32}}).BitwiseEquals(rows));
  HostTensor cols = Eval("argmin", {x});
  EXPECT_EQ(cols.type(), (ir::TensorType{DType::kI64, Shape{3}}));
  EXPECT_EQ(Values(cols), (Doubles{0, 1, 0}));
}

TEST(InterpReduce, ArgmaxComparesInt64Exactly) {
  // 2^53 and 2^53 + 1 are the same double; the i64 values still differ.
  HostTensor x(DType::kI64, Shape{2});
  x.SetInt(0, int64_t{1} << 53);
  x.SetInt(1, (int64_t{1} << 53) + 1);
  EXPECT_EQ(Eval("argmax", {x}).GetInt(0), 1);
  EXPECT_EQ(Eval("argmin", {x}).GetInt(0), 0);
}

TEST(InterpReduce, ArgmaxOfAnEmptyAxisIsAnError) {
  EXPECT_EQ(Error("argmax", {F32({2, 0}, {})}, {{"axis", int64_t{1}}}),
            "argmax(f32[2,0]): axis 1 has size 0: an empty axis has no argmax");
}

// =============================== linalg ================================

const Doubles kA23 = {1, 2, 3, 4, 5, 6};      // [[1,2,3],[4,5,6]]
const Doubles kB32 = {7, 8, 9, 10, 11, 12};   // [[7,8],[9,10],[11,12]]
const Doubles kAB = {58, 64, 139, 154};       // hand-computed product

HostTensor MatMul(HostTensor a, HostTensor b, bool ta = false, bool tb = false) {
  return Eval("matmul", {std::move(a), std::move(b)}, {{"transpose_a", ta}, {"transpose_b", tb}});
}

TEST(InterpLinalg, MatmulAndItsTransposedForms) {
  HostTensor ab = MatMul(F32({2, 3}, kA23), F32({3, 2}, kB32));
  EXPECT_EQ(ab.shape(), (Shape{2, 2}));
  EXPECT_EQ(Values(ab), kAB);
  // The same product with A or B (or both) stored transposed.
  const HostTensor at = F32({3, 2}, {1, 4, 2, 5, 3, 6});
  const HostTensor bt = F32({2, 3}, {7, 9, 11, 8, 10, 12});
  EXPECT_EQ(Values(MatMul(at, F32({3, 2}, kB32), true, false)), kAB);
  EXPECT_EQ(Values(MatMul(F32({2, 3}, kA23), bt, false, true)), kAB);
  EXPECT_EQ(Values(MatMul(at, bt, true, true)), kAB);
  EXPECT_EQ(Error("matmul", {F32({2, 3}, kA23), F32({2, 3}, kA23)}),
            "matmul(f32[2,3], f32[2,3]): inner dims differ: a has 3 columns, b has 2 rows");
}

TEST(InterpLinalg, BatchedAndBroadcastMatmul) {
  // Batch 0 is A; batch 1 is [[1,0,0],[0,1,0]], which picks rows of B.
  HostTensor a = F32({2, 2, 3}, {1, 2, 3, 4, 5, 6, 1, 0, 0, 0, 1, 0});
  HostTensor out = MatMul(a, F32({3, 2}, kB32));
  EXPECT_EQ(out.shape(), (Shape{2, 2, 2}));
  EXPECT_EQ(Values(out), (Doubles{58, 64, 139, 154, 7, 8, 9, 10}));
  // [3,1] of ones: row sums.
  HostTensor sums = MatMul(a, F32({3, 1}, {1, 1, 1}));
  EXPECT_EQ(sums.shape(), (Shape{2, 2, 1}));
  EXPECT_EQ(Values(sums), (Doubles{6, 15, 1, 1}));
  // One B per batch, and a batch of 1 broadcast against 2.
  HostTensor b2 = F32({2, 3, 1}, {1, 1, 1, 1, 0, -1});
  EXPECT_EQ(Values(MatMul(a, b2)), (Doubles{6, 15, 1, 0}));
  HostTensor a1 = F32({1, 2, 3}, kA23);
  EXPECT_EQ(Values(MatMul(a1, b2)), (Doubles{6, 15, -2, -2}));
}

TEST(InterpLinalg, IntegerMatmulWrapsAndEmptyInnerDimGivesZeros) {
  HostTensor ab = MatMul(I32({2, 3}, kA23), I32({3, 2}, kB32));
  EXPECT_EQ(ab.dtype(), DType::kI32);
  EXPECT_EQ(Values(ab), kAB);
  // 65536 * 65536 = 2^32 wraps to 0 in i32; 100*2 + 100*1 = 300 wraps to 44 in i8.
  EXPECT_EQ(Values(MatMul(I32({1, 1}, {65536}), I32({1, 1}, {65536}))), (Doubles{0}));
  EXPECT_EQ(Values(MatMul(T(DType::kI8, {1, 2}, {100, 100}), T(DType::kI8, {2, 1}, {2, 1}))),
            (Doubles{44}));
  HostTensor z = MatMul(F32({2, 0}, {}), F32({0, 3}, {}));
  EXPECT_EQ(z.shape(), (Shape{2, 3}));
  EXPECT_EQ(Values(z), (Doubles{0, 0, 0, 0, 0, 0}));
}

// Softmax values below are e-based and irrational, so they are compared
// within 1e-6 (a few f32 ulps at these magnitudes); exact cases use EXPECT_EQ.
constexpr double kE = 2.718281828459045;
constexpr double kE2 = 7.38905609893065;  // e^2

TEST(InterpLinalg, SoftmaxAlongTheLastAndFirstAxis) {
  const HostTensor x = F32({2, 2}, {0, 2, 1, 2});
  HostTensor last = Eval("softmax", {x});
  const Doubles want_last = {1 / (1 + kE2), kE2 / (1 + kE2), 1 / (1 + kE), kE / (1 + kE)};
  for (size_t i = 0; i < 4; ++i)
    EXPECT_NEAR(last.GetDouble(static_cast<int64_t>(i)), want_last[i], 1e-6);
  HostTensor first = Eval("softmax", {x}, {{"axis", int64_t{0}}});
  EXPECT_NEAR(first.GetDouble(0), 1 / (1 + kE), 1e-6);
  EXPECT_NEAR(first.GetDouble(2), kE / (1 + kE), 1e-6);
  EXPECT_EQ(first.GetDouble(1), 0.5);  // equal entries: exactly 1/2
  EXPECT_EQ(first.GetDouble(3), 0.5);
  EXPECT_EQ(Values(Eval("softmax", {F32({4}, {3, 3, 3, 3})})), (Doubles{0.25, 0.25, 0.25, 0.25}));
}

TEST(InterpLinalg, LogSoftmaxAlongTheLastAndFirstAxis) {
  const HostTensor x = F32({2, 2}, {0, 2, 1, 2});
  HostTensor last = Eval("log_softmax", {x});
  const double l2 = std::log(1 + kE2), l1 = std::log(1 + kE);
  const Doubles want = {-l2, 2 - l2, 1 - l1 - 1, 2 - l1 - 1};
  for (size_t i = 0; i < 4; ++i)
    EXPECT_NEAR(last.GetDouble(static_cast<int64_t>(i)), want[i], 1e-6);
  HostTensor first = Eval("log_softmax", {x}, {{"axis", int64_t{0}}});
  EXPECT_NEAR(first.GetDouble(0), -l1, 1e-6);
  EXPECT_NEAR(first.GetDouble(2), 1 - l1, 1e-6);
  EXPECT_NEAR(first.GetDouble(1), -std::log(2.0), 1e-6);
}

TEST(InterpLinalg, SoftmaxOfLargeValuesDoesNotOverflow) {
  for (DType dtype : {DType::kF32, DType::kF64}) {
    HostTensor s = Eval("softmax", {T(dtype, {2}, {1000, 1001})});
    // f64 has ~1e-16 relative precision: 1e-12 is generous there.
    const double tol = dtype == DType::kF32 ? 1e-6 : 1e-12;
    EXPECT_NEAR(s.GetDouble(0), 1 / (1 + kE), tol);
    EXPECT_NEAR(s.GetDouble(1), kE / (1 + kE), tol);
    HostTensor l = Eval("log_softmax", {T(dtype, {2}, {1000, 1001})});
    EXPECT_NEAR(l.GetDouble(0), -std::log(1 + kE), tol);
    EXPECT_NEAR(l.GetDouble(1), 1 - std::log(1 + kE), tol);
    // log_softmax stays finite where softmax underflows to 0.
    HostTensor far = Eval("log_softmax", {T(dtype, {2}, {0, 2000})});
    EXPECT_EQ(Eval("softmax", {T(dtype, {2}, {0, 2000})}).GetDouble(0), 0.0);
    EXPECT_EQ(far.GetDouble(0), -2000.0);
    EXPECT_EQ(far.GetDouble(1), 0.0);
  }
}

TEST(InterpLinalg, SoftmaxInfinitiesAndNaN) {
  HostTensor s = Eval("softmax", {F32({2, 2}, {-kInf, 0, -kInf, -kInf})});
  EXPECT_EQ(s.GetDouble(0), 0.0);
  EXPECT_EQ(s.GetDouble(1), 1.0);
  EXPECT_TRUE(std::isnan(s.GetDouble(2)));  // a slice of only -inf
  EXPECT_TRUE(std::isnan(s.GetDouble(3)));
  for (std::string_view op : {"softmax", "log_softmax"}) {
    HostTensor n = Eval(op, {F32({2, 2}, {kNaN, 1, 1, 2})});
    EXPECT_TRUE(std::isnan(n.GetDouble(0))) << op;
    EXPECT_TRUE(std::isnan(n.GetDouble(1))) << op;  // NaN spreads over its slice only
    EXPECT_FALSE(std::isnan(n.GetDouble(2))) << op;
  }
  EXPECT_EQ(Error("softmax", {I32({2}, {1, 2})}),
            "softmax(i32[2]): expects floating-point operands, got i32");
}

// ================================ state ================================

class InterpState : public ::testing::Test {
 protected:
  void SetUp() override {
    m.AddVariable({"w", {DType::kF32, Shape{2}}, true});
    m.AddVariable({"n", {DType::kI8, Shape{2}}, true});
    m.AddVariable({"d", {DType::kF32, Shape{ir::kDynamic}}, true});
    store["w"] = w;
    store["n"] = n;
    store["d"] = F32({3}, {1, 2, 3});
  }
  absl::StatusOr<std::vector<HostTensor>> Var(std::string_view op, std::string name,
                                              std::vector<HostTensor> in = {}) {
    return RunOp(op, std::move(in), {{"var", ir::SymbolRef{std::move(name)}}}, &store, &m);
  }

  ir::Module m;
  VariableStore store;
  HostTensor w = F32({2}, {1, 2});                 // shares its buffer with store["w"]
  HostTensor n = T(DType::kI8, {2}, {120, -120});  // and store["n"]
};

TEST_F(InterpState, ReadVarReturnsACopy) {
  absl::StatusOr<std::vector<HostTensor>> r = Var("read_var", "w");
  ASSERT_TRUE(r.ok()) << r.status();
  const HostTensor before = (*r)[0];
  EXPECT_FALSE(before.SharesBufferWith(w));
  ASSERT_TRUE(Var("assign", "w", {F32({2}, {5, 6})}).ok());
  EXPECT_EQ(Values(before), (Doubles{1, 2}));
  r = Var("read_var", "w");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Values((*r)[0]), (Doubles{5, 6}));
}

TEST_F(InterpState, AssignsUpdateTheCallersBufferInPlace) {
  absl::StatusOr<std::vector<HostTensor>> r = Var("assign", "w", {F32({2}, {5, 6})});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->empty());
  EXPECT_EQ(Values(w), (Doubles{5, 6}));
  ASSERT_TRUE(Var("assign_add", "w", {F32({2}, {0.5, -10})}).ok());
  EXPECT_EQ(Values(w), (Doubles{5.5, -4}));
  ASSERT_TRUE(Var("assign_sub", "w", {F32({2}, {5.5, 1})}).ok());
  EXPECT_EQ(Values(w), (Doubles{0, -5}));
  EXPECT_TRUE(store["w"].SharesBufferWith(w));
  // Integer updates wrap: 120 + 10 = -126, -120 - 10 = 126 in i8.
  ASSERT_TRUE(Var("assign_add", "n", {T(DType::kI8, {2}, {10, 0})}).ok());
  ASSERT_TRUE(Var("assign_sub", "n", {T(DType::kI8, {2}, {0, 10})}).ok());
  EXPECT_EQ(Values(n), (Doubles{-126, 126}));
}

TEST_F(InterpState, ShapeAndDTypeMismatchesAreErrors) {
  absl::StatusOr<std::vector<HostTensor>> r = Var("assign", "w", {F32({3}, {1, 2, 3})});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "assign(f32[3]): value shape [3] does not fit variable @w of type f32[2]");
  r = Var("assign_add", "w", {T(DType::kF64, {2}, {1, 2})});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(
      r.status().message(),
      "assign_add(f64[2]): value dtype f64 does not match variable @w of type f32[2] (cast it "
      "first)");
  // A `?` variable accepts any size when building, but at run time the value
  // must have the variable's current shape.
  r = Var("assign", "d", {F32({2}, {1, 2})});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "assign: variable @d is f32[3], the value is f32[2]");
  EXPECT_EQ(Values(w), (Doubles{1, 2}));
}

TEST_F(InterpState, AVariableWithADynamicDimIsReadAndWritten) {
  absl::StatusOr<std::vector<HostTensor>> r = Var("read_var", "d");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)[0].shape(), (Shape{3}));
  EXPECT_EQ(Values((*r)[0]), (Doubles{1, 2, 3}));
  ASSERT_TRUE(Var("assign_add", "d", {F32({3}, {1, 1, 1})}).ok());
  EXPECT_EQ(Values(store["d"]), (Doubles{2, 3, 4}));
}

TEST_F(InterpState, StoredValueOfTheWrongTypeIsAnError) {
  store["w"] = F32({3}, {1, 2, 3});
  absl::StatusOr<std::vector<HostTensor>> r = Var("read_var", "w");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "read_var: variable @w holds f32[3], declared as f32[2]");
}

TEST_F(InterpState, MissingVariablesAreErrors) {
  absl::StatusOr<std::vector<HostTensor>> r = Var("read_var", "nope");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "read_var(): unknown variable @nope");
  store.erase("w");
  r = Var("assign", "w", {F32({2}, {1, 2})});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "assign: variable @w has no value");
  r = RunOp("read_var", {}, {{"var", ir::SymbolRef{"n"}}}, nullptr, &m);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "read_var: no variables were given to run @n");
  // Without a module the variable cannot even be typed.
  r = RunOp("read_var", {}, {{"var", ir::SymbolRef{"n"}}}, &store, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "read_var(): unknown variable @n");
}

}  // namespace
}  // namespace graphc::interp
