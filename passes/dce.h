// Dead code elimination: deletes ops none of whose results is used, unless
// they write a variable (assign*, or control flow / calls that do). Runs
// inside nested regions too. Random-number ops are pure (a seed fixes their
// numbers), so unused ones go as well.
#pragma once

#include <memory>

#include "passes/pass.h"

namespace graphc::passes {

std::unique_ptr<Pass> CreateDcePass();

}  // namespace graphc::passes
