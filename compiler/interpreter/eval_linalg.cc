// Evaluators of the linalg family: matmul (with batch broadcasting; float
// products in the runtime's GEMM, integers exactly with wrap-around) and
// softmax / log_softmax (accumulating in double).
#include <cmath>
#include <limits>

#include "compiler/convert.h"
#include "compiler/dtype_dispatch.h"
#include "compiler/interpreter/eval_context.h"
#include "runtime/kernel_abi.h"

namespace graphc::interp {
namespace {

Outputs One(HostTensor t) { return std::vector<HostTensor>{std::move(t)}; }

// The batch part of a shape (all but the last two dims).
ir::Shape BatchShape(const ir::Shape& s) {
  return ir::Shape(std::vector<int64_t>(s.dims().begin(), s.dims().end() - 2));
}

Outputs MatMul(const EvalContext& ctx) {
  const HostTensor& a = ctx.operand(0);
  const HostTensor& b = ctx.operand(1);
  HostTensor out = ctx.NewResult();
  const bool ta = ctx.attr<bool>("transpose_a"), tb = ctx.attr<bool>("transpose_b");
  const int64_t ar = a.shape().rank(), br = b.shape().rank(), orank = out.shape().rank();
  const int64_t m = out.shape().dim(orank - 2), n = out.shape().dim(orank - 1);
  const int64_t k = ta ? a.shape().dim(ar - 2) : a.shape().dim(ar - 1);
  // Element (i, p) of the logical A and (p, j) of the logical B inside one matrix.
  const int64_t a_cols = a.shape().dim(ar - 1);
  const int64_t b_cols = b.shape().dim(br - 1);
  auto a_at = [&](int64_t base, int64_t i, int64_t p) { return base + (ta ? p * a_cols + i : i * a_cols + p); };
  auto b_at = [&](int64_t base, int64_t p, int64_t j) { return base + (tb ? j * b_cols + p : p * b_cols + j); };
  const ir::Shape out_batch = BatchShape(out.shape());
  BroadcastIndexer a_batch(BatchShape(a.shape()), out_batch);
  BroadcastIndexer b_batch(BatchShape(b.shape()), out_batch);
  const int64_t a_mat = a.shape().dim(ar - 2) * a.shape().dim(ar - 1);
  const int64_t b_mat = b.shape().dim(br - 2) * b.shape().dim(br - 1);
  const int64_t batches = out_batch.num_elements().value_or(0);
  std::vector<int64_t> index(static_cast<size_t>(out_batch.rank()), 0);
  for (int64_t batch = 0; batch < batches; ++batch) {
    const int64_t a_base = a_batch.Offset(index) * a_mat;
    const int64_t b_base = b_batch.Offset(index) * b_mat;
    // Floats: the op's definition is the runtime's GEMM, which compiled
    // code calls too, so eager, interpreted and compiled products agree.
    if (out.dtype() == ir::DType::kF32) {
      graphc_matmul_f32(a.data_as<float>() + a_base, b.data_as<float>() + b_base,
                        out.mutable_data_as<float>() + batch * m * n, m, n, k, ta, tb);
    } else if (out.dtype() == ir::DType::kF64) {
      graphc_matmul_f64(a.data_as<double>() + a_base, b.data_as<double>() + b_base,
                        out.mutable_data_as<double>() + batch * m * n, m, n, k, ta, tb);
    } else {
      for (int64_t i = 0; i < m; ++i) {
        for (int64_t j = 0; j < n; ++j) {
          uint64_t acc = 0;  // wraps like the target integer type
          for (int64_t p = 0; p < k; ++p) {
            acc += static_cast<uint64_t>(a.GetInt(a_at(a_base, i, p))) *
                   static_cast<uint64_t>(b.GetInt(b_at(b_base, p, j)));
          }
          const int64_t o = (batch * m + i) * n + j;
          DispatchDType(out.dtype(), [&]<typename T>() {
            out.mutable_data_as<T>()[o] = ConvertNumber<T>(static_cast<int64_t>(acc));
          });
        }
      }
    }
    NextIndex(index, out_batch);
  }
  return One(std::move(out));
}

// softmax(x) = exp(x - max) / sum(exp(x - max)) along `axis`;
// log_softmax(x) = (x - max) - log(sum(exp(x - max))).
template <bool kLog>
Outputs Softmax(const EvalContext& ctx) {
  const HostTensor& in = ctx.operand(0);
  HostTensor out = ctx.NewResult();
  const int64_t rank = in.shape().rank();
  int64_t axis = ctx.attr<int64_t>("axis");
  if (axis < 0) axis += rank;
  int64_t inner = 1;
  for (int64_t d = axis + 1; d < rank; ++d) inner *= in.shape().dim(d);
  const int64_t len = in.shape().dim(axis);
  const int64_t outer = len * inner == 0 ? 0 : in.size() / (len * inner);
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t k = 0; k < inner; ++k) {
      auto at = [&](int64_t j) { return (o * len + j) * inner + k; };
      double mx = -std::numeric_limits<double>::infinity();
      for (int64_t j = 0; j < len; ++j) mx = std::max(mx, in.GetDouble(at(j)));
      // All -inf (or +inf) rows: subtracting max gives NaN, as in TensorFlow.
      double sum = 0;
      for (int64_t j = 0; j < len; ++j) sum += std::exp(in.GetDouble(at(j)) - mx);
      for (int64_t j = 0; j < len; ++j) {
        const double z = in.GetDouble(at(j)) - mx;
        out.SetDouble(at(j), kLog ? z - std::log(sum) : std::exp(z) / sum);
      }
    }
  }
  return One(std::move(out));
}

}  // namespace

void AddLinalgEvaluators(EvaluatorTable& t) {
  t["matmul"] = MatMul;
  t["softmax"] = Softmax<false>;
  t["log_softmax"] = Softmax<true>;
}

}  // namespace graphc::interp
