// Elementwise ops: arithmetic, math functions, comparisons, logic, select,
// cast. Binary ops broadcast NumPy-style; operands must share a dtype (as in
// TensorFlow there is no implicit promotion: cast first).
#include <span>

#include "absl/status/status.h"
#include "ir/op_registry.h"
#include "ir/ops/infer_util.h"

namespace graphc::ir {
namespace {

using ops::DTypeClass;
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
  r.Register(Binary("add", "x + y", DTypeClass::kNumeric,
                    [](ScalarBuilder& b, Args x, const AttrMap&) { return b.Add(x[0], x[1]); }));

  r.Register(Binary("sub", "x - y", DTypeClass::kNumeric,
                    [](ScalarBuilder& b, Args x, const AttrMap&) { return b.Sub(x[0], x[1]); }));

  r.Register(Binary("mul", "x * y", DTypeClass::kNumeric,
                    [](ScalarBuilder& b, Args x, const AttrMap&) { return b.Mul(x[0], x[1]); }));

  r.Register(Binary("div", "x / y (integers: rounds toward zero, x/0 = 0)", DTypeClass::kNumeric,
                    [](ScalarBuilder& b, Args x, const AttrMap&) { return b.Div(x[0], x[1]); }));

  r.Register(Binary("pow", "x ** y", DTypeClass::kFloat,
                    [](ScalarBuilder& b, Args x, const AttrMap&) {
                      return b.Binary(ScalarBinary::kPow, x[0], x[1]);
                    }));

  r.Register(Binary("maximum", "max(x, y), NaN-propagating", DTypeClass::kNumeric,
                    [](ScalarBuilder& b, Args x, const AttrMap&) { return b.Max(x[0], x[1]); }));

  r.Register(Binary("minimum", "min(x, y), NaN-propagating", DTypeClass::kNumeric,
                    [](ScalarBuilder& b, Args x, const AttrMap&) { return b.Min(x[0], x[1]); }));

  r.Register(Unary("neg", "-x", DTypeClass::kNumeric,
                   [](ScalarBuilder& b, Args x, const AttrMap&) { return b.Neg(x[0]); }));

  r.Register(Unary("abs", "|x|", DTypeClass::kNumeric,
                   [](ScalarBuilder& b, Args x, const AttrMap&) {
                     return b.Unary(ScalarUnary::kAbs, x[0]);
                   }));

  r.Register(Unary("sign", "-1, 0 or 1 (NaN stays NaN)", DTypeClass::kNumeric,
                   [](ScalarBuilder& b, Args x, const AttrMap&) {
                     return b.Unary(ScalarUnary::kSign, x[0]);
                   }));

  r.Register(Unary("square", "x * x", DTypeClass::kNumeric,
                   [](ScalarBuilder& b, Args x, const AttrMap&) { return b.Mul(x[0], x[0]); }));

  // ---- math functions (floating point only) ----
  r.Register(Unary("sqrt", "square root", DTypeClass::kFloat,
                   [](ScalarBuilder& b, Args x, const AttrMap&) {
                     return b.Unary(ScalarUnary::kSqrt, x[0]);
                   }));

  r.Register(Unary("rsqrt", "1 / sqrt(x)", DTypeClass::kFloat,
                   [](ScalarBuilder& b, Args x, const AttrMap&) {
                     return b.Unary(ScalarUnary::kRsqrt, x[0]);
                   }));

  r.Register(Unary("exp", "e ** x", DTypeClass::kFloat,
                   [](ScalarBuilder& b, Args x, const AttrMap&) { return b.Exp(x[0]); }));

  r.Register(Unary("log", "natural logarithm", DTypeClass::kFloat,
                   [](ScalarBuilder& b, Args x, const AttrMap&) {
                     return b.Unary(ScalarUnary::kLog, x[0]);
                   }));

  r.Register(Unary("tanh", "hyperbolic tangent", DTypeClass::kFloat,
                   [](ScalarBuilder& b, Args x, const AttrMap&) {
                     return b.Unary(ScalarUnary::kTanh, x[0]);
                   }));

  r.Register(Unary("sigmoid", "1 / (1 + exp(-x))", DTypeClass::kFloat,
                   [](ScalarBuilder& b, Args x, const AttrMap&) {
                     Scalar one = b.ConstantLike(1.0, x[0]);
                     return b.Div(one, b.Add(one, b.Exp(b.Neg(x[0]))));
                   }));

  r.Register(Unary("relu", "max(x, 0)", DTypeClass::kNumeric,
                   [](ScalarBuilder& b, Args x, const AttrMap&) {
                     return b.Max(x[0], b.ConstantLike(0.0, x[0]));
                   }));

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
    r.Register(std::move(def));
  }
}

}  // namespace graphc::ir
