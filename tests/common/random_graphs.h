// Random IR graphs for differential tests: the same graph run two ways (the
// interpreter before and after the pass pipeline, the JIT against the
// interpreter) must give the same values. Each graph is a module with one
// function `@main` (sometimes calling helper functions), built op by op
// through ir::Builder, so shape/dtype inference has accepted every op.
//
// Guarantees tests can rely on:
// - Deterministic per (seed, kind) on every platform: choices come from
//   std::mt19937_64 (specified bit for bit by the standard) through
//   distributions computed here from its raw 64-bit draws, never the
//   standard library's distributions (their algorithms are unspecified).
// - Runnable: RandomInputs gives arguments @main accepts, and ops get
//   operands where they are defined (log, sqrt and rsqrt see abs(x) + eps,
//   pow a positive base), except for a few deliberate sources of -0.0,
//   infinities and NaN (neg(relu x), log(relu x), x / relu(y)): with the
//   special inputs, they make rewrites that are wrong for those values show.
// - Redundant on purpose, so the cleanup passes have work: duplicate
//   subexpressions, x * 1, x / 1, neg(neg x), transpose of a transpose,
//   reshape chains, broadcast scalars, size-1 reductions, identity casts,
//   dead ops, ops on constants only, calls of helper functions. Also traps a
//   wrong simplification would fall into: x + 0.0 (not x for x = -0.0),
//   x - x and x * 0 (not 0 for inf or NaN), cast f64 -> f32 -> f64.
// - Dynamic dims: in about a third of the graphs some parameter dims are `?`
//   (size-1 dims included, so broadcasting is decided at run time). Such a
//   parameter's name hint records its run-time shape after its last '.':
//   `%x.4x1x8: f32[?,?,8]`. Parsers keep name hints, so a printed graph
//   keeps it too; RunTimeShape reads it back.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "compiler/host_tensor.h"
#include "ir/module.h"

namespace graphc::test {

enum class GraphKind : uint8_t {
  // Chains of elementwise ops on operands that broadcast against each other
  // ([4,1,8] with [8], [] and [4,3,8]); f32, f64 or i32.
  kElementwise,
  // reduce_sum/mean/max/min/prod over random axes with and without keepdims,
  // softmax, log_softmax, log-sum-exp and softmax written out, layer norm,
  // argmax, with elementwise ops around them.
  kReduction,
  // matmul (transposed operands, batches) with epilogues: bias add,
  // relu/sigmoid/tanh, and more ops after.
  kMatmul,
  // A small MLP's loss (mean squared error or softmax cross-entropy) and its
  // gradients with respect to the weights, from passes::EmitGradients or
  // through passes::BuildGradientFunction (then called from @main), plus an
  // SGD step on the weights.
  kMlp,
  // Matmul layers, elementwise ops, reductions, redundancy and calls in one
  // graph; a third of them also return the gradient of the newest value's
  // sum with respect to every parameter.
  kMixed,
};

inline constexpr GraphKind kAllGraphKinds[] = {GraphKind::kElementwise, GraphKind::kReduction,
                                               GraphKind::kMatmul, GraphKind::kMlp,
                                               GraphKind::kMixed};

// "elementwise", "reduction", "matmul", "mlp", "mixed".
std::string_view GraphKindName(GraphKind kind);

// A module whose function `@main` computes a random graph of `kind`. An error
// means a bug in the generator (an op inference rejected), never bad luck.
absl::StatusOr<std::unique_ptr<ir::Module>> RandomGraph(uint64_t seed, GraphKind kind);

// The shape `param` has at run time: its static shape, or the one its name
// hint records (above). A `?` with no recorded size is 1.
ir::Shape RunTimeShape(const ir::Value& param);

// Arguments for `function`'s parameters, shaped by RunTimeShape: floats
// uniform in [-2, 2), integers in [-8, 8], bools fair coins. A third of the
// seeds also plant special floats (-0.0, +-inf, NaN) in about one element in
// eight. Deterministic per seed, like RandomGraph.
std::vector<HostTensor> RandomInputs(const ir::Function& function, uint64_t seed);

}  // namespace graphc::test
