// nn/optimizers.h: each optimizer's first steps against its Keras formula
// computed here in double, clipping, the learning-rate variable (changed
// without a retrace), eager and traced training steps agreeing, a small
// regression that learns, and bad arguments.
#include "nn/optimizers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <memory>

#include "nn/layers.h"
#include "nn/losses.h"

namespace graphc::nn {
namespace {

using Vec = std::vector<double>;

const Vec kInit{1.0, -2.0, 0.5};
// Three steps' gradients, with signs changing so momentum terms matter.
const std::vector<Vec> kGrads{{0.5, -1.0, 2.0}, {0.25, 0.5, -1.5}, {-0.75, 0.1, 0.3}};

// Runs `opt` on a float32 variable starting at kInit with kGrads; returns
// the variable after each step.
std::vector<Vec> RunSteps(Optimizer& opt) {
  Variable var(constant(kInit, Shape{3}, float32), "w");
  std::vector<Vec> out;
  for (const Vec& g : kGrads) {
    opt.apply_gradients({constant(g, Shape{3}, float32)}, {var});
    out.push_back(var.value().to_vector<double>());
  }
  return out;
}

// The same steps with `update` applied in double: update(w, g, t) for t = 1, 2, 3.
std::vector<Vec> Reference(const std::function<void(Vec& w, const Vec& g, int t)>& update) {
  Vec w = kInit;
  std::vector<Vec> out;
  for (size_t t = 0; t < kGrads.size(); ++t) {
    update(w, kGrads[t], int(t) + 1);
    out.push_back(w);
  }
  return out;
}

void ExpectClose(const std::vector<Vec>& expected, const std::vector<Vec>& actual) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t t = 0; t < expected.size(); ++t) {
    for (size_t i = 0; i < expected[t].size(); ++i) {
      EXPECT_NEAR(actual[t][i], expected[t][i], 1e-6 * std::max(1.0, std::abs(expected[t][i])))
          << "step " << t + 1 << " element " << i;
    }
  }
}

TEST(GradientDescent, SubtractsLearningRateTimesGradient) {
  SGD opt(0.1);
  ExpectClose(Reference([](Vec& w, const Vec& g, int) {
                for (size_t i = 0; i < w.size(); ++i) w[i] -= 0.1 * g[i];
              }),
              RunSteps(opt));
  EXPECT_EQ(opt.iterations().value().item<int64_t>(), 3);
  EXPECT_EQ(opt.variables().size(), 2u);  // iterations and learning_rate: no slots
}

TEST(Momentum, MatchesKerasSgdWithMomentum) {
  for (bool nesterov : {false, true}) {
    Momentum opt({.learning_rate = 0.1, .momentum = 0.9, .nesterov = nesterov});
    Vec m(3, 0.0);
    ExpectClose(Reference([&](Vec& w, const Vec& g, int) {
                  for (size_t i = 0; i < w.size(); ++i) {
                    m[i] = 0.9 * m[i] - 0.1 * g[i];
                    w[i] += nesterov ? 0.9 * m[i] - 0.1 * g[i] : m[i];
                  }
                }),
                RunSteps(opt));
    EXPECT_EQ(opt.variables().size(), 3u) << "one momentum slot";
  }
}

TEST(Adam, FirstThreeStepsMatchTheBiasCorrectedFormula) {
  Adam opt({.learning_rate = 0.01});
  Vec m(3, 0.0), v(3, 0.0);
  ExpectClose(Reference([&](Vec& w, const Vec& g, int t) {
                const double alpha = 0.01 * std::sqrt(1 - std::pow(0.999, t)) / (1 - std::pow(0.9, t));
                for (size_t i = 0; i < w.size(); ++i) {
                  m[i] = 0.9 * m[i] + 0.1 * g[i];
                  v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
                  w[i] -= alpha * m[i] / (std::sqrt(v[i]) + 1e-7);
                }
              }),
              RunSteps(opt));
  EXPECT_EQ(opt.variables().size(), 4u) << "m and v slots";
}

TEST(RMSprop, MatchesKeras3WithAndWithoutMomentum) {
  for (double momentum : {0.0, 0.5}) {
    // A large epsilon, so that sqrt(v + eps) (Keras 3) and sqrt(v) + eps
    // (Keras 2) differ visibly.
    RMSprop opt({.learning_rate = 0.01, .rho = 0.9, .momentum = momentum, .epsilon = 0.01});
    Vec ms(3, 0.0), mom(3, 0.0);
    ExpectClose(Reference([&](Vec& w, const Vec& g, int) {
                  for (size_t i = 0; i < w.size(); ++i) {
                    ms[i] = 0.9 * ms[i] + 0.1 * g[i] * g[i];
                    const double increment = 0.01 * g[i] / std::sqrt(ms[i] + 0.01);
                    mom[i] = momentum * mom[i] + increment;
                    w[i] -= momentum > 0 ? mom[i] : increment;
                  }
                }),
                RunSteps(opt));
  }
}

TEST(Clipping, ClipnormScalesEachGradientToTheNorm) {
  SGD opt({.learning_rate = 1.0, .clipnorm = 1.0});
  Variable big(constant({0.f, 0.f}), "big"), small(constant({0.f, 0.f}), "small");
  // Per gradient, as Keras's clipnorm (not the global norm): [3, 4] has norm
  // 5 and becomes [0.6, 0.8]; [0.3, 0.4] (norm 0.5) is left alone.
  opt.apply_gradients({constant({3.f, 4.f}), constant({0.3f, 0.4f})}, {big, small});
  const std::vector<float> b = big.value().to_vector<float>(), s = small.value().to_vector<float>();
  EXPECT_NEAR(b[0], -0.6, 1e-6);
  EXPECT_NEAR(b[1], -0.8, 1e-6);
  EXPECT_NEAR(s[0], -0.3, 1e-6);
  EXPECT_NEAR(s[1], -0.4, 1e-6);
}

TEST(Clipping, ClipvalueClipsEachElement) {
  SGD opt({.learning_rate = 1.0, .clipvalue = 1.0});
  Variable var(constant({0.f, 0.f, 0.f}), "w");
  opt.apply_gradients({constant({-3.f, 0.5f, 2.f})}, {var});
  EXPECT_EQ(var.value().to_vector<float>(), (std::vector<float>{1.f, -0.5f, -1.f}));
}

TEST(Optimizer, SkipsUndefinedGradientsButCountsTheStep) {
  Adam opt;
  Variable used(constant({1.f}), "used"), unused(constant({2.f}), "unused");
  opt.apply_gradients({constant({0.5f}), Tensor()}, {used, unused});
  EXPECT_NE(used.value().item<float>(), 1.f);
  EXPECT_EQ(unused.value().item<float>(), 2.f);
  EXPECT_EQ(opt.variables().size(), 4u) << "slots only for the updated variable";
  EXPECT_EQ(opt.iterations().value().item<int64_t>(), 1);
}

TEST(Optimizer, WorksOnFloat64Variables) {
  Adam opt({.learning_rate = 0.5});
  Variable var(constant({1.0}, float64), "w");
  opt.apply_gradients({constant({2.0}, float64)}, {var});
  // Step 1 of Adam: m = 0.1 g, v = 0.001 g^2, so the update is
  // lr g / (|g| + eps / sqrt(0.001)); float64 all the way, hyperparameters included.
  EXPECT_NEAR(var.value().item<double>(), 1.0 - 0.5 * 2.0 / (2.0 + 1e-7 / std::sqrt(0.001)), 1e-14);
}

TEST(Optimizer, RejectsMismatchedGradientsAndBadOptions) {
  SGD opt;
  Variable var(constant({1.f, 2.f}), "w");
  try {
    opt.apply_gradients({constant({1.f, 1.f}), constant({1.f, 1.f})}, {var});
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("2 gradients for 1 variables"), std::string::npos) << e.what();
  }
  try {
    opt.apply_gradients({Tensor()}, {var});
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no gradient is defined"), std::string::npos) << e.what();
  }
  EXPECT_THROW(opt.apply_gradients({constant({1.f, 1.f, 1.f})}, {var}), Error);    // shape
  EXPECT_THROW(opt.apply_gradients({constant({1.0, 1.0}, float64)}, {var}), Error);  // dtype
  EXPECT_EQ(var.value().to_vector<float>(), (std::vector<float>{1.f, 2.f}));        // nothing applied
  EXPECT_EQ(opt.iterations().value().item<int64_t>(), 0);

  EXPECT_THROW(SGD(-0.1), Error);
  EXPECT_THROW(SGD({.clipnorm = 1.0, .clipvalue = 1.0}), Error);
  EXPECT_THROW(SGD({.clipnorm = 0.0}), Error);
  EXPECT_THROW(Momentum({.momentum = 1.5}), Error);
  EXPECT_THROW(Adam({.beta_1 = 1.0}), Error);
  EXPECT_THROW(RMSprop({.rho = -0.1}), Error);
  EXPECT_THROW(opt.set_learning_rate(-1), Error);
}

// A training step (forward, tape, apply_gradients) for a regression model.
struct Trainer {
  Sequential model;
  std::unique_ptr<Optimizer> opt;
  Tensor operator()(const Tensor& x, const Tensor& y) {
    GradientTape tape;
    const Tensor loss = mean_squared_error(y, model(x));
    const std::vector<Variable> vars = model.trainable_variables();
    opt->apply_gradients(tape.gradient(loss, vars), vars);
    return loss;
  }
};

// Seeded layers, so two trainers start from the same weights.
Sequential SmallModel() {
  Sequential model;
  model.add(Dense(8, activations::tanh, true, GlorotUniform(1))).add(Dense(1, nullptr, true, GlorotUniform(2)));
  return model;
}

// y = x.[1, -2, 0.5] + 0.3 on 16 random points.
Tensor Inputs() { return random_uniform({16, 3}, 21, -1, 1); }
Tensor Targets() { return matmul(Inputs(), constant({{1.f}, {-2.f}, {0.5f}})) + 0.3f; }

// Three steps eagerly and three through one traced graphc::function, from
// the same weights: same losses, same variables, one trace.
void ExpectEagerEqualsTraced(const std::function<std::unique_ptr<Optimizer>()>& make_optimizer) {
  const Tensor x = Inputs(), y = Targets();
  Trainer eager{SmallModel(), make_optimizer()};
  Trainer traced_trainer{SmallModel(), make_optimizer()};
  auto traced = function([&](const Tensor& x, const Tensor& y) { return traced_trainer(x, y); });
  for (int step = 0; step < 3; ++step) {
    const float eager_loss = eager(x, y).item<float>();
    EXPECT_NEAR(traced(x, y).item<float>(), eager_loss, 1e-5 * std::max(1.f, eager_loss)) << "step " << step;
  }
  EXPECT_EQ(traced.tracing_count(), 1);
  const auto a = eager.model.variables(), b = traced_trainer.model.variables();
  ASSERT_EQ(a.size(), 4u);
  ASSERT_EQ(b.size(), 4u);
  for (size_t i = 0; i < a.size(); ++i) {
    const std::vector<float> va = a[i].value().to_vector<float>(), vb = b[i].value().to_vector<float>();
    for (size_t j = 0; j < va.size(); ++j) EXPECT_NEAR(va[j], vb[j], 1e-5) << "variable " << i;
  }
  EXPECT_EQ(traced_trainer.opt->iterations().value().item<int64_t>(), 3);
  EXPECT_EQ(traced_trainer.opt->variables().size(), eager.opt->variables().size());
}

// An epoch whose last batch is smaller, traced once for any batch size: one
// executable trains every batch, with the interpreter's bits.
TEST(TrainingStep, AnyBatchSizeRunsOnOneExecutable) {
  const std::vector<TensorSpec> signature = {TensorSpec({kDynamic, 3}), TensorSpec({kDynamic, 1})};
  auto adam = [] { return std::make_unique<Adam>(AdamOptions{.learning_rate = 0.05, .clipnorm = 0.5}); };
  Trainer jit_trainer{SmallModel(), adam()};
  Trainer interp_trainer{SmallModel(), adam()};
  auto jit = function([&](const Tensor& x, const Tensor& y) { return jit_trainer(x, y); },
                      {.input_signature = signature});
  auto interp = function([&](const Tensor& x, const Tensor& y) { return interp_trainer(x, y); },
                         {.input_signature = signature, .executor = Executor::kInterpreter});
  const Tensor x = Inputs(), y = Targets();
  // Batches of 16, 6 and 5 rows.
  for (auto [start, stop] : {std::pair<int64_t, int64_t>{0, 16}, {0, 6}, {6, 11}}) {
    const Tensor xb = x[{Slice(start, stop)}], yb = y[{Slice(start, stop)}];
    EXPECT_EQ(jit(xb, yb).item<float>(), interp(xb, yb).item<float>()) << "rows " << start << " to " << stop;
  }
  const auto a = jit_trainer.model.variables(), b = interp_trainer.model.variables();
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].value().to_vector<float>(), b[i].value().to_vector<float>());
  EXPECT_EQ(jit.tracing_count(), 1);
  EXPECT_EQ(jit.get_concrete_function(signature[0], signature[1]).compiled_executables(), 1);
}

TEST(TrainingStep, EagerEqualsTracedForAdamWithClipnorm) {
  ExpectEagerEqualsTraced([] { return std::make_unique<Adam>(AdamOptions{.learning_rate = 0.05, .clipnorm = 0.5}); });
}

TEST(TrainingStep, EagerEqualsTracedForNesterovMomentum) {
  ExpectEagerEqualsTraced(
      [] { return std::make_unique<Momentum>(MomentumOptions{.learning_rate = 0.1, .nesterov = true}); });
}

TEST(TrainingStep, EagerEqualsTracedForRMSpropWithMomentumAndClipvalue) {
  ExpectEagerEqualsTraced([] {
    return std::make_unique<RMSprop>(RMSpropOptions{.learning_rate = 0.01, .momentum = 0.5, .clipvalue = 0.1});
  });
}

TEST(TrainingStep, SetLearningRateChangesTheTracedUpdateWithoutRetracing) {
  SGD opt(0.1);
  Variable w(constant({1.f, 1.f}), "w");
  auto step = function([&](const Tensor& x) {
    GradientTape tape;
    const Tensor loss = reduce_sum(w * x);  // d loss / d w = x
    opt.apply_gradients(tape.gradient(loss, std::vector<Variable>{w}), {w});
  });
  const Tensor x = constant({1.f, -2.f});
  step(x);
  EXPECT_EQ(w.value().to_vector<float>(), (std::vector<float>{0.9f, 1.2f}));
  opt.set_learning_rate(0.5);
  EXPECT_EQ(opt.learning_rate().value().item<float>(), 0.5f);
  step(x);
  const std::vector<float> after = w.value().to_vector<float>();
  EXPECT_NEAR(after[0], 0.4f, 1e-6);
  EXPECT_NEAR(after[1], 2.2f, 1e-6);
  EXPECT_EQ(step.tracing_count(), 1);
}

TEST(TrainingStep, ATracedAdamStepLearnsARegression) {
  Trainer trainer{SmallModel(), std::make_unique<Adam>(AdamOptions{.learning_rate = 0.05})};
  auto step = function([&](const Tensor& x, const Tensor& y) { return trainer(x, y); });
  const Tensor x = Inputs(), y = Targets();
  const float first = step(x, y).item<float>();
  float last = first;
  for (int i = 0; i < 100; ++i) last = step(x, y).item<float>();
  EXPECT_LT(last, 0.05f * first) << "first " << first << " last " << last;
  EXPECT_EQ(step.tracing_count(), 1);
}

}  // namespace
}  // namespace graphc::nn
