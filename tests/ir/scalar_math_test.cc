// graphc's own f32 exp, log and tanh (ir/scalar_math.h): their error
// against the correctly rounded result on a dense sweep of all f32 bit
// patterns, and their special values. The JIT evaluates the same templates
// (tests/compiler/jit_math_test.cc checks it gives the same bits).
//
// The bounds asserted here are those of the full sweep over all 2^32
// inputs (docs/ir.md), which takes minutes; this sweep takes every 331st
// bit pattern (13 million per function; 331 is odd, so the low mantissa
// bits take every value).
#include "ir/scalar_math.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace graphc::ir::math {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kMinNormal = 0x1p-126f;
constexpr float kMinSubnormal = 0x1p-149f;

// The size of an f32 ulp at `y`, a real number (the spacing of floats in
// y's binade; subnormal spacing below 2^-126).
double UlpAt(double y) {
  y = std::fabs(y);
  if (y < 0x1p-126) return 0x1p-149;
  int e = 0;
  std::frexp(y, &e);  // y = m 2^e, m in [0.5, 1)
  return std::ldexp(1.0, e - 24);
}

struct Sweep {
  double max_ulp = 0;  // |got - exact| in ulps of exact, over finite results
  float worst = 0;     // the input where it occurs
  int64_t mismatches = 0;  // NaN / inf / zero results where the exact one is not
  float mismatch = 0;
};

// Runs `fn` on every `step`-th f32 bit pattern and compares with `exact`
// (libm in double: within 2^-29 f32 ulps of the real result).
template <class Fn, class Exact>
Sweep Measure(Fn fn, Exact exact, uint64_t step) {
  Sweep s;
  for (uint64_t i = 0; i < (uint64_t{1} << 32); i += step) {
    const float x = std::bit_cast<float>(static_cast<uint32_t>(i));
    const float got = fn(x);
    const double want = exact(static_cast<double>(x));
    const float rounded = static_cast<float>(want);
    if (std::isnan(want) || std::isnan(got)) {
      if (std::isnan(want) != std::isnan(got)) {
        ++s.mismatches;
        s.mismatch = x;
      }
      continue;
    }
    if (std::isinf(got) || std::isinf(rounded)) {
      if (got != rounded) {
        ++s.mismatches;
        s.mismatch = x;
      }
      continue;
    }
    if (got == 0 && std::signbit(got) != std::signbit(rounded)) {
      ++s.mismatches;
      s.mismatch = x;
      continue;
    }
    const double ulps = std::fabs(static_cast<double>(got) - want) / UlpAt(want);
    if (ulps > s.max_ulp) {
      s.max_ulp = ulps;
      s.worst = x;
    }
  }
  return s;
}

constexpr uint64_t kStep = 331;

TEST(ScalarMath, ExpIsWithinItsUlpBound) {
  const Sweep s = Measure([](float x) { return Exp(x); }, [](double x) { return std::exp(x); },
                          kStep);
  EXPECT_LE(s.max_ulp, 0.78) << "at " << std::hexfloat << s.worst;
  EXPECT_EQ(s.mismatches, 0) << "e.g. at " << std::hexfloat << s.mismatch;
}

TEST(ScalarMath, LogIsWithinItsUlpBound) {
  const Sweep s = Measure([](float x) { return Log(x); }, [](double x) { return std::log(x); },
                          kStep);
  EXPECT_LE(s.max_ulp, 0.75) << "at " << std::hexfloat << s.worst;
  EXPECT_EQ(s.mismatches, 0) << "e.g. at " << std::hexfloat << s.mismatch;
}

TEST(ScalarMath, TanhIsWithinItsUlpBound) {
  const Sweep s = Measure([](float x) { return Tanh(x); }, [](double x) { return std::tanh(x); },
                          kStep);
  EXPECT_LE(s.max_ulp, 1.02) << "at " << std::hexfloat << s.worst;
  EXPECT_EQ(s.mismatches, 0) << "e.g. at " << std::hexfloat << s.mismatch;
}

// Bitwise equality, so that -0 differs from +0.
::testing::AssertionResult SameBits(float got, float want) {
  if (std::isnan(want) && std::isnan(got)) return ::testing::AssertionSuccess();
  if (std::bit_cast<uint32_t>(got) == std::bit_cast<uint32_t>(want)) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << std::hexfloat << got << " != " << want;
}

TEST(ScalarMath, ExpSpecialValues) {
  EXPECT_TRUE(SameBits(Exp(0.0f), 1.0f));
  EXPECT_TRUE(SameBits(Exp(-0.0f), 1.0f));
  EXPECT_TRUE(SameBits(Exp(kInf), kInf));
  EXPECT_TRUE(SameBits(Exp(-kInf), 0.0f));
  EXPECT_TRUE(std::isnan(Exp(kNaN)));
  EXPECT_TRUE(std::isnan(Exp(-kNaN)));
  // Overflow: exp(x) > FLT_MAX from x = 88.72283936 on.
  EXPECT_TRUE(SameBits(Exp(88.7228317f), 0x1.ffff08p+127f));
  EXPECT_TRUE(SameBits(Exp(88.7228394f), kInf));
  EXPECT_TRUE(SameBits(Exp(89.0f), kInf));
  EXPECT_TRUE(SameBits(Exp(1e30f), kInf));
  EXPECT_TRUE(SameBits(Exp(std::numeric_limits<float>::max()), kInf));
  // Gradual underflow: subnormal results, then +0 below -150 ln2.
  EXPECT_TRUE(SameBits(Exp(-87.3365479f), static_cast<float>(std::exp(-87.3365479))));
  EXPECT_TRUE(SameBits(Exp(-100.0f), static_cast<float>(std::exp(-100.0))));
  EXPECT_GT(Exp(-100.0f), 0.0f);
  EXPECT_LT(Exp(-100.0f), kMinNormal);
  EXPECT_TRUE(SameBits(Exp(-103.27893f), kMinSubnormal));
  EXPECT_TRUE(SameBits(Exp(-103.972076f), kMinSubnormal));  // just above -150 ln2
  EXPECT_TRUE(SameBits(Exp(-103.972084f), 0.0f));           // just below
  EXPECT_TRUE(SameBits(Exp(-104.0f), 0.0f));
  EXPECT_TRUE(SameBits(Exp(-1e30f), 0.0f));
  EXPECT_TRUE(SameBits(Exp(-std::numeric_limits<float>::max()), 0.0f));
  // Tiny arguments round to 1.
  EXPECT_TRUE(SameBits(Exp(kMinSubnormal), 1.0f));
  EXPECT_TRUE(SameBits(Exp(-kMinSubnormal), 1.0f));
  EXPECT_TRUE(SameBits(Exp(1.0f), 0x1.5bf0a8p+1f));
}

TEST(ScalarMath, LogSpecialValues) {
  EXPECT_TRUE(SameBits(Log(1.0f), 0.0f));  // +0
  EXPECT_TRUE(SameBits(Log(0.0f), -kInf));
  EXPECT_TRUE(SameBits(Log(-0.0f), -kInf));
  EXPECT_TRUE(SameBits(Log(kInf), kInf));
  EXPECT_TRUE(std::isnan(Log(-kInf)));
  EXPECT_TRUE(std::isnan(Log(-1.0f)));
  EXPECT_TRUE(std::isnan(Log(-kMinSubnormal)));
  EXPECT_TRUE(std::isnan(Log(kNaN)));
  // A negative argument gives the NaN x86 computes for 0/0 (sign bit set),
  // as libm's logf(-1) does.
  EXPECT_TRUE(std::signbit(Log(-1.0f)));
  // Subnormals are scaled before the exponent is read.
  EXPECT_TRUE(SameBits(Log(kMinSubnormal), static_cast<float>(std::log(0x1p-149))));
  EXPECT_TRUE(SameBits(Log(0x1.8p-140f), static_cast<float>(std::log(0x1.8p-140))));
  EXPECT_TRUE(SameBits(Log(kMinNormal), static_cast<float>(std::log(0x1p-126))));
  EXPECT_TRUE(SameBits(Log(std::numeric_limits<float>::max()), 88.7228394f));
  EXPECT_TRUE(SameBits(Log(2.0f), 0.693147182f));
  // Near 1, where log(x) ~ x - 1: relative accuracy, no cancellation.
  EXPECT_TRUE(SameBits(Log(1.0f + 0x1p-23f), 0x1p-23f - 0x1p-47f));
  EXPECT_TRUE(SameBits(Log(1.0f - 0x1p-24f), static_cast<float>(std::log1p(-0x1p-24))));
}

TEST(ScalarMath, TanhSpecialValues) {
  EXPECT_TRUE(SameBits(Tanh(0.0f), 0.0f));
  EXPECT_TRUE(SameBits(Tanh(-0.0f), -0.0f));
  EXPECT_TRUE(SameBits(Tanh(kInf), 1.0f));
  EXPECT_TRUE(SameBits(Tanh(-kInf), -1.0f));
  EXPECT_TRUE(std::isnan(Tanh(kNaN)));
  EXPECT_TRUE(SameBits(Tanh(100.0f), 1.0f));
  EXPECT_TRUE(SameBits(Tanh(-100.0f), -1.0f));
  EXPECT_TRUE(SameBits(Tanh(std::numeric_limits<float>::max()), 1.0f));
  // Small arguments: tanh(x) = x to f32 precision, subnormals included.
  EXPECT_TRUE(SameBits(Tanh(kMinSubnormal), kMinSubnormal));
  EXPECT_TRUE(SameBits(Tanh(-kMinSubnormal), -kMinSubnormal));
  EXPECT_TRUE(SameBits(Tanh(1e-20f), 1e-20f));
  EXPECT_TRUE(SameBits(Tanh(-0x1p-13f), -0x1p-13f));
  // Odd, on both sides of the switch between the two formulas.
  for (float x : {0.1f, 0.5f, 0.7499999f, 0.75f, 0.76f, 1.0f, 3.0f, 9.0f, 20.0f}) {
    EXPECT_TRUE(SameBits(Tanh(-x), -Tanh(x))) << x;
    EXPECT_NEAR(Tanh(x), std::tanh(static_cast<double>(x)), 2 * UlpAt(std::tanh(x))) << x;
  }
}

// Every function is monotonic (non-decreasing) over a dense set of inputs,
// across the joins of its pieces.
TEST(ScalarMath, Monotonic) {
  float prev_exp = 0, prev_tanh = -1, prev_log = -kInf;
  for (float x = -110.0f; x < 100.0f; x += 0.0009765625f * 7) {
    const float e = Exp(x), t = Tanh(x);
    ASSERT_GE(e, prev_exp) << x;
    ASSERT_GE(t, prev_tanh) << x;
    prev_exp = e;
    prev_tanh = t;
  }
  for (uint32_t bits = 0; bits < 0x7f800000u; bits += 4099) {
    const float l = Log(std::bit_cast<float>(bits));
    ASSERT_GE(l, prev_log) << std::bit_cast<float>(bits);
    prev_log = l;
  }
}

}  // namespace
}  // namespace graphc::ir::math
