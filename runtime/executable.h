// A compiled graph ready to run: its entry point (runtime/kernel_abi.h), the
// types of its parameters, results and variables, and the arena its
// temporaries live in, allocated once when the executable is made (or, for
// a family of shapes, on the first run, and again only when a run needs
// more than any before). The
// JIT builds one per concrete function; an AOT-compiled object describes
// one in its generated header. Plain C++ (no LLVM, IR or Abseil), so
// programs that embed a compiled model carry only this.
#pragma once

#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "runtime/buffer.h"
#include "runtime/kernel_abi.h"

namespace graphc::runtime {

// One tensor the entry reads or writes: dense, row-major. A dim of -1
// varies with the run-time dims (ExecutableSpec::num_dims).
struct BufferSpec {
  std::string name;  // "x" (a parameter), "result0", "w" (a variable)
  DType dtype = DType::kF32;
  std::vector<int64_t> dims;

  // Of a static shape only.
  int64_t num_elements() const;
  int64_t byte_size() const;
  std::string TypeString() const;  // "f32[64,784]" or "f32[?,784]", as the IR writes types
};

struct ExecutableSpec {
  std::string name;
  graphc_entry entry = nullptr;
  // An executable compiled for a family of shapes takes num_dims run-time
  // dims (graphc_call_frame::dims) and needs an arena of
  // arena_bytes + sum over i of arena_bytes_per_dim[i] * dims[i] bytes.
  int num_dims = 0;
  int64_t arena_bytes = 0;
  std::vector<int64_t> arena_bytes_per_dim;
  std::vector<BufferSpec> params, results, variables;
};

class Executable {
 public:
  // Allocates the arena. `ok()` is false if that failed.
  explicit Executable(ExecutableSpec spec);
  Executable(const Executable&) = delete;
  Executable& operator=(const Executable&) = delete;

  // False if the arena of a static executable could not be allocated.
  bool ok() const { return spec_.num_dims > 0 || arena_.size() == static_cast<size_t>(spec_.arena_bytes); }
  const ExecutableSpec& spec() const { return spec_; }

  // Runs the graph on the caller's buffers, one pointer per spec entry in
  // order, each holding that entry's byte_size() bytes (64-byte alignment is
  // best but not required). Variables are updated in place; results must
  // not overlap parameters or variables. Returns true, or false with
  // *error set (a wrong number of buffers, or a run-time error such as an
  // out-of-range gather index). Apart from that error message nothing is
  // allocated. Calls are serialised: the arena is shared.
  bool Run(std::span<void* const> params, std::span<void* const> results,
           std::span<void* const> variables, std::string* error) {
    return Run(params, results, variables, {}, error);
  }
  // The same with the run-time dims (num_dims of them), which the caller
  // has checked against the buffers' shapes. Grows the arena when these
  // dims need a larger one than any run before (the only allocation).
  bool Run(std::span<void* const> params, std::span<void* const> results,
           std::span<void* const> variables, std::span<const int64_t> dims, std::string* error);

  // The arena bytes a run with `dims` needs.
  int64_t ArenaBytes(std::span<const int64_t> dims) const;

 private:
  ExecutableSpec spec_;
  AlignedBuffer arena_;
  std::mutex mutex_;
  char error_[512] = {};
};

}  // namespace graphc::runtime
