// What the runtime knows about tensors: element types and 64-byte-aligned
// heap buffers. Plain C++ (the runtime ships inside other programs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace graphc::runtime {

// Element types, in the order of ir::DType.
enum class DType : uint8_t { kF32, kF64, kI8, kI32, kI64, kBool };

// Bytes per element (a bool is one byte, 0 or 1).
size_t DTypeSize(DType dtype);
// As the IR writes it: "f32", "bool", ...
std::string_view DTypeName(DType dtype);

// Heap bytes aligned to 64 (a cache line; any vector load is aligned), so
// kernels can use the data in place. Move-only.
class AlignedBuffer {
 public:
  static constexpr size_t kAlignment = 64;

  AlignedBuffer() = default;
  AlignedBuffer(AlignedBuffer&& other) noexcept;
  AlignedBuffer& operator=(AlignedBuffer&& other) noexcept;
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  ~AlignedBuffer();

  // Replaces the contents with `size` zero bytes; false if memory runs out
  // (the buffer is then empty).
  bool Allocate(size_t size);

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  uint8_t* data_ = nullptr;  // null when size_ is 0
  size_t size_ = 0;
};

}  // namespace graphc::runtime
