// Evaluators of the ops gradients are built from: sum_to_like, reshape_like,
// strided_slice_grad and scatter_add. The last two are the transposes of
// strided_slice and gather. To share those ops' exact index rules, they run
// them on a tensor holding each element's own flat offset ("iota") shaped
// like the result, which yields, for every input element, the result element
// it belongs to.
#include <cstring>
#include <span>

#include "absl/status/status.h"
#include "compiler/interpreter/eval_context.h"
#include "compiler/interpreter/interpreter.h"
#include "ir/str_cat.h"

namespace graphc::interp {
namespace {

Outputs One(HostTensor t) { return std::vector<HostTensor>{std::move(t)}; }

// An i64 tensor of `shape` whose element i is i.
HostTensor Iota(const ir::Shape& shape) {
  HostTensor t(ir::DType::kI64, shape);
  for (int64_t i = 0; i < t.size(); ++i) t.mutable_data_as<int64_t>()[i] = i;
  return t;
}

// Zeros of `type` plus values[j] added at offsets[j] for every j. Floats
// accumulate in double and round once (like the reductions); integers wrap.
HostTensor AddAt(const ir::TensorType& type, std::span<const int64_t> offsets,
                 const HostTensor& values) {
  HostTensor out(type.dtype, type.shape);
  const auto n = static_cast<size_t>(out.size());
  if (ir::IsFloat(type.dtype)) {
    std::vector<double> acc(n, 0.0);
    for (size_t j = 0; j < offsets.size(); ++j) {
      acc[static_cast<size_t>(offsets[j])] += values.GetDouble(static_cast<int64_t>(j));
    }
    for (size_t i = 0; i < n; ++i) out.SetDouble(static_cast<int64_t>(i), acc[i]);
  } else {
    std::vector<uint64_t> acc(n, 0);
    for (size_t j = 0; j < offsets.size(); ++j) {
      acc[static_cast<size_t>(offsets[j])] +=
          static_cast<uint64_t>(values.GetInt(static_cast<int64_t>(j)));
    }
    for (size_t i = 0; i < n; ++i) {
      out.SetInt(static_cast<int64_t>(i), static_cast<int64_t>(acc[i]));
    }
  }
  return out;
}

std::span<const int64_t> Offsets(const HostTensor& iota_picked) {
  return {iota_picked.data_as<int64_t>(), static_cast<size_t>(iota_picked.size())};
}

Outputs SumToLike(const EvalContext& ctx) {
  const HostTensor& x = ctx.operand(0);
  const ir::Shape& out_shape = ctx.results[0].shape;
  // Inference (on these static shapes) has checked that each dim of the
  // result is x's or 1, so the broadcast map from the result to x inverts.
  BroadcastIndexer to_out(out_shape, x.shape());
  std::vector<int64_t> offsets(static_cast<size_t>(x.size()));
  std::vector<int64_t> index(static_cast<size_t>(x.shape().rank()), 0);
  for (auto& off : offsets) {
    off = to_out.Offset(index);
    NextIndex(index, x.shape());
  }
  return One(AddAt(ctx.results[0], offsets, x));
}

Outputs ReshapeLike(const EvalContext& ctx) {
  return One(ctx.operand(0).Reshaped(ctx.results[0].shape));
}

Outputs StridedSliceGrad(const EvalContext& ctx) {
  const HostTensor& g = ctx.operand(0);
  const std::vector<HostTensor> iota = {Iota(ctx.results[0].shape)};
  absl::StatusOr<std::vector<HostTensor>> picked =
      EvalOp("strided_slice", iota, ctx.attrs, nullptr);
  if (!picked.ok()) return picked.status();
  // A slice reads each element at most once: plain writes, so values such as
  // -0 are kept bit for bit.
  HostTensor out = ctx.NewResult();
  const int64_t width = ir::DTypeSize(out.dtype());
  std::span<const int64_t> offsets = Offsets((*picked)[0]);
  for (size_t j = 0; j < offsets.size(); ++j) {
    std::memcpy(out.mutable_data() + offsets[j] * width, g.data() + static_cast<int64_t>(j) * width,
                static_cast<size_t>(width));
  }
  return One(std::move(out));
}

Outputs ScatterAdd(const EvalContext& ctx) {
  const HostTensor& like = ctx.operand(0);
  const HostTensor& indices = ctx.operand(1);
  int64_t axis = ctx.attr<int64_t>("axis");
  if (axis < 0) axis += like.shape().rank();
  const int64_t dim = like.shape().dim(axis);
  for (int64_t i = 0; i < indices.size(); ++i) {
    const int64_t idx = indices.GetInt(i);
    if (idx < 0 || idx >= dim) {
      return absl::InvalidArgumentError(
          StrCat("scatter_add: index ", idx, " is out of range [0, ", dim, ") along axis ", axis));
    }
  }
  const std::vector<HostTensor> operands = {Iota(like.shape()), indices};
  absl::StatusOr<std::vector<HostTensor>> picked =
      EvalOp("gather", operands, {{"axis", axis}}, nullptr);
  if (!picked.ok()) return picked.status();
  return One(AddAt(ctx.results[0], Offsets((*picked)[0]), ctx.operand(2)));
}

}  // namespace

void AddGradEvaluators(EvaluatorTable& t) {
  t["sum_to_like"] = SumToLike;
  t["reshape_like"] = ReshapeLike;
  t["strided_slice_grad"] = StridedSliceGrad;
  t["scatter_add"] = ScatterAdd;
}

}  // namespace graphc::interp
