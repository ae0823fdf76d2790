// matmul in fusions the GEMM fast path (compiler/codegen/matmul_fusion.h)
// does not take, compiled by element generators
// (compiler/codegen/matmul_stage_emitter.cc) against the interpreter:
// batched products with broadcast batch dims, operands computed in the
// fusion or seen through reshapes, integer products that wrap, chained
// products, and epilogues that are not per-element. Float products call
// the runtime's GEMM per batch matrix on both sides, so the bits match.
#include <memory>
#include <string>
#include <vector>

#include "compiler/interpreter/interpreter.h"
#include "gtest/gtest.h"
#include "ir/module.h"
#include "ir/parser.h"
#include "tests/common/jit.h"
#include "tests/common/op_samples.h"

namespace graphc {
namespace {

void ExpectCompiledMatchesInterpreter(const std::string& text, const std::vector<HostTensor>& args) {
  absl::StatusOr<std::unique_ptr<ir::Module>> m = ir::ParseModule(text, "matmul.gir");
  ASSERT_TRUE(m.ok()) << m.status();
  const ir::Function& f = *(*m)->functions().front();
  absl::StatusOr<std::vector<HostTensor>> expected = interp::RunFunction(f, args, nullptr);
  ASSERT_TRUE(expected.ok()) << expected.status();
  for (int threads : {1, 2}) {
    test::ScopedThreads scoped(threads);
    absl::StatusOr<std::vector<HostTensor>> got = test::RunJit(f, args);
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_EQ(got->size(), expected->size());
    for (size_t i = 0; i < got->size(); ++i) {
      EXPECT_TRUE((*got)[i].BitwiseEqualsUpToNans((*expected)[i])) << "result " << i << " threads " << threads;
    }
  }
}

HostTensor Pattern(ir::DType dtype, std::vector<int64_t> dims, int seed) {
  return test::Pattern(dtype, ir::Shape(std::move(dims)), seed);
}

// exp(x) is stored before the product; the batch dims broadcast ([2,1] with
// [3]); a reduction and a log_softmax follow.
TEST(JitMatmulStages, BatchedWithComputedOperandAndReductions) {
  for (const char* t : {"f32", "f64"}) {
    const std::string text = std::string(R"(
func @f(%x: T[2,1,4,5], %y: T[3,6,5]) -> (T[2,3,4], T[2,3,4,6]) {
  %0, %1 = fusion %x, %y {kind = "matmul"} : T[2,3,4], T[2,3,4,6] (%a: T[2,1,4,5], %b: T[3,6,5]) {
    %2 = exp %a : T[2,1,4,5]
    %3 = matmul %2, %b {transpose_b = true} : T[2,3,4,6]
    %4 = reduce_sum %3 {axes = [-1]} : T[2,3,4]
    %5 = log_softmax %3 : T[2,3,4,6]
    yield %4, %5
  }
  return %0, %1
}
)");
    std::string typed;
    for (char c : text) typed += c == 'T' ? std::string(t) : std::string(1, c);
    const ir::DType dtype = std::string(t) == "f32" ? ir::DType::kF32 : ir::DType::kF64;
    ExpectCompiledMatchesInterpreter(typed, {Pattern(dtype, {2, 1, 4, 5}, 1), Pattern(dtype, {3, 6, 5}, 2)});
  }
}

// Integer products accumulate in 64 bits and wrap when narrowed; batched,
// transposed, with an operand computed in the fusion.
TEST(JitMatmulStages, IntegerProductsWrap) {
  ExpectCompiledMatchesInterpreter(R"(
func @f(%x: i8[3,4,2], %y: i8[4,5], %z: i32[2,3,7], %w: i32[7,3]) -> (i8[3,2,5], i32[2,3,3]) {
  %0 = fusion %x, %y {kind = "matmul"} : i8[3,2,5] (%a: i8[3,4,2], %b: i8[4,5]) {
    %1 = constant {value = dense<i8[] 50>} : i8[]
    %2 = mul %a, %1 : i8[3,4,2]
    %3 = matmul %2, %b {transpose_a = true} : i8[3,2,5]
    yield %3
  }
  %4 = matmul %z, %w : i32[2,3,3]
  return %0, %4
}
)",
                                   {Pattern(ir::DType::kI8, {3, 4, 2}, 1), Pattern(ir::DType::kI8, {4, 5}, 2),
                                    Pattern(ir::DType::kI32, {2, 3, 7}, 3), Pattern(ir::DType::kI32, {7, 3}, 4)});
}

// Operands seen through reshapes (no copy), one value used as both
// operands (stored once), a product of a product, and an epilogue with
// broadcast_like and a reshape.
TEST(JitMatmulStages, ReshapedSharedAndChainedOperands) {
  ExpectCompiledMatchesInterpreter(R"(
func @f(%x: f32[24], %w: f32[4,6], %b: f32[1,1]) -> (f32[4,4], f32[16]) {
  %0, %1 = fusion %x, %w, %b {kind = "matmul"} : f32[4,4], f32[16] (%a: f32[24], %v: f32[4,6], %c: f32[1,1]) {
    %2 = reshape %a {shape = [4, 6]} : f32[4,6]
    %3 = matmul %2, %v {transpose_b = true} : f32[4,4]
    %4 = tanh %v : f32[4,6]
    %5 = matmul %4, %4 {transpose_b = true} : f32[4,4]
    %6 = matmul %3, %5 : f32[4,4]
    %7 = broadcast_like %c, %6 : f32[4,4]
    %8 = mul %6, %7 : f32[4,4]
    %9 = reshape %8 {shape = [16]} : f32[16]
    yield %3, %9
  }
  return %0, %1
}
)",
                                   {Pattern(ir::DType::kF32, {24}, 1), Pattern(ir::DType::kF32, {4, 6}, 2),
                                    Pattern(ir::DType::kF32, {1, 1}, 3)});
}

// Large enough for the GEMM's packed path and for the epilogue to be
// split over threads; a constant operand is read in place.
TEST(JitMatmulStages, LargeBatchedProductWithConstant) {
  std::string constant = "[";
  for (int i = 0; i < 64 * 3; ++i) constant += (i ? ", " : "") + std::to_string((i % 7) - 3) + ".5";
  constant += "]";
  ExpectCompiledMatchesInterpreter(R"(
func @f(%x: f32[4,256,64]) -> (f32[4,256,3]) {
  %0 = fusion %x {kind = "matmul"} : f32[4,256,3] (%a: f32[4,256,64]) {
    %1 = constant {value = dense<f32[64,3] )" + constant + R"(>} : f32[64,3]
    %2 = relu %a : f32[4,256,64]
    %3 = matmul %2, %1 : f32[4,256,3]
    %4 = softmax %3 : f32[4,256,3]
    yield %4
  }
  return %0
}
)",
                                   {Pattern(ir::DType::kF32, {4, 256, 64}, 5)});
}

}  // namespace
}  // namespace graphc
