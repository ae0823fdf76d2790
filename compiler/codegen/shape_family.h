// Shape families: one compiled function for every batch size.
//
// A function whose parameters have `?` dims is called with concrete
// shapes. The `?` dims of a call that are at least 2 become symbols, one
// per distinct value (dims equal in the call share a symbol: the batch dim
// of the images and of the labels). The family's function is lowered
// (lower_for_codegen.h) at a "probe" shape, a large unusual value per
// symbol, and its DimTable says how each dim of each value depends on the
// symbols. The dependence is found by lowering at more probes, one per
// symbol moved, and fitting c + sum_i a_i * s_i with integer coefficients;
// one more probe that moves every symbol checks the fit. Dims that are not
// affine in the symbols (a slice clamped by a bound, the product of two
// symbols) make the family fail, and the caller compiles per shape.
//
// Probes are large, so a dim fitted at them can still behave differently
// at small sizes (x[:10] has 10 rows at every probe, but 5 when the batch
// is 5). So a family is only used for a call after Match has lowered the
// function at the call's shapes and found every dim where the fit says:
// exactness rests on that check, not on the probes.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "compiler/codegen/dim_table.h"
#include "compiler/codegen/lower_for_codegen.h"
#include "ir/module.h"

namespace graphc::codegen {

// Which parameter dims are symbols in a call.
struct SymbolPattern {
  // Per parameter, per dim: the symbol, or -1 for a static dim.
  std::vector<std::vector<int>> param_symbols;
  int num_symbols = 0;

  // The symbols' values in a call with these types, or nullopt if the call
  // does not fit the pattern: a symbol's dims differ, one is 0 or 1 (which
  // broadcast or empty differently), or a static dim differs from
  // `static_types`.
  std::optional<std::vector<int64_t>> SymbolValues(std::span<const ir::TensorType> types,
                                                   std::span<const ir::TensorType> static_types) const;
  // `types` with every symbol's dims set to its value in `values`.
  std::vector<ir::TensorType> WithValues(std::span<const ir::TensorType> types,
                                         std::span<const int64_t> values) const;
};

// The pattern of a call of `function` with `call_types`: each `?` dim of a
// parameter that is at least 2 in the call is a symbol, dims of equal value
// sharing one, unless other shapes pin it (it cannot take another value).
// Costs a specialization per symbol (more when a value is pinned).
SymbolPattern FindSymbols(const ir::Function& function, std::span<const ir::TensorType> call_types);

struct ShapeFamily {
  SymbolPattern pattern;
  std::vector<ir::TensorType> probe_types;  // the parameter types at the base probe
  LoweredFunction lowered;                  // at the base probe
  DimTable dims;                            // of lowered.function's values
};

// The family of `function` around a call with `call_types` (which has at
// least one symbol). FailedPrecondition when the function does not lower
// the same way at every probe or a dim is not affine in the symbols.
absl::StatusOr<ShapeFamily> DeriveShapeFamily(const ir::Function& function,
                                              std::span<const ir::TensorType> call_types);

// The symbol values for a call with `call_types` if the family's code is
// exact for it: the call fits the pattern and, lowered at these types, the
// function has the family's structure with every dim where the table
// says. Costs one lowering (no code generation).
std::optional<std::vector<int64_t>> MatchShapeFamily(const ShapeFamily& family, const ir::Function& function,
                                                     std::span<const ir::TensorType> call_types);

}  // namespace graphc::codegen
