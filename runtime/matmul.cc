// The runtime's matrix product (runtime/kernel_abi.h). f32 runs on the
// runtime's own code, which fixes the summation order (runtime/
// matmul_chain.h): tiny products as plain FMA chains, the rest on the
// packed GEMM (runtime/gemm_f32.h) when built with AVX-512. Matrix-vector
// products, f32 without AVX-512 and f64 run on Eigen's, which maps the
// caller's row-major buffers without copying (a transposed operand is the
// same buffer viewed column-major).
#include <Eigen/Core>

#include "runtime/gemm_f32.h"
#include "runtime/kernel_abi.h"
#include "runtime/matmul_chain.h"

namespace {

template <typename T>
void MatMul(const T* a, const T* b, T* c, int64_t m, int64_t n, int64_t k, bool transpose_a,
            bool transpose_b) {
  using RowMajor = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using ColMajor = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;
  Eigen::Map<RowMajor> out(c, m, n);
  if (k == 0) {
    out.setZero();
    return;
  }
  // op(a) as an [m, k] matrix: row-major a, or column-major a^T.
  auto run = [&](const auto& lhs) {
    if (transpose_b) {
      out.noalias() = lhs * Eigen::Map<const ColMajor>(b, k, n);
    } else {
      out.noalias() = lhs * Eigen::Map<const RowMajor>(b, k, n);
    }
  };
  if (transpose_a) {
    run(Eigen::Map<const ColMajor>(a, m, k));
  } else {
    run(Eigen::Map<const RowMajor>(a, m, k));
  }
}

// Tiny products (at most this many multiply-adds, well under a
// microsecond) run as plain chains: the packed GEMM's fixed costs (packing,
// edge tiles) would weigh most, and the JIT emits the same chains inline
// for the smallest ones.
bool IsTinyProduct(int64_t m, int64_t n, int64_t k) {
  constexpr double kTinyFmas = 8192;
  return static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k) <= kTinyFmas;
}

// A matrix-vector product (one row or one column) is bound by reading the
// matrix once: Eigen's GEMV streams it in place, measured 10-25% faster
// than packing it first (bench/gemm_bench.cc). Its summation order is
// Eigen's.
[[maybe_unused]] bool IsMatrixVector(int64_t m, int64_t n) { return m == 1 || n == 1; }

}  // namespace

extern "C" {

int32_t graphc_kernel_abi_version(void) { return GRAPHC_KERNEL_ABI_VERSION; }

void graphc_matmul_f32(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k,
                       int32_t transpose_a, int32_t transpose_b) {
  if (IsTinyProduct(m, n, k)) {
    graphc::runtime::ChainMatMulF32(a, b, c, m, n, k, transpose_a != 0, transpose_b != 0);
    return;
  }
#ifdef __AVX512F__
  if (!IsMatrixVector(m, n)) {
    graphc::runtime::GemmF32(a, b, c, m, n, k, transpose_a != 0, transpose_b != 0);
    return;
  }
#endif
  MatMul(a, b, c, m, n, k, transpose_a != 0, transpose_b != 0);
}

void graphc_matmul_f64(const double* a, const double* b, double* c, int64_t m, int64_t n, int64_t k,
                       int32_t transpose_a, int32_t transpose_b) {
  MatMul(a, b, c, m, n, k, transpose_a != 0, transpose_b != 0);
}

}  // extern "C"
