// Canonicalization: constant folding (passes/constant_fold.h) and the
// algebraic rules (passes/algebraic_rules.h), applied over every function
// and every nested region (cond/while branches, fusion bodies) until
// nothing more applies. Exact: results are bit for bit what the
// interpreter computes on the original IR.
//
// Running it twice changes nothing the second time, and it reports a change
// only when it rewrote something. Ops its rewrites leave unused are erased;
// ops that were dead before are left to DCE.
#pragma once

#include <memory>

#include "passes/pass.h"

namespace graphc::passes {

std::unique_ptr<Pass> CreateCanonicalizePass();

}  // namespace graphc::passes
