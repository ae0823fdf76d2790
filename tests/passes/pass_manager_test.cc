// The pass manager: pipeline text, fixed points, verification after a pass,
// IR dumps that parse back, timings.
#include "passes/pass_manager.h"

#include <sstream>
#include <string>

#include "absl/strings/str_split.h"
#include "compiler/interpreter/constant_evaluator.h"
#include "gtest/gtest.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "passes/pass_registry.h"

namespace graphc::passes {
namespace {

constexpr char kSmall[] = R"(func @f(%x: f32[4]) -> (f32[4]) {
  %0 = neg %x : f32[4]
  %1 = neg %x : f32[4]
  %2 = add %0, %1 : f32[4]
  %3 = exp %x : f32[4]
  return %2
}
)";

std::unique_ptr<ir::Module> Parse(std::string_view text) {
  absl::StatusOr<std::unique_ptr<ir::Module>> m = ir::ParseModule(text, "test.gir");
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? *std::move(m) : nullptr;
}

TEST(PassManagerTest, ParsesPipelinesAndPrintsThemCanonically) {
  absl::StatusOr<PassManager> pm = PassManager::Parse(" cse , fixpoint( dce,cse ) ,inline");
  ASSERT_TRUE(pm.ok()) << pm.status();
  EXPECT_EQ(pm->ToString(), "cse,fixpoint(dce,cse),inline");
}

TEST(PassManagerTest, DefaultPipelineParses) {
  absl::StatusOr<PassManager> pm = PassManager::Parse(kDefaultPipeline);
  ASSERT_TRUE(pm.ok()) << pm.status();
  EXPECT_EQ(pm->ToString(), kDefaultPipeline);
}

TEST(PassManagerTest, RejectsBadPipelines) {
  struct Case {
    const char* pipeline;
    const char* error;
  };
  for (const Case& c : {
           Case{"cse,frobnicate", "unknown pass 'frobnicate' (passes: "},
           Case{"", "at column 1: expected a pass name"},
           Case{"cse,", "at column 5: expected a pass name"},
           Case{"fixpoint(cse", "at column 13: expected ')' closing fixpoint("},
           Case{"fixpoint cse", "at column 10: expected '(' after fixpoint"},
           Case{"cse dce", "at column 5: expected ',' or the end of the pipeline"},
       }) {
    absl::StatusOr<PassManager> pm = PassManager::Parse(c.pipeline);
    ASSERT_FALSE(pm.ok()) << c.pipeline;
    EXPECT_NE(pm.status().message().find(c.error), std::string::npos)
        << c.pipeline << ": " << pm.status();
  }
}

TEST(PassManagerTest, ReportsWhetherAnythingChanged) {
  std::unique_ptr<ir::Module> m = Parse(kSmall);
  PassContext context;
  absl::StatusOr<PassManager> pm = PassManager::Parse("cse,dce");
  ASSERT_TRUE(pm.ok());
  absl::StatusOr<bool> changed = pm->Run(*m, context);
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_TRUE(*changed);
  EXPECT_EQ(ir::PrintModule(*m), R"(func @f(%x: f32[4]) -> (f32[4]) {
  %0 = neg %x : f32[4]
  %1 = add %0, %0 : f32[4]
  return %1
}
)");
  changed = pm->Run(*m, context);
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE(*changed);
  ASSERT_EQ(pm->timings().size(), 2u);
  EXPECT_EQ(pm->timings()[0].name, "cse");
  EXPECT_EQ(pm->timings()[0].runs, 2);
  EXPECT_EQ(pm->timings()[0].changed, 1);
  EXPECT_NE(pm->TimingReport().find("//   dce"), std::string::npos) << pm->TimingReport();
}

// A pass that changes the IR on every run: a fixpoint group around it
// must give up with an error instead of looping forever.
class AlwaysChanges : public Pass {
 public:
  std::string_view name() const override { return "always-changes"; }
  absl::StatusOr<bool> Run(ir::Module&, PassContext&) override { return true; }
};

// A pass that breaks the IR: it retypes a value behind the builder's back.
class BreaksTypes : public Pass {
 public:
  std::string_view name() const override { return "breaks-types"; }
  absl::StatusOr<bool> Run(ir::Module& m, PassContext&) override {
    ir::Op* first = m.functions()[0]->body().ops().front().get();
    first->result(0)->set_type(ir::TensorType{ir::DType::kI32, ir::Shape{{4}}});
    return true;
  }
};

// Runs one hand-made pass (alone, or as a fixpoint group) through a manager.
absl::StatusOr<bool> RunWithExtraPass(std::unique_ptr<Pass> pass, ir::Module& m,
                                      const PipelineOptions& options, bool in_fixpoint) {
  PassManager pm;
  if (in_fixpoint) {
    std::vector<std::unique_ptr<Pass>> group;
    group.push_back(std::move(pass));
    pm.AddFixpoint(std::move(group));
  } else {
    pm.Add(std::move(pass));
  }
  PassContext context;
  return pm.Run(m, context, options);
}

TEST(PassManagerTest, FixpointThatNeverSettlesIsAnError) {
  std::unique_ptr<ir::Module> m = Parse(kSmall);
  absl::StatusOr<bool> r = RunWithExtraPass(std::make_unique<AlwaysChanges>(), *m, {}, true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "fixpoint(always-changes) still changes the IR after 16 rounds: two rewrites undo "
            "each other");
}

TEST(PassManagerTest, VerifierNamesThePassThatBrokeTheIr) {
  std::unique_ptr<ir::Module> m = Parse(kSmall);
  PipelineOptions options;
  options.verify_each = true;
  absl::StatusOr<bool> r = RunWithExtraPass(std::make_unique<BreaksTypes>(), *m, options, false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().substr(0, 36), "pass 'breaks-types' left invalid IR:")
      << r.status();
}

TEST(PassManagerTest, PrintAfterAllDumpsParseBack) {
  std::unique_ptr<ir::Module> m = Parse(kSmall);
  PassContext context = interp::DefaultPassContext();
  std::ostringstream dumps;
  PipelineOptions options;
  options.print_after_all = true;
  options.print_stream = &dumps;
  absl::StatusOr<PassManager> pm = PassManager::Parse(kDefaultPipeline);
  ASSERT_TRUE(pm.ok());
  ASSERT_TRUE(pm->Run(*m, context, options).ok());
  std::vector<std::string> sections = absl::StrSplit(dumps.str(), "// ----- IR after ");
  int parsed = 0;
  for (const std::string& section : sections) {
    if (section.empty()) continue;
    const std::string text = "// " + section;  // the header's rest is a comment line
    std::unique_ptr<ir::Module> back = Parse(text);
    ASSERT_NE(back, nullptr) << text;
    EXPECT_EQ(ir::PrintModule(*back), text.substr(text.find('\n') + 1));
    ++parsed;
  }
  // inline, at least one round of canonicalize/cse/dce, fuse.
  EXPECT_GE(parsed, 5);
}

TEST(PassManagerTest, PrintAfterNamesOnePass) {
  std::unique_ptr<ir::Module> m = Parse(kSmall);
  PassContext context;
  std::ostringstream dumps;
  PipelineOptions options;
  options.print_after = {"dce"};
  options.print_stream = &dumps;
  ASSERT_TRUE(RunPipeline(*m, context, "cse,dce", options).ok());
  EXPECT_EQ(dumps.str().find("// ----- IR after dce -----\n"), 0u) << dumps.str();
  EXPECT_EQ(dumps.str().find("IR after cse"), std::string::npos);
}

TEST(PassRegistryTest, EveryPassIsListedOnceSortedAndCreatesItself) {
  std::string previous;
  for (const PassInfo& info : AllPasses()) {
    EXPECT_LT(previous, std::string(info.name));
    previous = std::string(info.name);
    EXPECT_FALSE(info.summary.empty()) << info.name;
    absl::StatusOr<std::unique_ptr<Pass>> pass = CreatePass(info.name);
    ASSERT_TRUE(pass.ok());
    EXPECT_EQ((*pass)->name(), info.name);
  }
}

}  // namespace
}  // namespace graphc::passes
