// A tensor's value in host memory: dtype, static shape and a 64-byte-aligned
// row-major buffer. Eager tensors, interpreter values and variable storage
// are HostTensors. Copies share the buffer (reshapes are free); a producer
// writes only into a buffer it has just allocated, so shared buffers are
// never mutated behind a reader's back. Variables are the one in-place
// exception, and reading a variable copies.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "ir/attribute.h"
#include "ir/type.h"

namespace graphc {

class HostTensor {
 public:
  HostTensor() = default;  // undefined (no buffer)
  // Zero-filled. `shape` must be static.
  HostTensor(ir::DType dtype, ir::Shape shape);

  // Not zero-filled: for outputs a kernel writes completely (filling large
  // buffers first measurably slowed compiled steps).
  static HostTensor Uninitialized(ir::DType dtype, ir::Shape shape);
  static HostTensor FromDense(const ir::DenseElements& dense);
  ir::DenseElements ToDense() const;

  bool defined() const { return buffer_ != nullptr; }
  ir::DType dtype() const { return type_.dtype; }
  const ir::Shape& shape() const { return type_.shape; }
  const ir::TensorType& type() const { return type_; }
  int64_t size() const { return size_; }  // number of elements
  int64_t byte_size() const { return size_ * ir::DTypeSize(type_.dtype); }

  const uint8_t* data() const { return buffer_.get(); }
  uint8_t* mutable_data() { return buffer_.get(); }
  template <typename T>
  const T* data_as() const { return reinterpret_cast<const T*>(buffer_.get()); }
  template <typename T>
  T* mutable_data_as() { return reinterpret_cast<T*>(buffer_.get()); }

  // Element access converting to/from the stored dtype.
  double GetDouble(int64_t i) const;
  int64_t GetInt(int64_t i) const;
  void SetDouble(int64_t i, double v);
  void SetInt(int64_t i, int64_t v);

  // Same buffer, another shape with the same element count.
  HostTensor Reshaped(ir::Shape shape) const;
  // A deep copy with its own buffer.
  HostTensor Clone() const;
  // True if both share one buffer.
  bool SharesBufferWith(const HostTensor& other) const { return buffer_ == other.buffer_; }
  // True if no other HostTensor shares this one's buffer, so writing it
  // changes no other value (a compiled function reuses its result buffers
  // once the caller has let go of them).
  bool HasUniqueBuffer() const { return buffer_ != nullptr && buffer_.use_count() == 1; }

  // Same dtype, shape and bytes.
  bool BitwiseEquals(const HostTensor& other) const;
  // The same, except that any NaN equals any NaN: compiled code does not fix
  // a NaN's sign or payload (LLVM promises nothing about them, and may
  // reorder the operands of x * y), so the JIT is held to this.
  bool BitwiseEqualsUpToNans(const HostTensor& other) const;

 private:
  ir::TensorType type_;
  int64_t size_ = 0;
  std::shared_ptr<uint8_t> buffer_;
};

}  // namespace graphc
