#include "passes/pass_registry.h"

#include <algorithm>
#include <string>

#include "ir/str_cat.h"
#include "passes/buffer_plan.h"
#include "passes/canonicalize.h"
#include "passes/cse.h"
#include "passes/dce.h"
#include "passes/fusion.h"
#include "passes/inline.h"

namespace graphc::passes {

std::span<const PassInfo> AllPasses() {
  // Keep sorted by name.
  static const PassInfo kPasses[] = {
      {"canonicalize", "constant folding and exact algebraic simplification",
       &CreateCanonicalizePass},
      {"cse", "common subexpression elimination: one op for identical pure ops", &CreateCsePass},
      {"dce", "dead code elimination: removes ops whose results are unused (keeps variable writes)",
       &CreateDcePass},
      {"fuse", "groups elementwise chains, reductions and matmul epilogues into fusion ops",
       &CreateFusionPass},
      {"inline", "replaces each call by a copy of the callee's body", &CreateInlinePass},
      {"plan-buffers", "plans an arena offset (or alias) for every value; graphc opt prints it",
       &CreatePlanBuffersPass},
  };
  return kPasses;
}

absl::StatusOr<std::unique_ptr<Pass>> CreatePass(std::string_view name) {
  std::string known;
  for (const PassInfo& info : AllPasses()) {
    if (info.name == name) return info.create();
    known += StrCat(known.empty() ? "" : ", ", info.name);
  }
  return absl::InvalidArgumentError(StrCat("unknown pass '", name, "' (passes: ", known, ")"));
}

}  // namespace graphc::passes
