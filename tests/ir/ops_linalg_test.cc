// Shape/dtype inference of the linalg family (ir/ops/linalg.cc).
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

TEST(Matmul, Matrices) {
  EXPECT_EQ(Infer("matmul", {F32({2, 3}), F32({3, 4})}), "f32[2,4]");
  EXPECT_EQ(Infer("matmul", {T(DType::kI32, {1, 1}), T(DType::kI32, {1, 7})}), "i32[1,7]");
  EXPECT_EQ(Infer("matmul", {T(DType::kF64, {2, 0}), T(DType::kF64, {0, 4})}), "f64[2,4]");
}

TEST(Matmul, Transposes) {
  EXPECT_EQ(Infer("matmul", {F32({3, 2}), F32({3, 4})}, {{"transpose_a", true}}), "f32[2,4]");
  EXPECT_EQ(Infer("matmul", {F32({2, 3}), F32({4, 3})}, {{"transpose_b", true}}), "f32[2,4]");
  EXPECT_EQ(
      Infer("matmul", {F32({3, 2}), F32({4, 3})}, {{"transpose_a", true}, {"transpose_b", true}}),
      "f32[2,4]");
  // Only the last two dims are transposed, never the batch dims.
  EXPECT_EQ(Infer("matmul", {F32({5, 3, 2}), F32({5, 4, 3})},
                  {{"transpose_a", true}, {"transpose_b", true}}),
            "f32[5,2,4]");
}

TEST(Matmul, BatchDimsBroadcast) {
  EXPECT_EQ(Infer("matmul", {F32({5, 2, 3}), F32({3, 4})}), "f32[5,2,4]");
  EXPECT_EQ(Infer("matmul", {F32({2, 3}), F32({5, 3, 4})}), "f32[5,2,4]");
  EXPECT_EQ(Infer("matmul", {F32({2, 1, 2, 3}), F32({6, 3, 4})}), "f32[2,6,2,4]");
  EXPECT_EQ(Infer("matmul", {F32({1, 2, 3}), F32({8, 3, 4})}), "f32[8,2,4]");
}

TEST(Matmul, DynamicDims) {
  EXPECT_EQ(Infer("matmul", {F32({Q, 784}), F32({784, 10})}), "f32[?,10]");
  EXPECT_EQ(Infer("matmul", {F32({Q, 2, 3}), F32({3, Q})}), "f32[?,2,?]");
  // A dynamic inner dim is checked at run time.
  EXPECT_EQ(Infer("matmul", {F32({2, Q}), F32({5, 4})}), "f32[2,4]");
  EXPECT_EQ(Infer("matmul", {F32({Q, 2, 3}), F32({7, 3, 4})}), "f32[7,2,4]");
  EXPECT_EQ(Infer("matmul", {F32({Q, 2, 3}), F32({1, 3, 4})}), "f32[?,2,4]");
}

TEST(Matmul, DefaultsAreFilled) {
  Module m;
  Function* f = m.AddFunction("f");
  Value* a = f->AddParam(F32({2, 3}));
  Value* c = f->AddParam(F32({3, 4}));
  Builder b(&f->body());
  absl::StatusOr<Value*> v = b.Emit("matmul", {a, c});
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_FALSE((*v)->defining_op()->attr<bool>("transpose_a"));
  EXPECT_FALSE((*v)->defining_op()->attr<bool>("transpose_b"));
}

TEST(Matmul, InnerDimsMustMatch) {
  EXPECT_EQ(Infer("matmul", {F32({2, 3}), F32({4, 5})}),
            "error: matmul(f32[2,3], f32[4,5]): inner dims differ: a has 3 columns, b has 4 rows");
  EXPECT_EQ(
      Infer("matmul", {F32({2, 3}), F32({3, 5})}, {{"transpose_a", true}}),
      "error: matmul(f32[2,3], f32[3,5]): inner dims differ: a^T has 2 columns, b has 3 rows");
  EXPECT_EQ(
      Infer("matmul", {F32({2, 3}), F32({3, 5})}, {{"transpose_b", true}}),
      "error: matmul(f32[2,3], f32[3,5]): inner dims differ: a has 3 columns, b^T has 5 rows");
}

TEST(Matmul, NeedsMatrices) {
  EXPECT_EQ(Infer("matmul", {F32({3}), F32({3, 4})}),
            "error: matmul(f32[3], f32[3,4]): both operands need rank >= 2 (a matrix or a batch "
            "of matrices), got ranks 1 and 2");
  EXPECT_EQ(Infer("matmul", {F32({2, 3}), F32({})}),
            "error: matmul(f32[2,3], f32[]): both operands need rank >= 2 (a matrix or a batch "
            "of matrices), got ranks 2 and 0");
}

TEST(Matmul, DTypes) {
  EXPECT_EQ(Infer("matmul", {F32({2, 3}), T(DType::kF64, {3, 4})}),
            "error: matmul(f32[2,3], f64[3,4]): operand dtypes differ: f32 vs f64 (cast one of "
            "them first)");
  EXPECT_EQ(Infer("matmul", {T(DType::kBool, {2, 3}), T(DType::kBool, {3, 4})}),
            "error: matmul(bool[2,3], bool[3,4]): expects numeric (float or integer) operands, "
            "got bool");
}

TEST(Matmul, BatchDimsMustBroadcast) {
  EXPECT_EQ(Infer("matmul", {F32({2, 2, 3}), F32({3, 3, 4})}),
            "error: matmul(f32[2,2,3], f32[3,3,4]): batch dims: shapes [2] and [3] cannot be "
            "broadcast (dim 0: 2 vs 3)");
}

TEST(Matmul, Arity) {
  EXPECT_EQ(Infer("matmul", {F32({2, 3})}), "error: matmul: expected 2 operands, got 1");
}

TEST(Matmul, RegistryEntry) {
  const OpDef* def = OpRegistry::Get().Find("matmul");
  ASSERT_NE(def, nullptr);
  EXPECT_EQ(def->kernel, "matmul");
  EXPECT_FALSE(def->structural);
  EXPECT_EQ(def->scalar, nullptr);
  EXPECT_EQ(def->fusion, FusionKind::kOpaque);
  EXPECT_FALSE(def->not_differentiable);
}

TEST(Softmax, KeepsTheType) {
  for (const char* op : {"softmax", "log_softmax"}) {
    SCOPED_TRACE(op);
    EXPECT_EQ(Infer(op, {F32({2, 3})}), "f32[2,3]");
    EXPECT_EQ(Infer(op, {F32({2, 3})}, {{"axis", int64_t{0}}}), "f32[2,3]");
    EXPECT_EQ(Infer(op, {T(DType::kF64, {Q, 5})}, {{"axis", int64_t{-2}}}), "f64[?,5]");
    EXPECT_EQ(Infer(op, {F32({4})}), "f32[4]");
  }
}

TEST(Softmax, DefaultAxisIsLast) {
  Module m;
  Function* f = m.AddFunction("f");
  Value* x = f->AddParam(F32({2, 3}));
  Builder b(&f->body());
  absl::StatusOr<Value*> v = b.Emit("log_softmax", {x});
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ((*v)->defining_op()->attr<int64_t>("axis"), -1);
}

TEST(Softmax, Errors) {
  EXPECT_EQ(Infer("softmax", {T(DType::kI32, {2, 3})}),
            "error: softmax(i32[2,3]): expects floating-point operands, got i32");
  EXPECT_EQ(Infer("log_softmax", {F32({})}),
            "error: log_softmax(f32[]): needs rank >= 1, got a scalar");
  EXPECT_EQ(Infer("softmax", {F32({2, 3})}, {{"axis", int64_t{2}}}),
            "error: softmax(f32[2,3]): axis 2 is out of range for rank 2");
  EXPECT_EQ(Infer("log_softmax", {F32({2, 3})}, {{"axis", int64_t{-3}}}),
            "error: log_softmax(f32[2,3]): axis -3 is out of range for rank 2");
}

TEST(Softmax, RegistryEntries) {
  for (const char* name : {"softmax", "log_softmax"}) {
    const OpDef* def = OpRegistry::Get().Find(name);
    ASSERT_NE(def, nullptr) << name;
    EXPECT_TRUE(def->structural) << name;
    EXPECT_EQ(def->fusion, FusionKind::kReduction) << name;
  }
}

}  // namespace
}  // namespace graphc::ir
