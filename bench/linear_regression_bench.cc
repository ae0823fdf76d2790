// Workload 4: the tutorial's linear regression (examples/linear_regression.cc):
// 32 examples of 5 features, y = x @ [0, 1, 2, 3, 4]^T, 1001 gradient-descent
// steps with learning rate 0.05 on the mean squared error. Tiny steps, so
// the figures are dominated by per-call overhead; BM_Dispatch measures that
// overhead alone with a trivial body (x + 1 on a scalar).
#include <vector>

#include <benchmark/benchmark.h>
#include <Eigen/Core>

#include "bench/bench_common.h"
#include "graphc/graphc.h"

namespace gc = graphc;

namespace graphc_bench {
namespace {

constexpr int kSteps = 1001;
constexpr float kLearningRate = 0.05f;

struct Problem {
  gc::Tensor x, y, w0;
};

Problem MakeProblem() {
  Problem p;
  p.x = gc::random_uniform({32, 5}, /*seed=*/7);
  p.y = gc::matmul(p.x, gc::constant({{0.f}, {1.f}, {2.f}, {3.f}, {4.f}}));
  p.w0 = gc::random_uniform({5, 1}, /*seed=*/107);
  return p;
}

// One step as the tutorial writes it: the loss under a tape, its gradient,
// the update. Returns the loss.
gc::Tensor Step(const gc::Variable& w, const gc::Tensor& x, const gc::Tensor& y) {
  gc::GradientTape tape;
  const gc::Tensor loss = gc::reduce_mean(gc::square(y - gc::matmul(x, w)));
  const gc::Tensor dw = tape.gradient(loss, std::vector<gc::Variable>{w})[0];
  w.assign_sub(kLearningRate * dw);
  return loss;
}

// All steps in one graph: a fori_loop carrying w, each iteration a
// tutorial-style step with its own tape. Returns the final w.
gc::Tensor Train(const gc::Tensor& x, const gc::Tensor& y, const gc::Tensor& w0) {
  return gc::fori_loop(
      0, kSteps,
      [&](const gc::Tensor&, const gc::Tensor& w) {
        gc::GradientTape tape;
        tape.watch(w);
        const gc::Tensor loss = gc::reduce_mean(gc::square(y - gc::matmul(x, w)));
        return w - kLearningRate * tape.gradient(loss, w);
      },
      w0);
}

// The hand-written baseline with fixed-size Eigen types: all 1001 steps.
// Column-major x: both products are then short vector loops (row-major
// measured 3.5x slower).
using Matrix32x5 = Eigen::Matrix<float, 32, 5>;
using Vector32 = Eigen::Matrix<float, 32, 1>;
using Vector5 = Eigen::Matrix<float, 5, 1>;

Vector5 TrainEigen(const Matrix32x5& x, const Vector32& y, Vector5 w, float* last_loss) {
  for (int i = 0; i < kSteps; ++i) {
    const Vector32 residual = x * w - y;
    *last_loss = residual.squaredNorm() / 32.f;
    w -= (kLearningRate * 2.f / 32.f) * (x.transpose() * residual);
  }
  return w;
}

// Aborts unless the baseline ends with the weights graphc's eager loop
// reaches. Once per process.
void CheckBaselineOnce(const Problem& p) {
  static const bool checked = [&p] {
    gc::Variable w(p.w0, "w");
    for (int i = 0; i < kSteps; ++i) Step(w, p.x, p.y);
    const std::vector<float> want = w.value().to_vector<float>();
    float loss;
    const Vector5 got =
        TrainEigen(p.x.to_eigen<float>(), p.y.to_eigen<float>(), p.w0.to_eigen<float>(), &loss);
    for (int i = 0; i < 5; ++i) CheckClose("linear regression w", got[i], want[i], 1e-4);
    return true;
  }();
  (void)checked;
}

void BM_EigenFixedSize(benchmark::State& state) {
  const Problem p = MakeProblem();
  CheckBaselineOnce(p);
  const Matrix32x5 x = p.x.to_eigen<float>();
  const Vector32 y = p.y.to_eigen<float>();
  const Vector5 w0 = p.w0.to_eigen<float>();
  float loss = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(TrainEigen(x, y, w0, &loss));
    benchmark::DoNotOptimize(loss);
  }
}

void BM_GraphcEagerStep(benchmark::State& state) {
  const Problem p = MakeProblem();
  gc::Variable w(p.w0, "w");
  for (auto _ : state) benchmark::DoNotOptimize(Step(w, p.x, p.y));
}

// The traced variants run once per executor: the reference interpreter,
// and the JIT (fusion groups as native code, the rest interpreted).
void GraphcTracedStep(benchmark::State& state, gc::Executor executor) {
  const GraphcThreads scoped(1);
  const Problem p = MakeProblem();
  gc::Variable w(p.w0, "w");
  auto step = gc::function([&w](const gc::Tensor& x, const gc::Tensor& y) { return Step(w, x, y); },
                           {.name = "train_step", .executor = executor});
  benchmark::DoNotOptimize(step(p.x, p.y));
  for (auto _ : state) benchmark::DoNotOptimize(step(p.x, p.y));
}

void GraphcTracedLoop(benchmark::State& state, gc::Executor executor) {
  const GraphcThreads scoped(1);
  const Problem p = MakeProblem();
  auto train = gc::function(Train, {.name = "train", .executor = executor});
  // The hand-written gradient must reach the baseline's weights too.
  const std::vector<float> got = train(p.x, p.y, p.w0).to_vector<float>();
  float loss;
  const Vector5 want =
      TrainEigen(p.x.to_eigen<float>(), p.y.to_eigen<float>(), p.w0.to_eigen<float>(), &loss);
  for (int i = 0; i < 5; ++i) CheckClose("fori_loop w", want[i], got[static_cast<size_t>(i)], 1e-4);
  for (auto _ : state) benchmark::DoNotOptimize(train(p.x, p.y, p.w0));
}

gc::Tensor AddOne(const gc::Tensor& x) { return x + 1.f; }

void BM_DispatchEager(benchmark::State& state) {
  const gc::Tensor x(2.f);
  for (auto _ : state) benchmark::DoNotOptimize(AddOne(x));
}

void DispatchTraced(benchmark::State& state, gc::Executor executor) {
  const gc::Tensor x(2.f);
  auto add_one = gc::function(AddOne, {.name = "add_one", .executor = executor});
  benchmark::DoNotOptimize(add_one(x));
  for (auto _ : state) benchmark::DoNotOptimize(add_one(x));
}

constexpr gc::Executor kInterpreter = gc::Executor::kInterpreter;
constexpr gc::Executor kJit = gc::Executor::kJit;
void BM_StepInterpreter(benchmark::State& state) { GraphcTracedStep(state, kInterpreter); }
void BM_StepJit(benchmark::State& state) { GraphcTracedStep(state, kJit); }
void BM_LoopInterpreter(benchmark::State& state) { GraphcTracedLoop(state, kInterpreter); }
void BM_LoopJit(benchmark::State& state) { GraphcTracedLoop(state, kJit); }
void BM_DispatchInterpreter(benchmark::State& state) { DispatchTraced(state, kInterpreter); }
void BM_DispatchJit(benchmark::State& state) { DispatchTraced(state, kJit); }

using benchmark::kMicrosecond;

BENCHMARK(BM_EigenFixedSize)
    ->Name("BM_LinearRegression/eigen_fixed_size_1001_steps")
    ->UseRealTime()
    ->Unit(kMicrosecond);
BENCHMARK(BM_GraphcEagerStep)
    ->Name("BM_LinearRegression/graphc_eager_1_step")
    ->UseRealTime()
    ->Unit(kMicrosecond);
BENCHMARK(BM_StepInterpreter)
    ->Name("BM_LinearRegression/graphc_traced_interpreter_1_step")
    ->UseRealTime()
    ->Unit(kMicrosecond);
BENCHMARK(BM_StepJit)
    ->Name("BM_LinearRegression/graphc_traced_jit_1_step")
    ->UseRealTime()
    ->Unit(kMicrosecond);
BENCHMARK(BM_LoopInterpreter)
    ->Name("BM_LinearRegression/graphc_traced_interpreter_fori_loop_1001_steps")
    ->UseRealTime()
    ->Unit(kMicrosecond);
BENCHMARK(BM_LoopJit)
    ->Name("BM_LinearRegression/graphc_traced_jit_fori_loop_1001_steps")
    ->UseRealTime()
    ->Unit(kMicrosecond);
BENCHMARK(BM_DispatchEager)
    ->Name("BM_Dispatch/graphc_eager_scalar_add_one")
    ->UseRealTime()
    ->Unit(kMicrosecond);
BENCHMARK(BM_DispatchInterpreter)
    ->Name("BM_Dispatch/graphc_traced_interpreter_scalar_add_one")
    ->UseRealTime()
    ->Unit(kMicrosecond);
BENCHMARK(BM_DispatchJit)
    ->Name("BM_Dispatch/graphc_traced_jit_scalar_add_one")
    ->UseRealTime()
    ->Unit(kMicrosecond);

}  // namespace
}  // namespace graphc_bench
