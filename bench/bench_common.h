// Helpers shared by the benchmark files: the machine's nominal peak, a
// range split over threads for the 2-thread baselines, and the check that
// stops the run when a baseline computes something other than graphc.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "graphc/graphc.h"

namespace graphc_bench {

// graphc's intra-op threads for the lifetime of the object (the previous
// count restored after): each graphc variant states how many it uses, as
// the baselines do.
class GraphcThreads {
 public:
  explicit GraphcThreads(int threads) : saved_(graphc::intra_op_parallelism_threads()) {
    graphc::set_intra_op_parallelism_threads(threads);
  }
  ~GraphcThreads() { graphc::set_intra_op_parallelism_threads(saved_); }
  GraphcThreads(const GraphcThreads&) = delete;
  GraphcThreads& operator=(const GraphcThreads&) = delete;

 private:
  int saved_;
};

// This host's FP32 FMA peak of one core, measured once per process (the
// best of a few runs of BM_FmaPeak's loop, fma_peak_bench.cc). The JIT
// issue's reference machine (AMD Zen 5, two 512-bit FMA pipes) peaks at
// about 205 GFLOP/s per core; a Zen 4 issues one 512-bit FMA per cycle
// (about 118 GFLOP/s per core measured on the CI machine). of_peak
// counters divide by the measured figure.
double MeasuredFmaPeakPerCore();

// Aborts the whole run unless |got - want| <= tol * max(1, |want|): a
// baseline that computes something else would make every figure
// meaningless, so it must not be reported at all.
inline void CheckClose(const char* what, double got, double want, double tol) {
  if (std::abs(got - want) <= tol * std::max(1.0, std::abs(want))) return;
  std::fprintf(stderr, "graphc_bench: %s: baseline gives %.9g, graphc %.9g (tolerance %g)\n", what,
               got, want, tol);
  std::abort();
}

// Runs fn(t) for t in [0, threads): t = 0 on the calling thread, the
// others on new std::threads (at most 8 in all).
template <typename Fn>
void OnThreads(int threads, const Fn& fn) {
  std::thread workers[8];
  for (int t = 1; t < threads; ++t) workers[t] = std::thread([&fn, t] { fn(t); });
  fn(0);
  for (int t = 1; t < threads; ++t) workers[t].join();
}

// Calls fn(begin, end) on `threads` consecutive parts of [0, n). Part
// boundaries are multiples of 16 elements, so float parts never share a
// cache line.
template <typename Fn>
void ParallelFor(int64_t n, int threads, const Fn& fn) {
  constexpr int64_t kGrain = 16;
  const int64_t per_part = (n / threads + kGrain - 1) / kGrain * kGrain;
  OnThreads(threads, [&](int t) {
    const int64_t begin = std::min(n, t * per_part);
    const int64_t end = t + 1 == threads ? n : std::min(n, (t + 1) * per_part);
    if (begin < end) fn(begin, end);
  });
}

}  // namespace graphc_bench
