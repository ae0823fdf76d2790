// Eager-vs-traced parity: every op sample (tests/common/op_samples.h) run
// eagerly through ApplyOp must give bitwise the same tensors as the same
// ApplyOp call traced by graphc::function and run as a graph, both with the
// sample's static shapes and with a `?` first dim. Variable, cond, while and
// call, which have no samples, get the same treatment through small
// hand-written programs run both ways.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <source_location>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "compiler/frontend/concrete_function.h"
#include "compiler/frontend/dispatch.h"
#include "compiler/frontend/tensor_impl.h"
#include "compiler/frontend/variable_state.h"
#include "compiler/interpreter/interpreter.h"
#include "graphc/graphc.h"
#include "ir/builder.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/str_cat.h"
#include "ir/verifier.h"
#include "tests/common/op_samples.h"

namespace graphc::test {
namespace {

const HostTensor& Value(const Tensor& t) { return t.impl().value; }

std::string Show(const HostTensor& h) { return MakeEager(h).ToString(); }

// Bitwise equality of two result lists, with both values in the message.
void ExpectBitwiseEqual(const std::vector<Tensor>& expected, const std::vector<Tensor>& actual,
                        const std::string& what) {
  ASSERT_EQ(expected.size(), actual.size()) << what << ": result counts differ";
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_TRUE(Value(expected[i]).BitwiseEquals(Value(actual[i])))
        << what << ": result " << i << " differs\n  expected " << Show(Value(expected[i]))
        << "\n  actual   " << Show(Value(actual[i]));
  }
}

std::vector<Tensor> EagerInputs(const OpSample& s) {
  std::vector<Tensor> in;
  for (const HostTensor& h : s.operands) in.push_back(MakeEager(h));
  return in;
}

std::vector<Tensor> RunEager(const OpSample& s) {
  return ApplyOp(s.op, EagerInputs(s), s.attrs, std::source_location::current());
}

// A graphc::function whose body is the sample's op applied to its arguments.
auto OpFunction(const OpSample& s) {
  return function([&s](const auto&... xs) {
    return ApplyOp(s.op, std::vector<Tensor>{xs...}, s.attrs, std::source_location::current());
  });
}

// Calls `call(args[0], ..., args[n-1])` for the run-time count n; samples
// have at most kMaxOperands operands.
constexpr size_t kMaxOperands = 4;
template <typename T, typename Call>
auto Spread(const std::vector<T>& args, Call&& call) {
  auto with = [&]<size_t... I>(std::index_sequence<I...>) { return call(args[I]...); };
  switch (args.size()) {
    case 0:
      return with(std::make_index_sequence<0>{});
    case 1:
      return with(std::make_index_sequence<1>{});
    case 2:
      return with(std::make_index_sequence<2>{});
    case 3:
      return with(std::make_index_sequence<3>{});
    case 4:
      return with(std::make_index_sequence<4>{});
  }
  throw std::logic_error("a sample has more operands than Spread handles");
}

std::vector<OpSample> SamplesUpTo(size_t max_operands) {
  std::vector<OpSample> out;
  for (OpSample& s : AllSamples()) {
    if (s.operands.size() <= max_operands) out.push_back(std::move(s));
  }
  return out;
}

std::string SampleName(const ::testing::TestParamInfo<OpSample>& info) {
  return info.param.op + "_" + info.param.name;
}

// ---- every sample, static shapes ----

class Parity : public ::testing::TestWithParam<OpSample> {};

TEST_P(Parity, TracedMatchesEager) {
  const OpSample& s = GetParam();
  const std::vector<Tensor> eager = RunEager(s);
  auto fn = OpFunction(s);
  const std::vector<Tensor> traced =
      Spread(EagerInputs(s), [&](const auto&... xs) { return fn(xs...); });
  ExpectBitwiseEqual(eager, traced, Describe(s));
  EXPECT_EQ(fn.tracing_count(), 1);

  // The graph is the op itself (plus its return): the traced path really ran.
  std::vector<TensorSpec> specs;
  for (const HostTensor& h : s.operands) specs.emplace_back(h.shape(), h.dtype());
  const ConcreteFunction cf =
      Spread(specs, [&](const auto&... xs) { return fn.get_concrete_function(xs...); });
  // (As traced: the pass pipeline may fold or simplify the op away.)
  absl::StatusOr<std::unique_ptr<ir::Module>> traced_module =
      ir::ParseModule(cf.traced_ir_text(), "traced.gir");
  ASSERT_TRUE(traced_module.ok()) << traced_module.status();
  const auto& ops = (*traced_module)->functions().front()->body().ops();
  ASSERT_EQ(ops.size(), 2u) << cf.traced_ir_text();
  EXPECT_EQ(ops.front()->name(), s.op) << cf.traced_ir_text();
}

// The operands captured from outside the function instead of passed in:
// small eager tensors become `constant` ops (dense attributes), so every
// dtype and special value goes through a constant.
TEST_P(Parity, CapturedOperandsMatchEager) {
  const OpSample& s = GetParam();
  const std::vector<Tensor> inputs = EagerInputs(s);
  auto fn =
      function([&] { return ApplyOp(s.op, inputs, s.attrs, std::source_location::current()); });
  ExpectBitwiseEqual(RunEager(s), fn(), Describe(s) + " with captured operands");
}

// Text is an interface: the traced graph, printed and parsed back, computes
// the same bits (attributes and constants lose no precision).
TEST_P(Parity, TracedIrRoundTripsThroughText) {
  const OpSample& s = GetParam();
  const std::vector<Tensor> inputs = EagerInputs(s);
  auto captured =
      function([&] { return ApplyOp(s.op, inputs, s.attrs, std::source_location::current()); });
  auto passed = OpFunction(s);
  std::vector<TensorSpec> specs;
  for (const HostTensor& h : s.operands) specs.emplace_back(h.shape(), h.dtype());
  const std::vector<std::pair<ConcreteFunction, std::vector<HostTensor>>> graphs = {
      {captured.get_concrete_function(), {}},
      {Spread(specs, [&](const auto&... xs) { return passed.get_concrete_function(xs...); }),
       s.operands},
  };
  const std::vector<Tensor> eager = RunEager(s);
  for (const auto& [cf, args] : graphs) {
    const std::string text = cf.ir_text();
    absl::StatusOr<std::unique_ptr<ir::Module>> parsed = ir::ParseModule(text, "parity.gir");
    ASSERT_TRUE(parsed.ok()) << Describe(s) << ": " << parsed.status() << "\n" << text;
    EXPECT_EQ(ir::PrintModule(**parsed), text) << Describe(s);
    const ir::Function* f = (*parsed)->FindFunction(cf.function().name());
    ASSERT_NE(f, nullptr) << text;
    std::vector<HostTensor> all_args = args;
    all_args.insert(all_args.end(), cf.impl().captured.begin(), cf.impl().captured.end());
    absl::StatusOr<std::vector<HostTensor>> out = interp::RunFunction(*f, all_args, nullptr);
    ASSERT_TRUE(out.ok()) << Describe(s) << ": " << out.status() << "\n" << text;
    std::vector<Tensor> results;
    for (HostTensor& h : *out) results.push_back(MakeEager(std::move(h)));
    ExpectBitwiseEqual(eager, results, Describe(s) + " after a text round trip\n" + text);
  }
}

INSTANTIATE_TEST_SUITE_P(AllOps, Parity, ::testing::ValuesIn(SamplesUpTo(kMaxOperands)),
                         SampleName);

// ---- C++ numbers (weak scalars) in elementwise ops ----

// Samples of elementwise ops whose value operands (all but select's
// condition) share one numeric dtype: their last operand can be replaced by
// the C++ number 2.
std::vector<OpSample> WeakScalarSamples() {
  std::vector<OpSample> out;
  for (OpSample& s : SamplesUpTo(kMaxOperands)) {
    const ir::OpDef* def = ir::OpRegistry::Get().Find(s.op);
    if (def == nullptr || def->scalar == nullptr || s.op == "cast" || s.operands.size() < 2 ||
        IsSpecial(s)) {
      continue;
    }
    const size_t first = s.op == "select" ? 1 : 0;
    const ir::DType dtype = s.operands[first].dtype();
    bool fits = ir::IsNumeric(dtype);
    for (size_t i = first; i < s.operands.size(); ++i) fits = fits && s.operands[i].dtype() == dtype;
    if (fits) out.push_back(std::move(s));
  }
  return out;
}

class WeakScalarParity : public ::testing::TestWithParam<OpSample> {};

// `op(x, 2)`: the 2 takes x's dtype eagerly and traced alike.
TEST_P(WeakScalarParity, TracedMatchesEager) {
  const OpSample& s = GetParam();
  std::vector<Tensor> inputs = EagerInputs(s);
  inputs.pop_back();
  auto with_two = [&s](std::vector<Tensor> xs) {
    xs.push_back(Tensor(2));
    return ApplyOp(s.op, xs, s.attrs, std::source_location::current());
  };
  const std::vector<Tensor> eager = with_two(inputs);
  // The number took the tensor's dtype: the result dtype is as with a tensor.
  ASSERT_EQ(Value(eager[0]).dtype(), Value(RunEager(s)[0]).dtype()) << Describe(s);
  auto fn = function([&](const auto&... xs) { return with_two({xs...}); });
  const std::vector<Tensor> traced = Spread(inputs, [&](const auto&... xs) { return fn(xs...); });
  ExpectBitwiseEqual(eager, traced, Describe(s) + " with its last operand the number 2");
}

INSTANTIATE_TEST_SUITE_P(ElementwiseOps, WeakScalarParity, ::testing::ValuesIn(WeakScalarSamples()),
                         SampleName);

TEST(ParityTable, EverySampleIsRunByTheParityTests) {
  EXPECT_EQ(SamplesUpTo(kMaxOperands).size(), AllSamples().size())
      << "a sample has more than " << kMaxOperands << " operands: extend Spread";
}

// ---- every sample, first dim dynamic ----

// Samples left out of the dynamic-dim parity test, by design, each with the
// reason. Keyed "op" (every sample of the op) or "op/sample". The test
// NeedsStaticShapesReallyDoes keeps this list honest.
enum class WhyStatic {
  kTraceFails,              // inference rejects the `?` dim
  kMeaningDependsOnStatic,  // the op's result depends on which dims are static
};
struct StaticOnly {
  WhyStatic why;
  std::string reason;
};
const std::map<std::string, StaticOnly>& NeedsStaticShapes() {
  static const std::map<std::string, StaticOnly> skips = {
      {"squeeze/bool_to_scalar",
       {WhyStatic::kTraceFails,
        "squeezing a listed axis that is `?` is an error (\"cannot squeeze a dynamic dim\"): "
        "the dim might not be 1"}},
      {"squeeze/f32_all",
       {WhyStatic::kMeaningDependsOnStatic,
        "squeeze without axes removes the dims known to be 1 and keeps `?` dims, so on "
        "f32[?,3,1] it gives f32[?,3] (f32[1,3] at run time) where eager f32[1,3,1] gives f32[3]"}},
  };
  return skips;
}

const StaticOnly* FindStaticOnly(const OpSample& s) {
  for (const std::string& key : {s.op, s.op + "/" + s.name}) {
    auto it = NeedsStaticShapes().find(key);
    if (it != NeedsStaticShapes().end()) return &it->second;
  }
  return nullptr;
}

bool SkipsDynamic(const OpSample& s) { return FindStaticOnly(s) != nullptr; }

// The sample's operands as specs, with the first dim `?` wherever rank >= 1.
std::vector<TensorSpec> DynamicSpecs(const OpSample& s) {
  std::vector<TensorSpec> specs;
  for (const HostTensor& h : s.operands) {
    Shape shape = h.shape();
    if (shape.rank() >= 1) shape.set_dim(0, kDynamic);
    specs.emplace_back(shape, h.dtype());
  }
  return specs;
}

bool HasRankedOperand(const OpSample& s) {
  for (const HostTensor& h : s.operands) {
    if (h.shape().rank() >= 1) return true;
  }
  return false;
}

std::vector<OpSample> DynamicSamples() {
  std::vector<OpSample> out;
  for (OpSample& s : SamplesUpTo(kMaxOperands)) {
    if (HasRankedOperand(s) && !SkipsDynamic(s)) out.push_back(std::move(s));
  }
  return out;
}

class DynamicParity : public ::testing::TestWithParam<OpSample> {};

TEST_P(DynamicParity, TracedWithDynamicFirstDimMatchesEager) {
  const OpSample& s = GetParam();
  const std::vector<Tensor> eager = RunEager(s);
  auto fn = OpFunction(s);
  const ConcreteFunction cf =
      Spread(DynamicSpecs(s), [&](const auto&... xs) { return fn.get_concrete_function(xs...); });
  const std::vector<Tensor> traced = cf(EagerInputs(s));
  ExpectBitwiseEqual(eager, traced, Describe(s) + " traced with a ? first dim");
  // The values must also have the types the graph declares for them.
  const std::vector<ir::TensorType>& declared = cf.function().result_types();
  ASSERT_EQ(declared.size(), traced.size());
  for (size_t i = 0; i < traced.size(); ++i) {
    EXPECT_TRUE(ir::IsCompatible(declared[i], Value(traced[i]).type()))
        << Describe(s) << ": result " << i << " is " << Value(traced[i]).type().ToString()
        << " but the traced graph declares " << declared[i].ToString() << "\n"
        << cf.ir_text();
  }
}

INSTANTIATE_TEST_SUITE_P(AllOps, DynamicParity, ::testing::ValuesIn(DynamicSamples()), SampleName);

TEST(DynamicParitySkips, NeedsStaticShapesReallyDoes) {
  std::set<std::string> used;
  for (const OpSample& s : SamplesUpTo(kMaxOperands)) {
    const StaticOnly* entry = FindStaticOnly(s);
    if (entry == nullptr) continue;
    used.insert(NeedsStaticShapes().contains(s.op) ? s.op : s.op + "/" + s.name);
    auto fn = OpFunction(s);
    auto trace = [&] {
      return Spread(DynamicSpecs(s),
                    [&](const auto&... xs) { return fn.get_concrete_function(xs...); });
    };
    if (entry->why == WhyStatic::kTraceFails) {
      EXPECT_THROW(trace(), Error)
          << Describe(s) << " traces with a ? first dim: remove it from NeedsStaticShapes";
      continue;
    }
    // The graph's result type rules out the eager result.
    const ConcreteFunction cf = trace();
    const std::vector<Tensor> eager = RunEager(s);
    bool differs = false;
    for (size_t i = 0; i < eager.size(); ++i) {
      differs =
          differs || !ir::IsCompatible(cf.function().result_types()[i], Value(eager[i]).type());
    }
    EXPECT_TRUE(differs) << Describe(s) << ": the dynamic graph's result types admit the eager "
                         << "results: remove it from NeedsStaticShapes\n"
                         << cf.ir_text();
  }
  for (const auto& [key, entry] : NeedsStaticShapes()) {
    EXPECT_TRUE(used.contains(key)) << "NeedsStaticShapes entry '" << key << "' names no sample";
  }
}

// A graph's results have the types the graph declares, whatever the run-time
// sizes of its `?` dims. (squeeze without axes on f32[?,3,1] keeps the `?`
// dim, so run on f32[1,3,1] it must give f32[1,3], not re-decide and drop it.)
TEST(DynamicShapes, RunningAGraphKeepsItsDeclaredResultTypes) {
  auto fn = function([](const Tensor& x) { return squeeze(x); });
  const ConcreteFunction cf = fn.get_concrete_function(TensorSpec({kDynamic, 3, 1}));
  ASSERT_EQ(cf.function().result_types()[0].ToString(), "f32[?,3]");
  const Tensor y = cf({constant({{{1.f}, {-2.f}, {0.5f}}})})[0];
  EXPECT_EQ(y.shape().ToString(), "[1,3]");
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{1.f, -2.f, 0.5f}));
}

// The comparison can fail: one ulp, a shape or a dtype is a difference.
TEST(ParityCheck, DetectsTheSmallestDifferences) {
  const Tensor a = constant({1.f, 2.f});
  const Tensor ulp = constant({1.f, std::nextafter(2.f, 3.f)});
  EXPECT_NONFATAL_FAILURE(ExpectBitwiseEqual({a}, {ulp}, "ulp"), "result 0 differs");
  EXPECT_NONFATAL_FAILURE(ExpectBitwiseEqual({a}, {a.reshape({2, 1})}, "shape"), "differs");
  EXPECT_NONFATAL_FAILURE(ExpectBitwiseEqual({a}, {a.cast(float64)}, "dtype"), "differs");
  EXPECT_NONFATAL_FAILURE(
      ExpectBitwiseEqual({constant(0.f, float32)}, {constant(-0.f, float32)}, "signed zero"),
      "differs");
  // (A fatal-failure statement may not use locals.)
  EXPECT_FATAL_FAILURE(
      ExpectBitwiseEqual({constant({1.f})}, {constant({1.f}), constant({1.f})}, "count"),
      "result counts differ");
}

// ---- ops without samples: the same program run both ways ----

std::vector<Tensor> Snapshot(std::initializer_list<Variable> vars) {
  std::vector<Tensor> out;
  for (const Variable& v : vars) out.push_back(MakeEager(v.state()->value.Clone()));
  return out;
}

// read_var, assign, assign_add, assign_sub on f32, i64 and bool variables.
Tensors VariableProgram(const Variable& w, const Variable& steps, const Variable& flags) {
  const Tensor before = w.value();
  w.assign(w.value() * 2.f);
  w.assign_add(constant({{1.f, -1.f, 0.5f}, {0.f, -0.25f, 3.f}}));
  w.assign_sub(fill_like(w.value(), 0.75));
  steps.assign_add(constant(1, int64));
  steps.assign_sub(constant(3, int64));
  flags.assign(logical_not(flags.value()));
  return {before, w.value(), steps.value(), flags.value()};
}

TEST(ParityHandWritten, VariablesEagerAndTraced) {
  const Tensor w0 = constant({{-1.5f, 0.f, 2.f}, {0.25f, -3.f, 1.f}});
  const Tensor flags0 = constant({true, false, true});
  Variable ew(w0, "w"), esteps(constant(10, int64), "steps"), eflags(flags0, "flags");
  Variable tw(w0, "w"), tsteps(constant(10, int64), "steps"), tflags(flags0, "flags");
  auto traced = function([&] { return VariableProgram(tw, tsteps, tflags); });
  for (int step = 0; step < 3; ++step) {
    const std::string what = StrCat("step ", step);
    ExpectBitwiseEqual(VariableProgram(ew, esteps, eflags), traced(), what);
    ExpectBitwiseEqual(Snapshot({ew, esteps, eflags}), Snapshot({tw, tsteps, tflags}),
                       what + " variable values");
  }
  EXPECT_EQ(traced.tracing_count(), 1);
  EXPECT_EQ(Value(tsteps.value()).GetInt(0), 10 - 3 * 2);
  const std::string ir = traced.get_concrete_function().ir_text();
  for (const char* op : {"read_var", "assign ", "assign_add", "assign_sub"}) {
    EXPECT_NE(ir.find(op), std::string::npos) << op << " missing from\n" << ir;
  }
}

// Variable writes inside cond branches and a while body, reading a large
// captured tensor (a function parameter, not a constant) in the loop.
Tensors StatefulControlProgram(const Variable& acc, const Variable& hits, const Tensor& big,
                               const Tensor& x) {
  cond(
      reduce_sum(x) > 0.f,
      [&] {
        acc.assign_add(x);
        return Tensors{};
      },
      [&] {
        acc.assign(x * x);
        hits.assign_add(constant(1, int32));
        return Tensors{};
      });
  const Tensors out = while_loop([](const Tensors& v) { return v[0] < 3; },
                                 [&](const Tensors& v) {
                                   acc.assign_sub(fill_like(x, 0.5));
                                   return Tensors{v[0] + 1, v[1] + reduce_sum(big)};
                                 },
                                 {constant(0, int32), constant(0.f, float32)});
  return {acc.value(), hits.value(), out[1]};
}

TEST(ParityHandWritten, VariablesWrittenInsideCondAndWhile) {
  std::vector<float> big_values(100);
  for (size_t i = 0; i < big_values.size(); ++i) big_values[i] = static_cast<float>(i % 7) - 3.f;
  const Tensor big = constant(big_values, {100});
  const Tensor acc0 = constant({0.5f, -1.f}), hits0 = constant(0, int32);
  Variable eacc(acc0, "acc"), ehits(hits0, "hits"), tacc(acc0, "acc"), thits(hits0, "hits");
  auto traced =
      function([&](const Tensor& x) { return StatefulControlProgram(tacc, thits, big, x); });
  for (const Tensor& x : {constant({1.f, 2.f}), constant({-4.f, 1.f}), constant({0.f, -0.5f})}) {
    ExpectBitwiseEqual(StatefulControlProgram(eacc, ehits, big, x), traced(x), x.ToString());
    ExpectBitwiseEqual(Snapshot({eacc, ehits}), Snapshot({tacc, thits}),
                       x.ToString() + " variable values");
  }
  EXPECT_EQ(traced.tracing_count(), 1);
  EXPECT_EQ(Value(thits.value()).GetInt(0), 2);
  EXPECT_NE(traced.get_concrete_function(TensorSpec({2})).ir_text().find("%capture0: f32[100]"),
            std::string::npos);
}

// cond with operands, two results of different dtypes, and a nested cond.
Tensors CondProgram(const Tensor& x) {
  return cond(
      reduce_sum(x) > 0.f,
      [&] {
        const Tensor y = x * 2.f;
        return Tensors{y, argmax(y)};
      },
      [&] {
        return cond(
            reduce_any(x < -2.f),
            [&] {
              return Tensors{-x, argmin(x)};
            },
            [&] {
              return Tensors{square(x), argmax(x)};
            });
      });
}

TEST(ParityHandWritten, CondEagerAndTraced) {
  auto traced = function([](const Tensor& x) { return CondProgram(x); });
  const ConcreteFunction dynamic = traced.get_concrete_function(TensorSpec({kDynamic}));
  for (const Tensor& x : {constant({1.f, -0.5f, 2.f}), constant({-3.f, 0.5f, 1.f}),
                          constant({-1.f, 0.5f, -0.25f}), constant({0.f, 0.f, 0.f, 0.f})}) {
    const Tensors eager = CondProgram(x);
    ExpectBitwiseEqual(eager, traced(x), x.ToString());
    ExpectBitwiseEqual(eager, dynamic({x}), x.ToString() + " with a ? dim");
  }
  EXPECT_NE(dynamic.ir_text().find("cond"), std::string::npos);
}

// while_loop with a data-dependent trip count, and fori_loop.
Tensors WhileProgram(const Tensor& x) {
  // Halve until the sum is below 1, counting the steps.
  const Tensors halved = while_loop([](const Tensors& v) { return reduce_sum(abs(v[0])) >= 1.f; },
                                    [](const Tensors& v) {
                                      return Tensors{v[0] * 0.5f, v[1] + 1};
                                    },
                                    {x, constant(0, int32)});
  const Tensor powers = fori_loop(
      constant(0, int32), constant(4, int32),
      [&](const Tensor& i, const Tensor& acc) { return acc * x + i.cast(float32); }, x);
  return {halved[0], halved[1], powers};
}

TEST(ParityHandWritten, WhileEagerAndTraced) {
  auto traced = function([](const Tensor& x) { return WhileProgram(x); });
  const ConcreteFunction dynamic = traced.get_concrete_function(TensorSpec({kDynamic}));
  for (const Tensor& x :
       {constant({3.f, -1.5f}), constant({0.25f, 0.125f, 0.f}), constant({40.f})}) {
    const Tensors eager = WhileProgram(x);
    ExpectBitwiseEqual(eager, traced(x), x.ToString());
    ExpectBitwiseEqual(eager, dynamic({x}), x.ToString() + " with a ? dim");
  }
  EXPECT_EQ(Value(WhileProgram(constant({3.f, -1.5f}))[1]).GetInt(0),
            3);  // 4.5 -> 2.25 -> 1.125 -> 0.5625
  EXPECT_NE(dynamic.ir_text().find("while"), std::string::npos);
}

// `call` has no API that emits it (nested graphc::functions inline), so the
// module is built by hand: @poly(x) = x * x + x, and @main(a, b) calls it
// twice and joins the results. The eager side runs the same ops directly.
TEST(ParityHandWritten, CallMatchesEagerOps) {
  using ir::DType;
  ir::Module m;
  ir::Function* poly = m.AddFunction("poly");
  {
    ir::Value* x = poly->AddParam({DType::kF32, ir::Shape{kDynamic}}, "x");
    ir::Builder b(&poly->body());
    absl::StatusOr<ir::Value*> xx = b.Emit("mul", {x, x});
    ASSERT_TRUE(xx.ok()) << xx.status();
    absl::StatusOr<ir::Value*> y = b.Emit("add", {*xx, x});
    ASSERT_TRUE(y.ok()) << y.status();
    poly->set_result_types({(*y)->type()});
    ASSERT_TRUE(b.Create("return", {*y}).ok());
  }
  ir::Function* main_fn = m.AddFunction("main");
  {
    ir::Value* a = main_fn->AddParam({DType::kF32, ir::Shape{3}}, "a");
    ir::Value* c = main_fn->AddParam({DType::kF32, ir::Shape{2}}, "c");
    ir::Builder b(&main_fn->body());
    absl::StatusOr<ir::Op*> pa = b.Create("call", {a}, {{"callee", ir::SymbolRef{"poly"}}});
    absl::StatusOr<ir::Op*> pc = b.Create("call", {c}, {{"callee", ir::SymbolRef{"poly"}}});
    ASSERT_TRUE(pa.ok()) << pa.status();
    ASSERT_TRUE(pc.ok()) << pc.status();
    absl::StatusOr<ir::Value*> joined =
        b.Emit("concat", {(*pa)->result(), (*pc)->result()}, {{"axis", int64_t{0}}});
    ASSERT_TRUE(joined.ok()) << joined.status();
    main_fn->set_result_types({(*joined)->type()});
    ASSERT_TRUE(b.Create("return", {*joined}).ok());
  }
  ASSERT_TRUE(ir::VerifyModule(m).ok()) << ir::VerifyModule(m);

  const Tensor a = constant({-1.5f, 0.f, 2.25f});
  const Tensor c = constant({3.f, -0.75f});
  const std::vector<HostTensor> args = {Value(a), Value(c)};
  absl::StatusOr<std::vector<HostTensor>> run = interp::RunFunction(*main_fn, args, nullptr);
  ASSERT_TRUE(run.ok()) << run.status();
  const Tensor eager = concat({a * a + a, c * c + c}, 0);
  ASSERT_EQ(run->size(), 1u);
  ExpectBitwiseEqual({eager}, {MakeEager((*run)[0])}, "call");
  EXPECT_EQ(Value(eager).GetDouble(0), 0.75);
}

}  // namespace
}  // namespace graphc::test
