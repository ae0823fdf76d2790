// Buffer planning: where every value of a function lives at run time, so an
// executor can run the function with no heap allocation: each intermediate
// gets an offset in one arena sized once, reused by values whose lifetimes do
// not overlap. docs/passes.md ("plan-buffers") has the rules and the printed
// form; in short:
//
// - Ops are numbered in program order, flattened pre-order over nested
//   regions (as the printer numbers values). A value lives from its defining
//   op to its last use; a use inside a `while` of a value defined outside it
//   lasts to the end of the while (the body reruns); results of an op with
//   regions live at least to the end of its regions; function results live
//   to the `return`.
// - Each value is placed as one of BufferKind. Values inside fusion bodies
//   are not planned (they become registers and loop temporaries).
// - Arena buffers (a root value and the values sharing its bytes: in-place
//   results and views) are packed with two heuristics, greedy by size and
//   first fit in program order; the smaller arena wins.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/module.h"

namespace graphc::passes {

class Pass;

enum class BufferKind : uint8_t {
  kArena,     // its own bytes at an offset in the arena
  kInPlace,   // writes over an operand's arena buffer (elementwise, last use)
  kView,      // shares its source's bytes (reshape-like ops, region arguments)
  kParam,     // the caller's buffer (a function parameter)
  kConstant,  // the read-only constant pool
  kVariable,  // a read_var result aliasing the variable's own storage, or
              // a value assigned to it computed there (PlanOptions)
  kDynamic,   // `?` dims: allocated at run time, no arena bytes
  kResult,    // the caller's buffer for a function result (PlanOptions)
};
inline constexpr int kNumBufferKinds = 8;
std::string_view BufferKindName(BufferKind kind);

// Every arena offset is a multiple of this, and buffers are packed (and
// counted in arena_bytes and peak_live_bytes) with their sizes rounded up to
// it, so vector loads of any width up to a cache line stay aligned.
inline constexpr int64_t kBufferAlignment = 64;

// Where one value lives. Live ranges are op numbers, both ends inclusive.
struct ValueBuffer {
  // Valid while the function is not changed; printing does not use it.
  const ir::Value* value = nullptr;
  std::string name;  // as the printer names it: "%3", "%x"
  std::string type;  // "f32[64,20]"
  BufferKind kind = BufferKind::kArena;
  int64_t size = 0;  // bytes of the value (0 when dynamic)
  int live_begin = 0;
  int live_end = 0;
  // kInPlace and kView: the index in BufferPlan::values of the value whose
  // bytes this one shares; -1 otherwise.
  int source = -1;
  // The index of the value owning the bytes (following `source` to the
  // end): itself for every kind but kInPlace and kView.
  int root = -1;
  // The arena offset of the bytes (also for in-place values and views of an
  // arena buffer); -1 when not in the arena.
  int64_t offset = -1;
  // kVariable: the variable aliased. kArena: set when this read_var result is
  // a copy, because the variable is written while the value is still live.
  std::string variable;
  // On roots in the arena: the last op number at which the buffer is in use
  // (the latest live_end of the values sharing it).
  int buffer_end = -1;
  // kResult: which result of the function these bytes are.
  int result = -1;
};

struct BufferPlan {
  std::string function;
  int num_ops = 0;  // op numbers run from 0 to num_ops - 1
  // Parameters, then op results and region arguments in printing order.
  std::vector<ValueBuffer> values;
  int64_t arena_bytes = 0;      // max over arena buffers of offset + rounded size
  int64_t peak_live_bytes = 0;  // max over ops of the rounded sizes of live arena buffers
  std::string heuristic;        // which packing won: "greedy-by-size" or "first-fit"

  int Count(BufferKind kind) const;
  // The plan of `v`, or null if it is not planned (inside a fusion body,
  // or not in this function).
  const ValueBuffer* Find(const ir::Value* v) const;
};

struct PlanOptions {
  // An executor that hands the function the caller's result buffers can
  // have results computed straight into them: a returned value whose
  // buffer would be in the arena, defined in the function's body (not in a
  // nested region) and returned once (no other result shares its bytes),
  // becomes kResult, and so do the in-place results and views sharing its
  // bytes. Saves a copy per result; off by default, so a plan shows where
  // values live when results are copied out.
  bool results_in_caller_buffers = false;
  // A value the body `assign`s to a variable can be computed straight into
  // the variable's storage (kVariable, naming it), so the assign copies
  // nothing: an optimizer's new moments are written where they live. Only
  // where no one can tell: the value is an arena buffer of its own, defined
  // and assigned in the body itself by an op without nested regions; the
  // variable is neither read (by a read_var, other than as an operand the
  // defining op reads elementwise at the same position) nor written (by
  // another assign or a call) from the definition until the assign, nor
  // written again while the value is still read. Off by default, like
  // results_in_caller_buffers.
  bool assigned_values_in_variables = false;
};

// Plans the buffers of `function`. Fails on sizes beyond 2^62 bytes.
absl::StatusOr<BufferPlan> PlanBuffers(const ir::Function& function, PlanOptions options = {});

// The plan as `//` comment lines (so it can follow a module and the text still
// parses): a summary line, then one line per value.
std::string PrintBufferPlan(const BufferPlan& plan);

// The "plan-buffers" pass: plans every function into
// PassContext::buffer_plans; it does not change the IR.
std::unique_ptr<Pass> CreatePlanBuffersPass();

}  // namespace graphc::passes
