// Copies ops with their nested regions, remapping the values they use.
// Used by passes that duplicate IR: autodiff (re-running a cond branch to
// differentiate it) and inlining.
#pragma once

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "ir/builder.h"

namespace graphc::ir {

// Old value -> new value. Values not in the map are used as they are (a
// clone inside a region may still use values from outside it).
using ValueMap = absl::flat_hash_map<const Value*, Value*>;

// Builds a copy of `op` with `b`, operands looked up in `map`; records the
// copy's results (and nested region arguments) in `map`.
absl::StatusOr<Op*> CloneOp(Builder& b, const Op& op, ValueMap& map);

// Copies every op of `region` except its terminator into `b`'s insertion
// point and returns the mapped operands of the terminator.
absl::StatusOr<std::vector<Value*>> CloneRegionBody(Builder& b, const Region& region, ValueMap& map);

}  // namespace graphc::ir
