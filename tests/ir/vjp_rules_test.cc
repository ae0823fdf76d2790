// The gradient (VJP) rules at the IR level: which ops a rule emits, with
// which attributes and types, that every op has a rule or an explicit mark,
// and the GradBuilder helpers' checks. Values are checked by
// tests/compiler/grad_ops_test.cc.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "ir/builder.h"
#include "ir/module.h"
#include "ir/ops/vjp_util.h"
#include "ir/str_cat.h"
#include "ir/verifier.h"

namespace graphc::ir {
namespace {

using Ints = std::vector<int64_t>;
using Names = std::vector<std::string_view>;
constexpr int64_t Q = kDynamic;

class VjpTest : public ::testing::Test {
 protected:
  Value* Param(DType dtype, Shape shape) {
    return f_->AddParam(TensorType{dtype, std::move(shape)});
  }
  Value* F32(Shape shape) { return Param(DType::kF32, std::move(shape)); }

  // Builds `name(operands)` and runs its rule with a new parameter g_ as the
  // gradient of the result.
  absl::StatusOr<std::vector<Value*>> Grad(std::string_view name, std::vector<Value*> operands,
                                           AttrMap attrs = {}) {
    absl::StatusOr<Op*> op = b_.Create(name, std::move(operands), std::move(attrs));
    EXPECT_TRUE(op.ok()) << op.status();
    if (!op.ok()) return op.status();
    fwd_ = *op;
    g_ = f_->AddParam(fwd_->result()->type(), "g");
    Value* result_grads[] = {g_};
    EXPECT_NE(fwd_->def().vjp, nullptr) << name;
    // (An explicit span: GCC 12 decays an array passed through a function pointer.)
    return fwd_->def().vjp(b_, *fwd_, ops::ResultGrads(result_grads));
  }

  // Grad() that must succeed; also checks that the function returning the
  // gradients verifies.
  std::vector<Value*> Ok(std::string_view name, std::vector<Value*> operands, AttrMap attrs = {}) {
    absl::StatusOr<std::vector<Value*>> grads = Grad(name, std::move(operands), std::move(attrs));
    EXPECT_TRUE(grads.ok()) << grads.status();
    if (!grads.ok()) return {};
    EXPECT_EQ(grads->size(), static_cast<size_t>(fwd_->num_operands()));
    std::vector<Value*> results;
    std::vector<TensorType> types;
    for (Value* v : *grads) {
      if (v == nullptr) continue;
      results.push_back(v);
      types.push_back(v->type());
    }
    f_->set_result_types(types);
    EXPECT_TRUE(b_.Create("return", results).ok());
    absl::Status verified = VerifyFunction(*f_);
    EXPECT_TRUE(verified.ok()) << verified;
    return *grads;
  }

  // The ops the rule emitted: everything after the forward op, except return.
  Names Emitted() const {
    Names names;
    bool after = false;
    for (const auto& op : f_->body().ops()) {
      if (after && op->name() != "return") names.push_back(op->name());
      after = after || op.get() == fwd_;
    }
    return names;
  }

  // Continues in a new, empty function (Ok() ends the current one).
  void NewFunction() {
    f_ = m_.AddFunction(StrCat("f", m_.functions().size()));
    b_.SetInsertionPointToEnd(&f_->body());
  }

  static std::string TypeOf(const Value* v) { return v == nullptr ? "none" : v->type().ToString(); }
  static const Op& Def(const Value* v) { return *v->defining_op(); }

  Module m_;
  Function* f_ = m_.AddFunction("f");
  Builder b_{&f_->body()};
  Op* fwd_ = nullptr;
  Value* g_ = nullptr;
};

// ---- the registry: every op has a rule or is marked ----

TEST(VjpRegistry, EveryOpHasARuleOrIsMarkedNotDifferentiable) {
  // The autodiff pass differentiates these itself (regions, callees, state).
  const std::set<std::string_view> handled_by_pass = {"cond", "while", "call", "read_var"};
  for (const OpDef* def : OpRegistry::Get().All()) {
    if (handled_by_pass.contains(def->name)) {
      // Gradients do flow through them: a mark would wrongly stop them.
      EXPECT_FALSE(def->not_differentiable) << def->name;
      continue;
    }
    EXPECT_NE(def->vjp != nullptr, def->not_differentiable)
        << def->name << ": needs exactly one of a vjp rule and not_differentiable";
  }
}

TEST(VjpRegistry, OpsWithoutAFloatGradientAreMarked) {
  for (std::string_view name : {"eq",
                                "ne",
                                "lt",
                                "le",
                                "gt",
                                "ge",
                                "and",
                                "or",
                                "not",
                                "argmax",
                                "argmin",
                                "reduce_any",
                                "reduce_all",
                                "one_hot",
                                "random_uniform",
                                "random_normal",
                                "fill",
                                "fill_like",
                                "range",
                                "constant",
                                "assign",
                                "assign_add",
                                "assign_sub",
                                "return",
                                "yield"}) {
    const OpDef* def = OpRegistry::Get().Find(name);
    ASSERT_NE(def, nullptr) << name;
    EXPECT_TRUE(def->not_differentiable) << name;
  }
}

// ---- elementwise ----

TEST_F(VjpTest, AddSumsOnlyTheBroadcastOperand) {
  Value *x = F32({2, 3}), *y = F32({3});
  std::vector<Value*> d = Ok("add", {x, y});
  EXPECT_EQ(d[0], g_);  // same static type: nothing emitted
  EXPECT_EQ(Emitted(), (Names{"sum_to_like"}));
  EXPECT_EQ(TypeOf(d[1]), "f32[3]");
  EXPECT_EQ(Def(d[1]).operand(1), y);
}

TEST_F(VjpTest, AddWithDynamicDimsAlwaysSums) {
  // Either `?` may be 1 at run time, so neither gradient can skip the sum.
  std::vector<Value*> d = Ok("add", {F32({Q, 3}), F32({Q, 3})});
  EXPECT_EQ(Emitted(), (Names{"sum_to_like", "sum_to_like"}));
  EXPECT_EQ(TypeOf(d[0]), "f32[?,3]");
  EXPECT_EQ(TypeOf(d[1]), "f32[?,3]");
}

TEST_F(VjpTest, AddRestoresADynamicDimPinnedByBroadcasting) {
  std::vector<Value*> d = Ok("add", {F32({Q}), F32({4})});
  EXPECT_EQ(TypeOf(fwd_->result()), "f32[4]");
  EXPECT_EQ(TypeOf(d[0]), "f32[?]");
  EXPECT_EQ(d[1], g_);
}

TEST_F(VjpTest, IntegerOpsHaveNoGradientAndEmitNothing) {
  std::vector<Value*> d = Ok("mul", {Param(DType::kI32, {2}), Param(DType::kI32, {2})});
  EXPECT_EQ(d, (std::vector<Value*>{nullptr, nullptr}));
  EXPECT_TRUE(Emitted().empty());
}

TEST_F(VjpTest, SubNegatesTheSecondOperand) {
  std::vector<Value*> d = Ok("sub", {F32({2}), F32({2})});
  EXPECT_EQ(d[0], g_);
  EXPECT_EQ(Emitted(), (Names{"neg"}));
}

TEST_F(VjpTest, DivUsesTheResult) {
  Value *x = F32({2}), *y = F32({2});
  std::vector<Value*> d = Ok("div", {x, y});
  EXPECT_EQ(Emitted(), (Names{"div", "mul", "div", "neg"}));  // g/y; -(g*out/y)
  EXPECT_EQ(Def(d[0]).operands()[0], g_);
  EXPECT_EQ(Def(d[0]).operands()[1], y);
}

TEST_F(VjpTest, PowGuardsTheLogOfNonPositiveX) {
  std::vector<Value*> d = Ok("pow", {F32({2}), F32({})});
  EXPECT_EQ(Emitted(), (Names{"constant", "sub", "pow", "mul", "mul", "constant", "gt", "log",
                              "constant", "select", "mul", "mul", "sum_to_like"}));
  EXPECT_EQ(TypeOf(d[1]), "f32[]");
}

TEST_F(VjpTest, MaximumRoutesTiesToX) {
  Value *x = F32({2}), *y = F32({2});
  std::vector<Value*> d = Ok("maximum", {x, y});
  EXPECT_EQ(Emitted(), (Names{"ge", "constant", "select", "lt", "constant", "select"}));
  const Op& x_mask = *Def(d[0]).operand(0)->defining_op();
  EXPECT_EQ(x_mask.name(), "ge");
  EXPECT_EQ(x_mask.operand(0), x);
}

TEST_F(VjpTest, MinimumRoutesTiesToX) {
  std::vector<Value*> d = Ok("minimum", {F32({2}), F32({2})});
  EXPECT_EQ(Def(d[0]).operand(0)->defining_op()->name(), "le");
  EXPECT_EQ(Def(d[1]).operand(0)->defining_op()->name(), "gt");
}

TEST_F(VjpTest, UnaryRules) {
  struct Case {
    std::string_view op;
    Names emitted;
  };
  for (const Case& c :
       {Case{"neg", {"neg"}}, Case{"abs", {"sign", "mul"}}, Case{"sign", {"fill_like"}},
        Case{"square", {"constant", "mul", "mul"}}, Case{"sqrt", {"constant", "mul", "div"}},
        Case{"rsqrt", {"mul", "mul", "constant", "mul", "mul"}}, Case{"exp", {"mul"}},
        Case{"log", {"div"}}, Case{"tanh", {"mul", "constant", "sub", "mul"}},
        Case{"sigmoid", {"constant", "sub", "mul", "mul"}},
        Case{"relu", {"constant", "gt", "constant", "select"}}}) {
    NewFunction();
    std::vector<Value*> d = Ok(c.op, {F32({Q, 2})});
    EXPECT_EQ(Emitted(), c.emitted) << c.op;
    EXPECT_EQ(TypeOf(d[0]), "f32[?,2]") << c.op;
  }
}

TEST_F(VjpTest, SelectGivesTheConditionNoGradient) {
  Value* c = Param(DType::kBool, {2, 1});
  std::vector<Value*> d = Ok("select", {c, F32({2, 3}), F32({3})});
  EXPECT_EQ(d[0], nullptr);
  EXPECT_EQ(TypeOf(d[1]), "f32[2,3]");
  EXPECT_EQ(TypeOf(d[2]), "f32[3]");
  EXPECT_EQ(Emitted(), (Names{"constant", "select", "constant", "select", "sum_to_like"}));
}

TEST_F(VjpTest, CastBetweenFloatsCastsBack) {
  std::vector<Value*> d = Ok("cast", {Param(DType::kF64, {2})}, {{"dtype", DType::kF32}});
  EXPECT_EQ(TypeOf(d[0]), "f64[2]");
  EXPECT_EQ(Emitted(), (Names{"cast"}));
}

TEST_F(VjpTest, CastFromIntegerHasNoGradient) {
  std::vector<Value*> d = Ok("cast", {Param(DType::kI32, {2})}, {{"dtype", DType::kF32}});
  EXPECT_EQ(d[0], nullptr);
  EXPECT_TRUE(Emitted().empty());
}

// ---- shape ops ----

TEST_F(VjpTest, ReshapeLikeRestoresTheDynamicShape) {
  Value* x = F32({Q, 6});
  std::vector<Value*> d = Ok("reshape", {x}, {{"shape", Ints{-1, 2, 3}}});
  EXPECT_EQ(Emitted(), (Names{"reshape_like"}));
  EXPECT_EQ(TypeOf(d[0]), "f32[?,6]");
  EXPECT_EQ(Def(d[0]).operand(1), x);
}

TEST_F(VjpTest, ExpandDimsAndSqueezeReshapeBack) {
  EXPECT_EQ(TypeOf(Ok("expand_dims", {F32({2})}, {{"axis", int64_t{0}}})[0]), "f32[2]");
  EXPECT_EQ(Emitted(), (Names{"reshape_like"}));
  NewFunction();
  EXPECT_EQ(TypeOf(Ok("squeeze", {F32({1, 3})})[0]), "f32[1,3]");
  EXPECT_EQ(Emitted(), (Names{"reshape_like"}));
}

TEST_F(VjpTest, TransposeUsesTheInversePermutation) {
  std::vector<Value*> d = Ok("transpose", {F32({2, 3, 4})}, {{"perm", Ints{1, 2, 0}}});
  EXPECT_EQ(Def(d[0]).attr<Ints>("perm"), (Ints{2, 0, 1}));
  EXPECT_EQ(TypeOf(d[0]), "f32[2,3,4]");
}

TEST_F(VjpTest, TransposeWithTheDefaultPermReversesAgain) {
  std::vector<Value*> d = Ok("transpose", {F32({2, 3, 4})});
  EXPECT_TRUE(Def(d[0]).attr<Ints>("perm").empty());
  EXPECT_EQ(TypeOf(d[0]), "f32[2,3,4]");
}

TEST_F(VjpTest, BroadcastsSumBack) {
  Value* like = Param(DType::kI32, {4, 3});
  std::vector<Value*> d = Ok("broadcast_like", {F32({3}), like});
  EXPECT_EQ(TypeOf(d[0]), "f32[3]");
  EXPECT_EQ(d[1], nullptr);
  EXPECT_EQ(Emitted(), (Names{"sum_to_like"}));
  NewFunction();
  EXPECT_EQ(TypeOf(Ok("broadcast_to", {F32({1, 3})}, {{"shape", Ints{2, 3}}})[0]), "f32[1,3]");
  EXPECT_EQ(Emitted(), (Names{"sum_to_like"}));
}

TEST_F(VjpTest, StridedSliceGradKeepsTheAttributes) {
  Value* x = F32({5, 4});
  std::vector<Value*> d = Ok("strided_slice", {x},
                             {{"begin", Ints{1, 2}},
                              {"end", Ints{4, 0}},
                              {"strides", Ints{2, 1}},
                              {"end_mask", int64_t{2}},
                              {"shrink_axis_mask", int64_t{0}}});
  EXPECT_EQ(Emitted(), (Names{"strided_slice_grad"}));
  EXPECT_EQ(TypeOf(d[0]), "f32[5,4]");
  EXPECT_EQ(Def(d[0]).attrs(), fwd_->attrs());
  EXPECT_EQ(Def(d[0]).operand(0), g_);
}

TEST_F(VjpTest, GatherScattersIntoParams) {
  Value *params = F32({5, 2}), *indices = Param(DType::kI32, {3});
  std::vector<Value*> d = Ok("gather", {params, indices}, {{"axis", int64_t{0}}});
  EXPECT_EQ(d[1], nullptr);
  const Op& scatter = Def(d[0]);
  EXPECT_EQ(scatter.name(), "scatter_add");
  EXPECT_EQ(scatter.operands()[0], params);
  EXPECT_EQ(scatter.operands()[1], indices);
  EXPECT_EQ(scatter.operands()[2], g_);
}

TEST_F(VjpTest, ConcatSlicesAtStaticOffsets) {
  std::vector<Value*> d = Ok("concat", {F32({Q, 3}), F32({Q, 5})}, {{"axis", int64_t{-1}}});
  ASSERT_EQ(d.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    const Op& slice = Def(d[static_cast<size_t>(i)]);
    EXPECT_EQ(slice.name(), "strided_slice");
    EXPECT_EQ(slice.attr<Ints>("begin"), (Ints{0, i == 0 ? 0 : 3}));
    EXPECT_EQ(slice.attr<Ints>("end"), (Ints{0, i == 0 ? 3 : 8}));
    EXPECT_EQ(slice.attr<int64_t>("begin_mask"), 1);  // dim 0 taken whole
    EXPECT_EQ(slice.attr<int64_t>("end_mask"), 1);
  }
  EXPECT_EQ(TypeOf(d[0]), "f32[?,3]");
  EXPECT_EQ(TypeOf(d[1]), "f32[?,5]");
}

TEST_F(VjpTest, ConcatRestoresADynamicDimPinnedByAnotherOperand) {
  std::vector<Value*> d = Ok("concat", {F32({Q, 3}), F32({4, 2})}, {{"axis", int64_t{1}}});
  EXPECT_EQ(TypeOf(d[0]), "f32[?,3]");
  EXPECT_EQ(TypeOf(d[1]), "f32[4,2]");
  EXPECT_EQ(Emitted(), (Names{"strided_slice", "reshape_like", "strided_slice"}));
}

TEST_F(VjpTest, ConcatAlongADynamicAxisIsAnError) {
  absl::StatusOr<std::vector<Value*>> d =
      Grad("concat", {F32({2, 3}), F32({Q, 3})}, {{"axis", int64_t{0}}});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().message(),
            "concat: gradient along a dynamic axis is not supported (operand 1 is f32[?,3], "
            "axis 0)");
}

TEST_F(VjpTest, IntegerConcatAlongADynamicAxisHasNoGradientRatherThanAnError) {
  std::vector<Value*> d =
      Ok("concat", {Param(DType::kI32, {Q}), Param(DType::kI32, {2})}, {{"axis", int64_t{0}}});
  EXPECT_EQ(d, (std::vector<Value*>{nullptr, nullptr}));
}

// ---- reductions ----

TEST_F(VjpTest, ReduceSumExpandsThenBroadcasts) {
  std::vector<Value*> d = Ok("reduce_sum", {F32({2, Q, 4})}, {{"axes", Ints{-1, 1}}});
  EXPECT_EQ(Emitted(), (Names{"expand_dims", "expand_dims", "broadcast_like"}));
  const Op& bcast = Def(d[0]);
  const Op& inner = *bcast.operand(0)->defining_op();
  EXPECT_EQ(inner.attr<int64_t>("axis"), 2);  // ascending: 1 then 2
  EXPECT_EQ(TypeOf(bcast.operand(0)), "f32[2,1,1]");
  EXPECT_EQ(TypeOf(d[0]), "f32[2,?,4]");
}

TEST_F(VjpTest, ReduceSumWithKeepdimsBroadcastsDirectly) {
  std::vector<Value*> d = Ok("reduce_sum", {F32({2, 3})}, {{"axes", Ints{1}}, {"keepdims", true}});
  EXPECT_EQ(Emitted(), (Names{"broadcast_like"}));
}

TEST_F(VjpTest, ReduceOverAllAxesReshapesTheScalar) {
  std::vector<Value*> d = Ok("reduce_sum", {F32({2, 3})});
  EXPECT_EQ(Emitted(), (Names{"reshape", "broadcast_like"}));
  EXPECT_EQ(TypeOf(Def(d[0]).operand(0)), "f32[1,1]");
}

TEST_F(VjpTest, ReduceMeanDividesByAStaticCount) {
  std::vector<Value*> d = Ok("reduce_mean", {F32({2, 3, 4})}, {{"axes", Ints{0, 2}}});
  EXPECT_EQ(Emitted(), (Names{"constant", "expand_dims", "expand_dims", "div", "broadcast_like"}));
  const Op& div = *Def(d[0]).operand(0)->defining_op();
  EXPECT_EQ(div.operand(1)->defining_op()->attr<DenseElements>("value").GetDouble(0), 8.0);
}

TEST_F(VjpTest, ReduceMeanCountsADynamicDimAtRunTime) {
  std::vector<Value*> d = Ok("reduce_mean", {F32({Q, 3})}, {{"axes", Ints{0}}});
  EXPECT_EQ(Emitted(), (Names{"fill_like", "reduce_sum", "expand_dims", "div", "broadcast_like"}));
  EXPECT_EQ(TypeOf(d[0]), "f32[?,3]");
}

TEST_F(VjpTest, ReduceMaxSharesBetweenTies) {
  std::vector<Value*> d = Ok("reduce_max", {F32({Q, 3})}, {{"axes", Ints{1}}});
  EXPECT_EQ(Emitted(), (Names{"expand_dims", "eq", "cast", "reduce_sum", "expand_dims", "div",
                              "constant", "select"}));
  EXPECT_EQ(TypeOf(d[0]), "f32[?,3]");
}

TEST_F(VjpTest, ReduceProdDividesByX) {
  std::vector<Value*> d = Ok("reduce_prod", {F32({2, 3})}, {{"axes", Ints{0}}});
  EXPECT_EQ(Emitted(), (Names{"expand_dims", "expand_dims", "mul", "div"}));
  EXPECT_EQ(TypeOf(d[0]), "f32[2,3]");
}

TEST_F(VjpTest, IntegerReductionsHaveNoGradient) {
  EXPECT_EQ(Ok("reduce_sum", {Param(DType::kI64, {2})})[0], nullptr);
  EXPECT_TRUE(Emitted().empty());
}

// ---- linalg ----

struct MatmulCase {
  bool ta, tb;
  // Operand indices (0 = a, 1 = b, 2 = g) and flags of the two gradient matmuls.
  int da_lhs, da_rhs;
  bool da_ta, da_tb;
  int db_lhs, db_rhs;
  bool db_ta, db_tb;
};

TEST_F(VjpTest, MatmulGradientsUseTransposeFlags) {
  const MatmulCase cases[] = {
      {false, false, 2, 1, false, true, 0, 2, true, false},  // dA = g B^T, dB = A^T g
      {true, false, 1, 2, false, true, 0, 2, false, false},  // dA = B g^T, dB = A g
      {false, true, 2, 1, false, false, 2, 0, true, false},  // dA = g B,   dB = g^T A
      {true, true, 1, 2, true, true, 2, 0, true, true},      // dA = B^T g^T, dB = g^T A^T
  };
  for (const MatmulCase& c : cases) {
    NewFunction();
    Value* a = F32(c.ta ? Shape{3, 2} : Shape{2, 3});
    Value* b = F32(c.tb ? Shape{4, 3} : Shape{3, 4});
    std::vector<Value*> d = Ok("matmul", {a, b}, {{"transpose_a", c.ta}, {"transpose_b", c.tb}});
    const Value* by_index[] = {a, b, g_};
    const std::string label = StrCat("ta=", c.ta, " tb=", c.tb);
    const Op& da = Def(d[0]);
    EXPECT_EQ(da.operand(0), by_index[c.da_lhs]) << label;
    EXPECT_EQ(da.operand(1), by_index[c.da_rhs]) << label;
    EXPECT_EQ(da.attr<bool>("transpose_a"), c.da_ta) << label;
    EXPECT_EQ(da.attr<bool>("transpose_b"), c.da_tb) << label;
    const Op& db = Def(d[1]);
    EXPECT_EQ(db.operand(0), by_index[c.db_lhs]) << label;
    EXPECT_EQ(db.operand(1), by_index[c.db_rhs]) << label;
    EXPECT_EQ(db.attr<bool>("transpose_a"), c.db_ta) << label;
    EXPECT_EQ(db.attr<bool>("transpose_b"), c.db_tb) << label;
    EXPECT_EQ(Emitted(), (Names{"matmul", "matmul"})) << label;
  }
}

TEST_F(VjpTest, MatmulSumsBroadcastBatchDims) {
  std::vector<Value*> d = Ok("matmul", {F32({2, 3}), F32({5, 3, 4})});
  EXPECT_EQ(Emitted(), (Names{"matmul", "matmul", "sum_to_like"}));
  EXPECT_EQ(TypeOf(d[0]), "f32[2,3]");
  EXPECT_EQ(TypeOf(d[1]), "f32[5,3,4]");
}

TEST_F(VjpTest, MatmulRestoresADynamicInnerDim) {
  std::vector<Value*> d = Ok("matmul", {F32({2, Q}), F32({3, 4})});
  // dA comes out [2,3] and dB [?,4]: each operand pinned the other's dim.
  EXPECT_EQ(Emitted(), (Names{"matmul", "matmul", "reshape_like", "reshape_like"}));
  EXPECT_EQ(TypeOf(d[0]), "f32[2,?]");
  EXPECT_EQ(TypeOf(d[1]), "f32[3,4]");
}

TEST_F(VjpTest, SoftmaxFamily) {
  std::vector<Value*> d = Ok("softmax", {F32({Q, 4})}, {{"axis", int64_t{0}}});
  EXPECT_EQ(Emitted(), (Names{"mul", "reduce_sum", "sub", "mul"}));
  const Op& sum = *Def(d[0]).operand(1)->defining_op()->operand(1)->defining_op();
  EXPECT_EQ(sum.attr<Ints>("axes"), (Ints{0}));
  EXPECT_TRUE(sum.attr<bool>("keepdims"));
  NewFunction();
  EXPECT_EQ(TypeOf(Ok("log_softmax", {F32({2, 4})})[0]), "f32[2,4]");
  EXPECT_EQ(Emitted(), (Names{"reduce_sum", "exp", "mul", "sub"}));
}

// ---- the gradient ops' own rules ----

TEST_F(VjpTest, GradientOpsHaveRules) {
  Value* x = F32({2, 3});
  std::vector<Value*> d = Ok("sum_to_like", {x, F32({3})});
  EXPECT_EQ(Def(d[0]).name(), "broadcast_like");
  EXPECT_EQ(TypeOf(d[0]), "f32[2,3]");
  EXPECT_EQ(d[1], nullptr);
}

TEST_F(VjpTest, ScatterAddGathersTheUpdatesGradient) {
  std::vector<Value*> d = Ok("scatter_add", {F32({5, 2}), Param(DType::kI64, {3}), F32({3, 2})});
  EXPECT_EQ(d[0], nullptr);
  EXPECT_EQ(d[1], nullptr);
  EXPECT_EQ(Def(d[2]).name(), "gather");
  EXPECT_EQ(TypeOf(d[2]), "f32[3,2]");
}

TEST_F(VjpTest, StridedSliceGradSlicesTheGradient) {
  std::vector<Value*> d = Ok("strided_slice_grad", {F32({2}), F32({Q})},
                             {{"begin", Ints{0}}, {"end", Ints{2}}, {"strides", Ints{1}}});
  EXPECT_EQ(Emitted(), (Names{"strided_slice", "reshape_like"}));  // [?] back to [2]
  EXPECT_EQ(TypeOf(d[0]), "f32[2]");
  EXPECT_EQ(d[1], nullptr);
}

TEST_F(VjpTest, ReshapeLikeReshapesBack) {
  std::vector<Value*> d = Ok("reshape_like", {F32({6}), F32({2, 3})});
  EXPECT_EQ(TypeOf(d[0]), "f32[6]");
  EXPECT_EQ(d[1], nullptr);
}

// ---- inference of the gradient ops with dynamic dims ----

TEST_F(VjpTest, GradientOpsInferWithDynamicDims) {
  auto infer = [&](std::string_view name, std::vector<Value*> operands, AttrMap attrs = {}) {
    absl::StatusOr<Op*> op = b_.Create(name, std::move(operands), std::move(attrs));
    return op.ok() ? (*op)->result()->type().ToString() : std::string(op.status().message());
  };
  EXPECT_EQ(infer("sum_to_like", {F32({Q, 3}), F32({1, 3})}), "f32[1,3]");
  EXPECT_EQ(infer("sum_to_like", {F32({4, 3}), F32({Q})}), "f32[?]");
  EXPECT_EQ(infer("reshape_like", {F32({Q}), F32({2, 3})}), "f32[2,3]");
  EXPECT_EQ(infer("strided_slice_grad", {F32({2}), Param(DType::kI32, {Q})},
                  {{"begin", Ints{1}}, {"end", Ints{3}}, {"strides", Ints{1}}}),
            "f32[?]");
  EXPECT_EQ(infer("scatter_add", {F32({Q, 2}), Param(DType::kI32, {Q}), F32({7, 2})}), "f32[?,2]");
}

// ---- GradBuilder and the helpers ----

TEST_F(VjpTest, SumToLikeEmitsNothingForAnEqualStaticType) {
  Value *v = F32({2}), *like = F32({2});
  absl::StatusOr<Value*> s = ops::SumToLike(b_, v, like);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, v);
  EXPECT_TRUE(f_->body().empty());
}

TEST_F(VjpTest, ExpandReducedInsertsInAscendingOrder) {
  Value* x = F32({2, 3, 4, 5});
  Value* reduced = F32({3, 5});
  absl::StatusOr<Value*> e = ops::ExpandReduced(b_, reduced, x, {2, -4}, false);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(TypeOf(*e), "f32[1,3,1,5]");
  absl::StatusOr<Value*> bad = ops::ExpandReduced(b_, reduced, x, {4}, false);
  EXPECT_EQ(bad.status().message(), "axis 4 is out of range for rank 4");
}

TEST_F(VjpTest, GradBuilderNamesTheForwardOpInErrors) {
  Value *x = F32({2}), *y = F32({2});
  Op* add = *b_.Create("add", {x, y});
  Value* g = F32({2});
  Value* result_grads[] = {g};
  ops::GradBuilder e(b_, *add, result_grads);
  EXPECT_EQ(e.MatMul(g, g, false, false), nullptr);
  EXPECT_EQ(e.Neg(g), nullptr);  // nothing is emitted after an error
  absl::StatusOr<std::vector<Value*>> d = e.Done({g, g});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().message(),
            "gradient of add(f32[2], f32[2]): matmul(f32[2], f32[2]): both operands need rank "
            ">= 2 (a matrix or a batch of matrices), got ranks 1 and 1");
  EXPECT_EQ(f_->body().ops().size(), 1u);
}

TEST_F(VjpTest, GradBuilderChecksTheGradientTypes) {
  Value *x = F32({2}), *y = F32({1});
  Op* add = *b_.Create("add", {x, y});
  Value* result_grads[] = {F32({2})};
  ops::GradBuilder e(b_, *add, result_grads);
  absl::StatusOr<std::vector<Value*>> wrong_type = e.Done({x, x});
  EXPECT_EQ(wrong_type.status().message(),
            "gradient of add: operand 1 is f32[1] but its gradient is f32[2]");
  absl::StatusOr<std::vector<Value*>> wrong_count = e.Done({x});
  EXPECT_EQ(wrong_count.status().message(),
            "gradient of add: the rule gave 1 gradients for 2 operands");
}

TEST_F(VjpTest, GradBuilderReportsANullOperand) {
  Value* x = F32({2});
  Op* neg = *b_.Create("neg", {x});
  Value* result_grads[] = {x};
  ops::GradBuilder e(b_, *neg, result_grads);
  EXPECT_EQ(e.Mul(x, nullptr), nullptr);
  EXPECT_EQ(e.Done({x}).status().message(), "gradient of neg: an operand of mul is null");
}

TEST_F(VjpTest, GradBuilderIsInactiveWithoutAResultGradient) {
  Value* x = F32({2});
  Op* neg = *b_.Create("neg", {x});
  Value* result_grads[] = {nullptr};
  ops::GradBuilder e(b_, *neg, result_grads);
  EXPECT_FALSE(e.active());
  EXPECT_EQ(e.Neg(x), nullptr);
  e.Fail(absl::InternalError("ignored"));
  absl::StatusOr<std::vector<Value*>> d = e.Done({x});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, (std::vector<Value*>{nullptr}));
  EXPECT_EQ(f_->body().ops().size(), 1u);
}

}  // namespace
}  // namespace graphc::ir
