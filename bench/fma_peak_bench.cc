// The machine's FP32 FMA peak, measured rather than taken from a data sheet:
// independent fused multiply-adds on full vector registers, enough chains to
// hide the FMA latency on every pipe. The MLP figures are read against it.
#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cstdint>

#include <benchmark/benchmark.h>

#include "bench/bench_common.h"

namespace graphc_bench {
namespace {

#if defined(__AVX512F__)
using Vec = __m512;
inline Vec Splat(float v) { return _mm512_set1_ps(v); }
inline Vec Fma(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }
inline float Lane0(Vec v) { return _mm512_cvtss_f32(v); }
#else
using Vec = __m256;
inline Vec Splat(float v) { return _mm256_set1_ps(v); }
inline Vec Fma(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }
inline float Lane0(Vec v) { return _mm256_cvtss_f32(v); }
#endif

constexpr int kChains = 16;  // > latency (4 cycles) x pipes (2)
constexpr int64_t kRounds = int64_t{1} << 21;
constexpr double kFlopsPerCall =
    2.0 * kChains * kRounds * static_cast<double>(sizeof(Vec) / sizeof(float));

// acc = acc * 0.999999 + 1e-7 converges to 0.1: no overflow, no denormals.
float FmaChains() {
  Vec acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = Splat(0.01f * static_cast<float>(c));
  // Opaque to the compiler, so it cannot evaluate the chains at build time.
  float scale = 0.999999f, offset = 1e-7f;
  benchmark::DoNotOptimize(scale);
  benchmark::DoNotOptimize(offset);
  const Vec a = Splat(scale), b = Splat(offset);
  for (int64_t r = 0; r < kRounds; ++r) {
    for (int c = 0; c < kChains; ++c) acc[c] = Fma(acc[c], a, b);
  }
  float sum = 0;
  for (int c = 0; c < kChains; ++c) sum += Lane0(acc[c]);
  return sum;
}

}  // namespace

double MeasuredFmaPeakPerCore() {
  static const double peak = [] {
    double best = 0;
    for (int run = 0; run < 5; ++run) {
      const auto start = std::chrono::steady_clock::now();
      benchmark::DoNotOptimize(FmaChains());
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      best = std::max(best, kFlopsPerCall / seconds);
    }
    return best;
  }();
  return peak;
}

namespace {

void FmaPeak(benchmark::State& state, int threads) {
  for (auto _ : state) {
    OnThreads(threads, [](int) { benchmark::DoNotOptimize(FmaChains()); });
  }
  state.counters["FLOP/s"] =
      benchmark::Counter(kFlopsPerCall * threads, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_OneThread(benchmark::State& state) { FmaPeak(state, 1); }
void BM_TwoThreads(benchmark::State& state) { FmaPeak(state, 2); }

BENCHMARK(BM_OneThread)->Name("BM_FmaPeak/1thread")->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TwoThreads)->Name("BM_FmaPeak/2threads")->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace graphc_bench
