// graphc's own f32 transcendental functions: exp, log and tanh, written once
// as templates over a small "ops" policy, so that every executor evaluates
// the very same sequence of IEEE operations and gets the same bits:
//
// - the interpreter instantiates them with `FloatOps` below (plain `float`
//   arithmetic, no virtual call per operation);
// - the LLVM emitter instantiates them with a policy whose operations build
//   LLVM IR (compiler/codegen/llvm_scalar_builder.cc), so compiled loops
//   inline them and vectorize (no C library call in the loop).
//
// Only exactly specified operations are used: + - * / (IEEE, round to
// nearest even), fused multiply-add with one rounding (`std::fma`,
// `llvm.fma`), ordered comparisons, selects, bit casts between f32 and i32,
// wrapping i32 add/sub/and and shifts, and the exact conversion of a small
// i32 to f32. No rounding-mode or fast-math dependence: the one rounding to
// an integer is done by adding 1.5 * 2^23. A policy must never fuse a
// multiply and an add the template did not write as `Fma` (FloatOps puts an
// optimisation barrier after each product; LLVM fuses only llvm.fmuladd,
// which the emitter never creates).
//
// Largest error against the exact result, measured over all 2^32 inputs
// (docs/ir.md): exp 0.775 ulp, log 0.749 ulp, tanh 1.018 ulp. Special
// values as IEEE / C99 Annex F: exp(+inf) = +inf, exp(-inf) = +0, overflow
// to +inf, gradual underflow to +0; log(+-0) = -inf, log(x < 0) = NaN,
// log(+inf) = +inf; tanh(+-inf) = +-1, tanh(-0) = -0; NaN gives NaN.
//
// The coefficients are minimax fits (Remez exchange in 40-digit arithmetic,
// weighted for the error of the final result) rounded to f32;
// tests/ir/scalar_math_test.cc holds the accuracy bounds.
//
// f64 and pow are not here: both executors call the C library for them.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace graphc::ir::math {

// A policy `O` provides (F: an f32 value, I: an i32 value, B: a bool):
//   F F32(float);                  I I32(int32_t);
//   F Add(F, F), Sub(F, F), Mul(F, F), Div(F, F), Neg(F), Abs(F);
//   F Fma(F a, F b, F c);          a * b + c with one rounding
//   B Lt(F, F), Gt(F, F), Ge(F, F), Eq(F, F);   ordered: false with a NaN
//   B IsNan(F);
//   F Select(B, F, F);             I SelectI(B, I, I);
//   I Bits(F);  F FromBits(I);     bit casts
//   F ToF32(I);                    exact for |i| < 2^24
//   I AddI(I, I), SubI(I, I), AndI(I, I);   wrapping
//   I Shl(I, int), AShr(I, int);   shifts by a constant (AShr: arithmetic)

namespace detail {

// Horner's rule with fma: c[0] + x * (c[1] + x * (... + x * c[n-1])).
template <class O, int N>
typename O::F Horner(O& o, typename O::F x, const float (&c)[N]) {
  typename O::F acc = o.F32(c[N - 1]);
  for (int i = N - 2; i >= 0; --i) acc = o.Fma(acc, x, o.F32(c[i]));
  return acc;
}

// ln(2) split for Cody-Waite reduction in exp: kLn2Hi is ln(2) rounded to
// f32, kLn2Lo the f32 nearest to the rest.
inline constexpr float kLn2Hi = 0x1.62e430p-1f;
inline constexpr float kLn2Lo = -0x1.05c610p-29f;
inline constexpr float kLog2e = 0x1.715476p+0f;
// Adding 1.5 * 2^23 to |v| < 2^22 rounds v to an integer (ties to even) and
// leaves that integer in the low mantissa bits.
inline constexpr float kRoundShift = 0x1.8p23f;

// exp(r) = 1 + r + r^2 * q(r) on |r| <= ln(2)/2: q of degree 4, minimax
// for the relative error of exp (2^-28.3 before rounding to f32).
inline constexpr float kExpQ[] = {0x1.fffffcp-2f, 0x1.555492p-3f, 0x1.5558f2p-5f,
                                  0x1.1239d4p-7f, 0x1.6a244cp-10f};

// log(1 + f) = 2s + s * R(s^2), s = f / (2 + f), |s| <= 3 - 2 sqrt(2):
// R(z) = z * (L1 + L2 z + L3 z^2), minimax for the absolute error of R
// (2^-29.2, times |s| <= 0.172).
inline constexpr float kLogL[] = {0x1.55557ap-1f, 0x1.995ebap-2f, 0x1.31e2f2p-2f};
// ln(2) with 15 significant bits (so k * kLn2Hi16 is exact for |k| < 512;
// here |k| <= 149), and the f32 nearest to the rest.
inline constexpr float kLn2Hi16 = 0x1.62e4p-1f;
inline constexpr float kLn2Lo16 = 0x1.7f7d1cp-20f;

// tanh(x) = x + x^3 * P(x^2) for |x| < kTanhSmall: P of degree 5,
// minimax for the relative error of tanh (2^-29.2).
inline constexpr float kTanhSmall = 0.75f;
inline constexpr float kTanhP[] = {-0x1.55554ap-2f, 0x1.110db8p-3f, -0x1.b97d3cp-5f,
                                   0x1.5f785ap-6f, -0x1.f5d36ep-8f, 0x1.c753cap-10f};

}  // namespace detail

// e^x.
template <class O>
typename O::F ExpF32(O& o, typename O::F x) {
  using F = typename O::F;
  using I = typename O::I;
  using namespace detail;
  // Clamp to [-104, 89] (a NaN becomes -104; it is restored at the end).
  // Below -104 the result rounds to +0, above 89 it overflows to +inf, and
  // the clamped values still do.
  F xc = o.Select(o.Ge(x, o.F32(-104.0f)), x, o.F32(-104.0f));
  xc = o.Select(o.Gt(xc, o.F32(89.0f)), o.F32(89.0f), xc);
  // x = n ln2 + r + rlo: n = round(x / ln2) in [-150, 128], |r| <= ln(2)/2
  // (a hair more). n * kLn2Hi has its last bit at 2^-24 and cancels
  // against x, so the first fma is exact; the second rounds, and rlo keeps
  // (almost all of) what it dropped.
  const F shift = o.F32(kRoundShift);
  F z = o.Fma(xc, o.F32(kLog2e), shift);
  F n = o.Sub(z, shift);
  F rhi = o.Fma(n, o.F32(-kLn2Hi), xc);
  F r = o.Fma(n, o.F32(-kLn2Lo), rhi);
  F rlo = o.Fma(n, o.F32(-kLn2Lo), o.Sub(rhi, r));
  // exp(r + rlo) = 1 + r + (r^2 q(r) + rlo (1 + r)): 1 + r is rounded with
  // its error kept (Fast2Sum, |r| < 1), so only the last add rounds at the
  // result's scale.
  F q = Horner(o, r, kExpQ);
  F small = o.Fma(o.Mul(r, r), q, o.Fma(r, rlo, rlo));
  F one = o.F32(1.0f);
  F hi = o.Add(one, r);
  F lo = o.Add(o.Sub(one, hi), r);
  F p = o.Add(hi, o.Add(lo, small));
  // 2^n as two normal powers of two, 2^n1 * 2^n2 (n1, n2 in [-75, 64]):
  // p * 2^n1 is exact; the second product rounds once, to a subnormal, 0
  // or inf where the result is one.
  I ni = o.SubI(o.Bits(z), o.Bits(shift));
  I n1 = o.AShr(ni, 1);
  I n2 = o.SubI(ni, n1);
  F s1 = o.FromBits(o.Shl(o.AddI(n1, o.I32(127)), 23));
  F s2 = o.FromBits(o.Shl(o.AddI(n2, o.I32(127)), 23));
  F result = o.Mul(o.Mul(p, s1), s2);
  return o.Select(o.IsNan(x), o.Add(x, x), result);
}

// The natural logarithm.
template <class O>
typename O::F LogF32(O& o, typename O::F x) {
  using F = typename O::F;
  using I = typename O::I;
  using namespace detail;
  // Subnormals (and 0, negatives: replaced at the end) are scaled by 2^23.
  auto tiny = o.Lt(x, o.F32(0x1p-126f));
  F xs = o.Select(tiny, o.Mul(x, o.F32(0x1p23f)), x);
  // x = 2^k * m with m in [sqrt(2)/2, sqrt(2)): subtracting the bits of
  // sqrt(2)/2 moves the exponent boundary there.
  const int32_t kSqrtHalfBits = 0x3f3504f3;
  I t = o.SubI(o.Bits(xs), o.I32(kSqrtHalfBits));
  I k = o.AddI(o.AShr(t, 23), o.SelectI(tiny, o.I32(-23), o.I32(0)));
  F m = o.FromBits(o.AddI(o.AndI(t, o.I32(0x007fffff)), o.I32(kSqrtHalfBits)));
  F f = o.Sub(m, o.F32(1.0f));  // exact
  // log(1 + f) = f - f^2/2 + s (f^2/2 + R(s^2)), s = f / (2 + f).
  F s = o.Div(f, o.Add(o.F32(2.0f), f));
  F zz = o.Mul(s, s);
  F rr = o.Mul(zz, Horner(o, zz, kLogL));
  F hfsq = o.Mul(o.F32(0.5f), o.Mul(f, f));
  F kf = o.ToF32(k);
  // The small terms: s (f^2/2 + R) + k ln2_lo - f^2/2, the last in the fma
  // (so f^2/2 rounds only once, inside the sum).
  F corr = o.Fma(s, o.Add(hfsq, rr), o.Mul(kf, o.F32(kLn2Lo16)));
  F c = o.Fma(o.Mul(o.F32(-0.5f), f), f, corr);
  // The large terms: k ln2_hi + f, rounded, with the rounding error kept
  // (Fast2Sum: |k ln2_hi| >= 0.69 > |f| unless k = 0, where it is exact).
  F kh = o.Mul(kf, o.F32(kLn2Hi16));  // exact
  F hi = o.Add(kh, f);
  F err = o.Add(o.Sub(kh, hi), f);
  F result = o.Add(hi, o.Add(err, c));
  // Special values.
  result = o.Select(o.Eq(x, o.F32(0.0f)), o.F32(-std::numeric_limits<float>::infinity()), result);
  // The NaN x86 computes for an invalid operation (as libm's logf(-1)).
  result = o.Select(o.Lt(x, o.F32(0.0f)), o.FromBits(o.I32(static_cast<int32_t>(0xffc00000u))),
                    result);
  result = o.Select(o.Eq(x, o.F32(std::numeric_limits<float>::infinity())), x, result);
  return o.Select(o.IsNan(x), o.Add(x, x), result);
}

// The hyperbolic tangent.
template <class O>
typename O::F TanhF32(O& o, typename O::F x) {
  using F = typename O::F;
  using namespace detail;
  // |x| < 0.75: x + x^3 P(x^2).
  F u = o.Mul(x, x);
  F small = o.Fma(o.Mul(x, u), Horner(o, u, kTanhP), x);
  // Otherwise 1 - 2 / (e^(2|x|) + 1), with the sign of x; e^(2|x|) is inf
  // from |x| > 44.4 on, giving 1 (tanh rounds to 1 from 9.01 on).
  F a = o.Abs(x);
  F e = ExpF32(o, o.Add(a, a));
  F large = o.Sub(o.F32(1.0f), o.Div(o.F32(2.0f), o.Add(e, o.F32(1.0f))));
  large = o.Select(o.Lt(x, o.F32(0.0f)), o.Neg(large), large);
  // A NaN fails the comparison and takes `large`, which is NaN.
  F result = o.Select(o.Lt(a, o.F32(kTanhSmall)), small, large);
  // tanh(-0) = -0 (the polynomial would give +0).
  return o.Select(o.Eq(x, o.F32(0.0f)), x, result);
}

// The policy of plain C++ floats: the interpreter's.
struct FloatOps {
  using F = float;
  using I = int32_t;
  using B = bool;

  // Keeps GCC from contracting a product with a later add into an fma
  // (-ffp-contract=fast is its default for C++ on targets with FMA).
  static float NoContract(float v) {
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
    asm("" : "+x"(v));
#elif defined(__GNUC__) && defined(__aarch64__)
    asm("" : "+w"(v));
#endif
    return v;
  }

  F F32(float v) const { return v; }
  I I32(int32_t v) const { return v; }
  F Add(F a, F b) const { return a + b; }
  F Sub(F a, F b) const { return a - b; }
  F Mul(F a, F b) const { return NoContract(a * b); }
  F Div(F a, F b) const { return a / b; }
  F Neg(F a) const { return -a; }
  F Abs(F a) const { return std::fabs(a); }
  F Fma(F a, F b, F c) const { return std::fma(a, b, c); }
  B Lt(F a, F b) const { return a < b; }
  B Gt(F a, F b) const { return a > b; }
  B Ge(F a, F b) const { return a >= b; }
  B Eq(F a, F b) const { return a == b; }
  B IsNan(F a) const { return a != a; }
  F Select(B c, F a, F b) const { return c ? a : b; }
  I SelectI(B c, I a, I b) const { return c ? a : b; }
  I Bits(F a) const { return std::bit_cast<int32_t>(a); }
  F FromBits(I a) const { return std::bit_cast<float>(a); }
  F ToF32(I a) const { return static_cast<float>(a); }
  I AddI(I a, I b) const {
    return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
  }
  I SubI(I a, I b) const {
    return static_cast<int32_t>(static_cast<uint32_t>(a) - static_cast<uint32_t>(b));
  }
  I AndI(I a, I b) const { return a & b; }
  I Shl(I a, int s) const { return static_cast<int32_t>(static_cast<uint32_t>(a) << s); }
  I AShr(I a, int s) const { return a >> s; }  // arithmetic in C++20
};

inline float Exp(float x) {
  FloatOps o;
  return ExpF32(o, x);
}
inline float Log(float x) {
  FloatOps o;
  return LogF32(o, x);
}
inline float Tanh(float x) {
  FloatOps o;
  return TanhF32(o, x);
}

}  // namespace graphc::ir::math
