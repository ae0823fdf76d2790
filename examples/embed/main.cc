// embed_digits: the digits classifier (examples/digits_classifier.cc),
// compiled ahead of time by `graphc compile` into digits_model.o and
// digits_model.h, run by a program that has nothing of graphc but its
// runtime: no compiler, no IR, no LLVM.
//
//   embed_digits IMAGES.npy [--logits=OUT.npy] [--labels=LABELS.npy]
//
// Reads a batch of 8x8 images (f32[64,64], pixels in [0, 1], as
// digits_classifier --export-dir writes them), runs the model (@predict:
// the logits, and each row's argmax) and prints the predicted digit of each
// image on one line, "predictions: 6 9 3 ...", the line digits_classifier
// writes for the JIT. --logits writes the
// logits as .npy; --labels counts the correct predictions. It also runs
// the model on memory it supplies itself.
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "digits_model.h"
#include "runtime/npy.h"

namespace {

// "f32[64,64]", as graphc writes types.
template <typename Dims>
std::string TypeString(graphc::runtime::DType dtype, const Dims& dims) {
  std::string s(graphc::runtime::DTypeName(dtype));
  s += '[';
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i > 0) s += ',';
    s += std::to_string(dims[i]);
  }
  s += ']';
  return s;
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "embed_digits: error: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string images_path, logits_path, labels_path;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a.starts_with("--logits=")) {
      logits_path = a.substr(9);
    } else if (a.starts_with("--labels=")) {
      labels_path = a.substr(9);
    } else if (!a.starts_with("-") && images_path.empty()) {
      images_path = a;
    } else {
      std::fprintf(stderr, "usage: embed_digits IMAGES.npy [--logits=OUT.npy] [--labels=LABELS.npy]\n");
      return 2;
    }
  }
  if (images_path.empty()) return Fail("no images given (usage: embed_digits IMAGES.npy ...)");

  // The input: exactly the parameter's dtype and shape.
  graphc::runtime::NpyArray images;
  std::string error;
  if (!graphc::runtime::ReadNpy(images_path, &images, &error)) return Fail(images_path + ": " + error);
  if (images.dtype != graphc::runtime::DType::kF32 ||
      images.shape != std::vector<int64_t>(DigitsModel::images_dims.begin(), DigitsModel::images_dims.end())) {
    return Fail(images_path + " holds " + TypeString(images.dtype, images.shape) + "; the model takes " +
                TypeString(graphc::runtime::DType::kF32, DigitsModel::images_dims) + " (%images)");
  }

  // The model, on memory it allocates once.
  DigitsModel model;
  if (!model.ok()) return Fail("the model could not be set up (memory, or runtime version)");
  std::memcpy(model.images(), images.data_as<float>(), DigitsModel::images_bytes);
  if (!model.Run(&error)) return Fail("Run: " + error);
  // result0 holds the logits, result1 each image's predicted digit (their argmax).
  const std::vector<int64_t> predicted(model.result1(), model.result1() + DigitsModel::result1_size);
  std::printf("predictions:");
  for (int64_t p : predicted) std::printf(" %lld", static_cast<long long>(p));
  std::printf("\n");

  if (!labels_path.empty()) {
    graphc::runtime::NpyArray labels;
    if (!graphc::runtime::ReadNpy(labels_path, &labels, &error)) return Fail(labels_path + ": " + error);
    if (labels.dtype != graphc::runtime::DType::kI32 || labels.num_elements() != static_cast<int64_t>(predicted.size())) {
      return Fail(labels_path + " holds " + TypeString(labels.dtype, labels.shape) + "; expected i32[" +
                  std::to_string(predicted.size()) + "]");
    }
    int correct = 0;
    for (size_t i = 0; i < predicted.size(); ++i) correct += predicted[i] == labels.data_as<int32_t>()[i];
    std::printf("correct: %d of %zu\n", correct, predicted.size());
  }
  if (!logits_path.empty()) {
    const std::vector<int64_t> shape(DigitsModel::result0_dims.begin(), DigitsModel::result0_dims.end());
    if (!graphc::runtime::WriteNpy(logits_path, graphc::runtime::DType::kF32, shape, model.result0(), &error)) {
      return Fail(logits_path + ": " + error);
    }
  }

  // The same model on memory the program supplies (static here): nothing
  // allocated, the same logits.
  alignas(DigitsModel::kMemoryAlignment) static unsigned char memory[DigitsModel::kMemoryBytes];
  DigitsModel on_my_memory(memory);
  on_my_memory.set_images_data(images.data_as<float>());  // read in place, no copy
  if (!on_my_memory.Run(&error)) return Fail("Run: " + error);
  const bool same = std::memcmp(on_my_memory.result0(), model.result0(), DigitsModel::result0_bytes) == 0 &&
                    std::memcmp(on_my_memory.result1(), model.result1(), DigitsModel::result1_bytes) == 0;
  std::printf("caller-supplied memory (%lld bytes): %s results\n", static_cast<long long>(DigitsModel::kMemoryBytes),
              same ? "the same" : "DIFFERENT");

  return same ? 0 : 1;
}
