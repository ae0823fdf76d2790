// The op sample table: deterministic example inputs for every registered op
// that can run on its own. One table serves every test that must run "each
// op": eager-vs-traced parity, the registry completeness check, and (later)
// gradient checks and JIT-vs-interpreter comparisons.
//
// Conventions every sample follows, so other tests can rely on them:
// - Built from fixed formulas (no clocks, no global RNG): two calls to
//   SamplesFor(op) give bitwise-equal operands.
// - Valid: shape/dtype inference accepts the operands and attributes, and
//   float inputs lie where the op is defined (log, sqrt, rsqrt get positive
//   inputs; float divisors are nonzero).
// - Varied: negative numbers and zeros, broadcasting shapes, scalars, every
//   dtype the op accepts, and non-default attributes alongside samples that
//   leave attributes at their defaults.
// - Finite, except samples whose name ends in "_special": those hold NaN,
//   infinities, -0.0 or values at the edge of an integer range, to pin down
//   documented edge-case semantics. Finite-difference gradient checks should
//   skip them (see IsSpecial).
// - Named with [a-z0-9_] only, unique within the op, so "<op>_<name>" is a
//   valid GoogleTest parameter name.
#pragma once

#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "compiler/host_tensor.h"
#include "ir/attribute.h"
#include "ir/module.h"

namespace graphc::test {

struct OpSample {
  std::string op;                    // registry name
  std::vector<HostTensor> operands;  // static shapes
  ir::AttrMap attrs;                 // only the attributes the sample sets
  std::string name;                  // e.g. "f32_broadcast"
};

// The samples of `op`, in a fixed order; empty for an unknown op and for the
// ops in OpsWithoutSamples().
std::vector<OpSample> SamplesFor(std::string_view op);

// Registered ops that have no samples, because they cannot run as a single
// op on plain tensors (each entry says why in op_samples.cc). Tests cover
// them with hand-written functions instead.
const std::set<std::string>& OpsWithoutSamples();

// The ops the table has samples for, sorted (to catch entries for ops that
// no longer exist).
std::vector<std::string> SampledOps();

// Every sample of every registered op, ops in registry (name) order.
std::vector<OpSample> AllSamples();

// True for a sample holding NaN / infinity / -0.0 / integer-range edges.
bool IsSpecial(const OpSample& sample);

// A module whose function @f runs `sample` as the only op of a `fusion` of
// `kind` ("loop", "reduction", ...): how the JIT tests compile one op.
absl::StatusOr<std::unique_ptr<ir::Module>> OneOpFusion(const OpSample& sample, const std::string& kind);

// "add/f32_broadcast(f32[2,3], f32[3]) {axis = 1}": for test failure messages.
std::string Describe(const OpSample& sample);
// GoogleTest prints parameters with this.
void PrintTo(const OpSample& sample, std::ostream* os);

// Tensor makers used by the table, exposed for tests that need more inputs of
// the same kind. Values are converted to `dtype` (ConvertNumber rules).
HostTensor MakeTensor(ir::DType dtype, ir::Shape shape, const std::vector<double>& values);
// Element i is ((7 * i + 3 * seed) mod 11 - 5) * step: -5..5 steps, zero
// included, in an order that is not sorted. step is 0.5 for floats, 1 for
// integers; bool is (that value > 0).
HostTensor Pattern(ir::DType dtype, ir::Shape shape, int seed = 0);
// Strictly positive floats: 0.25 + ((7 * i + 3 * seed) mod 11) * 0.5.
HostTensor Positive(ir::DType dtype, ir::Shape shape, int seed = 0);

}  // namespace graphc::test
