// Boston house prices: the same small regression network (13 standardised
// features -> 4 relu -> 1 price, mean squared error) trained with four
// optimizers from the same initial weights, as in the optimizer chapter of
// the TensorFlow tutorials: plain gradient descent with a learning rate too
// large for it (it diverges), the same with clipnorm (each step is bounded,
// and it converges), momentum, and Adam. Each one's test MSE is compared
// with the constant-prediction baseline (always predict the mean training
// price).
//
// Each optimizer has its own traced training step (forward pass,
// GradientTape, apply_gradients), called on the same shuffled minibatches.
//
// Flags: --data-dir=DIR (where boston_house_prices.csv is), --check
// (asserts that Adam's test MSE is at most 40% of the baseline's).
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "example_util.h"
#include "graphc/graphc.h"
#include "nn/nn.h"

namespace gc = graphc;
namespace nn = graphc::nn;

namespace {

constexpr int kEpochs = 30;
constexpr int kBatchSize = 32;
constexpr int64_t kHiddenUnits = 4;
constexpr double kTestFraction = 0.2;
constexpr uint64_t kSeed = 42;
constexpr double kAdamTarget = 0.4;  // Adam's test MSE over the baseline's

// 13 -> 4 relu -> 1, with seeded initial weights so that every optimizer
// starts from the same point.
std::shared_ptr<nn::Sequential> MakeModel() {
  auto model = std::make_shared<nn::Sequential>();
  model->add(nn::Dense(kHiddenUnits, nn::activations::relu, true, nn::GlorotUniform(/*seed=*/1)));
  model->add(nn::Dense(1, nullptr, true, nn::GlorotUniform(/*seed=*/2)));
  return model;
}

// One optimizer with its own model and traced training step.
struct Contender {
  std::string name;
  std::shared_ptr<nn::Sequential> model;
  std::function<gc::Tensor(const gc::Tensor&, const gc::Tensor&)> train_step;  // returns the batch's MSE
  double train_loss = 0;                                                       // of the last epoch
  double test_mse = 0;
};

Contender MakeContender(std::string name, std::shared_ptr<nn::Optimizer> optimizer) {
  auto model = MakeModel();
  // The step holds its own handles to the model and optimizer, so it stays
  // valid however the Contender is moved.
  auto step = [model, optimizer](const gc::Tensor& x, const gc::Tensor& y) {
    gc::GradientTape tape;
    const gc::Tensor loss = nn::mean_squared_error(y, (*model)(x));
    const std::vector<gc::Variable> vars = model->trainable_variables();
    optimizer->apply_gradients(tape.gradient(loss, vars), vars);
    return loss;
  };
  // A `?` batch dim: one trace serves the full batches and the last one.
  const std::vector<gc::TensorSpec> signature = {gc::TensorSpec({gc::kDynamic, 13}),
                                                 gc::TensorSpec({gc::kDynamic, 1})};
  return {.name = std::move(name),
          .model = model,
          .train_step = gc::function(step, {.name = "train_step", .input_signature = signature})};
}

// An MSE right-aligned in `width` columns, or "diverged" for inf and NaN.
void PrintMse(double mse, int width) {
  if (std::isfinite(mse)) {
    std::printf("%*.2f", width, mse);
  } else {
    std::printf("%*s", width, "diverged");
  }
}

}  // namespace

int main(int argc, char** argv) {
  return examples::Run([&] {
    const examples::Flags flags(argc, argv, {"check", "data-dir"});

    // Line 1 holds the sizes, line 2 the column names; the price (MEDV, in
    // $1000s) is the last column.
    const nn::LabelledData houses =
        nn::load_csv_with_labels(flags.data_file("boston_house_prices.csv"), -1, gc::float32, {.skip_lines = 2});
    const gc::Tensor prices = houses.labels.reshape({-1, 1});  // [n, 1], like the model's output
    const nn::TrainTestSplit split = nn::train_test_split(houses.features, prices, kTestFraction, kSeed);
    nn::StandardScaler scaler;
    const gc::Tensor train_x = scaler.fit_transform(split.train_features);
    const gc::Tensor test_x = scaler.transform(split.test_features);
    const gc::Tensor& train_y = split.train_labels;
    const gc::Tensor& test_y = split.test_labels;
    const int64_t train_size = train_x.shape().dim(0);

    const gc::Tensor mean_price = gc::reduce_mean(train_y);
    const float baseline_mse = nn::mean_squared_error(test_y, gc::zeros_like(test_y) + mean_price).item<float>();

    std::printf("boston_housing: 13 standardised features -> %lld relu -> 1 price ($1000s), MSE, batch %d, "
                "%d epochs, 4 optimizers from the same initial weights\n",
                static_cast<long long>(kHiddenUnits), kBatchSize, kEpochs);
    std::printf("data: %lld train / %lld test houses (seed %llu); baseline: predict the mean train price %.2f\n\n",
                static_cast<long long>(train_size), static_cast<long long>(test_x.shape().dim(0)),
                static_cast<unsigned long long>(kSeed), mean_price.item<float>());

    // One learning rate for both gradient descents: too large for the plain
    // one, which diverges, while clipnorm bounds each step and converges.
    std::vector<Contender> contenders;
    contenders.push_back(MakeContender("GD lr=0.1", std::make_shared<nn::GradientDescent>(0.1)));
    contenders.push_back(MakeContender(
        "GD lr=0.1 clipnorm=1",
        std::make_shared<nn::GradientDescent>(nn::GradientDescentOptions{.learning_rate = 0.1, .clipnorm = 1.0})));
    contenders.push_back(MakeContender(
        "Momentum lr=0.003", std::make_shared<nn::Momentum>(nn::MomentumOptions{.learning_rate = 0.003, .momentum = 0.9})));
    contenders.push_back(MakeContender("Adam lr=0.1", std::make_shared<nn::Adam>(0.1)));  // last: --check

    std::printf("training MSE per epoch:\n%5s", "epoch");
    for (const Contender& c : contenders) std::printf("  %*s", static_cast<int>(c.name.size()), c.name.c_str());
    std::printf("\n");

    const nn::Dataset batches = nn::Dataset(train_x, train_y).shuffle(kSeed).batch(kBatchSize);
    examples::Stopwatch stopwatch;
    for (int epoch = 0; epoch < kEpochs; ++epoch) {
      for (Contender& c : contenders) c.train_loss = 0;
      for (const auto& [x, y] : batches.epoch(epoch)) {
        const auto n = static_cast<double>(x.shape().dim(0));
        for (Contender& c : contenders) c.train_loss += c.train_step(x, y).item<float>() * n;
      }
      std::printf("%5d", epoch + 1);
      for (Contender& c : contenders) {
        c.train_loss /= static_cast<double>(train_size);
        std::printf("  ");
        PrintMse(c.train_loss, static_cast<int>(c.name.size()));
      }
      std::printf("\n");
    }
    std::printf("(%d epochs x %zu optimizers in %.0f ms)\n\n", kEpochs, contenders.size(), stopwatch.milliseconds());

    std::printf("%-28s %9s  %s\n", "test set", "MSE", "of baseline");
    std::printf("%-28s %9.2f  %4.0f%%\n", "baseline (mean train price)", baseline_mse, 100.0);
    for (Contender& c : contenders) {
      c.test_mse = nn::mean_squared_error(test_y, (*c.model)(test_x)).item<float>();
      std::printf("%-28s ", c.name.c_str());
      PrintMse(c.test_mse, 9);
      if (std::isfinite(c.test_mse)) std::printf("  %4.0f%%", 100.0 * c.test_mse / baseline_mse);
      std::printf("\n");
    }
    const double adam_mse = contenders.back().test_mse;

    examples::Checks checks(flags.has("check"));
    checks.expect(adam_mse <= kAdamTarget * baseline_mse,
                  examples::Format("Adam's test MSE %.2f <= %.0f%% of the baseline's %.2f (%.0f%%)", adam_mse,
                                   100 * kAdamTarget, baseline_mse, 100.0 * adam_mse / baseline_mse));
    return checks.exit_code();
  });
}
