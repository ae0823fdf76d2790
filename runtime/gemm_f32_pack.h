// Packing for the f32 GEMM (AVX-512): copies a sliver of op(A) or op(B)
// into the order the micro-kernel (runtime/gemm_f32_kernel.h) reads it, so
// the kernel sees contiguous, aligned memory whatever the transpose flags.
//
// A sliver is rows [i0, i0 + mr) of op(A) over k steps [p0, p0 + kc):
// out[p * kMr + r] = op(A)[i0 + r, p0 + p], zeros for r >= mr.
// B sliver is columns [j0, j0 + kNr) of op(B) over the same k steps:
// out[p * kNr + j] = op(B)[p0 + p, j0 + j], zeros beyond op(B)'s columns.
#pragma once

#ifdef __AVX512F__

#include <cstdint>

namespace graphc::runtime::gemm {

// A matrix operand as stored: row-major with leading dimension ld, and
// whether the product uses its transpose.
struct Operand {
  const float* data;
  int64_t ld;
  bool transposed;
};

// `out` holds kc * kMr floats (64-byte aligned); mr <= kMr.
void PackASliver(const Operand& a, int64_t i0, int mr, int64_t p0, int64_t kc, float* out);
// Packs B slivers s0 .. s1 - 1 (columns [s * kNr, s * kNr + kNr) of op(B),
// which has n columns) to out + (s - s0) * stride, each kc * kNr floats
// (64-byte aligned).
void PackBSlivers(const Operand& b, int64_t n, int64_t s0, int64_t s1, int64_t p0, int64_t kc, float* out,
                  int64_t stride);

}  // namespace graphc::runtime::gemm

#endif  // __AVX512F__
