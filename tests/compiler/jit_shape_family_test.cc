// Shape families (compiler/codegen/shape_family.h): one executable compiled
// for a function with `?` dims runs every batch size it accepts, with the
// interpreter's bits. Random graphs with `?` dims (tests/common/
// random_graphs.h) are compiled once as a family at their recorded shapes,
// then run at those shapes and at other values of each symbol, on one
// thread and two, against the interpreter.
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "compiler/codegen/compiled_function.h"
#include "compiler/codegen/shape_family.h"
#include "compiler/interpreter/constant_evaluator.h"
#include "compiler/interpreter/interpreter.h"
#include "gtest/gtest.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/str_cat.h"
#include "passes/pass_manager.h"
#include "tests/common/jit.h"
#include "tests/common/random_graphs.h"

namespace graphc {
namespace {

// Random values of `type`: floats in [-2, 2), integers in [-8, 8], bools.
HostTensor RandomTensor(const ir::TensorType& type, std::mt19937_64& rng) {
  HostTensor t(type.dtype, type.shape);
  for (int64_t e = 0; e < t.size(); ++e) {
    const uint64_t r = rng();
    if (ir::IsFloat(type.dtype)) {
      t.SetDouble(e, -2.0 + 4.0 * static_cast<double>(r >> 11) / 9007199254740992.0);
    } else if (ir::IsInteger(type.dtype)) {
      t.SetInt(e, static_cast<int64_t>(r % 17) - 8);
    } else {
      t.SetInt(e, static_cast<int64_t>(r & 1));
    }
  }
  return t;
}

std::vector<ir::TensorType> RunTimeTypes(const ir::Function& f) {
  std::vector<ir::TensorType> types;
  for (int i = 0; i < f.num_params(); ++i) types.push_back({f.param(i)->dtype(), test::RunTimeShape(*f.param(i))});
  return types;
}

TEST(JitShapeFamily, RandomGraphsRunEveryBatchSizeWithTheInterpretersBits) {
  int dynamic_graphs = 0, families = 0, runs = 0;
  std::string refused;
  for (test::GraphKind kind : test::kAllGraphKinds) {
    for (uint64_t seed = 0; seed < 60; ++seed) {
      absl::StatusOr<std::unique_ptr<ir::Module>> m = test::RandomGraph(seed, kind);
      ASSERT_TRUE(m.ok()) << m.status();
      passes::PassContext context = interp::DefaultPassContext();
      ASSERT_TRUE(passes::RunPipeline(**m, context).ok());
      const ir::Function& f = *(*m)->FindFunction("main");
      const std::vector<ir::TensorType> types = RunTimeTypes(f);
      const codegen::SymbolPattern pattern = codegen::FindSymbols(f, types);
      if (pattern.num_symbols == 0) continue;
      ++dynamic_graphs;
      const std::string what = StrCat(test::GraphKindName(kind), " seed ", seed);
      absl::StatusOr<std::unique_ptr<codegen::CompiledFunction>> compiled =
          codegen::CompiledFunction::CompileFamily(f, types);
      if (!compiled.ok()) {
        ASSERT_TRUE(absl::IsFailedPrecondition(compiled.status()) || absl::IsUnimplemented(compiled.status()))
            << what << ": " << compiled.status();
        refused += StrCat(what, ": ", compiled.status().message(), "\n");
        continue;
      }
      ++families;
      ASSERT_TRUE((*compiled)->is_family());
      // The recorded values, then each symbol moved up and down.
      const std::optional<std::vector<int64_t>> base = (*compiled)->Accepts(types);
      ASSERT_TRUE(base.has_value()) << what << ": the family does not accept the shapes it was made for";
      std::vector<std::vector<int64_t>> values = {*base};
      for (int s = 0; s < pattern.num_symbols; ++s) {
        for (int64_t v : {(*base)[static_cast<size_t>(s)] + 3, int64_t{2}}) {
          std::vector<int64_t> moved = *base;
          moved[static_cast<size_t>(s)] = v;
          values.push_back(moved);
        }
      }
      std::mt19937_64 rng(seed);
      for (const std::vector<int64_t>& at : values) {
        const std::vector<ir::TensorType> call = pattern.WithValues(types, at);
        if (!(*compiled)->Accepts(call)) continue;  // e.g. a slice that clamps differently
        std::vector<HostTensor> inputs;
        for (const ir::TensorType& t : call) inputs.push_back(RandomTensor(t, rng));
        absl::StatusOr<std::vector<HostTensor>> expected = interp::RunFunction(f, inputs, nullptr);
        for (int threads : {1, 2}) {
          test::ScopedThreads scoped(threads);
          absl::StatusOr<std::vector<HostTensor>> got = (*compiled)->Run(inputs, nullptr);
          ASSERT_EQ(got.ok(), expected.ok()) << what << ": " << got.status() << " vs " << expected.status();
          if (!expected.ok()) {
            EXPECT_EQ(got.status().message(), expected.status().message()) << what;
            continue;
          }
          runs += threads == 1;
          ASSERT_EQ(got->size(), expected->size());
          for (size_t i = 0; i < got->size(); ++i) {
            EXPECT_EQ((*got)[i].type(), (*expected)[i].type()) << what << " result " << i;
            EXPECT_TRUE((*got)[i].BitwiseEqualsUpToNans((*expected)[i]))
                << what << " result " << i << " threads " << threads << " symbols " << at[0] << "\n"
                << ir::PrintFunction(f);
          }
        }
      }
    }
  }
  RecordProperty("dynamic_graphs", dynamic_graphs);
  RecordProperty("families", families);
  RecordProperty("runs", runs);
  std::printf("%d graphs with `?` dims, %d compiled as families, %d runs\n%s", dynamic_graphs, families, runs,
              refused.c_str());
  EXPECT_GE(families, dynamic_graphs / 2) << refused;
}

std::unique_ptr<ir::Module> Parse(const std::string& text) {
  absl::StatusOr<std::unique_ptr<ir::Module>> m = ir::ParseModule(text, "test.gir");
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? std::move(*m) : nullptr;
}

constexpr char kAffine[] = R"(
func @main(%x: f32[?,?], %w: f32[4,3]) -> (f32[?,3]) {
  %0 = matmul %x, %w : f32[?,3]
  %1 = relu %0 : f32[?,3]
  return %1
}
)";

// A `?` dim that the weights pin is not a symbol, also when the batch
// happens to have its value.
TEST(JitShapeFamily, DimsPinnedByOtherShapesAreNotSymbols) {
  std::unique_ptr<ir::Module> m = Parse(kAffine);
  const ir::Function& f = *m->FindFunction("main");
  for (int64_t batch : {8, 4}) {
    const std::vector<ir::TensorType> call = {{ir::DType::kF32, ir::Shape({batch, 4})},
                                              {ir::DType::kF32, ir::Shape({4, 3})}};
    const codegen::SymbolPattern pattern = codegen::FindSymbols(f, call);
    EXPECT_EQ(pattern.num_symbols, 1) << "batch " << batch;
    EXPECT_EQ(pattern.param_symbols[0], (std::vector<int>{0, -1})) << "batch " << batch;
  }
}

TEST(JitShapeFamily, RunRejectsShapesTheExecutableDoesNotServe) {
  std::unique_ptr<ir::Module> m = Parse(kAffine);
  const ir::Function& f = *m->FindFunction("main");
  const std::vector<ir::TensorType> call = {{ir::DType::kF32, ir::Shape({8, 4})}, {ir::DType::kF32, ir::Shape({4, 3})}};
  absl::StatusOr<std::unique_ptr<codegen::CompiledFunction>> compiled = codegen::CompiledFunction::CompileFamily(f, call);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  std::mt19937_64 rng(1);
  const HostTensor w = RandomTensor(call[1], rng);
  // A batch of 1 broadcasts: another executable's job.
  absl::StatusOr<std::vector<HostTensor>> one =
      (*compiled)->Run(std::vector<HostTensor>{RandomTensor({ir::DType::kF32, ir::Shape({1, 4})}, rng), w}, nullptr);
  EXPECT_EQ(one.status().message(),
            "@main: this executable does not run these shapes (its `?` dims take other values or sizes of 0 or 1 "
            "here): compile for them");
  absl::StatusOr<std::vector<HostTensor>> wide =
      (*compiled)->Run(std::vector<HostTensor>{RandomTensor({ir::DType::kF32, ir::Shape({8, 5})}, rng), w}, nullptr);
  EXPECT_EQ(wide.status().message(), "@main: argument 0 must be f32[?,4], got f32[8,5]");
  // And one it serves, against the interpreter.
  const std::vector<HostTensor> inputs = {RandomTensor({ir::DType::kF32, ir::Shape({13, 4})}, rng), w};
  absl::StatusOr<std::vector<HostTensor>> got = (*compiled)->Run(inputs, nullptr);
  absl::StatusOr<std::vector<HostTensor>> want = interp::RunFunction(f, inputs, nullptr);
  ASSERT_TRUE(got.ok() && want.ok()) << got.status() << want.status();
  EXPECT_TRUE((*got)[0].BitwiseEquals((*want)[0]));
}

// x[:10] has 10 rows at every (large) probe but 5 at batch 5: the fit
// looks affine and is wrong there, so no family is compiled for that call.
TEST(JitShapeFamily, NoFamilyWhereTheFitDoesNotHoldAtTheCall) {
  std::unique_ptr<ir::Module> m = Parse(R"(
func @head(%x: f32[?,3]) -> (f32[?,3]) {
  %0 = strided_slice %x {begin = [0, 0], end = [10, 0], end_mask = 2, strides = [1, 1]} : f32[?,3]
  return %0
}
)");
  const ir::Function& f = *m->FindFunction("head");
  const std::vector<ir::TensorType> call = {{ir::DType::kF32, ir::Shape({5, 3})}};
  ASSERT_TRUE(codegen::DeriveShapeFamily(f, call).ok());
  absl::StatusOr<std::unique_ptr<codegen::CompiledFunction>> compiled = codegen::CompiledFunction::CompileFamily(f, call);
  EXPECT_EQ(compiled.status().message(), "@head's shape family does not hold at the shapes of the call");
}

TEST(JitShapeFamily, NoFamilyWithoutSymbolsOrWithNonAffineSizes) {
  std::unique_ptr<ir::Module> m = Parse(R"(
func @flat(%x: f32[?,?]) -> (f32[?]) {
  %0 = reshape %x {shape = [-1]} : f32[?]
  return %0
}
)");
  const ir::Function& f = *m->FindFunction("flat");
  const std::vector<ir::TensorType> both = {{ir::DType::kF32, ir::Shape({3, 5})}};
  absl::StatusOr<codegen::ShapeFamily> product = codegen::DeriveShapeFamily(f, both);
  EXPECT_TRUE(absl::IsFailedPrecondition(product.status())) << product.status();
  EXPECT_NE(product.status().message().find("not affine"), std::string::npos) << product.status();
  const std::vector<ir::TensorType> ones = {{ir::DType::kF32, ir::Shape({1, 1})}};
  absl::StatusOr<codegen::ShapeFamily> none = codegen::DeriveShapeFamily(f, ones);
  EXPECT_EQ(none.status().message(), "@flat has no shape family: no `?` dim of at least 2");
}

}  // namespace
}  // namespace graphc
