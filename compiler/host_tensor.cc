#include "compiler/host_tensor.h"

#include <cassert>
#include <cmath>
#include <new>

#include "compiler/convert.h"
#include "compiler/dtype_dispatch.h"

namespace graphc {
namespace {

std::shared_ptr<uint8_t> AllocateAligned(int64_t bytes, bool zero = true) {
  // At least one byte so every defined tensor (even an empty one) has a buffer.
  const size_t n = static_cast<size_t>(bytes > 0 ? bytes : 1);
  auto* p = static_cast<uint8_t*>(::operator new(n, std::align_val_t{64}));
  if (zero) std::memset(p, 0, n);
  return std::shared_ptr<uint8_t>(
      p, [](uint8_t* q) { ::operator delete(q, std::align_val_t{64}); });
}

}  // namespace

HostTensor::HostTensor(ir::DType dtype, ir::Shape shape)
    : type_{dtype, std::move(shape)} {
  assert(type_.shape.is_static());
  size_ = type_.shape.num_elements().value_or(0);
  buffer_ = AllocateAligned(byte_size());
}

HostTensor HostTensor::Uninitialized(ir::DType dtype, ir::Shape shape) {
  HostTensor t;
  t.type_ = {dtype, std::move(shape)};
  assert(t.type_.shape.is_static());
  t.size_ = t.type_.shape.num_elements().value_or(0);
  t.buffer_ = AllocateAligned(t.byte_size(), /*zero=*/false);
  return t;
}

HostTensor HostTensor::FromDense(const ir::DenseElements& dense) {
  HostTensor t(dense.type().dtype, dense.type().shape);
  // An empty vector may have no storage at all (data() == nullptr).
  if (!dense.bytes().empty()) std::memcpy(t.mutable_data(), dense.bytes().data(), dense.bytes().size());
  return t;
}

ir::DenseElements HostTensor::ToDense() const {
  ir::DenseElements dense(type_);
  if (byte_size() > 0) std::memcpy(dense.mutable_bytes().data(), data(), static_cast<size_t>(byte_size()));
  return dense;
}

double HostTensor::GetDouble(int64_t i) const {
  return DispatchDType(dtype(), [&]<typename T>() -> double {
    return static_cast<double>(data_as<T>()[i]);
  });
}

int64_t HostTensor::GetInt(int64_t i) const {
  return DispatchDType(dtype(), [&]<typename T>() -> int64_t {
    return static_cast<int64_t>(data_as<T>()[i]);
  });
}

void HostTensor::SetDouble(int64_t i, double v) {
  DispatchDType(dtype(), [&]<typename T>() {
    mutable_data_as<T>()[i] = ConvertNumber<T>(v);
  });
}

void HostTensor::SetInt(int64_t i, int64_t v) {
  DispatchDType(dtype(), [&]<typename T>() {
    mutable_data_as<T>()[i] = ConvertNumber<T>(v);
  });
}

HostTensor HostTensor::Reshaped(ir::Shape shape) const {
  assert(shape.num_elements() == size_);
  HostTensor t = *this;
  t.type_.shape = std::move(shape);
  return t;
}

HostTensor HostTensor::Clone() const {
  HostTensor t(dtype(), shape());
  std::memcpy(t.mutable_data(), data(), static_cast<size_t>(byte_size()));
  return t;
}

bool HostTensor::BitwiseEquals(const HostTensor& other) const {
  return type_ == other.type_ &&
         std::memcmp(data(), other.data(), static_cast<size_t>(byte_size())) == 0;
}

namespace {

template <typename T>
bool SameBitsOrBothNan(const uint8_t* a, const uint8_t* b, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    T x, y;
    std::memcpy(&x, a + i * sizeof(T), sizeof(T));
    std::memcpy(&y, b + i * sizeof(T), sizeof(T));
    if (std::isnan(x) && std::isnan(y)) continue;
    if (std::memcmp(&x, &y, sizeof(T)) != 0) return false;
  }
  return true;
}

}  // namespace

bool HostTensor::BitwiseEqualsUpToNans(const HostTensor& other) const {
  if (type_ != other.type_) return false;
  switch (type_.dtype) {
    case ir::DType::kF32: return SameBitsOrBothNan<float>(data(), other.data(), size_);
    case ir::DType::kF64: return SameBitsOrBothNan<double>(data(), other.data(), size_);
    default: return BitwiseEquals(other);
  }
}

}  // namespace graphc
