// Running IR through the JIT in tests: the whole function compiled for the
// arguments' shapes (codegen::CompiledFunction), so every JIT test goes
// through specialization, buffer planning, the function emitter and the
// kernel emitters, as graphc::function does.
#pragma once

#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "compiler/host_tensor.h"
#include "compiler/interpreter/eval_context.h"
#include "ir/module.h"

namespace graphc::test {

// Compiles `f` for the types of `args` and runs it once. `variables` (may
// be null when `f` uses none) is updated in place, as the interpreter does.
absl::StatusOr<std::vector<HostTensor>> RunJit(const ir::Function& f, std::span<const HostTensor> args,
                                               interp::VariableStore* variables = nullptr);

// Sets the runtime thread pool to `threads` for the lifetime of the object.
class ScopedThreads {
 public:
  explicit ScopedThreads(int threads);
  ~ScopedThreads();

 private:
  int saved_;
};

}  // namespace graphc::test
