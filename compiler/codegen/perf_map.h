// Lets `perf` name JIT-compiled code. With GRAPHC_PERF_MAP set in the
// environment, every function the JIT links is appended to
// /tmp/perf-<pid>.map (address, size, name: the format perf reads for
// code it cannot find in a file), so `perf report` shows
// `train_step_k3` instead of a bare address. Off by default: a profiling
// aid, not part of any result.
#pragma once

#include "llvm/ExecutionEngine/Orc/LLJIT.h"

namespace graphc::codegen {

// Installs the map writer on the JIT's object linking layer when the
// environment asks for it; does nothing otherwise (or when the layer is not
// JITLink's).
void MaybeWritePerfMap(llvm::orc::LLJIT& jit);

}  // namespace graphc::codegen
