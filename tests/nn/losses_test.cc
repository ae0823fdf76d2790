// nn/losses.h: each loss against the same formula computed here in double,
// stability for logits of +-1000, the sparse cross-entropy gradient
// (softmax - one_hot) / batch, eager = traced, and bad shapes and dtypes.
#include "nn/losses.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

namespace graphc::nn {
namespace {

using Rows = std::vector<std::vector<double>>;

Tensor F32(const Rows& rows) {
  std::vector<double> flat;
  for (const auto& r : rows) flat.insert(flat.end(), r.begin(), r.end());
  return constant(flat, Shape{int64_t(rows.size()), int64_t(rows[0].size())}, float32);
}

// Keras clips to [1e-7, 1 - 1e-7] in the prediction's dtype: these are the
// float32 bounds, so the double reference clips exactly as the f32 loss does.
const double kLo = double(float(1e-7));
const double kHi = double(float(1.0 - 1e-7));
double Clip(double p) { return std::clamp(p, kLo, kHi); }

double LogSumExp(const std::vector<double>& x) {
  const double m = *std::max_element(x.begin(), x.end());
  double s = 0;
  for (double v : x) s += std::exp(v - m);
  return m + std::log(s);
}

void ExpectRelNear(double expected, const Tensor& actual, double rel = 1e-5) {
  ASSERT_TRUE(actual.shape().is_scalar()) << actual.shape().ToString();
  EXPECT_NEAR(actual.item<double>(), expected, rel * std::max(1.0, std::abs(expected)));
}

TEST(MeanSquaredError, IsTheMeanOverEveryElement) {
  const Rows t{{1, 2, 3}, {-1, 0, 4}}, p{{1.5, 2, 2}, {0, 0.25, 4}};
  double sum = 0;
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 3; ++j) sum += (t[i][j] - p[i][j]) * (t[i][j] - p[i][j]);
  }
  ExpectRelNear(sum / 6, mean_squared_error(F32(t), F32(p)));
  // Integer targets are cast to the predictions' dtype, as in Keras.
  ExpectRelNear(0.25, mean_squared_error(constant({1, 2}), constant({1.5f, 2.5f})));
  EXPECT_EQ(mean_squared_error(F32(t), F32(p)).dtype(), float32);
}

TEST(BinaryCrossentropy, ProbabilitiesWithKerasClipping) {
  const Rows t{{1, 0, 1}, {0, 1, 0.5}}, p{{0.9, 0.2, 1.0}, {0.0, 0.6, 0.3}};  // 1.0 and 0.0 get clipped
  double sum = 0;
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 3; ++j) {
      const double c = Clip(double(float(p[i][j])));
      sum += -(t[i][j] * std::log(c) + (1 - t[i][j]) * std::log(1 - c));
    }
  }
  ExpectRelNear(sum / 6, binary_crossentropy(F32(t), F32(p)));
  // A confident wrong answer costs -log(1.19e-7) ~ 15.9 (float32's 1 - eps), not inf.
  const Tensor worst = binary_crossentropy(constant({{0.f}}), constant({{1.f}}));
  ExpectRelNear(-std::log(1 - kHi), worst);
  // In float64 the clip bounds are float64's 1e-7 and 1 - 1e-7.
  const Tensor worst64 = binary_crossentropy(constant({{0.0}}, float64), constant({{1.0}}, float64));
  EXPECT_EQ(worst64.dtype(), float64);
  EXPECT_NEAR(worst64.item<double>(), -std::log(1 - (1 - 1e-7)), 1e-9);
}

TEST(BinaryCrossentropy, FromLogitsIsStableForHugeLogits) {
  const Rows t{{1, 0, 1, 0}}, x{{2.5, -0.5, 1000, 1000}};
  // -(z log s(x) + (1 - z) log(1 - s(x))), with log s(x) = -log(1 + e^-x).
  auto log_sigmoid = [](double v) { return v > 0 ? -std::log1p(std::exp(-v)) : v - std::log1p(std::exp(v)); };
  double sum = 0;
  for (int j = 0; j < 4; ++j) sum += -(t[0][j] * log_sigmoid(x[0][j]) + (1 - t[0][j]) * log_sigmoid(-x[0][j]));
  ExpectRelNear(sum / 4, binary_crossentropy(F32(t), F32(x), /*from_logits=*/true));
  ExpectRelNear(250.0 + (std::log1p(std::exp(-2.5)) + std::log1p(std::exp(-0.5))) / 4,
                binary_crossentropy(F32(t), F32(x), true));  // the 1000 logit labelled 0 costs 1000
}

TEST(CategoricalCrossentropy, ProbabilitiesAreNormalisedThenClipped) {
  const Rows t{{0, 1, 0}, {0.2, 0.3, 0.5}}, p{{0.2, 0.6, 0.4}, {1.0, 1.0, 0.0}};  // rows sum to 1.2 and 2
  double sum = 0;
  for (int i = 0; i < 2; ++i) {
    const double total = p[i][0] + p[i][1] + p[i][2];
    for (int j = 0; j < 3; ++j) sum += -t[i][j] * std::log(Clip(p[i][j] / total));
  }
  ExpectRelNear(sum / 2, categorical_crossentropy(F32(t), F32(p)));
}

TEST(CategoricalCrossentropy, FromLogitsMatchesLogSumExpInDouble) {
  const Rows t{{0, 1, 0}, {1, 0, 0}, {0, 0, 1}}, x{{1.0, 2.0, 3.0}, {1000, 0, -1000}, {1000, 999, 0}};
  double sum = 0;
  for (int i = 0; i < 3; ++i) {
    const double lse = LogSumExp(x[i]);
    for (int j = 0; j < 3; ++j) sum += -t[i][j] * (x[i][j] - lse);
  }
  const Tensor loss = categorical_crossentropy(F32(t), F32(x), true);
  EXPECT_TRUE(std::isfinite(loss.item<float>()));
  ExpectRelNear(sum / 3, loss);
}

TEST(SparseCategoricalCrossentropy, FromLogitsMatchesLogSumExpWithoutOverflow) {
  const Rows x{{1.0, 2.0, 3.0}, {1000, 0, -1000}, {-1000, 1000, 500}, {0.5, 0.5, 0.5}};
  const std::vector<int> labels{2, 1, 0, 1};
  double sum = 0;
  for (int i = 0; i < 4; ++i) sum += LogSumExp(x[i]) - x[i][labels[i]];
  const Tensor loss = sparse_categorical_crossentropy(constant({2, 1, 0, 1}), F32(x), true);
  ASSERT_TRUE(std::isfinite(loss.item<float>()));
  ExpectRelNear(sum / 4, loss);  // (1.4076 + 1000 + 2000 + 1.0986) / 4
  // int64 labels, and labels of shape [batch, 1], give the same loss.
  ExpectRelNear(sum / 4, sparse_categorical_crossentropy(constant({2, 1, 0, 1}, int64), F32(x), true));
  ExpectRelNear(sum / 4, sparse_categorical_crossentropy(constant({{2}, {1}, {0}, {1}}), F32(x), true));
}

TEST(SparseCategoricalCrossentropy, ProbabilitiesAreClipped) {
  const Rows p{{0.1, 0.7, 0.2}, {0.0, 0.5, 0.5}};
  const double expected = (-std::log(0.7) - std::log(kLo)) / 2;  // the second is a clipped 0
  ExpectRelNear(expected, sparse_categorical_crossentropy(constant({1, 0}), F32(p)));
}

TEST(SparseCategoricalCrossentropy, GradientIsSoftmaxMinusOneHotOverBatch) {
  const Rows x{{1.0, 2.0, 3.0}, {0.5, -1.0, 0.0}};
  const std::vector<int> labels{0, 2};
  const Tensor logits = F32(x);
  const std::vector<float> g =
      grad([](const Tensor& l) { return sparse_categorical_crossentropy(constant({0, 2}), l, true); })(logits)[0]
          .to_vector<float>();
  for (int i = 0; i < 2; ++i) {
    const double lse = LogSumExp(x[i]);
    for (int j = 0; j < 3; ++j) {
      const double expected = (std::exp(x[i][j] - lse) - (j == labels[i] ? 1 : 0)) / 2;
      EXPECT_NEAR(g[i * 3 + j], expected, 1e-6) << i << "," << j;
    }
  }
}

TEST(Losses, TracedEqualsEager) {
  const Tensor t = F32({{0, 1, 0}, {1, 0, 0}});
  const Tensor x = F32({{0.2, 1.5, -0.3}, {2.0, 0.1, 0.4}});
  const Tensor labels = constant({1, 0});
  auto all = [](const Tensor& t, const Tensor& x, const Tensor& labels) {
    return Tensors{mean_squared_error(t, x), binary_crossentropy(t, sigmoid(x)),
                   binary_crossentropy(t, x, true), categorical_crossentropy(t, softmax(x)),
                   categorical_crossentropy(t, x, true), sparse_categorical_crossentropy(labels, x, true),
                   sparse_categorical_crossentropy(labels, softmax(x))};
  };
  const Tensors eager = all(t, x, labels);
  const Tensors traced = function(all)(t, x, labels);
  ASSERT_EQ(traced.size(), eager.size());
  for (size_t i = 0; i < eager.size(); ++i) EXPECT_NEAR(traced[i].item<float>(), eager[i].item<float>(), 1e-6) << i;
}

TEST(Losses, RejectWrongShapesAndDtypes) {
  const Tensor p = F32({{0.5}, {0.5}});
  try {
    mean_squared_error(constant({1.f, 0.f}), p);  // [2] against [2, 1] would broadcast to [2, 2]
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("same shape"), std::string::npos) << e.what();
  }
  EXPECT_THROW(binary_crossentropy(F32({{1, 0}}), p), Error);
  EXPECT_THROW(mean_squared_error(constant({1, 2}), constant({1, 2})), Error);  // integer predictions
  EXPECT_THROW(categorical_crossentropy(constant(1.f, float32), constant(1.f, float32)), Error);  // no class axis
  const Tensor logits = F32({{1, 2, 3}, {4, 5, 6}});
  try {
    sparse_categorical_crossentropy(constant({1.f, 0.f}), logits, true);
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("integer class indices"), std::string::npos) << e.what();
  }
  EXPECT_THROW(sparse_categorical_crossentropy(constant({0, 1, 2}), logits, true), Error);  // 3 labels, 2 rows
  EXPECT_THROW(sparse_categorical_crossentropy(constant({0, 1}), constant({1.f, 2.f}), true), Error);  // rank 1
  try {
    sparse_categorical_crossentropy(constant({0, 3}), logits, true);
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("label 3 is outside [0, 3)"), std::string::npos) << e.what();
  }
  EXPECT_THROW(sparse_categorical_crossentropy(constant({-1, 0}), logits, true), Error);
}

}  // namespace
}  // namespace graphc::nn
