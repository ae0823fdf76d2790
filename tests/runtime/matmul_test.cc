// The runtime's GEMM (runtime/kernel_abi.h) against a double-precision
// reference: every transpose combination, sizes 1, odd sizes and sizes
// around the block sizes (tile 12 x 32, k blocks of up to 512), k = 0, m or
// n = 0, large sizes, unaligned pointers, and each path of
// runtime/gemm_f32.cc (thin products computed transposed, one A sliver with
// B read in place, splits over columns or rows), runtime/matmul_chain.cc
// (tiny products) and runtime/matmul.cc (matrix-vector products on Eigen);
// and, bit for bit, the documented summation order. The f32 error bound is the classic one for a dot product of
// length k, |fl(c) - c| <= k * eps * sum_p |a_ip * b_pj| (Higham, Accuracy
// and Stability of Numerical Algorithms, 3.1), with eps = 2^-24.
//
// Also: the bits do not depend on the thread count (the compiler tests
// compare compiled graphs run on 1 and 2 threads bitwise), and nothing
// outside c is written.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/kernel_abi.h"
#include "runtime/thread_pool.h"

namespace graphc::runtime {
namespace {

struct Case {
  int64_t m, n, k;
  bool ta, tb;
};

std::string Name(const Case& c) {
  std::ostringstream s;
  s << c.m << "x" << c.n << "x" << c.k << " ta=" << c.ta << " tb=" << c.tb;
  return s.str();
}

// Operands as stored: a is [m, k] ([k, m] when transposed), b is [k, n]
// ([n, k] when transposed). `offset` floats of padding come first, so the
// data can start at any alignment.
struct Operands {
  Operands(const Case& c, std::mt19937& rng, int64_t offset = 0) : c(c), offset(offset) {
    std::normal_distribution<float> normal;
    a.resize(static_cast<size_t>(offset + c.m * c.k));
    b.resize(static_cast<size_t>(offset + c.k * c.n));
    for (float& v : a) v = normal(rng);
    for (float& v : b) v = normal(rng);
  }
  const float* A() const { return a.data() + offset; }
  const float* B() const { return b.data() + offset; }
  float AAt(int64_t i, int64_t p) const { return A()[c.ta ? p * c.m + i : i * c.k + p]; }
  float BAt(int64_t p, int64_t j) const { return B()[c.tb ? j * c.k + p : p * c.n + j]; }

  Case c;
  int64_t offset;
  std::vector<float> a, b;
};

// Runs the product into a buffer with `guard` sentinel floats on both sides
// of c (starting `c_offset` floats into it) and checks the sentinels.
std::vector<float> Multiply(const Operands& x, int64_t c_offset = 0) {
  constexpr int64_t kGuard = 64;
  constexpr float kSentinel = -12345.f;
  const Case& c = x.c;
  std::vector<float> buffer(static_cast<size_t>(c_offset + 2 * kGuard + c.m * c.n), kSentinel);
  float* out = buffer.data() + c_offset + kGuard;
  for (int64_t i = 0; i < c.m * c.n; ++i) out[i] = NAN;
  graphc_matmul_f32(x.A(), x.B(), out, c.m, c.n, c.k, c.ta, c.tb);
  for (int64_t i = 0; i < c_offset + kGuard; ++i) {
    EXPECT_EQ(buffer[static_cast<size_t>(i)], kSentinel) << Name(c) << ": wrote before c";
  }
  for (int64_t i = c_offset + kGuard + c.m * c.n; i < static_cast<int64_t>(buffer.size()); ++i) {
    EXPECT_EQ(buffer[static_cast<size_t>(i)], kSentinel) << Name(c) << ": wrote after c";
  }
  return std::vector<float>(out, out + c.m * c.n);
}

// Checks every element against the double-precision product; returns the
// number of failures (reporting only the first few).
int CheckAgainstReference(const Operands& x, const std::vector<float>& out) {
  const Case& c = x.c;
  int failures = 0;
  for (int64_t i = 0; i < c.m; ++i) {
    for (int64_t j = 0; j < c.n; ++j) {
      double want = 0, magnitude = 0;
      for (int64_t p = 0; p < c.k; ++p) {
        const double term = double(x.AAt(i, p)) * x.BAt(p, j);
        want += term;
        magnitude += std::abs(term);
      }
      const double bound = double(c.k) * std::ldexp(1.0, -24) * magnitude;
      const float got = out[static_cast<size_t>(i * c.n + j)];
      if (!(std::abs(got - want) <= bound)) {
        if (++failures <= 5) {
          ADD_FAILURE() << Name(c) << " at " << i << "," << j << ": got " << got << ", want " << want
                        << " within " << bound;
        }
      }
    }
  }
  return failures;
}

// Restores the default pool's size when a test ends.
class RuntimeMatmul : public ::testing::Test {
 protected:
  void TearDown() override { SetDefaultThreadPoolSize(threads_before_); }
  const int threads_before_ = DefaultThreadPool().size();
};

TEST_F(RuntimeMatmul, MatchesTheDoubleReferenceWithinTheDotProductBound) {
  std::mt19937 rng(5);
  for (const Case c : {Case{1, 1, 1, false, false}, Case{3, 5, 7, false, false}, Case{3, 5, 7, true, false},
                       Case{3, 5, 7, false, true}, Case{3, 5, 7, true, true}, Case{64, 20, 784, false, false},
                       Case{20, 10, 64, true, false}, Case{17, 33, 129, false, true}}) {
    const Operands x(c, rng);
    CheckAgainstReference(x, Multiply(x));
  }
}

// graphc_matmul_f32's documented order (runtime/kernel_abi.h, "Result
// bits"), computed one element at a time: k in equal blocks of at most 512,
// an FMA chain from +0.0 within each, the block sums added in order.
float ChainReference(const Operands& x, int64_t i, int64_t j) {
  const int64_t k = x.c.k;
  const int64_t blocks = (k + 511) / 512;
  const int64_t kc = (k + blocks - 1) / blocks;
  float sum = 0.f;
  for (int64_t p0 = 0; p0 < k; p0 += kc) {
    float acc = 0.f;
    for (int64_t p = p0; p < std::min(k, p0 + kc); ++p) acc = std::fma(x.AAt(i, p), x.BAt(p, j), acc);
    sum = p0 == 0 ? acc : sum + acc;
  }
  return sum;
}

// Every path but the matrix-vector one (on Eigen) computes exactly those
// bits: the tiny products' chains (runtime/matmul_chain.cc) and the packed
// GEMM, whichever way it splits and orients the product. The JIT's inline
// small products rely on it.
TEST_F(RuntimeMatmul, FollowsTheDocumentedSummationOrderBitForBit) {
  std::mt19937 rng(11);
  std::vector<Case> cases;
  for (int flags = 0; flags < 4; ++flags) {
    const bool ta = flags & 1, tb = flags & 2;
    const int64_t shapes[][3] = {{3, 5, 7},     {32, 1, 5},     {5, 1, 32},    {1, 1, 8000},   {2, 3, 1100},
                                 {4, 70, 29},   {20, 20, 20},   {25, 70, 513}, {13, 33, 1025}, {101, 203, 1111},
                                 {64, 20, 784}, {5, 300, 1100}, {300, 7, 90}};
    for (const auto& [m, n, k] : shapes) {
      cases.push_back(Case{m, n, k, ta, tb});
    }
  }
  for (int threads : {1, 2}) {
    SetDefaultThreadPoolSize(threads);
    for (const Case& c : cases) {
      const Operands x(c, rng);
      const std::vector<float> got = Multiply(x);
      int failures = 0;
      for (int64_t i = 0; i < c.m; ++i) {
        for (int64_t j = 0; j < c.n; ++j) {
          const float want = ChainReference(x, i, j);
          const float have = got[static_cast<size_t>(i * c.n + j)];
          if (std::memcmp(&want, &have, sizeof(float)) != 0 && ++failures <= 3) {
            ADD_FAILURE() << Name(c) << " on " << threads << " threads at " << i << "," << j << ": got "
                          << have << ", want " << want;
          }
        }
      }
    }
  }
}

// Sizes 1, odd sizes, and one below, at and above the tile (12 rows, 32
// columns), the 16-wide packing strips and the k block (512), with every
// transpose combination.
TEST_F(RuntimeMatmul, EdgeSizesWithEveryTransposeCombination) {
  std::mt19937 rng(6);
  const int64_t dims[] = {1, 2, 7, 11, 12, 13, 15, 16, 17, 31, 32, 33, 47};
  for (int flags = 0; flags < 4; ++flags) {
    const bool ta = flags & 1, tb = flags & 2;
    for (int64_t m : dims) {
      for (int64_t n : dims) {
        for (int64_t k : {1, 3, 16, 17, 33}) {
          const Operands x(Case{m, n, k, ta, tb}, rng);
          if (CheckAgainstReference(x, Multiply(x)) > 0) return;
        }
      }
    }
  }
}

TEST_F(RuntimeMatmul, KBlocksAndLargeSizes) {
  std::mt19937 rng(7);
  for (const Case c : {Case{25, 70, 511, false, false}, Case{25, 70, 512, true, true}, Case{25, 70, 513, false, true},
                       Case{13, 33, 1025, true, false}, Case{37, 65, 1600, false, false},
                       Case{256, 512, 784, false, false}, Case{784, 512, 256, true, false},
                       Case{256, 512, 512, false, true}, Case{256, 10, 512, false, false},
                       Case{512, 10, 256, true, false}, Case{256, 512, 10, false, true},
                       Case{300, 700, 200, true, true}, Case{1, 1000, 300, false, false},
                       Case{1000, 1, 300, false, true}, Case{5, 3000, 40, true, false},
                       // One A sliver, B read in place, over three k blocks.
                       Case{5, 300, 1100, false, false}, Case{1100, 7, 1100, true, true}}) {
    const Operands x(c, rng);
    CheckAgainstReference(x, Multiply(x));
  }
}

TEST_F(RuntimeMatmul, UnalignedPointers) {
  std::mt19937 rng(8);
  for (int flags = 0; flags < 4; ++flags) {
    for (int64_t offset : {1, 3}) {
      for (int64_t m : {45, 9}) {  // packed B; one A sliver (B in place unless transposed)
        const Operands x(Case{m, 67, 89, (flags & 1) != 0, (flags & 2) != 0}, rng, offset);
        CheckAgainstReference(x, Multiply(x, /*c_offset=*/offset + 1));
      }
    }
  }
}

// Products big enough to be split over the pool give the same bits on 1
// and 2 threads, and on 3 (an uneven split), whichever way they are split.
TEST_F(RuntimeMatmul, BitsDoNotDependOnTheThreadCount) {
  std::mt19937 rng(9);
  for (const Case c : {Case{256, 512, 784, false, false}, Case{784, 512, 256, true, false},
                       Case{256, 512, 512, false, true}, Case{256, 10, 512, false, false},
                       Case{512, 10, 256, true, false}, Case{256, 512, 10, false, true},
                       // k blocks of 371, 371 and 369.
                       Case{101, 203, 1111, true, true}, Case{64, 20, 784, false, false},
                       // Fewer column slivers than threads: B is packed first.
                       Case{40, 20, 1000, false, true}, Case{100, 64, 500, true, false},
                       // One A sliver: B read in place.
                       Case{7, 2000, 600, true, false}}) {
    const Operands x(c, rng);
    SetDefaultThreadPoolSize(1);
    const std::vector<float> one = Multiply(x);
    for (int threads : {2, 3}) {
      SetDefaultThreadPoolSize(threads);
      // Repeated, as a race between the threads would show only sometimes.
      for (int repeat = 0; repeat < 5; ++repeat) {
        const std::vector<float> many = Multiply(x);
        ASSERT_EQ(std::memcmp(one.data(), many.data(), one.size() * sizeof(float)), 0)
            << Name(c) << " on " << threads << " threads";
      }
    }
  }
}

// The same product twice gives the same bits (no state carried between
// calls, e.g. in the packing buffers), also after a larger product.
TEST_F(RuntimeMatmul, RepeatsExactly) {
  std::mt19937 rng(10);
  const Operands small(Case{50, 70, 90, false, true}, rng), large(Case{300, 300, 900, true, false}, rng);
  const std::vector<float> first = Multiply(small);
  Multiply(large);
  EXPECT_EQ(Multiply(small), first);
}

TEST_F(RuntimeMatmul, EmptyInnerDimGivesZeros) {
  for (int flags = 0; flags < 4; ++flags) {
    std::vector<float> c(6, NAN);
    graphc_matmul_f32(nullptr, nullptr, c.data(), 2, 3, 0, flags & 1, flags & 2);
    EXPECT_EQ(c, std::vector<float>(6, 0.f));
  }
  std::vector<double> d(6, NAN);
  graphc_matmul_f64(nullptr, nullptr, d.data(), 3, 2, 0, 0, 0);
  EXPECT_EQ(d, std::vector<double>(6, 0.0));
}

TEST_F(RuntimeMatmul, EmptyOutputTouchesNothing) {
  const float a[4] = {1, 2, 3, 4};
  float c[4] = {7, 7, 7, 7};
  graphc_matmul_f32(a, a, c, 0, 2, 2, 0, 0);
  graphc_matmul_f32(a, a, c, 2, 0, 2, 0, 1);
  graphc_matmul_f32(nullptr, nullptr, c, 0, 0, 0, 0, 0);
  EXPECT_EQ(std::vector<float>(c, c + 4), std::vector<float>(4, 7.f));
}

// Special values propagate as in any sum of products.
TEST_F(RuntimeMatmul, PropagatesInfinityAndNan) {
  std::vector<float> a(13 * 17, 1.f), b(17 * 33, 1.f), c(13 * 33);
  a[5 * 17 + 3] = INFINITY;  // row 5
  b[4 * 33 + 20] = NAN;      // column 20
  graphc_matmul_f32(a.data(), b.data(), c.data(), 13, 33, 17, 0, 0);
  EXPECT_EQ(c[0], 17.f);
  EXPECT_EQ(c[5 * 33 + 0], INFINITY);
  EXPECT_TRUE(std::isnan(c[0 * 33 + 20]));
  EXPECT_TRUE(std::isnan(c[5 * 33 + 20]));
}

TEST_F(RuntimeMatmul, DoubleIsExactOnSmallIntegers) {
  const std::vector<double> a = {1, 2, 3, 4, 5, 6};     // [2, 3]
  const std::vector<double> b = {7, 8, 9, 10, 11, 12};  // [3, 2]
  std::vector<double> c(4);
  graphc_matmul_f64(a.data(), b.data(), c.data(), 2, 2, 3, 0, 0);
  EXPECT_EQ(c, (std::vector<double>{58, 64, 139, 154}));
  graphc_matmul_f64(a.data(), b.data(), c.data(), 2, 2, 3, 0, 1);  // a [2,3] * (b as [2,3])^T
  EXPECT_EQ(c, (std::vector<double>{1 * 7 + 2 * 8 + 3 * 9, 1 * 10 + 2 * 11 + 3 * 12, 4 * 7 + 5 * 8 + 6 * 9,
                                    4 * 10 + 5 * 11 + 6 * 12}));
}

TEST_F(RuntimeMatmul, ReportsItsAbiVersion) { EXPECT_EQ(graphc_kernel_abi_version(), GRAPHC_KERNEL_ABI_VERSION); }

}  // namespace
}  // namespace graphc::runtime
