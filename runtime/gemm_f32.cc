// The f32 GEMM driver: blocking, packing order and the split over threads
// (GotoBLAS / BLIS style; the micro-kernel is runtime/gemm_f32_kernel.h).
#include "runtime/gemm_f32.h"

#ifdef __AVX512F__

#include <immintrin.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <new>
#include <type_traits>

#include "runtime/gemm_f32_kernel.h"
#include "runtime/gemm_f32_pack.h"
#include "runtime/gemm_f32_transpose.h"
#include "runtime/gemm_scratch.h"
#include "runtime/matmul_chain.h"
#include "runtime/thread_pool.h"

namespace graphc::runtime {
namespace {

using gemm::kMr;
using gemm::kNr;
using gemm::Operand;

// Longest k block, runtime/matmul_chain.h's (the blocks fix the summation
// order). A packed A sliver (kKcMax * kMr floats, 24 KiB) stays in L1 while
// the kernel streams B slivers past it. (256, 384 and one block up to 800
// measured no better on the MLP shapes.)
constexpr int64_t kKcMax = kMatmulKBlockMax;
// B block: a task's packed B slivers of one k block are taken this many
// bytes at a time, reused by every A sliver, so they should stay in L2
// (1 MiB per core on Zen 4 and 5). 384 KiB and 768 KiB measured alike or
// slower.
constexpr int64_t kBlockBytes = 512 * 1024;

struct Plan {
  Operand a, b;
  float* c;
  int64_t m, n, k;
  int64_t ldc;
  // c is written transposed: a, b, m and n are those of
  // c^T = op(b)^T op(a)^T (see GemmF32()).
  bool transpose_c;
  int64_t kc;           // k block length (the last may be shorter)
  int64_t m_slivers, n_slivers;
  // Packed B slivers, see PackedB(): of every k block when they are packed
  // ahead of the tiles, else of one k block (each task reuses its part of
  // the buffer for the next k block).
  float* packed_b;
  bool all_k_blocks;
  // A single A sliver: the kernel reads op(B)'s rows in place (b not
  // transposed), nothing is packed.
  bool in_place_b;
};

int64_t CeilDiv(int64_t x, int64_t y) { return (x + y - 1) / y; }

// Packed B sliver s of the k block starting at p0. Slivers are kc * kNr
// floats apart even in a shorter last k block: a task that reaches it
// first must not write into the slivers another task still reads.
float* PackedB(const Plan& plan, int64_t p0, int64_t s) {
  return plan.packed_b + (plan.all_k_blocks ? p0 * plan.n_slivers * kNr : 0) + s * plan.kc * kNr;
}

void PackBSlivers(const Plan& plan, int64_t s0, int64_t s1) {
  for (int64_t p0 = 0; p0 < plan.k; p0 += plan.kc) {
    const int64_t kcb = std::min(plan.kc, plan.k - p0);
    gemm::PackBSlivers(plan.b, plan.n, s0, s1, p0, kcb, PackedB(plan, p0, s0), plan.kc * kNr);
  }
}

// Writes a finished tile held in tile[kMr][kNr] (64-byte aligned) to c
// transposed: c[j, i] (+)= tile[i][j] for i < mr, j < nr. Each 16 columns
// of the tile are transposed in registers and stored as mr-wide rows.
void StoreTransposed(const float* tile, float* c, int64_t ldc, int mr, int nr, bool accumulate) {
  const __mmask16 mask = gemm::FirstLanes(mr);
  for (int v = 0; v < gemm::kNv && v * 16 < nr; ++v) {
    __m512 r[16];
    for (int i = 0; i < 16; ++i) r[i] = i < kMr ? _mm512_load_ps(tile + i * kNr + v * 16) : _mm512_setzero_ps();
    gemm::Transpose16x16(r);
    const int columns = std::min(16, nr - v * 16);
    for (int j = 0; j < columns; ++j) {
      float* dst = c + (v * 16 + j) * ldc;
      const __m512 x = accumulate ? _mm512_add_ps(_mm512_maskz_loadu_ps(mask, dst), r[j]) : r[j];
      _mm512_mask_storeu_ps(dst, mask, x);
    }
  }
}

// Where a tile's B sliver is: packed (kNr floats per k step), or op(B)'s
// rows in place (stride floats per k step).
struct BSliver {
  const float* data;
  int64_t stride;
  bool in_place;
};

// The micro-kernel for an mr x nr tile: a short sliver (m not a multiple
// of kMr, e.g. 256 = 21 * 12 + 4, or a thin product's 10 rows; n not a
// multiple of kNr) runs a kernel of 4, 8 or 10 rows, or 16 columns, and
// skips the empty rows' and columns' FMAs. Each element's arithmetic is the
// same in all of them.
template <int NV, bool kInPlaceB>
inline void TileKernelFor(int64_t kc, const float* ap, const BSliver& b, float* c, int64_t ldc, int mr, int nr,
                          bool accumulate) {
  auto run = [&](auto rows) {
    constexpr int kRows = decltype(rows)::value;
    if constexpr (kInPlaceB) {
      gemm::MicroKernelInPlaceB<kRows, NV, kMr>(kc, ap, b.data, b.stride, c, ldc, mr, nr, accumulate);
    } else {
      gemm::MicroKernel<kRows, NV, kMr, kNr>(kc, ap, b.data, c, ldc, mr, nr, accumulate);
    }
  };
  if (mr <= 4) {
    run(std::integral_constant<int, 4>());
  } else if (mr <= 8) {
    run(std::integral_constant<int, 8>());
  } else if (mr <= 10) {
    run(std::integral_constant<int, 10>());
  } else {
    run(std::integral_constant<int, kMr>());
  }
}

inline void TileKernel(int64_t kc, const float* ap, const BSliver& b, float* c, int64_t ldc, int mr, int nr,
                       bool accumulate) {
  if (b.in_place) {
    if (nr <= 16) {
      TileKernelFor<1, true>(kc, ap, b, c, ldc, mr, nr, accumulate);
    } else {
      TileKernelFor<gemm::kNv, true>(kc, ap, b, c, ldc, mr, nr, accumulate);
    }
  } else if (nr <= 16) {
    TileKernelFor<1, false>(kc, ap, b, c, ldc, mr, nr, accumulate);
  } else {
    TileKernelFor<gemm::kNv, false>(kc, ap, b, c, ldc, mr, nr, accumulate);
  }
}

// A share of the work: the tiles of A slivers [ms0, ms1) x B slivers
// [ns0, ns1).
struct Task {
  int64_t ms0, ms1, ns0, ns1;
};

// Computes a task's tiles, k block by k block. Within a k block the task's
// B slivers are taken in column blocks of at most kBlockBytes (so they stay
// in L2 while every A sliver passes over them); each A sliver is packed
// into a buffer on the stack (it stays in L1 while it meets the block's B
// slivers). With pack_b the task packs each B column block just before it
// uses it (its slivers then belong to this task alone); without, the B
// slivers were packed beforehand.
void ComputeTiles(const Plan& plan, const Task& task, bool pack_b) {
  alignas(64) float packed_a[kKcMax * kMr];
  alignas(64) float tile[kMr * kNr];
  const int64_t slivers = task.ns1 - task.ns0;
  for (int64_t p0 = 0; p0 < plan.k; p0 += plan.kc) {
    const int64_t kcb = std::min(plan.kc, plan.k - p0);
    const bool accumulate = p0 > 0;
    // Equal column blocks, each within the L2 budget.
    const int64_t max_block = std::max<int64_t>(1, kBlockBytes / static_cast<int64_t>(sizeof(float) * kcb * kNr));
    const int64_t column_blocks = CeilDiv(slivers, max_block);
    for (int64_t cb = 0; cb < column_blocks; ++cb) {
      const int64_t js0 = task.ns0 + slivers * cb / column_blocks;
      const int64_t js1 = task.ns0 + slivers * (cb + 1) / column_blocks;
      if (pack_b && !plan.in_place_b) gemm::PackBSlivers(plan.b, plan.n, js0, js1, p0, kcb, PackedB(plan, p0, js0), plan.kc * kNr);
      for (int64_t is = task.ms0; is < task.ms1; ++is) {
        const int64_t i0 = is * kMr;
        const int mr = static_cast<int>(std::min<int64_t>(kMr, plan.m - i0));
        gemm::PackASliver(plan.a, i0, mr, p0, kcb, packed_a);
        for (int64_t js = js0; js < js1; ++js) {
          const int64_t j0 = js * kNr;
          const int nr = static_cast<int>(std::min<int64_t>(kNr, plan.n - j0));
          const BSliver bs = plan.in_place_b ? BSliver{plan.b.data + p0 * plan.b.ld + j0, plan.b.ld, true}
                                             : BSliver{PackedB(plan, p0, js), kNr, false};
          if (!plan.transpose_c) {
            TileKernel(kcb, packed_a, bs, plan.c + i0 * plan.ldc + j0, plan.ldc, mr, nr, accumulate);
          } else {
            TileKernel(kcb, packed_a, bs, tile, kNr, mr, nr, false);
            StoreTransposed(tile, plan.c + j0 * plan.ldc + i0, plan.ldc, mr, nr, accumulate);
          }
        }
      }
    }
  }
}

// The tile lanes computed for an m x n c.
double TileLanes(int64_t m, int64_t n) {
  return static_cast<double>(CeilDiv(m, kMr) * kMr) * static_cast<double>(CeilDiv(n, kNr) * kNr);
}

// Products with at most this many k steps are split over rows of C (see
// RunPacked): measured faster at k = 10 and 64, slower at 256 and 512.
constexpr int64_t kSplitRowsMaxK = 64;

// Below this many multiply-adds (m * n * k) a product runs on the calling
// thread: waking a worker and sharing the packed B costs more than it saves.
constexpr double kParallelFmas = 1 << 18;

// Runs the product on the calling thread, or split over the default pool,
// never over k, so every element is the same chain of FMAs whatever the
// thread count:
// - over B slivers (columns of C) in general: each thread packs its own B
//   slivers (they stay in its L2) and every A sliver (cheap: each is used
//   for many tiles); one dispatch;
// - over A slivers (rows of C) when there are few columns or few k steps:
//   the B slivers are packed first, split over the threads, then the A
//   slivers are split.
void RunPacked(Plan& plan) {
  ThreadPool& pool = DefaultThreadPool();
  const double fmas = static_cast<double>(plan.m) * static_cast<double>(plan.n) * static_cast<double>(plan.k);
  const int threads = fmas < kParallelFmas ? 1 : pool.size();
  // Grown once per calling thread (the workers write into the caller's
  // buffer), so a steady stream of same-shaped products allocates nothing.
  static thread_local gemm::Scratch scratch;
  plan.in_place_b = plan.m_slivers == 1 && !plan.b.transposed;
  // Split over A slivers when there are too few B slivers, or when k is
  // short: the product is then mostly writing C, and with a split over B
  // slivers both cores would write into every row of C (the hardware
  // prefetchers then pull lines the other core is writing: 256 x 512 x 10
  // took 34 us on 2 threads this way, 17 us split by rows). (A transposed
  // c has its rows along the B slivers already.)
  const bool short_k = plan.k <= kSplitRowsMaxK && !plan.transpose_c && plan.m_slivers >= threads;
  const bool split_rows = plan.n_slivers < threads || short_k;
  plan.all_k_blocks = threads > 1 && split_rows && !plan.in_place_b;
  const int64_t rows = plan.all_k_blocks ? CeilDiv(plan.k, plan.kc) * plan.kc : plan.kc;
  plan.packed_b = plan.in_place_b ? nullptr : scratch.Get(rows * plan.n_slivers * kNr);
  if (threads == 1) {
    ComputeTiles(plan, Task{0, plan.m_slivers, 0, plan.n_slivers}, /*pack_b=*/true);
    return;
  }
  const Plan* p = &plan;  // one captured pointer: std::function stores it in place
  if (!plan.all_k_blocks) {
    const int64_t tasks = threads;
    pool.ParallelFor(tasks, [p, tasks](int64_t t) {
      const int64_t ns0 = p->n_slivers * t / tasks, ns1 = p->n_slivers * (t + 1) / tasks;
      ComputeTiles(*p, Task{0, p->m_slivers, ns0, ns1}, /*pack_b=*/true);
    });
    return;
  }
  const int64_t pack_tasks = std::min<int64_t>(plan.n_slivers, threads);
  pool.ParallelFor(pack_tasks, [p, pack_tasks](int64_t t) {
    PackBSlivers(*p, p->n_slivers * t / pack_tasks, p->n_slivers * (t + 1) / pack_tasks);
  });
  const int64_t tasks = std::min<int64_t>(plan.m_slivers, threads);
  pool.ParallelFor(tasks, [p, tasks](int64_t t) {
    const int64_t ms0 = p->m_slivers * t / tasks, ms1 = p->m_slivers * (t + 1) / tasks;
    ComputeTiles(*p, Task{ms0, ms1, 0, p->n_slivers}, /*pack_b=*/false);
  });
}

}  // namespace

void GemmF32(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k, bool transpose_a,
             bool transpose_b) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    std::memset(c, 0, static_cast<size_t>(m * n) * sizeof(float));
    return;
  }
  Plan plan{};
  plan.a = Operand{a, transpose_a ? m : k, transpose_a};
  plan.b = Operand{b, transpose_b ? k : n, transpose_b};
  plan.c = c;
  plan.m = m;
  plan.n = n;
  plan.k = k;
  plan.ldc = n;
  // A thin product (few columns, many rows) wastes most of each kNr-wide
  // tile; computing c^T = op(b)^T op(a)^T instead fills the tiles (needs
  // 15% fewer tile lanes: writing c transposed costs a little). Each
  // element is the same FMA chain either way (a*b == b*a exactly).
  if (TileLanes(n, m) * 1.15 < TileLanes(m, n)) {
    plan.transpose_c = true;
    plan.a = Operand{b, transpose_b ? k : n, !transpose_b};
    plan.b = Operand{a, transpose_a ? m : k, !transpose_a};
    plan.m = n;
    plan.n = m;
  }
  plan.kc = MatmulKBlock(k);
  plan.m_slivers = CeilDiv(plan.m, kMr);
  plan.n_slivers = CeilDiv(plan.n, kNr);
  RunPacked(plan);
}

}  // namespace graphc::runtime

#endif  // __AVX512F__
