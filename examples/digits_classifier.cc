// Handwritten digits: a classifier for the 8x8 UCI digits (64 pixels ->
// 20 relu -> 10 logits), trained with plain SGD on minibatches, in the three
// phases of a real project:
//
//   training     the whole training step (forward pass, GradientTape,
//                apply_gradients) is one graphc::function, traced once and
//                compiled; the weights are then saved (safetensors);
//   evaluation   a new model, built the same way, loads those weights and
//                is measured on the held-out test images;
//   prediction   it labels a few test images, drawn as text.
//
// With --mode=both the same training also runs eagerly (op by op), from the
// same initial weights on the same batches, to compare the time per epoch.
//
// Flags: --mode=compiled|eager|both (default compiled), --epochs=N (default
// 40), --weights=PATH (default: a file in the temp dir), --data-dir=DIR
// (where digits.csv is), --check (asserts a test accuracy of at least 0.93),
// --export-dir=DIR (after training, writes the inference function and what
// `graphc compile` and examples/embed need to run it without the compiler;
// see Export below).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "example_util.h"
#include "graphc/graphc.h"
#include "nn/nn.h"
#include "runtime/npy.h"

namespace gc = graphc;
namespace nn = graphc::nn;

namespace {

constexpr int64_t kPixels = 64, kHiddenUnits = 20, kClasses = 10;
constexpr double kLearningRate = 0.1;
constexpr int kBatchSize = 64;
constexpr double kTestFraction = 0.2;
constexpr uint64_t kSeed = 42;
constexpr int kPredictionsShown = 8;
constexpr double kTestAccuracyTarget = 0.93;
constexpr int64_t kExportBatch = 64;  // test images in the exported batch

// The same architecture and the same (seeded) initial weights every time:
// the eager and compiled runs start from one point, and the evaluation
// model has the variables the saved file names.
std::shared_ptr<nn::Sequential> MakeModel() {
  auto model = std::make_shared<nn::Sequential>();
  model->add(nn::Dense(kHiddenUnits, nn::activations::relu, true, nn::GlorotUniform(/*seed=*/1)));
  model->add(nn::Dense(kClasses, nullptr, true, nn::GlorotUniform(/*seed=*/2)));
  return model;
}

struct TrainingRun {
  std::shared_ptr<nn::Sequential> model;
  std::vector<double> epoch_ms;
  double loss = 0, accuracy = 0;  // of the last epoch
};

// Mean time of the epochs after the first (which, compiled, includes
// tracing and compiling); the first alone when there is only one.
double SteadyEpochMs(const TrainingRun& run) {
  if (run.epoch_ms.size() == 1) return run.epoch_ms[0];
  double sum = 0;
  for (size_t i = 1; i < run.epoch_ms.size(); ++i) sum += run.epoch_ms[i];
  return sum / static_cast<double>(run.epoch_ms.size() - 1);
}

TrainingRun Train(bool compiled, const nn::Dataset& batches, int epochs) {
  TrainingRun run;
  auto model = run.model = MakeModel();
  auto optimizer = std::make_shared<nn::SGD>(kLearningRate);
  auto step = [model, optimizer](const gc::Tensor& images, const gc::Tensor& labels) {
    gc::GradientTape tape;
    const gc::Tensor logits = (*model)(images);
    const gc::Tensor loss = nn::sparse_categorical_crossentropy(labels, logits, /*from_logits=*/true);
    const std::vector<gc::Variable> vars = model->trainable_variables();
    optimizer->apply_gradients(tape.gradient(loss, vars), vars);
    return std::tuple{loss, nn::accuracy(labels, logits)};
  };
  // A `?` batch dim: one trace serves the full batches and the last one.
  auto compiled_step = gc::function(
      step, {.name = "train_step",
             .input_signature = std::vector<gc::TensorSpec>{gc::TensorSpec({gc::kDynamic, kPixels}),
                                                            gc::TensorSpec({gc::kDynamic}, gc::int32)}});

  std::printf("training, %s:\n", compiled ? "compiled (one graphc::function: forward, GradientTape, apply_gradients)"
                                          : "eager (the same step, op by op)");
  for (int epoch = 0; epoch < epochs; ++epoch) {
    examples::Stopwatch stopwatch;
    double loss_sum = 0, correct = 0, seen = 0;  // weighted by batch size
    for (const auto& [images, labels] : batches.epoch(epoch)) {
      const auto [loss, accuracy] = compiled ? compiled_step(images, labels) : step(images, labels);
      const auto n = static_cast<double>(images.shape().dim(0));
      loss_sum += loss.item<float>() * n;
      correct += accuracy.item<float>() * n;
      seen += n;
    }
    run.epoch_ms.push_back(stopwatch.milliseconds());
    run.loss = loss_sum / seen;
    run.accuracy = correct / seen;
    std::printf("  epoch %2d/%d  loss %.4f  train accuracy %.4f  %7.1f ms%s\n", epoch + 1, epochs, run.loss,
                run.accuracy, run.epoch_ms.back(),
                compiled && epoch == 0 ? "  (tracing and compiling included)" : "");
  }
  std::printf("  %.1f ms per epoch%s\n\n", SteadyEpochMs(run), epochs > 1 ? " after the first" : "");
  return run;
}

// An 8x8 image with pixels in [0, 1], one text row per pixel row, each
// pixel two characters wide (text cells are about twice as tall as wide).
std::vector<std::string> Draw(const std::vector<float>& pixels) {
  static const std::string kShades = " .:-=+*#%@";
  std::vector<std::string> rows;
  for (int r = 0; r < 8; ++r) {
    std::string row;
    for (int c = 0; c < 8; ++c) {
      const float v = pixels[static_cast<size_t>(r * 8 + c)];
      const auto shade = static_cast<size_t>(v * static_cast<float>(kShades.size() - 1) + 0.5f);
      row += std::string(2, kShades[std::min(shade, kShades.size() - 1)]);
    }
    rows.push_back(row);
  }
  return rows;
}

void ShowPredictions(nn::Sequential& model, const gc::Tensor& images, const gc::Tensor& labels, int count) {
  const gc::Tensor first = images[{gc::Slice(0, count)}];
  const gc::Tensor probabilities = gc::softmax(model(first));
  const std::vector<int64_t> predicted = gc::argmax(probabilities, 1).to_vector<int64_t>();
  const std::vector<float> confidence = gc::reduce_max(probabilities, {1}).to_vector<float>();
  const std::vector<int32_t> truth = labels.to_vector<int32_t>();
  const std::vector<float> pixels = first.to_vector<float>();

  constexpr int kPerRow = 4;
  for (int begin = 0; begin < count; begin += kPerRow) {
    const int end = std::min(count, begin + kPerRow);
    std::vector<std::vector<std::string>> drawings;
    for (int i = begin; i < end; ++i) {
      drawings.push_back(Draw(std::vector<float>(pixels.begin() + i * kPixels, pixels.begin() + (i + 1) * kPixels)));
    }
    for (int r = 0; r < 8; ++r) {
      std::printf(" ");
      for (const auto& d : drawings) std::printf(" |%s|", d[static_cast<size_t>(r)].c_str());
      std::printf("\n");
    }
    std::printf(" ");
    for (int i = begin; i < end; ++i) {
      const std::string caption = examples::Format("%d: %lld (%.0f%%)%s", truth[static_cast<size_t>(i)],
                                                   static_cast<long long>(predicted[static_cast<size_t>(i)]),
                                                   100.0 * confidence[static_cast<size_t>(i)],
                                                   predicted[static_cast<size_t>(i)] == truth[static_cast<size_t>(i)]
                                                       ? ""
                                                       : " WRONG");
      std::printf(" %-18s", caption.c_str());
    }
    std::printf("\n\n");
  }
}

void WriteNpy(const std::string& path, graphc::runtime::DType dtype, const std::vector<int64_t>& shape,
              const void* data) {
  std::string error;
  if (!graphc::runtime::WriteNpy(path, dtype, shape, data, &error)) {
    throw std::runtime_error("cannot write " + path + ": " + error);
  }
}

// --export-dir: the trained model's inference function for a batch of
// kExportBatch images (static shapes, as `graphc compile` needs), and what
// checks an ahead-of-time compiled copy of it against the JIT:
//
//   predict.gir          @predict(%images: f32[64,64]) -> (f32[64,10],
//                        i64[64]): the logits and each row's argmax (the
//                        predicted digit), as traced (graphc compile runs
//                        the same default pass pipeline function() ran)
//   weights.safetensors  the trained weights, under the IR names of the
//                        variables (@kernel, @bias, @kernel_1, ...), for
//                        `graphc compile --weights`
//   images.npy           the first kExportBatch test images, f32[64,64]
//   labels.npy           their labels, i32[64]
//   jit_logits.npy       the logits the JIT computes for them
//   predictions.txt      "predictions: 6 9 3 ...": the JIT's predicted digits
//
// examples/embed runs the compiled object on images.npy and prints the
// same predictions line; tests/aot/ compares both, and the logits' bytes.
void Export(const std::string& dir, nn::Sequential& model, const gc::Tensor& test_images,
            const gc::Tensor& test_labels) {
  std::filesystem::create_directories(dir);
  const gc::Tensor images = test_images[{gc::Slice(0, kExportBatch)}];
  const gc::Tensor labels = test_labels[{gc::Slice(0, kExportBatch)}];
  const std::vector<gc::TensorSpec> signature = {gc::TensorSpec({kExportBatch, kPixels}, gc::float32, "images")};
  auto predict = gc::function(
      [&model](const gc::Tensor& x) {
        const gc::Tensor logits = model(x);
        return std::tuple{logits, gc::argmax(logits, 1)};
      },
      {.name = "predict", .input_signature = signature});
  const gc::ConcreteFunction concrete = predict.get_concrete_function(signature[0]);
  const auto [logits, classes] = predict(images);
  if (!concrete.jit_note().empty()) {
    throw std::runtime_error("@predict runs on the interpreter, not the JIT: " + concrete.jit_note());
  }
  // The spec's name makes the parameter %images, so the compiled class's
  // accessor is images().
  std::ofstream(dir + "/predict.gir") << concrete.traced_ir_text();
  nn::NamedVariables weights;
  for (const auto& [ir_name, variable] : concrete.variables()) weights.emplace_back(ir_name, variable);
  nn::save_variables(dir + "/weights.safetensors", weights);
  const std::vector<int64_t> image_shape = {kExportBatch, kPixels};
  WriteNpy(dir + "/images.npy", graphc::runtime::DType::kF32, image_shape, images.to_vector<float>().data());
  WriteNpy(dir + "/labels.npy", graphc::runtime::DType::kI32, {kExportBatch}, labels.to_vector<int32_t>().data());
  WriteNpy(dir + "/jit_logits.npy", graphc::runtime::DType::kF32, {kExportBatch, kClasses},
           logits.to_vector<float>().data());
  std::string line = "predictions:";
  for (const int64_t p : classes.to_vector<int64_t>()) line += " " + std::to_string(p);
  std::ofstream(dir + "/predictions.txt") << line << "\n";
  std::printf("exported @predict (batch %lld, %d compiled fusions), its weights, %lld test images and the JIT's "
              "logits to %s\n%s\n\n",
              static_cast<long long>(kExportBatch), concrete.compiled_fusions(),
              static_cast<long long>(kExportBatch), dir.c_str(), line.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  return examples::Run([&] {
    const examples::Flags flags(argc, argv, {"check", "data-dir", "epochs", "export-dir", "mode", "weights"});
    const std::string mode = flags.get("mode", "compiled");
    if (mode != "compiled" && mode != "eager" && mode != "both") {
      throw std::invalid_argument("--mode must be compiled, eager or both, got '" + mode + "'");
    }
    const int epochs = flags.get_int("epochs", 40);
    if (epochs < 1) throw std::invalid_argument("--epochs must be at least 1");
    const std::string weights_path =
        flags.get("weights", (std::filesystem::temp_directory_path() / "graphc_digits_classifier.safetensors").string());

    // digits.csv: 64 pixels (0..16) and the digit, one image per line.
    const nn::LabelledData digits = nn::load_csv_with_labels(flags.data_file("digits.csv"), -1, gc::int32);
    const nn::TrainTestSplit split =
        nn::train_test_split(digits.features / 16.0f, digits.labels, kTestFraction, kSeed);
    const gc::Tensor& test_images = split.test_features;
    const gc::Tensor& test_labels = split.test_labels;
    const int64_t test_size = test_images.shape().dim(0);

    std::printf("digits_classifier: 8x8 handwritten digits, %lld pixels -> %lld relu -> %lld logits\n",
                static_cast<long long>(kPixels), static_cast<long long>(kHiddenUnits),
                static_cast<long long>(kClasses));
    std::printf("sparse categorical cross-entropy from logits, SGD lr %g, batch %d, %d epochs, mode %s\n",
                kLearningRate, kBatchSize, epochs, mode.c_str());
    std::printf("data: %lld train / %lld test images (seed %llu), pixels scaled to [0, 1]\n\n",
                static_cast<long long>(split.train_features.shape().dim(0)), static_cast<long long>(test_size),
                static_cast<unsigned long long>(kSeed));

    // ---- training ----
    const nn::Dataset batches = nn::Dataset(split.train_features, split.train_labels).shuffle(kSeed).batch(kBatchSize);
    std::optional<TrainingRun> compiled, eager;
    if (mode != "eager") compiled = Train(/*compiled=*/true, batches, epochs);
    if (mode != "compiled") eager = Train(/*compiled=*/false, batches, epochs);
    // Evaluated: the compiled run's model unless only the eager one ran.
    const TrainingRun& trained = compiled ? *compiled : *eager;
    trained.model->save_weights(weights_path);
    std::printf("saved the %s model's weights to %s\n\n", compiled ? "compiled" : "eager", weights_path.c_str());

    // ---- evaluation: a new model, as a separate program would build it ----
    const std::shared_ptr<nn::Sequential> model = MakeModel();
    // Calling it builds its variables (Dense builds lazily), which
    // load_weights needs; before loading it has only the initial weights.
    const float untrained_accuracy = nn::accuracy(test_labels, (*model)(test_images)).item<float>();
    model->load_weights(weights_path);
    const float test_accuracy = nn::accuracy(test_labels, (*model)(test_images)).item<float>();
    std::printf("evaluation: a new model, load_weights(%s)\n", weights_path.c_str());
    std::printf("  test accuracy %.4f (%lld/%lld; %.4f before loading the weights)\n\n", test_accuracy,
                static_cast<long long>(test_accuracy * static_cast<float>(test_size) + 0.5f),
                static_cast<long long>(test_size), untrained_accuracy);

    // ---- prediction ----
    std::printf("prediction: the first %d test images (label: predicted (probability))\n", kPredictionsShown);
    ShowPredictions(*model, test_images, test_labels, kPredictionsShown);

    if (flags.has("export-dir")) {
      const std::string dir = flags.get("export-dir", "");
      if (dir.empty()) throw std::invalid_argument("--export-dir needs a folder: --export-dir=DIR");
      Export(dir, *model, test_images, test_labels);
    }

    // ---- summary ----
    if (compiled && eager) {
      std::printf("time per epoch: compiled %.1f ms, eager %.1f ms: compiled is %.1fx faster "
                  "(its first epoch, tracing and compiling included: %.0f ms)\n",
                  SteadyEpochMs(*compiled), SteadyEpochMs(*eager), SteadyEpochMs(*eager) / SteadyEpochMs(*compiled),
                  compiled->epoch_ms[0]);
      std::printf("last epoch's loss: compiled %.6f, eager %.6f (same start, same batches)\n", compiled->loss,
                  eager->loss);
    }
    std::printf("test accuracy %.4f after %d epochs\n", test_accuracy, epochs);

    examples::Checks checks(flags.has("check"));
    checks.expect(test_accuracy >= kTestAccuracyTarget,
                  examples::Format("test accuracy %.4f >= %g", test_accuracy, kTestAccuracyTarget));
    return checks.exit_code();
  });
}
