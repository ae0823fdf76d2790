// The MLP training step that tests/tools/mlp_train_step.gir holds: traced
// here with the public API, so the golden pipeline test (and the buffer
// plan figures in docs/passes.md) work on the graph a user really gets. If
// tracing or autodiff changes, this test fails and prints the new text to
// paste into the .gir file (below its comment header).
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "graphc/graphc.h"
#include "gtest/gtest.h"

namespace gc = graphc;
namespace fs = std::filesystem;

namespace {

const fs::path kGolden =
    fs::path(__FILE__).parent_path().parent_path() / "tools" / "mlp_train_step.gir";

// The .gir file without its leading `//` comment lines.
std::string GoldenBody() {
  std::ifstream in(kGolden);
  std::string line, body;
  bool header = true;
  while (std::getline(in, line)) {
    if (header && (line.rfind("//", 0) == 0 || line.empty())) continue;
    header = false;
    body += line + "\n";
  }
  return body;
}

// Source locations name this file by its path on the build machine.
std::string WithoutLocations(const std::string& text) {
  return std::regex_replace(text, std::regex(R"( loc\("[^"]*":\d+:\d+\))"), "");
}

TEST(MlpTrainStepTest, TracedGraphMatchesTheGoldenFile) {
  // 784 -> 20 (relu) -> 10, sparse softmax cross-entropy, SGD with lr 0.1.
  gc::Variable w1(gc::random_normal({784, 20}, 1, 0, 0.05), "w1");
  gc::Variable b1(gc::zeros({20}), "b1");
  gc::Variable w2(gc::random_normal({20, 10}, 2, 0, 0.05), "w2");
  gc::Variable b2(gc::zeros({10}), "b2");
  auto step = [&](const gc::Tensor& x, const gc::Tensor& labels) {
    gc::GradientTape tape;
    const gc::Tensor h = gc::relu(gc::matmul(x, w1) + b1);
    const gc::Tensor logits = gc::matmul(h, w2) + b2;
    const gc::Tensor loss =
        -gc::reduce_mean(gc::reduce_sum(gc::one_hot(labels, 10) * gc::log_softmax(logits), {1}));
    const std::vector<gc::Tensor> g = tape.gradient(loss, std::vector<gc::Variable>{w1, b1, w2, b2});
    w1.assign_sub(0.1 * g[0]);
    b1.assign_sub(0.1 * g[1]);
    w2.assign_sub(0.1 * g[2]);
    b2.assign_sub(0.1 * g[3]);
    return loss;
  };
  auto train_step = gc::function(step, {.name = "train_step", .optimize = false});
  const gc::ConcreteFunction cf =
      train_step.get_concrete_function(gc::TensorSpec({64, 784}), gc::TensorSpec({64}, gc::int32));
  const std::string traced = WithoutLocations(cf.traced_ir_text());
  EXPECT_EQ(traced, GoldenBody()) << "the traced step is now:\n" << traced;
}

}  // namespace
