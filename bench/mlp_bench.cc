// Workloads 2, 3 and 5: MLP training steps, and the time to trace the first
// step.
//   small: 784 -> 20 (relu) -> 10, batch 64, SGD lr 0.1 (1 thread)
//   large: 784 -> 512 (relu) -> 512 (relu) -> 10, batch 256, Adam lr 1e-3
// Both end in sparse softmax cross-entropy from the logits. Each Eigen
// baseline is checked against graphc before it is timed (bench/mlp.h).
#include <chrono>

#include <benchmark/benchmark.h>
#include <Eigen/Core>

#include "bench/bench_common.h"
#include "bench/mlp.h"
#include "graphc/graphc.h"

namespace gc = graphc;

namespace graphc_bench {
namespace {

const MlpConfig kSmall{{784, 20, 10}, 64, Optimizer::kSgd, 0.1f};
const MlpConfig kLarge{{784, 512, 512, 10}, 256, Optimizer::kAdam, 1e-3f};
// The large model's code paths (three layers, Adam) at a size graphc's
// interpreter checks in milliseconds.
const MlpConfig kLargeShapedCheck{{784, 32, 32, 10}, 16, Optimizer::kAdam, 1e-3f};

// Once per process, before the first Eigen step is timed.
void CheckBaselinesOnce() {
  static const bool checked = [] {
    CheckEigenMatchesGraphc(kSmall, /*steps=*/3, /*tol=*/1e-4);
    CheckEigenMatchesGraphc(kLargeShapedCheck, /*steps=*/3, /*tol=*/1e-4);
    return true;
  }();
  (void)checked;
}

// Adds FLOP/s and the fraction of the FMA peak of `threads` cores.
class FlopCounter {
 public:
  FlopCounter(benchmark::State& state, double flops_per_iteration, int threads)
      : state_(state), flops_(flops_per_iteration), threads_(threads) {}
  void Start() { start_ = std::chrono::steady_clock::now(); }
  void Stop() {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double flops = flops_ * static_cast<double>(state_.iterations());
    state_.counters["FLOP/s"] =
        benchmark::Counter(flops_, benchmark::Counter::kIsIterationInvariantRate);
    // Against this host's measured peak (bench_common.h).
    state_.counters["of_peak"] = flops / seconds / (threads_ * MeasuredFmaPeakPerCore());
  }

 private:
  benchmark::State& state_;
  double flops_;
  int threads_;
  std::chrono::steady_clock::time_point start_;
};

void EigenStep(benchmark::State& state, const MlpConfig& config, int threads) {
  CheckBaselinesOnce();
  // Eigen splits its matrix products over this many OpenMP threads.
  Eigen::setNbThreads(threads);
  EigenMlp mlp(config, MakeMlpData(config));
  FlopCounter counter(state, TrainStepFlops(config), threads);
  counter.Start();
  for (auto _ : state) benchmark::DoNotOptimize(mlp.Step());
  counter.Stop();
  Eigen::setNbThreads(1);
}

void GraphcEagerStep(benchmark::State& state, const MlpConfig& config) {
  const MlpData data = MakeMlpData(config);
  const GraphcMlp mlp(config, data);
  FlopCounter counter(state, TrainStepFlops(config), 1);
  counter.Start();
  for (auto _ : state) benchmark::DoNotOptimize(mlp.Step(data.x, data.labels));
  counter.Stop();
}

// The traced step, run by `executor` on `threads` threads; the first call
// (trace, pass pipeline, compilation) is not timed.
void GraphcTracedStep(benchmark::State& state, const MlpConfig& config, gc::Executor executor,
                      int threads) {
  const GraphcThreads scoped(threads);
  const MlpData data = MakeMlpData(config);
  const GraphcMlp mlp(config, data);
  auto step = gc::function(
      [&mlp](const gc::Tensor& x, const gc::Tensor& labels) { return mlp.Step(x, labels); },
      {.name = "train_step", .executor = executor});
  benchmark::DoNotOptimize(step(data.x, data.labels));
  FlopCounter counter(state, TrainStepFlops(config), threads);
  counter.Start();
  for (auto _ : state) benchmark::DoNotOptimize(step(data.x, data.labels));
  counter.Stop();
  // How much of the step runs as native code (the same trace, by spec).
  const gc::ConcreteFunction cf = step.get_concrete_function(
      gc::TensorSpec(data.x.shape()), gc::TensorSpec(data.labels.shape(), gc::int32));
  state.counters["compiled_fusions"] = cf.compiled_fusions();
  state.counters["interpreted_fusions"] = cf.interpreted_fusions();
}

// The small step traced once for any batch size (input_signature with `?`
// dims), so one executable runs it, the batch size passed at run time
// (compiler/codegen/shape_family.h): the cost of sizes read at run time.
void DynamicBatchStep(benchmark::State& state) {
  const GraphcThreads scoped(1);
  const MlpData data = MakeMlpData(kSmall);
  const GraphcMlp mlp(kSmall, data);
  auto step = gc::function(
      [&mlp](const gc::Tensor& x, const gc::Tensor& labels) { return mlp.Step(x, labels); },
      {.name = "train_step",
       .input_signature = std::vector<gc::TensorSpec>{gc::TensorSpec({gc::kDynamic, 784}),
                                                      gc::TensorSpec({gc::kDynamic}, gc::int32)}});
  benchmark::DoNotOptimize(step(data.x, data.labels));
  for (auto _ : state) benchmark::DoNotOptimize(step(data.x, data.labels));
  const gc::ConcreteFunction cf = step.get_concrete_function(gc::TensorSpec({gc::kDynamic, 784}),
                                                            gc::TensorSpec({gc::kDynamic}, gc::int32));
  state.counters["executables"] = cf.compiled_executables();
}

// The first call with a new batch size (48) after a first call at 64: with
// `?` dims in the signature the executable compiled at 64 runs it once the
// function, lowered at 48, is found to fit (a lowering, no code
// generation); with static shapes it is traced and compiled again.
void NewBatchSize(benchmark::State& state, bool dynamic) {
  const GraphcThreads scoped(1);
  const MlpData data = MakeMlpData(kSmall);
  const GraphcMlp mlp(kSmall, data);
  auto body = [&mlp](const gc::Tensor& x, const gc::Tensor& labels) { return mlp.Step(x, labels); };
  gc::FunctionOptions options{.name = "train_step"};
  if (dynamic) {
    options.input_signature = std::vector<gc::TensorSpec>{gc::TensorSpec({gc::kDynamic, 784}),
                                                          gc::TensorSpec({gc::kDynamic}, gc::int32)};
  }
  const gc::Tensor x48 = data.x[{gc::Slice(0, 48)}];
  const gc::Tensor labels48 = data.labels[{gc::Slice(0, 48)}];
  for (auto _ : state) {
    state.PauseTiming();
    auto step = gc::function(body, options);
    benchmark::DoNotOptimize(step(data.x, data.labels));
    state.ResumeTiming();
    benchmark::DoNotOptimize(step(x48, labels48));
  }
}

// Workload 5: a fresh graphc::function per iteration, so every iteration
// traces the small step again. Without `first_call` it stops at
// get_concrete_function (trace, pipeline if `optimize`, and compilation of
// the fusion groups for the JIT); with it, the first step also runs.
void TraceFirstStep(benchmark::State& state, bool optimize, gc::Executor executor,
                    bool first_call) {
  const MlpData data = MakeMlpData(kSmall);
  const GraphcMlp mlp(kSmall, data);
  auto body = [&mlp](const gc::Tensor& x, const gc::Tensor& labels) { return mlp.Step(x, labels); };
  const gc::FunctionOptions options{
      .name = "train_step", .optimize = optimize, .executor = executor};
  for (auto _ : state) {
    auto step = gc::function(body, options);
    if (first_call) {
      benchmark::DoNotOptimize(step(data.x, data.labels));
    } else {
      benchmark::DoNotOptimize(
          step.get_concrete_function(gc::TensorSpec({64, 784}), gc::TensorSpec({64}, gc::int32)));
    }
  }
}

constexpr gc::Executor kInterpreter = gc::Executor::kInterpreter;
constexpr gc::Executor kJit = gc::Executor::kJit;

void BM_SmallEigen(benchmark::State& state) { EigenStep(state, kSmall, 1); }
void BM_SmallEager(benchmark::State& state) { GraphcEagerStep(state, kSmall); }
void BM_SmallInterpreter(benchmark::State& state) { GraphcTracedStep(state, kSmall, kInterpreter, 1); }
void BM_SmallJit(benchmark::State& state) { GraphcTracedStep(state, kSmall, kJit, 1); }
void BM_LargeEigen1(benchmark::State& state) { EigenStep(state, kLarge, 1); }
void BM_LargeEigen2(benchmark::State& state) { EigenStep(state, kLarge, 2); }
void BM_LargeEager(benchmark::State& state) { GraphcEagerStep(state, kLarge); }
void BM_LargeInterpreter(benchmark::State& state) { GraphcTracedStep(state, kLarge, kInterpreter, 1); }
void BM_LargeJit1(benchmark::State& state) { GraphcTracedStep(state, kLarge, kJit, 1); }
void BM_LargeJit2(benchmark::State& state) { GraphcTracedStep(state, kLarge, kJit, 2); }
void BM_SmallJitDynamicBatch(benchmark::State& state) { DynamicBatchStep(state); }
void BM_NewBatchSizeFamily(benchmark::State& state) { NewBatchSize(state, true); }
void BM_NewBatchSizeRetrace(benchmark::State& state) { NewBatchSize(state, false); }
void BM_Trace(benchmark::State& state) { TraceFirstStep(state, false, kInterpreter, false); }
void BM_TracePipeline(benchmark::State& state) { TraceFirstStep(state, true, kInterpreter, false); }
void BM_TracePipelineCompile(benchmark::State& state) { TraceFirstStep(state, true, kJit, false); }
void BM_FirstCallJit(benchmark::State& state) { TraceFirstStep(state, true, kJit, true); }

using benchmark::kMicrosecond;
using benchmark::kMillisecond;

BENCHMARK(BM_SmallEigen)
    ->Name("BM_MlpSmallTrainStep/eigen_1thread")
    ->UseRealTime()
    ->Unit(kMicrosecond);
BENCHMARK(BM_SmallEager)
    ->Name("BM_MlpSmallTrainStep/graphc_eager")
    ->UseRealTime()
    ->Unit(kMicrosecond);
BENCHMARK(BM_SmallInterpreter)
    ->Name("BM_MlpSmallTrainStep/graphc_traced_interpreter")
    ->UseRealTime()
    ->Unit(kMicrosecond);
BENCHMARK(BM_SmallJit)
    ->Name("BM_MlpSmallTrainStep/graphc_traced_jit_1thread")
    ->UseRealTime()
    ->Unit(kMicrosecond);

BENCHMARK(BM_SmallJitDynamicBatch)
    ->Name("BM_MlpSmallTrainStep/graphc_traced_jit_1thread_any_batch")
    ->UseRealTime()
    ->Unit(kMicrosecond);
// Each iteration first compiles a fresh function (untimed, about 55 ms):
// a fixed count keeps the run short.
BENCHMARK(BM_NewBatchSizeFamily)
    ->Name("BM_NewBatchSize/small_mlp_any_batch_executable")
    ->UseRealTime()
    ->Unit(kMillisecond)
    ->Iterations(20);
BENCHMARK(BM_NewBatchSizeRetrace)
    ->Name("BM_NewBatchSize/small_mlp_retrace_compile")
    ->UseRealTime()
    ->Unit(kMillisecond)
    ->Iterations(20);

BENCHMARK(BM_LargeEigen1)
    ->Name("BM_MlpLargeTrainStep/eigen_1thread")
    ->UseRealTime()
    ->Unit(kMillisecond);
BENCHMARK(BM_LargeEigen2)
    ->Name("BM_MlpLargeTrainStep/eigen_2threads")
    ->UseRealTime()
    ->Unit(kMillisecond);
// The eager ops and the interpreter take tenths of a second per step: a
// single step each.
BENCHMARK(BM_LargeEager)
    ->Name("BM_MlpLargeTrainStep/graphc_eager")
    ->UseRealTime()
    ->Unit(kMillisecond)
    ->Iterations(1);
BENCHMARK(BM_LargeInterpreter)
    ->Name("BM_MlpLargeTrainStep/graphc_traced_interpreter")
    ->UseRealTime()
    ->Unit(kMillisecond)
    ->Iterations(1);
BENCHMARK(BM_LargeJit1)
    ->Name("BM_MlpLargeTrainStep/graphc_traced_jit_1thread")
    ->UseRealTime()
    ->Unit(kMillisecond);
BENCHMARK(BM_LargeJit2)
    ->Name("BM_MlpLargeTrainStep/graphc_traced_jit_2threads")
    ->UseRealTime()
    ->Unit(kMillisecond);

BENCHMARK(BM_Trace)->Name("BM_TraceFirstStep/small_mlp_trace")->UseRealTime()->Unit(kMillisecond);
BENCHMARK(BM_TracePipeline)
    ->Name("BM_TraceFirstStep/small_mlp_trace_pipeline")
    ->UseRealTime()
    ->Unit(kMillisecond);
BENCHMARK(BM_TracePipelineCompile)
    ->Name("BM_TraceFirstStep/small_mlp_trace_pipeline_jit_compile")
    ->UseRealTime()
    ->Unit(kMillisecond);
BENCHMARK(BM_FirstCallJit)
    ->Name("BM_TraceFirstStep/small_mlp_first_call_jit")
    ->UseRealTime()
    ->Unit(kMillisecond);

}  // namespace
}  // namespace graphc_bench
