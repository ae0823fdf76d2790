#include "ir/parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "ir/printer.h"
#include "ir/str_cat.h"

namespace graphc::ir {
namespace {

std::unique_ptr<Module> Parse(std::string_view text) {
  absl::StatusOr<std::unique_ptr<Module>> m = ParseModule(text, "t.gir");
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? *std::move(m) : std::make_unique<Module>();
}

// The error message of a parse that must fail.
std::string Error(std::string_view text) {
  absl::StatusOr<std::unique_ptr<Module>> m = ParseModule(text, "t.gir");
  if (m.ok()) return "<parsed without error>";
  EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(m.status().message());
}

const Op& NthOp(const Region& r, int n) {
  auto it = r.ops().begin();
  std::advance(it, n);
  return **it;
}

TEST(Parser, EmptyInputIsAnEmptyModule) {
  std::unique_ptr<Module> m = Parse("");
  EXPECT_TRUE(m->functions().empty());
  EXPECT_TRUE(m->variables().empty());
  EXPECT_TRUE(Parse("  // only a comment\n\n")->functions().empty());
}

TEST(Parser, ModuleStructureWithForwardCall) {
  std::unique_ptr<Module> m = Parse(
      "// a comment\n"
      "var @w : f32[2] {trainable = false}\n"
      "\n"
      "func @main(%x: f32[?]) -> (f32[2]) {\n"
      "  %0 = read_var {var = @w} : f32[2]\n"
      "  %1 = call %x, %0 {callee = @helper} : f32[2] loc(\"m.cc\":7:3)\n"
      "  return %1\n"
      "}\n"
      "func @helper(%a: f32[?], %b: f32[2]) -> (f32[2]) {\n"
      "  %s = add %a, %b : f32[2]  // trailing comment\n"
      "  return %s\n"
      "}\n");
  ASSERT_EQ(m->variables().size(), 1u);
  EXPECT_EQ(m->variables()[0].name, "w");
  EXPECT_EQ(m->variables()[0].type, (TensorType{DType::kF32, {2}}));
  EXPECT_FALSE(m->variables()[0].trainable);

  ASSERT_EQ(m->functions().size(), 2u);
  const Function& main = *m->functions()[0];
  EXPECT_EQ(main.name(), "main");
  ASSERT_EQ(main.num_params(), 1);
  EXPECT_EQ(main.param(0)->name_hint(), "x");
  EXPECT_EQ(main.param(0)->type(), (TensorType{DType::kF32, {kDynamic}}));
  EXPECT_EQ(main.result_types(), (std::vector<TensorType>{{DType::kF32, {2}}}));
  ASSERT_EQ(main.body().ops().size(), 3u);
  const Op& read = NthOp(main.body(), 0);
  EXPECT_EQ(read.name(), "read_var");
  EXPECT_EQ(read.attr<SymbolRef>("var").name, "w");
  EXPECT_FALSE(read.loc().known());
  const Op& call = NthOp(main.body(), 1);
  EXPECT_EQ(call.name(), "call");
  EXPECT_EQ(call.operand(0), main.param(0));
  EXPECT_EQ(call.operand(1), read.result(0));
  EXPECT_EQ(call.attr<SymbolRef>("callee").name, "helper");
  EXPECT_EQ(call.loc(), (Location{"m.cc", 7, 3}));
  const Op& ret = NthOp(main.body(), 2);
  EXPECT_EQ(ret.name(), "return");
  EXPECT_EQ(ret.operand(0), call.result(0));

  const Function& helper = *m->functions()[1];
  EXPECT_EQ(helper.param(1)->name_hint(), "b");
  const Op& add = NthOp(helper.body(), 0);
  EXPECT_EQ(add.operand(0), helper.param(0));
  EXPECT_EQ(add.operand(1), helper.param(1));
  EXPECT_EQ(add.result(0)->type(), (TensorType{DType::kF32, {2}}));
  // Op result names are not kept: results print numbered.
  EXPECT_EQ(PrintFunction(helper),
            "func @helper(%a: f32[?], %b: f32[2]) -> (f32[2]) {\n"
            "  %0 = add %a, %b : f32[2]\n"
            "  return %0\n"
            "}\n");
}

TEST(Parser, NumbersConvertToTheElementDType) {
  std::unique_ptr<Module> m = Parse(
      "func @c() -> () {\n"
      "  %0 = constant {value = dense<f32[4] [0.1, 1, -inf, 1e-45]>} : f32[4]\n"
      "  %1 = constant {value = dense<f64[] 0.1>} : f64[]\n"
      "  %2 = constant {value = dense<i8[2] [-128, 127]>} : i8[2]\n"
      "  %3 = constant {value = dense<bool[2] [true, false]>} : bool[2]\n"
      "  %4 = constant {value = dense<f32[2,2] nan>} : f32[2,2]\n"
      "  %5 = fill {shape = [2], value = 3} : f32[2]\n"
      "  %6 = constant {value = dense<i64[] -9223372036854775808>} : i64[]\n"
      "  return\n"
      "}\n");
  const Region& body = m->functions()[0]->body();
  const auto& f32 = NthOp(body, 0).attr<DenseElements>("value");
  EXPECT_EQ(f32.GetDouble(0), static_cast<double>(0.1f));
  EXPECT_EQ(f32.GetDouble(1), 1.0);
  EXPECT_EQ(f32.GetDouble(2), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(f32.GetDouble(3), static_cast<double>(std::numeric_limits<float>::denorm_min()));
  EXPECT_EQ(NthOp(body, 1).attr<DenseElements>("value").GetDouble(0), 0.1);
  const auto& i8 = NthOp(body, 2).attr<DenseElements>("value");
  EXPECT_EQ(i8.GetInt(0), -128);
  EXPECT_EQ(i8.GetInt(1), 127);
  const auto& b = NthOp(body, 3).attr<DenseElements>("value");
  EXPECT_EQ(b.GetInt(0), 1);
  EXPECT_EQ(b.GetInt(1), 0);
  const auto& nan = NthOp(body, 4).attr<DenseElements>("value");
  EXPECT_EQ(nan.size(), 4);
  EXPECT_TRUE(std::isnan(nan.GetDouble(3)));
  EXPECT_FALSE(std::signbit(nan.GetDouble(3)));
  // An integer is accepted for a float attribute.
  EXPECT_EQ(NthOp(body, 5).attr<double>("value"), 3.0);
  EXPECT_EQ(NthOp(body, 6).attr<DenseElements>("value").GetInt(0),
            std::numeric_limits<int64_t>::min());
  // Defaults are filled back in.
  EXPECT_EQ(NthOp(body, 5).attr<DType>("dtype"), DType::kF32);
}

TEST(Parser, RegionsKeepArgumentHintsAndSiblingsMayReuseNames) {
  std::unique_ptr<Module> m = Parse(
      "func @f(%p: bool[], %x: f32[]) -> (f32[]) {\n"
      "  %0 = cond %p, %x : f32[] (%a: f32[]) {\n"
      "    yield %a\n"
      "  } (%a: f32[]) {\n"
      "    %n = neg %a : f32[]\n"
      "    yield %n\n"
      "  }\n"
      "  return %0\n"
      "}\n");
  const Op& cond = NthOp(m->functions()[0]->body(), 0);
  ASSERT_EQ(cond.num_regions(), 2);
  EXPECT_EQ(cond.region(0).argument(0)->name_hint(), "a");
  EXPECT_EQ(cond.region(1).argument(0)->name_hint(), "a");
  EXPECT_EQ(NthOp(cond.region(1), 0).operand(0), cond.region(1).argument(0));
  EXPECT_EQ(NthOp(cond.region(1), 1).operand(0), NthOp(cond.region(1), 0).result(0));
  // The printer renames the second %a: names are unique per function.
  EXPECT_EQ(PrintModule(*m),
            "func @f(%p: bool[], %x: f32[]) -> (f32[]) {\n"
            "  %0 = cond %p, %x : f32[] (%a: f32[]) {\n"
            "    yield %a\n"
            "  } (%1: f32[]) {\n"
            "    %2 = neg %1 : f32[]\n"
            "    yield %2\n"
            "  }\n"
            "  return %0\n"
            "}\n");
}

TEST(Parser, OpsWithoutResultsAmongOthers) {
  std::unique_ptr<Module> m = Parse(
      "var @w : f32[2]\n"
      "func @f(%x: f32[2]) -> () {\n"
      "  assign_add %x {var = @w}\n"
      "  %0 = read_var {var = @w} : f32[2]\n"
      "  assign %0 {var = @w}\n"
      "  return\n"
      "}\n");
  const Region& body = m->functions()[0]->body();
  ASSERT_EQ(body.ops().size(), 4u);
  EXPECT_EQ(NthOp(body, 0).num_operands(), 1);
  EXPECT_EQ(NthOp(body, 2).operand(0), NthOp(body, 1).result(0));
  EXPECT_EQ(NthOp(body, 3).num_operands(), 0);
}

// ---- errors: exact position and message ----

// Wraps `body` in a function of %x: f32[2] and %y: f32[3] returning nothing;
// body lines start at line 2.
std::string BodyError(std::string_view body) {
  return Error(StrCat("func @f(%x: f32[2], %y: f32[3]) -> () {\n", body, "}\n"));
}

TEST(ParserErrors, UnknownOpAndArity) {
  EXPECT_EQ(BodyError("  %0 = frob %x : f32[2]\n"), "t.gir:2:8: error: unknown op 'frob'");
  EXPECT_EQ(BodyError("  %0 = neg %x, %x : f32[2]\n  return\n"),
            "t.gir:2:8: error: neg: expected 1 operand, got 2");
}

TEST(ParserErrors, TypesAndInference) {
  EXPECT_EQ(BodyError("  %0 = add %x, %x : f32[3]\n  return\n"),
            "t.gir:2:21: error: declared type f32[3] does not match inferred f32[2] for result 0 "
            "of 'add'");
  EXPECT_EQ(BodyError("  %0 = add %x, %y : f32[2]\n  return\n"),
            "t.gir:2:8: error: add(f32[2], f32[3]): shapes [2] and [3] cannot be broadcast "
            "(dim 0: 2 vs 3)");
  EXPECT_EQ(BodyError("  %0, %1 = neg %x : f32[2], f32[2]\n  return\n"),
            "t.gir:2:12: error: 'neg' has 1 result, but 2 result names are given");
  EXPECT_EQ(BodyError("  %0 = neg %x\n  return\n"),
            "t.gir:2:8: error: 'neg' has 1 result, but 0 result types are declared");
  EXPECT_EQ(BodyError("  neg %x : f32[2]\n  return\n"),
            "t.gir:2:3: error: 'neg' has 1 result, but 0 result names are given");
}

TEST(ParserErrors, Values) {
  EXPECT_EQ(BodyError("  %0 = neg %7 : f32[2]\n"), "t.gir:2:12: error: use of undefined value %7");
  EXPECT_EQ(BodyError("  %x = neg %x : f32[2]\n"),
            "t.gir:2:3: error: redefinition of value %x (first defined at 1:9)");
  EXPECT_EQ(BodyError("  %a, %a = neg %x : f32[2]\n"), "t.gir:2:7: error: value %a is named twice");
  EXPECT_EQ(BodyError("  %0 = neg %0 : f32[2]\n"), "t.gir:2:12: error: use of undefined value %0");
  // A region may not redefine an enclosing name.
  EXPECT_EQ(Error("func @f(%p: bool[]) -> () {\n"
                  "  cond %p (%p: bool[]) {\n"),
            "t.gir:2:12: error: redefinition of value %p (first defined at 1:9)");
  // A value defined in a region is not visible after it.
  EXPECT_EQ(Error("func @f(%p: bool[], %x: f32[]) -> () {\n"
                  "  %0 = cond %p, %x : f32[] (%a: f32[]) {\n"
                  "    %n = neg %a : f32[]\n"
                  "    yield %n\n"
                  "  } (%b: f32[]) {\n"
                  "    yield %n\n"),
            "t.gir:6:11: error: use of undefined value %n");
  EXPECT_EQ(Error("func @f(%x: f32[], %x: f32[]) -> () {\n  return\n}\n"),
            "t.gir:1:20: error: redefinition of value %x (first defined at 1:9)");
}

TEST(ParserErrors, TypeSyntax) {
  EXPECT_EQ(Error("func @f(%x: f32[2,-3]) -> () {\n"),
            "t.gir:1:19: error: invalid dim '-3' (expected a non-negative integer or '?')");
  EXPECT_EQ(Error("func @f(%x: f32[2,x]) -> () {\n"),
            "t.gir:1:19: error: invalid dim 'x' (expected a non-negative integer or '?')");
  EXPECT_EQ(Error("func @f(%x: f16[2]) -> () {\n"),
            "t.gir:1:13: error: unknown dtype 'f16' (expected f32, f64, i8, i32, i64 or bool)");
  EXPECT_EQ(Error("func @f(%x: f32[2 3]) -> () {\n"),
            "t.gir:1:19: error: expected ',' or ']' in the shape, got '3'");
  EXPECT_EQ(Error("func @f(%x: f32) -> () {\n"),
            "t.gir:1:16: error: expected '[' after the dtype, got ')'");
  EXPECT_EQ(Error("func @f(%x: f32[99999999999999999999]) -> () {\n"),
            "t.gir:1:17: error: integer '99999999999999999999' is out of range for i64");
}

TEST(ParserErrors, LexicalErrors) {
  EXPECT_EQ(Error("func @f() -> () {\n  %0 = constant {value = dense<f32[] 1.0>} : f32[] "
                  "loc(\"a.cc:1:2)\n"),
            "t.gir:2:56: error: unterminated string");
  EXPECT_EQ(Error("func @f() -> () {\n  \xff\xfe\n}\n"),
            "t.gir:2:3: error: unexpected character '\\xff'");
  EXPECT_EQ(Error("func @f() -> () {\n  $\n"), "t.gir:2:3: error: unexpected character '$'");
  EXPECT_EQ(Error("var @w : f32[12abc]\n"), "t.gir:1:14: error: bad number '12abc'");
  EXPECT_EQ(Error("var @w : f32[1.]\n"), "t.gir:1:14: error: bad number '1.'");
  EXPECT_EQ(Error("func @f() -> () { return } loc(\"a\\tb\":1:1)\n"),
            "t.gir:1:34: error: unknown escape '\\t' in string (use \\\" \\\\ or \\n)");
  EXPECT_EQ(Error("func @f(% : f32[]) -> () {\n"), "t.gir:1:9: error: expected a name after '%'");
}

TEST(ParserErrors, TruncatedAndUnbalanced) {
  EXPECT_EQ(Error("func @f(%x: f32[]) -> () {\n  %0 = add %x,"),
            "t.gir:2:15: error: unexpected end of input, expected an operand (%name) after ','");
  EXPECT_EQ(Error("func @f(%x: f32[]) -> () {\n  return\n"),
            "t.gir:3:1: error: unexpected end of input, expected '}'");
  EXPECT_EQ(Error("func @f(%x: f32[]) -> () {\n  return\n}\n}\n"),
            "t.gir:4:1: error: expected 'func' or 'var', got '}'");
  EXPECT_EQ(Error("func @f(%x: f32[]) -> () {\n  %0 = cast %x {dtype = f64 : f64[]\n  return\n}\n"),
            "t.gir:2:29: error: expected ',' or '}' in the attribute dict, got ':'");
  EXPECT_EQ(Error("func @f"),
            "t.gir:1:8: error: unexpected end of input, expected '(' after the function name");
  EXPECT_EQ(Error("%0 = neg %x : f32[]\n"), "t.gir:1:1: error: expected 'func' or 'var', got '%0'");
  EXPECT_EQ(BodyError("  %0 neg %x : f32[2]\n"),
            "t.gir:2:6: error: expected '=' after the result names, got 'neg'");
}

TEST(ParserErrors, ReturnAndTerminators) {
  EXPECT_EQ(Error("func @f(%x: f32[]) -> (f32[]) {\n  %0 = neg %x : f32[]\n}\n"),
            "t.gir:3:1: error: function @f must end with 'return', got 'neg'");
  EXPECT_EQ(Error("func @f(%x: f32[]) -> (f32[]) {\n}\n"),
            "t.gir:2:1: error: function @f must end with 'return'");
  EXPECT_EQ(Error("func @f(%x: f32[]) -> (f32[]) {\n  yield %x\n}\n"),
            "t.gir:3:1: error: function @f must end with 'return', got 'yield'");
  EXPECT_EQ(Error("func @f(%x: f32[2]) -> (f32[3]) {\n  return %x\n}\n"),
            "t.gir:2:3: error: function @f returns f32[2] as result 0, but its signature declares "
            "f32[3]");
  EXPECT_EQ(Error("func @f(%x: f32[2]) -> (f32[?], f32[2]) {\n  return %x\n}\n"),
            "t.gir:2:3: error: 'return' has 1 operand, but function @f declares 2 results");
  // `return` ends the body: the %values after it start the next op.
  EXPECT_EQ(Error("func @f(%x: f32[]) -> () {\n  return\n  %1 = neg %x : f32[]\n}\n"),
            "t.gir:3:3: error: expected '}' after 'return', which ends its region, got '%1'");
  EXPECT_EQ(Error("func @f(%p: bool[]) -> () {\n"
                  "  cond %p () {\n    return\n  } () {\n    yield\n  }\n  return\n}\n"),
            "t.gir:4:3: error: a region of 'cond' must end with 'yield', got 'return'");
  EXPECT_EQ(Error("func @f(%p: bool[]) -> () {\n  cond %p () {\n  } () {\n    yield\n  }\n}\n"),
            "t.gir:3:3: error: a region of 'cond' must end with 'yield'");
}

TEST(ParserErrors, Attributes) {
  EXPECT_EQ(BodyError("  %0 = neg %x {foo = 1} : f32[2]\n"),
            "t.gir:2:16: error: unknown attribute 'foo' for op 'neg'");
  EXPECT_EQ(BodyError("  %0 = cast %x {dtype = 1} : f32[2]\n"),
            "t.gir:2:25: error: attribute 'dtype' of op 'cast' must be dtype, got int");
  EXPECT_EQ(BodyError("  %0 = cast %x : f32[2]\n"),
            "t.gir:2:8: error: op 'cast' needs attribute 'dtype' (dtype)");
  EXPECT_EQ(BodyError("  %0 = cast %x {dtype = f32, dtype = f64} : f32[2]\n"),
            "t.gir:2:30: error: duplicate attribute 'dtype'");
  EXPECT_EQ(BodyError("  %0 = cast %x {dtype = f16} : f32[2]\n"),
            "t.gir:2:25: error: expected an attribute value, got 'f16'");
  EXPECT_EQ(BodyError("  %0 = fill {shape = [2, 1.5], value = 1.0} : f32[2]\n"),
            "t.gir:2:26: error: expected an integer in the list, got '1.5'");
  EXPECT_EQ(Error("var @w : f32[] {train = true}\n"),
            "t.gir:1:17: error: unknown attribute 'train' for var @w (only 'trainable' exists)");
  EXPECT_EQ(Error("var @w : f32[] {trainable = 0}\n"),
            "t.gir:1:29: error: attribute 'trainable' of var @w must be bool, got int");
  EXPECT_EQ(Error("var @w : f32[] {}\n"), "t.gir:1:17: error: expected an attribute name, got '}'");
}

TEST(ParserErrors, DenseLiterals) {
  EXPECT_EQ(BodyError("  %0 = constant {value = dense<f32[2,2] [1.0, 2.0, 3.0]>} : f32[2,2]\n"),
            "t.gir:2:41: error: dense literal of type f32[2,2] needs 4 elements, got 3");
  EXPECT_EQ(BodyError("  %0 = constant {value = dense<i8[] 300>} : i8[]\n"),
            "t.gir:2:37: error: integer 300 is out of range for i8");
  EXPECT_EQ(BodyError("  %0 = constant {value = dense<i32[] 1.5>} : i32[]\n"),
            "t.gir:2:38: error: expected an integer for an i32 element, got '1.5'");
  EXPECT_EQ(BodyError("  %0 = constant {value = dense<f32[] 1e40>} : f32[]\n"),
            "t.gir:2:38: error: number '1e40' is out of range for f32");
  EXPECT_EQ(BodyError("  %0 = constant {value = dense<f32[] 1e-50>} : f32[]\n"),
            "t.gir:2:38: error: number '1e-50' is out of range for f32");
  EXPECT_EQ(BodyError("  %0 = constant {value = dense<bool[] 1>} : bool[]\n"),
            "t.gir:2:39: error: expected true or false for a bool element, got '1'");
  EXPECT_EQ(BodyError("  %0 = constant {value = dense<f32[?] 1.0>} : f32[?]\n"),
            "t.gir:2:32: error: a dense literal needs a static shape, got f32[?]");
  EXPECT_EQ(
      BodyError("  %0 = constant {value = dense<f32[100000000000] 0.0>} : f32[100000000000]\n"),
      "t.gir:2:32: error: dense literal of type f32[100000000000] is too large (the limit "
      "is 1 GiB)");
  EXPECT_EQ(BodyError("  %0 = constant {value = dense<f32[2] [1.0, 2.0>} : f32[2]\n"),
            "t.gir:2:48: error: expected ',' or ']' in the dense elements, got '>'");
}

TEST(ParserErrors, Symbols) {
  EXPECT_EQ(Error("func @f() -> () {\n  return\n}\nvar @f : f32[]\n"),
            "t.gir:4:5: error: redefinition of @f (first defined at 1:6)");
  EXPECT_EQ(Error("func @f() -> () {\n  return\n}\nfunc @f() -> () {\n  return\n}\n"),
            "t.gir:4:6: error: redefinition of @f (first defined at 1:6)");
  EXPECT_EQ(
      Error("func @f(%x: f32[]) -> () {\n  %0 = call %x {callee = @g} : f32[]\n  return\n}\n"),
      "t.gir:2:8: error: call(f32[]): unknown function @g");
  EXPECT_EQ(Error("func @f() -> () {\n  %0 = read_var {var = @nope} : f32[]\n  return\n}\n"),
            "t.gir:2:8: error: read_var(): unknown variable @nope");
}

TEST(ParserErrors, Locations) {
  EXPECT_EQ(BodyError("  return loc(\"a.cc\":1)\n"),
            "t.gir:2:22: error: expected ':' in the location, got ')'");
  EXPECT_EQ(BodyError("  return loc(a.cc:1:2)\n"),
            "t.gir:2:14: error: expected a file name string, got 'a.cc'");
}

TEST(ParserErrors, DeepNestingIsCapped) {
  std::string text = "func @f(%p: bool[]) -> () {\n";
  for (int i = 0; i < 70; ++i) text += "cond %p () {\n";
  EXPECT_EQ(Error(text), "t.gir:66:9: error: regions are nested more than 64 deep");
  // Nesting up to the cap parses (64 levels of cond regions).
  std::string ok = "func @f(%p: bool[]) -> () {\n";
  for (int i = 0; i < 64; ++i) ok += "cond %p () {\n";
  ok += "yield\n";
  for (int i = 0; i < 64; ++i) ok += i < 63 ? "} () {\nyield\n}\nyield\n" : "} () {\nyield\n}\n";
  ok += "return\n}\n";
  EXPECT_EQ(Parse(ok)->functions().size(), 1u);
}

}  // namespace
}  // namespace graphc::ir
