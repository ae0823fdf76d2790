// The JIT against the interpreter on whole graphs: random graphs of every
// kind (tests/common/random_graphs.h) go through the default pipeline, then
// run twice: on the interpreter alone, and with their fusion groups
// compiled by the JIT. Results must be equal bit for bit (a NaN's sign and
// payload aside: HostTensor::BitwiseEqualsUpToNans): compiled code follows
// the same scalar definitions and calls the same C library, and matrix
// products run in the runtime's GEMM on both sides (matmul's definition).
#include <memory>
#include <vector>

#include "compiler/codegen/compiled_kernels.h"
#include "compiler/interpreter/constant_evaluator.h"
#include "compiler/interpreter/interpreter.h"
#include "gtest/gtest.h"
#include "ir/module.h"
#include "ir/printer.h"
#include "ir/str_cat.h"
#include "passes/pass_manager.h"
#include "tests/common/random_graphs.h"

namespace graphc {
namespace {

constexpr int kGraphsPerKind = 50;

TEST(JitEquivalence, RandomGraphsGiveTheInterpretersBits) {
  int graphs = 0, compiled = 0, graphs_with_kernels = 0;
  int matmul_fusions = 0, compiled_matmul_fusions = 0;
  for (test::GraphKind kind : test::kAllGraphKinds) {
    for (uint64_t seed = 0; seed < kGraphsPerKind; ++seed) {
      absl::StatusOr<std::unique_ptr<ir::Module>> m = test::RandomGraph(seed, kind);
      ASSERT_TRUE(m.ok()) << m.status();
      passes::PassContext context = interp::DefaultPassContext();
      ASSERT_TRUE(passes::RunPipeline(**m, context).ok());
      const ir::Function& f = *(*m)->FindFunction("main");
      const std::vector<HostTensor> inputs = test::RandomInputs(f, seed);
      codegen::CompileStats stats;
      absl::StatusOr<interp::CompiledKernels> kernels = codegen::CompileFusionKernels(f, &stats);
      ASSERT_TRUE(kernels.ok()) << kernels.status();
      ir::WalkOps(f.body(), [&](const ir::Op* op) {
        if (op->name() != "fusion" || op->attr<std::string>("kind") != "matmul") return;
        ++matmul_fusions;
        compiled_matmul_fusions += kernels->contains(op);
      });
      absl::StatusOr<std::vector<HostTensor>> expected = interp::RunFunction(f, inputs, nullptr);
      absl::StatusOr<std::vector<HostTensor>> got =
          interp::RunFunction(f, inputs, nullptr, &*kernels);
      const std::string what = StrCat(test::GraphKindName(kind), " seed ", seed);
      ASSERT_EQ(got.ok(), expected.ok()) << what << ": " << got.status() << " vs "
                                         << expected.status();
      if (!expected.ok()) continue;
      ASSERT_EQ(got->size(), expected->size());
      for (size_t i = 0; i < got->size(); ++i) {
        EXPECT_TRUE((*got)[i].BitwiseEqualsUpToNans((*expected)[i]))
            << what << " result " << i << "\n" << ir::PrintFunction(f);
      }
      ++graphs;
      compiled += stats.compiled_fusions;
      graphs_with_kernels += stats.compiled_fusions > 0;
    }
  }
  // Not vacuous: most graphs have a compiled loop.
  EXPECT_GE(graphs, 200);
  EXPECT_GE(graphs_with_kernels, graphs / 2) << compiled << " kernels";
  EXPECT_GE(matmul_fusions, 50);
  EXPECT_GE(compiled_matmul_fusions, matmul_fusions * 3 / 4);
  RecordProperty("compiled_kernels", compiled);
  RecordProperty("graphs_with_kernels", graphs_with_kernels);
  RecordProperty("compiled_matmul_fusions", compiled_matmul_fusions);
  RecordProperty("matmul_fusions", matmul_fusions);
}

}  // namespace
}  // namespace graphc
