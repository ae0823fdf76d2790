#include "compiler/frontend/dispatch.h"

#include <cmath>
#include <optional>

#include "compiler/frontend/tape_impl.h"
#include "compiler/frontend/tensor_impl.h"
#include "compiler/frontend/trace_state.h"
#include "compiler/interpreter/interpreter.h"
#include "ir/op_registry.h"
#include "ir/str_cat.h"

namespace graphc {

TraceState* TraceFor(const std::vector<Tensor>& operands, std::string_view op,
                     const std::source_location& loc) {
  for (size_t i = 0; i < operands.size(); ++i) {
    if (!operands[i].defined()) {
      throw Error(absl::InvalidArgumentError(StrCat(op, ": operand ", i, " is an undefined Tensor")), loc);
    }
  }
  TraceState* current = TraceState::Current();
  for (const Tensor& t : operands) {
    const TensorImpl& impl = t.impl();
    if (!impl.traced()) continue;
    if (current == nullptr || current->id() != impl.trace_id) {
      throw Error(absl::FailedPreconditionError(StrCat(
                      op, ": an operand is a traced tensor from a function whose tracing has "
                          "finished; return it from the function to use its value")),
                  loc);
    }
  }
  return current;
}

namespace {

// Gives weak scalars (C++ numbers) the dtype of the other operands of an
// elementwise op, as TensorFlow does for Python numbers: `x * 2` with f32 x
// multiplies by 2.0f. A conversion that would change the value (0.5 to an
// integer tensor) is an error rather than a silent truncation.
std::vector<Tensor> PromoteWeakScalars(std::string_view op, const std::vector<Tensor>& operands,
                                       const std::source_location& loc) {
  const ir::OpDef* def = ir::OpRegistry::Get().Find(op);
  if (def == nullptr || def->scalar == nullptr || op == "cast") return operands;
  const size_t first = op == "select" ? 1 : 0;  // select's condition stays bool
  std::optional<DType> strong;
  bool any_weak = false;
  for (size_t i = first; i < operands.size(); ++i) {
    if (!operands[i].defined()) return operands;  // reported by TraceFor
    if (operands[i].impl().weak) {
      any_weak = true;
    } else if (!strong) {
      strong = operands[i].dtype();
    }
  }
  if (!any_weak || !strong) return operands;
  std::vector<Tensor> out = operands;
  for (size_t i = first; i < out.size(); ++i) {
    const TensorImpl& impl = out[i].impl();
    if (!impl.weak || impl.value.dtype() == *strong) continue;
    const double v = impl.value.GetDouble(0);
    HostTensor converted(*strong, Shape{});
    converted.SetDouble(0, v);
    if (converted.GetDouble(0) != v && !std::isnan(v)) {
      throw Error(absl::InvalidArgumentError(StrCat(op, ": the number ", v, " cannot be used with a ",
                                                    ir::DTypeName(*strong), " tensor without changing its value; "
                                                    "cast the tensor first")),
                  loc);
    }
    out[i] = MakeEager(std::move(converted));
  }
  return out;
}

}  // namespace

std::vector<Tensor> ApplyOp(std::string_view op, const std::vector<Tensor>& given_operands,
                            ir::AttrMap attrs, const std::source_location& loc) {
  const std::vector<Tensor> operands = PromoteWeakScalars(op, given_operands, loc);
  TraceState* trace = TraceFor(operands, op, loc);
  if (trace != nullptr) {
    std::vector<ir::Value*> values;
    values.reserve(operands.size());
    for (const Tensor& t : operands) values.push_back(trace->ValueOf(t, loc));
    ir::Builder& b = trace->builder();
    b.set_loc(ToIrLocation(loc));
    ir::Op* built = ValueOrThrow(b.Create(op, std::move(values), std::move(attrs)), loc);
    std::vector<Tensor> out;
    for (int i = 0; i < built->num_results(); ++i) out.push_back(MakeTraced(built->result(i), trace->id()));
    return out;
  }
  std::vector<HostTensor> inputs;
  inputs.reserve(operands.size());
  for (const Tensor& t : operands) inputs.push_back(t.impl().value);
  const bool record = TapeImpl::AnyEagerTapeActive();
  const ir::AttrMap attrs_for_tape = record ? attrs : ir::AttrMap{};
  std::vector<HostTensor> results =
      ValueOrThrow(interp::EvalOp(op, inputs, std::move(attrs), nullptr), loc);
  std::vector<Tensor> out;
  out.reserve(results.size());
  for (HostTensor& r : results) out.push_back(MakeEager(std::move(r)));
  if (record) TapeImpl::RecordEagerOp(op, attrs_for_tape, operands, out, loc);
  return out;
}

Tensor ApplyOp1(std::string_view op, const std::vector<Tensor>& operands, ir::AttrMap attrs,
                const std::source_location& loc) {
  std::vector<Tensor> out = ApplyOp(op, operands, std::move(attrs), loc);
  return out.at(0);
}

}  // namespace graphc
