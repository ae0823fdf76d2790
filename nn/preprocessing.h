// Preparing data before training, as scikit-learn does it: a seeded
// permutation, a shuffled train/test split, and feature standardisation
// fitted on the training data. (For one-hot labels use graphc::one_hot.)
//
// These run eagerly, on data held in memory. StandardScaler::transform is
// the exception: it is plain tensor arithmetic, so it also works inside a
// traced function (a model that standardises its own inputs).
#pragma once

#include <cstdint>
#include <source_location>
#include <vector>

#include "graphc/graphc.h"

namespace graphc::nn {

// A random permutation of 0..n-1, the same for the same (n, seed, stream)
// on every platform and standard library. `stream` picks one of many
// unrelated permutations for one seed (Dataset passes the epoch number).
std::vector<int64_t> random_permutation(int64_t n, uint64_t seed, uint64_t stream = 0);

struct TrainTestSplit {
  Tensor train_features, train_labels;
  Tensor test_features, test_labels;
};

// Shuffles the examples (rows) of `features` and `labels` together and
// splits them: the test set gets ceil(test_fraction * n) examples, as in
// scikit-learn (a product within rounding error of an integer counts as that
// integer: 0.14 * 50 is 7, not 8), the training set the rest. Both must be
// non-empty. Deterministic for a seed.
TrainTestSplit train_test_split(const Tensor& features, const Tensor& labels, double test_fraction,
                                uint64_t seed, std::source_location loc = std::source_location::current());

// Standardises each column of [examples, features] data to mean 0 and
// standard deviation 1, with statistics from the data given to fit() (the
// training set), so the test set is transformed with the training
// statistics, as sklearn.preprocessing.StandardScaler. The standard
// deviation is the population one (divide by n). A constant column has
// standard deviation 0; its scale is 1, so it becomes all zeros instead of
// NaN.
class StandardScaler {
 public:
  // `x`: an eager f32 or f64 matrix with at least one row.
  void fit(const Tensor& x, std::source_location loc = std::source_location::current());
  // (x - mean) / scale, for x with the fitted dtype and number of columns.
  // Works eagerly and traced.
  Tensor transform(const Tensor& x, std::source_location loc = std::source_location::current()) const;
  Tensor fit_transform(const Tensor& x, std::source_location loc = std::source_location::current());

  bool fitted() const { return mean_.defined(); }
  // Per column, in the fitted dtype: the mean, and the standard deviation
  // (1 for a constant column). Undefined before fit().
  const Tensor& mean() const { return mean_; }
  const Tensor& scale() const { return scale_; }

 private:
  Tensor mean_, scale_;
};

}  // namespace graphc::nn
