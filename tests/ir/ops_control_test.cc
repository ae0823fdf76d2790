// Inference and region checks of the control family (ir/ops/control.cc):
// cond, while, call.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "ir/builder.h"
#include "ir/str_cat.h"

namespace graphc::ir {
namespace {

constexpr int64_t Q = kDynamic;

TensorType T(DType dtype, std::vector<int64_t> dims) { return {dtype, Shape(std::move(dims))}; }
TensorType F32(std::vector<int64_t> dims) { return T(DType::kF32, std::move(dims)); }
const TensorType kBool = T(DType::kBool, {});
const TensorType kI32 = T(DType::kI32, {});

// The op's result types ("f32[2], i32[]") or "error: <message>".
std::string Describe(const absl::StatusOr<Op*>& op) {
  if (!op.ok()) return StrCat("error: ", op.status().message());
  std::string s;
  for (const Value* v : (*op)->results()) s += (s.empty() ? "" : ", ") + v->type().ToString();
  return s;
}

std::string VerifyMessage(const Op& op) {
  absl::Status s = op.def().verify(op);
  return s.ok() ? "ok" : std::string(ToStd(s.message()));
}

// A detached region with arguments `args` whose yield is built by `body`
// from the arguments (and, by capture, outer values).
template <typename Body>
std::unique_ptr<Region> MakeRegion(const std::vector<TensorType>& args, Body body) {
  auto r = std::make_unique<Region>();
  for (const TensorType& t : args) r->AddArgument(t);
  Builder rb(r.get());
  std::vector<Value*> yields = body(rb, r->arguments());
  EXPECT_TRUE(rb.Create("yield", yields).ok());
  return r;
}

// A region with arguments `args` yielding the arguments at `indices`.
std::unique_ptr<Region> Forward(const std::vector<TensorType>& args, std::vector<int> indices) {
  return MakeRegion(args, [&](Builder&, std::vector<Value*> a) {
    std::vector<Value*> out;
    for (int i : indices) out.push_back(a[static_cast<size_t>(i)]);
    return out;
  });
}

// A region with no arguments yielding outer `values` (captures).
std::unique_ptr<Region> Capture(std::vector<Value*> values) {
  return MakeRegion({}, [&](Builder&, std::vector<Value*>) { return values; });
}

std::vector<std::unique_ptr<Region>> Two(std::unique_ptr<Region> a, std::unique_ptr<Region> b) {
  std::vector<std::unique_ptr<Region>> v;
  v.push_back(std::move(a));
  v.push_back(std::move(b));
  return v;
}

class ControlTest : public ::testing::Test {
 protected:
  Module m;
  Function* f = m.AddFunction("f");
  Builder b{&f->body()};
  Value* pred = f->AddParam(kBool, "p");
  Value* x = f->AddParam(F32({2}), "x");
  Value* y = f->AddParam(F32({3}), "y");
  Value* n = f->AddParam(kI32, "n");
};

// ---- cond ----

TEST_F(ControlTest, CondResultsAreTheYieldTypes) {
  auto neg = [](Builder& rb, std::vector<Value*> a) {
    return std::vector<Value*>{*rb.Emit("neg", {a[0]})};
  };
  absl::StatusOr<Op*> op =
      b.Create("cond", {pred, x}, {}, Two(Forward({F32({2})}, {0}), MakeRegion({F32({2})}, neg)));
  EXPECT_EQ(Describe(op), "f32[2]");
  ASSERT_TRUE(op.ok());
  EXPECT_EQ((*op)->num_regions(), 2);
  EXPECT_EQ((*op)->region(0).owner_op(), *op);
  EXPECT_EQ(VerifyMessage(**op), "ok");
}

TEST_F(ControlTest, CondWithSeveralResults) {
  EXPECT_EQ(
      Describe(b.Create("cond", {pred, x, n}, {},
                        Two(Forward({F32({2}), kI32}, {0, 1}), Forward({F32({2}), kI32}, {0, 1})))),
      "f32[2], i32[]");
}

TEST_F(ControlTest, CondBranchesMayCaptureOuterValues) {
  Value* x2 = f->AddParam(F32({2}));
  EXPECT_EQ(Describe(b.Create("cond", {pred}, {}, Two(Capture({x}), Capture({x2})))), "f32[2]");
  // No results at all is fine too (e.g. branches that only assign variables).
  EXPECT_EQ(Describe(b.Create("cond", {pred}, {}, Two(Capture({}), Capture({})))), "");
}

TEST_F(ControlTest, CondPredicateMustBeScalarBool) {
  Value* fp = f->AddParam(F32({}));
  EXPECT_EQ(Describe(b.Create("cond", {fp}, {}, Two(Capture({}), Capture({})))),
            "error: cond(f32[]): the predicate must be bool[], got f32[]");
  Value* bp = f->AddParam(T(DType::kBool, {1}));
  EXPECT_EQ(Describe(b.Create("cond", {bp}, {}, Two(Capture({}), Capture({})))),
            "error: cond(bool[1]): the predicate must be bool[], got bool[1]");
}

TEST_F(ControlTest, CondRegionArgumentsMustMatchOperands) {
  EXPECT_EQ(Describe(b.Create("cond", {pred, x}, {}, Two(Capture({x}), Forward({F32({2})}, {0})))),
            "error: cond(bool[], f32[2]): then region takes 0 arguments (), expected 1 (f32[2])");
  EXPECT_EQ(Describe(b.Create("cond", {pred, x}, {},
                              Two(Forward({F32({2})}, {0}), Forward({F32({3})}, {0})))),
            "error: cond(bool[], f32[2]): else region argument 0 is f32[3], expected f32[2]");
}

TEST_F(ControlTest, CondBranchesMustYieldTheSameTypes) {
  EXPECT_EQ(Describe(b.Create("cond", {pred}, {}, Two(Capture({x}), Capture({y})))),
            "error: cond(bool[]): the branches yield different types: then (f32[2]), else "
            "(f32[3])");
  EXPECT_EQ(Describe(b.Create("cond", {pred}, {}, Two(Capture({x}), Capture({x, n})))),
            "error: cond(bool[]): the branches yield different types: then (f32[2]), else "
            "(f32[2], i32[])");
}

TEST_F(ControlTest, CondRegionsMustEndWithYield) {
  EXPECT_EQ(Describe(b.Create("cond", {pred}, {}, Two(std::make_unique<Region>(), Capture({})))),
            "error: cond(bool[]): then region must end with yield");
  auto no_yield = std::make_unique<Region>();
  ASSERT_TRUE(Builder(no_yield.get()).Emit("neg", {x}).ok());
  EXPECT_EQ(Describe(b.Create("cond", {pred}, {}, Two(Capture({}), std::move(no_yield)))),
            "error: cond(bool[]): else region must end with yield");
}

TEST_F(ControlTest, CondArityAndRegionCount) {
  EXPECT_EQ(Describe(b.Create("cond", {}, {}, Two(Capture({}), Capture({})))),
            "error: cond: expected at least 1 operands, got 0");
  std::vector<std::unique_ptr<Region>> one;
  one.push_back(Capture({}));
  EXPECT_EQ(Describe(b.Create("cond", {pred}, {}, std::move(one))),
            "error: cond: expected 2 regions, got 1");
}

TEST_F(ControlTest, CondVerifyRechecksRegionArguments) {
  absl::StatusOr<Op*> op =
      b.Create("cond", {pred, x}, {}, Two(Forward({F32({2})}, {0}), Forward({F32({2})}, {0})));
  ASSERT_TRUE(op.ok()) << op.status();
  // A pass retyping a region argument after the op was built.
  (*op)->region(1).argument(0)->set_type(F32({Q}));
  EXPECT_EQ(VerifyMessage(**op), "else region argument 0 is f32[?], expected f32[2]");
}

// ---- while ----

// cond: i < n (n captured); body: (i + 1, -v).
class WhileTest : public ControlTest {
 protected:
  std::unique_ptr<Region> LessThanN(const std::vector<TensorType>& vars) {
    return MakeRegion(vars, [&](Builder& rb, std::vector<Value*> a) {
      return std::vector<Value*>{*rb.Emit("lt", {a[0], n})};
    });
  }
  // A body yielding (its first argument, the outer value `v`).
  std::unique_ptr<Region> FirstAnd(const std::vector<TensorType>& vars, Value* v) {
    return MakeRegion(vars, [&](Builder&, std::vector<Value*> a) {
      return std::vector<Value*>{a[0], v};
    });
  }
  std::unique_ptr<Region> Step(const std::vector<TensorType>& vars) {
    return MakeRegion(vars, [&](Builder& rb, std::vector<Value*> a) {
      return std::vector<Value*>{*rb.Emit("add", {a[0], n}), *rb.Emit("neg", {a[1]})};
    });
  }
};

TEST_F(WhileTest, ResultsAreTheLoopVarTypes) {
  const std::vector<TensorType> vars = {kI32, F32({2})};
  absl::StatusOr<Op*> op = b.Create("while", {n, x}, {}, Two(LessThanN(vars), Step(vars)));
  EXPECT_EQ(Describe(op), "i32[], f32[2]");
  ASSERT_TRUE(op.ok());
  EXPECT_EQ(VerifyMessage(**op), "ok");
}

TEST_F(WhileTest, DynamicLoopVars) {
  Value* v = f->AddParam(F32({Q, 3}));
  const std::vector<TensorType> vars = {kI32, F32({Q, 3})};
  EXPECT_EQ(Describe(b.Create("while", {n, v}, {}, Two(LessThanN(vars), Step(vars)))),
            "i32[], f32[?,3]");
  // A static yield may fill in a `?` dim of a loop var ...
  Value* s = f->AddParam(F32({5, 3}));
  EXPECT_EQ(Describe(b.Create("while", {n, v}, {}, Two(LessThanN(vars), FirstAnd(vars, s)))),
            "i32[], f32[?,3]");
  // ... but a `?` yield cannot feed a static loop var.
  const std::vector<TensorType> static_vars = {kI32, F32({5, 3})};
  EXPECT_EQ(Describe(b.Create("while", {n, s}, {},
                              Two(LessThanN(static_vars), FirstAnd(static_vars, v)))),
            "error: while(i32[], f32[5,3]): body region yields (i32[], f32[?,3]), expected the "
            "loop var types (i32[], f32[5,3])");
}

TEST_F(WhileTest, NoLoopVars) {
  EXPECT_EQ(Describe(b.Create("while", {}, {}, Two(Capture({pred}), Capture({})))), "");
}

TEST_F(WhileTest, CondMustYieldOneScalarBool) {
  const std::vector<TensorType> vars = {kI32};
  EXPECT_EQ(Describe(b.Create("while", {n}, {}, Two(Forward(vars, {0}), Forward(vars, {0})))),
            "error: while(i32[]): cond region must yield one bool[], got (i32[])");
  auto two_bools = MakeRegion(vars, [&](Builder&, std::vector<Value*>) {
    return std::vector<Value*>{pred, pred};
  });
  EXPECT_EQ(Describe(b.Create("while", {n}, {}, Two(std::move(two_bools), Forward(vars, {0})))),
            "error: while(i32[]): cond region must yield one bool[], got (bool[], bool[])");
  EXPECT_EQ(
      Describe(b.Create("while", {n}, {}, Two(std::make_unique<Region>(), Forward(vars, {0})))),
      "error: while(i32[]): cond region takes 0 arguments (), expected 1 (i32[])");
}

TEST_F(WhileTest, RegionArgumentsMustBeTheLoopVarTypes) {
  const std::vector<TensorType> vars = {kI32, F32({2})};
  EXPECT_EQ(Describe(b.Create("while", {n, x}, {}, Two(LessThanN({kI32, F32({Q})}), Step(vars)))),
            "error: while(i32[], f32[2]): cond region argument 1 is f32[?], expected f32[2]");
  EXPECT_EQ(Describe(b.Create("while", {n, x}, {}, Two(LessThanN(vars), Forward({kI32}, {0})))),
            "error: while(i32[], f32[2]): body region takes 1 argument (i32[]), expected 2 "
            "(i32[], f32[2])");
}

TEST_F(WhileTest, BodyMustYieldTheLoopVars) {
  const std::vector<TensorType> vars = {kI32, F32({2})};
  EXPECT_EQ(Describe(b.Create("while", {n, x}, {}, Two(LessThanN(vars), Forward(vars, {0})))),
            "error: while(i32[], f32[2]): body region yields (i32[]), expected the loop var types "
            "(i32[], f32[2])");
  EXPECT_EQ(Describe(b.Create("while", {n, x}, {}, Two(LessThanN(vars), FirstAnd(vars, y)))),
            "error: while(i32[], f32[2]): body region yields (i32[], f32[3]), expected the loop "
            "var types (i32[], f32[2])");
  auto no_yield = std::make_unique<Region>();
  no_yield->AddArgument(kI32);
  no_yield->AddArgument(F32({2}));
  EXPECT_EQ(Describe(b.Create("while", {n, x}, {}, Two(LessThanN(vars), std::move(no_yield)))),
            "error: while(i32[], f32[2]): body region must end with yield");
}

TEST_F(WhileTest, VerifyRechecksTheYields) {
  const std::vector<TensorType> vars = {kI32, F32({2})};
  absl::StatusOr<Op*> op = b.Create("while", {n, x}, {}, Two(LessThanN(vars), Step(vars)));
  ASSERT_TRUE(op.ok()) << op.status();
  // A pass retyping the body's `neg` after the loop was built.
  Op* yield = (*op)->region(1).terminator();
  yield->operand(1)->set_type(F32({3}));
  EXPECT_EQ(VerifyMessage(**op),
            "body region yields (i32[], f32[3]), expected the loop var types (i32[], f32[2])");
}

// ---- call ----

class CallTest : public ControlTest {
 protected:
  void SetUp() override {
    g = m.AddFunction("g");
    g->AddParam(F32({Q, 3}));
    g->set_result_types({F32({}), kI32});
  }
  std::string Call(std::vector<Value*> args, std::string callee = "g") {
    return Describe(b.Create("call", std::move(args), {{"callee", SymbolRef{std::move(callee)}}}));
  }
  Function* g = nullptr;
};

TEST_F(CallTest, ResultsAreTheCalleeResults) {
  Value* a = f->AddParam(F32({5, 3}));
  Value* d = f->AddParam(F32({Q, 3}));
  EXPECT_EQ(Call({a}), "f32[], i32[]");
  EXPECT_EQ(Call({d}), "f32[], i32[]");
}

TEST_F(CallTest, AFunctionMayCallItself) {
  f->set_result_types({F32({2})});
  EXPECT_EQ(Call({pred, x, y, n}, "f"), "f32[2]");
}

TEST_F(CallTest, UnknownCallee) {
  EXPECT_EQ(Call({x}, "h"), "error: call(f32[2]): unknown function @h");
  // A builder with no module cannot resolve any callee.
  Region detached;
  Builder rb(&detached);
  EXPECT_EQ(Describe(rb.Create("call", {x}, {{"callee", SymbolRef{"g"}}})),
            "error: call(f32[2]): unknown function @g");
  EXPECT_EQ(Describe(b.Create("call", {x})), "error: op 'call' needs attribute 'callee' (symbol)");
}

TEST_F(CallTest, ArgumentsMustFitTheParameters) {
  Value* a = f->AddParam(F32({5, 3}));
  EXPECT_EQ(Call({a, a}), "error: call(f32[5,3], f32[5,3]): @g takes 1 argument, got 2");
  EXPECT_EQ(Call({}), "error: call(): @g takes 1 argument, got 0");
  Value* wide = f->AddParam(F32({5, 4}));
  EXPECT_EQ(Call({wide}), "error: call(f32[5,4]): argument 0 is f32[5,4], @g expects f32[?,3]");
  Value* ints = f->AddParam(T(DType::kI32, {5, 3}));
  EXPECT_EQ(Call({ints}), "error: call(i32[5,3]): argument 0 is i32[5,3], @g expects f32[?,3]");
  // A dynamic dim does not fit a static parameter.
  Function* h = m.AddFunction("h");
  h->AddParam(F32({5, 3}));
  Value* d = f->AddParam(F32({Q, 3}));
  EXPECT_EQ(Call({d}, "h"), "error: call(f32[?,3]): argument 0 is f32[?,3], @h expects f32[5,3]");
}

TEST(ControlOps, RegistryEntries) {
  for (const char* name : {"cond", "while", "call"}) {
    const OpDef* def = OpRegistry::Get().Find(name);
    ASSERT_NE(def, nullptr) << name;
    EXPECT_TRUE(def->structural) << name;
    EXPECT_EQ(def->fusion, FusionKind::kOpaque) << name;
    EXPECT_FALSE(def->is_terminator) << name;
    EXPECT_FALSE(def->isolated_regions) << name;
  }
  EXPECT_NE(OpRegistry::Get().Find("cond")->verify, nullptr);
  EXPECT_NE(OpRegistry::Get().Find("while")->verify, nullptr);
  EXPECT_EQ(OpRegistry::Get().Find("cond")->num_regions, 2);
  EXPECT_EQ(OpRegistry::Get().Find("while")->num_regions, 2);
  EXPECT_EQ(OpRegistry::Get().Find("call")->num_regions, 0);
}

}  // namespace
}  // namespace graphc::ir
