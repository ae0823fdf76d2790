// The runtime's matrix product (runtime/kernel_abi.h) on Eigen's GEMM.
// Eigen maps the caller's row-major buffers without copying; a transposed
// operand is the same buffer viewed column-major.
#include <Eigen/Core>

#include "runtime/kernel_abi.h"

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

}  // namespace

extern "C" {

int32_t graphc_kernel_abi_version(void) { return GRAPHC_KERNEL_ABI_VERSION; }

void graphc_matmul_f32(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k,
                       int32_t transpose_a, int32_t transpose_b) {
  MatMul(a, b, c, m, n, k, transpose_a != 0, transpose_b != 0);
}

void graphc_matmul_f64(const double* a, const double* b, double* c, int64_t m, int64_t n, int64_t k,
                       int32_t transpose_a, int32_t transpose_b) {
  MatMul(a, b, c, m, n, k, transpose_a != 0, transpose_b != 0);
}

}  // extern "C"
