// Each verifier rule: a valid case and IR broken on purpose (built directly
// with the core API where the Builder would refuse it), with the exact error.
#include "ir/verifier.h"

#include <gtest/gtest.h>

#include "ir/builder.h"
#include "ir/op_registry.h"

namespace graphc::ir {
namespace {

TensorType F32(std::initializer_list<int64_t> dims) { return {DType::kF32, Shape(dims)}; }

const OpDef& Def(std::string_view name) { return *OpRegistry::Get().Find(name); }

// Test-only ops, built with `new Op(def, ...)` so the registry stays untouched.
// `wrap`: one region whose yield types are the op's results; regions may
// use values from outside. `sealed`: the same with isolated regions.
absl::StatusOr<std::vector<TensorType>> YieldTypes(const InferContext& c) {
  std::vector<TensorType> types;
  const Op* yield = c.regions[0]->terminator();
  if (yield == nullptr) return absl::InvalidArgumentError("the region is empty");
  for (const Value* v : yield->operands()) {
    if (v == nullptr) return absl::InvalidArgumentError("null yield operand");
    types.push_back(v->type());
  }
  return types;
}

OpDef RegionOpDef(std::string_view name, bool isolated) {
  OpDef def;
  def.name = name;
  def.num_operands = OpDef::kVariadic;
  def.num_regions = 1;
  def.infer = YieldTypes;
  def.structural = true;
  def.isolated_regions = isolated;
  return def;
}
const OpDef kWrap = RegionOpDef("wrap", false);
const OpDef kSealed = RegionOpDef("sealed", true);

// `scaled` (x) {scale: float = 1.0} -> x's type; its verify hook rejects a
// negative scale.
const OpDef kScaled = [] {
  OpDef def;
  def.name = "scaled";
  def.num_operands = 1;
  def.attrs = {{"scale", AttrKind::kFloat, 1.0}};
  def.infer = [](const InferContext& c) -> absl::StatusOr<std::vector<TensorType>> {
    return std::vector<TensorType>{c.operand(0)};
  };
  def.verify = [](const Op& op) -> absl::Status {
    if (op.attr<double>("scale") < 0) return absl::InvalidArgumentError("scale must be >= 0");
    return absl::OkStatus();
  };
  def.structural = true;
  return def;
}();

// Inserts an op built from `def` at the end of `region` (or before `before`).
Op* Raw(Region& region, const OpDef& def, std::vector<Value*> operands,
        std::vector<TensorType> results, AttrMap attrs = {}, Op* before = nullptr) {
  return region.Insert(
      std::make_unique<Op>(def, std::move(operands), results, std::move(attrs), Location{}),
      before);
}

// Tests that make an op use a value defined after it (or inside it) put the
// operand back before returning: ops are destroyed last-to-first, so such a
// use would outlive its value during teardown.
class VerifierTest : public ::testing::Test {
 protected:
  // f(x: f32[2], y: f32[2]) -> f32[2] { s = add x, y; n = neg s; return n }
  VerifierTest() {
    f = m.AddFunction("f");
    x = f->AddParam(F32({2}), "x");
    y = f->AddParam(F32({2}), "y");
    f->set_result_types({F32({2})});
    Builder b(&f->body());
    sum = *b.Emit("add", {x, y});
    neg = *b.Emit("neg", {sum});
    ret = *b.Create("return", {neg});
  }

  std::string Error() { return std::string(VerifyModule(m).message()); }

  Module m;
  Function* f;
  Value* x;
  Value* y;
  Value* sum;
  Value* neg;
  Op* ret;
};

TEST_F(VerifierTest, WellFormedModuleIsOk) {
  EXPECT_TRUE(VerifyModule(m).ok());
  EXPECT_TRUE(VerifyFunction(*f).ok());
}

TEST_F(VerifierTest, DynamicResultTypeAcceptsStaticReturn) {
  f->set_result_types({F32({kDynamic})});
  EXPECT_TRUE(VerifyModule(m).ok());
}

// ---- module-level names ----

TEST_F(VerifierTest, DuplicateFunctionName) {
  Function* g = m.AddFunction("f");
  Builder(&g->body()).Create("return", {}).IgnoreError();
  EXPECT_EQ(Error(), "function @f is defined twice");
}

TEST_F(VerifierTest, DuplicateVariableName) {
  m.AddVariable({"w", F32({2}), true});
  m.AddVariable({"w", F32({3}), false});
  EXPECT_EQ(Error(), "variable @w is declared twice");
}

// ---- regions and terminators ----

TEST(VerifierRegions, EmptyBody) {
  Module m;
  m.AddFunction("g");
  EXPECT_EQ(VerifyModule(m).message(), "function @g: body is empty; it must end with 'return'");
}

TEST_F(VerifierTest, BodyWithoutTerminator) {
  f->body().Erase(ret);
  EXPECT_EQ(Error(),
            "function @f: body does not end with a terminator (its last op is 'neg'; it must end "
            "with 'return')");
}

TEST_F(VerifierTest, TerminatorBeforeTheEnd) {
  Raw(f->body(), Def("return"), {sum}, {}, {}, neg->defining_op());
  EXPECT_EQ(Error(), "function @f: 'return %0': a terminator must be the last op of its region");
}

TEST_F(VerifierTest, BodyEndingInYield) {
  f->body().Erase(ret);
  Raw(f->body(), Def("yield"), {neg}, {});
  EXPECT_EQ(Error(), "function @f: 'yield %1': a function body must end with 'return'");
}

TEST_F(VerifierTest, NestedRegionEndingInReturn) {
  f->body().Erase(ret);
  Op* wrap = Raw(f->body(), kWrap, {}, {F32({2})});
  Raw(wrap->AddRegion(), Def("return"), {neg}, {});
  Raw(f->body(), Def("return"), {wrap->result(0)}, {});
  EXPECT_EQ(Error(), "function @f: 'return %1': a nested region must end with 'yield'");
}

TEST_F(VerifierTest, EmptyNestedRegion) {
  Op* wrap = Raw(f->body(), kWrap, {}, {}, {}, ret);
  wrap->AddRegion();
  EXPECT_EQ(Error(), "function @f: 'wrap () { ...': region #0 is empty; it must end with 'yield'");
}

TEST_F(VerifierTest, NestedRegionWithoutTerminator) {
  Op* wrap = Raw(f->body(), kWrap, {}, {}, {}, ret);
  Raw(wrap->AddRegion(), Def("neg"), {x}, {F32({2})});
  EXPECT_EQ(Error(),
            "function @f: 'wrap () { ...': region #0 does not end with a terminator (its last op "
            "is 'neg'; it must end with 'yield')");
}

// ---- return against the signature ----

TEST_F(VerifierTest, ReturnCountMismatch) {
  ret->SetOperands({neg, sum});
  EXPECT_EQ(Error(),
            "function @f: 'return %1, %0': returns 2 values, but the function declares 1 result");
}

TEST_F(VerifierTest, ReturnTypeMismatch) {
  f->set_result_types({F32({3})});
  EXPECT_EQ(Error(),
            "function @f: 'return %1': operand #0 has type f32[2], but the function declares "
            "result #0 as f32[3]");
}

// ---- SSA dominance ----

TEST_F(VerifierTest, UseBeforeDefinition) {
  sum->defining_op()->SetOperand(1, neg);
  EXPECT_EQ(Error(),
            "function @f: '%0 = add %x, %1 : f32[2]': operand #1 is used before it is defined");
  sum->defining_op()->SetOperand(1, y);  // ops die last-to-first: no use of a later value
}

TEST_F(VerifierTest, OpUsingItsOwnResult) {
  sum->defining_op()->SetOperand(0, sum);
  EXPECT_EQ(Error(),
            "function @f: '%0 = add %0, %y : f32[2]': operand #0 is used before it is defined");
  sum->defining_op()->SetOperand(0, x);
}

TEST_F(VerifierTest, ValueOfAnotherFunction) {
  Function* g = m.AddFunction("g");
  Value* z = g->AddParam(F32({2}), "z");
  Builder(&g->body()).Create("return", {}).IgnoreError();
  neg->defining_op()->SetOperand(0, z);
  EXPECT_EQ(VerifyFunction(*f).message(),
            "function @f: '%1 = neg %? : f32[2]': operand #0 is a value of another function, @g");
  // Seen from g, the same mistake is a use that leaves the function.
  EXPECT_EQ(VerifyFunction(*g).message(),
            "function @g: body argument #0 is used by 'neg' in function @f; values cannot cross "
            "functions");
  neg->defining_op()->SetOperand(0, sum);  // f must not outlive a use of g's value
}

TEST_F(VerifierTest, ValueOfDetachedOp) {
  std::unique_ptr<Op> detached = f->body().Remove(sum->defining_op());
  EXPECT_EQ(
      Error(),
      "function @f: '%0 = neg %? : f32[2]': operand #0 is a value of a detached op or region");
  neg->defining_op()->SetOperand(0, x);  // let `detached` die with no uses
}

TEST_F(VerifierTest, UseListNamingADetachedOp) {
  // A removed op still holds its operands: the value's use list names it.
  Op* extra = Raw(f->body(), Def("abs"), {x}, {F32({2})}, {}, ret);
  std::unique_ptr<Op> detached = f->body().Remove(extra);
  EXPECT_EQ(Error(),
            "function @f: body argument #0 is used by 'abs', which is in no function (a removed "
            "op still holds its operands)");
}

TEST_F(VerifierTest, NestedRegionMayUseEnclosingValues) {
  Op* wrap = Raw(f->body(), kWrap, {}, {F32({2})}, {}, neg->defining_op());
  Region& r = wrap->AddRegion();
  Value* a = r.AddArgument(F32({2}), "a");
  Op* inner = Raw(r, Def("mul"), {sum, x}, {F32({2})});
  Raw(r, Def("yield"), {inner->result(0)}, {});
  EXPECT_TRUE(VerifyModule(m).ok()) << Error();
  // ... but not values defined after the op that owns the region.
  inner->SetOperand(0, neg);
  EXPECT_EQ(Error(),
            "function @f: '%2 = mul %3, %x : f32[2]': operand #0 is used before it is defined");
  // ... nor the op's own results.
  inner->SetOperand(0, wrap->result(0));
  EXPECT_EQ(Error(),
            "function @f: '%2 = mul %1, %x : f32[2]': operand #0 is used before it is defined");
  // Its own argument is fine.
  inner->SetOperand(0, a);
  EXPECT_TRUE(VerifyModule(m).ok()) << Error();
}

TEST_F(VerifierTest, ValueOfASiblingRegion) {
  Op* first = Raw(f->body(), kWrap, {}, {F32({2})}, {}, ret);
  Region& r1 = first->AddRegion();
  Op* inner = Raw(r1, Def("neg"), {x}, {F32({2})});
  Raw(r1, Def("yield"), {inner->result(0)}, {});
  Op* second = Raw(f->body(), kWrap, {}, {F32({2})}, {}, ret);
  Raw(second->AddRegion(), Def("yield"), {inner->result(0)}, {});
  EXPECT_EQ(Error(),
            "function @f: 'yield %3': operand #0 is defined in a region that does not enclose "
            "this op");
}

TEST_F(VerifierTest, OpUsingArgumentOfItsOwnRegion) {
  Op* wrap = Raw(f->body(), kWrap, {}, {}, {}, ret);
  Region& r = wrap->AddRegion();
  Value* a = r.AddArgument(F32({2}), "a");
  Raw(r, Def("yield"), {}, {});
  wrap->SetOperands({a});
  EXPECT_EQ(Error(),
            "function @f: 'wrap %a (%a: f32[2]) { ...': operand #0 is defined in a region that "
            "does not enclose this op");
  wrap->SetOperands({});  // an op's regions die before it drops its operands
}

TEST_F(VerifierTest, IsolatedRegionCannotCapture) {
  Op* sealed = Raw(f->body(), kSealed, {x}, {F32({2})}, {}, ret);
  Region& r = sealed->AddRegion();
  Value* a = r.AddArgument(F32({2}), "a");
  Op* inner = Raw(r, Def("neg"), {a}, {F32({2})});
  Raw(r, Def("yield"), {inner->result(0)}, {});
  EXPECT_TRUE(VerifyModule(m).ok()) << Error();
  inner->SetOperand(0, sum);
  EXPECT_EQ(
      Error(),
      "function @f: '%3 = neg %0 : f32[2]': operand #0 is defined outside the isolated region "
      "that uses it");
}

TEST_F(VerifierTest, NullOperand) {
  neg->defining_op()->SetOperand(0, nullptr);
  EXPECT_EQ(Error(), "function @f: '%1 = neg %? : f32[2]': operand #0 is null");
}

// ---- types, attributes and hooks ----

TEST_F(VerifierTest, ResultTypeDisagreesWithInference) {
  sum->set_type(F32({3}));
  EXPECT_EQ(Error(),
            "function @f: '%0 = add %x, %y : f32[3]': result #0 has type f32[3], but inference "
            "gives f32[2]");
}

TEST_F(VerifierTest, InferenceFails) {
  y->set_type({DType::kI32, Shape{2}});
  EXPECT_EQ(Error(),
            "function @f: '%0 = add %x, %y : f32[2]': add(f32[2], i32[2]): operand dtypes differ: "
            "f32 vs i32 (cast one of them first)");
}

TEST_F(VerifierTest, WrongOperandCount) {
  sum->defining_op()->SetOperands({x, y, x});
  EXPECT_EQ(Error(),
            "function @f: '%0 = add %x, %y, %x : f32[2]': add: expected 2 operands, got 3");
}

TEST_F(VerifierTest, WrongResultCount) {
  Raw(f->body(), Def("abs"), {x}, {F32({2}), F32({2})}, {}, ret);
  EXPECT_EQ(
      Error(),
      "function @f: '%2, %3 = abs %x : f32[2], f32[2]': has 2 results, but inference gives 1");
}

TEST_F(VerifierTest, UnknownAttribute) {
  sum->defining_op()->mutable_attrs().emplace("alpha", 2.0);
  EXPECT_EQ(Error(),
            "function @f: '%0 = add %x, %y {alpha = 2.0} : f32[2]': unknown attribute 'alpha' for "
            "op 'add'");
}

TEST_F(VerifierTest, AttributeOfTheWrongKind) {
  Builder b;
  b.SetInsertionPoint(ret);
  Op* cast = *b.Create("cast", {x}, {{"dtype", DType::kI32}});
  EXPECT_TRUE(VerifyModule(m).ok()) << Error();
  cast->mutable_attrs()["dtype"] = int64_t{3};
  EXPECT_EQ(Error(),
            "function @f: '%2 = cast %x {dtype = 3} : i32[2]': attribute 'dtype' of op 'cast' must "
            "be dtype, got int");
}

TEST_F(VerifierTest, MissingRequiredAttribute) {
  Builder b;
  b.SetInsertionPoint(ret);
  Op* cast = *b.Create("cast", {x}, {{"dtype", DType::kI32}});
  cast->mutable_attrs().clear();
  EXPECT_EQ(Error(),
            "function @f: '%2 = cast %x : i32[2]': op 'cast' needs attribute 'dtype' (dtype)");
}

TEST_F(VerifierTest, MissingDefaultedAttribute) {
  Op* scaled = Raw(f->body(), kScaled, {x}, {F32({2})}, {{"scale", 2.0}}, ret);
  EXPECT_TRUE(VerifyModule(m).ok()) << Error();
  scaled->mutable_attrs().clear();
  EXPECT_EQ(Error(),
            "function @f: '%2 = scaled %x : f32[2]': attribute 'scale' is missing (defaults are "
            "filled in when an op is built)");
}

TEST_F(VerifierTest, VerifyHookFails) {
  Raw(f->body(), kScaled, {x}, {F32({2})}, {{"scale", -1.0}}, ret);
  EXPECT_EQ(Error(), "function @f: '%2 = scaled %x {scale = -1.0} : f32[2]': scale must be >= 0");
}

TEST_F(VerifierTest, ErrorsNameTheLocation) {
  neg->defining_op()->set_loc({"model.cc", 12, 5});
  neg->set_type(F32({7}));
  EXPECT_EQ(Error(),
            "function @f: '%1 = neg %0 : f32[7] loc(\"model.cc\":12:5)': result #0 has type "
            "f32[7], but inference gives f32[2]");
}

TEST_F(VerifierTest, ErrorsNameTheLocationOfOpsWithRegions) {
  // Such an op prints on several lines; the message keeps the first.
  Op* wrap = Raw(f->body(), kWrap, {}, {}, {}, ret);
  wrap->set_loc({"model.cc", 3, 1});
  wrap->AddRegion();
  EXPECT_EQ(Error(),
            "function @f: 'wrap () { ...' at model.cc:3:1: region #0 is empty; it must end with "
            "'yield'");
}

// ---- variables ----

TEST(VerifierVariables, VariableOpsNeedADeclaredVariable) {
  ASSERT_NE(OpRegistry::Get().Find("read_var"), nullptr) << "state ops are not registered";
  Module m;
  m.AddVariable({"w", F32({2}), true});
  Function* f = m.AddFunction("f");
  f->set_result_types({F32({2})});
  Builder b(&f->body());
  absl::StatusOr<Value*> w = b.Emit("read_var", {}, {{"var", SymbolRef{"w"}}});
  ASSERT_TRUE(w.ok()) << w.status();
  ASSERT_TRUE(b.Create("return", {*w}).ok());
  EXPECT_TRUE(VerifyModule(m).ok());
  (*w)->defining_op()->mutable_attrs()["var"] = SymbolRef{"v"};
  EXPECT_EQ(VerifyModule(m).message(),
            "function @f: '%0 = read_var {var = @v} : f32[2]': read_var(): unknown variable @v");
}

}  // namespace
}  // namespace graphc::ir
