// The reference interpreter: executes any IR function, op by op, on host
// tensors. It runs eager ops, traced functions under Executor::kInterpreter
// (and those codegen does not compile), and it is the oracle that compiled
// code is tested against.
// Dynamic dims are resolved as it goes: each op's result types are
// re-inferred from the concrete operand shapes, so a shape mismatch that
// only shows at run time is reported like one at build time.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "compiler/host_tensor.h"
#include "compiler/interpreter/eval_context.h"
#include "ir/module.h"

namespace graphc::interp {

// Runs `function` on `args` (checked against its parameter types).
// `variables` holds the module variables the function uses; assign ops
// update them in place.
absl::StatusOr<std::vector<HostTensor>> RunFunction(const ir::Function& function,
                                                    std::span<const HostTensor> args,
                                                    VariableStore* variables);

// Evaluates one region-free op on concrete operands: what an eager op does.
// `attrs` gets its defaults filled in.
absl::StatusOr<std::vector<HostTensor>> EvalOp(std::string_view op_name,
                                               std::span<const HostTensor> operands,
                                               ir::AttrMap attrs, VariableStore* variables,
                                               const ir::Module* module = nullptr);

// True if the interpreter can execute `def` (the registry completeness test
// checks every op).
bool CanInterpret(const ir::OpDef& def);

}  // namespace graphc::interp
