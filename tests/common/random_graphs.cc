#include "tests/common/random_graphs.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <random>
#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "ir/builder.h"
#include "ir/status_macros.h"
#include "ir/str_cat.h"
#include "ir/verifier.h"
#include "passes/autodiff.h"
#include "passes/grad_function.h"

namespace graphc::test {
namespace {

using ir::DType;
using ir::Shape;
using Ints = std::vector<int64_t>;

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Random choices that are the same on every platform: std::mt19937_64's
// output is fixed by the standard, and every distribution below is plain
// arithmetic on its raw draws. (Modulo bias is irrelevant at these sizes.)
class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(SplitMix64(seed)) {}

  uint64_t Bits() { return engine_(); }
  // Uniform in [0, n), n > 0.
  int64_t Below(int64_t n) { return static_cast<int64_t>(Bits() % static_cast<uint64_t>(n)); }
  // Uniform in [lo, hi].
  int64_t Between(int64_t lo, int64_t hi) { return lo + Below(hi - lo + 1); }
  bool Percent(int p) { return Below(100) < p; }
  // Uniform in [lo, hi): the top 53 bits as a fraction.
  double Uniform(double lo, double hi) {
    return lo + (hi - lo) * static_cast<double>(Bits() >> 11) * 0x1p-53;
  }
  template <typename T>
  const T& Pick(std::span<const T> items) {
    return items[static_cast<size_t>(Below(static_cast<int64_t>(items.size())))];
  }
  template <typename T>
  const T& Pick(std::initializer_list<T> items) {
    return Pick(std::span<const T>(items.begin(), items.size()));
  }

 private:
  std::mt19937_64 engine_;
};

// A value with its run-time shape (its IR type may say `?` instead).
struct Node {
  ir::Value* value = nullptr;
  Shape shape;
  DType dtype() const { return value->dtype(); }
  int64_t rank() const { return shape.rank(); }
};

Ints Iota(int64_t n) {
  Ints v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}

class Generator {
 public:
  Generator(uint64_t seed, GraphKind kind)
      : rng_(seed * 8 + static_cast<uint64_t>(kind)),
        kind_(kind),
        module_(std::make_unique<ir::Module>()) {}

  absl::StatusOr<std::unique_ptr<ir::Module>> Build() {
    dynamic_ = rng_.Below(3) == 0;
    dtype_ = rng_.Percent(80) ? DType::kF32 : DType::kF64;
    Scope main(module_->AddFunction("main"), /*allow_params=*/true);
    scope_ = &main;
    switch (kind_) {
      case GraphKind::kElementwise:
        GRAPHC_RETURN_IF_ERROR(BuildElementwise());
        break;
      case GraphKind::kReduction:
        GRAPHC_RETURN_IF_ERROR(BuildReduction());
        break;
      case GraphKind::kMatmul:
        GRAPHC_RETURN_IF_ERROR(BuildMatmul());
        break;
      case GraphKind::kMlp:
        GRAPHC_RETURN_IF_ERROR(BuildMlp());
        break;
      case GraphKind::kMixed:
        GRAPHC_RETURN_IF_ERROR(BuildMixed());
        break;
    }
    GRAPHC_RETURN_IF_ERROR(ir::VerifyModule(*module_));
    return std::move(module_);
  }

 private:
  // A function being built: where ops go and the values they may use.
  struct Scope {
    Scope(ir::Function* f, bool allow_params)
        : function(f), b(&f->body()), allow_params(allow_params) {}
    ir::Function* function;
    ir::Builder b;
    std::vector<Node> pool;
    std::vector<Node> params;
    bool allow_params;  // helpers take a fixed signature: no new params
    int depth = 0;      // helper nesting
  };

  // ---- primitives ----

  absl::StatusOr<Node> Emit(std::string_view op, std::vector<Node> operands,
                            ir::AttrMap attrs = {}) {
    std::vector<ir::Value*> values;
    std::vector<ir::TensorType> concrete;
    for (const Node& n : operands) {
      values.push_back(n.value);
      concrete.push_back({n.dtype(), n.shape});
    }
    const ir::OpDef* def = ir::OpRegistry::Get().Find(op);
    if (def == nullptr) return absl::InternalError(StrCat("no op '", op, "'"));
    ir::AttrMap concrete_attrs = attrs;
    GRAPHC_ASSIGN_OR_RETURN(
        std::vector<ir::TensorType> types,
        ir::InferResultTypes(*def, concrete, concrete_attrs, {}, module_.get()));
    GRAPHC_ASSIGN_OR_RETURN(ir::Value * v, scope_->b.Emit(op, std::move(values), std::move(attrs)));
    return Node{v, types[0].shape};
  }

  absl::StatusOr<Node> Splat(double value, DType dtype, Shape shape = {}) {
    ir::DenseElements e(ir::TensorType{dtype, shape});
    for (int64_t i = 0; i < e.size(); ++i) e.SetDouble(i, value);
    return Emit("constant", {}, {{"value", std::move(e)}});
  }
  absl::StatusOr<Node> Scalar(double value) { return Splat(value, dtype_); }

  absl::StatusOr<Node> RandomConstant(Shape shape) {
    ir::DenseElements e(ir::TensorType{dtype_, std::move(shape)});
    for (int64_t i = 0; i < e.size(); ++i) e.SetDouble(i, RandomNumber());
    return Emit("constant", {}, {{"value", std::move(e)}});
  }

  double RandomNumber() {
    if (ir::IsInteger(dtype_)) return static_cast<double>(rng_.Between(-8, 8));
    return rng_.Uniform(-2, 2);
  }

  // A new parameter of `@main` (or a constant inside a helper, whose
  // signature is fixed). In dynamic graphs, some dims are declared `?`, and
  // the name hint records the run-time shape (see random_graphs.h).
  absl::StatusOr<Node> Param(Shape shape, std::string name = "") {
    if (!scope_->allow_params) return RandomConstant(shape);
    if (name.empty()) name = StrCat("p", scope_->function->num_params());
    Shape declared = shape;
    for (int64_t i = 0; i < shape.rank(); ++i) {
      if (dynamic_ && rng_.Percent(40)) declared.set_dim(i, ir::kDynamic);
    }
    if (!declared.is_static()) name = StrCat(name, ".", absl::StrJoin(shape.dims(), "x"));
    ir::Value* v = scope_->function->AddParam({dtype_, declared}, std::move(name));
    scope_->params.push_back(Node{v, shape});
    return scope_->params.back();
  }

  void Push(const Node& n) { scope_->pool.push_back(n); }

  bool IsFloatGraph() const { return ir::IsFloat(dtype_); }

  // ---- shapes ----

  int64_t RandomDim() { return rng_.Pick({2, 3, 4, 5, 8}); }

  Shape RandomShape(int64_t min_rank, int64_t max_rank) {
    Ints dims;
    const int64_t rank = rng_.Between(min_rank, max_rank);
    for (int64_t i = 0; i < rank; ++i) dims.push_back(rng_.Percent(12) ? 1 : RandomDim());
    return Shape(dims);
  }

  // A shape that broadcasts to `full`: fewer leading dims, some dims 1, or a scalar.
  Shape BroadcastVariant(const Shape& full) {
    if (full.rank() == 0 || rng_.Percent(15)) return Shape();
    const int64_t keep = rng_.Between(1, full.rank());
    Ints dims(full.dims().end() - keep, full.dims().end());
    for (int64_t& d : dims) {
      if (rng_.Percent(25)) d = 1;
    }
    return Shape(dims);
  }

  // ---- choosing operands ----

  // A pool value of the graph's dtype, recent ones preferred so chains grow
  // long; `pred` filters. Null if none fits.
  template <typename Pred>
  const Node* PickWhere(Pred pred) {
    std::vector<const Node*> fits;
    for (const Node& n : scope_->pool) {
      if (n.dtype() == dtype_ && pred(n)) fits.push_back(&n);
    }
    if (fits.empty()) return nullptr;
    const int64_t size = static_cast<int64_t>(fits.size());
    if (rng_.Percent(65)) {
      return fits[static_cast<size_t>(size - 1 - rng_.Below(std::min<int64_t>(size, 3)))];
    }
    return fits[static_cast<size_t>(rng_.Below(size))];
  }

  absl::StatusOr<Node> PickOperand() {
    if (const Node* n = PickWhere([](const Node&) { return true; })) return *n;
    GRAPHC_ASSIGN_OR_RETURN(Node p, Param(RandomShape(1, 3)));
    Push(p);
    return p;
  }

  absl::StatusOr<Node> PickOperandOfRank(int64_t min_rank) {
    if (const Node* n = PickWhere([&](const Node& c) { return c.rank() >= min_rank; })) return *n;
    GRAPHC_ASSIGN_OR_RETURN(Node p, Param(RandomShape(min_rank, std::max<int64_t>(min_rank, 3))));
    Push(p);
    return p;
  }

  // A second operand broadcasting with `a`: from the pool, or a new
  // parameter or constant shaped to broadcast with it.
  absl::StatusOr<Node> PickPartner(const Node& a) {
    if (rng_.Percent(75)) {
      const Node* n =
          PickWhere([&](const Node& c) { return ir::BroadcastShapes(a.shape, c.shape).ok(); });
      if (n != nullptr) return *n;
    }
    if (rng_.Percent(25)) return RandomConstant(BroadcastVariant(a.shape));
    GRAPHC_ASSIGN_OR_RETURN(Node p, Param(BroadcastVariant(a.shape)));
    Push(p);
    return p;
  }

  // ---- elementwise ----

  absl::StatusOr<Node> Unary(const Node& a) {
    if (!IsFloatGraph()) {
      return Emit(rng_.Pick<std::string_view>({"neg", "abs", "sign", "square", "relu"}), {a});
    }
    return Emit(rng_.Pick<std::string_view>(
                    {"neg", "abs", "square", "tanh", "sigmoid", "relu", "sign", "exp", "tanh"}),
                {a});
  }

  absl::StatusOr<Node> Binary(const Node& a, const Node& b) {
    std::string_view op = rng_.Pick<std::string_view>(
        {"add", "sub", "mul", "div", "maximum", "minimum", "add", "mul"});
    return rng_.Percent(50) ? Emit(op, {a, b}) : Emit(op, {b, a});
  }

  // abs(x) + eps: where log, rsqrt and pow are defined.
  absl::StatusOr<Node> PositivePart(const Node& a) {
    GRAPHC_ASSIGN_OR_RETURN(Node abs, Emit("abs", {a}));
    GRAPHC_ASSIGN_OR_RETURN(Node eps, Scalar(rng_.Pick({0.25, 0.5, 1e-3})));
    return Emit("add", {abs, eps});
  }

  absl::StatusOr<Node> GuardedMath(const Node& a) {
    switch (rng_.Below(5)) {
      case 0: {
        GRAPHC_ASSIGN_OR_RETURN(Node p, PositivePart(a));
        return Emit("log", {p});
      }
      case 1: {
        GRAPHC_ASSIGN_OR_RETURN(Node p, Emit("abs", {a}));
        return Emit("sqrt", {p});
      }
      case 2: {
        GRAPHC_ASSIGN_OR_RETURN(Node p, PositivePart(a));
        return Emit("rsqrt", {p});
      }
      case 3: {
        GRAPHC_ASSIGN_OR_RETURN(Node base, PositivePart(a));
        GRAPHC_ASSIGN_OR_RETURN(Node b, PickPartner(a));
        GRAPHC_ASSIGN_OR_RETURN(Node exponent, Emit("tanh", {b}));
        return Emit("pow", {base, exponent});
      }
      default: {
        GRAPHC_ASSIGN_OR_RETURN(Node b, PickPartner(a));
        GRAPHC_ASSIGN_OR_RETURN(Node divisor, PositivePart(b));
        return Emit("div", {a, divisor});
      }
    }
  }

  absl::StatusOr<Node> Select(const Node& a) {
    GRAPHC_ASSIGN_OR_RETURN(Node b, PickPartner(a));
    GRAPHC_ASSIGN_OR_RETURN(
        Node cond, Emit(rng_.Pick<std::string_view>({"gt", "lt", "ge", "le", "eq", "ne"}), {a, b}));
    GRAPHC_ASSIGN_OR_RETURN(Node other, PickPartner(cond));
    return rng_.Percent(50) ? Emit("select", {cond, a, other}) : Emit("select", {cond, other, a});
  }

  // -0.0, infinities and NaN made inside the graph, for the ops after them
  // to meet: neg(relu(x)) is -0.0 for x > 0, log(relu(x)) is -inf for x <= 0,
  // x / relu(y) is +-inf (or NaN) for y <= 0.
  absl::StatusOr<Node> SpecialValues(const Node& a) {
    switch (rng_.Below(3)) {
      case 0: {
        GRAPHC_ASSIGN_OR_RETURN(Node r, Emit("relu", {a}));
        return Emit("neg", {r});
      }
      case 1: {
        GRAPHC_ASSIGN_OR_RETURN(Node r, Emit("relu", {a}));
        return Emit("log", {r});
      }
      default: {
        GRAPHC_ASSIGN_OR_RETURN(Node b, PickPartner(a));
        GRAPHC_ASSIGN_OR_RETURN(Node r, Emit("relu", {b}));
        return Emit("div", {a, r});
      }
    }
  }

  absl::Status ElementwiseStep() {
    GRAPHC_ASSIGN_OR_RETURN(Node a, PickOperand());
    const int64_t r = rng_.Below(10);
    absl::StatusOr<Node> out;
    if (IsFloatGraph() && rng_.Percent(5)) {
      out = SpecialValues(a);
    } else if (r < 3) {
      out = Unary(a);
    } else if (r < 7) {
      GRAPHC_ASSIGN_OR_RETURN(Node b, PickPartner(a));
      out = Binary(a, b);
    } else if (r < 8) {
      out = Select(a);
    } else if (IsFloatGraph()) {
      out = GuardedMath(a);
    } else {
      out = Unary(a);
    }
    GRAPHC_RETURN_IF_ERROR(out.status());
    Push(*out);
    return absl::OkStatus();
  }

  // ---- redundancy and traps ----

  absl::StatusOr<Node> Ones(const Node& a) {
    switch (rng_.Below(3)) {
      case 0:
        return Scalar(1);
      case 1:
        return Emit("fill_like", {a}, {{"value", 1.0}});
      default:
        return Splat(1, dtype_, a.shape);
    }
  }

  absl::StatusOr<Node> Duplicate(const Node& a) {
    // The same op on the same operands, twice; both results used.
    GRAPHC_ASSIGN_OR_RETURN(Node b, PickPartner(a));
    const std::string_view op = rng_.Pick<std::string_view>({"mul", "add", "sub", "maximum"});
    const bool unary = rng_.Percent(40);
    GRAPHC_ASSIGN_OR_RETURN(Node x, unary ? Emit("neg", {a}) : Emit(op, {a, b}));
    GRAPHC_ASSIGN_OR_RETURN(Node y, unary ? Emit("neg", {a}) : Emit(op, {a, b}));
    Push(x);
    return Emit(rng_.Pick<std::string_view>({"add", "mul", "sub"}), {x, y});
  }

  absl::StatusOr<Node> TransposeTwice(const Node& a) {
    if (a.rank() < 2 || rng_.Percent(30)) {
      // The default perm reverses the dims; twice is the identity.
      GRAPHC_ASSIGN_OR_RETURN(Node t, Emit("transpose", {a}));
      return Emit("transpose", {t});
    }
    Ints perm = Iota(a.rank());
    // A random non-identity permutation (Fisher-Yates, then a swap if unchanged).
    for (int64_t i = a.rank() - 1; i > 0; --i) {
      std::swap(perm[static_cast<size_t>(i)], perm[static_cast<size_t>(rng_.Below(i + 1))]);
    }
    if (perm == Iota(a.rank())) std::swap(perm[0], perm[1]);
    Ints inverse(perm.size());
    for (size_t i = 0; i < perm.size(); ++i) {
      inverse[static_cast<size_t>(perm[i])] = static_cast<int64_t>(i);
    }
    GRAPHC_ASSIGN_OR_RETURN(Node t, Emit("transpose", {a}, {{"perm", perm}}));
    if (rng_.Percent(25)) return t;  // a plain transpose, kept: not an identity
    return Emit("transpose", {t}, {{"perm", inverse}});
  }

  absl::StatusOr<Node> ReshapeChain(const Node& a) {
    const int64_t n = a.shape.num_elements().value_or(0);
    GRAPHC_ASSIGN_OR_RETURN(Node flat, Emit("reshape", {a}, {{"shape", Ints{n}}}));
    Node x = flat;
    if (n > 1 && rng_.Percent(60)) {
      // Through [p, n / p], p the smallest prime factor of n.
      int64_t d = 1;
      for (int64_t k = 2; k <= n; ++k) {
        if (n % k == 0) {
          d = k;
          break;
        }
      }
      GRAPHC_ASSIGN_OR_RETURN(x, Emit("reshape", {x}, {{"shape", Ints{d, n / d}}}));
    }
    if (rng_.Percent(30)) {
      GRAPHC_ASSIGN_OR_RETURN(x, Emit("expand_dims", {x}, {{"axis", int64_t{0}}}));
      GRAPHC_ASSIGN_OR_RETURN(x, Emit("squeeze", {x}, {{"axes", Ints{0}}}));
    }
    return Emit("reshape", {x}, {{"shape", a.shape.dims()}});
  }

  absl::StatusOr<Node> Size1Reduction(const Node& a) {
    const int64_t axis = rng_.Between(0, a.rank());
    GRAPHC_ASSIGN_OR_RETURN(Node e, Emit("expand_dims", {a}, {{"axis", axis}}));
    const std::string_view op =
        IsFloatGraph() ? rng_.Pick<std::string_view>({"reduce_sum", "reduce_mean", "reduce_max",
                                                      "reduce_min", "reduce_prod"})
                       : rng_.Pick<std::string_view>({"reduce_sum", "reduce_max", "reduce_min"});
    if (rng_.Percent(30)) {
      // keepdims, then squeeze the size-1 dim away.
      GRAPHC_ASSIGN_OR_RETURN(Node r, Emit(op, {e}, {{"axes", Ints{axis}}, {"keepdims", true}}));
      return Emit("squeeze", {r}, {{"axes", Ints{axis}}});
    }
    return Emit(op, {e}, {{"axes", Ints{axis}}});
  }

  absl::StatusOr<Node> CastRoundTrip(const Node& a) {
    // f32 -> f64 -> f32 and i32 -> i64 -> i32 are identities; f64 -> f32 ->
    // f64 and i32 -> i8 -> i32 are not (a trap for a careless fold).
    DType via;
    switch (dtype_) {
      case DType::kF32:
        via = DType::kF64;
        break;
      case DType::kF64:
        via = DType::kF32;
        break;
      default:
        via = rng_.Percent(50) ? DType::kI64 : DType::kI8;
        break;
    }
    GRAPHC_ASSIGN_OR_RETURN(Node c, Emit("cast", {a}, {{"dtype", via}}));
    return Emit("cast", {c}, {{"dtype", dtype_}});
  }

  absl::StatusOr<Node> SliceOfConcat(const Node& a) {
    const int64_t axis = rng_.Below(a.rank());
    if (differentiable_ && a.value->shape().dim(axis) == ir::kDynamic) return Unary(a);
    GRAPHC_ASSIGN_OR_RETURN(Node other, Unary(a));
    const bool first = rng_.Percent(50);
    GRAPHC_ASSIGN_OR_RETURN(
        Node c, Emit("concat", first ? std::vector<Node>{a, other} : std::vector<Node>{other, a},
                     {{"axis", axis}}));
    Ints begin(static_cast<size_t>(a.rank()), 0);
    Ints end = a.shape.dims();
    const Ints strides(static_cast<size_t>(a.rank()), 1);
    if (!first) {
      begin[static_cast<size_t>(axis)] = a.shape.dim(axis);
      end[static_cast<size_t>(axis)] = 2 * a.shape.dim(axis);
    }
    // Every other dim is taken whole through the masks.
    const int64_t mask = ((int64_t{1} << a.rank()) - 1) & ~(int64_t{1} << axis);
    return Emit("strided_slice", {c},
                {{"begin", begin},
                 {"end", end},
                 {"strides", strides},
                 {"begin_mask", mask},
                 {"end_mask", mask}});
  }

  absl::StatusOr<Node> ConstantSubgraph(const Node& a) {
    // Ops on constants only: folding turns them into one constant.
    GRAPHC_ASSIGN_OR_RETURN(Node c, RandomConstant(BroadcastVariant(a.shape)));
    GRAPHC_ASSIGN_OR_RETURN(Node d, Unary(c));
    GRAPHC_ASSIGN_OR_RETURN(Node s, Scalar(rng_.Pick({2.0, 0.5, -3.0})));
    GRAPHC_ASSIGN_OR_RETURN(Node e, Emit("mul", {d, s}));
    return Binary(a, e);
  }

  absl::Status RedundancyStep() {
    GRAPHC_ASSIGN_OR_RETURN(Node a, PickOperand());
    absl::StatusOr<Node> out;
    switch (rng_.Below(17)) {
      case 0: {
        GRAPHC_ASSIGN_OR_RETURN(Node one, Ones(a));
        out = rng_.Percent(50) ? Emit("mul", {a, one}) : Emit("mul", {one, a});
        break;
      }
      case 1: {
        GRAPHC_ASSIGN_OR_RETURN(Node one, Ones(a));
        out = Emit("div", {a, one});
        break;
      }
      case 2: {
        GRAPHC_ASSIGN_OR_RETURN(Node n, Emit("neg", {a}));
        out = Emit("neg", {n});
        break;
      }
      case 3: {
        // x + 0.0 is not x for x = -0.0; x + -0.0 and x - 0.0 are.
        const double zero = IsFloatGraph() ? rng_.Pick({0.0, -0.0}) : 0.0;
        GRAPHC_ASSIGN_OR_RETURN(Node z,
                                rng_.Percent(50) ? Scalar(zero) : Splat(zero, dtype_, a.shape));
        out = Emit(rng_.Pick<std::string_view>({"add", "sub"}), {a, z});
        break;
      }
      case 4:
        out = Duplicate(a);
        break;
      case 5:
        out = TransposeTwice(a);
        break;
      case 6:
        out = ReshapeChain(a);
        break;
      case 7: {
        GRAPHC_ASSIGN_OR_RETURN(Node s, Scalar(RandomNumber()));
        Shape target = a.rank() == 0 ? Shape{2} : a.shape;
        GRAPHC_ASSIGN_OR_RETURN(Node bc, Emit("broadcast_to", {s}, {{"shape", target.dims()}}));
        out = Binary(a, bc);
        break;
      }
      case 8:
        out = Size1Reduction(a);
        break;
      case 9:
        out = CastRoundTrip(a);
        break;
      case 10:
        out = Emit(rng_.Pick<std::string_view>({"maximum", "minimum"}), {a, a});
        break;
      case 11: {
        // Traps: x - x and x * 0 are not 0 for inf and NaN.
        GRAPHC_ASSIGN_OR_RETURN(Node z, Scalar(0));
        out = rng_.Percent(50) ? Emit("sub", {a, a}) : Emit("mul", {a, z});
        break;
      }
      case 12: {
        GRAPHC_ASSIGN_OR_RETURN(Node b, PickPartner(a));
        GRAPHC_ASSIGN_OR_RETURN(Node cond, Emit("lt", {a, b}));
        out = Emit("select", {cond, a, a});
        break;
      }
      case 13: {
        // Dead ops: computed, never used.
        GRAPHC_ASSIGN_OR_RETURN(Node d, Unary(a));
        GRAPHC_RETURN_IF_ERROR(Emit("add", {d, a}).status());
        return absl::OkStatus();
      }
      case 14:
        out = ConstantSubgraph(a);
        break;
      case 15:
        if (a.rank() == 0) return RedundancyStep();
        out = SliceOfConcat(a);
        break;
      default:
        return HelperCallStep();
    }
    GRAPHC_RETURN_IF_ERROR(out.status());
    Push(*out);
    return absl::OkStatus();
  }

  // ---- helper functions and calls ----

  // Outlines a few elementwise steps into a helper function and calls it
  // (sometimes twice with the same arguments). Inlining must put them back.
  absl::Status HelperCallStep() {
    // Autodiff does not go through calls.
    if (scope_->depth >= 2 || differentiable_) return ElementwiseStep();
    GRAPHC_ASSIGN_OR_RETURN(Node a, PickOperand());
    std::vector<Node> args = {a};
    if (rng_.Percent(60)) {
      GRAPHC_ASSIGN_OR_RETURN(Node b, PickPartner(a));
      args.push_back(b);
    }
    const std::string name = StrCat("helper", num_helpers_++);
    Scope helper(module_->AddFunction(name), /*allow_params=*/false);
    helper.depth = scope_->depth + 1;
    for (const Node& arg : args) {
      ir::TensorType type = arg.value->type();
      // A `?` parameter for a static argument: the call is kept, not inlined.
      if (dynamic_ && rng_.Percent(20)) {
        for (int64_t i = 0; i < type.shape.rank(); ++i) type.shape.set_dim(i, ir::kDynamic);
      }
      helper.pool.push_back(Node{helper.function->AddParam(type, "a"), arg.shape});
    }
    Scope* caller = scope_;
    scope_ = &helper;
    const int64_t steps = rng_.Between(1, 3);
    for (int64_t i = 0; i < steps; ++i) {
      GRAPHC_RETURN_IF_ERROR(rng_.Percent(70) ? ElementwiseStep() : RedundancyStep());
    }
    std::vector<Node> results = {helper.pool.back()};
    if (rng_.Percent(30)) results.push_back(helper.pool.front());  // a result nobody uses
    GRAPHC_RETURN_IF_ERROR(Return(results));
    scope_ = caller;

    std::vector<ir::Value*> values;
    for (const Node& arg : args) values.push_back(arg.value);
    const int calls = rng_.Percent(30) ? 2 : 1;
    for (int c = 0; c < calls; ++c) {
      GRAPHC_ASSIGN_OR_RETURN(ir::Op * call,
                              scope_->b.Create("call", values, {{"callee", ir::SymbolRef{name}}}));
      Push(Node{call->result(0), results[0].shape});
    }
    return absl::OkStatus();
  }

  absl::Status Return(const std::vector<Node>& results) {
    std::vector<ir::Value*> values;
    std::vector<ir::TensorType> types;
    for (const Node& n : results) {
      values.push_back(n.value);
      types.push_back(n.value->type());
    }
    scope_->function->set_result_types(std::move(types));
    return scope_->b.Create("return", std::move(values)).status();
  }

  // ---- reductions ----

  Ints RandomAxes(int64_t rank) {
    Ints axes;
    for (int64_t d = 0; d < rank; ++d) {
      if (rng_.Percent(40)) axes.push_back(rng_.Percent(30) ? d - rank : d);
    }
    if (axes.empty() && rank > 0 && rng_.Percent(70)) axes.push_back(rng_.Below(rank));
    return axes;
  }

  absl::StatusOr<Node> LogSumExp(const Node& x, int64_t axis) {
    GRAPHC_ASSIGN_OR_RETURN(Node m,
                            Emit("reduce_max", {x}, {{"axes", Ints{axis}}, {"keepdims", true}}));
    GRAPHC_ASSIGN_OR_RETURN(Node d, Emit("sub", {x, m}));
    GRAPHC_ASSIGN_OR_RETURN(Node e, Emit("exp", {d}));
    GRAPHC_ASSIGN_OR_RETURN(Node s,
                            Emit("reduce_sum", {e}, {{"axes", Ints{axis}}, {"keepdims", true}}));
    if (rng_.Percent(50)) return Emit("div", {e, s});  // softmax written out
    GRAPHC_ASSIGN_OR_RETURN(Node l, Emit("log", {s}));
    return Emit("add", {l, m});
  }

  absl::StatusOr<Node> LayerNorm(const Node& x) {
    const Ints axes = {-1};
    GRAPHC_ASSIGN_OR_RETURN(Node mean,
                            Emit("reduce_mean", {x}, {{"axes", axes}, {"keepdims", true}}));
    GRAPHC_ASSIGN_OR_RETURN(Node c, Emit("sub", {x, mean}));
    GRAPHC_ASSIGN_OR_RETURN(Node sq, Emit("square", {c}));
    GRAPHC_ASSIGN_OR_RETURN(Node var,
                            Emit("reduce_mean", {sq}, {{"axes", axes}, {"keepdims", true}}));
    GRAPHC_ASSIGN_OR_RETURN(Node eps, Scalar(1e-5));
    GRAPHC_ASSIGN_OR_RETURN(Node ve, Emit("add", {var, eps}));
    GRAPHC_ASSIGN_OR_RETURN(Node r, Emit("rsqrt", {ve}));
    return Emit("mul", {c, r});
  }

  absl::Status ReductionStep() {
    GRAPHC_ASSIGN_OR_RETURN(Node x, PickOperandOfRank(1));
    int64_t axis = rng_.Below(x.rank());
    if (rng_.Percent(30)) axis -= x.rank();  // the same axis, counted from the end
    absl::StatusOr<Node> out;
    const int64_t choice = IsFloatGraph() ? rng_.Below(9) : rng_.Below(2);
    switch (choice) {
      case 0: {
        const std::string_view op =
            IsFloatGraph()
                ? rng_.Pick<std::string_view>({"reduce_sum", "reduce_mean", "reduce_max",
                                               "reduce_min", "reduce_prod", "reduce_sum"})
                : rng_.Pick<std::string_view>({"reduce_sum", "reduce_max", "reduce_min"});
        ir::AttrMap attrs = {{"axes", RandomAxes(x.rank())}};
        if (rng_.Percent(50)) attrs["keepdims"] = true;
        out = Emit(op, {x}, std::move(attrs));
        break;
      }
      case 1: {
        // x - mean(x) (or max) over some axes, kept for broadcasting back.
        const std::string_view op = IsFloatGraph()
                                        ? rng_.Pick<std::string_view>({"reduce_mean", "reduce_max"})
                                        : "reduce_max";
        GRAPHC_ASSIGN_OR_RETURN(
            Node r, Emit(op, {x}, {{"axes", RandomAxes(x.rank())}, {"keepdims", true}}));
        out = Emit("sub", {x, r});
        break;
      }
      case 2:
      case 3:
        out = Emit(rng_.Percent(50) ? "softmax" : "log_softmax", {x}, {{"axis", axis}});
        break;
      case 4:
      case 5:
        out = LogSumExp(x, axis);
        break;
      case 6:
        out = LayerNorm(x);
        break;
      case 7: {
        GRAPHC_ASSIGN_OR_RETURN(
            Node i, Emit(rng_.Percent(50) ? "argmax" : "argmin", {x}, {{"axis", axis}}));
        out = Emit("cast", {i}, {{"dtype", dtype_}});
        break;
      }
      default:
        out = Size1Reduction(x);
        break;
    }
    GRAPHC_RETURN_IF_ERROR(out.status());
    Push(*out);
    return absl::OkStatus();
  }

  // ---- matmul ----

  // x: [..., M, K] -> act(x @ w + bias): [..., M, N], with a new weight
  // (stored transposed sometimes) and bias.
  absl::StatusOr<Node> MatmulLayer(Node x, int64_t n) {
    const int64_t k = x.shape.dim(x.rank() - 1);
    const bool transpose_b = rng_.Percent(30);
    Shape w_shape = transpose_b ? Shape{n, k} : Shape{k, n};
    if (x.rank() == 3 && rng_.Percent(30)) {
      // Batched weights (or a size-1 batch that broadcasts).
      Ints dims = w_shape.dims();
      dims.insert(dims.begin(), rng_.Percent(50) ? x.shape.dim(0) : 1);
      w_shape = Shape(dims);
    }
    GRAPHC_ASSIGN_OR_RETURN(Node w, rng_.Percent(85) ? Param(w_shape, StrCat("w", num_layers_))
                                                     : RandomConstant(w_shape));
    ++num_layers_;
    ir::AttrMap attrs;
    if (transpose_b) attrs["transpose_b"] = true;
    if (rng_.Percent(20)) {
      // transpose(transpose(w)): what canonicalisation removes.
      GRAPHC_ASSIGN_OR_RETURN(Node t, Emit("transpose", {w}));
      GRAPHC_ASSIGN_OR_RETURN(w, Emit("transpose", {t}));
    }
    if (x.rank() == 2 && rng_.Percent(25)) {
      // x as the transpose of its transpose, folded into transpose_a.
      GRAPHC_ASSIGN_OR_RETURN(x, Emit("transpose", {x}));
      attrs["transpose_a"] = true;
    }
    GRAPHC_ASSIGN_OR_RETURN(Node y, Emit("matmul", {x, w}, std::move(attrs)));
    if (rng_.Percent(75)) {
      GRAPHC_ASSIGN_OR_RETURN(Node bias, Param(Shape{n}, StrCat("b", num_layers_ - 1)));
      GRAPHC_ASSIGN_OR_RETURN(y,
                              rng_.Percent(80) ? Emit("add", {y, bias}) : Emit("add", {bias, y}));
    }
    switch (rng_.Below(5)) {
      case 0:
        return Emit("relu", {y});
      case 1:
        return Emit("sigmoid", {y});
      case 2:
        return Emit("tanh", {y});
      case 3:
        return y;
      default: {
        // A relu written as maximum with zero.
        GRAPHC_ASSIGN_OR_RETURN(Node z, Scalar(0));
        return Emit("maximum", {y, z});
      }
    }
  }

  absl::Status MatmulStep() {
    GRAPHC_ASSIGN_OR_RETURN(Node x, PickOperandOfRank(2));
    if (x.rank() > 3) return ElementwiseStep();
    GRAPHC_ASSIGN_OR_RETURN(Node y, MatmulLayer(x, RandomDim()));
    Push(y);
    return absl::OkStatus();
  }

  // ---- whole graphs ----

  // How often each kind of step is taken, relative to the others.
  struct Weights {
    int elementwise = 0;
    int redundancy = 0;
    int reduction = 0;
    int matmul = 0;
    int call = 0;
  };

  absl::Status RunSteps(int64_t steps, const Weights& w) {
    const int total = w.elementwise + w.redundancy + w.reduction + w.matmul + w.call;
    if (IsFloatGraph() && rng_.Percent(30)) {
      GRAPHC_ASSIGN_OR_RETURN(Node a, PickOperand());
      GRAPHC_ASSIGN_OR_RETURN(Node special, SpecialValues(a));
      Push(special);
    }
    for (int64_t i = 0; i < steps; ++i) {
      int64_t r = rng_.Below(total);
      if ((r -= w.elementwise) < 0) {
        GRAPHC_RETURN_IF_ERROR(ElementwiseStep());
      } else if ((r -= w.redundancy) < 0) {
        GRAPHC_RETURN_IF_ERROR(RedundancyStep());
      } else if ((r -= w.reduction) < 0) {
        GRAPHC_RETURN_IF_ERROR(ReductionStep());
      } else if ((r -= w.matmul) < 0) {
        GRAPHC_RETURN_IF_ERROR(MatmulStep());
      } else {
        GRAPHC_RETURN_IF_ERROR(HelperCallStep());
      }
    }
    return absl::OkStatus();
  }

  // Returns the newest value and some of the values nothing uses yet (so
  // most of the graph is live); the rest of the pool is dead code.
  absl::Status Finish() {
    std::vector<Node> results = {scope_->pool.back()};
    for (const Node& n : scope_->pool) {
      if (results.size() >= 4) break;
      if (n.value->has_uses() || n.value->is_argument() || n.value == results[0].value) continue;
      if (rng_.Percent(50)) results.push_back(n);
    }
    return Return(results);
  }

  absl::Status ElementwiseParams(const Shape& full, int64_t count) {
    for (int64_t i = 0; i < count; ++i) {
      GRAPHC_ASSIGN_OR_RETURN(Node p, Param(i == 0 ? full : BroadcastVariant(full)));
      Push(p);
    }
    return absl::OkStatus();
  }

  absl::Status BuildElementwise() {
    if (rng_.Percent(20)) dtype_ = DType::kI32;
    const Shape full = RandomShape(0, 3);
    GRAPHC_RETURN_IF_ERROR(ElementwiseParams(full, rng_.Between(2, 4)));
    GRAPHC_RETURN_IF_ERROR(RedundancyStep());
    GRAPHC_RETURN_IF_ERROR(
        RunSteps(rng_.Between(4, 10), {.elementwise = 6, .redundancy = 4, .call = 1}));
    return Finish();
  }

  absl::Status BuildReduction() {
    const Shape full = RandomShape(1, 3);
    GRAPHC_RETURN_IF_ERROR(ElementwiseParams(full, rng_.Between(1, 3)));
    GRAPHC_RETURN_IF_ERROR(ReductionStep());
    GRAPHC_RETURN_IF_ERROR(RedundancyStep());
    GRAPHC_RETURN_IF_ERROR(RunSteps(
        rng_.Between(3, 8), {.elementwise = 4, .redundancy = 2, .reduction = 4, .call = 1}));
    return Finish();
  }

  absl::Status BuildMatmul() {
    GRAPHC_ASSIGN_OR_RETURN(Node x, Param(RandomShape(2, 3), "x"));
    Push(x);
    GRAPHC_ASSIGN_OR_RETURN(Node y, MatmulLayer(x, RandomDim()));
    Push(y);
    if (rng_.Percent(40)) {
      GRAPHC_ASSIGN_OR_RETURN(y, MatmulLayer(y, RandomDim()));
      Push(y);
    }
    GRAPHC_RETURN_IF_ERROR(RedundancyStep());
    GRAPHC_RETURN_IF_ERROR(RunSteps(
        rng_.Between(1, 5), {.elementwise = 5, .redundancy = 2, .reduction = 2, .matmul = 1}));
    return Finish();
  }

  absl::Status BuildMixed() {
    const bool with_gradients = rng_.Percent(35);
    differentiable_ = with_gradients;
    GRAPHC_ASSIGN_OR_RETURN(Node x, Param(RandomShape(2, 2), "x"));
    Push(x);
    GRAPHC_ASSIGN_OR_RETURN(Node y, MatmulLayer(x, RandomDim()));
    Push(y);
    GRAPHC_RETURN_IF_ERROR(ElementwiseParams(y.shape, rng_.Between(0, 2)));
    GRAPHC_RETURN_IF_ERROR(
        RunSteps(rng_.Between(6, 12),
                 {.elementwise = 4, .redundancy = 3, .reduction = 2, .matmul = 1, .call = 1}));
    if (!with_gradients) return Finish();
    // The gradient of sum(newest value) with respect to every parameter.
    GRAPHC_ASSIGN_OR_RETURN(Node total, Emit("reduce_sum", {scope_->pool.back()}));
    passes::GradientRequest request;
    request.targets = {total.value};
    for (const Node& p : scope_->params) request.sources.push_back({p.value});
    request.unconnected = passes::UnconnectedGradients::kZero;
    GRAPHC_ASSIGN_OR_RETURN(std::vector<ir::Value*> grads,
                            passes::EmitGradients(scope_->b, request));
    std::vector<Node> results = {total};
    for (size_t i = 0; i < grads.size(); ++i) {
      results.push_back(Node{grads[i], scope_->params[i].shape});
    }
    return Return(results);
  }

  // ---- MLP training step ----

  struct Mlp {
    std::vector<Node> params;   // x, w1, b1, w2, b2, y
    std::vector<Node> weights;  // the trained ones, a subset of params
    Node loss;
  };

  // The forward pass and loss of a 2-layer MLP, in the current scope.
  absl::StatusOr<Mlp> MlpForward(int64_t batch, int64_t in, int64_t hidden, int64_t out) {
    Mlp mlp;
    GRAPHC_ASSIGN_OR_RETURN(Node x, Param(Shape{batch, in}, "x"));
    GRAPHC_ASSIGN_OR_RETURN(Node w1, Param(Shape{in, hidden}, "w1"));
    GRAPHC_ASSIGN_OR_RETURN(Node b1, Param(Shape{hidden}, "b1"));
    GRAPHC_ASSIGN_OR_RETURN(Node w2, Param(Shape{hidden, out}, "w2"));
    GRAPHC_ASSIGN_OR_RETURN(Node b2, Param(Shape{out}, "b2"));
    GRAPHC_ASSIGN_OR_RETURN(Node y, Param(Shape{batch, out}, "y"));
    mlp.params = {x, w1, b1, w2, b2, y};
    mlp.weights = {w1, b1, w2, b2};

    GRAPHC_ASSIGN_OR_RETURN(Node h, Emit("matmul", {x, w1}));
    if (rng_.Percent(30)) {
      // The same matmul again (CSE merges them).
      GRAPHC_ASSIGN_OR_RETURN(Node h2, Emit("matmul", {x, w1}));
      GRAPHC_ASSIGN_OR_RETURN(Node half, Scalar(0.5));
      GRAPHC_ASSIGN_OR_RETURN(Node s, Emit("add", {h, h2}));
      GRAPHC_ASSIGN_OR_RETURN(h, Emit("mul", {s, half}));
    }
    GRAPHC_ASSIGN_OR_RETURN(h, Emit("add", {h, b1}));
    GRAPHC_ASSIGN_OR_RETURN(h, Emit(rng_.Pick<std::string_view>({"relu", "tanh", "sigmoid"}), {h}));
    Push(h);
    if (rng_.Percent(40)) {
      // Redundancy between the layers; a new operand it wants becomes a
      // constant, so the signature stays the six parameters.
      const bool allow_params = scope_->allow_params;
      scope_->allow_params = false;
      GRAPHC_RETURN_IF_ERROR(RedundancyStep());
      scope_->allow_params = allow_params;
      if (scope_->pool.back().shape == h.shape) h = scope_->pool.back();
    }
    GRAPHC_ASSIGN_OR_RETURN(Node o, Emit("matmul", {h, w2}));
    GRAPHC_ASSIGN_OR_RETURN(o, Emit("add", {o, b2}));
    if (rng_.Percent(50)) {
      // Mean squared error.
      GRAPHC_ASSIGN_OR_RETURN(Node d, Emit("sub", {o, y}));
      GRAPHC_ASSIGN_OR_RETURN(Node sq, Emit("square", {d}));
      GRAPHC_ASSIGN_OR_RETURN(mlp.loss, Emit("reduce_mean", {sq}));
    } else {
      // Softmax cross-entropy against softmax(y) as the label distribution.
      GRAPHC_ASSIGN_OR_RETURN(Node labels, Emit("softmax", {y}));
      GRAPHC_ASSIGN_OR_RETURN(Node logp, Emit("log_softmax", {o}));
      GRAPHC_ASSIGN_OR_RETURN(Node prod, Emit("mul", {labels, logp}));
      GRAPHC_ASSIGN_OR_RETURN(Node per_row, Emit("reduce_sum", {prod}, {{"axes", Ints{-1}}}));
      GRAPHC_ASSIGN_OR_RETURN(Node mean, Emit("reduce_mean", {per_row}));
      GRAPHC_ASSIGN_OR_RETURN(mlp.loss, Emit("neg", {mean}));
    }
    if (rng_.Percent(40)) {
      // L2 regularisation of the first weight.
      GRAPHC_ASSIGN_OR_RETURN(Node sq, Emit("square", {w1}));
      GRAPHC_ASSIGN_OR_RETURN(Node sum, Emit("reduce_sum", {sq}));
      GRAPHC_ASSIGN_OR_RETURN(Node lambda, Scalar(0.01));
      GRAPHC_ASSIGN_OR_RETURN(Node reg, Emit("mul", {sum, lambda}));
      GRAPHC_ASSIGN_OR_RETURN(mlp.loss, Emit("add", {mlp.loss, reg}));
    }
    return mlp;
  }

  // w - lr * g for each weight.
  absl::StatusOr<std::vector<Node>> SgdStep(const std::vector<Node>& weights,
                                            const std::vector<Node>& grads) {
    GRAPHC_ASSIGN_OR_RETURN(Node lr, Scalar(0.1));
    std::vector<Node> updated;
    for (size_t i = 0; i < weights.size(); ++i) {
      GRAPHC_ASSIGN_OR_RETURN(Node step, Emit("mul", {grads[i], lr}));
      GRAPHC_ASSIGN_OR_RETURN(Node w, Emit("sub", {weights[i], step}));
      updated.push_back(w);
    }
    return updated;
  }

  absl::Status BuildMlp() {
    const int64_t batch = rng_.Between(1, 5);
    const int64_t in = rng_.Between(2, 6), hidden = rng_.Between(2, 8), out = rng_.Between(1, 4);
    differentiable_ = true;
    if (rng_.Percent(50)) {
      // Gradients emitted into @main itself.
      GRAPHC_ASSIGN_OR_RETURN(Mlp mlp, MlpForward(batch, in, hidden, out));
      passes::GradientRequest request;
      request.targets = {mlp.loss.value};
      for (const Node& w : mlp.weights) request.sources.push_back({w.value});
      request.unconnected = passes::UnconnectedGradients::kZero;
      GRAPHC_ASSIGN_OR_RETURN(std::vector<ir::Value*> grads,
                              passes::EmitGradients(scope_->b, request));
      std::vector<Node> grad_nodes;
      for (size_t i = 0; i < grads.size(); ++i) {
        grad_nodes.push_back(Node{grads[i], mlp.weights[i].shape});
      }
      GRAPHC_ASSIGN_OR_RETURN(std::vector<Node> updated, SgdStep(mlp.weights, grad_nodes));
      std::vector<Node> results = {mlp.loss};
      results.insert(results.end(), updated.begin(), updated.end());
      return Return(results);
    }
    // The loss as its own function, differentiated by BuildGradientFunction
    // into @loss_grad, which @main calls.
    Scope* main = scope_;
    Scope loss_scope(module_->AddFunction("loss"), /*allow_params=*/true);
    scope_ = &loss_scope;
    GRAPHC_ASSIGN_OR_RETURN(Mlp mlp, MlpForward(batch, in, hidden, out));
    GRAPHC_RETURN_IF_ERROR(Return({mlp.loss}));
    scope_ = main;
    GRAPHC_ASSIGN_OR_RETURN(ir::Function * grad_fn,
                            passes::BuildGradientFunction(*module_, *loss_scope.function));
    std::vector<ir::Value*> args;
    std::vector<Node> params;
    for (const Node& p : mlp.params) {
      ir::Value* v = main->function->AddParam(p.value->type(), p.value->name_hint());
      args.push_back(v);
      params.push_back(Node{v, p.shape});
    }
    GRAPHC_ASSIGN_OR_RETURN(
        ir::Op * call,
        scope_->b.Create("call", args, {{"callee", ir::SymbolRef{grad_fn->name()}}}));
    // Results: the loss, then a gradient per float parameter (x, w1, b1, w2, b2, y).
    std::vector<Node> weights = {params[1], params[2], params[3], params[4]};
    std::vector<Node> grads;
    for (int i = 2; i <= 5; ++i) {
      grads.push_back(Node{call->result(i), params[static_cast<size_t>(i - 1)].shape});
    }
    GRAPHC_ASSIGN_OR_RETURN(std::vector<Node> updated, SgdStep(weights, grads));
    std::vector<Node> results = {Node{call->result(0), Shape{}}};
    results.insert(results.end(), updated.begin(), updated.end());
    if (rng_.Percent(30)) {
      results.push_back(Node{call->result(1), params[0].shape});  // d loss / d x
    }
    return Return(results);
  }

  Rng rng_;
  GraphKind kind_;
  std::unique_ptr<ir::Module> module_;
  Scope* scope_ = nullptr;
  bool dynamic_ = false;
  DType dtype_ = DType::kF32;
  // Autodiff will run over the graph: no calls, no concat along a `?` dim
  // (neither has a gradient rule yet).
  bool differentiable_ = false;
  int num_helpers_ = 0;
  int num_layers_ = 0;
};

// A special float for planting in inputs.
double SpecialValue(Rng& rng) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  return rng.Pick({-0.0, -0.0, -0.0, kInf, -kInf, std::numeric_limits<double>::quiet_NaN()});
}

}  // namespace

std::string_view GraphKindName(GraphKind kind) {
  switch (kind) {
    case GraphKind::kElementwise:
      return "elementwise";
    case GraphKind::kReduction:
      return "reduction";
    case GraphKind::kMatmul:
      return "matmul";
    case GraphKind::kMlp:
      return "mlp";
    case GraphKind::kMixed:
      return "mixed";
  }
  return "unknown";
}

absl::StatusOr<std::unique_ptr<ir::Module>> RandomGraph(uint64_t seed, GraphKind kind) {
  absl::StatusOr<std::unique_ptr<ir::Module>> m = Generator(seed, kind).Build();
  if (!m.ok()) {
    return absl::InternalError(StrCat("random graph ", GraphKindName(kind), " seed ", seed,
                                      ": generator bug: ", ToStd(m.status().message())));
  }
  return m;
}

Shape RunTimeShape(const ir::Value& param) {
  const Shape& declared = param.shape();
  if (declared.is_static()) return declared;
  // The recorded shape: the name hint's part after its last '.'.
  const std::string& hint = param.name_hint();
  const size_t dot = hint.rfind('.');
  std::vector<int64_t> dims;
  if (dot != std::string::npos) {
    for (absl::string_view d : absl::StrSplit(hint.substr(dot + 1), 'x')) {
      int64_t v = 0;
      if (!absl::SimpleAtoi(d, &v) || v < 0) {
        dims.clear();
        break;
      }
      dims.push_back(v);
    }
  }
  Shape shape = declared;
  const bool recorded = static_cast<int64_t>(dims.size()) == declared.rank();
  for (int64_t i = 0; i < shape.rank(); ++i) {
    if (shape.dim(i) == ir::kDynamic) shape.set_dim(i, recorded ? dims[static_cast<size_t>(i)] : 1);
  }
  return shape;
}

std::vector<HostTensor> RandomInputs(const ir::Function& function, uint64_t seed) {
  Rng rng(~seed);
  std::vector<HostTensor> inputs;
  for (int i = 0; i < function.num_params(); ++i) {
    const ir::TensorType& type = function.param(i)->type();
    const Shape shape = RunTimeShape(*function.param(i));
    HostTensor t(type.dtype, shape);
    for (int64_t e = 0; e < t.size(); ++e) {
      if (ir::IsFloat(type.dtype)) {
        t.SetDouble(e, rng.Uniform(-2, 2));
      } else if (ir::IsInteger(type.dtype)) {
        t.SetInt(e, rng.Between(-8, 8));
      } else {
        t.SetInt(e, rng.Below(2));
      }
    }
    inputs.push_back(std::move(t));
  }
  // A third of the seeds plant special values in about one float element in
  // eight (at least one per float tensor), so that rewrites wrong only for
  // -0.0, infinities or NaN show.
  if (rng.Below(3) == 0) {
    for (HostTensor& t : inputs) {
      if (!ir::IsFloat(t.dtype()) || t.size() == 0) continue;
      const int64_t count = 1 + t.size() / 8;
      for (int64_t k = 0; k < count; ++k) {
        const int64_t at = rng.Below(t.size());
        t.SetDouble(at, SpecialValue(rng));
      }
    }
  }
  return inputs;
}

}  // namespace graphc::test
