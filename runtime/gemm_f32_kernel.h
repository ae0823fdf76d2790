// The f32 GEMM's micro-kernel (AVX-512): one kMr x kNr tile of C from a
// packed sliver of op(A) (kMr floats per k step) and a packed sliver of
// op(B) (kNr floats per k step), both laid out by runtime/gemm_f32_pack.h.
//
// The tile lives in kMr * kNv zmm accumulators for the whole k loop; each k
// step loads kNv vectors of B and broadcasts kMr scalars of A, so the FMAs
// far outnumber the loads. Every element of C is one FMA chain over the k
// block's p in order (c += a[i,p] * b[p,j]), added to C's partial sum of
// the earlier k blocks, whatever the tile's position, its kernel variant or
// the thread computing it: the result bits depend only on the shape.
#pragma once

#ifdef __AVX512F__

#include <immintrin.h>

#include <cstdint>

namespace graphc::runtime::gemm {

// 12 x 32: 24 accumulators + 2 B vectors + 1 broadcast of 32 zmm
// registers. On Zen 4 (one 512-bit FMA per cycle) 12x32, 14x32, 8x48, 6x64,
// 10x32, 16x16 and 24x16 all reach 115-118 GFLOP/s, the FMA peak, on
// L1/L2-resident data (4x64 only 94); 12 rows divide the MLP's 784 x 512
// shapes as well as any, and 24 independent chains also cover Zen 5's two
// FMA pipes (latency 4 x 2 pipes = 8 chains needed). Software prefetch of
// B measured no faster.
inline constexpr int kMr = 12;
inline constexpr int kNv = 2;  // zmm vectors across a tile's columns
inline constexpr int kNr = kNv * 16;

// Lane mask of the first `n` (0..16) lanes.
inline __mmask16 FirstLanes(int n) { return static_cast<__mmask16>((1u << n) - 1u); }

// c[0:mr, 0:nr] (row stride ldc) = (accumulate ? c : 0) + A_sliver * B_sliver
// over kc steps. ap holds kc * AS floats (the first MR of each k step are
// used). B comes kc steps of b_stride floats apart: a packed sliver
// (64-byte aligned, zero padded beyond op(B)'s columns), or, kInPlaceB,
// op(B)'s own rows, of which only the first nr columns are read. mr <= MR,
// nr <= NV * 16. An MR or NV below the packing's kMr or kNv computes a short
// sliver without the empty rows' or columns' FMAs.
template <int MR, int NV, int AS, bool kInPlaceB>
inline void KernelImpl(int64_t kc, const float* __restrict ap, const float* __restrict bp, int64_t b_stride,
                       float* c, int64_t ldc, int mr, int nr, bool accumulate) {
  __mmask16 mask[NV];  // the tile's columns that exist in C (and in B)
#pragma GCC unroll 8
  for (int v = 0; v < NV; ++v) {
    const int lanes = nr - v * 16;
    mask[v] = FirstLanes(lanes <= 0 ? 0 : lanes >= 16 ? 16 : lanes);
  }
  // Fetch the tile's rows of C while the k loop runs, so its loads and
  // stores at the end do not wait for memory (measured: +3-5% on the MLP's
  // 256 x 512 products on 2 threads). Not worth it for a short loop.
  if (kc >= 64) {
#pragma GCC unroll 32
    for (int r = 0; r < MR; ++r) {
      if (r < mr) {
#pragma GCC unroll 8
        for (int v = 0; v < NV; ++v) _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc + v * 16), _MM_HINT_T0);
      }
    }
  }
  __m512 acc[MR][NV];
#pragma GCC unroll 32
  for (int r = 0; r < MR; ++r) {
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_setzero_ps();
  }
  for (int64_t p = 0; p < kc; ++p) {
    __m512 b[NV];
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) {
      if constexpr (kInPlaceB) {
        b[v] = _mm512_maskz_loadu_ps(mask[v], bp + v * 16);
      } else {
        b[v] = _mm512_load_ps(bp + v * 16);
      }
    }
#pragma GCC unroll 32
    for (int r = 0; r < MR; ++r) {
      const __m512 a = _mm512_set1_ps(ap[r]);
#pragma GCC unroll 8
      for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_fmadd_ps(a, b[v], acc[r][v]);
    }
    ap += AS;
    bp += b_stride;
  }
  if (mr == MR && nr == NV * 16) {
#pragma GCC unroll 32
    for (int r = 0; r < MR; ++r) {
#pragma GCC unroll 8
      for (int v = 0; v < NV; ++v) {
        float* dst = c + r * ldc + v * 16;
        const __m512 sum = accumulate ? _mm512_add_ps(_mm512_loadu_ps(dst), acc[r][v]) : acc[r][v];
        _mm512_storeu_ps(dst, sum);
      }
    }
    return;
  }
  // An edge tile: only rows < mr and columns < nr exist in C. (Conditions
  // rather than breaks, so the unrolled loops keep every accumulator in its
  // register.)
#pragma GCC unroll 32
  for (int r = 0; r < MR; ++r) {
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) {
      if (r < mr && v * 16 < nr) {
        float* dst = c + r * ldc + v * 16;
        const __m512 sum =
            accumulate ? _mm512_add_ps(_mm512_maskz_loadu_ps(mask[v], dst), acc[r][v]) : acc[r][v];
        _mm512_mask_storeu_ps(dst, mask[v], sum);
      }
    }
  }
}

// The kernel on a packed B sliver of BS floats per k step.
template <int MR, int NV, int AS = MR, int BS = NV * 16>
inline void MicroKernel(int64_t kc, const float* ap, const float* bp, float* c, int64_t ldc, int mr, int nr,
                        bool accumulate) {
  KernelImpl<MR, NV, AS, false>(kc, ap, bp, BS, c, ldc, mr, nr, accumulate);
}

// The kernel on op(B)'s rows in place (row stride ldb), for a product with a
// single A sliver: each element of B is used once, so packing it would
// only copy it.
template <int MR, int NV, int AS = MR>
inline void MicroKernelInPlaceB(int64_t kc, const float* ap, const float* bp, int64_t ldb, float* c, int64_t ldc,
                                int mr, int nr, bool accumulate) {
  KernelImpl<MR, NV, AS, true>(kc, ap, bp, ldb, c, ldc, mr, nr, accumulate);
}

}  // namespace graphc::runtime::gemm

#endif  // __AVX512F__
