// Arena offsets for a shape family (shape_family.h): the buffer plan's
// lifetimes and sharing, with every size and offset an affine function of
// the run-time dims, placed so that no two buffers live at once overlap for
// any value of the dims.
//
// Sizes are rounded term by term to kBufferAlignment, so every offset stays
// aligned. Offsets are packed greedily by size (at the probe): a buffer
// goes at the lowest candidate (0 or the end of a buffer it meets in time)
// that, term by term, lies wholly below or above each buffer it meets —
// which, the dims being non-negative, keeps them apart at every size.
#pragma once

#include <vector>

#include "compiler/codegen/dim_table.h"
#include "passes/buffer_plan.h"

namespace graphc::codegen {

struct SymbolicArena {
  // Per BufferPlan::values entry: the arena offset of its bytes (roots in
  // the arena and the values sharing them); unset (0) for the others.
  std::vector<AffineDim> offsets;
  AffineDim bytes;  // the arena's size
};

SymbolicArena PlaceArena(const passes::BufferPlan& plan, const DimTable& dims);

}  // namespace graphc::codegen
