// The runtime's matrix product (graphc_matmul_f32, runtime/gemm_f32.cc) on
// the products of the MLP workloads, next to Eigen's GEMM on the same
// buffers, each on 1 and 2 threads:
//   large MLP 784 -> 512 -> 512 -> 10, batch 256 (forward, weight
//   gradients a^T b, input gradients a b^T);
//   small MLP 784 -> 20 -> 10, batch 64 (1 thread).
// graphc splits over the runtime's thread pool
// (SetDefaultThreadPoolSize); Eigen over OpenMP (Eigen::setNbThreads).
// With oneDNN installed (bench/CMakeLists.txt), its dnnl_sgemm too, over
// OpenMP (omp_set_num_threads).
// Counters: FLOP/s (2 m n k per product) and of_peak, the fraction of the
// FMA peak of the threads used (MeasuredFmaPeakPerCore, bench_common.h).
//
// Also BM_ThreadPoolDispatch: an empty ParallelFor over 2 tasks, the fixed
// cost every parallel product (and compiled loop) pays.
#include <benchmark/benchmark.h>

#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <vector>

#ifdef GRAPHC_BENCH_HAVE_ONEDNN
#include <oneapi/dnnl/dnnl.h>
#include <omp.h>
#endif

#include "bench/bench_common.h"
#include "runtime/kernel_abi.h"
#include "runtime/thread_pool.h"

namespace graphc_bench {
namespace {

struct GemmShape {
  const char* name;
  int64_t m, n, k;
  bool ta, tb;
  bool small_mlp;  // timed on 1 thread only
};

// c[m, n] = op(a) op(b); a is stored [k, m] when ta, b [n, k] when tb.
constexpr GemmShape kShapes[] = {
    {"large_fwd1_256x784_784x512", 256, 512, 784, false, false, false},
    {"large_fwd2_256x512_512x512", 256, 512, 512, false, false, false},
    {"large_fwd3_256x512_512x10", 256, 10, 512, false, false, false},
    {"large_wgrad1_256x784T_256x512", 784, 512, 256, true, false, false},
    {"large_wgrad2_256x512T_256x512", 512, 512, 256, true, false, false},
    {"large_wgrad3_256x512T_256x10", 512, 10, 256, true, false, false},
    {"large_igrad2_256x512_512x512T", 256, 512, 512, false, true, false},
    {"large_igrad3_256x10_512x10T", 256, 512, 10, false, true, false},
    {"small_fwd1_64x784_784x20", 64, 20, 784, false, false, true},
    {"small_wgrad1_64x784T_64x20", 784, 20, 64, true, false, true},
    {"small_fwd2_64x20_20x10", 64, 10, 20, false, false, true},
    {"small_wgrad2_64x20T_64x10", 20, 10, 64, true, false, true},
    {"small_igrad2_64x10_20x10T", 64, 20, 10, false, true, true},
};

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ColMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;

// The product as runtime/matmul.cc wrote it on Eigen: the row-major
// buffers mapped, a transposed operand viewed column-major.
void EigenProduct(const GemmShape& s, const float* a, const float* b, float* c) {
  Eigen::Map<RowMajor> out(c, s.m, s.n);
  auto run = [&](const auto& lhs) {
    if (s.tb) {
      out.noalias() = lhs * Eigen::Map<const ColMajor>(b, s.k, s.n);
    } else {
      out.noalias() = lhs * Eigen::Map<const RowMajor>(b, s.k, s.n);
    }
  };
  if (s.ta) {
    run(Eigen::Map<const ColMajor>(a, s.m, s.k));
  } else {
    run(Eigen::Map<const RowMajor>(a, s.m, s.k));
  }
}

void GraphcProduct(const GemmShape& s, const float* a, const float* b, float* c) {
  graphc_matmul_f32(a, b, c, s.m, s.n, s.k, s.ta, s.tb);
}

struct Operands {
  explicit Operands(const GemmShape& s)
      : a(static_cast<size_t>(s.m * s.k)), b(static_cast<size_t>(s.k * s.n)), c(static_cast<size_t>(s.m * s.n)) {
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> uniform(-1.f, 1.f);
    for (float& v : a) v = uniform(rng);
    for (float& v : b) v = uniform(rng);
  }
  std::vector<float> a, b, c;
};

// Stops the run unless `got` is `want` within 1e-4 of want's largest
// element.
void CheckSameProduct(const GemmShape& s, const std::vector<float>& want, const std::vector<float>& got) {
  double scale = 0, worst = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    scale = std::max(scale, std::abs(double(want[i])));
    worst = std::max(worst, std::abs(double(got[i]) - want[i]));
  }
  CheckClose(s.name, worst / std::max(1.0, scale), 0.0, 1e-4);
}

// Once per shape: Eigen and graphc agree, or the run stops.
void CheckAgreement(const GemmShape& s) {
  static std::set<std::string>* checked = new std::set<std::string>;
  if (!checked->insert(s.name).second) return;
  Operands x(s);
  std::vector<float> want(x.c.size());
  EigenProduct(s, x.a.data(), x.b.data(), want.data());
  GraphcProduct(s, x.a.data(), x.b.data(), x.c.data());
  CheckSameProduct(s, want, x.c);
}

// Times the loop itself (wall clock, as UseRealTime), so of_peak can be a
// plain fraction like the MLP benchmarks' (a rate counter would print /s).
template <typename Fn>
void TimedLoop(benchmark::State& state, const GemmShape& s, int threads, const Fn& product) {
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    product();
    benchmark::ClobberMemory();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double flops = 2.0 * static_cast<double>(s.m * s.n * s.k);
  state.counters["FLOP/s"] = benchmark::Counter(flops, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["of_peak"] =
      flops * static_cast<double>(state.iterations()) / seconds / (threads * MeasuredFmaPeakPerCore());
}

// Sets the default pool's size for one benchmark and restores it after.
class PoolSize {
 public:
  explicit PoolSize(int threads) { graphc::runtime::SetDefaultThreadPoolSize(threads); }
  ~PoolSize() { graphc::runtime::SetDefaultThreadPoolSize(before_); }

 private:
  const int before_ = graphc::runtime::DefaultThreadPool().size();
};

void BM_Graphc(benchmark::State& state, GemmShape s, int threads) {
  CheckAgreement(s);
  const PoolSize pool_size(threads);
  Operands x(s);
  GraphcProduct(s, x.a.data(), x.b.data(), x.c.data());  // scratch buffers grow here, untimed
  TimedLoop(state, s, threads, [&] { GraphcProduct(s, x.a.data(), x.b.data(), x.c.data()); });
}

void BM_Eigen(benchmark::State& state, GemmShape s, int threads) {
  CheckAgreement(s);
  Eigen::setNbThreads(threads);
  Operands x(s);
  EigenProduct(s, x.a.data(), x.b.data(), x.c.data());
  TimedLoop(state, s, threads, [&] { EigenProduct(s, x.a.data(), x.b.data(), x.c.data()); });
  Eigen::setNbThreads(1);
}

#ifdef GRAPHC_BENCH_HAVE_ONEDNN
// Row-major sgemm; a transposed operand is the stored matrix with its own
// leading dimension.
void OneDnnProduct(const GemmShape& s, const float* a, const float* b, float* c) {
  const dnnl_status_t status = dnnl_sgemm(s.ta ? 'T' : 'N', s.tb ? 'T' : 'N', s.m, s.n, s.k, 1.f, a,
                                          s.ta ? s.m : s.k, b, s.tb ? s.k : s.n, 0.f, c, s.n);
  if (status != dnnl_success) {
    std::fprintf(stderr, "graphc_bench: dnnl_sgemm failed (%d)\n", static_cast<int>(status));
    std::abort();
  }
}

void BM_OneDnn(benchmark::State& state, GemmShape s, int threads) {
  CheckAgreement(s);
  omp_set_num_threads(threads);
  Operands x(s);
  std::vector<float> want(x.c.size());
  GraphcProduct(s, x.a.data(), x.b.data(), want.data());
  OneDnnProduct(s, x.a.data(), x.b.data(), x.c.data());
  CheckSameProduct(s, want, x.c);
  TimedLoop(state, s, threads, [&] { OneDnnProduct(s, x.a.data(), x.b.data(), x.c.data()); });
  omp_set_num_threads(1);
}
#endif

void BM_ThreadPoolDispatch(benchmark::State& state) {
  const PoolSize pool_size(2);
  graphc::runtime::ThreadPool& pool = graphc::runtime::DefaultThreadPool();
  int64_t sink[2] = {0, 0};
  int64_t* out = sink;
  for (auto _ : state) {
    pool.ParallelFor(2, [out](int64_t i) { out[i] += i; });
  }
  benchmark::DoNotOptimize(sink[0] + sink[1]);
}

const bool kRegistered = [] {
  for (const GemmShape& s : kShapes) {
    for (int threads : {1, 2}) {
      if (s.small_mlp && threads > 1) continue;
      const std::string suffix = threads == 1 ? "_1thread" : "_2threads";
      benchmark::RegisterBenchmark(("BM_Gemm/" + std::string(s.name) + "/graphc" + suffix).c_str(), BM_Graphc, s,
                                   threads)
          ->UseRealTime()
          ->Unit(benchmark::kMicrosecond);
      benchmark::RegisterBenchmark(("BM_Gemm/" + std::string(s.name) + "/eigen" + suffix).c_str(), BM_Eigen, s,
                                   threads)
          ->UseRealTime()
          ->Unit(benchmark::kMicrosecond);
#ifdef GRAPHC_BENCH_HAVE_ONEDNN
      benchmark::RegisterBenchmark(("BM_Gemm/" + std::string(s.name) + "/onednn" + suffix).c_str(), BM_OneDnn, s,
                                   threads)
          ->UseRealTime()
          ->Unit(benchmark::kMicrosecond);
#endif
    }
  }
  benchmark::RegisterBenchmark("BM_ThreadPoolDispatch/parallel_for_2tasks_2threads", BM_ThreadPoolDispatch)
      ->UseRealTime()
      ->Unit(benchmark::kMicrosecond);
  return true;
}();

}  // namespace
}  // namespace graphc_bench
