// Operator fusion: groups ops into the units codegen turns into loop nests,
// and outlines each group of two or more ops as a `fusion` op whose region
// holds the group (docs/passes.md has the rules and examples).
//
// The rules follow the fusion-kind lattice (ir/op_registry.h FusionKind):
// - matmul epilogues: a matmul absorbs the chain of elementwise/broadcast
//   ops that consume it one after another with the matmul's own shape (bias
//   add, activation, the masking in a relu gradient) -> kind "matmul";
// - producer fusion, consumers first: an elementwise, broadcast, injective
//   or reduction op joins the group of its users when all of them are in one
//   group (or are the region's terminator), the group is not a matmul's
//   operand side, and joining creates no cycle between groups -> kind
//   "loop" (no reductions) or "reduction" (softmax, log-sum-exp, the sums of
//   losses and of gradients with the elementwise ops around them).
// Opaque ops (control flow, calls, variable ops, random numbers) stay alone.
// Small constants (<= 64 bytes) used by a group are copied into its body;
// larger ones become inputs. Nested cond/while regions are fused too.
#pragma once

#include <memory>

#include "passes/pass.h"

namespace graphc::passes {

std::unique_ptr<Pass> CreateFusionPass();

// Small constants are copied into fusion bodies instead of passed in.
inline constexpr int64_t kMaxInlinedConstantBytes = 64;

}  // namespace graphc::passes
