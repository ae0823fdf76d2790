// The TensorFlow low-level API tutorial's linear regression, in graphc:
// fit y = x @ [0, 1, 2, 3, 4]^T with gradient descent, once eagerly and once
// as a traced function, printing the loss every 100 steps and the time of
// each mode.
//
// The training step is one C++ lambda; graphc::function traces it into IR
// (with the gradient ops added by the autodiff pass) on its first call.
//
// Flags: --check asserts that both modes reach a loss below 1e-6 and that
// their first 10 losses are identical; --ir prints the traced step's IR.
#include <cstdio>
#include <vector>

#include "example_util.h"
#include "graphc/graphc.h"

namespace gc = graphc;

namespace {

constexpr int kSteps = 1001;
constexpr float kLearningRate = 0.05f;

struct ModeResult {
  std::vector<float> losses;  // one per step
  double first_step_ms = 0;   // traced: includes tracing and compiling
  double other_steps_ms = 0;  // the remaining kSteps - 1 steps
};

}  // namespace

int main(int argc, char** argv) {
  return examples::Run([&] {
    const examples::Flags flags(argc, argv, {"check", "ir"});

    // 32 examples of 5 features; see tests/compiler/gradient_tape_test.cc for
    // how convergence depends on this draw.
    const gc::Tensor x = gc::random_uniform({32, 5}, /*seed=*/7);
    const gc::Tensor true_w = gc::constant({{0.f}, {1.f}, {2.f}, {3.f}, {4.f}});
    const gc::Tensor y = gc::matmul(x, true_w);

    ModeResult runs[2];
    for (bool traced : {false, true}) {
      gc::Variable w(gc::random_uniform({5, 1}, /*seed=*/107), "w");
      auto step = [&](const gc::Tensor& xs, const gc::Tensor& ys) {
        gc::GradientTape tape;
        gc::Tensor loss = gc::reduce_mean(gc::square(ys - gc::matmul(xs, w)));
        gc::Tensor dw = tape.gradient(loss, std::vector<gc::Variable>{w})[0];
        w.assign_sub(kLearningRate * dw);
        return loss;
      };
      auto compiled = gc::function(step, {.name = "train_step"});

      std::printf("%s:\n", traced ? "traced (graphc::function)" : "eager");
      ModeResult& run = runs[traced];
      examples::Stopwatch all_steps;
      for (int i = 0; i < kSteps; ++i) {
        const gc::Tensor loss = traced ? compiled(x, y) : step(x, y);
        // Reading the loss waits for the step, so the stopwatch sees it all.
        run.losses.push_back(loss.item<float>());
        if (i == 0) run.first_step_ms = all_steps.milliseconds();
        if (i % 100 == 0) std::printf("  step %4d  loss %.3g\n", i, run.losses.back());
      }
      run.other_steps_ms = all_steps.milliseconds() - run.first_step_ms;
      std::printf("  w = %s\n", w.value().reshape({5}).ToString().c_str());
      std::printf("  first step %.1f ms%s, the other %d steps %.1f ms (%.1f us/step)\n\n", run.first_step_ms,
                  traced ? " (tracing and compiling included)" : "", kSteps - 1, run.other_steps_ms,
                  run.other_steps_ms * 1e3 / (kSteps - 1));
      if (traced && flags.has("ir")) {
        std::printf("the traced step as IR:\n%s\n",
                    compiled.get_concrete_function(gc::TensorSpec({32, 5}), gc::TensorSpec({32, 1}))
                        .ir_text()
                        .c_str());
      }
    }
    const ModeResult& eager = runs[0];
    const ModeResult& traced = runs[1];
    std::printf("eager / traced time per step: %.2fx (all %d steps, with tracing and compiling: %.2fx)\n",
                eager.other_steps_ms / traced.other_steps_ms, kSteps,
                (eager.first_step_ms + eager.other_steps_ms) / (traced.first_step_ms + traced.other_steps_ms));

    examples::Checks checks(flags.has("check"));
    checks.expect(eager.losses.back() < 1e-6f, examples::Format("eager final loss %.3g < 1e-6", eager.losses.back()));
    checks.expect(traced.losses.back() < 1e-6f,
                  examples::Format("traced final loss %.3g < 1e-6", traced.losses.back()));
    int first_difference = -1;
    for (int i = 0; i < 10 && first_difference < 0; ++i) {
      if (eager.losses[i] != traced.losses[i]) first_difference = i;
    }
    checks.expect(first_difference < 0,
                  first_difference < 0
                      ? std::string("the first 10 losses are identical, eager and traced")
                      : examples::Format("the first 10 losses are identical, eager and traced (step %d: %.9g vs %.9g)",
                                         first_difference, eager.losses[first_difference],
                                         traced.losses[first_difference]));
    return checks.exit_code();
  });
}
