#include "runtime/matmul_chain.h"

#include <algorithm>
#include <cmath>

namespace graphc::runtime {
namespace {

// Columns of c whose chains run together: a multiple of the 16 lanes of an
// AVX-512 register, few enough that the accumulators stay in registers.
constexpr int64_t kChainColumns = 64;

// The chains of c[i, j0 : j0 + columns) over one k block [p0, p1), from
// +0.0, into acc. op(a)'s row i is a_row[p * a_step]; b points at op(b)'s
// column j0, whose element (p, j) is b[p * ldb + j], or b[j * ldb + p]
// when transposed.
template <bool kTransposeB>
void BlockChains(const float* a_row, int64_t a_step, const float* b, int64_t ldb, int64_t p0, int64_t p1,
                 int64_t columns, float* acc) {
  for (int64_t j = 0; j < columns; ++j) acc[j] = 0.f;
  for (int64_t p = p0; p < p1; ++p) {
    const float x = a_row[p * a_step];
    if constexpr (kTransposeB) {
      for (int64_t j = 0; j < columns; ++j) acc[j] = std::fma(x, b[j * ldb + p], acc[j]);
    } else {
      const float* row = b + p * ldb;
      for (int64_t j = 0; j < columns; ++j) acc[j] = std::fma(x, row[j], acc[j]);
    }
  }
}

template <bool kTransposeB>
void Chains(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k, bool transpose_a) {
  const int64_t kc = MatmulKBlock(k);
  const int64_t ldb = kTransposeB ? k : n;
  for (int64_t i = 0; i < m; ++i) {
    const float* a_row = transpose_a ? a + i : a + i * k;
    const int64_t a_step = transpose_a ? m : 1;
    for (int64_t j0 = 0; j0 < n; j0 += kChainColumns) {
      const int64_t columns = std::min(kChainColumns, n - j0);
      const float* b_block = kTransposeB ? b + j0 * ldb : b + j0;
      float* out = c + i * n + j0;
      alignas(64) float acc[kChainColumns];
      for (int64_t p0 = 0; p0 < k; p0 += kc) {
        BlockChains<kTransposeB>(a_row, a_step, b_block, ldb, p0, std::min(k, p0 + kc), columns, acc);
        if (p0 == 0) {
          std::copy(acc, acc + columns, out);
        } else {
          for (int64_t j = 0; j < columns; ++j) out[j] += acc[j];
        }
      }
    }
  }
}

}  // namespace

void ChainMatMulF32(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k, bool transpose_a,
                    bool transpose_b) {
  if (k == 0) {
    std::fill(c, c + m * n, 0.f);
    return;
  }
  if (transpose_b) {
    Chains<true>(a, b, c, m, n, k, transpose_a);
  } else {
    Chains<false>(a, b, c, m, n, k, transpose_a);
  }
}

}  // namespace graphc::runtime
