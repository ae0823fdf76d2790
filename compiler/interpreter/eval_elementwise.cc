#include <vector>

#include "compiler/dtype_dispatch.h"
#include "compiler/interpreter/eval_context.h"
#include "compiler/interpreter/number_scalar.h"

namespace graphc::interp {

std::vector<int64_t> RowMajorStrides(const ir::Shape& shape) {
  std::vector<int64_t> strides(static_cast<size_t>(shape.rank()));
  int64_t s = 1;
  for (int64_t i = shape.rank() - 1; i >= 0; --i) {
    strides[static_cast<size_t>(i)] = s;
    s *= shape.dim(i);
  }
  return strides;
}

BroadcastIndexer::BroadcastIndexer(const ir::Shape& in_shape, const ir::Shape& out_shape)
    : strides_(static_cast<size_t>(out_shape.rank()), 0) {
  const std::vector<int64_t> in_strides = RowMajorStrides(in_shape);
  const int64_t offset = out_shape.rank() - in_shape.rank();
  for (int64_t d = 0; d < in_shape.rank(); ++d) {
    if (in_shape.dim(d) != 1) strides_[static_cast<size_t>(d + offset)] = in_strides[static_cast<size_t>(d)];
  }
}

int64_t BroadcastIndexer::Offset(std::span<const int64_t> index) const {
  int64_t off = 0;
  for (size_t d = 0; d < strides_.size(); ++d) off += index[d] * strides_[d];
  return off;
}

bool NextIndex(std::vector<int64_t>& index, const ir::Shape& shape) {
  for (int64_t d = shape.rank() - 1; d >= 0; --d) {
    auto& i = index[static_cast<size_t>(d)];
    if (++i < shape.dim(d)) return true;
    i = 0;
  }
  return false;
}

namespace {

ir::Scalar Load(const HostTensor& t, int64_t i) {
  return DispatchDType(t.dtype(), [&]<typename T>() {
    return MakeScalar<T>(t.dtype(), t.data_as<T>()[i]);
  });
}

void Store(HostTensor& t, int64_t i, ir::Scalar s) {
  DispatchDType(t.dtype(), [&]<typename T>() { t.mutable_data_as<T>()[i] = ScalarAs<T>(s); });
}

}  // namespace

Outputs EvalElementwise(const EvalContext& ctx) {
  HostTensor out = ctx.NewResult();
  const ir::Shape& shape = out.shape();
  std::vector<BroadcastIndexer> indexers;
  for (const HostTensor& in : ctx.operands) indexers.emplace_back(in.shape(), shape);
  NumberScalarBuilder builder;
  std::vector<ir::Scalar> args(ctx.operands.size());
  std::vector<int64_t> index(static_cast<size_t>(shape.rank()), 0);
  for (int64_t flat = 0; flat < out.size(); ++flat) {
    for (size_t k = 0; k < args.size(); ++k) {
      args[k] = Load(ctx.operands[k], indexers[k].Offset(index));
    }
    Store(out, flat, ctx.def.scalar(builder, args, ctx.attrs));
    NextIndex(index, shape);
  }
  return std::vector<HostTensor>{std::move(out)};
}

}  // namespace graphc::interp
