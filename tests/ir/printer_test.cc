#include "ir/printer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "ir/builder.h"
#include "ir/parser.h"

namespace graphc::ir {
namespace {

TensorType F32(Shape s) { return {DType::kF32, std::move(s)}; }

DenseElements Doubles(TensorType type, std::vector<double> values) {
  DenseElements d(std::move(type));
  for (size_t i = 0; i < values.size(); ++i) d.SetDouble(static_cast<int64_t>(i), values[i]);
  return d;
}

DenseElements Ints(TensorType type, std::vector<int64_t> values) {
  DenseElements d(std::move(type));
  for (size_t i = 0; i < values.size(); ++i) d.SetInt(static_cast<int64_t>(i), values[i]);
  return d;
}

// A module with one function "f" that returns nothing; tests add ops to it
// through `b` and then print.
struct Fixture {
  Module m;
  Function* f = m.AddFunction("f");
  Builder b{&f->body()};

  // Prints the constant of `value` alone: "%0 = constant {...} : T".
  std::string Constant(DenseElements value) {
    Value* v = *b.Constant(std::move(value));
    return PrintOp(*v->defining_op());
  }
};

TEST(Printer, FunctionWithParamHints) {
  Module m;
  Function* f = m.AddFunction("f");
  Value* x = f->AddParam(F32({kDynamic, 3}), "x");
  Value* y = f->AddParam(F32({3}), "y");
  f->set_result_types({F32({kDynamic, 3})});
  Builder b(&f->body());
  Value* s = *b.Emit("add", {x, y});
  Value* n = *b.Emit("neg", {s});
  ASSERT_TRUE(b.Create("return", {n}).ok());
  EXPECT_EQ(PrintModule(m),
            "func @f(%x: f32[?,3], %y: f32[3]) -> (f32[?,3]) {\n"
            "  %0 = add %x, %y : f32[?,3]\n"
            "  %1 = neg %0 : f32[?,3]\n"
            "  return %1\n"
            "}\n");
}

TEST(Printer, InvalidOrRepeatedHintsAreNumbered) {
  Module m;
  Function* f = m.AddFunction("g");
  std::vector<Value*> p;
  for (const char* hint : {"x", "x", "0x", "", "a.b", "_t", "a-b"}) {
    p.push_back(f->AddParam(F32({}), hint));
  }
  Builder b(&f->body());
  Value* s = *b.Emit("add", {p[0], p[1]});
  s->set_name_hint("sum");  // op results are always numbered
  ASSERT_TRUE(b.Create("return", {}).ok());
  EXPECT_EQ(PrintFunction(*f),
            "func @g(%x: f32[], %0: f32[], %1: f32[], %2: f32[], %a.b: f32[], %_t: f32[], "
            "%3: f32[]) -> () {\n"
            "  %4 = add %x, %0 : f32[]\n"
            "  return\n"
            "}\n");
}

TEST(Printer, F32ConstantsUseShortestForm) {
  Fixture t;
  EXPECT_EQ(t.Constant(Doubles(F32({}), {0.1})),
            "%0 = constant {value = dense<f32[] 0.1>} : f32[]");
  EXPECT_EQ(t.Constant(Doubles(F32({3}), {2.5, 2.5, 2.5})),
            "%1 = constant {value = dense<f32[3] 2.5>} : f32[3]");
  EXPECT_EQ(t.Constant(Doubles(F32({2, 2}), {1, 0.1, -3, 1.0 / 3})),
            "%2 = constant {value = dense<f32[2,2] [1.0, 0.1, -3.0, 0.33333334]>} : f32[2,2]");
  EXPECT_EQ(t.Constant(Doubles(F32({4}), {1e10, 1e-45, -0.0, 123456789})),
            "%3 = constant {value = dense<f32[4] [1e+10, 1e-45, -0.0, 123456792.0]>} : f32[4]");
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(t.Constant(Doubles(F32({3}), {std::nan(""), inf, -inf})),
            "%4 = constant {value = dense<f32[3] [nan, inf, -inf]>} : f32[3]");
  // A NaN's sign survives printing (folded 0/0 is -nan on x86).
  EXPECT_EQ(t.Constant(Doubles(F32({1}), {7})),
            "%5 = constant {value = dense<f32[1] 7.0>} : f32[1]");
  EXPECT_EQ(t.Constant(DenseElements(F32({0, 2}))),
            "%6 = constant {value = dense<f32[0,2] []>} : f32[0,2]");
}

// A NaN's sign survives printing and parsing (a folded 0/0 is -nan on
// x86, and folding must not change bits); the payload does not.
TEST(Printer, NanKeepsItsSign) {
  Fixture t;
  EXPECT_EQ(t.Constant(Doubles(F32({2}), {-std::nan(""), std::nan("")})),
            "%0 = constant {value = dense<f32[2] [-nan, nan]>} : f32[2]");
  absl::StatusOr<std::unique_ptr<Module>> m = ParseModule(
      "func @f() -> (f64[2]) {\n"
      "  %0 = constant {value = dense<f64[2] [-nan, nan]>} : f64[2]\n"
      "  return %0\n"
      "}\n",
      "nan.gir");
  ASSERT_TRUE(m.ok()) << m.status();
  const DenseElements& value =
      (*m)->functions()[0]->body().ops().front()->attr<DenseElements>("value");
  EXPECT_TRUE(std::isnan(value.GetDouble(0)) && std::signbit(value.GetDouble(0)));
  EXPECT_TRUE(std::isnan(value.GetDouble(1)) && !std::signbit(value.GetDouble(1)));
}

TEST(Printer, F64IntAndBoolConstants) {
  Fixture t;
  EXPECT_EQ(t.Constant(Doubles({DType::kF64, {2}}, {0.1, 1.0 / 3})),
            "%0 = constant {value = dense<f64[2] [0.1, 0.3333333333333333]>} : f64[2]");
  EXPECT_EQ(t.Constant(Ints({DType::kI8, {3}}, {-128, 127, 0})),
            "%1 = constant {value = dense<i8[3] [-128, 127, 0]>} : i8[3]");
  EXPECT_EQ(t.Constant(Ints({DType::kI32, {2}}, {-5, -5})),
            "%2 = constant {value = dense<i32[2] -5>} : i32[2]");
  EXPECT_EQ(t.Constant(Ints({DType::kI64, {2}}, {std::numeric_limits<int64_t>::min(), 9})),
            "%3 = constant {value = dense<i64[2] [-9223372036854775808, 9]>} : i64[2]");
  EXPECT_EQ(t.Constant(Ints({DType::kBool, {3}}, {1, 0, 1})),
            "%4 = constant {value = dense<bool[3] [true, false, true]>} : bool[3]");
  EXPECT_EQ(t.Constant(Ints({DType::kBool, {}}, {0})),
            "%5 = constant {value = dense<bool[] false>} : bool[]");
}

TEST(Printer, AttributesSortedAndDefaultsOmitted) {
  Fixture t;
  AttrMap attrs;
  attrs.emplace("shape", std::vector<int64_t>{2, 3});
  attrs.emplace("seed", int64_t{7});
  attrs.emplace("minval", -1.0);
  attrs.emplace("maxval", 1.0);  // the default: omitted
  attrs.emplace("dtype", DType::kF64);
  Op* op = *t.b.Create("random_uniform", {}, attrs);
  EXPECT_EQ(
      PrintOp(*op),
      "%0 = random_uniform {dtype = f64, minval = -1.0, seed = 7, shape = [2, 3]} : f64[2,3]");

  Value* x = t.f->AddParam(F32({2, 3}), "x");
  Op* id = *t.b.Create("cast", {x}, {{"dtype", DType::kF32}});
  EXPECT_EQ(PrintOp(*id), "%1 = cast %x {dtype = f32} : f32[2,3]");
  Op* mm = *t.b.Create("matmul", {x, x}, {{"transpose_b", true}, {"transpose_a", false}});
  EXPECT_EQ(PrintOp(*mm), "%2 = matmul %x, %x {transpose_b = true} : f32[2,2]");
  Op* red = *t.b.Create("reduce_sum", {x}, {{"axes", std::vector<int64_t>{}}});
  EXPECT_EQ(PrintOp(*red), "%3 = reduce_sum %x : f32[]");
}

TEST(Printer, LocationsAndStringEscapes) {
  Fixture t;
  Value* x = t.f->AddParam(F32({}), "x");
  t.b.set_loc({"dir/model.cc", 12, 5});
  Op* a = *t.b.Create("neg", {x});
  t.b.set_loc({"a \"q\" b\\c\nd", 1, 0});
  Op* r = *t.b.Create("return", {a->result(0)});
  EXPECT_EQ(PrintOp(*a), "%0 = neg %x : f32[] loc(\"dir/model.cc\":12:5)");
  EXPECT_EQ(PrintOp(*r), "return %0 loc(\"a \\\"q\\\" b\\\\c\\nd\":1:0)");
}

TEST(Printer, VariablesComeFirst) {
  Module m;
  m.AddVariable({"w", F32({5, 1}), true});
  m.AddVariable({"step", {DType::kI64, {}}, false});
  Function* f = m.AddFunction("read");
  f->set_result_types({F32({5, 1})});
  Builder b(&f->body());
  Value* w = *b.Emit("read_var", {}, {{"var", SymbolRef{"w"}}});
  ASSERT_TRUE(b.Create("return", {w}).ok());
  Function* g = m.AddFunction("nothing");
  ASSERT_TRUE(Builder(&g->body()).Create("return", {}).ok());
  EXPECT_EQ(PrintModule(m),
            "var @w : f32[5,1]\n"
            "var @step : i64[] {trainable = false}\n"
            "\n"
            "func @read() -> (f32[5,1]) {\n"
            "  %0 = read_var {var = @w} : f32[5,1]\n"
            "  return %0\n"
            "}\n"
            "\n"
            "func @nothing() -> () {\n"
            "  return\n"
            "}\n");
  EXPECT_EQ(PrintModule(Module()), "");
}

// cond's regions print on indented lines, numbered after the op's results;
// while has two results.
TEST(Printer, RegionsAndMultipleResults) {
  Module m;
  Function* f = m.AddFunction("loop");
  Value* p = f->AddParam({DType::kBool, {}}, "p");
  Value* x = f->AddParam(F32({}), "x");
  Value* n = f->AddParam({DType::kI32, {}}, "n");
  f->set_result_types({F32({}), {DType::kI32, {}}});
  Builder b(&f->body());

  std::vector<std::unique_ptr<Region>> branches;
  for (bool negate : {false, true}) {
    auto r = std::make_unique<Region>();
    Value* a = r->AddArgument(F32({}), "a");  // the second "a" is numbered
    Builder rb(r.get());
    Value* out = negate ? *rb.Emit("neg", {a}) : a;
    EXPECT_TRUE(rb.Create("yield", {out}).ok());
    branches.push_back(std::move(r));
  }
  b.set_loc({"m.cc", 3, 1});
  Op* c = *b.Create("cond", {p, x}, {}, std::move(branches));
  b.set_loc({});

  std::vector<std::unique_ptr<Region>> loop;
  auto cond = std::make_unique<Region>();
  {
    Value* cx = cond->AddArgument(F32({}));
    Value* ci = cond->AddArgument({DType::kI32, {}}, "i");
    (void)cx;
    Builder rb(cond.get());
    Value* lt = *rb.Emit("lt", {ci, n});
    EXPECT_TRUE(rb.Create("yield", {lt}).ok());
  }
  auto body = std::make_unique<Region>();
  {
    Value* bx = body->AddArgument(F32({}), "x");  // taken by the param
    Value* bi = body->AddArgument({DType::kI32, {}}, "j");
    Builder rb(body.get());
    Value* sq = *rb.Emit("square", {bx});
    EXPECT_TRUE(rb.Create("yield", {sq, bi}).ok());
  }
  loop.push_back(std::move(cond));
  loop.push_back(std::move(body));
  Op* w = *b.Create("while", {c->result(0), n}, {}, std::move(loop));
  ASSERT_TRUE(b.Create("return", {w->result(0), w->result(1)}).ok());

  const std::string expected =
      "func @loop(%p: bool[], %x: f32[], %n: i32[]) -> (f32[], i32[]) {\n"
      "  %0 = cond %p, %x : f32[] (%a: f32[]) {\n"
      "    yield %a\n"
      "  } (%1: f32[]) {\n"
      "    %2 = neg %1 : f32[]\n"
      "    yield %2\n"
      "  } loc(\"m.cc\":3:1)\n"
      "  %3, %4 = while %0, %n : f32[], i32[] (%5: f32[], %i: i32[]) {\n"
      "    %6 = lt %i, %n : bool[]\n"
      "    yield %6\n"
      "  } (%7: f32[], %j: i32[]) {\n"
      "    %8 = square %7 : f32[]\n"
      "    yield %8, %j\n"
      "  }\n"
      "  return %3, %4\n"
      "}\n";
  EXPECT_EQ(PrintFunction(*f), expected);
  // A nested op alone uses the names of the function dump.
  const Op* neg = c->region(1).ops().front().get();
  EXPECT_EQ(PrintOp(*neg), "%2 = neg %1 : f32[]");
}

TEST(Printer, FloatAndStringAttributes) {
  Fixture t;
  Op* fill = *t.b.Create("fill", {}, {{"shape", std::vector<int64_t>{2}}, {"value", 0.1}});
  EXPECT_EQ(PrintOp(*fill), "%0 = fill {shape = [2], value = 0.1} : f32[2]");
  Op* r = *t.b.Create("range", {}, {{"start", 0.0}, {"limit", 1e300}, {"delta", 1e299}});
  EXPECT_EQ(PrintOp(*r), "%1 = range {delta = 1e+299, limit = 1e+300, start = 0.0} : i32[10]");
}

}  // namespace
}  // namespace graphc::ir
