// The runtime's GEMM (runtime/kernel_abi.h) against a double-precision
// reference: every transpose combination, odd sizes, k = 0. The f32 error
// bound is the classic one for a dot product of length k,
// |fl(c) - c| <= k * eps * sum_p |a_ip * b_pj| (Higham, Accuracy and
// Stability of Numerical Algorithms, 3.1), with eps = 2^-24.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "runtime/kernel_abi.h"

namespace {

struct Case {
  int64_t m, n, k;
  bool ta, tb;
};

TEST(RuntimeMatmul, MatchesTheDoubleReferenceWithinTheDotProductBound) {
  std::mt19937 rng(5);
  std::normal_distribution<float> normal;
  for (const Case c : {Case{1, 1, 1, false, false}, Case{3, 5, 7, false, false}, Case{3, 5, 7, true, false},
                       Case{3, 5, 7, false, true}, Case{3, 5, 7, true, true}, Case{64, 20, 784, false, false},
                       Case{20, 10, 64, true, false}, Case{17, 33, 129, false, true}}) {
    // Stored shapes: a is [m, k] or [k, m] when transposed; b likewise.
    std::vector<float> a(static_cast<size_t>(c.m * c.k)), b(static_cast<size_t>(c.k * c.n));
    for (float& v : a) v = normal(rng);
    for (float& v : b) v = normal(rng);
    auto a_at = [&](int64_t i, int64_t p) { return a[static_cast<size_t>(c.ta ? p * c.m + i : i * c.k + p)]; };
    auto b_at = [&](int64_t p, int64_t j) { return b[static_cast<size_t>(c.tb ? j * c.k + p : p * c.n + j)]; };
    std::vector<float> out(static_cast<size_t>(c.m * c.n), NAN);
    graphc_matmul_f32(a.data(), b.data(), out.data(), c.m, c.n, c.k, c.ta, c.tb);
    for (int64_t i = 0; i < c.m; ++i) {
      for (int64_t j = 0; j < c.n; ++j) {
        double want = 0, magnitude = 0;
        for (int64_t p = 0; p < c.k; ++p) {
          want += double(a_at(i, p)) * b_at(p, j);
          magnitude += std::abs(double(a_at(i, p)) * b_at(p, j));
        }
        const double bound = double(c.k) * std::ldexp(1.0, -24) * magnitude;
        EXPECT_LE(std::abs(out[static_cast<size_t>(i * c.n + j)] - want), bound)
            << c.m << "x" << c.n << "x" << c.k << " ta=" << c.ta << " tb=" << c.tb << " at " << i << "," << j;
      }
    }
  }
}

TEST(RuntimeMatmul, DoubleIsExactOnSmallIntegers) {
  const std::vector<double> a = {1, 2, 3, 4, 5, 6};     // [2, 3]
  const std::vector<double> b = {7, 8, 9, 10, 11, 12};  // [3, 2]
  std::vector<double> c(4);
  graphc_matmul_f64(a.data(), b.data(), c.data(), 2, 2, 3, 0, 0);
  EXPECT_EQ(c, (std::vector<double>{58, 64, 139, 154}));
  graphc_matmul_f64(a.data(), b.data(), c.data(), 2, 2, 3, 0, 1);  // a [2,3] * (b as [2,3])^T
  EXPECT_EQ(c, (std::vector<double>{1 * 7 + 2 * 8 + 3 * 9, 1 * 10 + 2 * 11 + 3 * 12, 4 * 7 + 5 * 8 + 6 * 9,
                                    4 * 10 + 5 * 11 + 6 * 12}));
}

TEST(RuntimeMatmul, EmptyInnerDimGivesZeros) {
  std::vector<float> c(6, NAN);
  graphc_matmul_f32(nullptr, nullptr, c.data(), 2, 3, 0, 0, 0);
  EXPECT_EQ(c, std::vector<float>(6, 0.f));
}

TEST(RuntimeMatmul, ReportsItsAbiVersion) { EXPECT_EQ(graphc_kernel_abi_version(), GRAPHC_KERNEL_ABI_VERSION); }

}  // namespace
