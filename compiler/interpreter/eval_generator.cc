// Evaluators of the generator family: constant, fill, range, random, one_hot.
#include <cmath>

#include "compiler/interpreter/eval_context.h"
#include "runtime/random.h"

namespace graphc::interp {
namespace {

Outputs One(HostTensor t) { return std::vector<HostTensor>{std::move(t)}; }

Outputs Constant(const EvalContext& ctx) {
  return One(HostTensor::FromDense(ctx.attr<ir::DenseElements>("value")));
}

Outputs Fill(const EvalContext& ctx) {
  HostTensor out = ctx.NewResult();
  const double v = ctx.attr<double>("value");
  for (int64_t i = 0; i < out.size(); ++i) out.SetDouble(i, v);
  return One(std::move(out));
}

Outputs Range(const EvalContext& ctx) {
  HostTensor out = ctx.NewResult();
  const double start = ctx.attr<double>("start");
  const double delta = ctx.attr<double>("delta");
  for (int64_t i = 0; i < out.size(); ++i) out.SetDouble(i, start + static_cast<double>(i) * delta);
  return One(std::move(out));
}

Outputs RandomUniform(const EvalContext& ctx) {
  HostTensor out = ctx.NewResult();
  const auto seed = static_cast<uint64_t>(ctx.attr<int64_t>("seed"));
  const double lo = ctx.attr<double>("minval"), hi = ctx.attr<double>("maxval");
  const auto lo32 = static_cast<float>(lo), hi32 = static_cast<float>(hi);
  for (int64_t i = 0; i < out.size(); ++i) {
    const auto u = static_cast<uint64_t>(i);
    if (out.dtype() == ir::DType::kF32) {
      out.mutable_data_as<float>()[i] =
          runtime::UniformF32(seed, u, lo32, hi32);
    } else {
      out.mutable_data_as<double>()[i] = runtime::UniformF64(seed, u, lo, hi);
    }
  }
  return One(std::move(out));
}

Outputs RandomNormal(const EvalContext& ctx) {
  HostTensor out = ctx.NewResult();
  const auto seed = static_cast<uint64_t>(ctx.attr<int64_t>("seed"));
  const double mean = ctx.attr<double>("mean"), stddev = ctx.attr<double>("stddev");
  for (int64_t i = 0; i < out.size(); ++i) {
    const auto u = static_cast<uint64_t>(i);
    if (out.dtype() == ir::DType::kF32) {
      out.mutable_data_as<float>()[i] =
          runtime::NormalF32(seed, u, static_cast<float>(mean), static_cast<float>(stddev));
    } else {
      out.mutable_data_as<double>()[i] = runtime::NormalF64(seed, u, mean, stddev);
    }
  }
  return One(std::move(out));
}

// out[..., j (at axis), ...] = indices[...] == j ? on : off. Out-of-range
// indices (negative or >= depth) give an all-`off` row, as in TensorFlow.
Outputs OneHot(const EvalContext& ctx) {
  const HostTensor& indices = ctx.operand(0);
  HostTensor out = ctx.NewResult();
  const int64_t depth = ctx.attr<int64_t>("depth");
  const int64_t rank = out.shape().rank();
  int64_t axis = ctx.attr<int64_t>("axis");
  if (axis < 0) axis += rank;
  const double on = ctx.attr<double>("on_value"), off = ctx.attr<double>("off_value");
  // out index = (outer, j, inner) where indices index = (outer, inner). Both
  // products come from the dims (not from dividing sizes: any dim may be 0).
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= out.shape().dim(d);
  for (int64_t d = axis + 1; d < rank; ++d) inner *= out.shape().dim(d);
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t j = 0; j < depth; ++j) {
      for (int64_t in = 0; in < inner; ++in) {
        const int64_t idx = indices.GetInt(o * inner + in);
        out.SetDouble((o * depth + j) * inner + in, idx == j ? on : off);
      }
    }
  }
  return One(std::move(out));
}

}  // namespace

void AddGeneratorEvaluators(EvaluatorTable& t) {
  t["constant"] = Constant;
  t["fill"] = Fill;
  t["fill_like"] = Fill;
  t["range"] = Range;
  t["random_uniform"] = RandomUniform;
  t["random_normal"] = RandomNormal;
  t["one_hot"] = OneHot;
}

}  // namespace graphc::interp
