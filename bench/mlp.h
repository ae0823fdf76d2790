// The multilayer perceptrons of the training-step benchmarks, written twice:
// with the graphc API (GradientTape, Variables) and by hand with Eigen
// (forward, manual backward, update in preallocated buffers). Both start
// from the same weights and see the same batch, so their losses can be
// compared step by step.
//
// Model: dense layers widths[0] -> ... -> widths.back(), relu after every
// layer but the last, sparse softmax cross-entropy from the logits (mean
// over the batch), then SGD or Adam (TensorFlow's defaults: beta1 0.9,
// beta2 0.999, epsilon 1e-7).
#pragma once

#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "graphc/graphc.h"

namespace graphc_bench {

enum class Optimizer { kSgd, kAdam };

struct MlpConfig {
  std::vector<int64_t> widths;
  int64_t batch;
  Optimizer optimizer;
  float learning_rate;
};

// Floating-point operations of one training step, counting 2*M*N*K per
// matrix product: forward, the weight gradients, and the gradients of
// every layer's input except the first.
double TrainStepFlops(const MlpConfig& config);

// The initial weights (normal, stddev 0.05; biases zero) and one batch
// (inputs uniform in [0, 1), labels i % classes), as eager tensors.
struct MlpData {
  std::vector<graphc::Tensor> weights, biases;
  graphc::Tensor x, labels;
};
MlpData MakeMlpData(const MlpConfig& config);

// The graphc model: Variables initialised from MlpData and the step as a
// callable of (x, labels) -> loss, for eager use or graphc::function.
class GraphcMlp {
 public:
  GraphcMlp(const MlpConfig& config, const MlpData& data);
  graphc::Tensor Step(const graphc::Tensor& x, const graphc::Tensor& labels) const;

 private:
  MlpConfig config_;
  std::vector<graphc::Variable> params_;  // w0, b0, w1, b1, ...
  std::vector<graphc::Variable> m_, v_;   // Adam's moments, one per parameter
  std::vector<graphc::Variable> step_;    // Adam's step count (empty for SGD)
};

// The hand-written baseline. Every matrix is sized in the constructor;
// Step() allocates only what Eigen's matrix products allocate inside.
class EigenMlp {
 public:
  using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using RowVector = Eigen::Matrix<float, 1, Eigen::Dynamic>;

  EigenMlp(const MlpConfig& config, const MlpData& data);
  // One training step on the batch given at construction; returns the loss
  // computed in its forward pass.
  float Step();

 private:
  float ForwardAndLossGradient();
  void Backward();
  void Update();

  MlpConfig config_;
  Matrix x_;
  std::vector<int32_t> labels_;
  std::vector<Matrix> w_, dw_, mw_, vw_;     // per layer
  std::vector<RowVector> b_, db_, mb_, vb_;  // per layer
  std::vector<Matrix> z_;                    // pre-activations (logits last)
  std::vector<Matrix> a_;                    // relu(z), hidden layers only
  std::vector<Matrix> dz_;                   // loss gradient w.r.t. z
  std::vector<Matrix> da_;                   // dz * w^T, the gradient of a_
  int64_t adam_step_ = 0;
};

// Runs `steps` steps of both models from the same start and aborts unless
// every step's loss agrees (relative tolerance `tol`).
void CheckEigenMatchesGraphc(const MlpConfig& config, int steps, double tol);

}  // namespace graphc_bench
