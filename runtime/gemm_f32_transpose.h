// A 16 x 16 f32 transpose in AVX-512 registers, for the GEMM's packing
// (runtime/gemm_f32_pack.cc) and its transposed stores (gemm_f32.cc).
#pragma once

#ifdef __AVX512F__

#include <immintrin.h>

// GCC 12's own shuffle intrinsics start from _mm512_undefined_ps()
// (`__m512 __Y = __Y;`), which its -W(maybe-)uninitialized reports once
// inlined into a caller.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace graphc::runtime::gemm {

// Transposes the 16 x 16 block held in r (r[i] = row i) in place, so r[j]
// becomes column j: 64 shuffles instead of 256 scalar moves.
inline void Transpose16x16(__m512 r[16]) {
  __m512 t[16], u[16];
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  // Within each 128-bit lane L, u[4g + e] holds column 4L + e of rows
  // 4g .. 4g + 3.
  for (int g = 0; g < 4; ++g) {
    u[4 * g + 0] = _mm512_shuffle_ps(t[4 * g], t[4 * g + 2], _MM_SHUFFLE(1, 0, 1, 0));
    u[4 * g + 1] = _mm512_shuffle_ps(t[4 * g], t[4 * g + 2], _MM_SHUFFLE(3, 2, 3, 2));
    u[4 * g + 2] = _mm512_shuffle_ps(t[4 * g + 1], t[4 * g + 3], _MM_SHUFFLE(1, 0, 1, 0));
    u[4 * g + 3] = _mm512_shuffle_ps(t[4 * g + 1], t[4 * g + 3], _MM_SHUFFLE(3, 2, 3, 2));
  }
  // Gather lane L of u[e], u[4 + e], u[8 + e], u[12 + e] into column 4L + e.
  for (int e = 0; e < 4; ++e) {
    const __m512 v0 = _mm512_shuffle_f32x4(u[e], u[4 + e], 0x88);
    const __m512 v1 = _mm512_shuffle_f32x4(u[e], u[4 + e], 0xdd);
    const __m512 w0 = _mm512_shuffle_f32x4(u[8 + e], u[12 + e], 0x88);
    const __m512 w1 = _mm512_shuffle_f32x4(u[8 + e], u[12 + e], 0xdd);
    r[e] = _mm512_shuffle_f32x4(v0, w0, 0x88);
    r[4 + e] = _mm512_shuffle_f32x4(v1, w1, 0x88);
    r[8 + e] = _mm512_shuffle_f32x4(v0, w0, 0xdd);
    r[12 + e] = _mm512_shuffle_f32x4(v1, w1, 0xdd);
  }
}

}  // namespace graphc::runtime::gemm

#pragma GCC diagnostic pop

#endif  // __AVX512F__
