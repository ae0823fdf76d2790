// The public op functions: each forwards to ApplyOp with the op's IR name
// and attributes.
#include "graphc/ops.h"

#include <atomic>
#include <cmath>

#include "compiler/frontend/dispatch.h"
#include "compiler/frontend/tensor_impl.h"
#include "ir/str_cat.h"

namespace graphc {
namespace {

Tensor Op1(std::string_view op, std::vector<Tensor> operands, ir::AttrMap attrs, const Loc& loc) {
  return ApplyOp1(op, operands, std::move(attrs), loc);
}

ir::AttrMap ReduceAttrs(Axes axes, bool keepdims) {
  return {{"axes", std::move(axes)}, {"keepdims", keepdims}};
}

std::atomic<int64_t> g_global_seed{0};
std::atomic<bool> g_has_global_seed{false};
std::atomic<int64_t> g_op_counter{0};

// splitmix64: spreads nearby seeds apart.
int64_t Mix(uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return static_cast<int64_t>(z ^ (z >> 31));
}

// An op seed alone is used as it is, so eager and traced code that pass the
// same seed get the same numbers; without one, the global seed and a
// program-wide counter give a fresh reproducible stream per call site.
int64_t EffectiveSeed(std::optional<int64_t> seed) {
  if (seed.has_value()) return *seed;
  const int64_t global = g_has_global_seed ? g_global_seed.load() : 87654321;
  return Mix(static_cast<uint64_t>(global) ^ Mix(static_cast<uint64_t>(g_op_counter++)));
}

}  // namespace

namespace ops_internal {
Tensor FromValues(const std::vector<double>& values, const Shape& shape, DType dtype, const Loc& loc) {
  if (!shape.is_static()) {
    throw Error(absl::InvalidArgumentError("constant: the shape must be static, got " + shape.ToString()), loc);
  }
  if (shape.num_elements() != static_cast<int64_t>(values.size())) {
    throw Error(absl::InvalidArgumentError(StrCat("constant: ", values.size(), " values do not fill shape ",
                                                  shape.ToString())),
                loc);
  }
  HostTensor t(dtype, shape);
  for (size_t i = 0; i < values.size(); ++i) t.SetDouble(static_cast<int64_t>(i), values[i]);
  return MakeEager(std::move(t));
}
}  // namespace ops_internal


Tensor zeros(const Shape& shape, DType dtype, Loc loc) { return fill(shape, 0, dtype, loc); }
Tensor ones(const Shape& shape, DType dtype, Loc loc) { return fill(shape, 1, dtype, loc); }
Tensor fill(const Shape& shape, double value, DType dtype, Loc loc) {
  return Op1("fill", {}, {{"shape", shape.dims()}, {"value", value}, {"dtype", dtype}}, loc);
}
Tensor zeros_like(const Tensor& x, Loc loc) { return fill_like(x, 0, loc); }
Tensor ones_like(const Tensor& x, Loc loc) { return fill_like(x, 1, loc); }
Tensor fill_like(const Tensor& x, double value, Loc loc) { return Op1("fill_like", {x}, {{"value", value}}, loc); }

Tensor range(double start, double limit, double delta, DType dtype, Loc loc) {
  return Op1("range", {}, {{"start", start}, {"limit", limit}, {"delta", delta}, {"dtype", dtype}}, loc);
}
Tensor range(double limit, Loc loc) { return range(0, limit, 1, int32, loc); }

Tensor random_uniform(const Shape& shape, std::optional<int64_t> seed, double minval, double maxval, DType dtype,
                      Loc loc) {
  return Op1("random_uniform", {},
             {{"shape", shape.dims()}, {"seed", EffectiveSeed(seed)}, {"minval", minval}, {"maxval", maxval},
              {"dtype", dtype}},
             loc);
}
Tensor random_normal(const Shape& shape, std::optional<int64_t> seed, double mean, double stddev, DType dtype,
                     Loc loc) {
  return Op1("random_normal", {},
             {{"shape", shape.dims()}, {"seed", EffectiveSeed(seed)}, {"mean", mean}, {"stddev", stddev},
              {"dtype", dtype}},
             loc);
}
void set_random_seed(int64_t seed) {
  g_global_seed = seed;
  g_has_global_seed = true;
  g_op_counter = 0;
}

Tensor one_hot(const Tensor& indices, int64_t depth, double on_value, double off_value, int64_t axis, DType dtype,
               Loc loc) {
  return Op1("one_hot", {indices},
             {{"depth", depth}, {"on_value", on_value}, {"off_value", off_value}, {"axis", axis}, {"dtype", dtype}},
             loc);
}

Tensor add(const Tensor& x, const Tensor& y, Loc loc) { return Op1("add", {x, y}, {}, loc); }
Tensor subtract(const Tensor& x, const Tensor& y, Loc loc) { return Op1("sub", {x, y}, {}, loc); }
Tensor multiply(const Tensor& x, const Tensor& y, Loc loc) { return Op1("mul", {x, y}, {}, loc); }
Tensor divide(const Tensor& x, const Tensor& y, Loc loc) { return Op1("div", {x, y}, {}, loc); }
Tensor pow(const Tensor& x, const Tensor& y, Loc loc) { return Op1("pow", {x, y}, {}, loc); }
Tensor maximum(const Tensor& x, const Tensor& y, Loc loc) { return Op1("maximum", {x, y}, {}, loc); }
Tensor minimum(const Tensor& x, const Tensor& y, Loc loc) { return Op1("minimum", {x, y}, {}, loc); }
Tensor negative(const Tensor& x, Loc loc) { return Op1("neg", {x}, {}, loc); }
Tensor abs(const Tensor& x, Loc loc) { return Op1("abs", {x}, {}, loc); }
Tensor sign(const Tensor& x, Loc loc) { return Op1("sign", {x}, {}, loc); }
Tensor square(const Tensor& x, Loc loc) { return Op1("square", {x}, {}, loc); }
Tensor sqrt(const Tensor& x, Loc loc) { return Op1("sqrt", {x}, {}, loc); }
Tensor rsqrt(const Tensor& x, Loc loc) { return Op1("rsqrt", {x}, {}, loc); }
Tensor exp(const Tensor& x, Loc loc) { return Op1("exp", {x}, {}, loc); }
Tensor log(const Tensor& x, Loc loc) { return Op1("log", {x}, {}, loc); }
Tensor tanh(const Tensor& x, Loc loc) { return Op1("tanh", {x}, {}, loc); }
Tensor sigmoid(const Tensor& x, Loc loc) { return Op1("sigmoid", {x}, {}, loc); }
Tensor relu(const Tensor& x, Loc loc) { return Op1("relu", {x}, {}, loc); }

Tensor equal(const Tensor& x, const Tensor& y, Loc loc) { return Op1("eq", {x, y}, {}, loc); }
Tensor not_equal(const Tensor& x, const Tensor& y, Loc loc) { return Op1("ne", {x, y}, {}, loc); }
Tensor less(const Tensor& x, const Tensor& y, Loc loc) { return Op1("lt", {x, y}, {}, loc); }
Tensor less_equal(const Tensor& x, const Tensor& y, Loc loc) { return Op1("le", {x, y}, {}, loc); }
Tensor greater(const Tensor& x, const Tensor& y, Loc loc) { return Op1("gt", {x, y}, {}, loc); }
Tensor greater_equal(const Tensor& x, const Tensor& y, Loc loc) { return Op1("ge", {x, y}, {}, loc); }
Tensor logical_and(const Tensor& x, const Tensor& y, Loc loc) { return Op1("and", {x, y}, {}, loc); }
Tensor logical_or(const Tensor& x, const Tensor& y, Loc loc) { return Op1("or", {x, y}, {}, loc); }
Tensor logical_not(const Tensor& x, Loc loc) { return Op1("not", {x}, {}, loc); }
Tensor where(const Tensor& cond, const Tensor& x, const Tensor& y, Loc loc) {
  return Op1("select", {cond, x, y}, {}, loc);
}
Tensor cast(const Tensor& x, DType dtype, Loc loc) { return Op1("cast", {x}, {{"dtype", dtype}}, loc); }

Tensor reshape(const Tensor& x, const Shape& shape, Loc loc) {
  return Op1("reshape", {x}, {{"shape", shape.dims()}}, loc);
}
Tensor transpose(const Tensor& x, Axes perm, Loc loc) { return Op1("transpose", {x}, {{"perm", std::move(perm)}}, loc); }
Tensor broadcast_to(const Tensor& x, const Shape& shape, Loc loc) {
  return Op1("broadcast_to", {x}, {{"shape", shape.dims()}}, loc);
}
Tensor expand_dims(const Tensor& x, int64_t axis, Loc loc) { return Op1("expand_dims", {x}, {{"axis", axis}}, loc); }
Tensor squeeze(const Tensor& x, Axes axes, Loc loc) {
  // Name the axes here: "every size-1 dim" depends on the shape, and a
  // traced `?` dim could be 1 at run time, so the IR always lists them.
  if (axes.empty() && x.defined()) {
    for (int64_t d = 0; d < x.rank(); ++d) {
      if (x.shape().dim(d) == 1) axes.push_back(d);
    }
    if (axes.empty()) return x;
  }
  return Op1("squeeze", {x}, {{"axes", std::move(axes)}}, loc);
}
Tensor gather(const Tensor& params, const Tensor& indices, int64_t axis, Loc loc) {
  return Op1("gather", {params, indices}, {{"axis", axis}}, loc);
}
Tensor concat(const std::vector<Tensor>& values, int64_t axis, Loc loc) {
  return Op1("concat", values, {{"axis", axis}}, loc);
}
Tensor stack(const std::vector<Tensor>& values, int64_t axis, Loc loc) {
  std::vector<Tensor> expanded;
  expanded.reserve(values.size());
  for (const Tensor& v : values) expanded.push_back(expand_dims(v, axis, loc));
  return concat(expanded, axis, loc);
}

Tensor reduce_sum(const Tensor& x, Axes axes, bool keepdims, Loc loc) {
  return Op1("reduce_sum", {x}, ReduceAttrs(std::move(axes), keepdims), loc);
}
Tensor reduce_mean(const Tensor& x, Axes axes, bool keepdims, Loc loc) {
  return Op1("reduce_mean", {x}, ReduceAttrs(std::move(axes), keepdims), loc);
}
Tensor reduce_max(const Tensor& x, Axes axes, bool keepdims, Loc loc) {
  return Op1("reduce_max", {x}, ReduceAttrs(std::move(axes), keepdims), loc);
}
Tensor reduce_min(const Tensor& x, Axes axes, bool keepdims, Loc loc) {
  return Op1("reduce_min", {x}, ReduceAttrs(std::move(axes), keepdims), loc);
}
Tensor reduce_prod(const Tensor& x, Axes axes, bool keepdims, Loc loc) {
  return Op1("reduce_prod", {x}, ReduceAttrs(std::move(axes), keepdims), loc);
}
Tensor reduce_any(const Tensor& x, Axes axes, bool keepdims, Loc loc) {
  return Op1("reduce_any", {x}, ReduceAttrs(std::move(axes), keepdims), loc);
}
Tensor reduce_all(const Tensor& x, Axes axes, bool keepdims, Loc loc) {
  return Op1("reduce_all", {x}, ReduceAttrs(std::move(axes), keepdims), loc);
}
Tensor argmax(const Tensor& x, int64_t axis, DType dtype, Loc loc) {
  return Op1("argmax", {x}, {{"axis", axis}, {"dtype", dtype}}, loc);
}
Tensor argmin(const Tensor& x, int64_t axis, DType dtype, Loc loc) {
  return Op1("argmin", {x}, {{"axis", axis}, {"dtype", dtype}}, loc);
}

Tensor matmul(const Tensor& a, const Tensor& b, bool transpose_a, bool transpose_b, Loc loc) {
  return Op1("matmul", {a, b}, {{"transpose_a", transpose_a}, {"transpose_b", transpose_b}}, loc);
}
Tensor softmax(const Tensor& logits, int64_t axis, Loc loc) { return Op1("softmax", {logits}, {{"axis", axis}}, loc); }
Tensor log_softmax(const Tensor& logits, int64_t axis, Loc loc) {
  return Op1("log_softmax", {logits}, {{"axis", axis}}, loc);
}

// Operators cannot take a defaulted location parameter; errors from them
// name the op and shapes (and, when traced, the function).
// Loc{} is an unknown location (line 0).
Tensor operator+(const Tensor& x, const Tensor& y) { return add(x, y, Loc{}); }
Tensor operator-(const Tensor& x, const Tensor& y) { return subtract(x, y, Loc{}); }
Tensor operator*(const Tensor& x, const Tensor& y) { return multiply(x, y, Loc{}); }
Tensor operator/(const Tensor& x, const Tensor& y) { return divide(x, y, Loc{}); }
Tensor operator-(const Tensor& x) { return negative(x, Loc{}); }
Tensor operator==(const Tensor& x, const Tensor& y) { return equal(x, y, Loc{}); }
Tensor operator!=(const Tensor& x, const Tensor& y) { return not_equal(x, y, Loc{}); }
Tensor operator<(const Tensor& x, const Tensor& y) { return less(x, y, Loc{}); }
Tensor operator<=(const Tensor& x, const Tensor& y) { return less_equal(x, y, Loc{}); }
Tensor operator>(const Tensor& x, const Tensor& y) { return greater(x, y, Loc{}); }
Tensor operator>=(const Tensor& x, const Tensor& y) { return greater_equal(x, y, Loc{}); }
Tensor operator&&(const Tensor& x, const Tensor& y) { return logical_and(x, y, Loc{}); }
Tensor operator||(const Tensor& x, const Tensor& y) { return logical_or(x, y, Loc{}); }
Tensor operator!(const Tensor& x) { return logical_not(x, Loc{}); }

}  // namespace graphc
