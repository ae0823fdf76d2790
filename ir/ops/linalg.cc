// Linear algebra: batched matrix multiplication (a runtime library kernel)
// and the softmax family (reductions along one axis).
#include <vector>

#include "absl/status/status.h"
#include "ir/builder.h"
#include "ir/op_registry.h"
#include "ir/ops/infer_util.h"
#include "ir/ops/vjp_util.h"
#include "ir/str_cat.h"

namespace graphc::ir {
namespace {

using ops::DTypeClass;
using ops::GradBuilder;
using ops::Grads;
using ops::ResultGrads;
using ops::Types;

// [..., M, K] x [..., K, N] -> [broadcast(...), M, N], after the optional
// transposes of each operand's last two dims.
Types InferMatmul(const InferContext& c) {
  if (absl::Status s = ops::CheckSameDType(c); !s.ok()) return s;
  if (absl::Status s = ops::CheckDType(c.operand(0), DTypeClass::kNumeric); !s.ok()) return s;
  const Shape& a = c.operand(0).shape;
  const Shape& b = c.operand(1).shape;
  if (a.rank() < 2 || b.rank() < 2) {
    return absl::InvalidArgumentError(
        StrCat("both operands need rank >= 2 (a matrix or a batch of matrices), got ranks ",
               a.rank(), " and ", b.rank()));
  }
  const bool ta = c.attr<bool>("transpose_a");
  const bool tb = c.attr<bool>("transpose_b");
  const int64_t m = a.dim(a.rank() - (ta ? 1 : 2));
  const int64_t ka = a.dim(a.rank() - (ta ? 2 : 1));
  const int64_t kb = b.dim(b.rank() - (tb ? 1 : 2));
  const int64_t n = b.dim(b.rank() - (tb ? 2 : 1));
  if (ka != kDynamic && kb != kDynamic && ka != kb) {
    return absl::InvalidArgumentError(StrCat("inner dims differ: a", ta ? "^T" : "", " has ", ka,
                                             " columns, b", tb ? "^T" : "", " has ", kb, " rows"));
  }
  const Shape a_batch(std::vector<int64_t>(a.dims().begin(), a.dims().end() - 2));
  const Shape b_batch(std::vector<int64_t>(b.dims().begin(), b.dims().end() - 2));
  absl::StatusOr<Shape> batch = BroadcastShapes(a_batch, b_batch);
  if (!batch.ok()) {
    return absl::InvalidArgumentError(StrCat("batch dims: ", batch.status().message()));
  }
  std::vector<int64_t> dims = batch->dims();
  dims.push_back(m);
  dims.push_back(n);
  return std::vector<TensorType>{TensorType{c.operand(0).dtype, Shape(std::move(dims))}};
}

// softmax/log_softmax: float x of rank >= 1, `axis` in range; same type out.
Types InferSoftmax(const InferContext& c) {
  const TensorType& x = c.operand(0);
  if (absl::Status s = ops::CheckDType(x, DTypeClass::kFloat); !s.ok()) return s;
  if (x.shape.rank() < 1) {
    return absl::InvalidArgumentError("needs rank >= 1, got a scalar");
  }
  absl::StatusOr<int64_t> axis = NormalizeAxis(c.attr<int64_t>("axis"), x.shape.rank());
  if (!axis.ok()) return axis.status();
  return std::vector<TensorType>{x};
}

}  // namespace

void RegisterLinalgOps(OpRegistry& r) {
  // ---- matmul: batched matrix product, broadcasting the batch dims ----
  {
    OpDef def;
    def.name = "matmul";
    def.summary = "matrix product of the last two dims, batch dims broadcast";
    def.num_operands = 2;
    def.attrs = {{"transpose_a", AttrKind::kBool, false}, {"transpose_b", AttrKind::kBool, false}};
    def.infer = InferMatmul;
    def.fusion = FusionKind::kOpaque;
    def.kernel = "matmul";
    // With a' = op(a), b' = op(b) (op: the optional transpose), da' = g b'^T
    // and db' = a'^T g; transposing back where a flag is set gives the four
    // cases, each one matmul with transpose flags (no transpose ops).
    def.vjp = [](Builder& b, const Op& op, ResultGrads rg) -> Grads {
      GradBuilder e(b, op, rg);
      Value *g = e.g(), *a = op.operand(0), *bm = op.operand(1);
      const bool ta = op.attr<bool>("transpose_a"), tb = op.attr<bool>("transpose_b");
      Value* da = ta ? e.MatMul(bm, g, tb, true) : e.MatMul(g, bm, false, !tb);
      Value* db = tb ? e.MatMul(g, a, true, ta) : e.MatMul(a, g, !ta, false);
      // Batch dims that were broadcast are summed; plain matrices only need
      // a `?` restored where the other operand pinned a dim.
      if (op.result()->shape().rank() == 2) {
        return e.Done({e.MatchType(da, a), e.MatchType(db, bm)});
      }
      return e.Done({e.SumTo(da, a), e.SumTo(db, bm)});
    };
    r.Register(std::move(def));
  }

  // ---- softmax: exp(x - max) / sum(exp(x - max)) along `axis` ----
  {
    OpDef def;
    def.name = "softmax";
    def.summary = "exp(x) / sum(exp(x)) along `axis`, computed stably";
    def.num_operands = 1;
    def.attrs = {{"axis", AttrKind::kInt, int64_t{-1}}};
    def.infer = InferSoftmax;
    def.fusion = FusionKind::kReduction;
    def.structural = true;
    def.vjp = [](Builder& b, const Op& op, ResultGrads rg) -> Grads {
      GradBuilder e(b, op, rg);
      Value *g = e.g(), *out = op.result();
      Value* dot = e.ReduceSum(e.Mul(g, out), {op.attr<int64_t>("axis")}, true);
      return e.Done({e.Mul(out, e.Sub(g, dot))});  // out * (g - sum(g * out))
    };
    r.Register(std::move(def));
  }

  // ---- log_softmax: x - max - log(sum(exp(x - max))) along `axis` ----
  {
    OpDef def;
    def.name = "log_softmax";
    def.summary = "x - log(sum(exp(x))) along `axis`, computed stably";
    def.num_operands = 1;
    def.attrs = {{"axis", AttrKind::kInt, int64_t{-1}}};
    def.infer = InferSoftmax;
    def.fusion = FusionKind::kReduction;
    def.structural = true;
    def.vjp = [](Builder& b, const Op& op, ResultGrads rg) -> Grads {
      GradBuilder e(b, op, rg);
      Value* g = e.g();
      Value* sum = e.ReduceSum(g, {op.attr<int64_t>("axis")}, true);
      return e.Done({e.Sub(g, e.Mul(e.Emit("exp", {op.result()}), sum))});  // g - softmax * sum(g)
    };
    r.Register(std::move(def));
  }
}

}  // namespace graphc::ir
