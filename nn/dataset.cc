#include "nn/dataset.h"

#include <algorithm>
#include <string>

#include "nn/preprocessing.h"

namespace graphc::nn {

// Everything one pass needs, shared by its iterators.
struct Dataset::Iterator::Pass {
  Tensor features, labels;
  std::vector<int64_t> order;
  std::optional<int64_t> batch_size;
  int64_t num_batches = 0;
};

Batch Dataset::Iterator::operator*() const {
  const Pass& pass = *pass_;
  if (!pass.batch_size.has_value()) {
    const int64_t i = pass.order[static_cast<size_t>(position_)];
    return {pass.features[i], pass.labels[i]};
  }
  const auto n = static_cast<int64_t>(pass.order.size());
  const int64_t begin = position_ * *pass.batch_size;
  const int64_t end = std::min(begin + *pass.batch_size, n);
  const std::vector<int64_t> rows(pass.order.begin() + begin, pass.order.begin() + end);
  // One gather per batch serves the stored and the shuffled order alike.
  const Tensor indices = constant(rows, Shape{end - begin}, int64);
  return {gather(pass.features, indices), gather(pass.labels, indices)};
}

Dataset::Dataset(Tensor features, Tensor labels, std::source_location loc)
    : features_(std::move(features)), labels_(std::move(labels)) {
  if (!features_.defined() || !labels_.defined() || features_.is_traced() || labels_.is_traced()) {
    throw Error(absl::InvalidArgumentError("Dataset: features and labels must be eager tensors (build the "
                                           "dataset outside traced functions)"),
                loc);
  }
  if (features_.rank() == 0 || labels_.rank() == 0 || features_.shape().dim(0) != labels_.shape().dim(0)) {
    throw Error(absl::InvalidArgumentError("Dataset: features and labels need the same first (examples) dim, got "
                                           "shapes " +
                                           features_.shape().ToString() + " and " + labels_.shape().ToString()),
                loc);
  }
}

Dataset Dataset::batch(int64_t batch_size, bool drop_remainder, std::source_location loc) const {
  if (batch_size <= 0) {
    throw Error(absl::InvalidArgumentError("Dataset::batch: batch_size must be > 0, got " +
                                           std::to_string(batch_size)),
                loc);
  }
  Dataset d = *this;
  d.batch_size_ = batch_size;
  d.drop_remainder_ = drop_remainder;
  d.next_epoch_ = 0;
  return d;
}

Dataset Dataset::shuffle(uint64_t seed) const {
  Dataset d = *this;
  d.seed_ = seed;
  d.next_epoch_ = 0;
  return d;
}

int64_t Dataset::num_batches() const {
  if (!batch_size_.has_value()) return size();
  const int64_t full = size() / *batch_size_;
  return drop_remainder_ || size() % *batch_size_ == 0 ? full : full + 1;
}

std::vector<int64_t> Dataset::order(int64_t epoch) const {
  if (seed_.has_value()) return random_permutation(size(), *seed_, static_cast<uint64_t>(epoch));
  std::vector<int64_t> stored(static_cast<size_t>(size()));
  for (int64_t i = 0; i < size(); ++i) stored[static_cast<size_t>(i)] = i;
  return stored;
}

Dataset::Epoch Dataset::epoch(int64_t k) const {
  auto pass = std::make_shared<Iterator::Pass>(Iterator::Pass{features_, labels_, order(k), batch_size_,
                                                              num_batches()});
  const int64_t n = pass->num_batches;
  return Epoch(Iterator(std::move(pass), 0), Iterator(nullptr, n));
}

Dataset::Iterator Dataset::begin() { return epoch(next_epoch_++).begin(); }

Dataset::Iterator Dataset::end() const { return Iterator(nullptr, num_batches()); }

}  // namespace graphc::nn
