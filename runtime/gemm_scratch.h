// Scratch memory for the GEMM's packed operands (runtime/gemm_f32*.cc).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <new>

namespace graphc::runtime::gemm {

// A heap buffer of floats, 64-byte aligned, that only grows. Kept per
// thread (thread_local), so a steady stream of same-shaped products, such
// as a compiled training step, allocates nothing after its first call.
class Scratch {
 public:
  Scratch() = default;
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  ~Scratch() { std::free(data_); }

  // At least `floats` floats; the contents are not kept when it grows.
  float* Get(int64_t floats) {
    if (floats > capacity_) {
      std::free(data_);
      data_ = nullptr;
      const size_t bytes = (static_cast<size_t>(floats) * sizeof(float) + 63) / 64 * 64;
      data_ = static_cast<float*>(std::aligned_alloc(64, bytes));
      if (data_ == nullptr) {
        capacity_ = 0;
        throw std::bad_alloc();
      }
      capacity_ = floats;
    }
    return data_;
  }

 private:
  float* data_ = nullptr;
  int64_t capacity_ = 0;
};

}  // namespace graphc::runtime::gemm
