// Affine dims (compiler/codegen/dim_table.h) and the arena placed with
// them (symbolic_arena.h): checked at many values of the run-time dims,
// since the placement claims to hold at all of them.
#include <memory>
#include <string>
#include <vector>

#include "compiler/codegen/dim_table.h"
#include "compiler/codegen/shape_family.h"
#include "compiler/codegen/symbolic_arena.h"
#include "compiler/interpreter/constant_evaluator.h"
#include "gtest/gtest.h"
#include "ir/str_cat.h"
#include "passes/pass_manager.h"
#include "tests/common/random_graphs.h"

namespace graphc::codegen {
namespace {

TEST(AffineDim, Arithmetic) {
  const AffineDim batch = AffineDim::Symbol(0);
  const AffineDim rows = batch * 784 + AffineDim::Constant(-784);  // 784 * (s0 - 1)
  EXPECT_EQ(rows.ToString(), "784*s0 - 784");
  EXPECT_EQ(rows.Evaluate(std::vector<int64_t>{3}), 1568);
  EXPECT_EQ((AffineDim::Symbol(1) + AffineDim::Constant(2)).ToString(), "s1 + 2");
  EXPECT_EQ(AffineDim::Constant(7).ToString(), "7");
  EXPECT_TRUE((batch * 0).is_constant());
  EXPECT_FALSE(batch.is_constant());
  // The bound is at least both, term by term.
  const AffineDim bound = UpperBound(batch * 4 + AffineDim::Constant(10), batch * 8);
  EXPECT_EQ(bound.ToString(), "8*s0 + 10");
  // Rounded term by term: a multiple of 64 at every size, never smaller.
  const AffineDim rounded = RoundUpTerms(batch * 40 + AffineDim::Constant(-100), 64);
  EXPECT_EQ(rounded.ToString(), "64*s0 - 64");
  for (int64_t s = 3; s < 50; ++s) {
    const int64_t exact = 40 * s - 100, r = rounded.Evaluate(std::vector<int64_t>{s});
    EXPECT_EQ(r % 64, 0);
    EXPECT_GE(r, exact);
  }
}

// For every random graph that makes a family: at symbol values from 2 to
// 40, the arena buffers that are live at once do not overlap, every offset
// is aligned, and the arena holds them all.
TEST(SymbolicArena, BuffersLiveAtOnceNeverOverlapAtAnySize) {
  int families = 0;
  for (test::GraphKind kind : test::kAllGraphKinds) {
    for (uint64_t seed = 0; seed < 40; ++seed) {
      absl::StatusOr<std::unique_ptr<ir::Module>> m = test::RandomGraph(seed, kind);
      ASSERT_TRUE(m.ok()) << m.status();
      passes::PassContext context = interp::DefaultPassContext();
      ASSERT_TRUE(passes::RunPipeline(**m, context).ok());
      const ir::Function& f = *(*m)->FindFunction("main");
      std::vector<ir::TensorType> types;
      for (int i = 0; i < f.num_params(); ++i) types.push_back({f.param(i)->dtype(), test::RunTimeShape(*f.param(i))});
      absl::StatusOr<ShapeFamily> family = DeriveShapeFamily(f, types);
      if (!family.ok()) continue;
      ++families;
      const passes::BufferPlan& plan = family->lowered.plan;
      const SymbolicArena arena = PlaceArena(plan, family->dims);
      for (int64_t s = 2; s <= 40; s += 3) {
        const std::vector<int64_t> symbols(static_cast<size_t>(family->dims.num_symbols()), s);
        struct Placed {
          int64_t begin, end;
          int live_begin, live_end;
        };
        std::vector<Placed> placed;
        for (size_t i = 0; i < plan.values.size(); ++i) {
          const passes::ValueBuffer& vb = plan.values[i];
          if (vb.kind != passes::BufferKind::kArena) continue;
          const int64_t offset = arena.offsets[i].Evaluate(symbols);
          const int64_t bytes = family->dims.NumElements(vb.value).Evaluate(symbols) * ir::DTypeSize(vb.value->dtype());
          EXPECT_EQ(offset % passes::kBufferAlignment, 0);
          EXPECT_GE(offset, 0);
          EXPECT_LE(offset + bytes, arena.bytes.Evaluate(symbols));
          placed.push_back({offset, offset + bytes, vb.live_begin, vb.buffer_end});
        }
        for (size_t a = 0; a < placed.size(); ++a) {
          for (size_t b = a + 1; b < placed.size(); ++b) {
            const bool live_together = placed[a].live_begin <= placed[b].live_end && placed[b].live_begin <= placed[a].live_end;
            const bool apart = placed[a].end <= placed[b].begin || placed[b].end <= placed[a].begin;
            EXPECT_TRUE(!live_together || apart) << test::GraphKindName(kind) << " seed " << seed << " size " << s;
          }
        }
      }
    }
  }
  EXPECT_GE(families, 10);
}

}  // namespace
}  // namespace graphc::codegen
