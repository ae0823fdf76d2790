#include "tests/common/jit.h"

#include "compiler/codegen/compiled_function.h"
#include "runtime/thread_pool.h"

namespace graphc::test {

absl::StatusOr<std::vector<HostTensor>> RunJit(const ir::Function& f, std::span<const HostTensor> args,
                                               interp::VariableStore* variables) {
  std::vector<ir::TensorType> types;
  for (const HostTensor& t : args) types.push_back(t.type());
  absl::StatusOr<std::unique_ptr<codegen::CompiledFunction>> compiled =
      codegen::CompiledFunction::Compile(f, types);
  if (!compiled.ok()) return compiled.status();
  return (*compiled)->Run(args, variables);
}

ScopedThreads::ScopedThreads(int threads) : saved_(runtime::DefaultThreadPool().size()) {
  runtime::SetDefaultThreadPoolSize(threads);
}
ScopedThreads::~ScopedThreads() { runtime::SetDefaultThreadPoolSize(saved_); }

}  // namespace graphc::test
