#include "runtime/gemm_f32_pack.h"

#ifdef __AVX512F__

#include <immintrin.h>

#include "runtime/gemm_f32_kernel.h"
#include "runtime/gemm_f32_transpose.h"

namespace graphc::runtime::gemm {
namespace {

// Loads `rows` rows of up to 16 contiguous floats (row i at src + i * ld,
// lanes beyond `lanes` zero), transposes them, and stores column e (for
// e < lanes) to out + e * out_stride under store_mask. Rows >= rows are
// zeros in the result.
template <bool kAligned>
inline void TransposeStrip(const float* src, int64_t ld, int rows, int lanes, float* out, int64_t out_stride,
                           __mmask16 store_mask) {
  __m512 r[16];
  const __mmask16 load_mask = FirstLanes(lanes);
  for (int i = 0; i < 16; ++i) {
    r[i] = i < rows ? _mm512_maskz_loadu_ps(load_mask, src + i * ld) : _mm512_setzero_ps();
  }
  Transpose16x16(r);
  for (int e = 0; e < lanes; ++e) {
    if constexpr (kAligned) {
      _mm512_store_ps(out + e * out_stride, r[e]);
    } else {
      _mm512_mask_storeu_ps(out + e * out_stride, store_mask, r[e]);
    }
  }
}

// How far ahead (in floats along a row) the transposing packers prefetch:
// they read 12 or 16 rows at once, more streams than the hardware
// prefetcher follows.
constexpr int64_t kPrefetchAhead = 64;

}  // namespace

void PackASliver(const Operand& a, int64_t i0, int mr, int64_t p0, int64_t kc, float* out) {
  const __mmask16 store_mask = FirstLanes(kMr);
  if (a.transposed) {
    // op(A)[i, p] = a[p * ld + i]: each k step is a contiguous row piece.
    const __mmask16 load_mask = FirstLanes(mr);
    const float* src = a.data + p0 * a.ld + i0;
    for (int64_t p = 0; p < kc; ++p) {
      _mm512_mask_storeu_ps(out + p * kMr, store_mask, _mm512_maskz_loadu_ps(load_mask, src + p * a.ld));
    }
    return;
  }
  // op(A)[i, p] = a[i * ld + p]: mr rows, transposed 16 k steps at a time
  // (a few k steps element by element: a transpose costs as much for 2 as
  // for 16).
  const float* src = a.data + i0 * a.ld + p0;
  if (kc < 8) {
    for (int64_t p = 0; p < kc; ++p) {
      for (int r = 0; r < kMr; ++r) out[p * kMr + r] = r < mr ? src[r * a.ld + p] : 0.f;
    }
    return;
  }
  for (int64_t p = 0; p < kc; p += 16) {
    if (p + kPrefetchAhead < kc) {
      for (int i = 0; i < mr; ++i) _mm_prefetch(reinterpret_cast<const char*>(src + i * a.ld + p + kPrefetchAhead), _MM_HINT_T0);
    }
    const int lanes = kc - p < 16 ? static_cast<int>(kc - p) : 16;
    TransposeStrip<false>(src + p, a.ld, mr, lanes, out + p * kMr, kMr, store_mask);
  }
}

void PackBSlivers(const Operand& b, int64_t n, int64_t s0, int64_t s1, int64_t p0, int64_t kc, float* out,
                  int64_t stride) {
  if (!b.transposed) {
    // op(B)[p, j] = b[p * ld + j]: row p of b holds k step p of every
    // sliver, so read b row by row (one sequential stream).
    const int64_t j_end = n - s0 * kNr;  // columns left from the first sliver on
    const float* src = b.data + p0 * b.ld + s0 * kNr;
    for (int64_t p = 0; p < kc; ++p) {
      for (int64_t s = 0; s < s1 - s0; ++s) {
        float* dst = out + s * stride + p * kNr;
        for (int v = 0; v < kNv; ++v) {
          const int64_t lanes = j_end - s * kNr - v * 16;
          const __m512 x = lanes >= 16  ? _mm512_loadu_ps(src + s * kNr + v * 16)
                           : lanes <= 0 ? _mm512_setzero_ps()
                                        : _mm512_maskz_loadu_ps(FirstLanes(static_cast<int>(lanes)), src + s * kNr + v * 16);
          _mm512_store_ps(dst + v * 16, x);
        }
      }
      src += b.ld;
    }
    return;
  }
  // op(B)[p, j] = b[j * ld + p]: 16 columns of op(B) are 16 rows of b,
  // transposed 16 k steps at a time.
  for (int64_t s = s0; s < s1; ++s) {
    float* sliver = out + (s - s0) * stride;
    for (int v = 0; v < kNv; ++v) {
      const int64_t left = n - s * kNr - v * 16;
      const int rows = left <= 0 ? 0 : left >= 16 ? 16 : static_cast<int>(left);
      if (rows == 0) {
        for (int64_t p = 0; p < kc; ++p) _mm512_store_ps(sliver + p * kNr + v * 16, _mm512_setzero_ps());
        continue;
      }
      const float* src = b.data + (s * kNr + v * 16) * b.ld + p0;
      for (int64_t p = 0; p < kc; p += 16) {
        if (p + kPrefetchAhead < kc) {
          for (int i = 0; i < rows; ++i) _mm_prefetch(reinterpret_cast<const char*>(src + i * b.ld + p + kPrefetchAhead), _MM_HINT_T0);
        }
        const int lanes = kc - p < 16 ? static_cast<int>(kc - p) : 16;
        TransposeStrip<true>(src + p, b.ld, rows, lanes, sliver + p * kNr + v * 16, kNr, 0xffff);
      }
    }
  }
}

}  // namespace graphc::runtime::gemm

#endif  // __AVX512F__
