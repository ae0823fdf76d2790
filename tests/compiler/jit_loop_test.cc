// The LLVM loop kernels against the reference interpreter: every sample of
// every elementwise op (one with a scalar definition), as a one-op fusion
// compiled whole by the JIT, must give the interpreter's bits (any NaN
// matching any NaN: BitwiseEqualsUpToNans); plus fused chains with
// broadcasting, `?` dims and large sizes split over threads.
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "compiler/codegen/loop_emitter.h"
#include "compiler/interpreter/interpreter.h"
#include "gtest/gtest.h"
#include "ir/builder.h"
#include "ir/op_registry.h"
#include "ir/parser.h"
#include "ir/str_cat.h"
#include "tests/common/jit.h"
#include "tests/common/op_samples.h"

namespace graphc {
namespace {

using test::RunJit;

class JitLoop : public ::testing::TestWithParam<test::OpSample> {};

TEST_P(JitLoop, MatchesTheInterpreterBitForBit) {
  const test::OpSample& s = GetParam();
  absl::StatusOr<std::unique_ptr<ir::Module>> m = test::OneOpFusion(s, "loop");
  ASSERT_TRUE(m.ok()) << m.status();
  const ir::Function& f = *(*m)->functions().front();
  absl::StatusOr<std::vector<HostTensor>> expected = interp::RunFunction(f, s.operands, nullptr);
  ASSERT_TRUE(expected.ok()) << expected.status();
  absl::StatusOr<std::vector<HostTensor>> got = RunJit(f, s.operands);
  ASSERT_TRUE(got.ok()) << test::Describe(s) << ": " << got.status();
  ASSERT_EQ(got->size(), expected->size());
  for (size_t i = 0; i < got->size(); ++i) {
    EXPECT_TRUE((*got)[i].BitwiseEqualsUpToNans((*expected)[i]))
        << test::Describe(s);
  }
}

std::vector<test::OpSample> ElementwiseSamples() {
  std::vector<test::OpSample> out;
  for (test::OpSample& s : test::AllSamples()) {
    const ir::OpDef* def = ir::OpRegistry::Get().Find(s.op);
    if (def->scalar != nullptr) out.push_back(std::move(s));
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(ElementwiseOps, JitLoop, ::testing::ValuesIn(ElementwiseSamples()),
                         [](const auto& info) { return info.param.op + "_" + info.param.name; });

// A fused chain with broadcasting, a `?` dim, a splat constant, two
// results of one shape and a bool intermediate; 2^19 rows of 8 split over
// two threads.
TEST(JitLoopChain, FusedChainWithDynamicDimsMatchesTheInterpreter) {
  absl::StatusOr<std::unique_ptr<ir::Module>> m = ir::ParseModule(R"(
func @f(%x: f32[?,8], %a: f32[8], %b: f32[]) -> (f32[?,8], f32[?,8]) {
  %0, %1 = fusion %x, %a, %b {kind = "loop"} : f32[?,8], f32[?,8] (%x1: f32[?,8], %a1: f32[8], %b1: f32[]) {
    %2 = constant {value = dense<f32[] 0.5>} : f32[]
    %3 = mul %a1, %x1 : f32[?,8]
    %4 = add %3, %b1 : f32[?,8]
    %5 = relu %4 : f32[?,8]
    %6 = sigmoid %x1 : f32[?,8]
    %7 = mul %5, %6 : f32[?,8]
    %8 = mul %2, %x1 : f32[?,8]
    %9 = add %7, %8 : f32[?,8]
    %10 = gt %x1, %2 : bool[?,8]
    %11 = select %10, %9, %x1 : f32[?,8]
    yield %9, %11
  }
  return %0, %1
}
)",
                                                                   "chain.gir");
  ASSERT_TRUE(m.ok()) << m.status();
  const ir::Function& f = *(*m)->functions().front();
  test::ScopedThreads two(2);
  for (int64_t rows : {int64_t{1}, int64_t{5}, int64_t{37}, int64_t{1} << 16}) {
    HostTensor x(ir::DType::kF32, ir::Shape{{rows, 8}});
    for (int64_t i = 0; i < x.size(); ++i) x.SetDouble(i, std::sin(0.37 * i) * 4);
    HostTensor a(ir::DType::kF32, ir::Shape{{8}});
    for (int64_t i = 0; i < 8; ++i) a.SetDouble(i, 0.25 * i - 1);
    HostTensor b(ir::DType::kF32, ir::Shape{});
    b.SetDouble(0, 0.125);
    const std::vector<HostTensor> args = {x, a, b};
    absl::StatusOr<std::vector<HostTensor>> expected = interp::RunFunction(f, args, nullptr);
    ASSERT_TRUE(expected.ok()) << expected.status();
    absl::StatusOr<std::vector<HostTensor>> got = RunJit(f, args);
    ASSERT_TRUE(got.ok()) << got.status();
    for (size_t i = 0; i < 2; ++i) {
      EXPECT_TRUE((*got)[i].BitwiseEqualsUpToNans((*expected)[i])) << "rows " << rows << " result " << i;
    }
  }
}

// What the emitter does not take is refused, for the caller to interpret.
TEST(JitLoopChain, RefusesWhatItCannotEmit) {
  absl::StatusOr<std::unique_ptr<ir::Module>> m = ir::ParseModule(R"(
func @f(%x: f32[4,8]) -> (f32[8,4]) {
  %0 = fusion %x {kind = "loop"} : f32[8,4] (%a: f32[4,8]) {
    %1 = transpose %a : f32[8,4]
    %2 = exp %1 : f32[8,4]
    yield %2
  }
  return %0
}
)",
                                                                   "transpose.gir");
  ASSERT_TRUE(m.ok()) << m.status();
  const ir::Op& fusion = *(*m)->functions().front()->body().ops().front();
  EXPECT_FALSE(codegen::CanEmitLoopKernel(fusion));
  auto context = std::make_unique<llvm::LLVMContext>();
  llvm::Module module("refused", *context);
  absl::StatusOr<codegen::LoopKernelInfo> info = codegen::EmitLoopKernel(fusion, module, "k");
  EXPECT_EQ(info.status().code(), absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace graphc
