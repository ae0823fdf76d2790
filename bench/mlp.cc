#include "bench/mlp.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "bench/bench_common.h"

namespace gc = graphc;

namespace graphc_bench {
namespace {

constexpr float kBeta1 = 0.9f;
constexpr float kBeta2 = 0.999f;
constexpr float kEpsilon = 1e-7f;

size_t Layers(const MlpConfig& config) { return config.widths.size() - 1; }

// "w3", "b3": appended rather than written `ParamName('w', l)`, which
// GCC 12 at -O3 flags with a false -Wrestrict.
std::string ParamName(char kind, size_t layer) {
  std::string name(1, kind);
  name += std::to_string(layer);
  return name;
}

// Adam on elements [begin, end) of one parameter, in chunks small enough
// that m, v and g stay in L1 across the three statements.
void AdamRange(float* param, float* m, float* v, const float* g, int64_t begin, int64_t end,
               float lr_t) {
  constexpr int64_t kChunk = 2048;
  for (int64_t i = begin; i < end; i += kChunk) {
    const int64_t n = std::min(kChunk, end - i);
    Eigen::Map<Eigen::ArrayXf> p_chunk(param + i, n), m_chunk(m + i, n), v_chunk(v + i, n);
    const Eigen::Map<const Eigen::ArrayXf> g_chunk(g + i, n);
    m_chunk = kBeta1 * m_chunk + (1 - kBeta1) * g_chunk;
    v_chunk = kBeta2 * v_chunk + (1 - kBeta2) * g_chunk.square();
    p_chunk -= lr_t * m_chunk / (v_chunk.sqrt() + kEpsilon);
  }
}

}  // namespace

double TrainStepFlops(const MlpConfig& config) {
  double flops = 0;
  for (size_t l = 0; l < Layers(config); ++l) {
    const double product = 2.0 * static_cast<double>(config.batch) *
                           static_cast<double>(config.widths[l] * config.widths[l + 1]);
    // Forward and weight gradient; the input gradient for all but layer 0.
    flops += product * (l == 0 ? 2 : 3);
  }
  return flops;
}

MlpData MakeMlpData(const MlpConfig& config) {
  MlpData data;
  for (size_t l = 0; l < Layers(config); ++l) {
    data.weights.push_back(gc::random_normal({config.widths[l], config.widths[l + 1]},
                                             /*seed=*/static_cast<int64_t>(l) + 1, 0, 0.05));
    data.biases.push_back(gc::zeros({config.widths[l + 1]}));
  }
  data.x = gc::random_uniform({config.batch, config.widths[0]}, /*seed=*/100);
  std::vector<int32_t> labels(static_cast<size_t>(config.batch));
  for (size_t i = 0; i < labels.size(); ++i) {
    labels[i] = static_cast<int32_t>(static_cast<int64_t>(i) % config.widths.back());
  }
  data.labels = gc::constant(labels, {config.batch}, gc::int32);
  return data;
}

// ---- graphc ----

GraphcMlp::GraphcMlp(const MlpConfig& config, const MlpData& data) : config_(config) {
  for (size_t l = 0; l < Layers(config); ++l) {
    params_.emplace_back(data.weights[l], ParamName('w', l));
    params_.emplace_back(data.biases[l], ParamName('b', l));
  }
  if (config.optimizer == Optimizer::kAdam) {
    for (const gc::Variable& p : params_) {
      m_.emplace_back(gc::zeros(p.shape()), p.name() + "_m", /*trainable=*/false);
      v_.emplace_back(gc::zeros(p.shape()), p.name() + "_v", /*trainable=*/false);
    }
    step_.emplace_back(gc::Tensor(0.f), "adam_step", /*trainable=*/false);
  }
}

gc::Tensor GraphcMlp::Step(const gc::Tensor& x, const gc::Tensor& labels) const {
  gc::GradientTape tape;
  gc::Tensor h = x;
  const size_t layers = Layers(config_);
  for (size_t l = 0; l < layers; ++l) {
    h = gc::matmul(h, params_[2 * l]) + params_[2 * l + 1];
    if (l + 1 < layers) h = gc::relu(h);
  }
  const gc::Tensor loss = -gc::reduce_mean(
      gc::reduce_sum(gc::one_hot(labels, config_.widths.back()) * gc::log_softmax(h), {1}));
  const std::vector<gc::Tensor> grads = tape.gradient(loss, params_);
  const float lr = config_.learning_rate;
  if (config_.optimizer == Optimizer::kSgd) {
    for (size_t i = 0; i < params_.size(); ++i) params_[i].assign_sub(lr * grads[i]);
    return loss;
  }
  const gc::Tensor t = step_[0].value() + 1.f;
  step_[0].assign(t);
  const gc::Tensor lr_t =
      lr * gc::sqrt(1.f - gc::pow(gc::Tensor(kBeta2), t)) / (1.f - gc::pow(gc::Tensor(kBeta1), t));
  for (size_t i = 0; i < params_.size(); ++i) {
    const gc::Tensor m = kBeta1 * m_[i] + (1 - kBeta1) * grads[i];
    const gc::Tensor v = kBeta2 * v_[i] + (1 - kBeta2) * gc::square(grads[i]);
    m_[i].assign(m);
    v_[i].assign(v);
    params_[i].assign_sub(lr_t * m / (gc::sqrt(v) + kEpsilon));
  }
  return loss;
}

// ---- Eigen ----

EigenMlp::EigenMlp(const MlpConfig& config, const MlpData& data)
    : config_(config), x_(data.x.to_eigen<float>()), labels_(data.labels.to_vector<int32_t>()) {
  const int64_t batch = config.batch;
  for (size_t l = 0; l < Layers(config); ++l) {
    const int64_t in = config.widths[l], out = config.widths[l + 1];
    w_.push_back(data.weights[l].to_eigen<float>());
    b_.push_back(data.biases[l].to_eigen<float>().transpose());
    dw_.emplace_back(in, out);
    db_.emplace_back(out);
    mw_.push_back(Matrix::Zero(in, out));
    vw_.push_back(Matrix::Zero(in, out));
    mb_.push_back(RowVector::Zero(out));
    vb_.push_back(RowVector::Zero(out));
    z_.emplace_back(batch, out);
    dz_.emplace_back(batch, out);
    if (l + 1 < Layers(config)) {
      a_.emplace_back(batch, out);
      da_.emplace_back(batch, out);
    }
  }
}

float EigenMlp::Step() {
  const float loss = ForwardAndLossGradient();
  Backward();
  Update();
  return loss;
}

float EigenMlp::ForwardAndLossGradient() {
  const size_t layers = w_.size();
  for (size_t l = 0; l < layers; ++l) {
    const Matrix& in = l == 0 ? x_ : a_[l - 1];
    z_[l].noalias() = in * w_[l];
    z_[l].rowwise() += b_[l];
    if (l + 1 < layers) a_[l] = z_[l].cwiseMax(0.f);
  }
  // Softmax cross-entropy per row, from the log-sum-exp; its gradient with
  // respect to the logits is (softmax - one_hot) / batch.
  const Matrix& logits = z_.back();
  Matrix& dlogits = dz_.back();
  const float inv_batch = 1.f / static_cast<float>(config_.batch);
  double loss = 0;
  for (Eigen::Index r = 0; r < logits.rows(); ++r) {
    const float max = logits.row(r).maxCoeff();
    dlogits.row(r) = (logits.row(r).array() - max).exp();
    const float sum = dlogits.row(r).sum();
    const int32_t label = labels_[static_cast<size_t>(r)];
    loss += max + std::log(sum) - logits(r, label);
    dlogits.row(r) *= inv_batch / sum;
    dlogits(r, label) -= inv_batch;
  }
  return static_cast<float>(loss / static_cast<double>(config_.batch));
}

void EigenMlp::Backward() {
  for (size_t l = w_.size(); l-- > 0;) {
    const Matrix& in = l == 0 ? x_ : a_[l - 1];
    dw_[l].noalias() = in.transpose() * dz_[l];
    db_[l] = dz_[l].colwise().sum();
    if (l == 0) break;
    da_[l - 1].noalias() = dz_[l] * w_[l].transpose();
    dz_[l - 1].array() = (z_[l - 1].array() > 0.f).select(da_[l - 1].array(), 0.f);
  }
}

void EigenMlp::Update() {
  const float lr = config_.learning_rate;
  if (config_.optimizer == Optimizer::kSgd) {
    for (size_t l = 0; l < w_.size(); ++l) {
      w_[l] -= lr * dw_[l];
      b_[l] -= lr * db_[l];
    }
    return;
  }
  ++adam_step_;
  const float t = static_cast<float>(adam_step_);
  const float lr_t = lr * std::sqrt(1.f - std::pow(kBeta2, t)) / (1.f - std::pow(kBeta1, t));
  // Each of Eigen's threads takes its share of every parameter (Eigen
  // itself parallelises only the matrix products).
  const int threads = Eigen::nbThreads();
#ifdef _OPENMP
#pragma omp parallel for num_threads(threads) schedule(static)
#endif
  for (int part = 0; part < threads; ++part) {
    auto share = [&](auto& param, auto& m, auto& v, const auto& g) {
      const int64_t size = param.size();
      AdamRange(param.data(), m.data(), v.data(), g.data(), size * part / threads,
                size * (part + 1) / threads, lr_t);
    };
    for (size_t l = 0; l < w_.size(); ++l) {
      share(w_[l], mw_[l], vw_[l], dw_[l]);
      share(b_[l], mb_[l], vb_[l], db_[l]);
    }
  }
}

void CheckEigenMatchesGraphc(const MlpConfig& config, int steps, double tol) {
  const MlpData data = MakeMlpData(config);
  const GraphcMlp graphc_mlp(config, data);
  EigenMlp eigen_mlp(config, data);
  for (int s = 0; s < steps; ++s) {
    const float want = graphc_mlp.Step(data.x, data.labels).item<float>();
    const std::string what = "MLP training step " + std::to_string(s) + " loss";
    CheckClose(what.c_str(), eigen_mlp.Step(), want, tol);
  }
}

}  // namespace graphc_bench
