// The runtime's f32 matrix product (graphc_matmul_f32 in
// runtime/kernel_abi.h): c[m, n] = op(a) * op(b), row-major, op(x) = x or
// x^T. c must not overlap a or b; k == 0 gives zeros.
//
// A packed, cache-blocked GEMM (runtime/gemm_f32.cc) split over the
// default thread pool. It exists only when the runtime is compiled with
// AVX-512 (__AVX512F__); runtime/matmul.cc uses Eigen otherwise. The
// result bits depend only on (m, n, k, transpose flags) and the operands'
// values: not on the thread count or the pointers' alignment.
#pragma once

#include <cstdint>

#ifdef __AVX512F__

namespace graphc::runtime {

void GemmF32(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k, bool transpose_a,
             bool transpose_b);

}  // namespace graphc::runtime

#endif  // __AVX512F__
