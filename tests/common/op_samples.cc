#include "tests/common/op_samples.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <iterator>
#include <limits>
#include <map>
#include <utility>
#include <variant>

#include "absl/strings/str_join.h"
#include "ir/builder.h"
#include "ir/op_registry.h"
#include "ir/str_cat.h"

namespace graphc::test {
namespace {

using ir::AttrMap;
using ir::DType;
using ir::Shape;
using Ints = std::vector<int64_t>;
using Table = std::map<std::string, std::vector<OpSample>, std::less<>>;

constexpr DType kF32 = DType::kF32, kF64 = DType::kF64, kI8 = DType::kI8, kI32 = DType::kI32,
                kI64 = DType::kI64, kBool = DType::kBool;
constexpr DType kNumeric[] = {kF32, kF64, kI8, kI32, kI64};
constexpr DType kFloats[] = {kF32, kF64};

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

std::string D(DType d) { return std::string(ir::DTypeName(d)); }

void Add(Table& t, std::string_view op, std::string name, std::vector<HostTensor> operands,
         AttrMap attrs = {}) {
  t[std::string(op)].push_back(
      OpSample{std::string(op), std::move(operands), std::move(attrs), std::move(name)});
}

// Nonzero values of both signs: divisors for float `div`.
HostTensor NonZero(DType dtype, Shape shape, int seed) {
  HostTensor t = Positive(dtype, std::move(shape), seed);
  for (int64_t i = 1; i < t.size(); i += 2) t.SetDouble(i, -t.GetDouble(i));
  return t;
}

// ---- elementwise ----

void AddBinaryArithmetic(Table& t) {
  for (std::string_view op : {"add", "sub", "mul", "div", "maximum", "minimum"}) {
    // Float divisors stay nonzero so every result is finite; integer x/0 is
    // covered by the explicit div sample below.
    auto rhs = [&](DType d, Shape s, int seed) {
      return op == "div" && ir::IsFloat(d) ? NonZero(d, std::move(s), seed)
                                           : Pattern(d, std::move(s), seed);
    };
    for (DType d : kNumeric) {
      Add(t, op, D(d) + "_broadcast_row", {Pattern(d, {2, 3}, 1), rhs(d, {3}, 2)});
    }
    Add(t, op, "f32_same_shape", {Pattern(kF32, {2, 3}, 3), rhs(kF32, {2, 3}, 4)});
    Add(t, op, "f64_outer", {Pattern(kF64, {3, 1}, 5), rhs(kF64, {1, 4}, 6)});
    Add(t, op, "f32_rank3", {Pattern(kF32, {2, 1, 3}, 7), rhs(kF32, {4, 1}, 8)});
    Add(t, op, "i32_scalar_lhs", {MakeTensor(kI32, {}, {-7}), rhs(kI32, {2, 2}, 9)});
    Add(t, op, "f32_scalars", {MakeTensor(kF32, {}, {1.5}), MakeTensor(kF32, {}, {-2.25})});
  }
  // Integer division rounds toward zero and x/0 is 0.
  Add(t, "div", "i32_truncate_and_by_zero",
      {MakeTensor(kI32, {6}, {7, -7, 7, -7, 0, 5}), MakeTensor(kI32, {6}, {2, 2, -2, -2, 0, 0})});
  Add(t, "div", "i8_by_zero_special",
      {MakeTensor(kI8, {3}, {-128, -128, 9}), MakeTensor(kI8, {3}, {-1, 0, 0})});
  // Integer add/sub/mul wrap around.
  for (std::string_view op : {"add", "sub", "mul"}) {
    Add(t, op, "i8_wrap_special",
        {MakeTensor(kI8, {4}, {100, -100, 127, -128}), MakeTensor(kI8, {4}, {100, 100, 1, 2})});
  }
  // NaN propagates; -0 orders below +0.
  for (std::string_view op : {"maximum", "minimum"}) {
    Add(t, op, "f32_nan_and_signed_zero_special",
        {MakeTensor(kF32, {5}, {kNaN, 1, -0.0, 0.0, -kInf}),
         MakeTensor(kF32, {5}, {1, kNaN, 0.0, -0.0, 2})});
  }
  // pow: positive bases with any exponent, and negative bases with integer
  // exponents (where the real power is defined).
  for (DType d : kFloats) {
    Add(t, "pow", D(d) + "_broadcast_row", {Positive(d, {2, 3}, 1), Pattern(d, {3}, 2)});
  }
  Add(t, "pow", "f32_scalar_exponent", {Pattern(kF32, {2, 2}, 3), MakeTensor(kF32, {}, {2})});
  Add(t, "pow", "f64_negative_base_integer_exponent",
      {MakeTensor(kF64, {4}, {-2, -1.5, 3, -4}), MakeTensor(kF64, {4}, {3, 2, -1, 0})});
}

void AddUnary(Table& t) {
  for (std::string_view op : {"neg", "abs", "sign", "square", "relu"}) {
    for (DType d : kNumeric) Add(t, op, D(d), {Pattern(d, {2, 3}, 1)});
    Add(t, op, "f32_scalar", {MakeTensor(kF32, {}, {-1.25})});
    Add(t, op, "f64_rank3", {Pattern(kF64, {2, 1, 3}, 2)});
  }
  Add(t, "sign", "f32_nan_and_signed_zero_special",
      {MakeTensor(kF32, {5}, {kNaN, -0.0, 0.0, -kInf, kInf})});
  Add(t, "neg", "i8_min_wraps_special", {MakeTensor(kI8, {2}, {-128, 127})});
  Add(t, "abs", "i8_min_wraps_special", {MakeTensor(kI8, {2}, {-128, 127})});

  // Float functions. log/sqrt/rsqrt get positive inputs (their domain).
  for (std::string_view op : {"sqrt", "rsqrt", "log", "exp", "tanh", "sigmoid"}) {
    const bool positive_domain = op == "sqrt" || op == "rsqrt" || op == "log";
    auto input = [&](DType d, Shape s, int seed) {
      return positive_domain ? Positive(d, std::move(s), seed) : Pattern(d, std::move(s), seed);
    };
    Add(t, op, "f32", {input(kF32, {2, 3}, 1)});
    Add(t, op, "f64", {input(kF64, {4}, 2)});
    Add(t, op, "f32_scalar", {input(kF32, {}, 3)});
    Add(t, op, "f64_rank3", {input(kF64, {2, 1, 2}, 4)});
  }
  Add(t, "sqrt", "f32_edges_special", {MakeTensor(kF32, {4}, {0.0, -0.0, kInf, -1})});
  Add(t, "log", "f64_edges_special", {MakeTensor(kF64, {4}, {0.0, kInf, -1, 1})});
  Add(t, "sigmoid", "f32_saturates_special", {MakeTensor(kF32, {3}, {-100, 100, kNaN})});
}

void AddComparisonsAndLogic(Table& t) {
  // Values chosen so that equal, smaller and larger pairs all occur.
  const std::vector<double> x = {-1, 0, 2, 3, 0, -2};
  const std::vector<double> y = {0, 0, 2};
  for (std::string_view op : {"eq", "ne", "lt", "le", "gt", "ge"}) {
    for (DType d : kNumeric) {
      Add(t, op, D(d) + "_broadcast_row", {MakeTensor(d, {2, 3}, x), MakeTensor(d, {3}, y)});
    }
    Add(t, op, "f32_scalar_rhs", {Pattern(kF32, {2, 2}, 1), MakeTensor(kF32, {}, {0})});
    Add(t, op, "f32_nan_special",
        {MakeTensor(kF32, {4}, {kNaN, 1, kNaN, -0.0}),
         MakeTensor(kF32, {4}, {1, kNaN, kNaN, 0.0})});
  }
  const HostTensor a = MakeTensor(kBool, {2, 3}, {1, 1, 0, 0, 1, 0});
  for (std::string_view op : {"and", "or"}) {
    Add(t, op, "bool_broadcast_row", {a, MakeTensor(kBool, {3}, {1, 0, 1})});
    Add(t, op, "bool_same_shape",
        {MakeTensor(kBool, {2, 2}, {1, 1, 0, 0}), MakeTensor(kBool, {2, 2}, {1, 0, 1, 0})});
    Add(t, op, "bool_scalar_lhs",
        {MakeTensor(kBool, {}, {1}), MakeTensor(kBool, {4}, {1, 0, 0, 1})});
  }
  Add(t, "not", "bool", {a});
  Add(t, "not", "bool_scalar", {MakeTensor(kBool, {}, {0})});
}

void AddSelectAndCast(Table& t) {
  const HostTensor cond = MakeTensor(kBool, {2, 3}, {1, 0, 1, 0, 0, 1});
  for (DType d : ir::kAllDTypes) {
    Add(t, "select", D(d) + "_broadcast_row", {cond, Pattern(d, {2, 3}, 1), Pattern(d, {3}, 2)});
  }
  Add(t, "select", "f32_scalar_cond",
      {MakeTensor(kBool, {}, {0}), Pattern(kF32, {2}, 3), Pattern(kF32, {2}, 4)});
  Add(t, "select", "i32_all_broadcast",
      {MakeTensor(kBool, {3}, {1, 0, 1}), Pattern(kI32, {2, 1}, 5), MakeTensor(kI32, {}, {-9})});

  // Every (from, to) pair, on values with fractions of both signs so that
  // float -> integer truncation toward zero shows.
  const std::vector<double> values = {-2.75, -1, -0.5, 0, 0.5, 1, 2.5, 3.75};
  for (DType from : ir::kAllDTypes) {
    for (DType to : ir::kAllDTypes) {
      Add(t, "cast", D(from) + "_to_" + D(to), {MakeTensor(from, {2, 4}, values)}, {{"dtype", to}});
    }
  }
  // Saturation and NaN -> 0 for float -> integer; wraparound for narrowing
  // integers; overflow to infinity for f64 -> f32.
  const HostTensor wide = MakeTensor(kF32, {7}, {1e10, -1e10, 300, -300, kNaN, kInf, -kInf});
  Add(t, "cast", "f32_to_i8_saturate_special", {wide}, {{"dtype", kI8}});
  Add(t, "cast", "f32_to_i32_saturate_special", {wide}, {{"dtype", kI32}});
  Add(t, "cast", "f32_to_i64_saturate_special", {wide}, {{"dtype", kI64}});
  Add(t, "cast", "i32_to_i8_wrap_special", {MakeTensor(kI32, {3}, {300, -129, 128})},
      {{"dtype", kI8}});
  Add(t, "cast", "f64_to_f32_overflow_special", {MakeTensor(kF64, {3}, {0.1, 1e300, -1e300})},
      {{"dtype", kF32}});
}

// ---- generators ----

void AddGenerators(Table& t) {
  for (DType d : ir::kAllDTypes) {
    Add(t, "constant", D(d), {}, {{"value", Pattern(d, {2, 3}, 1).ToDense()}});
  }
  Add(t, "constant", "f32_scalar", {}, {{"value", MakeTensor(kF32, {}, {-3.5}).ToDense()}});
  Add(t, "constant", "f32_empty", {}, {{"value", HostTensor(kF32, {0, 2}).ToDense()}});

  Add(t, "fill", "default_dtype", {}, {{"shape", Ints{2, 3}}, {"value", -1.5}});
  Add(t, "fill", "f64", {}, {{"shape", Ints{4}}, {"value", 0.25}, {"dtype", kF64}});
  Add(t, "fill", "i32", {}, {{"shape", Ints{2, 2}}, {"value", 7.0}, {"dtype", kI32}});
  Add(t, "fill", "i8", {}, {{"shape", Ints{3}}, {"value", -3.0}, {"dtype", kI8}});
  Add(t, "fill", "i64_scalar", {}, {{"shape", Ints{}}, {"value", 5.0}, {"dtype", kI64}});
  Add(t, "fill", "bool", {}, {{"shape", Ints{2}}, {"value", 1.0}, {"dtype", kBool}});
  Add(t, "fill", "f32_empty", {}, {{"shape", Ints{0, 3}}, {"value", 1.0}});

  for (DType d : ir::kAllDTypes) {
    Add(t, "fill_like", D(d), {Pattern(d, {2, 3}, 1)}, {{"value", 3.0}});
  }
  Add(t, "fill_like", "f32_scalar", {MakeTensor(kF32, {}, {9})}, {{"value", -0.5}});

  Add(t, "range", "default_dtype", {}, {{"start", 0.0}, {"limit", 5.0}});
  Add(t, "range", "f32_fractional_delta", {},
      {{"start", -2.0}, {"limit", 5.0}, {"delta", 1.5}, {"dtype", kF32}});
  Add(t, "range", "i64_negative_delta", {},
      {{"start", 5.0}, {"limit", -3.0}, {"delta", -2.0}, {"dtype", kI64}});
  Add(t, "range", "f64", {}, {{"start", 0.5}, {"limit", 2.0}, {"delta", 0.25}, {"dtype", kF64}});
  Add(t, "range", "i8", {}, {{"start", -3.0}, {"limit", 3.0}, {"dtype", kI8}});
  Add(t, "range", "i32_empty", {}, {{"start", 3.0}, {"limit", 1.0}});

  Add(t, "random_uniform", "default_attrs", {}, {{"shape", Ints{2, 3}}, {"seed", int64_t{42}}});
  Add(t, "random_uniform", "f64_bounds", {},
      {{"shape", Ints{4}},
       {"seed", int64_t{7}},
       {"minval", -2.0},
       {"maxval", 3.0},
       {"dtype", kF64}});
  Add(t, "random_uniform", "f32_scalar", {}, {{"shape", Ints{}}, {"seed", int64_t{0}}});
  Add(t, "random_uniform", "negative_seed", {}, {{"shape", Ints{2, 2, 2}}, {"seed", int64_t{-5}}});

  Add(t, "random_normal", "default_attrs", {}, {{"shape", Ints{2, 3}}, {"seed", int64_t{42}}});
  Add(t, "random_normal", "f64_mean_stddev", {},
      {{"shape", Ints{5}}, {"seed", int64_t{1}}, {"mean", 1.0}, {"stddev", 0.5}, {"dtype", kF64}});
  Add(t, "random_normal", "f32_scalar", {}, {{"shape", Ints{}}, {"seed", int64_t{3}}});

  // Out-of-range indices (-1, 3 for depth 3) give all-off rows.
  Add(t, "one_hot", "i32_default_attrs", {MakeTensor(kI32, {4}, {0, 2, -1, 3})},
      {{"depth", int64_t{3}}});
  Add(t, "one_hot", "i64_axis0_f64", {MakeTensor(kI64, {2, 2}, {3, 0, 1, 1})},
      {{"depth", int64_t{4}},
       {"axis", int64_t{0}},
       {"on_value", 5.0},
       {"off_value", -1.0},
       {"dtype", kF64}});
  Add(t, "one_hot", "i32_i8_result", {MakeTensor(kI32, {3}, {1, 0, 1})},
      {{"depth", int64_t{2}}, {"dtype", kI8}});
  Add(t, "one_hot", "i64_i64_result", {MakeTensor(kI64, {2}, {0, 4})},
      {{"depth", int64_t{5}}, {"dtype", kI64}, {"on_value", -2.0}});
  Add(t, "one_hot", "i8_axis1_i32", {MakeTensor(kI8, {2, 2}, {2, 0, 1, 2})},
      {{"depth", int64_t{3}}, {"axis", int64_t{1}}, {"dtype", kI32}});
  Add(t, "one_hot", "i32_scalar_bool", {MakeTensor(kI32, {}, {1})},
      {{"depth", int64_t{4}}, {"dtype", kBool}});
}

// ---- shape ops ----

void AddShapeOps(Table& t) {
  Add(t, "reshape", "f32", {Pattern(kF32, {2, 3}, 1)}, {{"shape", Ints{3, 2}}});
  Add(t, "reshape", "f64_flatten", {Pattern(kF64, {2, 3}, 2)}, {{"shape", Ints{-1}}});
  Add(t, "reshape", "i32_inferred_dim", {Pattern(kI32, {2, 2, 2}, 3)}, {{"shape", Ints{4, -1}}});
  Add(t, "reshape", "bool", {Pattern(kBool, {6}, 4)}, {{"shape", Ints{2, 1, 3}}});
  Add(t, "reshape", "i64_scalar", {MakeTensor(kI64, {}, {-4})}, {{"shape", Ints{1, 1}}});
  Add(t, "reshape", "i8_inferred_middle", {Pattern(kI8, {2, 3}, 5)}, {{"shape", Ints{3, -1, 1}}});
  Add(t, "reshape", "f32_empty", {HostTensor(kF32, {0, 3})}, {{"shape", Ints{3, 0}}});

  Add(t, "transpose", "f32_default_perm", {Pattern(kF32, {2, 3}, 1)});
  Add(t, "transpose", "i32_rank3", {Pattern(kI32, {2, 3, 4}, 2)}, {{"perm", Ints{1, 2, 0}}});
  Add(t, "transpose", "bool_identity", {Pattern(kBool, {2, 3}, 3)}, {{"perm", Ints{0, 1}}});
  Add(t, "transpose", "f64_default_perm_rank3", {Pattern(kF64, {2, 1, 3}, 4)});
  Add(t, "transpose", "i8", {Pattern(kI8, {3, 2}, 5)}, {{"perm", Ints{1, 0}}});
  Add(t, "transpose", "i64_rank1", {Pattern(kI64, {4}, 6)});

  Add(t, "broadcast_to", "f32_row", {Pattern(kF32, {3}, 1)}, {{"shape", Ints{2, 3}}});
  Add(t, "broadcast_to", "i32_new_leading_dim", {Pattern(kI32, {2, 1}, 2)},
      {{"shape", Ints{2, 2, 3}}});
  Add(t, "broadcast_to", "f64_scalar", {MakeTensor(kF64, {}, {-1.5})}, {{"shape", Ints{2, 2}}});
  Add(t, "broadcast_to", "bool", {Pattern(kBool, {1, 2}, 3)}, {{"shape", Ints{3, 2}}});
  Add(t, "broadcast_to", "i8_same_shape", {Pattern(kI8, {2, 3}, 4)}, {{"shape", Ints{2, 3}}});
  Add(t, "broadcast_to", "i64_column", {Pattern(kI64, {3, 1}, 5)}, {{"shape", Ints{3, 2}}});

  Add(t, "broadcast_like", "f32_row", {Pattern(kF32, {3}, 1), Pattern(kF32, {2, 3}, 2)});
  Add(t, "broadcast_like", "i32_like_bool", {Pattern(kI32, {2, 1}, 3), Pattern(kBool, {2, 4}, 4)});
  Add(t, "broadcast_like", "f64_scalar_like_i64",
      {MakeTensor(kF64, {}, {2.5}), Pattern(kI64, {3}, 5)});
  // `like` only gives its shape: pair each x dtype with another like dtype.
  Add(t, "broadcast_like", "i8_like_f64", {Pattern(kI8, {1, 2}, 6), Pattern(kF64, {3, 2}, 7)});
  Add(t, "broadcast_like", "i64_like_i8", {Pattern(kI64, {2}, 8), Pattern(kI8, {2, 2}, 9)});
  Add(t, "broadcast_like", "bool_like_i32",
      {Pattern(kBool, {3, 1}, 10), Pattern(kI32, {3, 3}, 11)});

  Add(t, "expand_dims", "f32_front", {Pattern(kF32, {2, 3}, 1)}, {{"axis", int64_t{0}}});
  Add(t, "expand_dims", "i32_last", {Pattern(kI32, {2, 3}, 2)}, {{"axis", int64_t{-1}}});
  Add(t, "expand_dims", "bool_scalar", {MakeTensor(kBool, {}, {1})}, {{"axis", int64_t{0}}});
  Add(t, "expand_dims", "f64_middle", {Pattern(kF64, {2, 3}, 3)}, {{"axis", int64_t{1}}});
  Add(t, "expand_dims", "i8_negative_middle", {Pattern(kI8, {2, 3}, 4)}, {{"axis", int64_t{-2}}});
  Add(t, "expand_dims", "i64_most_negative", {Pattern(kI64, {3}, 5)}, {{"axis", int64_t{-2}}});

  Add(t, "squeeze", "f32_all", {Pattern(kF32, {1, 3, 1}, 1)});
  Add(t, "squeeze", "i32_last", {Pattern(kI32, {1, 3, 1}, 2)}, {{"axes", Ints{-1}}});
  Add(t, "squeeze", "f64_axis1", {Pattern(kF64, {2, 1}, 3)}, {{"axes", Ints{1}}});
  Add(t, "squeeze", "bool_to_scalar", {MakeTensor(kBool, {1, 1}, {1})}, {{"axes", Ints{0, 1}}});
  Add(t, "squeeze", "i8_middle", {Pattern(kI8, {2, 1, 2}, 4)}, {{"axes", Ints{1}}});
  Add(t, "squeeze", "i64_all_but_one", {Pattern(kI64, {3, 1}, 5)});

  Add(t, "strided_slice", "f32_step2", {Pattern(kF32, {4, 5}, 1)},
      {{"begin", Ints{1, 0}}, {"end", Ints{3, 5}}, {"strides", Ints{1, 2}}});
  Add(t, "strided_slice", "f32_reverse_masked", {Pattern(kF32, {4, 5}, 2)},
      {{"begin", Ints{0, 0}},
       {"end", Ints{0, 0}},
       {"strides", Ints{-1, -1}},
       {"begin_mask", int64_t{3}},
       {"end_mask", int64_t{3}}});
  Add(t, "strided_slice", "i32_shrink_negative_bounds", {Pattern(kI32, {4, 5}, 3)},
      {{"begin", Ints{2, -4}},
       {"end", Ints{3, -1}},
       {"strides", Ints{1, 1}},
       {"shrink_axis_mask", int64_t{1}}});
  Add(t, "strided_slice", "f64_clamped_bounds", {Pattern(kF64, {3, 4, 2}, 4)},
      {{"begin", Ints{-10, 1, 0}}, {"end", Ints{10, -1, 2}}, {"strides", Ints{1, 2, 1}}});
  Add(t, "strided_slice", "bool_negative_stride", {Pattern(kBool, {6}, 5)},
      {{"begin", Ints{4}}, {"end", Ints{0}}, {"strides", Ints{-2}}});
  Add(t, "strided_slice", "i8_end_mask", {Pattern(kI8, {3, 4}, 6)},
      {{"begin", Ints{1, 1}},
       {"end", Ints{0, 3}},
       {"strides", Ints{1, 1}},
       {"end_mask", int64_t{1}}});
  Add(t, "strided_slice", "i64_begin_mask_step3", {Pattern(kI64, {7}, 7)},
      {{"begin", Ints{5}}, {"end", Ints{7}}, {"strides", Ints{3}}, {"begin_mask", int64_t{1}}});

  Add(t, "gather", "f32_rows", {Pattern(kF32, {4, 3}, 1), MakeTensor(kI32, {3}, {3, 0, 3})});
  Add(t, "gather", "i64_axis1_matrix_indices",
      {Pattern(kI64, {2, 5}, 2), MakeTensor(kI64, {2, 2}, {4, 0, 1, 1})}, {{"axis", int64_t{1}}});
  Add(t, "gather", "bool_scalar_index", {Pattern(kBool, {3, 2}, 3), MakeTensor(kI8, {}, {2})});
  Add(t, "gather", "f64_last_axis",
      {Pattern(kF64, {2, 3, 2}, 4), MakeTensor(kI32, {4}, {0, 1, 1, 0})}, {{"axis", int64_t{-1}}});
  Add(t, "gather", "i8_i64_indices", {Pattern(kI8, {5}, 5), MakeTensor(kI64, {3}, {4, 4, 0})});
  Add(t, "gather", "i32_i8_indices", {Pattern(kI32, {3, 2}, 6), MakeTensor(kI8, {2}, {1, 2})},
      {{"axis", int64_t{0}}});

  Add(t, "concat", "f32_rows", {Pattern(kF32, {2, 3}, 1), Pattern(kF32, {1, 3}, 2)},
      {{"axis", int64_t{0}}});
  Add(t, "concat", "i32_three_last_axis",
      {Pattern(kI32, {2, 1}, 3), Pattern(kI32, {2, 2}, 4), Pattern(kI32, {2, 3}, 5)},
      {{"axis", int64_t{-1}}});
  Add(t, "concat", "bool_single", {Pattern(kBool, {3}, 6)}, {{"axis", int64_t{0}}});
  Add(t, "concat", "f64_rank3", {Pattern(kF64, {2, 2, 1}, 7), Pattern(kF64, {2, 2, 2}, 8)},
      {{"axis", int64_t{2}}});
  Add(t, "concat", "i8_with_empty", {HostTensor(kI8, {0, 2}), Pattern(kI8, {1, 2}, 9)},
      {{"axis", int64_t{0}}});
  Add(t, "concat", "i64_vectors", {Pattern(kI64, {2}, 10), Pattern(kI64, {3}, 11)},
      {{"axis", int64_t{0}}});
}

// The ops gradients are built from: transposes of broadcast, reshape,
// strided_slice and gather. Their `like` operand only gives a shape, so its
// dtype varies independently of the data operand's.
void AddGradientSupportOps(Table& t) {
  const DType like_dtypes[] = {kI32, kBool, kF64, kI8, kF32, kI64};
  size_t k = 0;
  auto next_like = [&] { return like_dtypes[k++ % std::size(like_dtypes)]; };

  Add(t, "reshape_like", "f32", {Pattern(kF32, {2, 3}, 1), Pattern(next_like(), {3, 2}, 2)});
  Add(t, "reshape_like", "f64_unflatten",
      {Pattern(kF64, {6}, 3), Pattern(next_like(), {2, 1, 3}, 4)});
  Add(t, "reshape_like", "i8_flatten", {Pattern(kI8, {2, 2}, 5), Pattern(next_like(), {4}, 6)});
  Add(t, "reshape_like", "i32_scalar",
      {MakeTensor(kI32, {}, {-3}), Pattern(next_like(), {1, 1}, 7)});
  Add(t, "reshape_like", "bool", {Pattern(kBool, {3, 2}, 8), Pattern(next_like(), {6}, 9)});
  Add(t, "reshape_like", "i64_empty", {HostTensor(kI64, {0, 2}), HostTensor(next_like(), {2, 0})});

  // g is shaped like strided_slice(like) with the same attributes.
  k = 0;
  Add(t, "strided_slice_grad", "f32_step2",
      {Pattern(kF32, {2, 3}, 1), Pattern(next_like(), {4, 5}, 2)},
      {{"begin", Ints{1, 0}}, {"end", Ints{3, 5}}, {"strides", Ints{1, 2}}});
  Add(t, "strided_slice_grad", "f64_reverse_masked",
      {Pattern(kF64, {4, 5}, 3), Pattern(next_like(), {4, 5}, 4)},
      {{"begin", Ints{0, 0}},
       {"end", Ints{0, 0}},
       {"strides", Ints{-1, -1}},
       {"begin_mask", int64_t{3}},
       {"end_mask", int64_t{3}}});
  Add(t, "strided_slice_grad", "i32_shrink",
      {Pattern(kI32, {3}, 5), Pattern(next_like(), {4, 5}, 6)},
      {{"begin", Ints{2, -4}},
       {"end", Ints{3, -1}},
       {"strides", Ints{1, 1}},
       {"shrink_axis_mask", int64_t{1}}});
  Add(t, "strided_slice_grad", "i8_negative_stride",
      {Pattern(kI8, {2}, 7), Pattern(next_like(), {6}, 8)},
      {{"begin", Ints{4}}, {"end", Ints{0}}, {"strides", Ints{-2}}});
  Add(t, "strided_slice_grad", "bool_end_mask",
      {Pattern(kBool, {2, 2}, 9), Pattern(next_like(), {3, 4}, 10)},
      {{"begin", Ints{1, 1}},
       {"end", Ints{0, 3}},
       {"strides", Ints{1, 1}},
       {"end_mask", int64_t{1}}});
  Add(t, "strided_slice_grad", "i64_clamped",
      {Pattern(kI64, {3, 1, 2}, 11), Pattern(next_like(), {3, 4, 2}, 12)},
      {{"begin", Ints{-10, 1, 0}}, {"end", Ints{10, -1, 2}}, {"strides", Ints{1, 2, 1}}});

  // Repeated indices accumulate.
  Add(t, "scatter_add", "f32_repeated_rows",
      {Pattern(kF32, {4, 3}, 1), MakeTensor(kI32, {3}, {3, 0, 3}), Pattern(kF32, {3, 3}, 2)});
  Add(t, "scatter_add", "i64_axis1_matrix_indices",
      {Pattern(kI64, {2, 5}, 3), MakeTensor(kI64, {2, 2}, {4, 0, 4, 4}),
       Pattern(kI64, {2, 2, 2}, 4)},
      {{"axis", int64_t{1}}});
  Add(t, "scatter_add", "f64_scalar_index",
      {Pattern(kF64, {3, 2}, 5), MakeTensor(kI8, {}, {2}), Pattern(kF64, {2}, 6)});
  Add(t, "scatter_add", "i32_last_axis",
      {Pattern(kI32, {2, 3}, 7), MakeTensor(kI32, {4}, {0, 2, 2, 1}), Pattern(kI32, {2, 4}, 8)},
      {{"axis", int64_t{-1}}});
  Add(t, "scatter_add", "i8_wrap_special",
      {MakeTensor(kI8, {2}, {100, 0}), MakeTensor(kI32, {2}, {0, 0}),
       MakeTensor(kI8, {2}, {20, 10})});
  Add(t, "scatter_add", "i8",
      {Pattern(kI8, {3}, 9), MakeTensor(kI64, {2}, {1, 1}), Pattern(kI8, {2}, 10)});

  k = 0;
  Add(t, "sum_to_like", "f32_leading_dim",
      {Pattern(kF32, {2, 3}, 1), Pattern(next_like(), {3}, 2)});
  Add(t, "sum_to_like", "f64_size1_dim",
      {Pattern(kF64, {2, 3}, 3), Pattern(next_like(), {1, 3}, 4)});
  Add(t, "sum_to_like", "i32_mixed",
      {Pattern(kI32, {2, 3, 4}, 5), Pattern(next_like(), {3, 1}, 6)});
  Add(t, "sum_to_like", "i8_to_scalar", {Pattern(kI8, {4}, 7), MakeTensor(next_like(), {}, {0})});
  Add(t, "sum_to_like", "i64_same_shape",
      {Pattern(kI64, {2, 2}, 8), Pattern(next_like(), {2, 2}, 9)});
  Add(t, "sum_to_like", "f32_all_ones",
      {Pattern(kF32, {2, 3}, 10), Pattern(next_like(), {1, 1}, 11)});
}

// ---- reductions ----

void AddReductions(Table& t) {
  for (std::string_view op :
       {"reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod"}) {
    for (DType d : kNumeric) Add(t, op, D(d) + "_all", {Pattern(d, {2, 3}, 1)});
    Add(t, op, "f32_axis1_keepdims", {Pattern(kF32, {2, 3, 4}, 2)},
        {{"axes", Ints{1}}, {"keepdims", true}});
    Add(t, op, "f64_first_and_last", {Pattern(kF64, {2, 3, 4}, 3)}, {{"axes", Ints{0, -1}}});
    Add(t, op, "i32_rows", {Pattern(kI32, {3, 4}, 4)}, {{"axes", Ints{1}}});
    Add(t, op, "f32_scalar", {MakeTensor(kF32, {}, {-2.5})});
    Add(t, op, "f32_all_keepdims", {Pattern(kF32, {2, 3}, 5)}, {{"keepdims", true}});
  }
  // Zero elements: the sum is 0.
  Add(t, "reduce_sum", "f32_empty_axis", {HostTensor(kF32, {0, 3})}, {{"axes", Ints{0}}});
  for (std::string_view op : {"reduce_max", "reduce_min"}) {
    Add(t, op, "f32_nan_and_signed_zero_special",
        {MakeTensor(kF32, {2, 3}, {1, kNaN, -1, -0.0, 0.0, -0.0})}, {{"axes", Ints{1}}});
  }

  const HostTensor b = MakeTensor(kBool, {2, 3}, {1, 1, 1, 0, 1, 0});
  for (std::string_view op : {"reduce_any", "reduce_all"}) {
    Add(t, op, "bool_all", {b});
    Add(t, op, "bool_rows_keepdims", {b}, {{"axes", Ints{1}}, {"keepdims", true}});
    Add(t, op, "bool_rank3", {Pattern(kBool, {2, 3, 2}, 1)}, {{"axes", Ints{0, 2}}});
    Add(t, op, "bool_scalar", {MakeTensor(kBool, {}, {1})});
    Add(t, op, "bool_columns", {MakeTensor(kBool, {2, 2}, {0, 1, 0, 1})}, {{"axes", Ints{0}}});
  }

  for (std::string_view op : {"argmax", "argmin"}) {
    Add(t, op, "f32_default_attrs", {Pattern(kF32, {2, 3}, 1)});
    Add(t, op, "i32_last_axis_i32", {Pattern(kI32, {3, 4}, 2)},
        {{"axis", int64_t{-1}}, {"dtype", kI32}});
    Add(t, op, "i8_ties_first", {MakeTensor(kI8, {4}, {3, -1, 3, -1})});
    Add(t, op, "f64_middle_axis", {Pattern(kF64, {2, 3, 2}, 3)}, {{"axis", int64_t{1}}});
    Add(t, op, "i64", {Pattern(kI64, {2, 2}, 4)}, {{"axis", int64_t{1}}});
    Add(t, op, "f32_nan_special", {MakeTensor(kF32, {2, 3}, {1, kNaN, kNaN, -kInf, 2, kInf})},
        {{"axis", int64_t{1}}});
  }
}

// ---- linear algebra ----

void AddLinalg(Table& t) {
  Add(t, "matmul", "f32", {Pattern(kF32, {2, 3}, 1), Pattern(kF32, {3, 4}, 2)});
  Add(t, "matmul", "f64_transpose_a", {Pattern(kF64, {3, 2}, 3), Pattern(kF64, {3, 4}, 4)},
      {{"transpose_a", true}});
  Add(t, "matmul", "i32_transpose_b", {Pattern(kI32, {2, 3}, 5), Pattern(kI32, {4, 3}, 6)},
      {{"transpose_b", true}});
  Add(t, "matmul", "f32_both_transposed", {Pattern(kF32, {3, 2}, 7), Pattern(kF32, {4, 3}, 8)},
      {{"transpose_a", true}, {"transpose_b", true}});
  Add(t, "matmul", "f32_batched", {Pattern(kF32, {2, 2, 3}, 9), Pattern(kF32, {3, 2}, 10)});
  Add(t, "matmul", "f64_broadcast_batch",
      {Pattern(kF64, {2, 1, 2, 3}, 11), Pattern(kF64, {3, 3, 2}, 12)});
  Add(t, "matmul", "i8", {Pattern(kI8, {2, 2}, 13), Pattern(kI8, {2, 2}, 14)});
  Add(t, "matmul", "i64_row_times_column", {Pattern(kI64, {1, 3}, 15), Pattern(kI64, {3, 1}, 16)});
  Add(t, "matmul", "i8_wrap_special",
      {MakeTensor(kI8, {1, 2}, {100, 100}), MakeTensor(kI8, {2, 1}, {2, 1})});

  for (std::string_view op : {"softmax", "log_softmax"}) {
    Add(t, op, "f32_default_axis", {Pattern(kF32, {2, 3}, 1)});
    Add(t, op, "f32_axis0", {Pattern(kF32, {2, 3}, 2)}, {{"axis", int64_t{0}}});
    Add(t, op, "f64_middle_axis", {Pattern(kF64, {2, 3, 2}, 3)}, {{"axis", int64_t{1}}});
    Add(t, op, "f32_vector", {Pattern(kF32, {4}, 4)});
    Add(t, op, "f64_single_element_axis", {Pattern(kF64, {3, 1}, 5)});
  }
}

const Table& GetTable() {
  static const Table* table = [] {
    auto* t = new Table;
    AddBinaryArithmetic(*t);
    AddUnary(*t);
    AddComparisonsAndLogic(*t);
    AddSelectAndCast(*t);
    AddGenerators(*t);
    AddShapeOps(*t);
    AddGradientSupportOps(*t);
    AddReductions(*t);
    AddLinalg(*t);
    return t;
  }();
  return *table;
}

std::string AttrText(const ir::Attribute& a) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>) {
          return v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, double>) {
          return StrCat(v);
        } else if constexpr (std::is_same_v<T, std::string>) {
          return StrCat("\"", v, "\"");
        } else if constexpr (std::is_same_v<T, DType>) {
          return std::string(ir::DTypeName(v));
        } else if constexpr (std::is_same_v<T, Ints>) {
          return StrCat("[", absl::StrJoin(v, ", "), "]");
        } else if constexpr (std::is_same_v<T, ir::SymbolRef>) {
          return StrCat("@", v.name);
        } else {
          return StrCat("dense<", v.type().ToString(), ">");
        }
      },
      a);
}

}  // namespace

HostTensor MakeTensor(DType dtype, Shape shape, const std::vector<double>& values) {
  HostTensor t(dtype, std::move(shape));
  // A mismatch is a bug in the table itself, not an input to report.
  if (static_cast<int64_t>(values.size()) != t.size()) std::abort();
  for (int64_t i = 0; i < t.size(); ++i) t.SetDouble(i, values[static_cast<size_t>(i)]);
  return t;
}

HostTensor Pattern(DType dtype, Shape shape, int seed) {
  HostTensor t(dtype, std::move(shape));
  const double step = ir::IsFloat(dtype) ? 0.5 : 1.0;
  for (int64_t i = 0; i < t.size(); ++i) {
    const double v = static_cast<double>((7 * i + 3 * seed) % 11 - 5) * step;
    t.SetDouble(i, ir::IsBool(dtype) ? (v > 0 ? 1 : 0) : v);
  }
  return t;
}

HostTensor Positive(DType dtype, Shape shape, int seed) {
  HostTensor t(dtype, std::move(shape));
  for (int64_t i = 0; i < t.size(); ++i) {
    t.SetDouble(i, 0.25 + static_cast<double>((7 * i + 3 * seed) % 11) * 0.5);
  }
  return t;
}

std::vector<OpSample> SamplesFor(std::string_view op) {
  auto it = GetTable().find(op);
  if (it == GetTable().end()) return {};
  // Deep copies: a test that writes into an operand must not change the table.
  std::vector<OpSample> out = it->second;
  for (OpSample& s : out) {
    for (HostTensor& h : s.operands) h = h.Clone();
  }
  return out;
}

const std::set<std::string>& OpsWithoutSamples() {
  static const std::set<std::string> ops = {
      // Terminators: they end a region and do nothing on their own.
      "return",
      "yield",
      // Control flow and calls: they need regions or a callee function, so
      // they cannot run as a single op on tensors. Covered by hand-written
      // functions in tests/compiler/parity_test.cc.
      "cond",
      "while",
      "call",
      // A fusion op runs a region the fusion pass outlined; covered by the
      // pipeline equivalence tests and tests/gir/fusion.gir.
      "fusion",
      // Variable ops: they need a module-level variable (a graphc::Variable);
      // covered through the Variable API in parity_test.cc.
      "read_var",
      "assign",
      "assign_add",
      "assign_sub",
  };
  return ops;
}

std::vector<std::string> SampledOps() {
  std::vector<std::string> ops;
  for (const auto& [op, samples] : GetTable()) ops.push_back(op);
  return ops;
}

std::vector<OpSample> AllSamples() {
  std::vector<OpSample> all;
  for (const ir::OpDef* def : ir::OpRegistry::Get().All()) {
    std::vector<OpSample> s = SamplesFor(def->name);
    all.insert(all.end(), std::make_move_iterator(s.begin()), std::make_move_iterator(s.end()));
  }
  return all;
}

bool IsSpecial(const OpSample& sample) {
  constexpr std::string_view kSuffix = "_special";
  return sample.name.size() >= kSuffix.size() &&
         sample.name.compare(sample.name.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0;
}

std::string Describe(const OpSample& sample) {
  std::string s = StrCat(sample.op, "/", sample.name, "(");
  for (size_t i = 0; i < sample.operands.size(); ++i) {
    s += StrCat(i == 0 ? "" : ", ", sample.operands[i].type().ToString());
  }
  s += ")";
  if (!sample.attrs.empty()) {
    std::vector<std::string> parts;
    for (const auto& [name, value] : sample.attrs)
      parts.push_back(StrCat(name, " = ", AttrText(value)));
    s += StrCat(" {", absl::StrJoin(parts, ", "), "}");
  }
  return s;
}

void PrintTo(const OpSample& sample, std::ostream* os) { *os << Describe(sample); }

absl::StatusOr<std::unique_ptr<ir::Module>> OneOpFusion(const OpSample& sample, const std::string& kind) {
  auto m = std::make_unique<ir::Module>();
  ir::Function* f = m->AddFunction("f");
  std::vector<ir::Value*> params;
  auto body = std::make_unique<ir::Region>();
  std::vector<ir::Value*> args;
  for (const HostTensor& h : sample.operands) {
    params.push_back(f->AddParam(h.type()));
    args.push_back(body->AddArgument(h.type()));
  }
  ir::Builder inner(body.get());
  absl::StatusOr<ir::Op*> op = inner.Create(sample.op, args, sample.attrs);
  if (!op.ok()) return op.status();
  if (absl::StatusOr<ir::Op*> y = inner.Create("yield", (*op)->results()); !y.ok()) return y.status();
  ir::Builder outer(&f->body());
  std::vector<std::unique_ptr<ir::Region>> regions;
  regions.push_back(std::move(body));
  absl::StatusOr<ir::Op*> fusion = outer.Create("fusion", params, {{"kind", kind}}, std::move(regions));
  if (!fusion.ok()) return fusion.status();
  std::vector<ir::TensorType> types;
  for (const ir::Value* r : (*fusion)->results()) types.push_back(r->type());
  f->set_result_types(types);
  if (absl::StatusOr<ir::Op*> ret = outer.Create("return", (*fusion)->results()); !ret.ok()) return ret.status();
  return m;
}

}  // namespace graphc::test
