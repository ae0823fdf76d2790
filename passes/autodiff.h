// Reverse-mode automatic differentiation as an IR-to-IR transformation.
//
// Given target values and, per target, the gradient flowing into it (its
// "seed"; ones when absent, i.e. the gradient of the sum of the target, as
// tf.GradientTape computes), EmitGradients appends to the same function the
// ops computing the gradient with respect to each source, walking the
// target's region backwards and applying each op's VJP rule from the
// registry. Backward ops are ordinary IR, so later passes (CSE, fusion)
// optimise forward and backward together, and differentiating the result
// again gives higher-order gradients.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "ir/builder.h"

namespace graphc::passes {

// What a source with no path to any target gets (tf.UnconnectedGradients).
enum class UnconnectedGradients { kNone, kZero };

struct GradientRequest {
  // Floating-point values in one region; the gradient ops are built with the
  // given Builder, which must insert at the end of that region.
  std::vector<ir::Value*> targets;
  // One per target, or empty for all-ones seeds. A null entry means ones.
  std::vector<ir::Value*> seeds;
  // Each source is a group of values whose gradients are summed: one value
  // for a tensor, every read of a variable for a variable.
  std::vector<std::vector<ir::Value*>> sources;
  UnconnectedGradients unconnected = UnconnectedGradients::kNone;
  // Ops whose results count as constants (like tf.stop_gradient): no
  // gradient flows back through them. Their results may still be sources.
  std::vector<const ir::Op*> stop_ops;
};

// One gradient per source, with the source's type; null for an unconnected
// source under UnconnectedGradients::kNone.
absl::StatusOr<std::vector<ir::Value*>> EmitGradients(ir::Builder& b, const GradientRequest& request);

}  // namespace graphc::passes
