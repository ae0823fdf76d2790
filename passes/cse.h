// Common subexpression elimination: of two ops with the same name, operands,
// attributes and result types, the later one is replaced by the earlier one
// when the earlier dominates it (comes before it in the same region, or in
// an enclosing region that is not isolated). Ops with regions, ops that
// write variables and terminators are left alone; a `read_var` is merged
// only with a read of the same variable in the same region with no variable
// write between them.
#pragma once

#include <memory>

#include "passes/pass.h"

namespace graphc::passes {

std::unique_ptr<Pass> CreateCsePass();

}  // namespace graphc::passes
