// Shape/dtype inference of the shape ops (ir/ops/shape.cc).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ir/builder.h"
#include "ir/module.h"
#include "ir/str_cat.h"

namespace graphc::ir {
namespace {

using Ints = std::vector<int64_t>;
constexpr int64_t Q = kDynamic;

class ShapeOpsTest : public ::testing::Test {
 protected:
  Value* Param(DType dtype, Shape shape) {
    return f_->AddParam(TensorType{dtype, std::move(shape)});
  }
  Value* F32(Shape shape) { return Param(DType::kF32, std::move(shape)); }

  // The inferred result type, or "error: " and the status message.
  std::string Infer(std::string_view name, std::vector<Value*> operands, AttrMap attrs = {}) {
    absl::StatusOr<Op*> op = b_.Create(name, std::move(operands), std::move(attrs));
    if (!op.ok()) return StrCat("error: ", ToStd(op.status().message()));
    last_ = *op;
    return (*op)->result(0)->type().ToString();
  }

  Module m_;
  Function* f_ = m_.AddFunction("f");
  Builder b_{&f_->body()};
  Op* last_ = nullptr;
};

// ---- reshape ----

TEST_F(ShapeOpsTest, ReshapeStatic) {
  EXPECT_EQ(Infer("reshape", {F32({2, 3})}, {{"shape", Ints{3, 2}}}), "f32[3,2]");
  EXPECT_EQ(Infer("reshape", {Param(DType::kI64, {2, 3})}, {{"shape", Ints{6}}}), "i64[6]");
  EXPECT_EQ(Infer("reshape", {F32({1})}, {{"shape", Ints{}}}), "f32[]");
}

TEST_F(ShapeOpsTest, ReshapeInfersMinusOne) {
  EXPECT_EQ(Infer("reshape", {F32({2, 3, 4})}, {{"shape", Ints{-1, 4}}}), "f32[6,4]");
  EXPECT_EQ(Infer("reshape", {F32({2, 3, 4})}, {{"shape", Ints{2, -1}}}), "f32[2,12]");
  EXPECT_EQ(Infer("reshape", {F32({0, 3})}, {{"shape", Ints{-1, 3}}}), "f32[0,3]");
}

TEST_F(ShapeOpsTest, ReshapeDynamic) {
  EXPECT_EQ(Infer("reshape", {F32({Q, 3, 4})}, {{"shape", Ints{-1, 12}}}), "f32[?,12]");
  // No -1: the target is taken as is (checked at run time).
  EXPECT_EQ(Infer("reshape", {F32({Q, 3})}, {{"shape", Ints{5, 3}}}), "f32[5,3]");
}

TEST_F(ShapeOpsTest, ReshapeErrors) {
  EXPECT_EQ(Infer("reshape", {F32({2, 3})}, {{"shape", Ints{4, 2}}}),
            "error: reshape(f32[2,3]): cannot reshape [2,3] (6 elements) into [4,2] (8 elements)");
  EXPECT_EQ(Infer("reshape", {F32({2, 3})}, {{"shape", Ints{-1, 4}}}),
            "error: reshape(f32[2,3]): cannot reshape [2,3] (6 elements) into [-1,4]: no size "
            "for the -1 dim fits");
  EXPECT_EQ(Infer("reshape", {F32({0, 3})}, {{"shape", Ints{-1, 0}}}),
            "error: reshape(f32[0,3]): cannot reshape [0,3] (0 elements) into [-1,0]: no size "
            "for the -1 dim fits");
  EXPECT_EQ(Infer("reshape", {F32({2, 3})}, {{"shape", Ints{-1, -1}}}),
            "error: reshape(f32[2,3]): shape [-1,-1] has more than one -1 (at most one dim is "
            "inferred)");
  EXPECT_EQ(Infer("reshape", {F32({2, 3})}, {{"shape", Ints{-2, 3}}}),
            "error: reshape(f32[2,3]): shape [-2,3] has a negative dim -2 (only -1, inferred, "
            "is allowed)");
  EXPECT_EQ(Infer("reshape", {F32({2})}, {{"shape", Ints{int64_t{1} << 62, 4}}}),
            "error: reshape(f32[2]): shape [4611686018427387904,4] has too many elements");
  EXPECT_EQ(Infer("reshape", {F32({2, 3})}),
            "error: op 'reshape' needs attribute 'shape' (int list)");
}

// ---- transpose ----

TEST_F(ShapeOpsTest, TransposeDefaultReverses) {
  EXPECT_EQ(Infer("transpose", {F32({2, Q, 4})}), "f32[4,?,2]");
  EXPECT_EQ(last_->attr<Ints>("perm"), Ints{});
  EXPECT_EQ(Infer("transpose", {F32({})}), "f32[]");
}

TEST_F(ShapeOpsTest, TransposePerm) {
  EXPECT_EQ(Infer("transpose", {F32({2, 3, 4})}, {{"perm", Ints{0, 2, 1}}}), "f32[2,4,3]");
  EXPECT_EQ(Infer("transpose", {Param(DType::kBool, {Q, 3})}, {{"perm", Ints{1, 0}}}),
            "bool[3,?]");
}

TEST_F(ShapeOpsTest, TransposeErrors) {
  EXPECT_EQ(Infer("transpose", {F32({2, 3})}, {{"perm", Ints{0, 0}}}),
            "error: transpose(f32[2,3]): perm [0,0] is not a permutation of 0..1 (the operand "
            "has rank 2)");
  EXPECT_EQ(Infer("transpose", {F32({2, 3})}, {{"perm", Ints{0}}}),
            "error: transpose(f32[2,3]): perm [0] is not a permutation of 0..1 (the operand has "
            "rank 2)");
  EXPECT_EQ(Infer("transpose", {F32({2, 3})}, {{"perm", Ints{-1, 0}}}),
            "error: transpose(f32[2,3]): perm [-1,0] is not a permutation of 0..1 (the operand "
            "has rank 2)");
  EXPECT_EQ(Infer("transpose", {F32({2, 3})}, {{"perm", Ints{1, 2}}}),
            "error: transpose(f32[2,3]): perm [1,2] is not a permutation of 0..1 (the operand "
            "has rank 2)");
}

// ---- broadcast_to ----

TEST_F(ShapeOpsTest, BroadcastTo) {
  EXPECT_EQ(Infer("broadcast_to", {F32({3})}, {{"shape", Ints{2, 3}}}), "f32[2,3]");
  EXPECT_EQ(Infer("broadcast_to", {F32({1, 1})}, {{"shape", Ints{4, 5}}}), "f32[4,5]");
  EXPECT_EQ(Infer("broadcast_to", {F32({})}, {{"shape", Ints{0}}}), "f32[0]");
  // A `?` against a static target dim takes that dim.
  EXPECT_EQ(Infer("broadcast_to", {Param(DType::kI32, {Q, 1})}, {{"shape", Ints{4, 5}}}),
            "i32[4,5]");
}

TEST_F(ShapeOpsTest, BroadcastToErrors) {
  EXPECT_EQ(Infer("broadcast_to", {F32({2, 3})}, {{"shape", Ints{4}}}),
            "error: broadcast_to(f32[2,3]): shapes [2,3] and [4] cannot be broadcast (dim 1: 3 "
            "vs 4)");
  EXPECT_EQ(Infer("broadcast_to", {F32({2, 3})}, {{"shape", Ints{3}}}),
            "error: broadcast_to(f32[2,3]): cannot broadcast [2,3] to [3] (broadcasting gives "
            "[2,3])");
  EXPECT_EQ(Infer("broadcast_to", {F32({3})}, {{"shape", Ints{1}}}),
            "error: broadcast_to(f32[3]): cannot broadcast [3] to [1] (broadcasting gives [3])");
  EXPECT_EQ(Infer("broadcast_to", {F32({Q})}, {{"shape", Ints{1}}}),
            "error: broadcast_to(f32[?]): cannot broadcast [?] to [1] (broadcasting gives [?])");
  EXPECT_EQ(Infer("broadcast_to", {F32({3})}, {{"shape", Ints{-1, 3}}}),
            "error: broadcast_to(f32[3]): target shape [-1,3] must be static with dims >= 0");
}

// ---- broadcast_like ----

TEST_F(ShapeOpsTest, BroadcastLike) {
  Value* like = Param(DType::kI64, {Q, 4, 5});
  EXPECT_EQ(Infer("broadcast_like", {F32({5}), like}), "f32[?,4,5]");
  EXPECT_EQ(Infer("broadcast_like", {F32({7, 1, 1}), like}), "f32[?,4,5]");
  EXPECT_EQ(Infer("broadcast_like", {F32({Q, 5}), like}), "f32[?,4,5]");
  // x's `?` against like's 1 is only checkable at run time.
  EXPECT_EQ(Infer("broadcast_like", {F32({Q}), Param(DType::kBool, {2, 1})}), "f32[2,1]");
}

TEST_F(ShapeOpsTest, BroadcastLikeErrors) {
  EXPECT_EQ(Infer("broadcast_like", {F32({3}), F32({2, 4})}),
            "error: broadcast_like(f32[3], f32[2,4]): shapes [3] and [2,4] cannot be broadcast "
            "(dim 1: 3 vs 4)");
  EXPECT_EQ(Infer("broadcast_like", {F32({3}), F32({2, 1})}),
            "error: broadcast_like(f32[3], f32[2,1]): cannot broadcast [3] to [2,1] "
            "(broadcasting gives [2,3])");
  EXPECT_EQ(Infer("broadcast_like", {F32({2, 3}), F32({Q})}),
            "error: broadcast_like(f32[2,3], f32[?]): cannot broadcast [2,3] to [?] "
            "(broadcasting gives [2,3])");
  EXPECT_EQ(Infer("broadcast_like", {F32({3})}),
            "error: broadcast_like: expected 2 operands, got 1");
}

// ---- expand_dims ----

TEST_F(ShapeOpsTest, ExpandDims) {
  EXPECT_EQ(Infer("expand_dims", {F32({2, 3})}, {{"axis", int64_t{0}}}), "f32[1,2,3]");
  EXPECT_EQ(Infer("expand_dims", {F32({2, 3})}, {{"axis", int64_t{2}}}), "f32[2,3,1]");
  EXPECT_EQ(Infer("expand_dims", {F32({2, Q})}, {{"axis", int64_t{-1}}}), "f32[2,?,1]");
  EXPECT_EQ(Infer("expand_dims", {F32({2, 3})}, {{"axis", int64_t{-3}}}), "f32[1,2,3]");
  EXPECT_EQ(Infer("expand_dims", {F32({})}, {{"axis", int64_t{0}}}), "f32[1]");
}

TEST_F(ShapeOpsTest, ExpandDimsErrors) {
  EXPECT_EQ(Infer("expand_dims", {F32({2, 3})}, {{"axis", int64_t{3}}}),
            "error: expand_dims(f32[2,3]): axis 3 is out of range [-3, 2] for inserting a dim "
            "into rank 2");
  EXPECT_EQ(Infer("expand_dims", {F32({2, 3})}, {{"axis", int64_t{-4}}}),
            "error: expand_dims(f32[2,3]): axis -4 is out of range [-3, 2] for inserting a dim "
            "into rank 2");
  EXPECT_EQ(Infer("expand_dims", {F32({2, 3})}, {{"axis", 1.0}}),
            "error: attribute 'axis' of op 'expand_dims' must be int, got float");
}

// ---- squeeze ----

TEST_F(ShapeOpsTest, SqueezeAll) {
  EXPECT_EQ(Infer("squeeze", {F32({1, 3, 1, Q})}), "f32[3,?]");
  EXPECT_EQ(last_->attr<Ints>("axes"), Ints{});
  EXPECT_EQ(Infer("squeeze", {F32({1, 1})}), "f32[]");
}

TEST_F(ShapeOpsTest, SqueezeAxes) {
  EXPECT_EQ(Infer("squeeze", {F32({1, 3, 1})}, {{"axes", Ints{0}}}), "f32[3,1]");
  EXPECT_EQ(Infer("squeeze", {F32({1, Q, 1})}, {{"axes", Ints{-1, 0}}}), "f32[?]");
}

TEST_F(ShapeOpsTest, SqueezeErrors) {
  EXPECT_EQ(Infer("squeeze", {F32({1, Q})}, {{"axes", Ints{1}}}),
            "error: squeeze(f32[1,?]): cannot squeeze a dynamic dim (axis 1 is ?)");
  EXPECT_EQ(Infer("squeeze", {F32({1, 3})}, {{"axes", Ints{1}}}),
            "error: squeeze(f32[1,3]): cannot squeeze axis 1 of size 3 (only size-1 dims)");
  EXPECT_EQ(Infer("squeeze", {F32({1, 3})}, {{"axes", Ints{0, -2}}}),
            "error: squeeze(f32[1,3]): axes [0,-2] repeat axis 0");
  EXPECT_EQ(Infer("squeeze", {F32({1, 3})}, {{"axes", Ints{2}}}),
            "error: squeeze(f32[1,3]): axis 2 is out of range for rank 2");
}

// ---- strided_slice ----

class StridedSliceTest : public ShapeOpsTest {
 protected:
  std::string Slice(Shape shape, Ints begin, Ints end, Ints strides, int64_t begin_mask = 0,
                    int64_t end_mask = 0, int64_t shrink = 0) {
    AttrMap attrs{{"begin", std::move(begin)}, {"end", std::move(end)},
                  {"strides", std::move(strides)}};
    if (begin_mask != 0) attrs["begin_mask"] = begin_mask;
    if (end_mask != 0) attrs["end_mask"] = end_mask;
    if (shrink != 0) attrs["shrink_axis_mask"] = shrink;
    return Infer("strided_slice", {F32(std::move(shape))}, std::move(attrs));
  }
};

TEST_F(StridedSliceTest, Basic) {
  EXPECT_EQ(Slice({10}, {2}, {7}, {1}), "f32[5]");
  EXPECT_EQ(Slice({10}, {2}, {7}, {2}), "f32[3]");  // 2, 4, 6
  EXPECT_EQ(Slice({10, 4}, {0, 1}, {10, 3}, {3, 1}), "f32[4,2]");
  EXPECT_EQ(last_->attr<int64_t>("begin_mask"), 0);
  EXPECT_EQ(last_->attr<int64_t>("end_mask"), 0);
  EXPECT_EQ(last_->attr<int64_t>("shrink_axis_mask"), 0);
}

TEST_F(StridedSliceTest, NegativeBoundsAndClamping) {
  EXPECT_EQ(Slice({10}, {-3}, {10}, {1}), "f32[3]");     // x[-3:]
  EXPECT_EQ(Slice({10}, {0}, {-1}, {1}), "f32[9]");      // x[:-1]
  EXPECT_EQ(Slice({10}, {-100}, {100}, {1}), "f32[10]");  // clamped like Python
  EXPECT_EQ(Slice({10}, {7}, {2}, {1}), "f32[0]");       // empty, not negative
  EXPECT_EQ(Slice({10}, {20}, {30}, {1}), "f32[0]");
}

TEST_F(StridedSliceTest, NegativeStrides) {
  EXPECT_EQ(Slice({10}, {8}, {2}, {-2}), "f32[3]");       // 8, 6, 4
  EXPECT_EQ(Slice({10}, {-1}, {-100}, {-1}), "f32[10]");  // x[-1:-100:-1]
  EXPECT_EQ(Slice({10}, {2}, {8}, {-1}), "f32[0]");
}

TEST_F(StridedSliceTest, Masks) {
  // begin_mask bit 0: x[:5]; end_mask bit 0: x[5:].
  EXPECT_EQ(Slice({10}, {7}, {5}, {1}, /*begin_mask=*/1), "f32[5]");
  EXPECT_EQ(Slice({10}, {5}, {0}, {1}, 0, /*end_mask=*/1), "f32[5]");
  // x[::-1] and x[::-3] (9, 6, 3, 0).
  EXPECT_EQ(Slice({10}, {0}, {0}, {-1}, 1, 1), "f32[10]");
  EXPECT_EQ(Slice({10}, {0}, {0}, {-3}, 1, 1), "f32[4]");
  // Masks only touch their own dim: bit 1 here.
  EXPECT_EQ(Slice({10, 6}, {1, 4}, {3, 0}, {1, 1}, 0, 2), "f32[2,2]");
}

TEST_F(StridedSliceTest, Shrink) {
  EXPECT_EQ(Slice({10, 6}, {3, 0}, {4, 6}, {1, 1}, 0, 0, /*shrink=*/1), "f32[6]");
  EXPECT_EQ(Slice({10, 6}, {0, -1}, {10, 0}, {1, 1}, 0, 0, 2), "f32[10]");  // x[:, -1]
  EXPECT_EQ(Slice({10, 6}, {2, 5}, {3, 6}, {1, 1}, 0, 0, 3), "f32[]");
}

TEST_F(StridedSliceTest, DynamicDims) {
  EXPECT_EQ(Slice({Q, 6}, {1, 2}, {3, 6}, {1, 2}), "f32[?,2]");
  EXPECT_EQ(Slice({Q, 6}, {0, 0}, {0, 6}, {1, 1}, 1, 1), "f32[?,6]");
  // A shrunk `?` dim is removed; its index is checked at run time.
  EXPECT_EQ(Slice({Q, 6}, {-1, 0}, {0, 6}, {1, 1}, 0, 0, 1), "f32[6]");
}

TEST_F(StridedSliceTest, Errors) {
  EXPECT_EQ(Slice({10}, {0}, {5}, {0}),
            "error: strided_slice(f32[10]): strides [0] has a 0 at dim 0");
  EXPECT_EQ(Slice({10, 6}, {0}, {5, 6}, {1, 1}),
            "error: strided_slice(f32[10,6]): begin [0] must have one entry per dim (2)");
  EXPECT_EQ(Slice({10, 6}, {0, 0}, {5}, {1, 1}),
            "error: strided_slice(f32[10,6]): end [5] must have one entry per dim (2)");
  EXPECT_EQ(Slice({10, 6}, {0, 0}, {5, 6}, {1}),
            "error: strided_slice(f32[10,6]): strides [1] must have one entry per dim (2)");
  EXPECT_EQ(Slice({10}, {10}, {11}, {1}, 0, 0, 1),
            "error: strided_slice(f32[10]): index 10 is out of range for dim 0 of size 10");
  EXPECT_EQ(Slice({10}, {-11}, {0}, {1}, 0, 0, 1),
            "error: strided_slice(f32[10]): index -11 is out of range for dim 0 of size 10");
  EXPECT_EQ(Slice({10}, {0}, {1}, {1}, 2),
            "error: strided_slice(f32[10]): begin_mask 2 has bits beyond the operand's 1 dims");
  EXPECT_EQ(Slice({10}, {0}, {1}, {1}, 0, -1),
            "error: strided_slice(f32[10]): end_mask -1 has bits beyond the operand's 1 dims");
  EXPECT_EQ(Slice({10}, {0}, {1}, {1}, 0, 0, 4),
            "error: strided_slice(f32[10]): shrink_axis_mask 4 has bits beyond the operand's 1 "
            "dims");
}

// ---- gather ----

TEST_F(ShapeOpsTest, Gather) {
  Value* params = F32({5, 6, 7});
  EXPECT_EQ(Infer("gather", {params, Param(DType::kI32, {2, 3})}), "f32[2,3,6,7]");
  EXPECT_EQ(last_->attr<int64_t>("axis"), 0);
  EXPECT_EQ(Infer("gather", {params, Param(DType::kI64, {Q})}, {{"axis", int64_t{1}}}),
            "f32[5,?,7]");
  EXPECT_EQ(Infer("gather", {params, Param(DType::kI8, {})}, {{"axis", int64_t{-1}}}),
            "f32[5,6]");
}

TEST_F(ShapeOpsTest, GatherErrors) {
  EXPECT_EQ(Infer("gather", {F32({5}), F32({2})}),
            "error: gather(f32[5], f32[2]): indices must be integer, got f32");
  EXPECT_EQ(Infer("gather", {F32({5}), Param(DType::kI32, {2})}, {{"axis", int64_t{1}}}),
            "error: gather(f32[5], i32[2]): axis 1 is out of range for rank 1");
  EXPECT_EQ(Infer("gather", {F32({}), Param(DType::kI32, {2})}),
            "error: gather(f32[], i32[2]): axis 0 is out of range for rank 0");
}

// ---- concat ----

TEST_F(ShapeOpsTest, Concat) {
  EXPECT_EQ(Infer("concat", {F32({2, 3}), F32({4, 3})}, {{"axis", int64_t{0}}}), "f32[6,3]");
  EXPECT_EQ(Infer("concat", {F32({2, 3}), F32({2, 1}), F32({2, 2})}, {{"axis", int64_t{-1}}}),
            "f32[2,6]");
  EXPECT_EQ(Infer("concat", {F32({2, 3})}, {{"axis", int64_t{1}}}), "f32[2,3]");
}

TEST_F(ShapeOpsTest, ConcatDynamic) {
  EXPECT_EQ(Infer("concat", {F32({Q, 3}), F32({4, 3})}, {{"axis", int64_t{0}}}), "f32[?,3]");
  // A static dim elsewhere pins the other operand's `?`.
  EXPECT_EQ(Infer("concat", {F32({Q, 3}), F32({4, 3})}, {{"axis", int64_t{1}}}), "f32[4,6]");
  EXPECT_EQ(Infer("concat", {F32({2, Q}), F32({2, 5}), F32({2, Q})}, {{"axis", int64_t{0}}}),
            "f32[6,5]");
}

TEST_F(ShapeOpsTest, ConcatErrors) {
  EXPECT_EQ(Infer("concat", {F32({2, 3}), F32({2, 4})}, {{"axis", int64_t{0}}}),
            "error: concat(f32[2,3], f32[2,4]): operand 1 has size 4 in dim 1, the others have 3 "
            "(only the concat axis 0 may differ)");
  EXPECT_EQ(Infer("concat", {F32({2, 3}), F32({2})}, {{"axis", int64_t{0}}}),
            "error: concat(f32[2,3], f32[2]): operand 1 has rank 1, operand 0 has rank 2");
  EXPECT_EQ(Infer("concat", {F32({2}), Param(DType::kI32, {2})}, {{"axis", int64_t{0}}}),
            "error: concat(f32[2], i32[2]): operand dtypes differ: f32 vs i32 (cast one of them "
            "first)");
  EXPECT_EQ(Infer("concat", {F32({2})}, {{"axis", int64_t{1}}}),
            "error: concat(f32[2]): axis 1 is out of range for rank 1");
  EXPECT_EQ(Infer("concat", {}, {{"axis", int64_t{0}}}),
            "error: concat: expected at least 1 operands, got 0");
}

TEST_F(ShapeOpsTest, FusionKinds) {
  const OpRegistry& reg = OpRegistry::Get();
  for (std::string_view name : {"reshape", "transpose", "expand_dims", "squeeze",
                                "strided_slice", "gather", "concat"}) {
    EXPECT_EQ(reg.Find(name)->fusion, FusionKind::kInjective) << name;
    EXPECT_TRUE(reg.Find(name)->structural) << name;
  }
  EXPECT_EQ(reg.Find("broadcast_to")->fusion, FusionKind::kBroadcast);
  EXPECT_EQ(reg.Find("broadcast_like")->fusion, FusionKind::kBroadcast);
}

}  // namespace
}  // namespace graphc::ir
