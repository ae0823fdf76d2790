// Shape/dtype inference of the reduce family (ir/ops/reduce.cc).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ir/builder.h"
#include "ir/str_cat.h"

namespace graphc::ir {
namespace {

constexpr int64_t Q = kDynamic;

TensorType T(DType dtype, std::vector<int64_t> dims) { return {dtype, Shape(std::move(dims))}; }
TensorType F32(std::vector<int64_t> dims) { return T(DType::kF32, std::move(dims)); }
using Ints = std::vector<int64_t>;

// Builds op `name` on parameters of types `operands`; returns its result
// types ("f32[2], i32[]") or "error: <message>".
std::string Infer(std::string_view name, std::vector<TensorType> operands, AttrMap attrs = {}) {
  Module m;
  Function* f = m.AddFunction("f");
  std::vector<Value*> args;
  for (const TensorType& t : operands) args.push_back(f->AddParam(t));
  Builder b(&f->body());
  absl::StatusOr<Op*> op = b.Create(name, args, std::move(attrs));
  if (!op.ok()) return StrCat("error: ", op.status().message());
  std::string s;
  for (const Value* v : (*op)->results()) s += (s.empty() ? "" : ", ") + v->type().ToString();
  return s;
}

const char* const kNumericReductions[] = {"reduce_sum", "reduce_mean", "reduce_max", "reduce_min",
                                          "reduce_prod"};

TEST(ReduceOps, RemoveTheListedAxes) {
  for (const char* op : kNumericReductions) {
    SCOPED_TRACE(op);
    EXPECT_EQ(Infer(op, {F32({2, 3})}, {{"axes", Ints{1}}}), "f32[2]");
    EXPECT_EQ(Infer(op, {F32({2, 3, 4})}, {{"axes", Ints{0, 2}}}), "f32[3]");
    EXPECT_EQ(Infer(op, {T(DType::kI32, {5, 6})}, {{"axes", Ints{0}}}), "i32[6]");
  }
}

TEST(ReduceOps, EmptyAxesReduceEverything) {
  EXPECT_EQ(Infer("reduce_sum", {F32({2, 3})}), "f32[]");
  EXPECT_EQ(Infer("reduce_mean", {F32({Q, 3})}, {{"keepdims", true}}), "f32[1,1]");
  EXPECT_EQ(Infer("reduce_max", {F32({})}), "f32[]");
}

TEST(ReduceOps, NegativeAxesAndKeepdims) {
  EXPECT_EQ(Infer("reduce_sum", {F32({2, 3})}, {{"axes", Ints{-1}}}), "f32[2]");
  EXPECT_EQ(Infer("reduce_sum", {F32({2, 3})}, {{"axes", Ints{-1}}, {"keepdims", true}}),
            "f32[2,1]");
  EXPECT_EQ(Infer("reduce_prod", {F32({2, 3, 4})}, {{"axes", Ints{-3, 1}}, {"keepdims", true}}),
            "f32[1,1,4]");
  // Axis order in the list does not matter.
  EXPECT_EQ(Infer("reduce_min", {F32({2, 3, 4})}, {{"axes", Ints{2, 0}}}), "f32[3]");
}

TEST(ReduceOps, DynamicDimsPropagate) {
  EXPECT_EQ(Infer("reduce_sum", {F32({Q, 3, Q})}, {{"axes", Ints{1}}}), "f32[?,?]");
  EXPECT_EQ(Infer("reduce_sum", {F32({Q, 3, Q})}, {{"axes", Ints{0, 2}}}), "f32[3]");
  EXPECT_EQ(Infer("reduce_mean", {F32({Q, 3})}, {{"axes", Ints{0}}, {"keepdims", true}}),
            "f32[1,3]");
}

TEST(ReduceOps, DefaultsAreFilled) {
  Module m;
  Function* f = m.AddFunction("f");
  Value* x = f->AddParam(F32({2, 3}));
  Builder b(&f->body());
  absl::StatusOr<Value*> v = b.Emit("reduce_sum", {x});
  ASSERT_TRUE(v.ok()) << v.status();
  const Op* op = (*v)->defining_op();
  EXPECT_EQ(op->attr<Ints>("axes"), Ints{});
  EXPECT_FALSE(op->attr<bool>("keepdims"));
}

TEST(ReduceOps, RejectsBool) {
  EXPECT_EQ(Infer("reduce_sum", {T(DType::kBool, {2})}),
            "error: reduce_sum(bool[2]): expects numeric (float or integer) operands, got bool");
}

TEST(ReduceOps, AxisOutOfRange) {
  EXPECT_EQ(Infer("reduce_sum", {F32({2, 3})}, {{"axes", Ints{2}}}),
            "error: reduce_sum(f32[2,3]): axis 2 is out of range for rank 2");
  EXPECT_EQ(Infer("reduce_mean", {F32({2, 3})}, {{"axes", Ints{-3}}}),
            "error: reduce_mean(f32[2,3]): axis -3 is out of range for rank 2");
  EXPECT_EQ(Infer("reduce_max", {F32({})}, {{"axes", Ints{0}}}),
            "error: reduce_max(f32[]): axis 0 is out of range for rank 0");
}

TEST(ReduceOps, RepeatedAxis) {
  EXPECT_EQ(Infer("reduce_sum", {F32({2, 3})}, {{"axes", Ints{1, -1}}}),
            "error: reduce_sum(f32[2,3]): axis -1 is repeated in axes [1,-1]");
  EXPECT_EQ(Infer("reduce_any", {T(DType::kBool, {2})}, {{"axes", Ints{0, 0}}}),
            "error: reduce_any(bool[2]): axis 0 is repeated in axes [0,0]");
}

TEST(ReduceOps, AxesMustBeAList) {
  EXPECT_EQ(Infer("reduce_sum", {F32({2, 3})}, {{"axes", int64_t{1}}}),
            "error: attribute 'axes' of op 'reduce_sum' must be int list, got int");
}

TEST(ReduceOps, LogicalReductions) {
  EXPECT_EQ(Infer("reduce_any", {T(DType::kBool, {2, Q})}, {{"axes", Ints{1}}}), "bool[2]");
  EXPECT_EQ(Infer("reduce_all", {T(DType::kBool, {2, Q})}), "bool[]");
  EXPECT_EQ(Infer("reduce_all", {T(DType::kBool, {2, Q})}, {{"axes", Ints{0}}, {"keepdims", true}}),
            "bool[1,?]");
  EXPECT_EQ(Infer("reduce_any", {F32({2})}),
            "error: reduce_any(f32[2]): expects bool operands, got f32");
  EXPECT_EQ(Infer("reduce_all", {T(DType::kI32, {2})}),
            "error: reduce_all(i32[2]): expects bool operands, got i32");
}

TEST(ArgReduceOps, RemoveTheAxis) {
  for (const char* op : {"argmax", "argmin"}) {
    SCOPED_TRACE(op);
    EXPECT_EQ(Infer(op, {F32({2, 3})}), "i64[3]");
    EXPECT_EQ(Infer(op, {F32({2, 3})}, {{"axis", int64_t{-1}}}), "i64[2]");
    EXPECT_EQ(Infer(op, {F32({2, 3})}, {{"axis", int64_t{1}}, {"dtype", DType::kI32}}), "i32[2]");
    EXPECT_EQ(Infer(op, {T(DType::kI8, {Q, 4, Q})}, {{"axis", int64_t{1}}}), "i64[?,?]");
    EXPECT_EQ(Infer(op, {F32({7})}), "i64[]");
  }
}

TEST(ArgReduceOps, DefaultsAreFilled) {
  Module m;
  Function* f = m.AddFunction("f");
  Value* x = f->AddParam(F32({2, 3}));
  Builder b(&f->body());
  absl::StatusOr<Value*> v = b.Emit("argmin", {x});
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ((*v)->defining_op()->attr<int64_t>("axis"), 0);
  EXPECT_EQ((*v)->defining_op()->attr<DType>("dtype"), DType::kI64);
}

TEST(ArgReduceOps, Errors) {
  EXPECT_EQ(Infer("argmax", {F32({2, 3})}, {{"dtype", DType::kF32}}),
            "error: argmax(f32[2,3]): dtype must be i32 or i64, got f32");
  EXPECT_EQ(Infer("argmin", {F32({2, 3})}, {{"axis", int64_t{2}}}),
            "error: argmin(f32[2,3]): axis 2 is out of range for rank 2");
  EXPECT_EQ(Infer("argmax", {F32({})}), "error: argmax(f32[]): axis 0 is out of range for rank 0");
  EXPECT_EQ(Infer("argmax", {T(DType::kBool, {2})}),
            "error: argmax(bool[2]): expects numeric (float or integer) operands, got bool");
  EXPECT_EQ(Infer("argmin", {F32({2, 0})}, {{"axis", int64_t{-1}}}),
            "error: argmin(f32[2,0]): axis 1 has size 0: an empty axis has no argmin");
}

TEST(ReduceOps, RegistryEntries) {
  for (const char* name : {"reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod",
                           "reduce_any", "reduce_all", "argmax", "argmin"}) {
    SCOPED_TRACE(name);
    const OpDef* def = OpRegistry::Get().Find(name);
    ASSERT_NE(def, nullptr);
    EXPECT_TRUE(def->structural);
    EXPECT_EQ(def->fusion, FusionKind::kReduction);
    const std::string_view n = name;
    const bool has_gradient = n != "reduce_any" && n != "reduce_all" && n.substr(0, 3) != "arg";
    EXPECT_EQ(def->not_differentiable, !has_gradient);
  }
}

}  // namespace
}  // namespace graphc::ir
