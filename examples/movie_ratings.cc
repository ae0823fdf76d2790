// The smallest model there is: one sigmoid unit, nn::Dense(1, sigmoid),
// learns how much a user likes a movie (a rating in [0, 1]) from how much
// of each genre (drama, comedy, action) it has. Plain gradient descent on
// the mean squared error, 5000 steps, each a call of one traced
// graphc::function (forward pass, GradientTape and apply_gradients).
//
// --check asserts a final MSE below 1e-3 and every prediction within 0.05
// of its rating. Both are reachable: the ratings below were made with the
// model itself, sigmoid(1.5 action + 0.5 comedy - 1.5 drama - 0.5), rounded
// to two decimals, so some weights fit every rating to within 0.005 (an MSE
// of at most 2.5e-5, 40 times below the target).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "example_util.h"
#include "graphc/graphc.h"
#include "nn/nn.h"

namespace gc = graphc;
namespace nn = graphc::nn;

namespace {

constexpr int kSteps = 5000;
constexpr int kPrintEvery = 500;
// The sigmoid's slope is at most 1/4, so the MSE gradient is small: a step
// size well above the usual 0.01 is stable here and converges in time.
constexpr double kLearningRate = 0.5;
constexpr double kMseTarget = 1e-3;
constexpr double kPredictionTolerance = 0.05;

struct Movie {
  const char* title;
  float drama, comedy, action;  // how much of each genre, in [0, 1]
  float rating;                 // this user's rating, in [0, 1]
};

// A user who likes action and does not care much for drama.
const std::vector<Movie> kMovies = {
    {"The Shawshank Redemption", 1.0f, 0.0f, 0.0f, 0.12f},
    {"Groundhog Day", 0.2f, 1.0f, 0.0f, 0.43f},
    {"Mad Max: Fury Road", 0.0f, 0.0f, 1.0f, 0.73f},
    {"Rush Hour", 0.0f, 0.8f, 0.9f, 0.78f},
    {"Gladiator", 0.8f, 0.0f, 1.0f, 0.45f},
};

}  // namespace

int main(int argc, char** argv) {
  return examples::Run([&] {
    const examples::Flags flags(argc, argv, {"check"});
    std::printf("movie_ratings: one sigmoid unit learns a user's ratings from genres "
                "(drama, comedy, action); gradient descent, lr %g, %d traced steps\n\n",
                kLearningRate, kSteps);

    std::vector<float> genres, ratings;
    for (const Movie& m : kMovies) {
      genres.insert(genres.end(), {m.drama, m.comedy, m.action});
      ratings.push_back(m.rating);
    }
    const auto n = static_cast<int64_t>(kMovies.size());
    const gc::Tensor x = gc::constant(genres, {n, 3});
    const gc::Tensor y = gc::constant(ratings, {n, 1});

    nn::Dense model(1, nn::activations::sigmoid, /*use_bias=*/true, nn::GlorotUniform(/*seed=*/1));
    nn::GradientDescent optimizer(kLearningRate);
    auto train_step = gc::function(
        [&](const gc::Tensor& features, const gc::Tensor& targets) {
          gc::GradientTape tape;
          const gc::Tensor loss = nn::mean_squared_error(targets, model(features));
          const std::vector<gc::Variable> vars = model.trainable_variables();
          optimizer.apply_gradients(tape.gradient(loss, vars), vars);
          return loss;
        },
        {.name = "train_step"});

    examples::Stopwatch stopwatch;
    for (int step = 0; step < kSteps; ++step) {
      const gc::Tensor loss = train_step(x, y);
      if (step % kPrintEvery == 0 || step == kSteps - 1) {
        std::printf("step %4d  mse %.3g\n", step, loss.item<float>());
      }
    }
    std::printf("%d steps in %.0f ms\n\n", kSteps, stopwatch.milliseconds());

    // After the last update: the loss a step returns is that of the weights
    // before it.
    const gc::Tensor predictions = model(x);
    const float mse = nn::mean_squared_error(y, predictions).item<float>();
    const std::vector<float> predicted = predictions.to_vector<float>();
    const std::vector<float> kernel = model.kernel().value().to_vector<float>();
    std::printf("learned: rating = sigmoid(%.2f drama %+.2f comedy %+.2f action %+.2f)\n\n", kernel[0],
                kernel[1], kernel[2], model.bias().value().item<float>());
    std::printf("%-26s %6s %9s\n", "movie", "rating", "predicted");
    float worst_error = 0;
    for (size_t i = 0; i < kMovies.size(); ++i) {
      std::printf("%-26s %6.2f %9.3f\n", kMovies[i].title, kMovies[i].rating, predicted[i]);
      worst_error = std::max(worst_error, std::abs(predicted[i] - kMovies[i].rating));
    }
    std::printf("\nfinal mse %.3g, largest error %.4f\n", mse, worst_error);

    examples::Checks checks(flags.has("check"));
    checks.expect(mse < kMseTarget, examples::Format("final mse %.3g < %g", mse, kMseTarget));
    checks.expect(worst_error <= kPredictionTolerance,
                  examples::Format("every prediction within %g of its rating (largest error %.4f)",
                                   kPredictionTolerance, worst_error));
    return checks.exit_code();
  });
}
