// The default pipeline never changes results: the reference interpreter
// gives bitwise the same tensors before and after it, for every op sample
// (operands passed in, and operands as constants so folding runs) and for
// random graphs of every kind (tests/common/random_graphs.h). No pass
// reassociates floating-point arithmetic, so there is no tolerance: a
// differing bit is a bug in a pass. The counters at the end of each test
// check that the pipeline had work to do (the test is not vacuous).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "compiler/interpreter/constant_evaluator.h"
#include "compiler/interpreter/interpreter.h"
#include "gtest/gtest.h"
#include "ir/builder.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/str_cat.h"
#include "passes/pass_manager.h"
#include "passes/pass_registry.h"
#include "tests/common/op_samples.h"
#include "tests/common/random_graphs.h"

namespace graphc::test {
namespace {

// Graphs per kind (five kinds). GRAPHC_RANDOM_GRAPHS=N in the environment
// runs N per kind instead, for a longer hunt after changing a pass.
constexpr int kGraphsPerKind = 60;

int GraphsPerKind() {
  const char* env = std::getenv("GRAPHC_RANDOM_GRAPHS");
  int n = 0;
  if (env != nullptr && absl::SimpleAtoi(env, &n) && n > 0) return n;
  return kGraphsPerKind;
}

// "f32[2,2] [1, -0, nan, inf]": the first elements, with every bit that
// matters visible (9 / 17 significant digits, the sign of zero).
std::string Show(const HostTensor& t) {
  std::string out = StrCat(t.type().ToString(), " [");
  const int64_t n = std::min<int64_t>(t.size(), 16);
  for (int64_t i = 0; i < n; ++i) {
    char buf[40];
    if (ir::IsFloat(t.dtype())) {
      std::snprintf(buf, sizeof buf, t.dtype() == ir::DType::kF32 ? "%.9g" : "%.17g",
                    t.GetDouble(i));
    } else {
      std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(t.GetInt(i)));
    }
    out += StrCat(i == 0 ? "" : ", ", buf);
  }
  return out + (t.size() > n ? ", ...]" : "]");
}

// Empty if `after` holds bitwise the same tensors as `before`, else what differs.
std::string Differences(const std::vector<HostTensor>& before,
                        const std::vector<HostTensor>& after) {
  if (before.size() != after.size()) {
    return StrCat(before.size(), " results before the pipeline, ", after.size(), " after");
  }
  std::string out;
  for (size_t i = 0; i < before.size(); ++i) {
    if (before[i].BitwiseEquals(after[i])) continue;
    out +=
        StrCat("result ", i, ":\n  before ", Show(before[i]), "\n  after  ", Show(after[i]), "\n");
  }
  return out;
}

absl::StatusOr<std::vector<HostTensor>> RunMain(const ir::Module& m,
                                                const std::vector<HostTensor>& args) {
  const ir::Function* main = m.FindFunction("main");
  if (main == nullptr) return absl::NotFoundError("no @main");
  return interp::RunFunction(*main, args, /*variables=*/nullptr);
}

// The default pipeline, verifying the IR after every pass; true if it changed anything.
absl::StatusOr<bool> RunDefaultPipeline(ir::Module& m) {
  absl::StatusOr<passes::PassManager> pm = passes::PassManager::Parse(passes::kDefaultPipeline);
  if (!pm.ok()) return pm.status();
  passes::PassContext context = interp::DefaultPassContext();
  passes::PipelineOptions options;
  options.verify_each = true;
  return pm->Run(m, context, options);
}

int CountOps(const ir::Module& m, std::string_view name) {
  int n = 0;
  ir::WalkOps(m.FindFunction("main")->body(), [&](const ir::Op* op) { n += op->name() == name; });
  return n;
}

// ---- every op sample ----

// `@main` applying the sample's op to its operands, given as parameters or
// as `constant` ops; it returns every result.
absl::StatusOr<std::unique_ptr<ir::Module>> SampleModule(const OpSample& s, bool as_constants) {
  auto m = std::make_unique<ir::Module>();
  ir::Function* f = m->AddFunction("main");
  ir::Builder b(&f->body());
  std::vector<ir::Value*> operands;
  for (const HostTensor& t : s.operands) {
    if (as_constants) {
      absl::StatusOr<ir::Value*> c = b.Constant(t.ToDense());
      if (!c.ok()) return c.status();
      operands.push_back(*c);
    } else {
      operands.push_back(f->AddParam(t.type()));
    }
  }
  absl::StatusOr<ir::Op*> op = b.Create(s.op, operands, s.attrs);
  if (!op.ok()) return op.status();
  std::vector<ir::TensorType> types;
  for (ir::Value* v : (*op)->results()) types.push_back(v->type());
  f->set_result_types(types);
  if (absl::StatusOr<ir::Op*> ret = b.Create("return", (*op)->results()); !ret.ok()) {
    return ret.status();
  }
  return m;
}

// True if `@main` computes nothing left: only constants before its return.
bool FullyFolded(const ir::Module& m) {
  for (const auto& op : m.FindFunction("main")->body().ops()) {
    if (op->name() != "constant" && op->name() != "return") return false;
  }
  return true;
}

TEST(PipelineEquivalenceTest, EveryOpSampleKeepsItsValues) {
  int constant_variants = 0, folded = 0;
  for (const OpSample& s : AllSamples()) {
    for (const bool as_constants : {false, true}) {
      if (as_constants && s.operands.empty()) continue;  // the same function again
      const std::string what = StrCat(Describe(s), as_constants ? " with constant operands" : "");
      absl::StatusOr<std::unique_ptr<ir::Module>> m = SampleModule(s, as_constants);
      ASSERT_TRUE(m.ok()) << what << ": " << m.status();
      const std::string before_ir = ir::PrintModule(**m);
      const std::vector<HostTensor> args = as_constants ? std::vector<HostTensor>() : s.operands;
      absl::StatusOr<std::vector<HostTensor>> before = RunMain(**m, args);
      ASSERT_TRUE(before.ok()) << what << ": " << before.status();
      absl::StatusOr<bool> changed = RunDefaultPipeline(**m);
      ASSERT_TRUE(changed.ok()) << what << ": " << changed.status() << "\n" << before_ir;
      absl::StatusOr<std::vector<HostTensor>> after = RunMain(**m, args);
      ASSERT_TRUE(after.ok()) << what << ": " << after.status() << "\n" << ir::PrintModule(**m);
      const std::string diff = Differences(*before, *after);
      EXPECT_TRUE(diff.empty()) << what << "\n"
                                << diff << "before the pipeline:\n"
                                << before_ir << "after:\n"
                                << ir::PrintModule(**m);
      if (as_constants) {
        ++constant_variants;
        folded += FullyFolded(**m);
      }
    }
  }
  // Not vacuous: folding evaluated every op on its constant operands (all
  // samples are small and valid, so none is left to run time).
  EXPECT_EQ(folded, constant_variants);
}

// ---- the ops without samples: control flow, calls, variables ----

// Hand-written functions for the ops the sample table cannot run alone, with
// redundancy inside regions and across variable writes for the passes to
// work on. Each runs on every argument list given.
struct HandWritten {
  const char* name;
  const char* ir;
  std::vector<std::vector<HostTensor>> arg_lists;
};

std::vector<HandWritten> HandWrittenCases() {
  using ir::DType;
  const HostTensor x = Pattern(DType::kF32, {4}, 1), y = Pattern(DType::kF32, {4}, 2);
  const HostTensor special = MakeTensor(
      DType::kF32, {4},
      {-0.0, std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN(), 2});
  const HostTensor yes = MakeTensor(DType::kBool, {}, {1}), no = MakeTensor(DType::kBool, {}, {0});
  return {
      {"cond",
       R"(
func @main(%p: bool[], %x: f32[4], %y: f32[4]) -> (f32[4], f32[4]) {
  %0 = neg %x : f32[4]
  %1 = cond %p, %x, %y : f32[4] (%a: f32[4], %b: f32[4]) {
    %2 = neg %0 : f32[4]
    %3 = add %2, %b : f32[4]
    %4 = add %2, %b : f32[4]
    %5 = mul %3, %4 : f32[4]
    yield %5
  } (%c: f32[4], %d: f32[4]) {
    %6 = constant {value = dense<f32[] 1.0>} : f32[]
    %7 = mul %c, %6 : f32[4]
    %8 = sub %7, %d : f32[4]
    %9 = constant {value = dense<f32[] 0.0>} : f32[]
    %10 = add %8, %9 : f32[4]
    yield %10
  }
  %11 = neg %x : f32[4]
  %12 = add %1, %11 : f32[4]
  return %12, %1
}
)",
       {{yes, x, y}, {no, x, y}, {yes, special, y}, {no, x, special}}},
      {"while",
       R"(
func @main(%x: f32[4], %n: i32[]) -> (f32[4], i32[]) {
  %0 = constant {value = dense<i32[] 0>} : i32[]
  %1, %2 = while %x, %0 : f32[4], i32[] (%v: f32[4], %i: i32[]) {
    %3 = lt %i, %n : bool[]
    yield %3
  } (%w: f32[4], %j: i32[]) {
    %4 = tanh %w : f32[4]
    %5 = neg %4 : f32[4]
    %6 = neg %5 : f32[4]
    %7 = mul %6, %x : f32[4]
    %8 = constant {value = dense<f32[] 1.0>} : f32[]
    %9 = mul %7, %8 : f32[4]
    %10 = transpose %9 : f32[4]
    %11 = constant {value = dense<i32[] 1>} : i32[]
    %12 = add %j, %11 : i32[]
    yield %10, %12
  }
  return %1, %2
}
)",
       {{x, MakeTensor(DType::kI32, {}, {3})},
        {special, MakeTensor(DType::kI32, {}, {2})},
        {x, MakeTensor(DType::kI32, {}, {0})}}},
      {"call",
       R"(
func @main(%x: f32[4], %y: f32[?]) -> (f32[4], f32[?]) {
  %0 = call %x, %y {callee = @scale} : f32[4]
  %1 = call %x, %y {callee = @scale} : f32[4]
  %2 = add %0, %1 : f32[4]
  %3 = call %y {callee = @square_dynamic} : f32[?]
  %4 = call %x {callee = @square_dynamic} : f32[?]
  return %2, %3
}

func @scale(%a: f32[4], %b: f32[?]) -> (f32[4]) {
  %0 = mul %a, %b : f32[4]
  %1 = call %0 {callee = @square_dynamic} : f32[?]
  %2 = reshape %1 {shape = [4]} : f32[4]
  return %2
}

func @square_dynamic(%a: f32[?]) -> (f32[?]) {
  %0 = square %a : f32[?]
  return %0
}
)",
       {{x, y}, {special, x}}},
      {"variables",
       R"(
var @w : f32[4]
var @steps : i64[] {trainable = false}

func @main(%g: f32[4]) -> (f32[4], f32[4]) {
  %0 = read_var {var = @w} : f32[4]
  %1 = read_var {var = @w} : f32[4]
  %2 = constant {value = dense<f32[] 0.5>} : f32[]
  %3 = mul %g, %2 : f32[4]
  assign_sub %3 {var = @w}
  %4 = read_var {var = @w} : f32[4]
  %5 = add %0, %1 : f32[4]
  %6 = mul %4, %2 : f32[4]
  %7 = constant {value = dense<i64[] 1>} : i64[]
  assign_add %7 {var = @steps}
  assign_add %6 {var = @w}
  %8 = read_var {var = @w} : f32[4]
  assign %5 {var = @w}
  return %5, %8
}
)",
       {{x}, {special}}},
  };
}

interp::VariableStore InitialVariables() {
  return {{"w", Pattern(ir::DType::kF32, {4}, 5)}, {"steps", MakeTensor(ir::DType::kI64, {}, {7})}};
}

TEST(PipelineEquivalenceTest, ControlFlowCallsAndVariablesKeepTheirValues) {
  for (const HandWritten& c : HandWrittenCases()) {
    absl::StatusOr<std::unique_ptr<ir::Module>> original = ir::ParseModule(c.ir, c.name);
    ASSERT_TRUE(original.ok()) << original.status();
    absl::StatusOr<std::unique_ptr<ir::Module>> optimized = ir::ParseModule(c.ir, c.name);
    ASSERT_TRUE(optimized.ok()) << optimized.status();
    absl::StatusOr<bool> changed = RunDefaultPipeline(**optimized);
    ASSERT_TRUE(changed.ok()) << c.name << ": " << changed.status();
    EXPECT_TRUE(*changed) << c.name;
    const std::string after_ir = ir::PrintModule(**optimized);
    for (size_t k = 0; k < c.arg_lists.size(); ++k) {
      const std::string what = StrCat(c.name, ", arguments ", k);
      interp::VariableStore vars_before = InitialVariables(), vars_after = InitialVariables();
      absl::StatusOr<std::vector<HostTensor>> before =
          interp::RunFunction(*(*original)->FindFunction("main"), c.arg_lists[k], &vars_before);
      ASSERT_TRUE(before.ok()) << what << ": " << before.status();
      absl::StatusOr<std::vector<HostTensor>> after =
          interp::RunFunction(*(*optimized)->FindFunction("main"), c.arg_lists[k], &vars_after);
      ASSERT_TRUE(after.ok()) << what << ": " << after.status() << "\n" << after_ir;
      EXPECT_EQ(Differences(*before, *after), "") << what << "\n" << after_ir;
      for (const char* var : {"w", "steps"}) {
        EXPECT_TRUE(vars_before[var].BitwiseEquals(vars_after[var]))
            << what << ": variable @" << var << "\n  before " << Show(vars_before[var])
            << "\n  after  " << Show(vars_after[var]) << "\n"
            << after_ir;
      }
    }
  }
}

// ---- random graphs ----

struct Counts {
  int graphs = 0;
  int changed = 0;
  int with_fusion = 0;
  int with_dynamic_dims = 0;
  int with_calls = 0;
};

bool HasDynamicParam(const ir::Function& f) {
  for (int i = 0; i < f.num_params(); ++i) {
    if (!f.param(i)->shape().is_static()) return true;
  }
  return false;
}

// Generates graph `seed` of `kind` twice (checking determinism), runs one
// copy through the pipeline and compares the interpreter's results.
void CheckGraph(GraphKind kind, uint64_t seed, Counts& counts) {
  const std::string what = StrCat(GraphKindName(kind), " graph, seed ", seed);
  absl::StatusOr<std::unique_ptr<ir::Module>> original = RandomGraph(seed, kind);
  ASSERT_TRUE(original.ok()) << original.status();
  absl::StatusOr<std::unique_ptr<ir::Module>> optimized = RandomGraph(seed, kind);
  ASSERT_TRUE(optimized.ok()) << optimized.status();
  const std::string before_ir = ir::PrintModule(**original);
  ASSERT_EQ(before_ir, ir::PrintModule(**optimized)) << what << ": not deterministic";

  const ir::Function& main = *(*original)->FindFunction("main");
  const std::vector<HostTensor> args = RandomInputs(main, seed);
  absl::StatusOr<std::vector<HostTensor>> before = RunMain(**original, args);
  ASSERT_TRUE(before.ok()) << what << ": " << before.status() << "\n" << before_ir;
  absl::StatusOr<bool> changed = RunDefaultPipeline(**optimized);
  ASSERT_TRUE(changed.ok()) << what << ": " << changed.status() << "\n" << before_ir;
  absl::StatusOr<std::vector<HostTensor>> after = RunMain(**optimized, args);
  ASSERT_TRUE(after.ok()) << what << ": " << after.status() << "\n" << ir::PrintModule(**optimized);
  const std::string diff = Differences(*before, *after);
  EXPECT_TRUE(diff.empty()) << what << "\n"
                            << diff << "before the pipeline:\n"
                            << before_ir << "after:\n"
                            << ir::PrintModule(**optimized);

  ++counts.graphs;
  counts.changed += *changed;
  counts.with_fusion += CountOps(**optimized, "fusion") > 0;
  counts.with_dynamic_dims += HasDynamicParam(main);
  counts.with_calls += CountOps(**original, "call") > 0;
}

class RandomGraphEquivalence : public ::testing::TestWithParam<GraphKind> {};

TEST_P(RandomGraphEquivalence, PipelineKeepsValues) {
  const GraphKind kind = GetParam();
  const int graphs = GraphsPerKind();
  Counts counts;
  for (uint64_t seed = 0; seed < static_cast<uint64_t>(graphs); ++seed) {
    CheckGraph(kind, seed, counts);
    if (HasFatalFailure()) return;
  }
  // Not vacuous: every graph holds redundancy the pipeline removes, most
  // get fusion ops, and the generator's variety shows up.
  EXPECT_EQ(counts.graphs, graphs);
  EXPECT_EQ(counts.changed, counts.graphs);
  EXPECT_GE(counts.with_fusion, counts.graphs * 8 / 10);
  EXPECT_GE(counts.with_dynamic_dims, counts.graphs / 6);
  if (kind != GraphKind::kMatmul) {
    EXPECT_GE(counts.with_calls, counts.graphs / 6);
  }
}

INSTANTIATE_TEST_SUITE_P(AllKinds, RandomGraphEquivalence, ::testing::ValuesIn(kAllGraphKinds),
                         [](const ::testing::TestParamInfo<GraphKind>& info) {
                           return std::string(GraphKindName(info.param));
                         });

// ---- the comparison catches wrong rewrites ----

bool IsZeroConstant(const ir::Value* v) {
  const ir::Op* op = v->defining_op();
  if (op == nullptr || op->name() != "constant") return false;
  const ir::DenseElements& e = op->attr<ir::DenseElements>("value");
  for (int64_t i = 0; i < e.size(); ++i) {
    if (e.GetDouble(i) != 0) return false;
  }
  return true;
}

// Rewrites that hold for real numbers but not for IEEE floats: x - x -> 0,
// x * 0 -> 0, x + 0 -> x (wrong for inf, NaN and -0.0). What a careless
// canonicalisation would do; the graphs and their inputs must expose it.
class RealNumberFolds : public passes::Pass {
 public:
  std::string_view name() const override { return "real-number-folds"; }
  absl::StatusOr<bool> Run(ir::Module& m, passes::PassContext&) override {
    bool changed = false;
    for (const auto& f : m.functions()) {
      std::vector<ir::Op*> ops;
      ir::WalkOps(f->body(), [&](const ir::Op* op) { ops.push_back(const_cast<ir::Op*>(op)); });
      for (ir::Op* op : ops) {
        absl::StatusOr<ir::Value*> replacement = Rewrite(*op);
        if (!replacement.ok()) return replacement.status();
        if (*replacement == nullptr) continue;
        op->result(0)->ReplaceAllUsesWith(*replacement);
        changed = true;
      }
    }
    return changed;
  }

 private:
  // The wrong replacement of `op`'s result, or null.
  static absl::StatusOr<ir::Value*> Rewrite(ir::Op& op) {
    if (op.num_results() != 1 || !ir::IsFloat(op.result(0)->dtype())) return nullptr;
    if (!op.result(0)->has_uses()) return nullptr;
    ir::Builder b;
    b.SetInsertionPoint(&op);
    const std::string_view name = op.name();
    if (name == "sub" && op.operand(0) == op.operand(1)) {
      return b.Emit("fill_like", {op.operand(0)}, {{"value", 0.0}});
    }
    if (name != "add" && name != "mul") return nullptr;
    for (int i = 0; i < 2; ++i) {
      ir::Value* other = op.operand(1 - i);
      if (!IsZeroConstant(op.operand(i)) || other->type() != op.result(0)->type()) continue;
      if (name == "add") return other;
      return b.Emit("fill_like", {other}, {{"value", 0.0}});
    }
    return nullptr;
  }
};

TEST(PipelineEquivalenceTest, CatchesRewritesThatAreOnlyTrueOfRealNumbers) {
  int rewritten = 0, caught = 0;
  for (const GraphKind kind : kAllGraphKinds) {
    for (uint64_t seed = 0; seed < kGraphsPerKind; ++seed) {
      absl::StatusOr<std::unique_ptr<ir::Module>> m = RandomGraph(seed, kind);
      ASSERT_TRUE(m.ok()) << m.status();
      const std::vector<HostTensor> args = RandomInputs(*(*m)->FindFunction("main"), seed);
      absl::StatusOr<std::vector<HostTensor>> before = RunMain(**m, args);
      ASSERT_TRUE(before.ok()) << before.status();
      passes::PassManager pm;
      pm.Add(*passes::CreatePass("inline"));
      pm.Add(std::make_unique<RealNumberFolds>());
      passes::PassContext context;
      absl::StatusOr<bool> changed = pm.Run(**m, context);
      ASSERT_TRUE(changed.ok()) << changed.status();
      absl::StatusOr<std::vector<HostTensor>> after = RunMain(**m, args);
      ASSERT_TRUE(after.ok()) << after.status();
      rewritten += pm.timings()[1].changed;
      caught += !Differences(*before, *after).empty();
    }
  }
  // The traps are rare and a wrong value is often masked later (-0.0 + 1 is
  // 1), so only some rewritten graphs differ: 12 of 52 with these seeds.
  EXPECT_GE(rewritten, 30);
  EXPECT_GE(caught, 8);
}

// RandomInputs follows the function's signature and is deterministic;
// some seeds plant special values.
TEST(RandomGraphsTest, InputsMatchTheSignatureAndAreDeterministic) {
  int with_special = 0;
  for (uint64_t seed = 0; seed < 40; ++seed) {
    absl::StatusOr<std::unique_ptr<ir::Module>> m = RandomGraph(seed, GraphKind::kMixed);
    ASSERT_TRUE(m.ok()) << m.status();
    const ir::Function& main = *(*m)->FindFunction("main");
    const std::vector<HostTensor> a = RandomInputs(main, seed);
    const std::vector<HostTensor> b = RandomInputs(main, seed);
    ASSERT_EQ(a.size(), static_cast<size_t>(main.num_params()));
    bool special = false;
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_TRUE(ir::IsCompatible(main.param(static_cast<int>(i))->type(), a[i].type()));
      EXPECT_TRUE(a[i].BitwiseEquals(b[i]));
      for (int64_t e = 0; e < a[i].size(); ++e) {
        const double v = a[i].GetDouble(e);
        special |= !std::isfinite(v) || (v == 0 && std::signbit(v));
      }
    }
    with_special += special;
  }
  EXPECT_GE(with_special, 4);
  EXPECT_LE(with_special, 20);
}

// A `?` parameter's run-time shape survives printing and parsing, and
// size-1 dims are among the dynamic ones (broadcasting decided at run time).
TEST(RandomGraphsTest, RunTimeShapesOfDynamicParamsSurviveTheTextForm) {
  int dynamic = 0, dynamic_ones = 0;
  for (uint64_t seed = 0; seed < 60; ++seed) {
    absl::StatusOr<std::unique_ptr<ir::Module>> m = RandomGraph(seed, GraphKind::kElementwise);
    ASSERT_TRUE(m.ok()) << m.status();
    const ir::Function& main = *(*m)->FindFunction("main");
    if (!HasDynamicParam(main)) continue;
    ++dynamic;
    absl::StatusOr<std::unique_ptr<ir::Module>> back = ir::ParseModule(ir::PrintModule(**m), "m");
    ASSERT_TRUE(back.ok()) << back.status();
    const ir::Function& parsed = *(*back)->FindFunction("main");
    for (int i = 0; i < main.num_params(); ++i) {
      const ir::Shape shape = RunTimeShape(*main.param(i));
      EXPECT_TRUE(shape.is_static());
      EXPECT_EQ(shape, RunTimeShape(*parsed.param(i))) << main.param(i)->name_hint();
      for (int64_t d = 0; d < shape.rank(); ++d) {
        dynamic_ones += main.param(i)->shape().dim(d) == ir::kDynamic && shape.dim(d) == 1;
      }
    }
    const std::vector<HostTensor> a = RandomInputs(main, seed), b = RandomInputs(parsed, seed);
    for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(a[i].BitwiseEquals(b[i]));
  }
  EXPECT_GE(dynamic, 10);
  EXPECT_GE(dynamic_ones, 3);
}

TEST(RandomGraphsTest, SeedsAndKindsGiveDifferentGraphs) {
  absl::StatusOr<std::unique_ptr<ir::Module>> a = RandomGraph(1, GraphKind::kElementwise);
  absl::StatusOr<std::unique_ptr<ir::Module>> b = RandomGraph(2, GraphKind::kElementwise);
  absl::StatusOr<std::unique_ptr<ir::Module>> c = RandomGraph(1, GraphKind::kReduction);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_NE(ir::PrintModule(**a), ir::PrintModule(**b));
  EXPECT_NE(ir::PrintModule(**a), ir::PrintModule(**c));
}

}  // namespace
}  // namespace graphc::test
