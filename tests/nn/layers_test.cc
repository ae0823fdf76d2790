// nn/layers.h: Dense against x.W + b computed here in double, lazy building
// (eager and inside a trace), Sequential / MLP variables and paths, the
// activation layers, and MLP gradients against finite differences.
#include "nn/layers.h"

#include <gtest/gtest.h>

#include <cmath>

#include "nn/losses.h"

namespace graphc::nn {
namespace {

using Matrix = std::vector<std::vector<double>>;

Matrix ToMatrix(const Tensor& t) {
  const std::vector<double> v = t.to_vector<double>();
  const int64_t rows = t.shape().dim(0), cols = t.shape().dim(1);
  Matrix m(rows, std::vector<double>(cols));
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < cols; ++j) m[i][j] = v[i * cols + j];
  }
  return m;
}

// x.W + b in double.
Matrix Affine(const Matrix& x, const Matrix& w, const std::vector<double>& b) {
  Matrix y(x.size(), std::vector<double>(w[0].size()));
  for (size_t i = 0; i < x.size(); ++i) {
    for (size_t j = 0; j < w[0].size(); ++j) {
      double s = b.empty() ? 0 : b[j];
      for (size_t k = 0; k < w.size(); ++k) s += x[i][k] * w[k][j];
      y[i][j] = s;
    }
  }
  return y;
}

void ExpectNear(const Matrix& expected, const Tensor& actual, double tol) {
  const Matrix a = ToMatrix(actual);
  ASSERT_EQ(a.size(), expected.size());
  for (size_t i = 0; i < a.size(); ++i) {
    for (size_t j = 0; j < a[i].size(); ++j) EXPECT_NEAR(a[i][j], expected[i][j], tol) << i << "," << j;
  }
}

Tensor X() { return constant({{1.f, -2.f, 0.5f}, {0.25f, 3.f, -1.f}}); }

TEST(Dense, ComputesXTimesKernelPlusBias) {
  Dense dense(4, nullptr, true, GlorotUniform(1), RandomUniform(-1, 1, 2));  // a nonzero bias
  const Tensor y = dense(X());
  EXPECT_EQ(y.shape(), (Shape{2, 4}));
  ExpectNear(Affine(ToMatrix(X()), ToMatrix(dense.kernel().value()), dense.bias().value().to_vector<double>()), y,
             1e-6);
}

TEST(Dense, AppliesTheActivationAndCanDropTheBias) {
  Dense dense(3, activations::relu, /*use_bias=*/false, GlorotUniform(3));
  const Tensor y = dense(X());
  Matrix expected = Affine(ToMatrix(X()), ToMatrix(dense.kernel().value()), {});
  bool any_clipped = false;
  for (auto& row : expected) {
    for (double& v : row) {
      any_clipped |= v < 0;
      v = std::max(v, 0.0);
    }
  }
  EXPECT_TRUE(any_clipped);  // the relu had something to do
  ExpectNear(expected, y, 1e-6);
  EXPECT_EQ(dense.variables().size(), 1u);
  EXPECT_THROW(dense.bias(), Error);
}

TEST(Dense, BuildsLazilyFromTheFirstInput) {
  Dense dense(5);
  EXPECT_FALSE(dense.built());
  EXPECT_TRUE(dense.variables().empty());
  EXPECT_THROW(dense.kernel(), Error);
  dense(X());
  ASSERT_TRUE(dense.built());
  EXPECT_EQ(dense.kernel().shape(), (Shape{3, 5}));
  EXPECT_EQ(dense.bias().shape(), (Shape{5}));
  EXPECT_EQ(dense.bias().value().to_vector<float>(), std::vector<float>(5, 0.f));  // Zeros
  EXPECT_EQ(dense.kernel().dtype(), float32);
  try {
    dense(constant({{1.f, 2.f}}));
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("built for inputs with last dim 3"), std::string::npos) << e.what();
  }
}

TEST(Dense, ExplicitBuildAndFloat64Inputs) {
  Dense dense(2);
  dense.build(Shape{kDynamic, 6}, float64);
  EXPECT_EQ(dense.kernel().shape(), (Shape{6, 2}));
  EXPECT_EQ(dense.kernel().dtype(), float64);
  dense.build(Shape{1, 6}, float64);  // same features: nothing changes
  EXPECT_EQ(dense.variables().size(), 2u);
  EXPECT_EQ(dense(ones({3, 6}, float64)).dtype(), float64);
  EXPECT_THROW(dense.build(Shape{1, 7}, float64), Error);
}

TEST(Dense, BatchDimsBeyondTheFirstAreKept) {
  Dense dense(2, nullptr, true, Ones());
  const Tensor y = dense(ones({2, 3, 4}));
  EXPECT_EQ(y.shape(), (Shape{2, 3, 2}));
  EXPECT_EQ(y.to_vector<float>(), std::vector<float>(12, 4.f));
}

TEST(Dense, RejectsBadInputsAndArguments) {
  EXPECT_THROW(Dense(0), Error);
  EXPECT_THROW(Dense(2)(constant({1.f, 2.f})), Error);          // rank 1
  EXPECT_THROW(Dense(2)(constant({{1, 2}})), Error);            // int32
  EXPECT_THROW(Dense(2).build(Shape{4, kDynamic}), Error);      // unknown features
  EXPECT_THROW(Dense(2, nullptr, true, Initializer()), Error);  // empty initializer
}

TEST(Dense, FirstCalledInsideAFunctionThenEagerlyWithTheSameVariables) {
  Dense dense(3, nullptr, true, GlorotUniform(4), RandomUniform(-1, 1, 5));
  auto f = function([&](const Tensor& x) { return dense(x); });
  const Tensor traced = f(X());
  ASSERT_TRUE(dense.built());
  EXPECT_FALSE(dense.kernel().value().is_traced());
  const Tensor eager = dense(X());
  EXPECT_EQ(dense.variables().size(), 2u);
  ExpectNear(ToMatrix(eager), traced, 1e-6);
  // The traced graph reads the variables: a new kernel shows in the next run.
  dense.kernel().assign(zeros({3, 3}));
  const std::vector<float> bias = dense.bias().value().to_vector<float>();
  const std::vector<float> out = f(X()).to_vector<float>();
  for (size_t i = 0; i < out.size(); ++i) EXPECT_FLOAT_EQ(out[i], bias[i % 3]);
  EXPECT_EQ(f.tracing_count(), 1);
}

TEST(ActivationLayers, ComputeTheirFunctions) {
  const Tensor x = constant({{-1.f, 0.f, 2.f}});
  EXPECT_EQ(ReLU()(x).to_vector<float>(), (std::vector<float>{0.f, 0.f, 2.f}));
  const std::vector<float> s = Sigmoid()(x).to_vector<float>();
  const std::vector<float> t = Tanh()(x).to_vector<float>();
  const std::vector<float> p = Softmax()(x).to_vector<float>();
  const double z = std::exp(-1.0) + 1.0 + std::exp(2.0);
  const double xs[] = {-1, 0, 2};
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(s[i], 1 / (1 + std::exp(-xs[i])), 1e-6);
    EXPECT_NEAR(t[i], std::tanh(xs[i]), 1e-6);
    EXPECT_NEAR(p[i], std::exp(xs[i]) / z, 1e-6);
  }
  // Softmax over another axis: each column of a [2, 1] sums to 1.
  EXPECT_EQ(Softmax(0)(constant({{3.f}, {3.f}})).to_vector<float>(), (std::vector<float>{0.5f, 0.5f}));
  EXPECT_TRUE(ReLU().variables().empty());
}

std::vector<std::string> Paths(const Module& m) {
  std::vector<std::string> out;
  for (const auto& [path, v] : m.named_variables()) out.push_back(path);
  return out;
}

TEST(Sequential, ChainsLayersAndNamesThemByIndex) {
  Sequential model;
  model.add(Dense(4, activations::tanh, true, GlorotUniform(1)))
      .add(ReLU())
      .add(Dense(2, nullptr, true, GlorotUniform(2)));
  EXPECT_EQ(model.layers().size(), 3u);
  const Tensor y = model(X());
  EXPECT_EQ(Paths(model),
            (std::vector<std::string>{"layers.0.kernel", "layers.0.bias", "layers.2.kernel", "layers.2.bias"}));
  // The same computation written out with the layers' variables.
  const auto vars = model.variables();
  const Tensor expected = matmul(relu(tanh(matmul(X(), vars[0]) + vars[1])), vars[2]) + vars[3];
  ExpectNear(ToMatrix(expected), y, 1e-6);
  EXPECT_THROW(Sequential()(X()), Error);
  EXPECT_THROW(model.add(std::shared_ptr<Layer>()), Error);
}

TEST(MLP, HiddenLayersWithTheActivationThenALinearOutput) {
  MLP mlp({8, 4}, 3);
  EXPECT_TRUE(mlp.variables().empty());
  const Tensor y = mlp(X());
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  EXPECT_EQ(Paths(mlp), (std::vector<std::string>{"layers.0.kernel", "layers.0.bias", "layers.1.kernel",
                                                  "layers.1.bias", "layers.2.kernel", "layers.2.bias"}));
  const auto vars = mlp.trainable_variables();
  ASSERT_EQ(vars.size(), 6u);
  EXPECT_EQ(vars[0].shape(), (Shape{3, 8}));
  EXPECT_EQ(vars[2].shape(), (Shape{8, 4}));
  EXPECT_EQ(vars[4].shape(), (Shape{4, 3}));
  EXPECT_EQ(vars[5].shape(), (Shape{3}));
  const Tensor expected =
      matmul(relu(matmul(relu(matmul(X(), vars[0]) + vars[1]), vars[2]) + vars[3]), vars[4]) + vars[5];
  ExpectNear(ToMatrix(expected), y, 1e-6);
  EXPECT_TRUE(Paths(MLP({8, 4}, 3)).empty());  // another instance: no variables before its first call
}

// d(loss)/d(every weight) from the tape against central differences, all in
// float64 so that the differences are accurate.
TEST(MLP, TapeGradientsMatchFiniteDifferences) {
  MLP mlp({3}, 2, activations::tanh);
  const Tensor x = constant({{0.5, -1.0}, {2.0, 0.25}, {-0.75, 1.5}}, float64);
  const Tensor y = constant({{1.0, 0.0}, {0.0, 1.0}, {0.5, 0.5}}, float64);
  mlp(x);
  const std::vector<Variable> vars = mlp.trainable_variables();
  // Nonzero biases, so that their gradients are exercised off the origin.
  vars[1].assign(constant({0.1, -0.2, 0.3}, float64));

  GradientTape tape;
  const Tensor loss = mean_squared_error(y, mlp(x));
  const std::vector<Tensor> grads = tape.gradient(loss, vars);

  auto loss_now = [&] { return mean_squared_error(y, mlp(x)).item<double>(); };
  const double h = 1e-6;
  for (size_t v = 0; v < vars.size(); ++v) {
    std::vector<double> w = vars[v].value().to_vector<double>();
    const std::vector<double> g = grads[v].to_vector<double>();
    ASSERT_EQ(g.size(), w.size());
    for (size_t i = 0; i < w.size(); ++i) {
      const double w0 = w[i];
      w[i] = w0 + h;
      vars[v].assign(constant(w, vars[v].shape(), float64));
      const double up = loss_now();
      w[i] = w0 - h;
      vars[v].assign(constant(w, vars[v].shape(), float64));
      const double down = loss_now();
      w[i] = w0;
      vars[v].assign(constant(w, vars[v].shape(), float64));
      EXPECT_NEAR(g[i], (up - down) / (2 * h), 1e-7) << "variable " << v << " element " << i;
    }
  }
}

}  // namespace
}  // namespace graphc::nn
