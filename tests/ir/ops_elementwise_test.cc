// Inference of the elementwise family (ir/ops/elementwise.cc). The scalar
// definitions are exercised later through the interpreter and the JIT.
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
TensorType I32(std::vector<int64_t> dims) { return T(DType::kI32, std::move(dims)); }
TensorType Bool(std::vector<int64_t> dims) { return T(DType::kBool, std::move(dims)); }

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

const char* const kNumericBinary[] = {"add", "sub", "mul", "div", "maximum", "minimum"};
const char* const kNumericUnary[] = {"neg", "abs", "sign", "square", "relu"};
const char* const kFloatUnary[] = {"sqrt", "rsqrt", "exp", "log", "tanh", "sigmoid"};
const char* const kComparisons[] = {"eq", "ne", "lt", "le", "gt", "ge"};

TEST(ElementwiseOps, BinaryOpsBroadcast) {
  for (const char* op : kNumericBinary) {
    SCOPED_TRACE(op);
    EXPECT_EQ(Infer(op, {F32({2, 3}), F32({3})}), "f32[2,3]");
    EXPECT_EQ(Infer(op, {F32({}), F32({2})}), "f32[2]");
    EXPECT_EQ(Infer(op, {I32({4, 1, 5}), I32({3, 1})}), "i32[4,3,5]");
    EXPECT_EQ(Infer(op, {T(DType::kI8, {2}), T(DType::kI8, {2})}), "i8[2]");
  }
  EXPECT_EQ(Infer("pow", {T(DType::kF64, {2, 1}), T(DType::kF64, {1, 2})}), "f64[2,2]");
}

TEST(ElementwiseOps, BroadcastingWithDynamicDims) {
  EXPECT_EQ(Infer("add", {F32({Q, 1}), F32({4})}), "f32[?,4]");
  EXPECT_EQ(Infer("mul", {F32({Q, 3}), F32({1, 3})}), "f32[?,3]");
  EXPECT_EQ(Infer("sub", {F32({Q}), F32({5})}), "f32[5]");
  EXPECT_EQ(Infer("div", {F32({Q}), F32({Q})}), "f32[?]");
}

TEST(ElementwiseOps, BroadcastFailureNamesBothShapes) {
  EXPECT_EQ(Infer("add", {F32({2}), F32({3})}),
            "error: add(f32[2], f32[3]): shapes [2] and [3] cannot be broadcast (dim 0: 2 vs 3)");
  EXPECT_EQ(Infer("maximum", {F32({2, 3}), F32({4, 3})}),
            "error: maximum(f32[2,3], f32[4,3]): shapes [2,3] and [4,3] cannot be broadcast (dim "
            "0: 2 vs 4)");
}

TEST(ElementwiseOps, NoImplicitDTypePromotion) {
  EXPECT_EQ(Infer("add", {F32({2}), I32({2})}),
            "error: add(f32[2], i32[2]): operand dtypes differ: f32 vs i32 (cast one of them "
            "first)");
  EXPECT_EQ(Infer("mul", {F32({}), T(DType::kF64, {})}),
            "error: mul(f32[], f64[]): operand dtypes differ: f32 vs f64 (cast one of them "
            "first)");
}

TEST(ElementwiseOps, ArithmeticRejectsBool) {
  EXPECT_EQ(Infer("add", {Bool({2}), Bool({2})}),
            "error: add(bool[2], bool[2]): expects numeric (float or integer) operands, got bool");
  for (const char* op : kNumericUnary) {
    SCOPED_TRACE(op);
    EXPECT_EQ(Infer(op, {I32({2, Q})}), "i32[2,?]");
    EXPECT_EQ(Infer(op, {Bool({2})}),
              StrCat("error: ", op,
                     "(bool[2]): expects numeric (float or integer) operands, "
                     "got bool"));
  }
}

TEST(ElementwiseOps, FloatOnlyOpsRejectIntegers) {
  for (const char* op : kFloatUnary) {
    SCOPED_TRACE(op);
    EXPECT_EQ(Infer(op, {F32({Q, 3})}), "f32[?,3]");
    EXPECT_EQ(Infer(op, {T(DType::kF64, {})}), "f64[]");
    EXPECT_EQ(Infer(op, {I32({2})}),
              StrCat("error: ", op, "(i32[2]): expects floating-point operands, got i32"));
  }
  EXPECT_EQ(Infer("pow", {I32({2}), I32({2})}),
            "error: pow(i32[2], i32[2]): expects floating-point operands, got i32");
}

TEST(ElementwiseOps, ComparisonsGiveBool) {
  for (const char* op : kComparisons) {
    SCOPED_TRACE(op);
    EXPECT_EQ(Infer(op, {F32({2, 1}), F32({3})}), "bool[2,3]");
    EXPECT_EQ(Infer(op, {I32({Q}), I32({})}), "bool[?]");
    EXPECT_EQ(Infer(op, {F32({2}), I32({2})}),
              StrCat("error: ", op,
                     "(f32[2], i32[2]): operand dtypes differ: f32 vs i32 (cast "
                     "one of them first)"));
    // Comparisons are numeric: compare bools with and/or/not instead.
    EXPECT_EQ(Infer(op, {Bool({}), Bool({})}),
              StrCat("error: ", op,
                     "(bool[], bool[]): expects numeric (float or integer) "
                     "operands, got bool"));
  }
}

TEST(ElementwiseOps, LogicOnBool) {
  EXPECT_EQ(Infer("and", {Bool({2, 1}), Bool({3})}), "bool[2,3]");
  EXPECT_EQ(Infer("or", {Bool({}), Bool({Q})}), "bool[?]");
  EXPECT_EQ(Infer("not", {Bool({4})}), "bool[4]");
  EXPECT_EQ(Infer("and", {F32({2}), F32({2})}),
            "error: and(f32[2], f32[2]): expects bool operands, got f32");
  EXPECT_EQ(Infer("not", {I32({})}), "error: not(i32[]): expects bool operands, got i32");
}

TEST(ElementwiseOps, SelectBroadcastsAllThree) {
  EXPECT_EQ(Infer("select", {Bool({2, 1}), F32({3}), F32({})}), "f32[2,3]");
  EXPECT_EQ(Infer("select", {Bool({}), I32({Q, 4}), I32({1, 4})}), "i32[?,4]");
  EXPECT_EQ(Infer("select", {Bool({2}), Bool({2}), Bool({2})}), "bool[2]");
}

TEST(ElementwiseOps, SelectErrors) {
  EXPECT_EQ(Infer("select", {F32({2}), F32({2}), F32({2})}),
            "error: select(f32[2], f32[2], f32[2]): the condition must be bool, got f32[2]");
  EXPECT_EQ(Infer("select", {Bool({2}), F32({2}), I32({2})}),
            "error: select(bool[2], f32[2], i32[2]): the two branches have different dtypes: "
            "f32[2] vs i32[2]");
  EXPECT_EQ(Infer("select", {Bool({3}), F32({2}), F32({2})}),
            "error: select(bool[3], f32[2], f32[2]): shapes [3] and [2] cannot be broadcast (dim "
            "0: 3 vs 2)");
  EXPECT_EQ(Infer("select", {Bool({2}), F32({2}), F32({5})}),
            "error: select(bool[2], f32[2], f32[5]): shapes [2] and [5] cannot be broadcast (dim "
            "0: 2 vs 5)");
}

TEST(ElementwiseOps, CastChangesOnlyTheDType) {
  EXPECT_EQ(Infer("cast", {F32({Q, 2})}, {{"dtype", DType::kI32}}), "i32[?,2]");
  EXPECT_EQ(Infer("cast", {Bool({})}, {{"dtype", DType::kF64}}), "f64[]");
  EXPECT_EQ(Infer("cast", {I32({3})}, {{"dtype", DType::kBool}}), "bool[3]");
}

TEST(ElementwiseOps, CastNeedsItsDType) {
  EXPECT_EQ(Infer("cast", {F32({2})}), "error: op 'cast' needs attribute 'dtype' (dtype)");
  EXPECT_EQ(Infer("cast", {F32({2})}, {{"dtype", std::string("i32")}}),
            "error: attribute 'dtype' of op 'cast' must be dtype, got string");
}

TEST(ElementwiseOps, Arity) {
  EXPECT_EQ(Infer("add", {F32({2})}), "error: add: expected 2 operands, got 1");
  EXPECT_EQ(Infer("neg", {F32({2}), F32({2})}), "error: neg: expected 1 operand, got 2");
  EXPECT_EQ(Infer("select", {Bool({2}), F32({2})}), "error: select: expected 3 operands, got 2");
}

TEST(ElementwiseOps, RegistryEntries) {
  const OpRegistry& r = OpRegistry::Get();
  for (const char* op : kNumericUnary)
    EXPECT_EQ(r.Find(op)->fusion, FusionKind::kElementwise) << op;
  for (const char* op : kFloatUnary) EXPECT_EQ(r.Find(op)->fusion, FusionKind::kElementwise) << op;
  for (const char* op : kNumericBinary) EXPECT_EQ(r.Find(op)->fusion, FusionKind::kBroadcast) << op;
  for (const char* op : kComparisons) {
    EXPECT_EQ(r.Find(op)->fusion, FusionKind::kBroadcast) << op;
    EXPECT_TRUE(r.Find(op)->not_differentiable) << op;
  }
  for (const char* op : {"and", "or", "not"}) EXPECT_TRUE(r.Find(op)->not_differentiable) << op;
  for (const char* op : {"add", "pow", "sigmoid", "select", "cast"}) {
    EXPECT_NE(r.Find(op)->scalar, nullptr) << op;
    EXPECT_FALSE(r.Find(op)->structural) << op;
  }
}

}  // namespace
}  // namespace graphc::ir
