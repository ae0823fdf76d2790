// The reference interpreter: exact values per op family, run-time shape
// checks, variables, control flow. Values are hand-computed.
#include "compiler/interpreter/interpreter.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "ir/builder.h"

namespace graphc::interp {
namespace {

using ir::AttrMap;
using ir::DType;
using ir::Shape;

HostTensor F32(Shape shape, std::vector<float> v) {
  HostTensor t(DType::kF32, std::move(shape));
  for (size_t i = 0; i < v.size(); ++i) t.mutable_data_as<float>()[i] = v[i];
  return t;
}
HostTensor I32(Shape shape, std::vector<int32_t> v) {
  HostTensor t(DType::kI32, std::move(shape));
  for (size_t i = 0; i < v.size(); ++i) t.mutable_data_as<int32_t>()[i] = v[i];
  return t;
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

TEST(InterpreterElementwise, AddBroadcastsRows) {
  HostTensor out = Eval("add", {F32({2, 3}, {1, 2, 3, 4, 5, 6}), F32({3}, {10, 20, 30})});
  EXPECT_EQ(out.shape(), (Shape{2, 3}));
  EXPECT_EQ(Values(out), (std::vector<double>{11, 22, 33, 14, 25, 36}));
}

TEST(InterpreterElementwise, BroadcastsColumnAgainstRow) {
  HostTensor out = Eval("mul", {F32({2, 1}, {1, 2}), F32({1, 3}, {1, 10, 100})});
  EXPECT_EQ(Values(out), (std::vector<double>{1, 10, 100, 2, 20, 200}));
}

TEST(InterpreterElementwise, SigmoidIsComputedInSinglePrecision) {
  HostTensor out = Eval("sigmoid", {F32({3}, {-2.f, 0.f, 3.f})});
  for (int i = 0; i < 3; ++i) {
    const float x = std::vector<float>{-2.f, 0.f, 3.f}[static_cast<size_t>(i)];
    EXPECT_EQ(out.data_as<float>()[i], 1.0f / (1.0f + std::exp(-x)));
  }
}

TEST(InterpreterElementwise, IntegerDivisionTruncatesAndDivideByZeroIsZero) {
  HostTensor out = Eval("div", {I32({4}, {7, -7, 5, std::numeric_limits<int32_t>::min()}),
                                I32({4}, {2, 2, 0, -1})});
  EXPECT_EQ(Values(out), (std::vector<double>{3, -3, 0, std::numeric_limits<int32_t>::min()}));
}

TEST(InterpreterElementwise, Int8AddWrapsAround) {
  HostTensor a(DType::kI8, Shape{1}), b(DType::kI8, Shape{1});
  a.SetInt(0, 127);
  b.SetInt(0, 1);
  EXPECT_EQ(Eval("add", {a, b}).GetInt(0), -128);
}

TEST(InterpreterElementwise, MaximumPropagatesNaNAndOrdersSignedZeros) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  HostTensor out = Eval("maximum", {F32({3}, {nan, -0.f, 1.f}), F32({3}, {1.f, 0.f, 2.f})});
  EXPECT_TRUE(std::isnan(out.data_as<float>()[0]));
  EXPECT_FALSE(std::signbit(out.data_as<float>()[1]));
  EXPECT_EQ(out.data_as<float>()[2], 2.f);
  HostTensor relu = Eval("relu", {F32({3}, {-1.f, nan, 2.5f})});
  EXPECT_EQ(relu.data_as<float>()[0], 0.f);
  EXPECT_TRUE(std::isnan(relu.data_as<float>()[1]));
  EXPECT_EQ(relu.data_as<float>()[2], 2.5f);
}

TEST(InterpreterElementwise, CastSaturatesTruncatesAndMapsNaNToZero) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  HostTensor out = Eval("cast", {F32({4}, {300.f, -3.7f, nan, -1000.f})}, {{"dtype", DType::kI8}});
  EXPECT_EQ(out.dtype(), DType::kI8);
  EXPECT_EQ(Values(out), (std::vector<double>{127, -3, 0, -128}));
  HostTensor b = Eval("cast", {F32({3}, {0.f, -2.f, nan})}, {{"dtype", DType::kBool}});
  EXPECT_EQ(Values(b), (std::vector<double>{0, 1, 1}));
}

TEST(InterpreterElementwise, ComparisonsWithNaNAreFalseExceptNe) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<HostTensor> in = {F32({2}, {nan, 1.f}), F32({2}, {nan, 1.f})};
  EXPECT_EQ(Values(Eval("eq", in)), (std::vector<double>{0, 1}));
  EXPECT_EQ(Values(Eval("ne", in)), (std::vector<double>{1, 0}));
  EXPECT_EQ(Values(Eval("le", in)), (std::vector<double>{0, 1}));
}

TEST(InterpreterElementwise, SelectBroadcastsTheCondition) {
  HostTensor cond(DType::kBool, Shape{2, 1});
  cond.SetInt(0, 1);
  HostTensor out = Eval("select", {cond, F32({2, 2}, {1, 2, 3, 4}), F32({}, {-1})});
  EXPECT_EQ(Values(out), (std::vector<double>{1, 2, -1, -1}));
}

TEST(InterpreterElementwise, RunTimeShapeMismatchIsAnError) {
  absl::StatusOr<std::vector<HostTensor>> out =
      EvalOp("add", std::vector<HostTensor>{F32({2}, {1, 2}), F32({3}, {1, 2, 3})}, {}, nullptr);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("add(f32[2], f32[3])"), absl::string_view::npos);
}

TEST(InterpreterElementwise, UnknownOpIsAnError) {
  absl::StatusOr<std::vector<HostTensor>> out = EvalOp("frobnicate", {}, {}, nullptr);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("unknown op 'frobnicate'"), absl::string_view::npos);
}

TEST(InterpreterFunction, RunsABuiltFunctionWithADynamicDim) {
  ir::Module m;
  ir::Function* f = m.AddFunction("f");
  ir::Value* x = f->AddParam({DType::kF32, Shape{ir::kDynamic, 2}}, "x");
  ir::Builder b(&f->body());
  ir::Value* sq = *b.Emit("square", {x});
  ir::Value* y = *b.Emit("add", {sq, x});
  f->set_result_types({y->type()});
  ASSERT_TRUE(b.Create("return", {y}).ok());
  for (int64_t batch : {1, 3}) {
    std::vector<float> in;
    for (int64_t i = 0; i < batch * 2; ++i) in.push_back(static_cast<float>(i));
    absl::StatusOr<std::vector<HostTensor>> out = RunFunction(*f, std::vector<HostTensor>{F32({batch, 2}, in)}, nullptr);
    ASSERT_TRUE(out.ok()) << out.status();
    ASSERT_EQ((*out)[0].shape(), (Shape{batch, 2}));
    for (int64_t i = 0; i < batch * 2; ++i) EXPECT_EQ((*out)[0].GetDouble(i), double(i * i + i));
  }
}

TEST(InterpreterFunction, WrongArgumentTypeNamesTheParameter) {
  ir::Module m;
  ir::Function* f = m.AddFunction("f");
  ir::Value* x = f->AddParam({DType::kF32, Shape{ir::kDynamic, 2}}, "x");
  ir::Builder b(&f->body());
  f->set_result_types({x->type()});
  ASSERT_TRUE(b.Create("return", {x}).ok());
  absl::StatusOr<std::vector<HostTensor>> out = RunFunction(*f, std::vector<HostTensor>{F32({2, 3}, {1, 2, 3, 4, 5, 6})}, nullptr);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "@f: argument 0 (%x) must be f32[?,2], got f32[2,3]");
  out = RunFunction(*f, {}, nullptr);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "@f takes 1 arguments, got 0");
}

}  // namespace
}  // namespace graphc::interp
