// Applies an op to Tensors: runs it at once (eager) or appends it to the
// active trace. Every public op function goes through here.
#pragma once

#include <source_location>
#include <string_view>
#include <vector>

#include "graphc/tensor.h"
#include "ir/attribute.h"

namespace graphc {

std::vector<Tensor> ApplyOp(std::string_view op, const std::vector<Tensor>& operands,
                            ir::AttrMap attrs, const std::source_location& loc);
// For single-result ops.
Tensor ApplyOp1(std::string_view op, const std::vector<Tensor>& operands, ir::AttrMap attrs,
                const std::source_location& loc);

class TraceState;
// The trace that ops on `operands` belong to: the trace of a traced operand
// (which must still be active) or the current one; null when eager.
TraceState* TraceFor(const std::vector<Tensor>& operands, std::string_view op,
                     const std::source_location& loc);

}  // namespace graphc
