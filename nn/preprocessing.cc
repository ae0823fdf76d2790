#include "nn/preprocessing.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace graphc::nn {
namespace {

Error InvalidArgument(const std::string& message, const std::source_location& loc) {
  return Error(absl::InvalidArgumentError(message), loc);
}

// SplitMix64's finaliser: spreads every input bit over the whole output.
uint64_t Mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// SplitMix64: small, fast, and specified here to the bit, unlike
// std::shuffle and std::uniform_int_distribution, whose results differ
// between standard libraries; a seed must give the same order everywhere.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next() { return Mix64(state_ += 0x9E3779B97F4A7C15ull); }
  // Uniform in [0, bound), without modulo bias: draws at or above the
  // largest multiple of `bound` are rejected.
  uint64_t Below(uint64_t bound) {
    const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    uint64_t r;
    do r = Next();
    while (r >= limit);
    return r % bound;
  }

 private:
  uint64_t state_;
};

// ceil(fraction * n), except that a product within rounding error of an
// integer is that integer: 0.14 is not exact in binary, and
// 0.14 * 50 = 7.000000000000001 would otherwise give 8.
int64_t TestCount(double fraction, int64_t n) {
  const double product = fraction * static_cast<double>(n);
  const double nearest = std::round(product);
  if (std::abs(product - nearest) <= 1e-9 * std::max(1.0, nearest)) return static_cast<int64_t>(nearest);
  return static_cast<int64_t>(std::ceil(product));
}

Tensor Rows(const Tensor& x, const std::vector<int64_t>& indices) {
  return gather(x, constant(indices, Shape{static_cast<int64_t>(indices.size())}, int64));
}

}  // namespace

std::vector<int64_t> random_permutation(int64_t n, uint64_t seed, uint64_t stream) {
  if (n < 0) {
    throw Error(absl::InvalidArgumentError("random_permutation: n must be >= 0, got " + std::to_string(n)));
  }
  std::vector<int64_t> p(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) p[static_cast<size_t>(i)] = i;
  // Mixing the seed and the stream (rather than adding them) keeps the
  // streams of one seed unrelated; SplitMix64 states that differ by a
  // multiple of its increment would be the same sequence shifted.
  SplitMix64 rng(Mix64(seed) ^ Mix64(stream + 0x632BE59BD9B4E019ull));
  // Fisher-Yates: each of the n! orders is equally likely.
  for (int64_t i = n - 1; i > 0; --i) {
    const auto j = static_cast<int64_t>(rng.Below(static_cast<uint64_t>(i + 1)));
    std::swap(p[static_cast<size_t>(i)], p[static_cast<size_t>(j)]);
  }
  return p;
}

TrainTestSplit train_test_split(const Tensor& features, const Tensor& labels, double test_fraction,
                                uint64_t seed, std::source_location loc) {
  if (features.is_traced() || labels.is_traced()) {
    throw InvalidArgument("train_test_split: needs eager tensors (split the data before tracing)", loc);
  }
  if (features.rank() == 0 || labels.rank() == 0) {
    throw InvalidArgument("train_test_split: features and labels need a first (examples) dim, got shapes " +
                              features.shape().ToString() + " and " + labels.shape().ToString(),
                          loc);
  }
  const int64_t n = features.shape().dim(0);
  if (labels.shape().dim(0) != n) {
    throw InvalidArgument("train_test_split: features have " + std::to_string(n) + " examples but labels have " +
                              std::to_string(labels.shape().dim(0)),
                          loc);
  }
  if (!(test_fraction > 0 && test_fraction < 1)) {  // also rejects NaN
    throw InvalidArgument("train_test_split: test_fraction must be in (0, 1), got " + std::to_string(test_fraction),
                          loc);
  }
  const int64_t n_test = TestCount(test_fraction, n);
  const int64_t n_train = n - n_test;
  if (n_test < 1 || n_train < 1) {
    throw InvalidArgument("train_test_split: " + std::to_string(n) + " examples with test_fraction " +
                              std::to_string(test_fraction) + " leave " + std::to_string(n_train) +
                              " for training and " + std::to_string(n_test) + " for testing; both need at least one",
                          loc);
  }
  // As scikit-learn's ShuffleSplit: the first n_test of the permutation
  // are the test set.
  const std::vector<int64_t> p = random_permutation(n, seed);
  const std::vector<int64_t> test(p.begin(), p.begin() + n_test);
  const std::vector<int64_t> train(p.begin() + n_test, p.end());
  return {Rows(features, train), Rows(labels, train), Rows(features, test), Rows(labels, test)};
}

void StandardScaler::fit(const Tensor& x, std::source_location loc) {
  if (x.is_traced()) {
    throw InvalidArgument("StandardScaler::fit: needs an eager tensor (fit before tracing; transform may be traced)",
                          loc);
  }
  if (x.rank() != 2 || x.shape().dim(0) < 1 || !ir::IsFloat(x.dtype())) {
    throw InvalidArgument("StandardScaler::fit: needs an f32 or f64 matrix [examples, features] with at least one "
                          "example, got " +
                              x.shape().ToString() + " " + std::string(ir::DTypeName(x.dtype())),
                          loc);
  }
  const int64_t rows = x.shape().dim(0), cols = x.shape().dim(1);
  const std::vector<double> v = x.to_vector<double>();
  auto at = [&](int64_t r, int64_t c) { return v[static_cast<size_t>(r * cols + c)]; };
  // Statistics in double whatever the dtype, two passes for accuracy.
  std::vector<double> mean(static_cast<size_t>(cols)), scale(static_cast<size_t>(cols));
  for (int64_t c = 0; c < cols; ++c) {
    double sum = 0;
    bool constant_column = true;
    for (int64_t r = 0; r < rows; ++r) {
      sum += at(r, c);
      constant_column = constant_column && at(r, c) == at(0, c);
    }
    const double m = sum / static_cast<double>(rows);
    double squares = 0;
    for (int64_t r = 0; r < rows; ++r) squares += (at(r, c) - m) * (at(r, c) - m);
    // A constant column's mean is its value, exactly (the computed one may
    // be off by rounding: 0.1 + 0.1 + 0.1 != 0.3), so it becomes exact zeros.
    mean[static_cast<size_t>(c)] = constant_column ? at(0, c) : m;
    // Tested on the values, not on the computed deviation: rounding in the
    // mean can leave a tiny non-zero deviation for a constant column, and
    // dividing by it would blow rounding noise up to large values.
    scale[static_cast<size_t>(c)] = constant_column ? 1.0 : std::sqrt(squares / static_cast<double>(rows));
  }
  mean_ = constant(mean, Shape{cols}, x.dtype());
  scale_ = constant(scale, Shape{cols}, x.dtype());
}

Tensor StandardScaler::transform(const Tensor& x, std::source_location loc) const {
  if (!fitted()) {
    throw Error(absl::FailedPreconditionError("StandardScaler::transform: call fit() first"), loc);
  }
  const int64_t cols = mean_.shape().dim(0);
  if (x.dtype() != mean_.dtype() || x.rank() < 1 || x.shape().dim(x.rank() - 1) != cols) {
    throw InvalidArgument("StandardScaler::transform: fitted on " + std::to_string(cols) + " columns of " +
                              std::string(ir::DTypeName(mean_.dtype())) + ", got " + x.shape().ToString() + " " +
                              std::string(ir::DTypeName(x.dtype())),
                          loc);
  }
  return (x - mean_) / scale_;
}

Tensor StandardScaler::fit_transform(const Tensor& x, std::source_location loc) {
  fit(x, loc);
  return transform(x, loc);
}

}  // namespace graphc::nn
