// Iris flowers: a small multi-layer perceptron (4 measurements -> 10 relu ->
// 3 species) trained with Adam on minibatches, as in the TensorFlow
// "custom training: walkthrough" tutorial, with the nn building blocks:
// load_csv_with_labels, train_test_split, StandardScaler, Dataset, MLP,
// categorical_crossentropy, Adam and the accuracy metrics.
//
// The training step is one graphc::function whose batch dim is `?`, so one
// trace serves the full batches and the smaller last one.
//
// Flags: --data-dir=DIR (where iris.csv is), --check (asserts a test
// accuracy of at least 0.93).
#include <cstdio>
#include <tuple>
#include <vector>

#include "example_util.h"
#include "graphc/graphc.h"
#include "nn/nn.h"

namespace gc = graphc;
namespace nn = graphc::nn;

namespace {

constexpr int kEpochs = 30;
constexpr int kBatchSize = 16;
constexpr double kLearningRate = 0.01;
constexpr double kTestFraction = 0.2;
constexpr int64_t kClasses = 3;
constexpr uint64_t kSeed = 42;
constexpr double kTestAccuracyTarget = 0.93;

}  // namespace

int main(int argc, char** argv) {
  return examples::Run([&] {
    const examples::Flags flags(argc, argv, {"check", "data-dir"});
    gc::set_random_seed(kSeed);  // the initial weights

    // iris.csv: a header line, then 4 measurements (cm) and the species.
    const nn::LabelledData iris =
        nn::load_csv_with_labels(flags.data_file("iris.csv"), -1, gc::int32, {.skip_lines = 1});
    const nn::TrainTestSplit split = nn::train_test_split(iris.features, iris.labels, kTestFraction, kSeed);
    // Statistics from the training set only: the test set stays unseen.
    nn::StandardScaler scaler;
    const gc::Tensor train_x = scaler.fit_transform(split.train_features);
    const gc::Tensor test_x = scaler.transform(split.test_features);
    const gc::Tensor train_y = gc::one_hot(split.train_labels, kClasses);
    const gc::Tensor test_y = gc::one_hot(split.test_labels, kClasses);
    const int64_t train_size = train_x.shape().dim(0), test_size = test_x.shape().dim(0);

    std::printf("iris_mlp: 4 -> 10 relu -> 3, categorical cross-entropy, Adam(lr %g), batch %d, %d epochs\n",
                kLearningRate, kBatchSize, kEpochs);
    std::printf("data: %lld train / %lld test flowers (seed %llu), features standardised on the training set\n\n",
                static_cast<long long>(train_size), static_cast<long long>(test_size),
                static_cast<unsigned long long>(kSeed));

    nn::MLP model({10}, kClasses);  // outputs logits
    nn::Adam optimizer(kLearningRate);
    auto train_step = gc::function(
        [&](const gc::Tensor& x, const gc::Tensor& y) {
          gc::GradientTape tape;
          const gc::Tensor logits = model(x);
          const gc::Tensor loss = nn::categorical_crossentropy(y, logits, /*from_logits=*/true);
          const std::vector<gc::Variable> vars = model.trainable_variables();
          optimizer.apply_gradients(tape.gradient(loss, vars), vars);
          return std::tuple{loss, nn::categorical_accuracy(y, logits)};
        },
        {.name = "train_step",
         .input_signature = std::vector<gc::TensorSpec>{gc::TensorSpec({gc::kDynamic, 4}),
                                                        gc::TensorSpec({gc::kDynamic, kClasses})}});

    const nn::Dataset batches = nn::Dataset(train_x, train_y).shuffle(kSeed).batch(kBatchSize);
    examples::Stopwatch stopwatch;
    double train_accuracy = 0, test_accuracy = 0;
    for (int epoch = 0; epoch < kEpochs; ++epoch) {
      double loss_sum = 0, correct = 0;  // weighted by batch size
      for (const auto& [x, y] : batches.epoch(epoch)) {
        const auto [loss, accuracy] = train_step(x, y);
        const auto n = static_cast<double>(x.shape().dim(0));
        loss_sum += loss.item<float>() * n;
        correct += accuracy.item<float>() * n;
      }
      train_accuracy = correct / static_cast<double>(train_size);
      test_accuracy = nn::categorical_accuracy(test_y, model(test_x)).item<float>();
      std::printf("epoch %2d/%d  loss %.4f  train accuracy %.4f  test accuracy %.4f\n", epoch + 1, kEpochs,
                  loss_sum / static_cast<double>(train_size), train_accuracy, test_accuracy);
    }
    std::printf("\n%d epochs in %.0f ms; final train accuracy %.4f, test accuracy %.4f (%lld/%lld)\n", kEpochs,
                stopwatch.milliseconds(), train_accuracy, test_accuracy,
                static_cast<long long>(test_accuracy * static_cast<double>(test_size) + 0.5),
                static_cast<long long>(test_size));

    examples::Checks checks(flags.has("check"));
    checks.expect(test_accuracy >= kTestAccuracyTarget,
                  examples::Format("test accuracy %.4f >= %g", test_accuracy, kTestAccuracyTarget));
    return checks.exit_code();
  });
}
