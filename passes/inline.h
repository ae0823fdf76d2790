// Inlining: replaces a `call` by a copy of the callee's body, so the later
// passes (and autodiff) see one graph. Callees are inlined bottom-up: a call
// is inlined once its callee contains no calls itself, so recursive
// functions stay calls. A call is also kept when its argument types differ
// from the callee's parameter types (a static argument for a `?`
// parameter): the copied body would need its types re-inferred, which is
// not done yet. The callee functions stay in the module (they may be entry
// points); DCE does not remove functions.
#pragma once

#include <memory>

#include "passes/pass.h"

namespace graphc::passes {

std::unique_ptr<Pass> CreateInlinePass();

}  // namespace graphc::passes
