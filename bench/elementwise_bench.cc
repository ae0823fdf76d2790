// Workload 1: the elementwise chain out = relu(a*x + b) * sigmoid(x) + 0.5*x
// over 16M f32, with a and b tensors as large as x: three arrays read and one
// written per call, a memory-bound loop (bytes/s counts those four arrays).
#include <cstdint>
#include <vector>

#include <benchmark/benchmark.h>
#include <Eigen/Core>

#include "bench/bench_common.h"
#include "graphc/graphc.h"

namespace gc = graphc;

namespace graphc_bench {
namespace {

constexpr int64_t kN = int64_t{1} << 24;
constexpr int64_t kBytesPerCall = 4 * kN * static_cast<int64_t>(sizeof(float));

gc::Tensor Chain(const gc::Tensor& x, const gc::Tensor& a, const gc::Tensor& b) {
  return gc::relu(a * x + b) * gc::sigmoid(x) + 0.5f * x;
}

// The hand-written baseline on elements [begin, end). Eigen's float
// logistic() is its vectorised sigmoid.
void ChainEigen(const Eigen::ArrayXf& x, const Eigen::ArrayXf& a, const Eigen::ArrayXf& b,
                Eigen::ArrayXf& out, int64_t begin, int64_t end) {
  const int64_t n = end - begin;
  const auto xs = x.segment(begin, n);
  out.segment(begin, n) =
      (a.segment(begin, n) * xs + b.segment(begin, n)).max(0.f) * xs.logistic() + 0.5f * xs;
}

// The same random inputs for every variant, made once: graphc tensors and
// 64-byte-aligned Eigen copies of their values.
struct Inputs {
  gc::Tensor x, a, b;
  Eigen::ArrayXf ex, ea, eb;
};

Eigen::ArrayXf ToEigen(const gc::Tensor& t) {
  const std::vector<float> v = t.to_vector<float>();
  return Eigen::Map<const Eigen::ArrayXf>(v.data(), static_cast<Eigen::Index>(v.size()));
}

// Checks the baseline against graphc eager on the first elements (all 16M
// take seconds there) and aborts on a mismatch.
void CheckBaseline(const Inputs& in) {
  constexpr int64_t kCheck = 4096;
  const gc::Tensor want = Chain(in.x[{gc::Slice(0, kCheck)}], in.a[{gc::Slice(0, kCheck)}],
                                in.b[{gc::Slice(0, kCheck)}]);
  const std::vector<float> w = want.to_vector<float>();
  Eigen::ArrayXf out(kCheck);
  ChainEigen(in.ex, in.ea, in.eb, out, 0, kCheck);
  for (int64_t i = 0; i < kCheck; ++i) {
    CheckClose("elementwise chain", out[i], w[static_cast<size_t>(i)], 1e-5);
  }
}

const Inputs& GetInputs() {
  static const Inputs* inputs = [] {
    auto* in = new Inputs;
    in->x = gc::random_uniform({kN}, /*seed=*/11, -4, 4);
    in->a = gc::random_uniform({kN}, /*seed=*/12, -2, 2);
    in->b = gc::random_uniform({kN}, /*seed=*/13, -1, 1);
    in->ex = ToEigen(in->x);
    in->ea = ToEigen(in->a);
    in->eb = ToEigen(in->b);
    CheckBaseline(*in);
    return in;
  }();
  return *inputs;
}

void EigenThreads(benchmark::State& state, int threads) {
  const Inputs& in = GetInputs();
  Eigen::ArrayXf out = Eigen::ArrayXf::Zero(kN);  // touched once, so no page faults in the loop
  for (auto _ : state) {
    ParallelFor(kN, threads, [&](int64_t begin, int64_t end) {
      ChainEigen(in.ex, in.ea, in.eb, out, begin, end);
    });
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * kBytesPerCall);
}

void BM_GraphcEager(benchmark::State& state) {
  const Inputs& in = GetInputs();
  for (auto _ : state) {
    gc::Tensor out = Chain(in.x, in.a, in.b);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(state.iterations() * kBytesPerCall);
}

// The traced function (traced before timing), run by `executor` on
// `threads` threads.
void GraphcTraced(benchmark::State& state, gc::Executor executor, int threads) {
  const GraphcThreads scoped(threads);
  const Inputs& in = GetInputs();
  auto chain = gc::function(Chain, {.name = "chain", .executor = executor});
  benchmark::DoNotOptimize(chain(in.x, in.a, in.b));
  for (auto _ : state) {
    gc::Tensor out = chain(in.x, in.a, in.b);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(state.iterations() * kBytesPerCall);
}

void BM_EigenOneThread(benchmark::State& state) { EigenThreads(state, 1); }
void BM_EigenTwoThreads(benchmark::State& state) { EigenThreads(state, 2); }
void BM_GraphcInterpreter(benchmark::State& state) {
  GraphcTraced(state, gc::Executor::kInterpreter, 1);
}
void BM_GraphcJit1(benchmark::State& state) { GraphcTraced(state, gc::Executor::kJit, 1); }
void BM_GraphcJit2(benchmark::State& state) { GraphcTraced(state, gc::Executor::kJit, 2); }

using benchmark::kMillisecond;

BENCHMARK(BM_EigenOneThread)
    ->Name("BM_ElementwiseChain/eigen_1thread")
    ->UseRealTime()
    ->Unit(kMillisecond);
BENCHMARK(BM_EigenTwoThreads)
    ->Name("BM_ElementwiseChain/eigen_2threads")
    ->UseRealTime()
    ->Unit(kMillisecond);
// Eager ops and the interpreter take seconds at this size: one call each.
BENCHMARK(BM_GraphcEager)
    ->Name("BM_ElementwiseChain/graphc_eager")
    ->UseRealTime()
    ->Unit(kMillisecond)
    ->Iterations(1);
BENCHMARK(BM_GraphcInterpreter)
    ->Name("BM_ElementwiseChain/graphc_traced_interpreter")
    ->UseRealTime()
    ->Unit(kMillisecond)
    ->Iterations(1);
BENCHMARK(BM_GraphcJit1)
    ->Name("BM_ElementwiseChain/graphc_traced_jit_1thread")
    ->UseRealTime()
    ->Unit(kMillisecond);
BENCHMARK(BM_GraphcJit2)
    ->Name("BM_ElementwiseChain/graphc_traced_jit_2threads")
    ->UseRealTime()
    ->Unit(kMillisecond);

}  // namespace
}  // namespace graphc_bench
