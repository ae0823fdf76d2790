#include "ir/ops/vjp_util.h"

#include <algorithm>

#include "ir/str_cat.h"

namespace graphc::ir::ops {

absl::StatusOr<Value*> SumToLike(Builder& b, Value* v, Value* like) {
  if (v->type() == like->type() && v->shape().is_static()) return v;
  return b.Emit("sum_to_like", {v, like});
}

absl::StatusOr<Value*> ExpandReduced(Builder& b, Value* v, const Value* x,
                                     const std::vector<int64_t>& axes, bool keepdims) {
  const int64_t rank = x->shape().rank();
  if (keepdims) return v;
  if (axes.empty()) {
    // Reduced over everything: v is a scalar.
    if (rank == 0) return v;
    return b.Emit("reshape", {v}, {{"shape", std::vector<int64_t>(static_cast<size_t>(rank), 1)}});
  }
  std::vector<int64_t> sorted;
  for (int64_t axis : axes) {
    absl::StatusOr<int64_t> a = NormalizeAxis(axis, rank);
    if (!a.ok()) return a.status();
    sorted.push_back(*a);
  }
  // Inserting in ascending order puts each size-1 dim at its final position.
  std::sort(sorted.begin(), sorted.end());
  for (int64_t a : sorted) {
    absl::StatusOr<Value*> e = b.Emit("expand_dims", {v}, {{"axis", a}});
    if (!e.ok()) return e.status();
    v = *e;
  }
  return v;
}

GradBuilder::GradBuilder(Builder& b, const Op& op, ResultGrads result_grads)
    : b_(b), op_(op), result_grads_(result_grads) {
  active_ = op.num_results() >= 1 && !result_grads.empty() && result_grads[0] != nullptr &&
            IsFloat(op.result(0)->dtype());
}

bool GradBuilder::Usable(std::span<Value* const> operands, std::string_view what) {
  if (!active_ || !status_.ok()) return false;
  for (const Value* v : operands) {
    if (v == nullptr) {
      status_ = absl::InternalError(
          StrCat("gradient of ", op_.name(), ": an operand of ", what, " is null"));
      return false;
    }
  }
  return true;
}

Value* GradBuilder::Keep(absl::StatusOr<Value*> v) {
  if (v.ok()) return *v;
  std::vector<TensorType> types;
  for (const Value* o : op_.operands()) types.push_back(o->type());
  // Name the forward op: the failing gradient op alone would puzzle a user.
  status_ = absl::Status(v.status().code(), StrCat("gradient of ", DescribeOp(op_.name(), types),
                                                   ": ", ToStd(v.status().message())));
  return nullptr;
}

Value* GradBuilder::Emit(std::string_view name, std::vector<Value*> operands, AttrMap attrs) {
  if (!Usable(operands, name)) return nullptr;
  return Keep(b_.Emit(name, std::move(operands), std::move(attrs)));
}

Value* GradBuilder::Const(double value, Value* like) {
  Value* operands[] = {like};
  if (!Usable(operands, "a constant")) return nullptr;
  return Keep(b_.ScalarConstant(value, like->dtype()));
}

Value* GradBuilder::Cast(Value* a, DType dtype) { return Emit("cast", {a}, {{"dtype", dtype}}); }

Value* GradBuilder::ReduceSum(Value* a, std::vector<int64_t> axes, bool keepdims) {
  return Emit("reduce_sum", {a}, {{"axes", std::move(axes)}, {"keepdims", keepdims}});
}

Value* GradBuilder::MatMul(Value* a, Value* b, bool transpose_a, bool transpose_b) {
  return Emit("matmul", {a, b}, {{"transpose_a", transpose_a}, {"transpose_b", transpose_b}});
}

Value* GradBuilder::SumTo(Value* v, Value* like) {
  Value* operands[] = {v, like};
  if (!Usable(operands, "sum_to_like")) return nullptr;
  return Keep(SumToLike(b_, v, like));
}

Value* GradBuilder::ExpandReduced(Value* v, Value* x, const std::vector<int64_t>& axes,
                                  bool keepdims) {
  Value* operands[] = {v, x};
  if (!Usable(operands, "a reduction's gradient")) return nullptr;
  return Keep(ops::ExpandReduced(b_, v, x, axes, keepdims));
}

Value* GradBuilder::MatchType(Value* v, Value* like) {
  Value* operands[] = {v, like};
  if (!Usable(operands, "reshape_like")) return nullptr;
  if (v->type() == like->type()) return v;
  return Emit("reshape_like", {v, like});
}

void GradBuilder::Fail(absl::Status status) {
  if (active_ && status_.ok()) status_ = std::move(status);
}

Grads GradBuilder::Done(std::vector<Value*> grads) {
  if (!status_.ok()) return status_;
  const auto n = static_cast<size_t>(op_.num_operands());
  if (!active_) return std::vector<Value*>(n, nullptr);
  if (grads.size() != n) {
    return absl::InternalError(StrCat("gradient of ", op_.name(), ": the rule gave ", grads.size(),
                                      " gradients for ", n, " operands"));
  }
  for (size_t i = 0; i < n; ++i) {
    const TensorType& want = op_.operand(static_cast<int>(i))->type();
    if (grads[i] != nullptr && grads[i]->type() != want) {
      return absl::InternalError(StrCat("gradient of ", op_.name(), ": operand ", i, " is ",
                                        want.ToString(), " but its gradient is ",
                                        grads[i]->type().ToString()));
    }
  }
  return grads;
}

}  // namespace graphc::ir::ops
