#include "runtime/buffer.h"

#include <cstring>
#include <new>
#include <utility>

namespace graphc::runtime {

size_t DTypeSize(DType dtype) {
  switch (dtype) {
    case DType::kF32: return 4;
    case DType::kF64: return 8;
    case DType::kI8: return 1;
    case DType::kI32: return 4;
    case DType::kI64: return 8;
    case DType::kBool: return 1;
  }
  return 0;
}

std::string_view DTypeName(DType dtype) {
  switch (dtype) {
    case DType::kF32: return "f32";
    case DType::kF64: return "f64";
    case DType::kI8: return "i8";
    case DType::kI32: return "i32";
    case DType::kI64: return "i64";
    case DType::kBool: return "bool";
  }
  return "?";
}

AlignedBuffer::AlignedBuffer(AlignedBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

AlignedBuffer& AlignedBuffer::operator=(AlignedBuffer&& other) noexcept {
  if (this != &other) {
    Allocate(0);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

AlignedBuffer::~AlignedBuffer() { Allocate(0); }

bool AlignedBuffer::Allocate(size_t size) {
  if (data_ != nullptr) ::operator delete(data_, std::align_val_t{kAlignment});
  data_ = nullptr;
  size_ = 0;
  if (size == 0) return true;
  data_ = static_cast<uint8_t*>(::operator new(size, std::align_val_t{kAlignment}, std::nothrow));
  if (data_ == nullptr) return false;
  std::memset(data_, 0, size);
  size_ = size;
  return true;
}

}  // namespace graphc::runtime
