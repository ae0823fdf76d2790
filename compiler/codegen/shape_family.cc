#include "compiler/codegen/shape_family.h"

#include <map>
#include <string>
#include <string_view>

#include "ir/str_cat.h"
#include "passes/specialize_shapes.h"

namespace graphc::codegen {
namespace {

// Base probe values, one per symbol: large (so no slice bound or small
// static dim is reached), distinct primes (so no two symbols, and no
// symbol and static dim, coincide).
constexpr int64_t kBaseProbes[] = {10007, 10009, 10037, 10039, 10061, 10067, 10069, 10079};
constexpr int kMaxSymbols = static_cast<int>(std::size(kBaseProbes));
constexpr int64_t kMoveProbe = 97;     // one symbol moved: fits its coefficient
constexpr int64_t kVerifyProbe = 211;  // every symbol moved: checks the fit

// A value of a lowered function with what made it, so two lowerings can be
// walked side by side.
struct WalkedValue {
  const ir::Value* value;
  std::string_view maker;  // the defining op's name, or the owner op's for a region argument
};

void WalkRegion(const ir::Region& region, std::vector<WalkedValue>* out) {
  for (const auto& op : region.ops()) {
    for (int r = 0; r < op->num_results(); ++r) out->push_back({op->result(r), op->name()});
    for (int g = 0; g < op->num_regions(); ++g) {
      const ir::Region& inner = op->region(g);
      for (int a = 0; a < inner.num_arguments(); ++a) out->push_back({inner.argument(a), op->name()});
      WalkRegion(inner, out);
    }
  }
}

std::vector<WalkedValue> WalkValues(const ir::Function& f) {
  std::vector<WalkedValue> out;
  for (int i = 0; i < f.num_params(); ++i) out.push_back({f.param(i), "param"});
  WalkRegion(f.body(), &out);
  return out;
}

bool SameStructure(const std::vector<WalkedValue>& a, const std::vector<WalkedValue>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].maker != b[i].maker || a[i].value->type().dtype != b[i].value->type().dtype ||
        a[i].value->shape().rank() != b[i].value->shape().rank()) {
      return false;
    }
  }
  return true;
}

// The buffer plans agree on everything but sizes and offsets.
bool SamePlanStructure(const passes::BufferPlan& a, const passes::BufferPlan& b) {
  if (a.values.size() != b.values.size() || a.num_ops != b.num_ops) return false;
  for (size_t i = 0; i < a.values.size(); ++i) {
    const passes::ValueBuffer& x = a.values[i];
    const passes::ValueBuffer& y = b.values[i];
    if (x.kind != y.kind || x.source != y.source || x.root != y.root || x.live_begin != y.live_begin ||
        x.live_end != y.live_end || x.buffer_end != y.buffer_end || x.result != y.result ||
        x.variable != y.variable) {
      return false;
    }
  }
  return true;
}

// Fits c + sum_i a_i * s_i to a quantity measured at the base probe, at
// one probe per symbol moved, and at the verify probe.
std::optional<AffineDim> Fit(int64_t at_base, std::span<const int64_t> at_moved, int64_t at_verify,
                             std::span<const int64_t> base) {
  AffineDim a;
  a.constant = at_base;
  a.coefs.assign(base.size(), 0);
  for (size_t i = 0; i < base.size(); ++i) {
    const int64_t delta = at_moved[i] - at_base;
    if (delta % kMoveProbe != 0) return std::nullopt;
    a.coefs[i] = delta / kMoveProbe;
    a.constant -= a.coefs[i] * base[i];
  }
  std::vector<int64_t> verify(base.begin(), base.end());
  for (int64_t& v : verify) v += kVerifyProbe;
  if (a.Evaluate(verify) != at_verify) return std::nullopt;
  return a;
}

absl::Status NotAFamily(const ir::Function& f, const std::string& why) {
  return absl::FailedPreconditionError(StrCat("@", f.name(), " has no shape family: ", why));
}

}  // namespace

std::optional<std::vector<int64_t>> SymbolPattern::SymbolValues(std::span<const ir::TensorType> types,
                                                                std::span<const ir::TensorType> static_types) const {
  if (types.size() != static_types.size() || types.size() < param_symbols.size()) return std::nullopt;
  std::vector<int64_t> values(static_cast<size_t>(num_symbols), -1);
  for (size_t p = 0; p < types.size(); ++p) {
    if (types[p].dtype != static_types[p].dtype || types[p].shape.rank() != static_types[p].shape.rank()) {
      return std::nullopt;
    }
    for (int64_t d = 0; d < types[p].shape.rank(); ++d) {
      const int64_t dim = types[p].shape.dim(d);
      const int s = p < param_symbols.size() ? param_symbols[p][static_cast<size_t>(d)] : -1;
      if (s < 0) {
        if (dim != static_types[p].shape.dim(d)) return std::nullopt;
        continue;
      }
      int64_t& value = values[static_cast<size_t>(s)];
      if (dim < 2 || (value >= 0 && value != dim)) return std::nullopt;
      value = dim;
    }
  }
  return values;
}

std::vector<ir::TensorType> SymbolPattern::WithValues(std::span<const ir::TensorType> types,
                                                      std::span<const int64_t> values) const {
  std::vector<ir::TensorType> out(types.begin(), types.end());
  for (size_t p = 0; p < param_symbols.size() && p < out.size(); ++p) {
    std::vector<int64_t> dims(out[p].shape.dims().begin(), out[p].shape.dims().end());
    for (size_t d = 0; d < dims.size(); ++d) {
      const int s = param_symbols[p][d];
      if (s >= 0) dims[d] = values[static_cast<size_t>(s)];
    }
    out[p].shape = ir::Shape(dims);
  }
  return out;
}

namespace {

// True if `function` specializes to `types` (shape inference accepts them).
bool Specializes(const ir::Function& function, std::span<const ir::TensorType> types) {
  return passes::SpecializeFunction(function, types).ok();
}

// The call's types with the dims in `dims` (param, dim) set to `value`.
std::vector<ir::TensorType> Moved(std::span<const ir::TensorType> types,
                                  const std::vector<std::pair<size_t, size_t>>& dims, int64_t value) {
  std::vector<ir::TensorType> out(types.begin(), types.end());
  for (auto [p, d] : dims) {
    std::vector<int64_t> shape(out[p].shape.dims().begin(), out[p].shape.dims().end());
    shape[d] = value;
    out[p].shape = ir::Shape(shape);
  }
  return out;
}

}  // namespace

SymbolPattern FindSymbols(const ir::Function& function, std::span<const ir::TensorType> call_types) {
  // Candidates: `?` dims of at least 2, grouped by value.
  std::map<int64_t, std::vector<std::pair<size_t, size_t>>> by_value;
  SymbolPattern pattern;
  for (int p = 0; p < function.num_params() && p < static_cast<int>(call_types.size()); ++p) {
    const ir::Shape& declared = function.param(p)->shape();
    const ir::Shape& call = call_types[static_cast<size_t>(p)].shape;
    pattern.param_symbols.emplace_back(static_cast<size_t>(call.rank()), -1);
    if (declared.rank() != call.rank()) continue;
    for (int64_t d = 0; d < call.rank(); ++d) {
      if (declared.dim(d) == ir::kDynamic && call.dim(d) >= 2) {
        by_value[call.dim(d)].emplace_back(static_cast<size_t>(p), static_cast<size_t>(d));
      }
    }
  }
  // A group is a symbol if the function still specializes with the group
  // moved to a probe value. A `?` dim that other shapes pin (x: [?, ?]
  // times weights [784, 10] pins x's second dim) is not: when a group does
  // not move, its dims that move alone form the symbol (the batch that
  // happened to equal a pinned dim), and the others stay static.
  const int64_t probe = kBaseProbes[0];
  for (auto& [value, dims] : by_value) {
    if (!Specializes(function, Moved(call_types, dims, probe))) {
      std::vector<std::pair<size_t, size_t>> free;
      for (const auto& dim : dims) {
        if (Specializes(function, Moved(call_types, {dim}, probe))) free.push_back(dim);
      }
      if (free.empty() || !Specializes(function, Moved(call_types, free, probe))) continue;
      dims = free;
    }
    for (auto [p, d] : dims) pattern.param_symbols[p][d] = pattern.num_symbols;
    ++pattern.num_symbols;
  }
  return pattern;
}

absl::StatusOr<ShapeFamily> DeriveShapeFamily(const ir::Function& function,
                                              std::span<const ir::TensorType> call_types) {
  ShapeFamily family;
  family.pattern = FindSymbols(function, call_types);
  const int k = family.pattern.num_symbols;
  if (k == 0) return NotAFamily(function, "no `?` dim of at least 2");
  if (k > kMaxSymbols) return NotAFamily(function, StrCat(k, " distinct `?` dims (at most ", kMaxSymbols, ")"));
  const std::vector<int64_t> base(kBaseProbes, kBaseProbes + k);

  // Lowered at the base probe, at each symbol moved, and at the verify probe.
  std::vector<LoweredFunction> probes;
  for (int probe = 0; probe <= k + 1; ++probe) {
    std::vector<int64_t> values = base;
    if (probe > 0 && probe <= k) values[static_cast<size_t>(probe - 1)] += kMoveProbe;
    if (probe == k + 1) {
      for (int64_t& v : values) v += kVerifyProbe;
    }
    absl::StatusOr<LoweredFunction> lowered = LowerForCodegen(function, family.pattern.WithValues(call_types, values));
    if (!lowered.ok()) return NotAFamily(function, std::string(lowered.status().message()));
    probes.push_back(std::move(*lowered));
  }
  std::vector<std::vector<WalkedValue>> walks;
  for (const LoweredFunction& l : probes) walks.push_back(WalkValues(*l.function));
  for (int probe = 1; probe <= k + 1; ++probe) {
    if (!SameStructure(walks[0], walks[static_cast<size_t>(probe)])) {
      return NotAFamily(function, "it lowers differently at different sizes");
    }
  }
  if (!SamePlanStructure(probes[0].plan, probes.back().plan)) {
    return NotAFamily(function, "its buffers are planned differently at different sizes");
  }

  family.dims = DimTable(k);
  // Equal shapes at the base probe must be equal for all sizes: codegen
  // compares shapes of the lowered function.
  std::map<std::vector<int64_t>, std::vector<AffineDim>> dims_of_shape;
  std::vector<int64_t> moved(static_cast<size_t>(k));
  for (size_t j = 0; j < walks[0].size(); ++j) {
    auto quantity = [&](auto&& measure) -> std::optional<AffineDim> {
      for (int i = 0; i < k; ++i) moved[static_cast<size_t>(i)] = measure(walks[static_cast<size_t>(i) + 1][j].value);
      return Fit(measure(walks[0][j].value), moved, measure(walks.back()[j].value), base);
    };
    const ir::Value* v = walks[0][j].value;
    std::vector<AffineDim> dims;
    bool dynamic = false;
    for (int64_t d = 0; d < v->shape().rank(); ++d) {
      std::optional<AffineDim> dim = quantity([d](const ir::Value* x) { return x->shape().dim(d); });
      if (!dim) return NotAFamily(function, StrCat("a dim of a ", walks[0][j].maker, " is not affine in the batch"));
      dynamic |= !dim->is_constant();
      dims.push_back(std::move(*dim));
    }
    std::optional<AffineDim> elements = quantity([](const ir::Value* x) { return *x->shape().num_elements(); });
    if (!elements) {
      return NotAFamily(function, StrCat("the size of a ", walks[0][j].maker, " is not affine in the batch"));
    }
    const std::vector<int64_t> key(v->shape().dims().begin(), v->shape().dims().end());
    auto [it, inserted] = dims_of_shape.try_emplace(key, dims);
    if (!inserted && it->second != dims) return NotAFamily(function, "two different shapes coincide at the probe");
    if (dynamic) family.dims.Set(v, std::move(dims), std::move(*elements));
  }
  family.probe_types = family.pattern.WithValues(call_types, base);
  family.lowered = std::move(probes[0]);
  return family;
}

std::optional<std::vector<int64_t>> MatchShapeFamily(const ShapeFamily& family, const ir::Function& function,
                                                     std::span<const ir::TensorType> call_types) {
  std::optional<std::vector<int64_t>> values = family.pattern.SymbolValues(call_types, family.probe_types);
  if (!values) return std::nullopt;
  absl::StatusOr<LoweredFunction> lowered = LowerForCodegen(function, call_types);
  if (!lowered.ok()) return std::nullopt;
  const std::vector<WalkedValue> want = WalkValues(*family.lowered.function);
  const std::vector<WalkedValue> got = WalkValues(*lowered->function);
  if (!SameStructure(want, got)) return std::nullopt;
  for (size_t j = 0; j < want.size(); ++j) {
    const std::vector<AffineDim> dims = family.dims.Dims(want[j].value);
    for (size_t d = 0; d < dims.size(); ++d) {
      if (dims[d].Evaluate(*values) != got[j].value->shape().dim(static_cast<int64_t>(d))) return std::nullopt;
    }
  }
  return values;
}

}  // namespace graphc::codegen
