// Evaluators of the shape family: ops that move elements without computing.
#include <cstring>

#include "absl/status/status.h"
#include "compiler/interpreter/eval_context.h"
#include "ir/str_cat.h"

namespace graphc::interp {
namespace {

Outputs One(HostTensor t) { return std::vector<HostTensor>{std::move(t)}; }

// out[i] = in[offset(i)] for every element, where `offset` maps the out
// multi-index to a flat input offset.
template <typename OffsetFn>
HostTensor Gather(const HostTensor& in, const ir::TensorType& out_type, OffsetFn offset) {
  HostTensor out(out_type.dtype, out_type.shape);
  const int64_t width = ir::DTypeSize(in.dtype());
  std::vector<int64_t> index(static_cast<size_t>(out_type.shape.rank()), 0);
  for (int64_t flat = 0; flat < out.size(); ++flat) {
    std::memcpy(out.mutable_data() + flat * width, in.data() + offset(index) * width,
                static_cast<size_t>(width));
    NextIndex(index, out_type.shape);
  }
  return out;
}

// Ops whose result is the operand's buffer under a new shape.
Outputs Reshape(const EvalContext& ctx) {
  return One(ctx.operand(0).Reshaped(ctx.results[0].shape));
}

Outputs Transpose(const EvalContext& ctx) {
  const HostTensor& in = ctx.operand(0);
  const int64_t rank = in.shape().rank();
  std::vector<int64_t> perm = ctx.attr<std::vector<int64_t>>("perm");
  if (perm.empty()) {
    for (int64_t d = rank - 1; d >= 0; --d) perm.push_back(d);
  }
  const std::vector<int64_t> in_strides = RowMajorStrides(in.shape());
  return One(Gather(in, ctx.results[0], [&](std::span<const int64_t> index) {
    int64_t off = 0;
    for (int64_t d = 0; d < rank; ++d) {
      off += index[static_cast<size_t>(d)] * in_strides[static_cast<size_t>(perm[static_cast<size_t>(d)])];
    }
    return off;
  }));
}

Outputs BroadcastTo(const EvalContext& ctx) {
  BroadcastIndexer indexer(ctx.operand(0).shape(), ctx.results[0].shape);
  return One(Gather(ctx.operand(0), ctx.results[0],
                    [&](std::span<const int64_t> index) { return indexer.Offset(index); }));
}

// Start index along one dim of a strided slice, per Python/TF rules.
int64_t SliceStart(int64_t begin, bool masked, int64_t stride, int64_t dim) {
  if (masked) return stride > 0 ? 0 : dim - 1;
  if (begin < 0) begin += dim;
  if (stride > 0) return std::clamp<int64_t>(begin, 0, dim);
  return std::clamp<int64_t>(begin, -1, dim - 1);
}

Outputs StridedSlice(const EvalContext& ctx) {
  const HostTensor& in = ctx.operand(0);
  const auto& begin = ctx.attr<std::vector<int64_t>>("begin");
  const auto& strides = ctx.attr<std::vector<int64_t>>("strides");
  const int64_t begin_mask = ctx.attr<int64_t>("begin_mask");
  const int64_t shrink_mask = ctx.attr<int64_t>("shrink_axis_mask");
  const int64_t rank = in.shape().rank();
  const std::vector<int64_t> in_strides = RowMajorStrides(in.shape());
  // Per input dim: first index and step; `out_dim` maps it to the out index
  // (-1 for shrunk dims).
  std::vector<int64_t> start(static_cast<size_t>(rank)), step(static_cast<size_t>(rank)),
      out_dim(static_cast<size_t>(rank));
  int64_t next_out = 0;
  for (int64_t d = 0; d < rank; ++d) {
    const auto u = static_cast<size_t>(d);
    const int64_t dim = in.shape().dim(d);
    if ((shrink_mask >> d) & 1) {
      int64_t i = begin[u] < 0 ? begin[u] + dim : begin[u];
      if (i < 0 || i >= dim) {
        return absl::InvalidArgumentError(StrCat("strided_slice: index ", begin[u],
                                                 " is out of range for dim ", d, " of size ", dim));
      }
      start[u] = i;
      step[u] = 0;
      out_dim[u] = -1;
    } else {
      step[u] = strides[u];
      start[u] = SliceStart(begin[u], (begin_mask >> d) & 1, strides[u], dim);
      out_dim[u] = next_out++;
    }
  }
  return One(Gather(in, ctx.results[0], [&](std::span<const int64_t> index) {
    int64_t off = 0;
    for (int64_t d = 0; d < rank; ++d) {
      const auto u = static_cast<size_t>(d);
      const int64_t i = out_dim[u] < 0 ? start[u]
                                       : start[u] + index[static_cast<size_t>(out_dim[u])] * step[u];
      off += i * in_strides[u];
    }
    return off;
  }));
}

Outputs GatherOp(const EvalContext& ctx) {
  const HostTensor& params = ctx.operand(0);
  const HostTensor& indices = ctx.operand(1);
  int64_t axis = ctx.attr<int64_t>("axis");
  if (axis < 0) axis += params.shape().rank();
  const int64_t dim = params.shape().dim(axis);
  for (int64_t i = 0; i < indices.size(); ++i) {
    const int64_t idx = indices.GetInt(i);
    if (idx < 0 || idx >= dim) {
      return absl::InvalidArgumentError(
          StrCat("gather: index ", idx, " is out of range [0, ", dim, ") along axis ", axis));
    }
  }
  const std::vector<int64_t> p_strides = RowMajorStrides(params.shape());
  const std::vector<int64_t> i_strides = RowMajorStrides(indices.shape());
  const int64_t irank = indices.shape().rank();
  const int64_t prank = params.shape().rank();
  return One(Gather(params, ctx.results[0], [&](std::span<const int64_t> index) {
    // out index = params[:axis] ++ indices ++ params[axis+1:]
    int64_t off = 0;
    for (int64_t d = 0; d < axis; ++d) off += index[static_cast<size_t>(d)] * p_strides[static_cast<size_t>(d)];
    int64_t ioff = 0;
    for (int64_t d = 0; d < irank; ++d) {
      ioff += index[static_cast<size_t>(axis + d)] * i_strides[static_cast<size_t>(d)];
    }
    off += indices.GetInt(ioff) * p_strides[static_cast<size_t>(axis)];
    for (int64_t d = axis + 1; d < prank; ++d) {
      off += index[static_cast<size_t>(d - 1 + irank)] * p_strides[static_cast<size_t>(d)];
    }
    return off;
  }));
}

Outputs Concat(const EvalContext& ctx) {
  HostTensor out = ctx.NewResult();
  const int64_t rank = out.shape().rank();
  int64_t axis = ctx.attr<int64_t>("axis");
  if (axis < 0) axis += rank;
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= out.shape().dim(d);
  const int64_t width = ir::DTypeSize(out.dtype());
  // Bytes of one out "row" (everything from `axis` inward).
  const int64_t out_row = outer == 0 ? 0 : out.byte_size() / outer;
  int64_t col = 0;
  for (const HostTensor& in : ctx.operands) {
    const int64_t in_row = outer == 0 ? 0 : in.size() * width / outer;
    for (int64_t o = 0; o < outer; ++o) {
      std::memcpy(out.mutable_data() + o * out_row + col, in.data() + o * in_row,
                  static_cast<size_t>(in_row));
    }
    col += in_row;
  }
  return One(std::move(out));
}

}  // namespace

void AddShapeEvaluators(EvaluatorTable& t) {
  t["reshape"] = Reshape;
  t["expand_dims"] = Reshape;
  t["squeeze"] = Reshape;
  t["transpose"] = Transpose;
  t["broadcast_to"] = BroadcastTo;
  t["broadcast_like"] = BroadcastTo;
  t["strided_slice"] = StridedSlice;
  t["gather"] = GatherOp;
  t["concat"] = Concat;
}

}  // namespace graphc::interp
