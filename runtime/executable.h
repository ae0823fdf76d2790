// A compiled graph ready to run: its entry point (runtime/kernel_abi.h), the
// types of its parameters, results and variables, and the arena its
// temporaries live in, allocated once when the executable is made. The
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

// One tensor the entry reads or writes: dense, row-major, static shape.
struct BufferSpec {
  std::string name;  // "x" (a parameter), "result0", "w" (a variable)
  DType dtype = DType::kF32;
  std::vector<int64_t> dims;

  int64_t num_elements() const;
  int64_t byte_size() const;
  std::string TypeString() const;  // "f32[64,784]", as the IR writes types
};

struct ExecutableSpec {
  std::string name;
  graphc_entry entry = nullptr;
  int64_t arena_bytes = 0;
  std::vector<BufferSpec> params, results, variables;
};

class Executable {
 public:
  // Allocates the arena. `ok()` is false if that failed.
  explicit Executable(ExecutableSpec spec);
  Executable(const Executable&) = delete;
  Executable& operator=(const Executable&) = delete;

  bool ok() const { return arena_.size() == static_cast<size_t>(spec_.arena_bytes); }
  const ExecutableSpec& spec() const { return spec_; }

  // Runs the graph on the caller's buffers, one pointer per spec entry in
  // order, each holding that entry's byte_size() bytes (64-byte alignment is
  // best but not required). Variables are updated in place; results must
  // not overlap parameters or variables. Returns true, or false with
  // *error set (a wrong number of buffers, or a run-time error such as an
  // out-of-range gather index). Apart from that error message nothing is
  // allocated. Calls are serialised: the arena is shared.
  bool Run(std::span<void* const> params, std::span<void* const> results,
           std::span<void* const> variables, std::string* error);

 private:
  ExecutableSpec spec_;
  AlignedBuffer arena_;
  std::mutex mutex_;
  char error_[512] = {};
};

}  // namespace graphc::runtime
