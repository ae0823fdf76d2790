// The canonicalize pass: constant folding (budget, no evaluator, run-time
// errors, nested regions) and every algebraic rule, each with a case where
// it fires and one where it must not. Every case also runs under the
// reference interpreter before and after the pass, on inputs holding -0.0,
// NaN of both signs, infinities, denormals and integer extremes, with `?`
// dims of 1 and 3: the results must be bitwise equal (or both runs fail).
// And every case is idempotent: a second run changes nothing.
#include "passes/canonicalize.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "compiler/interpreter/constant_evaluator.h"
#include "compiler/interpreter/interpreter.h"
#include "gtest/gtest.h"
#include "ir/op_registry.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/str_cat.h"
#include "ir/verifier.h"
#include "passes/algebraic_rules.h"
#include "passes/pass_manager.h"
#include "passes/pass_registry.h"

namespace graphc::passes {
namespace {

namespace fs = std::filesystem;

std::unique_ptr<ir::Module> Parse(std::string_view text) {
  absl::StatusOr<std::unique_ptr<ir::Module>> m = ir::ParseModule(text, "test.gir");
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? *std::move(m) : nullptr;
}

absl::StatusOr<bool> Canonicalize(ir::Module& m, PassContext& context) {
  return CreateCanonicalizePass()->Run(m, context);
}

// ---- inputs with special values ----

std::vector<double> SpecialValues(ir::DType dtype) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  switch (dtype) {
    case ir::DType::kF32:
    case ir::DType::kF64: {
      const bool f32 = dtype == ir::DType::kF32;
      const double tiny = f32 ? std::numeric_limits<float>::denorm_min()
                              : std::numeric_limits<double>::denorm_min();
      const double big =
          f32 ? std::numeric_limits<float>::max() : std::numeric_limits<double>::max();
      return {-0.0, nan,  1.0, inf,  0.0, -1.0,  std::copysign(nan, -1.0),
              -inf, 2.5, tiny, -big, 0.1, -3.25, big};
    }
    case ir::DType::kI8: return {0, -128, 1, 127, -1, 7, -7, 2};
    case ir::DType::kI32: return {0, -2147483648.0, 1, 2147483647.0, -1, 7, -7, 2};
    case ir::DType::kI64:
      return {0, -9223372036854775808.0, 1, 4611686018427387904.0, -1, 7, -7, 2};
    case ir::DType::kBool: return {1, 0, 1, 1, 0};
  }
  return {};
}

// One argument per parameter of `f`: special values in an order that
// differs per parameter, each `?` dim of parameter i replaced by dims(i).
template <typename DimFn>
std::vector<HostTensor> SpecialInputs(const ir::Function& f, DimFn dims) {
  std::vector<HostTensor> args;
  for (int p = 0; p < f.num_params(); ++p) {
    const ir::TensorType& type = f.param(p)->type();
    std::vector<int64_t> shape = type.shape.dims();
    for (int64_t& d : shape) d = d == ir::kDynamic ? dims(p) : d;
    HostTensor t(type.dtype, ir::Shape(shape));
    const std::vector<double> values = SpecialValues(type.dtype);
    for (int64_t i = 0; i < t.size(); ++i) {
      const double v = values[static_cast<size_t>(i + 3 * p) % values.size()];
      if (ir::IsFloat(type.dtype)) {
        t.SetDouble(i, v);
      } else {
        t.SetInt(i, static_cast<int64_t>(v));
      }
    }
    args.push_back(std::move(t));
  }
  return args;
}

// Every function of `m` on every input set: its results, or its error.
std::vector<absl::StatusOr<std::vector<HostTensor>>> RunAll(const ir::Module& m) {
  std::vector<absl::StatusOr<std::vector<HostTensor>>> runs;
  for (const auto& f : m.functions()) {
    bool dynamic = false;
    for (int p = 0; p < f->num_params(); ++p) dynamic |= !f->param(p)->shape().is_static();
    for (int pattern = 0; pattern < (dynamic ? 3 : 1); ++pattern) {
      const std::vector<HostTensor> args = SpecialInputs(*f, [&](int p) -> int64_t {
        if (pattern < 2) return pattern == 0 ? 1 : 3;
        return p % 2 == 0 ? 3 : 1;  // `?` dims that disagree between parameters
      });
      runs.push_back(interp::RunFunction(*f, args, /*variables=*/nullptr));
    }
  }
  return runs;
}

void ExpectSameResults(const std::vector<absl::StatusOr<std::vector<HostTensor>>>& before,
                       const std::vector<absl::StatusOr<std::vector<HostTensor>>>& after) {
  ASSERT_EQ(before.size(), after.size());
  for (size_t r = 0; r < before.size(); ++r) {
    SCOPED_TRACE(StrCat("run ", r));
    ASSERT_EQ(before[r].ok(), after[r].ok())
        << "before: " << before[r].status() << "\nafter: " << after[r].status();
    if (!before[r].ok()) continue;
    ASSERT_EQ(before[r]->size(), after[r]->size());
    for (size_t i = 0; i < before[r]->size(); ++i) {
      EXPECT_TRUE((*before[r])[i].BitwiseEquals((*after[r])[i])) << "result " << i;
    }
  }
}

// Canonicalizes `input` and expects `expected` (null: no change), the same
// interpreter results, valid IR and idempotence.
void ExpectCanonical(std::string_view input, const char* expected,
                     PassContext context = interp::DefaultPassContext()) {
  std::unique_ptr<ir::Module> m = Parse(input);
  ASSERT_NE(m, nullptr);
  const std::string before_text = ir::PrintModule(*m);
  const auto before = RunAll(*m);
  absl::StatusOr<bool> changed = Canonicalize(*m, context);
  ASSERT_TRUE(changed.ok()) << changed.status();
  ASSERT_TRUE(ir::VerifyModule(*m).ok()) << ir::VerifyModule(*m) << "\n" << ir::PrintModule(*m);
  const std::string after_text = ir::PrintModule(*m);
  if (expected == nullptr) {
    EXPECT_EQ(after_text, before_text);
    EXPECT_FALSE(*changed);
  } else {
    EXPECT_EQ(after_text, StrCat(expected, "\n"));
    EXPECT_TRUE(*changed);
  }
  ExpectSameResults(before, RunAll(*m));
  absl::StatusOr<bool> again = Canonicalize(*m, context);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(*again) << "not idempotent:\n" << ir::PrintModule(*m);
  EXPECT_EQ(ir::PrintModule(*m), after_text);
}

// ---- the rule table ----

// Rule names shared by several cases.
constexpr char kConstantRightRules[] =
    "add-constant-right mul-constant-right maximum-constant-right minimum-constant-right "
    "eq-constant-right ne-constant-right and-constant-right or-constant-right lt-constant-right "
    "le-constant-right gt-constant-right ge-constant-right";
constexpr char kReshapeRules[] =
    "reshape-same-type reshape-chain squeeze-nothing squeeze-chain expand-dims-chain";
constexpr char kSameTypeRules[] =
    "reshape-like-same-type broadcast-to-same-type broadcast-to-chain broadcast-like-same-type "
    "sum-to-like-same-type";
constexpr char kLikeStaticRules[] = "fill-like-static broadcast-like-static reshape-like-static";
constexpr char kReduceRules[] =
    "reduce-sum-unit-dims reduce-mean-unit-dims reduce-prod-unit-dims reduce-max-unit-dims "
    "reduce-min-unit-dims reduce-any-unit-dims reduce-all-unit-dims";

struct RuleCase {
  const char* name;
  const char* fires;     // rules the case applies (space separated)
  const char* kept;      // rules the case shows not applying
  const char* input;
  const char* expected;  // null: the input stays as it is
};

const RuleCase kRuleCases[] = {
    {"ConstantsMoveRight",
     kConstantRightRules, "",
     R"(func @arith(%x: f32[4]) -> (f32[4], f32[4], f32[4], f32[4]) {
  %c = constant {value = dense<f32[] 2.0>} : f32[]
  %0 = add %c, %x : f32[4]
  %1 = mul %c, %x : f32[4]
  %2 = maximum %c, %x : f32[4]
  %3 = minimum %c, %x : f32[4]
  return %0, %1, %2, %3
}

func @logic(%i: i32[4], %b: bool[4]) -> (bool[4], bool[4], bool[4], bool[4]) {
  %k = constant {value = dense<i32[] 3>} : i32[]
  %t = constant {value = dense<bool[4] [true, false, true, false]>} : bool[4]
  %0 = eq %k, %i : bool[4]
  %1 = ne %k, %i : bool[4]
  %2 = and %t, %b : bool[4]
  %3 = or %t, %b : bool[4]
  return %0, %1, %2, %3
}

func @compare(%x: f32[4]) -> (bool[4], bool[4], bool[4], bool[4]) {
  %c = fill {shape = [4], value = 2.0} : f32[4]
  %0 = lt %c, %x : bool[4]
  %1 = le %c, %x : bool[4]
  %2 = gt %c, %x : bool[4]
  %3 = ge %c, %x : bool[4]
  return %0, %1, %2, %3
})",
     R"(func @arith(%x: f32[4]) -> (f32[4], f32[4], f32[4], f32[4]) {
  %0 = constant {value = dense<f32[] 2.0>} : f32[]
  %1 = add %x, %0 : f32[4]
  %2 = mul %x, %0 : f32[4]
  %3 = maximum %x, %0 : f32[4]
  %4 = minimum %x, %0 : f32[4]
  return %1, %2, %3, %4
}

func @logic(%i: i32[4], %b: bool[4]) -> (bool[4], bool[4], bool[4], bool[4]) {
  %0 = constant {value = dense<i32[] 3>} : i32[]
  %1 = constant {value = dense<bool[4] [true, false, true, false]>} : bool[4]
  %2 = eq %i, %0 : bool[4]
  %3 = ne %i, %0 : bool[4]
  %4 = and %b, %1 : bool[4]
  %5 = or %b, %1 : bool[4]
  return %2, %3, %4, %5
}

func @compare(%x: f32[4]) -> (bool[4], bool[4], bool[4], bool[4]) {
  %0 = fill {shape = [4], value = 2.0} : f32[4]
  %1 = gt %x, %0 : bool[4]
  %2 = ge %x, %0 : bool[4]
  %3 = lt %x, %0 : bool[4]
  %4 = le %x, %0 : bool[4]
  return %1, %2, %3, %4
})"},
    {"NaNConstantsAndPairsOfConstantsStayLeft",
     "", kConstantRightRules,
     R"(func @nan(%x: f32[4]) -> (f32[4], f32[4], f32[2,2], f32[4]) {
  %n = constant {value = dense<f32[] nan>} : f32[]
  %m = constant {value = dense<f32[2] [1.0, nan]>} : f32[2]
  %y = reshape %x {shape = [2, 2]} : f32[2,2]
  %0 = add %n, %x : f32[4]
  %1 = mul %n, %x : f32[4]
  %2 = maximum %m, %y : f32[2,2]
  %3 = minimum %n, %x : f32[4]
  return %0, %1, %2, %3
}

// fill_like of a `?` shape: constant-like, yet not folded.
func @logic(%i: i32[?], %b: bool[?]) -> (bool[?], bool[?], bool[?], bool[4]) {
  %ones = fill_like %i {value = 1.0} : i32[?]
  %k = constant {value = dense<i32[] 3>} : i32[]
  %0 = eq %ones, %k : bool[?]
  %1 = ne %ones, %k : bool[?]
  %t = fill_like %b {value = 1.0} : bool[?]
  %f = constant {value = dense<bool[] false>} : bool[]
  %mask = constant {value = dense<bool[4] [true, false, true, false]>} : bool[4]
  %2 = and %f, %t : bool[?]
  %3 = or %t, %mask : bool[4]
  return %0, %1, %2, %3
}

func @compare(%x: f32[?]) -> (bool[?], bool[?], bool[?], bool[?]) {
  %twos = fill_like %x {value = 2.0} : f32[?]
  %one = constant {value = dense<f32[] 1.0>} : f32[]
  %0 = lt %twos, %one : bool[?]
  %1 = le %x, %twos : bool[?]
  %2 = gt %twos, %one : bool[?]
  %3 = ge %one, %twos : bool[?]
  return %0, %1, %2, %3
})",
     nullptr},
    {"ZeroIsAnIdentityOfOneSign",
     "add-zero sub-zero", "",
     R"(func @float(%x: f32[4], %d: f64[?]) -> (f32[4], f32[4], f64[?]) {
  %mz = constant {value = dense<f32[] -0.0>} : f32[]
  %0 = add %mz, %x : f32[4]
  %pz = constant {value = dense<f32[4] 0.0>} : f32[4]
  %1 = sub %x, %pz : f32[4]
  %like = fill_like %d {value = -0.0} : f64[?]
  %2 = add %d, %like : f64[?]
  return %0, %1, %2
}

func @int(%i: i32[2,4]) -> (i32[2,4], i32[2,4]) {
  %z = constant {value = dense<i32[4] 0>} : i32[4]
  %0 = add %i, %z : i32[2,4]
  %f = fill {dtype = i32, shape = [1, 4], value = 0.0} : i32[1,4]
  %1 = sub %i, %f : i32[2,4]
  return %0, %1
})",
     R"(func @float(%x: f32[4], %d: f64[?]) -> (f32[4], f32[4], f64[?]) {
  return %x, %x, %d
}

func @int(%i: i32[2,4]) -> (i32[2,4], i32[2,4]) {
  return %i, %i
})"},
    {"ZeroOfTheOtherSignOrWideningIsKept",
     "", "add-zero sub-zero",
     R"(func @float(%x: f32[4], %d: f64[?], %e: f64[?]) -> (f32[4], f32[4], f64[?]) {
  %pz = constant {value = dense<f32[] 0.0>} : f32[]
  %0 = add %x, %pz : f32[4]
  %mz = constant {value = dense<f32[] -0.0>} : f32[]
  %1 = sub %x, %mz : f32[4]
  %like = fill_like %e {value = -0.0} : f64[?]
  %2 = add %d, %like : f64[?]
  return %0, %1, %2
}

func @int(%i: i32[4]) -> (i32[2,4], i32[4]) {
  %z = constant {value = dense<i32[2,4] 0>} : i32[2,4]
  %0 = add %i, %z : i32[2,4]
  %one = constant {value = dense<i32[] 1>} : i32[]
  %1 = sub %i, %one : i32[4]
  return %0, %1
})",
     nullptr},
    {"IntegerZeroMinusXIsNeg",
     "zero-sub", "",
     R"(func @f(%i: i8[4]) -> (i8[4]) {
  %0 = constant {value = dense<i8[] 0>} : i8[]
  %1 = sub %0, %i : i8[4]
  return %1
})",
     R"(func @f(%i: i8[4]) -> (i8[4]) {
  %0 = neg %i : i8[4]
  return %0
})"},
    {"FloatZeroMinusXIsNotNeg",
     "", "zero-sub",
     R"(func @f(%x: f32[4]) -> (f32[4]) {
  %0 = constant {value = dense<f32[] 0.0>} : f32[]
  %1 = sub %0, %x : f32[4]
  return %1
})",
     nullptr},
    {"MulAndDivByOne",
     "mul-one div-one", "",
     R"(func @f(%x: f32[4], %y: f64[2,3], %i: i32[4]) -> (f32[4], f64[2,3], f32[4], i32[4]) {
  %0 = constant {value = dense<f32[4] 1.0>} : f32[4]
  %1 = mul %x, %0 : f32[4]
  %2 = fill_like %y {value = 1.0} : f64[2,3]
  %3 = mul %2, %y : f64[2,3]
  %4 = constant {value = dense<f32[] 1.0>} : f32[]
  %5 = div %x, %4 : f32[4]
  %6 = constant {value = dense<i32[] 1>} : i32[]
  %7 = div %i, %6 : i32[4]
  return %1, %3, %5, %7
})",
     R"(func @f(%x: f32[4], %y: f64[2,3], %i: i32[4]) -> (f32[4], f64[2,3], f32[4], i32[4]) {
  return %x, %y, %x, %i
})"},
    {"MulAndDivByOtherValuesOrWideningOnes",
     "", "mul-one div-one",
     R"(func @f(%x: f32[4], %d: f32[?], %e: f32[?]) -> (f32[4], f32[?], f32[4], f32[2,4]) {
  %0 = constant {value = dense<f32[] 2.0>} : f32[]
  %1 = mul %x, %0 : f32[4]
  %2 = fill_like %e {value = 1.0} : f32[?]
  %3 = mul %d, %2 : f32[?]
  %4 = constant {value = dense<f32[] 1.0>} : f32[]
  %5 = div %4, %x : f32[4]
  %6 = constant {value = dense<f32[2,4] 1.0>} : f32[2,4]
  %7 = div %x, %6 : f32[2,4]
  return %1, %3, %5, %7
})",
     nullptr},
    {"IntegerMulByZeroAndMinusOne",
     "mul-zero mul-minus-one", "",
     R"(func @f(%x: i32[4], %y: i64[2,3], %z: i8[?]) -> (i32[4], i64[2,3], i8[?], i32[4]) {
  %0 = constant {value = dense<i32[4] 0>} : i32[4]
  %1 = mul %x, %0 : i32[4]
  %2 = constant {value = dense<i64[] 0>} : i64[]
  %3 = mul %y, %2 : i64[2,3]
  %4 = constant {value = dense<i8[1] 0>} : i8[1]
  %5 = mul %4, %z : i8[?]
  %6 = constant {value = dense<i32[] -1>} : i32[]
  %7 = mul %x, %6 : i32[4]
  return %1, %3, %5, %7
})",
     R"(func @f(%x: i32[4], %y: i64[2,3], %z: i8[?]) -> (i32[4], i64[2,3], i8[?], i32[4]) {
  %0 = constant {value = dense<i32[4] 0>} : i32[4]
  %1 = fill {dtype = i64, shape = [2, 3], value = 0.0} : i64[2,3]
  %2 = fill_like %z {value = 0.0} : i8[?]
  %3 = neg %x : i32[4]
  return %0, %1, %2, %3
})"},
    {"FloatMulByZeroAndMinusOneAreKept",
     "", "mul-zero mul-minus-one",
     R"(func @f(%x: f32[4], %z: i8[?], %w: i8[?]) -> (f32[4], f32[4], i8[?]) {
  %0 = constant {value = dense<f32[] 0.0>} : f32[]
  %1 = mul %x, %0 : f32[4]
  %2 = constant {value = dense<f32[] -1.0>} : f32[]
  %3 = mul %x, %2 : f32[4]
  %4 = fill_like %w {value = 0.0} : i8[?]
  %5 = mul %z, %4 : i8[?]
  return %1, %3, %5
})",
     nullptr},
    {"LogicWithConstants",
     "and-true and-false or-false or-true", "",
     R"(func @f(%x: bool[4]) -> (bool[4], bool[4], bool[4], bool[4]) {
  %0 = constant {value = dense<bool[] true>} : bool[]
  %1 = constant {value = dense<bool[4] false>} : bool[4]
  %2 = and %x, %0 : bool[4]
  %3 = and %1, %x : bool[4]
  %4 = or %x, %1 : bool[4]
  %5 = or %0, %x : bool[4]
  return %2, %3, %4, %5
})",
     R"(func @f(%x: bool[4]) -> (bool[4], bool[4], bool[4], bool[4]) {
  %0 = constant {value = dense<bool[4] false>} : bool[4]
  %1 = fill {dtype = bool, shape = [4], value = 1.0} : bool[4]
  return %x, %0, %x, %1
})"},
    {"LogicWithMasksIsKept",
     "", "and-true and-false or-false or-true",
     R"(func @f(%x: bool[4], %y: bool[4]) -> (bool[4], bool[4], bool[4], bool[2,4]) {
  %0 = constant {value = dense<bool[4] [true, false, true, true]>} : bool[4]
  %1 = and %x, %0 : bool[4]
  %2 = or %x, %0 : bool[4]
  %3 = and %x, %y : bool[4]
  %4 = constant {value = dense<bool[2,4] false>} : bool[2,4]
  %5 = or %x, %4 : bool[2,4]
  return %1, %2, %3, %5
})",
     nullptr},
    {"UnaryPairs",
     "neg-neg not-not abs-abs abs-neg relu-relu not-eq", "",
     R"(func @float(%x: f32[4]) -> (f32[4], f32[4], f32[4], bool[4]) {
  %0 = neg %x : f32[4]
  %1 = neg %0 : f32[4]
  %2 = abs %x : f32[4]
  %3 = abs %2 : f32[4]
  %4 = relu %x : f32[4]
  %5 = relu %4 : f32[4]
  %6 = eq %x, %0 : bool[4]
  %7 = not %6 : bool[4]
  return %1, %3, %5, %7
}

func @int(%i: i8[4], %b: bool[4]) -> (i8[4], bool[4], i8[4], bool[4]) {
  %0 = neg %i : i8[4]
  %1 = neg %0 : i8[4]
  %2 = not %b : bool[4]
  %3 = not %2 : bool[4]
  %4 = abs %0 : i8[4]
  %5 = ne %i, %0 : bool[4]
  %6 = not %5 : bool[4]
  return %1, %3, %4, %6
})",
     R"(func @float(%x: f32[4]) -> (f32[4], f32[4], f32[4], bool[4]) {
  %0 = neg %x : f32[4]
  %1 = abs %x : f32[4]
  %2 = relu %x : f32[4]
  %3 = ne %x, %0 : bool[4]
  return %x, %1, %2, %3
}

func @int(%i: i8[4], %b: bool[4]) -> (i8[4], bool[4], i8[4], bool[4]) {
  %0 = neg %i : i8[4]
  %1 = abs %i : i8[4]
  %2 = eq %i, %0 : bool[4]
  return %i, %b, %1, %2
})"},
    {"UnaryPairsThatDoNotCancel",
     "", "neg-neg not-not abs-abs abs-neg relu-relu not-eq",
     R"(func @f(%x: f32[4], %y: f32[4]) -> (f32[4], f32[4], bool[4], f32[4], f32[4]) {
  %0 = abs %x : f32[4]
  %1 = neg %0 : f32[4]
  %2 = neg %x : f32[4]
  %3 = relu %2 : f32[4]
  %4 = lt %x, %y : bool[4]
  %5 = not %4 : bool[4]
  %6 = relu %x : f32[4]
  %7 = abs %6 : f32[4]
  %8 = exp %x : f32[4]
  %9 = log %8 : f32[4]
  return %1, %3, %5, %7, %9
})",
     nullptr},
    {"CastToTheSameDType",
     "cast-same-dtype", "",
     R"(func @f(%x: f32[4], %i: i8[?]) -> (f32[4], i8[?]) {
  %0 = cast %x {dtype = f32} : f32[4]
  %1 = cast %i {dtype = i8} : i8[?]
  return %0, %1
})",
     R"(func @f(%x: f32[4], %i: i8[?]) -> (f32[4], i8[?]) {
  return %x, %i
})"},
    {"CastToAnotherDType",
     "", "cast-same-dtype",
     R"(func @f(%x: f32[4]) -> (i32[4], f64[4]) {
  %0 = cast %x {dtype = i32} : i32[4]
  %1 = cast %x {dtype = f64} : f64[4]
  return %0, %1
})",
     nullptr},
    {"Selects",
     "select-same select-constant", "",
     R"(func @f(%c: bool[4], %x: f32[4], %y: f32[4]) -> (f32[4], f32[4], f32[4]) {
  %0 = select %c, %x, %x : f32[4]
  %1 = constant {value = dense<bool[] true>} : bool[]
  %2 = select %1, %x, %y : f32[4]
  %3 = fill {dtype = bool, shape = [4], value = 0.0} : bool[4]
  %4 = select %3, %x, %y : f32[4]
  return %0, %2, %4
})",
     R"(func @f(%c: bool[4], %x: f32[4], %y: f32[4]) -> (f32[4], f32[4], f32[4]) {
  return %x, %x, %y
})"},
    {"SelectsThatWidenOrMix",
     "", "select-same select-constant",
     R"(func @f(%c: bool[4], %x: f32[4], %y: f32[4], %s: f32[]) -> (f32[4], f32[4], f32[4]) {
  %0 = select %c, %s, %s : f32[4]
  %1 = constant {value = dense<bool[] true>} : bool[]
  %2 = select %1, %s, %x : f32[4]
  %3 = constant {value = dense<bool[4] [true, false, false, true]>} : bool[4]
  %4 = select %3, %x, %y : f32[4]
  return %0, %2, %4
})",
     nullptr},
    {"BroadcastsIntoElementwiseOps",
     "drop-broadcast", "",
     R"(func @static(%s: f32[], %x: f32[2,3], %c: bool[]) -> (f32[2,3], bool[2,3], f32[2,3]) {
  %0 = broadcast_to %s {shape = [2, 3]} : f32[2,3]
  %1 = add %0, %x : f32[2,3]
  %2 = lt %x, %0 : bool[2,3]
  %3 = broadcast_to %c {shape = [2, 3]} : bool[2,3]
  %4 = select %3, %x, %0 : f32[2,3]
  return %1, %2, %4
}

func @like(%s: f32[], %d: f32[?,3]) -> (f32[?,3]) {
  %0 = broadcast_like %s, %d : f32[?,3]
  %1 = mul %d, %0 : f32[?,3]
  return %1
})",
     R"(func @static(%s: f32[], %x: f32[2,3], %c: bool[]) -> (f32[2,3], bool[2,3], f32[2,3]) {
  %0 = add %s, %x : f32[2,3]
  %1 = lt %x, %s : bool[2,3]
  %2 = select %c, %x, %s : f32[2,3]
  return %0, %1, %2
}

func @like(%s: f32[], %d: f32[?,3]) -> (f32[?,3]) {
  %0 = mul %d, %s : f32[?,3]
  return %0
})"},
    {"BroadcastsThatShapeTheResult",
     "", "drop-broadcast",
     R"(func @static(%s: f32[1], %y: f32[1], %u: f32[?]) -> (f32[4], f32[4]) {
  %0 = broadcast_to %s {shape = [4]} : f32[4]
  %1 = add %0, %y : f32[4]
  %2 = broadcast_to %u {shape = [4]} : f32[4]
  %3 = sub %2, %y : f32[4]
  return %1, %3
}

func @like(%s: f32[1], %d: f32[?,3], %e: f32[?,3]) -> (f32[?,3]) {
  %0 = broadcast_like %s, %e : f32[?,3]
  %1 = mul %d, %0 : f32[?,3]
  return %1
})",
     nullptr},
    {"Transposes",
     "transpose-identity transpose-transpose", "",
     R"(func @rank3(%x: f32[2,3,4]) -> (f32[2,3,4], f32[3,4,2]) {
  %0 = transpose %x {perm = [1, 2, 0]} : f32[3,4,2]
  %1 = transpose %0 {perm = [2, 0, 1]} : f32[2,3,4]
  %2 = transpose %x {perm = [2, 0, 1]} : f32[4,2,3]
  %3 = transpose %2 {perm = [2, 0, 1]} : f32[3,4,2]
  return %1, %3
}

func @rank2(%m: f32[2,3], %d: f32[?,3]) -> (f32[2,3], f32[2,3], f32[?,3]) {
  %0 = transpose %m : f32[3,2]
  %1 = transpose %0 : f32[2,3]
  %2 = transpose %m {perm = [0, 1]} : f32[2,3]
  %3 = transpose %d : f32[3,?]
  %4 = transpose %3 {perm = [1, 0]} : f32[?,3]
  return %1, %2, %4
})",
     R"(func @rank3(%x: f32[2,3,4]) -> (f32[2,3,4], f32[3,4,2]) {
  %0 = transpose %x {perm = [1, 2, 0]} : f32[3,4,2]
  return %x, %0
}

func @rank2(%m: f32[2,3], %d: f32[?,3]) -> (f32[2,3], f32[2,3], f32[?,3]) {
  return %m, %m, %d
})"},
    {"TransposesThatMoveData",
     "", "transpose-identity transpose-transpose",
     R"(func @f(%x: f32[2,3]) -> (f32[3,2], f32[3,2]) {
  %0 = transpose %x {perm = [1, 0]} : f32[3,2]
  %1 = neg %0 : f32[3,2]
  %2 = transpose %1 : f32[2,3]
  %3 = neg %2 : f32[2,3]
  %4 = transpose %3 : f32[3,2]
  return %0, %4
})",
     nullptr},
    {"ReshapeChains",
     kReshapeRules, "",
     R"(func @static(%x: f32[2,3]) -> (f32[2,3], f32[3,2], f32[2,3], f32[6], f32[2,3]) {
  %0 = reshape %x {shape = [2, 3]} : f32[2,3]
  %1 = reshape %x {shape = [6]} : f32[6]
  %2 = reshape %1 {shape = [3, 2]} : f32[3,2]
  %3 = expand_dims %x {axis = 0} : f32[1,2,3]
  %4 = squeeze %3 : f32[2,3]
  %5 = expand_dims %x {axis = 2} : f32[2,3,1]
  %6 = reshape %5 {shape = [6]} : f32[6]
  %7 = squeeze %x : f32[2,3]
  return %0, %2, %4, %6, %7
}

func @dynamic(%d: f32[?,3]) -> (f32[?,3], f32[1,?,3]) {
  %0 = reshape %d {shape = [-1, 3]} : f32[?,3]
  %1 = expand_dims %d {axis = 0} : f32[1,?,3]
  %2 = expand_dims %1 {axis = 3} : f32[1,?,3,1]
  %3 = squeeze %2 {axes = [3]} : f32[1,?,3]
  return %0, %3
}

func @divisible(%v: f32[?,4], %w: f32[?,6]) -> (f32[?,2], f32[?,4]) {
  %0 = reshape %w {shape = [-1, 3]} : f32[?,3]
  %1 = reshape %0 {shape = [-1, 2]} : f32[?,2]
  %2 = reshape %v {shape = [-1, 1, 4]} : f32[?,1,4]
  %3 = squeeze %2 {axes = [1]} : f32[?,4]
  return %1, %3
})",
     R"(func @static(%x: f32[2,3]) -> (f32[2,3], f32[3,2], f32[2,3], f32[6], f32[2,3]) {
  %0 = reshape %x {shape = [3, 2]} : f32[3,2]
  %1 = reshape %x {shape = [6]} : f32[6]
  return %x, %0, %x, %1, %x
}

func @dynamic(%d: f32[?,3]) -> (f32[?,3], f32[1,?,3]) {
  %0 = reshape %d {shape = [1, -1, 3]} : f32[1,?,3]
  return %d, %0
}

func @divisible(%v: f32[?,4], %w: f32[?,6]) -> (f32[?,2], f32[?,4]) {
  %0 = reshape %w {shape = [-1, 2]} : f32[?,2]
  return %0, %v
})"},
    {"ReshapesThatMayFailOrNeedTwoDynamicDims",
     "", kReshapeRules,
     R"(func @f(%x: f32[2,1], %d: f32[?], %z: f32[0,?]) -> (f32[2], f32[?], f32[0,?], f32[?,4]) {
  %0 = squeeze %x : f32[2]
  %1 = reshape %d {shape = [-1, 4]} : f32[?,4]
  %2 = reshape %1 {shape = [-1]} : f32[?]
  %3 = reshape %z {shape = [0, -1]} : f32[0,?]
  %4 = reshape %d {shape = [-1, 4, 1]} : f32[?,4,1]
  %5 = squeeze %4 {axes = [2]} : f32[?,4]
  return %0, %2, %3, %5
}

func @g(%d: f32[?], %e: f32[?,?]) -> (f32[1,?,4], f32[1,1,?,?]) {
  %0 = reshape %d {shape = [-1, 4]} : f32[?,4]
  %1 = expand_dims %0 {axis = 0} : f32[1,?,4]
  %2 = expand_dims %e {axis = 0} : f32[1,?,?]
  %3 = expand_dims %2 {axis = 0} : f32[1,1,?,?]
  return %1, %3
}

// A squeeze without axes fails at run time when a `?` dim is 1.
func @squeeze(%d: f32[?,3]) -> (f32[?,3], f32[?,3]) {
  %0 = squeeze %d : f32[?,3]
  %1 = expand_dims %d {axis = 0} : f32[1,?,3]
  %2 = squeeze %1 : f32[?,3]
  return %0, %2
})",
     nullptr},
    {"BroadcastsAndReshapesToTheSameType",
     kSameTypeRules, "",
     R"(func @f(%x: f32[2,3], %y: f32[2,3]) -> (f32[2,3], f32[2,3], f32[2,3]) {
  %0 = reshape_like %x, %y : f32[2,3]
  %1 = broadcast_to %x {shape = [2, 3]} : f32[2,3]
  %2 = broadcast_like %x, %y : f32[2,3]
  return %0, %1, %2
}

func @g(%y: f32[2,3], %i: i32[2,3], %s: f32[3]) -> (i32[2,3], f32[4,2,3]) {
  %0 = sum_to_like %i, %y : i32[2,3]
  %1 = broadcast_to %s {shape = [2, 3]} : f32[2,3]
  %2 = broadcast_to %1 {shape = [4, 2, 3]} : f32[4,2,3]
  return %0, %2
})",
     R"(func @f(%x: f32[2,3], %y: f32[2,3]) -> (f32[2,3], f32[2,3], f32[2,3]) {
  return %x, %x, %x
}

func @g(%y: f32[2,3], %i: i32[2,3], %s: f32[3]) -> (i32[2,3], f32[4,2,3]) {
  %0 = broadcast_to %s {shape = [4, 2, 3]} : f32[4,2,3]
  return %i, %0
})"},
    {"DynamicOrFloatSameTypeIsKept",
     "", kSameTypeRules,
     R"(func @f(%x: f32[?], %y: f32[?], %i: i32[?]) -> (f32[?], f32[?], i32[?]) {
  %0 = reshape_like %x, %y : f32[?]
  %1 = broadcast_like %x, %y : f32[?]
  %2 = sum_to_like %i, %y : i32[?]
  return %0, %1, %2
}

func @g(%f: f32[2,3], %g: f32[2,3], %s: f32[3]) -> (f32[2,3], f32[4,2,3]) {
  %0 = sum_to_like %f, %g : f32[2,3]
  %1 = broadcast_to %s {shape = [2, 3]} : f32[2,3]
  %2 = neg %1 : f32[2,3]
  %3 = broadcast_to %2 {shape = [4, 2, 3]} : f32[4,2,3]
  return %0, %3
})",
     nullptr},
    {"LikeOpsWithStaticTypesDropTheirLikeOperand",
     kLikeStaticRules, "",
     R"(func @f(%x: f32[3], %y: f32[2,3], %z: i32[6]) -> (f32[2,3], f32[2,3], i32[2,3]) {
  %0 = fill_like %y {value = 1.5} : f32[2,3]
  %1 = broadcast_like %x, %y : f32[2,3]
  %2 = reshape_like %z, %y : i32[2,3]
  return %0, %1, %2
})",
     R"(func @f(%x: f32[3], %y: f32[2,3], %z: i32[6]) -> (f32[2,3], f32[2,3], i32[2,3]) {
  %0 = fill {shape = [2, 3], value = 1.5} : f32[2,3]
  %1 = broadcast_to %x {shape = [2, 3]} : f32[2,3]
  %2 = reshape %z {shape = [2, 3]} : i32[2,3]
  return %0, %1, %2
})"},
    {"LikeOpsWithDynamicTypesAreKept",
     "", kLikeStaticRules,
     R"(func @f(%x: f32[3], %y: f32[?,3], %z: i32[?]) -> (f32[?,3], f32[?,3], i32[?,3]) {
  %0 = fill_like %y {value = 1.5} : f32[?,3]
  %1 = broadcast_like %x, %y : f32[?,3]
  %2 = reshape_like %z, %y : i32[?,3]
  return %0, %1, %2
})",
     nullptr},
    {"ReductionsOverUnitDims",
     kReduceRules, "",
     R"(func @float(%x: f32[3,1], %s: f64[]) -> (f32[3], f32[3,1], f32[3], f64[]) {
  %0 = reduce_max %x {axes = [1]} : f32[3]
  %1 = reduce_min %x {axes = [-1], keepdims = true} : f32[3,1]
  %2 = reduce_prod %x {axes = [1]} : f32[3]
  %3 = reduce_prod %s : f64[]
  return %0, %1, %2, %3
}

func @int(%i: i32[1,4], %b: bool[1,1]) -> (i32[4], i32[4], i32[1,4], bool[], bool[1]) {
  %0 = reduce_sum %i {axes = [0]} : i32[4]
  %1 = reduce_mean %i {axes = [0]} : i32[4]
  %2 = reduce_sum %i {axes = [0], keepdims = true} : i32[1,4]
  %3 = reduce_all %b : bool[]
  %4 = reduce_any %b {axes = [0]} : bool[1]
  return %0, %1, %2, %3, %4
}

func @dynamic(%d: f32[?,1], %e: f32[?,1,?]) -> (f32[?], f32[?,?]) {
  %0 = reduce_max %d {axes = [1]} : f32[?]
  %1 = reduce_min %e {axes = [1]} : f32[?,?]
  return %0, %1
})",
     R"(func @float(%x: f32[3,1], %s: f64[]) -> (f32[3], f32[3,1], f32[3], f64[]) {
  %0 = reshape %x {shape = [3]} : f32[3]
  %1 = reshape %x {shape = [3]} : f32[3]
  return %0, %x, %1, %s
}

func @int(%i: i32[1,4], %b: bool[1,1]) -> (i32[4], i32[4], i32[1,4], bool[], bool[1]) {
  %0 = reshape %i {shape = [4]} : i32[4]
  %1 = reshape %i {shape = [4]} : i32[4]
  %2 = reshape %b {shape = []} : bool[]
  %3 = reshape %b {shape = [1]} : bool[1]
  return %0, %1, %i, %2, %3
}

func @dynamic(%d: f32[?,1], %e: f32[?,1,?]) -> (f32[?], f32[?,?]) {
  %0 = reshape %d {shape = [-1]} : f32[?]
  %1 = squeeze %e {axes = [1]} : f32[?,?]
  return %0, %1
})"},
    {"ReductionsThatCombineOrRoundZero",
     "", kReduceRules,
     R"(func @float(%x: f32[3,1], %y: f32[3,2]) -> (f32[3], f32[3], f32[3], f32[3]) {
  %0 = reduce_sum %x {axes = [1]} : f32[3]
  %1 = reduce_mean %x {axes = [1]} : f32[3]
  %2 = reduce_max %y {axes = [1]} : f32[3]
  %3 = reduce_min %y {axes = [1]} : f32[3]
  return %0, %1, %2, %3
}

func @more(%y: f32[3,2], %d: f32[?,1], %s: f32[]) -> (f32[3], f32[?], f32[]) {
  %0 = reduce_prod %y {axes = [1]} : f32[3]
  %1 = reduce_sum %d {axes = [1]} : f32[?]
  %2 = reduce_sum %s : f32[]
  return %0, %1, %2
}

func @other(%b: bool[2,2], %i: i32[?,2]) -> (bool[2], bool[2], i32[?]) {
  %0 = reduce_any %b {axes = [0]} : bool[2]
  %1 = reduce_all %b {axes = [1]} : bool[2]
  %2 = reduce_mean %i {axes = [1]} : i32[?]
  return %0, %1, %2
})",
     nullptr},
};

void PrintTo(const RuleCase& c, std::ostream* os) { *os << c.name; }

class RuleTest : public ::testing::TestWithParam<RuleCase> {};

TEST_P(RuleTest, RewritesExactlyAndIdempotently) {
  ExpectCanonical(GetParam().input, GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(Cases, RuleTest, ::testing::ValuesIn(kRuleCases),
                         [](const ::testing::TestParamInfo<RuleCase>& info) {
                           return std::string(info.param.name);
                         });

std::set<std::string> Names(const char* list) {
  std::set<std::string> names;
  for (absl::string_view n : absl::StrSplit(list, ' ', absl::SkipEmpty())) names.emplace(n);
  return names;
}

TEST(RuleTableTest, EveryRuleHasACaseWhereItFiresAndOneWhereItMustNot) {
  std::set<std::string> fires, kept;
  for (const RuleCase& c : kRuleCases) {
    for (const std::string& n : Names(c.fires)) fires.insert(n);
    for (const std::string& n : Names(c.kept)) kept.insert(n);
  }
  std::set<std::string> table;
  for (const AlgebraicRule& rule : AlgebraicRules()) {
    const std::string name(rule.name);
    EXPECT_TRUE(table.insert(name).second) << "duplicate rule name " << name;
    EXPECT_TRUE(fires.count(name)) << name << " has no case where it fires";
    EXPECT_TRUE(kept.count(name)) << name << " has no case where it must not fire";
    EXPECT_FALSE(rule.description.empty()) << name;
    EXPECT_TRUE(rule.op == kAnyOp || ir::OpRegistry::Get().Find(rule.op) != nullptr) << name;
  }
  for (const std::string& n : fires) EXPECT_TRUE(table.count(n)) << "unknown rule " << n;
  for (const std::string& n : kept) EXPECT_TRUE(table.count(n)) << "unknown rule " << n;
}

TEST(RuleTableTest, RulesForAnOpAreItsOwnThenTheGenericOnes) {
  std::unique_ptr<ir::Module> m = Parse(R"(func @f(%x: f32[4]) -> (f32[4]) {
  %0 = neg %x : f32[4]
  return %0
}
)");
  ASSERT_NE(m, nullptr);
  std::vector<std::string> names;
  for (const AlgebraicRule* rule : RulesFor(*m->functions()[0]->body().ops().front())) {
    names.emplace_back(rule->name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"neg-neg", "drop-broadcast"}));
}

// ---- constant folding ----

TEST(ConstantFoldTest, FoldsChainsAndLeavesOnlyConstants) {
  ExpectCanonical(R"(func @f(%x: f32[3]) -> (f32[], i32[3], f32[3]) {
  %c = constant {value = dense<f32[] 1.5>} : f32[]
  %0 = add %c, %c : f32[]
  %1 = exp %0 : f32[]
  %i = constant {value = dense<i32[3] [7, -7, -2147483648]>} : i32[3]
  %d = constant {value = dense<i32[] -1>} : i32[]
  %2 = div %i, %d : i32[3]
  %n = constant {value = dense<f32[3] [nan, -0.0, inf]>} : f32[3]
  %3 = neg %n : f32[3]
  %4 = add %x, %3 : f32[3]
  return %1, %2, %4
}
)",
                  R"(func @f(%x: f32[3]) -> (f32[], i32[3], f32[3]) {
  %0 = constant {value = dense<f32[] 20.085537>} : f32[]
  %1 = constant {value = dense<i32[3] [-7, 7, -2147483648]>} : i32[3]
  %2 = constant {value = dense<f32[3] [-nan, 0.0, -inf]>} : f32[3]
  %3 = add %x, %2 : f32[3]
  return %0, %1, %3
})");
}

TEST(ConstantFoldTest, ConsumersOfSmallGeneratorsFoldButGeneratorsStay) {
  ExpectCanonical(R"(func @f(%x: f32[4]) -> (f32[4], i32[4], f32[4], f32[4]) {
  %0 = fill {shape = [4], value = 2.0} : f32[4]
  %1 = exp %0 : f32[4]
  %2 = range {limit = 4.0, start = 0.0} : i32[4]
  %3 = mul %2, %2 : i32[4]
  %4 = random_uniform {seed = 3, shape = [4]} : f32[4]
  %5 = neg %4 : f32[4]
  %6 = fill {shape = [4], value = 3.0} : f32[4]
  return %1, %3, %5, %6
}
)",
                  R"(func @f(%x: f32[4]) -> (f32[4], i32[4], f32[4], f32[4]) {
  %0 = constant {value = dense<f32[4] 7.389056>} : f32[4]
  %1 = constant {value = dense<i32[4] [0, 1, 4, 9]>} : i32[4]
  %2 = constant {value = dense<f32[4] [-0.816655, -0.268224, -0.7683152, -0.13857877]>} : f32[4]
  %3 = fill {shape = [4], value = 3.0} : f32[4]
  return %0, %1, %2, %3
})");
}

TEST(ConstantFoldTest, NothingBeyondTheBudgetIsMaterialised) {
  // 1M f32 is 4 MB, far over the default 64 KiB: neither exp of the fill
  // nor a sum that would need the fill's values is evaluated. (Not run
  // through the interpreter: that alone would take most of a second.)
  constexpr char kText[] = R"(func @f() -> (f32[1000000], f32[]) {
  %0 = fill {shape = [1000000], value = 2.0} : f32[1000000]
  %1 = exp %0 : f32[1000000]
  %2 = reduce_sum %0 : f32[]
  return %1, %2
}
)";
  std::unique_ptr<ir::Module> m = Parse(kText);
  ASSERT_NE(m, nullptr);
  PassContext context = interp::DefaultPassContext();
  ASSERT_EQ(context.fold_budget_bytes, 64 * 1024);
  absl::StatusOr<bool> changed = Canonicalize(*m, context);
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_FALSE(*changed);
  EXPECT_EQ(ir::PrintModule(*m), kText);
}

TEST(ConstantFoldTest, BudgetIsInclusive) {
  PassContext context = interp::DefaultPassContext();
  context.fold_budget_bytes = 16;
  constexpr char kText[] = R"(func @f() -> (f32[4], f32[5]) {
  %0 = constant {value = dense<f32[4] 1.0>} : f32[4]
  %1 = exp %0 : f32[4]
  %2 = constant {value = dense<f32[5] 1.0>} : f32[5]
  %3 = exp %2 : f32[5]
  return %1, %3
}
)";
  ExpectCanonical(kText, R"(func @f() -> (f32[4], f32[5]) {
  %0 = constant {value = dense<f32[4] 2.7182817>} : f32[4]
  %1 = constant {value = dense<f32[5] 1.0>} : f32[5]
  %2 = exp %1 : f32[5]
  return %0, %2
})",
                  context);
}

TEST(ConstantFoldTest, WithoutAnEvaluatorOnlyRulesRun) {
  ExpectCanonical(R"(func @f(%x: f32[4]) -> (f32[], f32[4]) {
  %c = constant {value = dense<f32[] 1.0>} : f32[]
  %0 = add %c, %c : f32[]
  %1 = mul %c, %x : f32[4]
  return %0, %1
}
)",
                  R"(func @f(%x: f32[4]) -> (f32[], f32[4]) {
  %0 = constant {value = dense<f32[] 1.0>} : f32[]
  %1 = add %0, %0 : f32[]
  return %1, %x
})",
                  PassContext{});
}

TEST(ConstantFoldTest, AnOpThatFailsAtRunTimeIsLeftToFail) {
  constexpr char kText[] = R"(func @f() -> (f32[2]) {
  %0 = constant {value = dense<f32[3] [1.0, 2.0, 3.0]>} : f32[3]
  %1 = constant {value = dense<i32[2] [0, 7]>} : i32[2]
  %2 = gather %0, %1 : f32[2]
  return %2
}
)";
  ExpectCanonical(kText, nullptr);
  std::unique_ptr<ir::Module> m = Parse(kText);
  ASSERT_NE(m, nullptr);
  EXPECT_FALSE(interp::RunFunction(*m->functions()[0], {}, nullptr).ok());
}

TEST(ConstantFoldTest, VariablesAreNotConstants) {
  ExpectCanonical(R"(var @v : f32[2]

func @f() -> (f32[2]) {
  %0 = read_var {var = @v} : f32[2]
  %1 = constant {value = dense<f32[] 1.0>} : f32[]
  %2 = add %1, %1 : f32[]
  %3 = add %0, %2 : f32[2]
  assign %3 {var = @v}
  return %3
}
)",
                  R"(var @v : f32[2]

func @f() -> (f32[2]) {
  %0 = read_var {var = @v} : f32[2]
  %1 = constant {value = dense<f32[] 2.0>} : f32[]
  %2 = add %0, %1 : f32[2]
  assign %2 {var = @v}
  return %2
})");
}

TEST(CanonicalizeTest, WorksInsideCondWhileAndFusionRegions) {
  ExpectCanonical(R"(func @f(%p: bool[], %x: f32[4]) -> (f32[4], f32[4], f32[4]) {
  %c = constant {value = dense<f32[] 1.5>} : f32[]
  %0 = cond %p, %x : f32[4] (%a: f32[4]) {
    %1 = neg %c : f32[]
    %2 = mul %a, %1 : f32[4]
    yield %2
  } (%b: f32[4]) {
    %3 = neg %b : f32[4]
    %4 = neg %3 : f32[4]
    yield %4
  }
  %5 = while %x : f32[4] (%w: f32[4]) {
    %6 = reduce_sum %w : f32[]
    %7 = constant {value = dense<f32[] 100.0>} : f32[]
    %8 = lt %7, %6 : bool[]
    yield %8
  } (%v: f32[4]) {
    %9 = add %c, %c : f32[]
    %10 = mul %v, %9 : f32[4]
    yield %10
  }
  %11 = fusion %x {kind = "loop"} : f32[4] (%l: f32[4]) {
    %12 = constant {value = dense<f32[] 1.0>} : f32[]
    %13 = mul %12, %l : f32[4]
    %14 = exp %13 : f32[4]
    yield %14
  }
  return %0, %5, %11
}
)",
                  R"(func @f(%p: bool[], %x: f32[4]) -> (f32[4], f32[4], f32[4]) {
  %0 = cond %p, %x : f32[4] (%a: f32[4]) {
    %1 = constant {value = dense<f32[] -1.5>} : f32[]
    %2 = mul %a, %1 : f32[4]
    yield %2
  } (%b: f32[4]) {
    yield %b
  }
  %3 = while %x : f32[4] (%w: f32[4]) {
    %4 = reduce_sum %w : f32[]
    %5 = constant {value = dense<f32[] 100.0>} : f32[]
    %6 = gt %4, %5 : bool[]
    yield %6
  } (%v: f32[4]) {
    %7 = constant {value = dense<f32[] 3.0>} : f32[]
    %8 = mul %v, %7 : f32[4]
    yield %8
  }
  %9 = fusion %x {kind = "loop"} : f32[4] (%l: f32[4]) {
    %10 = exp %l : f32[4]
    yield %10
  }
  return %0, %3, %9
})");
}

TEST(CanonicalizeTest, RewritesThatEnableEachOtherSettleInOneRun) {
  // mul(1, x) is first reordered, then x * 1 goes; the transpose pair
  // cancels once its inner pair has; broadcast, cast and select in a row.
  ExpectCanonical(R"(func @f(%x: f32[2,3], %s: f32[], %c: bool[2,3]) -> (f32[2,3]) {
  %one = constant {value = dense<f32[] 1.0>} : f32[]
  %0 = mul %one, %x : f32[2,3]
  %1 = transpose %0 : f32[3,2]
  %2 = transpose %1 : f32[2,3]
  %3 = transpose %2 : f32[3,2]
  %4 = transpose %3 : f32[2,3]
  %5 = broadcast_to %s {shape = [2, 3]} : f32[2,3]
  %6 = cast %5 {dtype = f32} : f32[2,3]
  %7 = add %4, %6 : f32[2,3]
  %8 = select %c, %7, %7 : f32[2,3]
  return %8
}
)",
                  R"(func @f(%x: f32[2,3], %s: f32[], %c: bool[2,3]) -> (f32[2,3]) {
  %0 = add %x, %s : f32[2,3]
  return %0
})");
}

TEST(CanonicalizeTest, DeadOpsAreLeftToDce) {
  ExpectCanonical(R"(func @f(%x: f32[4]) -> (f32[4]) {
  %0 = neg %x : f32[4]
  %1 = neg %0 : f32[4]
  %2 = constant {value = dense<f32[] 1.0>} : f32[]
  %3 = add %2, %2 : f32[]
  return %x
}
)",
                  nullptr);
}

TEST(CanonicalizeTest, IsRegisteredAndInTheDefaultPipeline) {
  absl::StatusOr<std::unique_ptr<Pass>> pass = CreatePass("canonicalize");
  ASSERT_TRUE(pass.ok()) << pass.status();
  EXPECT_EQ((*pass)->name(), "canonicalize");
  EXPECT_NE(std::string_view(kDefaultPipeline).find("canonicalize"), std::string_view::npos);
}

// The IR corpus (tests/gir): canonicalize keeps every module valid, and a
// second run changes nothing.
TEST(CanonicalizeTest, CorpusStaysValidAndSettles) {
  const fs::path dir = fs::path(__FILE__).parent_path().parent_path() / "gir";
  int files = 0, changed_files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".gir") continue;
    SCOPED_TRACE(entry.path().filename().string());
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    std::unique_ptr<ir::Module> m = Parse(text.str());
    ASSERT_NE(m, nullptr);
    PassContext context = interp::DefaultPassContext();
    absl::StatusOr<bool> changed = Canonicalize(*m, context);
    ASSERT_TRUE(changed.ok()) << changed.status();
    EXPECT_TRUE(ir::VerifyModule(*m).ok()) << ir::VerifyModule(*m);
    const std::string once = ir::PrintModule(*m);
    absl::StatusOr<bool> again = Canonicalize(*m, context);
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_FALSE(*again) << once;
    EXPECT_EQ(ir::PrintModule(*m), once);
    ++files;
    changed_files += *changed;
  }
  EXPECT_GE(files, 12);
  EXPECT_GE(changed_files, 3);
}

}  // namespace
}  // namespace graphc::passes
