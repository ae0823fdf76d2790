// Inference of the variable ops (ir/ops/state.cc): read_var, assign*.
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

// The op's result types ("f32[2], i32[]") or "error: <message>".
std::string Describe(const absl::StatusOr<Op*>& op) {
  if (!op.ok()) return StrCat("error: ", op.status().message());
  std::string s;
  for (const Value* v : (*op)->results()) s += (s.empty() ? "" : ", ") + v->type().ToString();
  return s;
}

class StateTest : public ::testing::Test {
 protected:
  StateTest() {
    m.AddVariable({"w", F32({2}), true});
    m.AddVariable({"step", T(DType::kI64, {}), false});
    m.AddVariable({"flag", T(DType::kBool, {}), false});
    m.AddVariable({"d", F32({Q, 3}), true});
  }
  std::string Read(std::string var) {
    return Describe(b.Create("read_var", {}, {{"var", SymbolRef{std::move(var)}}}));
  }
  std::string Write(std::string_view op, TensorType value, std::string var) {
    Value* v = f->AddParam(std::move(value));
    return Describe(b.Create(op, {v}, {{"var", SymbolRef{std::move(var)}}}));
  }

  Module m;
  Function* f = m.AddFunction("f");
  Builder b{&f->body()};
};

TEST_F(StateTest, ReadVarHasTheVariableType) {
  EXPECT_EQ(Read("w"), "f32[2]");
  EXPECT_EQ(Read("step"), "i64[]");
  EXPECT_EQ(Read("d"), "f32[?,3]");
}

TEST_F(StateTest, ReadVarErrors) {
  EXPECT_EQ(Read("v"), "error: read_var(): unknown variable @v");
  EXPECT_EQ(Describe(b.Create("read_var", {})),
            "error: op 'read_var' needs attribute 'var' (symbol)");
  EXPECT_EQ(Describe(b.Create("read_var", {}, {{"var", std::string("w")}})),
            "error: attribute 'var' of op 'read_var' must be symbol, got string");
  // Without a module no variable can be found.
  Region detached;
  Builder rb(&detached);
  EXPECT_EQ(Describe(rb.Create("read_var", {}, {{"var", SymbolRef{"w"}}})),
            "error: read_var(): unknown variable @w");
}

TEST_F(StateTest, AssignsHaveNoResults) {
  for (const char* op : {"assign", "assign_add", "assign_sub"}) {
    SCOPED_TRACE(op);
    EXPECT_EQ(Write(op, F32({2}), "w"), "");
    EXPECT_EQ(Write(op, T(DType::kI64, {}), "step"), "");
    // A dynamic variable dim accepts any size.
    EXPECT_EQ(Write(op, F32({5, 3}), "d"), "");
    EXPECT_EQ(Write(op, F32({Q, 3}), "d"), "");
  }
  EXPECT_EQ(Write("assign", T(DType::kBool, {}), "flag"), "");
}

TEST_F(StateTest, AssignValueMustHaveTheVariableDType) {
  EXPECT_EQ(Write("assign", T(DType::kI32, {2}), "w"),
            "error: assign(i32[2]): value dtype i32 does not match variable @w of type f32[2] "
            "(cast it first)");
  EXPECT_EQ(Write("assign_add", T(DType::kF64, {2}), "w"),
            "error: assign_add(f64[2]): value dtype f64 does not match variable @w of type "
            "f32[2] (cast it first)");
}

TEST_F(StateTest, AssignValueMustFitTheVariableShape) {
  EXPECT_EQ(Write("assign", F32({3}), "w"),
            "error: assign(f32[3]): value shape [3] does not fit variable @w of type f32[2]");
  EXPECT_EQ(Write("assign_sub", F32({2, 1}), "w"),
            "error: assign_sub(f32[2,1]): value shape [2,1] does not fit variable @w of type "
            "f32[2]");
  // No broadcasting, and a `?` value might not fit a static variable.
  EXPECT_EQ(Write("assign", F32({}), "w"),
            "error: assign(f32[]): value shape [] does not fit variable @w of type f32[2]");
  EXPECT_EQ(Write("assign_add", F32({Q}), "w"),
            "error: assign_add(f32[?]): value shape [?] does not fit variable @w of type f32[2]");
}

TEST_F(StateTest, AssignAddAndSubNeedNumericVariables) {
  EXPECT_EQ(Write("assign_add", T(DType::kBool, {}), "flag"),
            "error: assign_add(bool[]): variable @flag is bool[]: needs a numeric (float or "
            "integer) dtype");
  EXPECT_EQ(Write("assign_sub", T(DType::kBool, {}), "flag"),
            "error: assign_sub(bool[]): variable @flag is bool[]: needs a numeric (float or "
            "integer) dtype");
}

TEST_F(StateTest, AssignUnknownVariable) {
  EXPECT_EQ(Write("assign", F32({2}), "v"), "error: assign(f32[2]): unknown variable @v");
  EXPECT_EQ(Write("assign_sub", F32({2}), "v"), "error: assign_sub(f32[2]): unknown variable @v");
}

TEST_F(StateTest, UsedVariablesSeesReadsAndWrites) {
  ASSERT_EQ(Read("step"), "i64[]");
  ASSERT_EQ(Write("assign_add", F32({2}), "w"), "");
  ASSERT_EQ(Read("w"), "f32[2]");
  EXPECT_EQ(f->UsedVariables(), (std::vector<std::string>{"step", "w"}));
}

TEST(StateOps, RegistryEntries) {
  const OpDef* read = OpRegistry::Get().Find("read_var");
  ASSERT_NE(read, nullptr);
  EXPECT_TRUE(read->structural);
  EXPECT_FALSE(read->has_side_effects);
  EXPECT_FALSE(read->not_differentiable);
  for (const char* name : {"assign", "assign_add", "assign_sub"}) {
    const OpDef* def = OpRegistry::Get().Find(name);
    ASSERT_NE(def, nullptr) << name;
    EXPECT_TRUE(def->structural) << name;
    EXPECT_TRUE(def->has_side_effects) << name;
    EXPECT_TRUE(def->not_differentiable) << name;
    EXPECT_EQ(def->fusion, FusionKind::kOpaque) << name;
  }
}

}  // namespace
}  // namespace graphc::ir
