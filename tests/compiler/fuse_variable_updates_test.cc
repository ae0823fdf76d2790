// codegen::FuseVariableUpdates: an optimizer step's variable update folded
// into the loop fusion computing it, only where the old value cannot change
// in between; and the compiled result (the fusion then writing the variable
// in place) bit for bit the interpreter's.
#include "compiler/codegen/fuse_variable_updates.h"

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "compiler/interpreter/interpreter.h"
#include "gtest/gtest.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "tests/common/jit.h"

namespace graphc {
namespace {

// A momentum-like step over f32[64]: %g scaled, then the update of @w;
// `between` goes between the fusion and the update.
std::string Step(const std::string& update, const std::string& between = "", const std::string& ret = "%g") {
  return R"(var @w : f32[64]
var @seen : f32[64]

func @step(%g: f32[64]) -> (f32[64]) {
  %0 = fusion %g {kind = "loop"} : f32[64] (%a: f32[64]) {
    %1 = constant {value = dense<f32[] 0.1>} : f32[]
    %2 = mul %a, %1 : f32[64]
    %3 = exp %2 : f32[64]
    yield %3
  }
)" + between +
         "  " + update + " %0 {var = @w}\n  return " + ret + "\n}\n";
}

std::unique_ptr<ir::Module> Parse(const std::string& text) {
  absl::StatusOr<std::unique_ptr<ir::Module>> m = ir::ParseModule(text, "step.gir");
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? std::move(*m) : nullptr;
}

std::string Rewritten(const std::string& text) {
  std::unique_ptr<ir::Module> m = Parse(text);
  if (m == nullptr) return "";
  ir::Function& f = *m->functions().front();
  EXPECT_TRUE(codegen::FuseVariableUpdates(f).ok());
  EXPECT_TRUE(ir::VerifyModule(*m).ok()) << ir::PrintModule(*m);
  return ir::PrintModule(*m);
}

TEST(FuseVariableUpdates, FoldsTheUpdateIntoTheFusion) {
  for (const std::string update : {"assign_sub", "assign_add"}) {
    const std::string out = Rewritten(Step(update));
    SCOPED_TRACE(out);
    // The variable is read before the fusion and updated inside it.
    const size_t read = out.find("= read_var {var = @w}");
    const size_t fusion = out.find("= fusion %g, ");
    ASSERT_NE(read, std::string::npos);
    ASSERT_NE(fusion, std::string::npos);
    EXPECT_LT(read, fusion);
    EXPECT_NE(out.find(update == "assign_sub" ? " = sub %" : " = add %"), std::string::npos);
    // A plain assign of the fusion's result replaces the update.
    const size_t assign = out.find("  assign %");
    ASSERT_NE(assign, std::string::npos);
    EXPECT_EQ(out.substr(out.find(" {", assign), 13), " {var = @w}\n ");
    EXPECT_EQ(out.find(update + " "), std::string::npos);
  }
}

TEST(FuseVariableUpdates, LeavesUpdatesWhoseOldValueCouldChange) {
  const std::string cases[] = {
      // The variable written in between.
      Step("assign_sub", "  assign %g {var = @w}\n"),
      // Read in between: the fusion would write the variable before it.
      Step("assign_sub", "  %9 = read_var {var = @w} : f32[64]\n  assign %9 {var = @seen}\n"),
      // The step itself used again: it is not only the update's.
      Step("assign_sub", "", "%0"),
  };
  for (const std::string& text : cases) {
    SCOPED_TRACE(text);
    const std::string out = Rewritten(text);
    EXPECT_NE(out.find("assign_sub %0 {var = @w}"), std::string::npos) << out;
  }
}

// Compiled (with the rewrite and the fusion writing @w in place) against the
// interpreter (without either), bitwise, for each case above.
TEST(FuseVariableUpdates, CompiledStepsGiveTheInterpretersBits) {
  std::mt19937 rng(3);
  std::normal_distribution<float> normal;
  HostTensor g(ir::DType::kF32, ir::Shape{{64}}), w0 = g.Clone(), seen0 = g.Clone();
  for (HostTensor* t : {&g, &w0, &seen0}) {
    for (int i = 0; i < 64; ++i) t->mutable_data_as<float>()[i] = normal(rng);
  }
  const std::string cases[] = {
      Step("assign_sub"), Step("assign_add"), Step("assign_sub", "  assign %g {var = @w}\n"),
      Step("assign_sub", "  %9 = read_var {var = @w} : f32[64]\n  assign %9 {var = @seen}\n"),
      Step("assign_sub", "", "%0")};
  for (const std::string& text : cases) {
    SCOPED_TRACE(text);
    std::unique_ptr<ir::Module> m = Parse(text);
    ASSERT_NE(m, nullptr);
    const ir::Function& f = *m->functions().front();
    // Deep copies: tensors share buffers, and both runs update in place.
    interp::VariableStore want_vars = {{"w", w0.Clone()}, {"seen", seen0.Clone()}};
    interp::VariableStore got_vars = {{"w", w0.Clone()}, {"seen", seen0.Clone()}};
    const HostTensor args[] = {g};
    absl::StatusOr<std::vector<HostTensor>> want = interp::RunFunction(f, args, &want_vars);
    absl::StatusOr<std::vector<HostTensor>> got = test::RunJit(f, args, &got_vars);
    ASSERT_TRUE(want.ok()) << want.status();
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_TRUE((*got)[0].BitwiseEquals((*want)[0]));
    for (const char* var : {"w", "seen"}) EXPECT_TRUE(got_vars[var].BitwiseEquals(want_vars[var])) << var;
    EXPECT_FALSE(got_vars["w"].BitwiseEquals(w0));  // it did update
  }
}

}  // namespace
}  // namespace graphc
