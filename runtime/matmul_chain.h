// The f32 matrix product computed plainly in the runtime's summation order
// (runtime/kernel_abi.h, "Result bits"): k is cut into MatmulKBlocks(k)
// equal blocks; within a block each element of c is one FMA chain over p
// in increasing order starting from +0.0; the block sums are added in
// order. The packed GEMM (gemm_f32.cc) and the small products the JIT
// emits inline (compiler/codegen/small_matmul.h) compute the same chains,
// so every path gives the same bits.
//
// This is the path for tiny products, where packing would cost more than
// the arithmetic: the chains run 16 columns of c at a time (one vector
// register each), which GCC vectorizes.
#pragma once

#include <cstdint>

namespace graphc::runtime {

// Longest k block: longer k is split into equal blocks, a count chosen from
// k alone so that the order does not depend on anything else.
inline constexpr int64_t kMatmulKBlockMax = 512;

// Length of every k block but possibly the last (which is shorter).
inline int64_t MatmulKBlock(int64_t k) {
  const int64_t blocks = (k + kMatmulKBlockMax - 1) / kMatmulKBlockMax;
  return blocks == 0 ? 0 : (k + blocks - 1) / blocks;
}

// c[m, n] = op(a) * op(b) as graphc_matmul_f32 defines it.
void ChainMatMulF32(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k, bool transpose_a,
                    bool transpose_b);

}  // namespace graphc::runtime
