#include "compiler/codegen/symbolic_arena.h"

#include <algorithm>

#include "ir/dtype.h"

namespace graphc::codegen {
namespace {

using passes::BufferKind;

// a <= b for every value of the (non-negative) dims: term by term.
bool AtMost(const AffineDim& a, const AffineDim& b) {
  if (a.constant > b.constant) return false;
  for (size_t i = 0; i < std::max(a.coefs.size(), b.coefs.size()); ++i) {
    if (a.coef(static_cast<int>(i)) > b.coef(static_cast<int>(i))) return false;
  }
  return true;
}

// The value at a typical batch size: orders the candidate offsets.
int64_t AtTypical(const AffineDim& a) {
  constexpr int64_t kTypicalDim = 64;
  int64_t v = a.constant;
  for (int64_t c : a.coefs) v += c * kTypicalDim;
  return v;
}

struct Block {
  int value;  // index into BufferPlan::values
  AffineDim size;
  int64_t probe_size;  // the plan's size, at the probe: the packing order
  int begin, end;
  AffineDim offset;
};

bool Overlap(const Block& a, const Block& b) { return a.begin <= b.end && b.begin <= a.end; }

}  // namespace

SymbolicArena PlaceArena(const passes::BufferPlan& plan, const DimTable& dims) {
  SymbolicArena arena;
  arena.offsets.resize(plan.values.size());
  std::vector<Block> blocks;
  for (int i = 0; i < static_cast<int>(plan.values.size()); ++i) {
    const passes::ValueBuffer& vb = plan.values[static_cast<size_t>(i)];
    if (vb.kind != BufferKind::kArena || vb.size == 0) continue;
    const AffineDim bytes = dims.NumElements(vb.value) * ir::DTypeSize(vb.value->dtype());
    blocks.push_back(Block{i, RoundUpTerms(bytes, passes::kBufferAlignment), vb.size, vb.live_begin,
                           vb.buffer_end, {}});
  }
  std::stable_sort(blocks.begin(), blocks.end(), [](const Block& x, const Block& y) {
    return x.probe_size != y.probe_size ? x.probe_size > y.probe_size : x.begin < y.begin;
  });
  for (size_t b = 0; b < blocks.size(); ++b) {
    Block& block = blocks[b];
    std::vector<const Block*> busy;
    for (size_t p = 0; p < b; ++p) {
      if (Overlap(blocks[p], block)) busy.push_back(&blocks[p]);
    }
    // Candidates, tried from the lowest; the bound of every end always fits.
    std::vector<AffineDim> candidates = {AffineDim::Constant(0)};
    AffineDim above_all;
    for (const Block* p : busy) {
      candidates.push_back(p->offset + p->size);
      above_all = UpperBound(above_all, p->offset + p->size);
    }
    candidates.push_back(above_all);
    auto fits = [&](const AffineDim& at) {
      const AffineDim end = at + block.size;
      return std::all_of(busy.begin(), busy.end(), [&](const Block* p) {
        return AtMost(end, p->offset) || AtMost(p->offset + p->size, at);
      });
    };
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const AffineDim& x, const AffineDim& y) { return AtTypical(x) < AtTypical(y); });
    for (const AffineDim& c : candidates) {
      if (fits(c)) {
        block.offset = c;
        break;
      }
    }
    arena.bytes = UpperBound(arena.bytes, block.offset + block.size);
  }
  for (const Block& block : blocks) arena.offsets[static_cast<size_t>(block.value)] = block.offset;
  for (size_t i = 0; i < plan.values.size(); ++i) {
    const passes::ValueBuffer& vb = plan.values[i];
    if ((vb.kind == BufferKind::kInPlace || vb.kind == BufferKind::kView) &&
        plan.values[static_cast<size_t>(vb.root)].kind == BufferKind::kArena) {
      arena.offsets[i] = arena.offsets[static_cast<size_t>(vb.root)];
    }
  }
  return arena;
}

}  // namespace graphc::codegen
