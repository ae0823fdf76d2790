// The one authoritative list of ops. Each op is defined in one block of one
// family file (ir/ops/*.cc) as an OpDef: arity, attributes, shape/dtype
// inference, fusion kind, how it executes (a scalar definition, a runtime
// kernel, or structurally by the executor), and its gradient rule.
// tests/compiler/registry_test.cc walks every op and fails when a piece is
// missing (and tests/ir/roundtrip_test.cc wants a .gir example of each).
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ir/attribute.h"
#include "ir/scalar.h"
#include "ir/type.h"

namespace graphc::ir {

class Builder;
class Module;
class Op;
class Region;

// TVM's fusion lattice: an op may fuse into a group whose kind is at least its
// own. Ordered: elementwise < broadcast < injective < reduction < opaque.
enum class FusionKind : uint8_t {
  kElementwise,  // out[i] = f(in0[i], in1[i], ...) on equal shapes
  kBroadcast,    // elementwise after NumPy broadcasting of the inputs
  kInjective,    // each output element reads one input element (transpose, slice, gather)
  kReduction,    // combines many input elements into one (sum, max, ...)
  kOpaque,       // anything else: its own group (matmul, control flow, calls)
};
std::string_view FusionKindName(FusionKind kind);

// An attribute an op accepts. No default means the attribute is required.
struct AttrSpec {
  std::string_view name;
  AttrKind kind;
  std::optional<Attribute> default_value;
};

// What shape/dtype inference sees: operand types, attributes (defaults
// filled in), the op's regions (already built, for cond/while), and the
// module (for `call` and variable ops; may be null when building detached).
struct InferContext {
  std::string_view op_name;
  std::span<const TensorType> operands;
  const AttrMap& attrs;
  std::span<const Region* const> regions;
  const Module* module;

  const TensorType& operand(size_t i) const { return operands[i]; }
  template <typename T>
  const T& attr(std::string_view name) const {
    return std::get<T>(attrs.find(name)->second);
  }
};

using InferFn = absl::StatusOr<std::vector<TensorType>> (*)(const InferContext&);
// Checks beyond inference (region signatures, symbol references). Optional.
using VerifyFn = absl::Status (*)(const Op&);
// The scalar definition of an elementwise op: computes one output element
// from one element of each operand (after broadcasting).
using ScalarFn = Scalar (*)(ScalarBuilder&, std::span<const Scalar> operands,
                            const AttrMap& attrs);
// Reverse-mode rule: given the gradients of the op's results (null when a
// result has none), emits IR with `b` and returns one gradient per operand
// (null where an operand gets none).
using VjpFn = absl::StatusOr<std::vector<class Value*>> (*)(
    Builder& b, const Op& op, std::span<class Value* const> result_grads);

struct OpDef {
  std::string_view name;
  std::string_view summary;  // one line, shown by docs and `graphc ops`
  // Exact operand count, or kVariadic with `min_operands`.
  int num_operands = 0;
  int min_operands = 0;
  int num_regions = 0;
  std::vector<AttrSpec> attrs;
  InferFn infer = nullptr;
  VerifyFn verify = nullptr;
  FusionKind fusion = FusionKind::kOpaque;

  // How it executes: exactly one of these is set.
  // - scalar: elementwise ops, defined once against ScalarBuilder.
  // - kernel: a named runtime library function (matmul through Eigen,
  //   counter-based random numbers, ...) that compiled code calls; the
  //   interpreter has an implementation under the same name.
  // - structural: each executor implements the op from its documented
  //   semantics (constants, index-mapping ops such as transpose and slice,
  //   reductions, control flow, calls, variables).
  ScalarFn scalar = nullptr;
  std::string_view kernel;
  bool structural = false;

  // Differentiation: a rule, or an explicit mark that none exists.
  VjpFn vjp = nullptr;
  bool not_differentiable = false;

  bool is_terminator = false;     // yield / return: last op of a region
  bool has_side_effects = false;  // writes state (assign*): DCE keeps it
  bool isolated_regions = false;  // regions may not use values from outside

  static constexpr int kVariadic = -1;
};

class OpRegistry {
 public:
  // The process-wide registry with every family registered.
  static const OpRegistry& Get();

  const OpDef* Find(std::string_view name) const;
  // All ops, sorted by name.
  std::vector<const OpDef*> All() const;

  // Used by the family files; fails loudly on a duplicate name.
  void Register(OpDef def);

 private:
  std::vector<std::unique_ptr<OpDef>> defs_;
  absl::flat_hash_map<std::string_view, const OpDef*> by_name_;
};

// The family registration functions, one per ir/ops/*.cc file.
void RegisterElementwiseOps(OpRegistry& registry);
void RegisterReduceOps(OpRegistry& registry);
void RegisterShapeOps(OpRegistry& registry);
void RegisterLinalgOps(OpRegistry& registry);
void RegisterGeneratorOps(OpRegistry& registry);
void RegisterControlOps(OpRegistry& registry);
void RegisterStateOps(OpRegistry& registry);

}  // namespace graphc::ir
