// The JIT against the interpreter on whole graphs: random graphs of every
// kind (tests/common/random_graphs.h: elementwise chains with broadcasting,
// reductions, matmul epilogues, forward and backward of small MLPs, mixed)
// go through the default pipeline, then run on the interpreter and compiled
// whole by the JIT, on one thread and on two. Results must be equal bit for
// bit (a NaN's sign and payload aside: HostTensor::BitwiseEqualsUpToNans):
// compiled code follows the same scalar definitions, and matrix products
// run in the runtime's GEMM on both sides (matmul's definition).
#include <memory>
#include <string>
#include <vector>

#include "compiler/interpreter/constant_evaluator.h"
#include "compiler/interpreter/interpreter.h"
#include "gtest/gtest.h"
#include "ir/module.h"
#include "ir/printer.h"
#include "ir/str_cat.h"
#include "passes/pass_manager.h"
#include "tests/common/jit.h"
#include "tests/common/random_graphs.h"

namespace graphc {
namespace {

constexpr int kGraphsPerKind = 50;

TEST(JitEquivalence, RandomGraphsGiveTheInterpretersBits) {
  int graphs = 0, compiled = 0;
  std::string refused;
  for (test::GraphKind kind : test::kAllGraphKinds) {
    for (uint64_t seed = 0; seed < kGraphsPerKind; ++seed) {
      absl::StatusOr<std::unique_ptr<ir::Module>> m = test::RandomGraph(seed, kind);
      ASSERT_TRUE(m.ok()) << m.status();
      passes::PassContext context = interp::DefaultPassContext();
      ASSERT_TRUE(passes::RunPipeline(**m, context).ok());
      const ir::Function& f = *(*m)->FindFunction("main");
      const std::vector<HostTensor> inputs = test::RandomInputs(f, seed);
      const std::string what = StrCat(test::GraphKindName(kind), " seed ", seed);
      ++graphs;
      absl::StatusOr<std::vector<HostTensor>> expected = interp::RunFunction(f, inputs, nullptr);
      for (int threads : {1, 2}) {
        test::ScopedThreads scoped(threads);
        absl::StatusOr<std::vector<HostTensor>> got = test::RunJit(f, inputs);
        if (absl::IsUnimplemented(got.status())) {
          if (threads == 1) refused += StrCat(what, ": ", got.status().message(), "\n");
          continue;
        }
        ASSERT_EQ(got.ok(), expected.ok()) << what << ": " << got.status() << " vs " << expected.status();
        if (!expected.ok()) {
          EXPECT_EQ(got.status().message(), expected.status().message()) << what;
          continue;
        }
        compiled += threads == 1;
        ASSERT_EQ(got->size(), expected->size());
        for (size_t i = 0; i < got->size(); ++i) {
          EXPECT_TRUE((*got)[i].BitwiseEqualsUpToNans((*expected)[i]))
              << what << " result " << i << " threads " << threads << "\n" << ir::PrintFunction(f);
        }
      }
    }
  }
  EXPECT_GE(graphs, 200);
  // Every graph compiles: none falls back to the interpreter.
  EXPECT_EQ(compiled, graphs) << refused;
  RecordProperty("compiled_graphs", compiled);
}

}  // namespace
}  // namespace graphc
