// Elementwise ops: arithmetic, math functions, comparisons, logic, select,
// cast. Binary ops broadcast NumPy-style; operands must share a dtype (as in
// TensorFlow there is no implicit promotion: cast first).
#include <span>

#include "absl/status/status.h"
#include "ir/builder.h"
#include "ir/op_registry.h"
#include "ir/ops/infer_util.h"
#include "ir/ops/vjp_util.h"

namespace graphc::ir {
namespace {

using ops::DTypeClass;
using ops::GradBuilder;
using ops::Grads;
using ops::ResultGrads;
using ops::Types;
using Args = std::span<const Scalar>;

// An elementwise unary op whose result has the operand's type.
OpDef Unary(std::string_view name, std::string_view summary, DTypeClass cls, ScalarFn fn) {
  OpDef def;
  def.name = name;
  def.summary = summary;
  def.num_operands = 1;
  def.fusion = FusionKind::kElementwise;
  def.scalar = fn;
  switch (cls) {
    case DTypeClass::kFloat:
      def.infer = [](const InferContext& c) -> Types { return ops::BroadcastResult(c, DTypeClass::kFloat); };
      break;
    case DTypeClass::kNumeric:
      def.infer = [](const InferContext& c) -> Types { return ops::BroadcastResult(c, DTypeClass::kNumeric); };
      break;
    default:
      def.infer = [](const InferContext& c) -> Types { return ops::BroadcastResult(c, DTypeClass::kBool); };
      break;
  }
  return def;
}

// A broadcasting binary op whose result has the operands' dtype.
OpDef Binary(std::string_view name, std::string_view summary, DTypeClass cls, ScalarFn fn) {
  OpDef def = Unary(name, summary, cls, fn);
  def.num_operands = 2;
  def.fusion = FusionKind::kBroadcast;
  return def;
}

// A broadcasting comparison: numeric operands, bool result.
OpDef Comparison(std::string_view name, std::string_view summary, ScalarFn fn) {
  OpDef def;
  def.name = name;
  def.summary = summary;
  def.num_operands = 2;
  def.fusion = FusionKind::kBroadcast;
  def.scalar = fn;
  def.infer = [](const InferContext& c) -> Types {
    return ops::BroadcastResult(c, DTypeClass::kNumeric, DType::kBool);
  };
  def.not_differentiable = true;
  return def;
}

}  // namespace

void RegisterElementwiseOps(OpRegistry& r) {
  // ---- arithmetic ----
  // Gradients: a broadcast operand gets the gradient summed back to its shape
  // (SumTo). Integer ops have no gradient (GradBuilder is then inactive).
  {
    OpDef def = Binary("add", "x + y", DTypeClass::kNumeric,
                       [](ScalarBuilder& b, Args x, const AttrMap&) { return b.Add(x[0], x[1]); });
    def.vjp = [](Builder& b, const Op& op, ResultGrads rg) -> Grads {
      GradBuilder e(b, op, rg);
      return e.Done({e.SumTo(e.g(), op.operand(0)), e.SumTo(e.g(), op.operand(1))});
    };
    r.Register(std::move(def));
  }

  {
    OpDef def = Binary("sub", "x - y", DTypeClass::kNumeric,
                       [](ScalarBuilder& b, Args x, const AttrMap&) { return b.Sub(x[0], x[1]); });
    def.vjp = [](Builder& b, const Op& op, ResultGrads rg) -> Grads {
      GradBuilder e(b, op, rg);
      return e.Done({e.SumTo(e.g(), op.operand(0)), e.SumTo(e.Neg(e.g()), op.operand(1))});
    };
    r.Register(std::move(def));
  }

  {
    OpDef def = Binary("mul", "x * y", DTypeClass::kNumeric,
                       [](ScalarBuilder& b, Args x, const AttrMap&) { return b.Mul(x[0], x[1]); });
    def.vjp = [](Builder& b, const Op& op, ResultGrads rg) -> Grads {
      GradBuilder e(b, op, rg);
      Value *g = e.g(), *x = op.operand(0), *y = op.operand(1);
      return e.Done({e.SumTo(e.Mul(g, y), x), e.SumTo(e.Mul(g, x), y)});
    };
    r.Register(std::move(def));
  }

  {
    OpDef def = Binary("div", "x / y (integers: rounds toward zero, x/0 = 0)", DTypeClass::kNumeric,
                       [](ScalarBuilder& b, Args x, const AttrMap&) { return b.Div(x[0], x[1]); });
    def.vjp = [](Builder& b, const Op& op, ResultGrads rg) -> Grads {
      GradBuilder e(b, op, rg);
      Value *g = e.g(), *x = op.operand(0), *y = op.operand(1), *out = op.result();
      // d(x/y)/dy = -x/y^2 = -out/y.
      return e.Done({e.SumTo(e.Div(g, y), x), e.SumTo(e.Neg(e.Div(e.Mul(g, out), y)), y)});
    };
    r.Register(std::move(def));
  }

  {
    OpDef def = Binary("pow", "x ** y", DTypeClass::kFloat,
                       [](ScalarBuilder& b, Args x, const AttrMap&) {
                         return b.Binary(ScalarBinary::kPow, x[0], x[1]);
                       });
    def.vjp = [](Builder& b, const Op& op, ResultGrads rg) -> Grads {
      GradBuilder e(b, op, rg);
      Value *g = e.g(), *x = op.operand(0), *y = op.operand(1), *out = op.result();
      Value* x_pow = e.Emit("pow", {x, e.Sub(y, e.Const(1.0, y))});
      Value* dx = e.Mul(e.Mul(g, y), x_pow);
      // dy = out * log(x) only where x > 0; elsewhere 0, as TensorFlow does, so
      // that pow(x, 2) with a negative x does not give y a NaN gradient.
      Value* positive = e.Emit("gt", {x, e.Const(0.0, x)});
      Value* log_x = e.Where(positive, e.Emit("log", {x}));
      return e.Done({e.SumTo(dx, x), e.SumTo(e.Mul(e.Mul(g, out), log_x), y)});
    };
    r.Register(std::move(def));
  }

  {
    OpDef def = Binary("maximum", "max(x, y), NaN-propagating", DTypeClass::kNumeric,
                       [](ScalarBuilder& b, Args x, const AttrMap&) { return b.Max(x[0], x[1]); });
    def.vjp = [](Builder& b, const Op& op, ResultGrads rg) -> Grads {
      GradBuilder e(b, op, rg);
      Value *g = e.g(), *x = op.operand(0), *y = op.operand(1);
      // Ties go to x.
      return e.Done({e.SumTo(e.Where(e.Emit("ge", {x, y}), g), x),
                     e.SumTo(e.Where(e.Emit("lt", {x, y}), g), y)});
    };
    r.Register(std::move(def));
  }

  {
    OpDef def = Binary("minimum", "min(x, y), NaN-propagating", DTypeClass::kNumeric,
                       [](ScalarBuilder& b, Args x, const AttrMap&) { return b.Min(x[0], x[1]); });
    def.vjp = [](Builder& b, const Op& op, ResultGrads rg) -> Grads {
      GradBuilder e(b, op, rg);
      Value *g = e.g(), *x = op.operand(0), *y = op.operand(1);
      // Ties go to x.
      return e.Done({e.SumTo(e.Where(e.Emit("le", {x, y}), g), x),
                     e.SumTo(e.Where(e.Emit("gt", {x, y}), g), y)});
    };
    r.Register(std::move(def));
  }

  {
    OpDef def = Unary("neg", "-x", DTypeClass::kNumeric,
                      [](ScalarBuilder& b, Args x, const AttrMap&) { return b.Neg(x[0]); });
    def.vjp = [](Builder& b, const Op& op, ResultGrads rg) -> Grads {
      GradBuilder e(b, op, rg);
      return e.Done({e.Neg(e.g())});
    };
    r.Register(std::move(def));
  }

  {
    OpDef def = Unary("abs", "|x|", DTypeClass::kNumeric,
                      [](ScalarBuilder& b, Args x, const AttrMap&) {
                        return b.Unary(ScalarUnary::kAbs, x[0]);
                      });
    def.vjp = [](Builder& b, const Op& op, ResultGrads rg) -> Grads {
      GradBuilder e(b, op, rg);
      return e.Done({e.Mul(e.g(), e.Emit("sign", {op.operand(0)}))});  // 0 at x = 0
    };
    r.Register(std::move(def));
  }

  {
    OpDef def = Unary("sign", "-1, 0 or 1 (NaN stays NaN)", DTypeClass::kNumeric,
                      [](ScalarBuilder& b, Args x, const AttrMap&) {
                        return b.Unary(ScalarUnary::kSign, x[0]);
                      });
    def.vjp = [](Builder& b, const Op& op, ResultGrads rg) -> Grads {
      GradBuilder e(b, op, rg);
      // Piecewise constant: zero wherever it is defined.
      return e.Done({e.Emit("fill_like", {op.operand(0)}, {{"value", 0.0}})});
    };
    r.Register(std::move(def));
  }

  {
    OpDef def = Unary("square", "x * x", DTypeClass::kNumeric,
                      [](ScalarBuilder& b, Args x, const AttrMap&) { return b.Mul(x[0], x[0]); });
    def.vjp = [](Builder& b, const Op& op, ResultGrads rg) -> Grads {
      GradBuilder e(b, op, rg);
      return e.Done({e.Mul(e.Scale(e.g(), 2.0), op.operand(0))});
    };
    r.Register(std::move(def));
  }

  // ---- math functions (floating point only) ----
  {
    OpDef def = Unary("sqrt", "square root", DTypeClass::kFloat,
                      [](ScalarBuilder& b, Args x, const AttrMap&) {
                        return b.Unary(ScalarUnary::kSqrt, x[0]);
                      });
    def.vjp = [](Builder& b, const Op& op, ResultGrads rg) -> Grads {
      GradBuilder e(b, op, rg);
      return e.Done({e.Div(e.Scale(e.g(), 0.5), op.result())});
    };
    r.Register(std::move(def));
  }

  {
    OpDef def = Unary("rsqrt", "1 / sqrt(x)", DTypeClass::kFloat,
                      [](ScalarBuilder& b, Args x, const AttrMap&) {
                        return b.Unary(ScalarUnary::kRsqrt, x[0]);
                      });
    def.vjp = [](Builder& b, const Op& op, ResultGrads rg) -> Grads {
      GradBuilder e(b, op, rg);
      Value* out = op.result();  // d/dx x^-1/2 = -1/2 x^-3/2 = -1/2 out^3
      Value* cube = e.Mul(e.Mul(out, out), out);
      return e.Done({e.Mul(e.Scale(e.g(), -0.5), cube)});
    };
    r.Register(std::move(def));
  }

  {
    OpDef def = Unary("exp", "e ** x", DTypeClass::kFloat,
                      [](ScalarBuilder& b, Args x, const AttrMap&) { return b.Exp(x[0]); });
    def.vjp = [](Builder& b, const Op& op, ResultGrads rg) -> Grads {
      GradBuilder e(b, op, rg);
      return e.Done({e.Mul(e.g(), op.result())});
    };
    r.Register(std::move(def));
  }

  {
    OpDef def = Unary("log", "natural logarithm", DTypeClass::kFloat,
                      [](ScalarBuilder& b, Args x, const AttrMap&) {
                        return b.Unary(ScalarUnary::kLog, x[0]);
                      });
    def.vjp = [](Builder& b, const Op& op, ResultGrads rg) -> Grads {
      GradBuilder e(b, op, rg);
      return e.Done({e.Div(e.g(), op.operand(0))});
    };
    r.Register(std::move(def));
  }

  {
    OpDef def = Unary("tanh", "hyperbolic tangent", DTypeClass::kFloat,
                      [](ScalarBuilder& b, Args x, const AttrMap&) {
                        return b.Unary(ScalarUnary::kTanh, x[0]);
                      });
    def.vjp = [](Builder& b, const Op& op, ResultGrads rg) -> Grads {
      GradBuilder e(b, op, rg);
      Value* out = op.result();
      Value* square = e.Mul(out, out);
      return e.Done({e.Mul(e.g(), e.Sub(e.Const(1.0, out), square))});
    };
    r.Register(std::move(def));
  }

  {
    // With e = exp(-|x|) <= 1: 1 / (1 + e) for x >= 0, e / (1 + e) for
    // x < 0. exp never overflows, so the negative tail is accurate down to
    // the subnormals (sigmoid(-100) = exp(-100)) instead of 1 / inf = 0.
    OpDef def = Unary("sigmoid", "1 / (1 + exp(-x))", DTypeClass::kFloat,
                      [](ScalarBuilder& b, Args x, const AttrMap&) {
                        Scalar one = b.ConstantLike(1.0, x[0]);
                        Scalar e = b.Exp(b.Neg(b.Unary(ScalarUnary::kAbs, x[0])));
                        Scalar negative =
                            b.Compare(CmpPredicate::kLt, x[0], b.ConstantLike(0.0, x[0]));
                        return b.Div(b.Select(negative, e, one), b.Add(one, e));
                      });
    def.vjp = [](Builder& b, const Op& op, ResultGrads rg) -> Grads {
      GradBuilder e(b, op, rg);
      Value* out = op.result();
      Value* one_minus_out = e.Sub(e.Const(1.0, out), out);
      return e.Done({e.Mul(e.Mul(e.g(), out), one_minus_out)});
    };
    r.Register(std::move(def));
  }

  {
    OpDef def = Unary("relu", "max(x, 0)", DTypeClass::kNumeric,
                      [](ScalarBuilder& b, Args x, const AttrMap&) {
                        return b.Max(x[0], b.ConstantLike(0.0, x[0]));
                      });
    def.vjp = [](Builder& b, const Op& op, ResultGrads rg) -> Grads {
      GradBuilder e(b, op, rg);
      Value* x = op.operand(0);
      return e.Done({e.Where(e.Emit("gt", {x, e.Const(0.0, x)}), e.g())});  // 0 at x = 0
    };
    r.Register(std::move(def));
  }

  // ---- comparisons: numeric operands, bool result ----
  r.Register(Comparison("eq", "x == y", [](ScalarBuilder& b, Args x, const AttrMap&) {
    return b.Compare(CmpPredicate::kEq, x[0], x[1]);
  }));
  r.Register(Comparison("ne", "x != y", [](ScalarBuilder& b, Args x, const AttrMap&) {
    return b.Compare(CmpPredicate::kNe, x[0], x[1]);
  }));
  r.Register(Comparison("lt", "x < y", [](ScalarBuilder& b, Args x, const AttrMap&) {
    return b.Compare(CmpPredicate::kLt, x[0], x[1]);
  }));
  r.Register(Comparison("le", "x <= y", [](ScalarBuilder& b, Args x, const AttrMap&) {
    return b.Compare(CmpPredicate::kLe, x[0], x[1]);
  }));
  r.Register(Comparison("gt", "x > y", [](ScalarBuilder& b, Args x, const AttrMap&) {
    return b.Compare(CmpPredicate::kGt, x[0], x[1]);
  }));
  r.Register(Comparison("ge", "x >= y", [](ScalarBuilder& b, Args x, const AttrMap&) {
    return b.Compare(CmpPredicate::kGe, x[0], x[1]);
  }));

  // ---- logic on bool ----
  {
    OpDef def = Binary("and", "logical x and y", DTypeClass::kBool,
                       [](ScalarBuilder& b, Args x, const AttrMap&) {
                         return b.Binary(ScalarBinary::kAnd, x[0], x[1]);
                       });
    def.not_differentiable = true;
    r.Register(std::move(def));
  }
  {
    OpDef def = Binary("or", "logical x or y", DTypeClass::kBool,
                       [](ScalarBuilder& b, Args x, const AttrMap&) {
                         return b.Binary(ScalarBinary::kOr, x[0], x[1]);
                       });
    def.not_differentiable = true;
    r.Register(std::move(def));
  }
  {
    OpDef def = Unary("not", "logical not x", DTypeClass::kBool,
                      [](ScalarBuilder& b, Args x, const AttrMap&) {
                        return b.Unary(ScalarUnary::kNot, x[0]);
                      });
    def.not_differentiable = true;
    r.Register(std::move(def));
  }

  // ---- select (tf.where with three operands) ----
  {
    OpDef def;
    def.name = "select";
    def.summary = "cond ? x : y, elementwise with broadcasting";
    def.num_operands = 3;
    def.fusion = FusionKind::kBroadcast;
    def.infer = [](const InferContext& c) -> Types {
      if (c.operand(0).dtype != DType::kBool) {
        return absl::InvalidArgumentError("the condition must be bool, got " +
                                          c.operand(0).ToString());
      }
      if (c.operand(1).dtype != c.operand(2).dtype) {
        return absl::InvalidArgumentError("the two branches have different dtypes: " +
                                          c.operand(1).ToString() + " vs " +
                                          c.operand(2).ToString());
      }
      absl::StatusOr<Shape> s = BroadcastShapes(c.operand(0).shape, c.operand(1).shape);
      if (!s.ok()) return s.status();
      s = BroadcastShapes(*s, c.operand(2).shape);
      if (!s.ok()) return s.status();
      return std::vector<TensorType>{TensorType{c.operand(1).dtype, *s}};
    };
    def.scalar = [](ScalarBuilder& b, Args x, const AttrMap&) {
      return b.Select(x[0], x[1], x[2]);
    };
    def.vjp = [](Builder& b, const Op& op, ResultGrads rg) -> Grads {
      GradBuilder e(b, op, rg);
      Value *g = e.g(), *c = op.operand(0);
      return e.Done({nullptr, e.SumTo(e.Where(c, g), op.operand(1)),
                     e.SumTo(e.Select(c, e.Const(0.0, g), g), op.operand(2))});
    };
    r.Register(std::move(def));
  }

  // ---- cast ----
  {
    OpDef def;
    def.name = "cast";
    def.summary = "converts to `dtype` (floats to integers truncate toward zero, saturating)";
    def.num_operands = 1;
    def.attrs = {{"dtype", AttrKind::kDType, std::nullopt}};
    def.fusion = FusionKind::kElementwise;
    def.infer = [](const InferContext& c) -> Types {
      return std::vector<TensorType>{TensorType{c.attr<DType>("dtype"), c.operand(0).shape}};
    };
    def.scalar = [](ScalarBuilder& b, Args x, const AttrMap& attrs) {
      return b.Cast(x[0], std::get<DType>(attrs.find("dtype")->second));
    };
    def.vjp = [](Builder& b, const Op& op, ResultGrads rg) -> Grads {
      GradBuilder e(b, op, rg);
      // Only float -> float carries a gradient (back in x's precision).
      const DType from = op.operand(0)->dtype();
      return e.Done({IsFloat(from) ? e.Cast(e.g(), from) : nullptr});
    };
    r.Register(std::move(def));
  }
}

}  // namespace graphc::ir
