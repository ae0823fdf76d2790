// Fusions compiled by element generators (compiler/codegen/element_emitter.h)
// against the reference interpreter: every sample of every op that has a
// generator but no scalar definition (reductions, softmax, one_hot,
// reshapes, broadcasts, fills, sum_to_like, transpose, concat), as a
// one-op fusion of kind
// "reduction"; the cross-entropy group of the MLP training step; and the
// fusions the emitter must refuse. Results must be the interpreter's bits
// (any NaN matching any NaN).
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "compiler/codegen/compiled_kernels.h"
#include "compiler/codegen/element_emitter.h"
#include "compiler/interpreter/interpreter.h"
#include "gtest/gtest.h"
#include "ir/builder.h"
#include "ir/module.h"
#include "ir/op_registry.h"
#include "ir/parser.h"
#include "ir/str_cat.h"
#include "tests/common/op_samples.h"

namespace graphc {
namespace {

// Runs @f with and without its compiled fusions; every fusion must compile.
void ExpectCompiledMatchesInterpreter(const ir::Function& f, const std::vector<HostTensor>& args,
                                      const std::string& what) {
  codegen::CompileStats stats;
  absl::StatusOr<interp::CompiledKernels> kernels = codegen::CompileFusionKernels(f, &stats);
  ASSERT_TRUE(kernels.ok()) << what << ": " << kernels.status();
  EXPECT_EQ(stats.interpreted_fusions, 0) << what;
  EXPECT_GE(stats.compiled_fusions, 1) << what;
  absl::StatusOr<std::vector<HostTensor>> expected = interp::RunFunction(f, args, nullptr);
  ASSERT_TRUE(expected.ok()) << what << ": " << expected.status();
  absl::StatusOr<std::vector<HostTensor>> got = interp::RunFunction(f, args, nullptr, &*kernels);
  ASSERT_TRUE(got.ok()) << what << ": " << got.status();
  ASSERT_EQ(got->size(), expected->size());
  for (size_t i = 0; i < got->size(); ++i) {
    EXPECT_TRUE((*got)[i].BitwiseEqualsUpToNans((*expected)[i])) << what << " result " << i;
  }
}

std::vector<test::OpSample> GeneratorSamples() {
  std::vector<test::OpSample> out;
  for (test::OpSample& s : test::AllSamples()) {
    const ir::OpDef* def = ir::OpRegistry::Get().Find(s.op);
    if (def->scalar != nullptr) continue;  // jit_loop_test covers these
    absl::StatusOr<std::unique_ptr<ir::Module>> m = test::OneOpFusion(s, "reduction");
    if (m.ok() && codegen::CanEmitByElements(*(*m)->functions().front()->body().ops().front())) {
      out.push_back(std::move(s));
    }
  }
  return out;
}

class JitElements : public ::testing::TestWithParam<test::OpSample> {};

TEST_P(JitElements, MatchesTheInterpreterBitForBit) {
  const test::OpSample& s = GetParam();
  absl::StatusOr<std::unique_ptr<ir::Module>> m = test::OneOpFusion(s, "reduction");
  ASSERT_TRUE(m.ok()) << m.status();
  ExpectCompiledMatchesInterpreter(*(*m)->functions().front(), s.operands, test::Describe(s));
}

INSTANTIATE_TEST_SUITE_P(GeneratorOps, JitElements, ::testing::ValuesIn(GeneratorSamples()),
                         [](const auto& info) { return info.param.op + "_" + info.param.name; });

// Not vacuous: the ops the MLP step's reduction groups are made of all have
// samples that compile.
TEST(JitElementsCoverage, EveryGeneratorOpHasCompiledSamples) {
  std::set<std::string> ops;
  for (const test::OpSample& s : GeneratorSamples()) ops.insert(s.op);
  for (const char* op : {"reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "sum_to_like",
                         "softmax", "log_softmax", "one_hot", "reshape", "expand_dims", "squeeze",
                         "broadcast_to", "broadcast_like", "fill_like", "constant", "transpose", "concat"}) {
    EXPECT_TRUE(ops.contains(op)) << op;
  }
}

// The cross-entropy group of the traced MLP step (784 -> 20 -> 10, batch
// 64) after the default pipeline: the loss and d(loss)/d(logits) from
// log_softmax, one_hot and three reductions, two results of two shapes.
TEST(JitElementsChain, CrossEntropyGroupOfTheMlpStep) {
  absl::StatusOr<std::unique_ptr<ir::Module>> m = ir::ParseModule(R"(
func @f(%logits: f32[64,10], %labels: i32[64]) -> (f32[], f32[64,10]) {
  %17, %18 = fusion %logits, %labels {kind = "reduction"} : f32[], f32[64,10] (%19: f32[64,10], %20: i32[64]) {
    %21 = constant {value = dense<f32[] 64.0>} : f32[]
    %22 = log_softmax %19 : f32[64,10]
    %23 = one_hot %20 {depth = 10} : f32[64,10]
    %24 = mul %23, %22 : f32[64,10]
    %25 = reduce_sum %24 {axes = [1]} : f32[64]
    %26 = reduce_mean %25 : f32[]
    %27 = neg %26 : f32[]
    %28 = fill_like %27 {value = 1.0} : f32[]
    %29 = neg %28 : f32[]
    %30 = reshape %29 {shape = [1]} : f32[1]
    %31 = div %30, %21 : f32[1]
    %32 = broadcast_like %31, %25 : f32[64]
    %33 = expand_dims %32 {axis = 1} : f32[64,1]
    %34 = mul %33, %23 : f32[64,10]
    %35 = reduce_sum %34 {axes = [-1], keepdims = true} : f32[64,1]
    %36 = exp %22 : f32[64,10]
    %37 = mul %36, %35 : f32[64,10]
    %38 = sub %34, %37 : f32[64,10]
    yield %27, %38
  }
  return %17, %18
}
)",
                                                                   "cross_entropy.gir");
  ASSERT_TRUE(m.ok()) << m.status();
  HostTensor logits(ir::DType::kF32, ir::Shape{{64, 10}});
  for (int64_t i = 0; i < logits.size(); ++i) logits.SetDouble(i, std::sin(0.7 * i) * 5);
  HostTensor labels(ir::DType::kI32, ir::Shape{{64}});
  for (int64_t i = 0; i < 64; ++i) labels.SetInt(i, (i * 7) % 10);
  ExpectCompiledMatchesInterpreter(*(*m)->functions().front(), {logits, labels}, "cross entropy");
}

// A fusion with `?` dims is specialized to each call's shapes and
// compiled on the first call with them: the cross-entropy group with a
// dynamic batch, for three batch sizes.
TEST(JitElementsChain, DynamicShapesCompilePerShape) {
  absl::StatusOr<std::unique_ptr<ir::Module>> m = ir::ParseModule(R"(
func @f(%logits: f32[?,10], %labels: i32[?]) -> (f32[], f32[?,10]) {
  %0, %1 = fusion %logits, %labels {kind = "reduction"} : f32[], f32[?,10] (%x: f32[?,10], %y: i32[?]) {
    %2 = log_softmax %x : f32[?,10]
    %3 = one_hot %y {depth = 10} : f32[?,10]
    %4 = mul %3, %2 : f32[?,10]
    %5 = reduce_sum %4 {axes = [1]} : f32[?]
    %6 = reduce_mean %5 : f32[]
    %7 = neg %6 : f32[]
    %8 = exp %2 : f32[?,10]
    %9 = sub %8, %3 : f32[?,10]
    yield %7, %9
  }
  return %0, %1
}
)",
                                                                   "dynamic.gir");
  ASSERT_TRUE(m.ok()) << m.status();
  const ir::Function& f = *(*m)->functions().front();
  EXPECT_FALSE(codegen::CanEmitByElements(*f.body().ops().front()));
  EXPECT_TRUE(codegen::HasElementGenerators(*f.body().ops().front()));
  for (int64_t batch : {1, 29, 64, 29}) {
    HostTensor logits(ir::DType::kF32, ir::Shape{{batch, 10}});
    for (int64_t i = 0; i < logits.size(); ++i) logits.SetDouble(i, std::cos(0.3 * i) * 4);
    HostTensor labels(ir::DType::kI32, ir::Shape{{batch}});
    for (int64_t i = 0; i < batch; ++i) labels.SetInt(i, (i * 3) % 10);
    ExpectCompiledMatchesInterpreter(f, {logits, labels}, StrCat("batch ", batch));
  }
}

// Reductions, softmax and one_hot outside fusion groups compile as
// one-op fusions on their first call.
TEST(JitElementsChain, StandaloneOpsCompile) {
  absl::StatusOr<std::unique_ptr<ir::Module>> m = ir::ParseModule(R"(
func @f(%x: f32[?,7], %y: i32[?]) -> (f32[?,7], f32[7], f32[?,7]) {
  %0 = softmax %x : f32[?,7]
  %1 = reduce_max %x {axes = [0]} : f32[7]
  %2 = one_hot %y {depth = 7} : f32[?,7]
  return %0, %1, %2
}
)",
                                                                   "standalone.gir");
  ASSERT_TRUE(m.ok()) << m.status();
  const ir::Function& f = *(*m)->functions().front();
  absl::StatusOr<interp::CompiledKernels> kernels = codegen::CompileFusionKernels(f);
  ASSERT_TRUE(kernels.ok()) << kernels.status();
  for (const auto& op : f.body().ops()) {
    if (op->name() != "return") {
      EXPECT_TRUE(kernels->contains(op.get())) << op->name();
    }
  }
  for (int64_t rows : {3, 40}) {
    HostTensor x(ir::DType::kF32, ir::Shape{{rows, 7}});
    for (int64_t i = 0; i < x.size(); ++i) x.SetDouble(i, std::sin(1.3 * i) * 9);
    HostTensor y(ir::DType::kI32, ir::Shape{{rows}});
    for (int64_t i = 0; i < rows; ++i) y.SetInt(i, i % 9 - 1);  // -1 and 7, 8: out of range
    absl::StatusOr<std::vector<HostTensor>> expected = interp::RunFunction(f, std::vector<HostTensor>{x, y}, nullptr);
    absl::StatusOr<std::vector<HostTensor>> got = interp::RunFunction(f, std::vector<HostTensor>{x, y}, nullptr, &*kernels);
    ASSERT_TRUE(expected.ok() && got.ok());
    for (size_t i = 0; i < got->size(); ++i) {
      EXPECT_TRUE((*got)[i].BitwiseEqualsUpToNans((*expected)[i])) << rows << " result " << i;
    }
  }
}

// Integer reductions stay on the interpreter, static or not.
TEST(JitElementsChain, IntegerReductionsStayInterpreted) {
  absl::StatusOr<std::unique_ptr<ir::Module>> m = ir::ParseModule(R"(
func @f(%x: i32[3,4]) -> (i32[4]) {
  %0 = fusion %x {kind = "reduction"} : i32[4] (%a: i32[3,4]) {
    %1 = reduce_sum %a {axes = [0]} : i32[4]
    yield %1
  }
  return %0
}
)",
                                                                   "refused.gir");
  ASSERT_TRUE(m.ok()) << m.status();
  const ir::Function& f = *(*m)->functions().front();
  const ir::Op& fusion = *f.body().ops().front();
  EXPECT_FALSE(codegen::HasElementGenerators(fusion));
  EXPECT_FALSE(codegen::CanEmitByElements(fusion));
  auto context = std::make_unique<llvm::LLVMContext>();
  llvm::Module module("refused", *context);
  EXPECT_FALSE(codegen::EmitByElements(fusion, module, "k").ok());
  codegen::CompileStats stats;
  absl::StatusOr<interp::CompiledKernels> kernels = codegen::CompileFusionKernels(f, &stats);
  ASSERT_TRUE(kernels.ok()) << kernels.status();
  EXPECT_EQ(stats.interpreted_fusions, 1);
  EXPECT_FALSE(kernels->contains(&fusion));
}

}  // namespace
}  // namespace graphc
