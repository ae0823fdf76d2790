// The TensorFlow low-level API tutorial's linear regression, in graphc:
// fit y = x @ [0, 1, 2, 3, 4]^T with gradient descent, once eagerly and once
// as a traced function, printing the loss every 100 steps and the time of
// each mode.
//
// The training step is one C++ lambda; graphc::function traces it into IR
// (with the gradient ops added by the autodiff pass) on its first call.
#include <chrono>
#include <cstdio>

#include "graphc/graphc.h"

namespace gc = graphc;

namespace {

constexpr int kSteps = 1001;
constexpr float kLearningRate = 0.05f;

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main() {
  // 32 examples of 5 features; see tests/compiler/gradient_tape_test.cc for
  // how convergence depends on this draw.
  const gc::Tensor x = gc::random_uniform({32, 5}, /*seed=*/7);
  const gc::Tensor true_w = gc::constant({{0.f}, {1.f}, {2.f}, {3.f}, {4.f}});
  const gc::Tensor y = gc::matmul(x, true_w);

  double seconds[2];
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
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kSteps; ++i) {
      const gc::Tensor loss = traced ? compiled(x, y) : step(x, y);
      if (i % 100 == 0) std::printf("  step %4d  loss %.3g\n", i, loss.item<float>());
    }
    seconds[traced] = Seconds(start);
    std::printf("  w = %s\n", w.value().reshape({5}).ToString().c_str());
    std::printf("  %d steps in %.1f ms\n\n", kSteps, seconds[traced] * 1e3);
    if (traced) {
      std::printf("the traced step as IR:\n%s\n",
                  compiled.get_concrete_function(gc::TensorSpec({32, 5}), gc::TensorSpec({32, 1}))
                      .ir_text()
                      .c_str());
    }
  }
  std::printf("eager / traced time: %.2fx\n", seconds[0] / seconds[1]);
  return 0;
}
