// Every differentiable op's gradient rule against central finite
// differences, in f64, on the shapes and attributes of the op sample table
// (broadcasting shapes included).
//
// Inputs: the table's float operands are replaced by values of magnitude
// 0.3..0.92 with alternating signs, all distinct, so no input sits on a kink
// (relu, abs at 0) or a tie (max); ops undefined there (log, sqrt, pow) get
// the magnitudes only. The loss is sum(op(x) * w) with fixed weights w, so
// every output element carries a different seed.
// Tolerance: |analytic - numeric| <= 1e-6 * (1 + |numeric|), with step
// h = 1e-6: the central difference's error is O(h^2 f''') + O(eps |L| / h),
// about 1e-10 here.
#include <gtest/gtest.h>

#include <cmath>

#include "compiler/frontend/dispatch.h"
#include "compiler/frontend/tensor_impl.h"
#include "compiler/interpreter/interpreter.h"
#include "graphc/graphc.h"
#include "ir/op_registry.h"
#include "tests/common/op_samples.h"

namespace graphc {
namespace {

constexpr double kStep = 1e-6;
constexpr double kTolerance = 1e-6;

HostTensor DistinctValues(const ir::Shape& shape, int operand, bool positive) {
  HostTensor t(ir::DType::kF64, shape);
  for (int64_t i = 0; i < t.size(); ++i) {
    const double frac = std::fmod(static_cast<double>(i + 1) * 0.6180339887 + operand * 0.1234, 1.0);
    const double magnitude = 0.3 + 0.62 * frac;
    t.mutable_data_as<double>()[i] = positive || i % 2 == 0 ? magnitude : -magnitude;
  }
  return t;
}

bool AllFinite(const std::vector<HostTensor>& ts) {
  for (const HostTensor& t : ts) {
    for (int64_t i = 0; i < t.size(); ++i) {
      if (!std::isfinite(t.GetDouble(i))) return false;
    }
  }
  return true;
}

absl::StatusOr<std::vector<HostTensor>> Eval(const test::OpSample& s, const std::vector<HostTensor>& in) {
  return interp::EvalOp(s.op, in, s.attrs, nullptr);
}

// sum(op(in) * weights)
double Loss(const test::OpSample& s, const std::vector<HostTensor>& in, const HostTensor& weights) {
  absl::StatusOr<std::vector<HostTensor>> out = Eval(s, in);
  double loss = 0;
  for (int64_t i = 0; i < (*out)[0].size(); ++i) loss += (*out)[0].GetDouble(i) * weights.GetDouble(i);
  return loss;
}

std::vector<test::OpSample> DifferentiableSamples() {
  std::vector<test::OpSample> out;
  for (test::OpSample& s : test::AllSamples()) {
    const ir::OpDef* def = ir::OpRegistry::Get().Find(s.op);
    if (def == nullptr || def->vjp == nullptr || test::IsSpecial(s)) continue;
    bool any_float = false;
    for (HostTensor& t : s.operands) {
      if (ir::IsFloat(t.dtype())) any_float = true;
    }
    if (!any_float) continue;
    // Only float results have gradients (casts to integers have none).
    absl::StatusOr<std::vector<HostTensor>> result = Eval(s, s.operands);
    if (result.ok() && ir::IsFloat((*result)[0].dtype())) out.push_back(std::move(s));
  }
  return out;
}

class GradientCheck : public ::testing::TestWithParam<test::OpSample> {};

TEST_P(GradientCheck, MatchesCentralDifferences) {
  test::OpSample s = GetParam();
  // f64 inputs away from kinks; positive ones where the op needs them.
  std::vector<HostTensor> inputs;
  for (bool positive : {false, true}) {
    inputs.clear();
    for (size_t k = 0; k < s.operands.size(); ++k) {
      const HostTensor& t = s.operands[k];
      inputs.push_back(ir::IsFloat(t.dtype()) ? DistinctValues(t.shape(), static_cast<int>(k), positive) : t);
    }
    if (s.attrs.contains("dtype") && ir::IsFloat(std::get<ir::DType>(s.attrs.at("dtype")))) {
      s.attrs["dtype"] = ir::DType::kF64;
    }
    absl::StatusOr<std::vector<HostTensor>> out = Eval(s, inputs);
    if (out.ok() && AllFinite(*out)) break;
  }
  absl::StatusOr<std::vector<HostTensor>> out = Eval(s, inputs);
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ((*out)[0].dtype(), ir::DType::kF64) << test::Describe(s);
  const HostTensor weights = DistinctValues((*out)[0].shape(), 7, false);

  // Analytic, through the public API and the tape.
  std::vector<Tensor> x;
  for (const HostTensor& h : inputs) x.push_back(MakeEager(h));
  GradientTape tape;
  std::vector<GradientTape::Source> sources;
  for (const Tensor& t : x) {
    if (ir::IsFloat(t.dtype())) {
      tape.watch(t);
      sources.emplace_back(t);
    }
  }
  const Tensor y = ApplyOp1(s.op, x, s.attrs, std::source_location::current());
  const Tensor loss = reduce_sum(y * MakeEager(weights));
  const std::vector<Tensor> grads = tape.gradient(loss, sources, UnconnectedGradients::kZero);

  size_t g = 0;
  for (size_t k = 0; k < inputs.size(); ++k) {
    if (!ir::IsFloat(inputs[k].dtype())) continue;
    const std::vector<double> analytic = grads[g++].to_vector<double>();
    ASSERT_EQ(static_cast<int64_t>(analytic.size()), inputs[k].size());
    for (int64_t i = 0; i < inputs[k].size(); ++i) {
      std::vector<HostTensor> plus = inputs, minus = inputs;
      plus[k] = inputs[k].Clone();
      minus[k] = inputs[k].Clone();
      plus[k].mutable_data_as<double>()[i] += kStep;
      minus[k].mutable_data_as<double>()[i] -= kStep;
      const double numeric = (Loss(s, plus, weights) - Loss(s, minus, weights)) / (2 * kStep);
      EXPECT_NEAR(analytic[static_cast<size_t>(i)], numeric, kTolerance * (1 + std::abs(numeric)))
          << test::Describe(s) << ": operand " << k << " element " << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllOps, GradientCheck, ::testing::ValuesIn(DifferentiableSamples()),
                         [](const auto& info) { return info.param.op + "_" + info.param.name; });

// Every op is differentiable or explicitly marked as not.
TEST(GradientRules, EveryOpHasARuleOrAMark) {
  for (const ir::OpDef* def : ir::OpRegistry::Get().All()) {
    const bool handled_by_pass = def->name == "cond" || def->name == "while" || def->name == "call" ||
                                 def->name == "read_var";
    EXPECT_TRUE(def->vjp != nullptr || def->not_differentiable || handled_by_pass)
        << def->name << " has no gradient rule and no not_differentiable mark";
  }
}

}  // namespace
}  // namespace graphc
