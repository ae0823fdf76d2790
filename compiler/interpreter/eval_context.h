// What an op evaluator sees, and the tables of evaluators per op family.
// The interpreter runs elementwise ops through their scalar definitions
// (one generic evaluator) and every other op through an evaluator here.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "compiler/host_tensor.h"
#include "ir/op_registry.h"

namespace graphc::interp {

// Variable storage while a function runs: name -> tensor, updated in place
// by the assign ops.
using VariableStore = absl::flat_hash_map<std::string, HostTensor>;

struct EvalContext {
  const ir::OpDef& def;
  const ir::AttrMap& attrs;                 // defaults filled in
  std::span<const HostTensor> operands;
  // Inferred from the operands, so static; only read_var's (the variable's
  // declared type) may have `?` dims, which the stored tensor resolves.
  std::span<const ir::TensorType> results;
  VariableStore* variables;                 // null when the caller has none

  template <typename T>
  const T& attr(std::string_view name) const {
    return std::get<T>(attrs.find(name)->second);
  }
  const HostTensor& operand(size_t i) const { return operands[i]; }
  // A zero-filled tensor for result `i`.
  HostTensor NewResult(size_t i = 0) const { return HostTensor(results[i].dtype, results[i].shape); }
};

using Outputs = absl::StatusOr<std::vector<HostTensor>>;
using OpEvaluator = Outputs (*)(const EvalContext&);
using EvaluatorTable = absl::flat_hash_map<std::string_view, OpEvaluator>;

// Each eval_*.cc file adds its family's evaluators.
void AddGeneratorEvaluators(EvaluatorTable& table);
void AddShapeEvaluators(EvaluatorTable& table);
void AddReduceEvaluators(EvaluatorTable& table);
void AddLinalgEvaluators(EvaluatorTable& table);
void AddStateEvaluators(EvaluatorTable& table);
void AddGradEvaluators(EvaluatorTable& table);  // ops gradients are built from

// All evaluators, built once.
const EvaluatorTable& Evaluators();

// Evaluates an elementwise op (OpDef::scalar) with NumPy broadcasting.
Outputs EvalElementwise(const EvalContext& ctx);

// Row-major strides of a static shape.
std::vector<int64_t> RowMajorStrides(const ir::Shape& shape);

// For each index of `out_shape` in row-major order, the flat offset into an
// operand of `in_shape` broadcast to it (stride 0 along broadcast dims).
class BroadcastIndexer {
 public:
  BroadcastIndexer(const ir::Shape& in_shape, const ir::Shape& out_shape);
  // Offset for the out-element whose multi-index is `index`.
  int64_t Offset(std::span<const int64_t> index) const;
  const std::vector<int64_t>& strides() const { return strides_; }

 private:
  std::vector<int64_t> strides_;  // per out dim
};

// Advances a row-major multi-index over `shape`; returns false after the last.
bool NextIndex(std::vector<int64_t>& index, const ir::Shape& shape);

}  // namespace graphc::interp
