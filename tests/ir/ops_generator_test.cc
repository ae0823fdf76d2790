// Shape/dtype inference of the generator ops (ir/ops/generator.cc).
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

class GeneratorOpsTest : public ::testing::Test {
 protected:
  Value* Param(DType dtype, Shape shape) {
    return f_->AddParam(TensorType{dtype, std::move(shape)});
  }

  // The inferred result type, or "error: " and the status message.
  std::string Infer(std::string_view name, std::vector<Value*> operands, AttrMap attrs = {}) {
    absl::StatusOr<Op*> op = b_.Create(name, std::move(operands), std::move(attrs));
    if (!op.ok()) return StrCat("error: ", ToStd(op.status().message()));
    last_ = *op;
    return (*op)->result(0)->type().ToString();
  }
  std::string Range(double start, double limit, double delta, DType dtype = DType::kI32) {
    return Infer("range", {},
                 {{"start", start}, {"limit", limit}, {"delta", delta}, {"dtype", dtype}});
  }

  Module m_;
  Function* f_ = m_.AddFunction("f");
  Builder b_{&f_->body()};
  Op* last_ = nullptr;
};

// ---- constant ----

TEST_F(GeneratorOpsTest, Constant) {
  DenseElements e(TensorType{DType::kI64, Shape{2}});
  e.SetInt(0, 7);
  absl::StatusOr<Value*> v = b_.Constant(e);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ((*v)->type().ToString(), "i64[2]");
}

// ---- fill ----

TEST_F(GeneratorOpsTest, Fill) {
  EXPECT_EQ(Infer("fill", {}, {{"shape", Ints{2, 3}}, {"value", 0.0}}), "f32[2,3]");
  EXPECT_EQ(last_->attr<DType>("dtype"), DType::kF32);
  EXPECT_EQ(last_->attr<double>("value"), 0.0);
  EXPECT_EQ(Infer("fill", {}, {{"shape", Ints{}}, {"value", 1.0}, {"dtype", DType::kI64}}),
            "i64[]");
  EXPECT_EQ(Infer("fill", {}, {{"shape", Ints{0, 4}}, {"value", 1.0}, {"dtype", DType::kBool}}),
            "bool[0,4]");
}

TEST_F(GeneratorOpsTest, FillErrors) {
  EXPECT_EQ(Infer("fill", {}, {{"shape", Ints{2, -1}}, {"value", 0.0}}),
            "error: fill(): shape [2,-1] has a negative dim at index 1 (generator shapes must be "
            "static)");
  EXPECT_EQ(Infer("fill", {}, {{"shape", Ints{2}}}),
            "error: op 'fill' needs attribute 'value' (float)");
  EXPECT_EQ(Infer("fill", {}, {{"shape", Ints{2}}, {"value", int64_t{1}}}),
            "error: attribute 'value' of op 'fill' must be float, got int");
  EXPECT_EQ(Infer("fill", {Param(DType::kF32, {2})}, {{"shape", Ints{2}}, {"value", 0.0}}),
            "error: fill: expected 0 operands, got 1");
}

// ---- fill_like ----

TEST_F(GeneratorOpsTest, FillLike) {
  EXPECT_EQ(Infer("fill_like", {Param(DType::kF64, {Q, 3})}, {{"value", 2.5}}), "f64[?,3]");
  EXPECT_EQ(Infer("fill_like", {Param(DType::kI32, {})}, {{"value", 1.0}}), "i32[]");
}

TEST_F(GeneratorOpsTest, FillLikeErrors) {
  EXPECT_EQ(Infer("fill_like", {Param(DType::kF32, {2})}),
            "error: op 'fill_like' needs attribute 'value' (float)");
  EXPECT_EQ(Infer("fill_like", {}, {{"value", 1.0}}),
            "error: fill_like: expected 1 operand, got 0");
}

// ---- range ----

TEST_F(GeneratorOpsTest, RangeCount) {
  EXPECT_EQ(Range(0, 5, 1), "i32[5]");
  EXPECT_EQ(Range(0, 5, 2), "i32[3]");  // 0, 2, 4
  EXPECT_EQ(Range(1, 2, 0.25, DType::kF32), "f32[4]");  // 1, 1.25, 1.5, 1.75
  EXPECT_EQ(Range(5, 0, -1), "i32[5]");  // 5, 4, 3, 2, 1
  EXPECT_EQ(Range(5, 0, 1), "i32[0]");  // empty, never negative
  EXPECT_EQ(Range(3, 3, 1, DType::kI64), "i64[0]");
}

TEST_F(GeneratorOpsTest, RangeDefaults) {
  EXPECT_EQ(Infer("range", {}, {{"start", 2.0}, {"limit", 6.0}}), "i32[4]");
  EXPECT_EQ(last_->attr<double>("delta"), 1.0);
  EXPECT_EQ(last_->attr<DType>("dtype"), DType::kI32);
}

TEST_F(GeneratorOpsTest, RangeErrors) {
  EXPECT_EQ(Range(0, 5, 0), "error: range(): delta must not be 0");
  EXPECT_EQ(Range(0, 5, 1, DType::kBool), "error: range(): dtype must be numeric, got bool");
  EXPECT_EQ(Range(0, 1e300, 1e-300, DType::kF64),
            "error: range(): start, limit and delta must be finite, got 0, 1e+300, 1e-300");
  EXPECT_EQ(Range(0, 1e30, 1, DType::kI64),
            "error: range(): the range has too many elements (1e+30)");
  EXPECT_EQ(Infer("range", {}, {{"limit", 6.0}}),
            "error: op 'range' needs attribute 'start' (float)");
}

// ---- random_uniform / random_normal ----

TEST_F(GeneratorOpsTest, RandomUniform) {
  EXPECT_EQ(Infer("random_uniform", {}, {{"shape", Ints{3, 4}}, {"seed", int64_t{42}}}),
            "f32[3,4]");
  EXPECT_EQ(last_->attr<double>("minval"), 0.0);
  EXPECT_EQ(last_->attr<double>("maxval"), 1.0);
  EXPECT_EQ(last_->attr<DType>("dtype"), DType::kF32);
  EXPECT_EQ(Infer("random_uniform", {},
                  {{"shape", Ints{5}}, {"seed", int64_t{1}}, {"dtype", DType::kF64}}),
            "f64[5]");
}

TEST_F(GeneratorOpsTest, RandomNormal) {
  EXPECT_EQ(Infer("random_normal", {}, {{"shape", Ints{}}, {"seed", int64_t{7}}}), "f32[]");
  EXPECT_EQ(last_->attr<double>("mean"), 0.0);
  EXPECT_EQ(last_->attr<double>("stddev"), 1.0);
  EXPECT_EQ(last_->attr<DType>("dtype"), DType::kF32);
}

TEST_F(GeneratorOpsTest, RandomErrors) {
  EXPECT_EQ(Infer("random_uniform", {},
                  {{"shape", Ints{2}}, {"seed", int64_t{1}}, {"dtype", DType::kI32}}),
            "error: random_uniform(): dtype must be f32 or f64, got i32");
  EXPECT_EQ(Infer("random_normal", {},
                  {{"shape", Ints{2}}, {"seed", int64_t{1}}, {"dtype", DType::kBool}}),
            "error: random_normal(): dtype must be f32 or f64, got bool");
  EXPECT_EQ(Infer("random_normal", {}, {{"shape", Ints{-3}}, {"seed", int64_t{1}}}),
            "error: random_normal(): shape [-3] has a negative dim at index 0 (generator shapes "
            "must be static)");
  EXPECT_EQ(Infer("random_uniform", {}, {{"shape", Ints{2}}}),
            "error: op 'random_uniform' needs attribute 'seed' (int)");
}

TEST_F(GeneratorOpsTest, RandomOpsRunAsKernels) {
  const OpRegistry& reg = OpRegistry::Get();
  for (std::string_view name : {"random_uniform", "random_normal"}) {
    const OpDef* def = reg.Find(name);
    EXPECT_EQ(def->kernel, name);
    EXPECT_FALSE(def->structural);
    EXPECT_TRUE(def->not_differentiable);
    EXPECT_EQ(def->fusion, FusionKind::kOpaque);
  }
}

// ---- one_hot ----

TEST_F(GeneratorOpsTest, OneHot) {
  Value* indices = Param(DType::kI32, {Q, 3});
  EXPECT_EQ(Infer("one_hot", {indices}, {{"depth", int64_t{10}}}), "f32[?,3,10]");
  EXPECT_EQ(last_->attr<int64_t>("axis"), -1);
  EXPECT_EQ(last_->attr<double>("on_value"), 1.0);
  EXPECT_EQ(last_->attr<double>("off_value"), 0.0);
  EXPECT_EQ(last_->attr<DType>("dtype"), DType::kF32);
  EXPECT_EQ(Infer("one_hot", {indices}, {{"depth", int64_t{4}}, {"axis", int64_t{0}}}),
            "f32[4,?,3]");
  EXPECT_EQ(Infer("one_hot", {indices}, {{"depth", int64_t{4}}, {"axis", int64_t{-2}}}),
            "f32[?,4,3]");
  EXPECT_EQ(Infer("one_hot", {Param(DType::kI64, {})},
                  {{"depth", int64_t{0}}, {"dtype", DType::kI8}}),
            "i8[0]");
}

TEST_F(GeneratorOpsTest, OneHotErrors) {
  EXPECT_EQ(Infer("one_hot", {Param(DType::kF32, {3})}, {{"depth", int64_t{4}}}),
            "error: one_hot(f32[3]): expects integer operands, got f32");
  EXPECT_EQ(Infer("one_hot", {Param(DType::kI32, {3})}, {{"depth", int64_t{-1}}}),
            "error: one_hot(i32[3]): depth must be >= 0, got -1");
  EXPECT_EQ(Infer("one_hot", {Param(DType::kI32, {3})},
                  {{"depth", int64_t{4}}, {"axis", int64_t{2}}}),
            "error: one_hot(i32[3]): axis 2 is out of range [-2, 1] for indices of rank 1");
  EXPECT_EQ(Infer("one_hot", {Param(DType::kI32, {3})},
                  {{"depth", int64_t{4}}, {"axis", int64_t{-3}}}),
            "error: one_hot(i32[3]): axis -3 is out of range [-2, 1] for indices of rank 1");
}

TEST_F(GeneratorOpsTest, Marks) {
  const OpRegistry& reg = OpRegistry::Get();
  EXPECT_TRUE(reg.Find("fill_like")->not_differentiable);
  EXPECT_TRUE(reg.Find("one_hot")->not_differentiable);
  EXPECT_EQ(reg.Find("fill")->fusion, FusionKind::kElementwise);
  EXPECT_EQ(reg.Find("fill_like")->fusion, FusionKind::kElementwise);
  EXPECT_EQ(reg.Find("range")->fusion, FusionKind::kInjective);
  EXPECT_EQ(reg.Find("one_hot")->fusion, FusionKind::kInjective);
}

}  // namespace
}  // namespace graphc::ir
