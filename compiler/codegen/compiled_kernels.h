// Compiles the fusion groups of a function that codegen supports (see
// loop_emitter.h) with the process's JIT, as kernels the interpreter calls
// in place of interpreting those ops. The rest of the function still runs
// on the interpreter; as codegen grows, more of it runs compiled.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "compiler/codegen/jit.h"
#include "compiler/interpreter/interpreter.h"
#include "ir/module.h"

namespace graphc::codegen {

struct CompileStats {
  int compiled_fusions = 0;     // run as native code
  int interpreted_fusions = 0;  // not supported by codegen yet
};

// Element strides of a loop input of shape `in` read along the dims of the
// output `out` (NumPy broadcasting: dims aligned on the right; 0 where `in`
// is 1 or has no dim): the kernel ABI's `in_strides` (loop_emitter.h).
std::vector<int64_t> BroadcastStrides(const ir::Shape& in, const ir::Shape& out);

// The process-wide JIT, created on first use.
absl::StatusOr<Jit*> ProcessJit();

// Kernels for every supported fusion op in `function`, nested regions
// included, and for each elementwise op left outside fusion groups (a
// producer with several consumers), compiled as a one-op loop. Loops of at
// least kParallelElements elements are split over runtime's default
// thread pool (runtime/thread_pool.h).
absl::StatusOr<interp::CompiledKernels> CompileFusionKernels(const ir::Function& function,
                                                             CompileStats* stats = nullptr);

inline constexpr int64_t kParallelElements = int64_t{1} << 18;

}  // namespace graphc::codegen
