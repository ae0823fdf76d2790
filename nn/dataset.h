// graphc::nn::Dataset: a small tf.data.Dataset over tensors held in memory
// (tf.data.Dataset.from_tensor_slices((features, labels))), to feed a
// training loop:
//
//   auto ds = nn::Dataset(x, y).shuffle(/*seed=*/42).batch(32);
//   for (int epoch = 0; epoch < 10; ++epoch) {
//     for (const auto& [xb, yb] : ds) train_step(xb, yb);
//   }
//
// Examples are the rows (first dim) of the features and labels. Iterating
// yields eager tensors, ready to pass to a graphc::function.
//
// Unlike tf.data, the settings do not depend on the order of the calls:
// shuffle() always shuffles single examples over the whole data set (tf.data
// with a buffer as large as the data), and batch() groups the shuffled
// examples, so ds.shuffle(s).batch(n) and ds.batch(n).shuffle(s) are the same.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <source_location>
#include <vector>

#include "graphc/graphc.h"

namespace graphc::nn {

// What iteration yields: matching rows of the features and labels. With
// batch(n), the first dim is the batch; without, a single example (the
// first dim dropped), as in tf.data.
struct Batch {
  Tensor features;
  Tensor labels;
};

class Dataset {
 public:
  // Both eager, rank >= 1, with the same first dim.
  Dataset(Tensor features, Tensor labels, std::source_location loc = std::source_location::current());

  // A copy yielding batches of `batch_size` (> 0) examples; the last batch
  // is smaller when the size is not a multiple, or left out with
  // drop_remainder.
  Dataset batch(int64_t batch_size, bool drop_remainder = false,
                std::source_location loc = std::source_location::current()) const;
  // A copy visiting the examples in a new order every epoch; epoch k's
  // order depends only on `seed` and k.
  Dataset shuffle(uint64_t seed) const;

  // Number of examples.
  int64_t size() const { return features_.shape().dim(0); }
  // Number of items one epoch yields (batches, or examples if unbatched).
  int64_t num_batches() const;
  // The example indices of epoch `epoch`, in the order they are visited.
  std::vector<int64_t> order(int64_t epoch) const;

  // One pass over the data in a given order. It holds what it needs (tensors
  // are shared handles), so it stays valid after its Dataset is gone.
  class Iterator {
   public:
    Batch operator*() const;
    Iterator& operator++() {
      ++position_;
      return *this;
    }
    friend bool operator==(const Iterator& a, const Iterator& b) { return a.position_ == b.position_; }

   private:
    friend class Dataset;
    struct Pass;
    Iterator(std::shared_ptr<const Pass> pass, int64_t position) : pass_(std::move(pass)), position_(position) {}
    std::shared_ptr<const Pass> pass_;
    int64_t position_;  // the index of the batch operator* yields
  };

  // The pass over epoch `epoch`: `for (const auto& [x, y] : ds.epoch(3))`.
  class Epoch {
   public:
    Iterator begin() const { return begin_; }
    Iterator end() const { return end_; }

   private:
    friend class Dataset;
    Epoch(Iterator begin, Iterator end) : begin_(std::move(begin)), end_(std::move(end)) {}
    Iterator begin_, end_;
  };
  Epoch epoch(int64_t k) const;

  // A range-for over the dataset itself runs the next epoch: 0 the first
  // time, then 1, 2, ... (as iterating a tf.data dataset again reshuffles).
  Iterator begin();
  Iterator end() const;

 private:
  Tensor features_, labels_;
  std::optional<int64_t> batch_size_;  // unset: yield single examples
  bool drop_remainder_ = false;
  std::optional<uint64_t> seed_;  // unset: examples in their stored order
  int64_t next_epoch_ = 0;        // of begin()
};

}  // namespace graphc::nn
