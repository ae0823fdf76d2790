#include "ir/attribute.h"

#include <cstring>

namespace graphc::ir {
namespace {

template <typename T>
T Load(const std::vector<uint8_t>& bytes, int64_t i) {
  T v;
  std::memcpy(&v, bytes.data() + i * static_cast<int64_t>(sizeof(T)), sizeof(T));
  return v;
}

template <typename T>
void Store(std::vector<uint8_t>& bytes, int64_t i, T v) {
  std::memcpy(bytes.data() + i * static_cast<int64_t>(sizeof(T)), &v, sizeof(T));
}

}  // namespace

DenseElements::DenseElements(TensorType type) : type_(std::move(type)) {
  const int64_t n = type_.shape.num_elements().value_or(0);
  bytes_.assign(static_cast<size_t>(n * DTypeSize(type_.dtype)), 0);
}

int64_t DenseElements::size() const {
  return static_cast<int64_t>(bytes_.size()) / DTypeSize(type_.dtype);
}

double DenseElements::GetDouble(int64_t i) const {
  switch (type_.dtype) {
    case DType::kF32: return Load<float>(bytes_, i);
    case DType::kF64: return Load<double>(bytes_, i);
    case DType::kI8: return Load<int8_t>(bytes_, i);
    case DType::kI32: return Load<int32_t>(bytes_, i);
    case DType::kI64: return static_cast<double>(Load<int64_t>(bytes_, i));
    case DType::kBool: return Load<uint8_t>(bytes_, i) != 0;
  }
  return 0;
}

int64_t DenseElements::GetInt(int64_t i) const {
  switch (type_.dtype) {
    case DType::kF32: return static_cast<int64_t>(Load<float>(bytes_, i));
    case DType::kF64: return static_cast<int64_t>(Load<double>(bytes_, i));
    case DType::kI8: return Load<int8_t>(bytes_, i);
    case DType::kI32: return Load<int32_t>(bytes_, i);
    case DType::kI64: return Load<int64_t>(bytes_, i);
    case DType::kBool: return Load<uint8_t>(bytes_, i) != 0;
  }
  return 0;
}

void DenseElements::SetDouble(int64_t i, double v) {
  switch (type_.dtype) {
    case DType::kF32: Store<float>(bytes_, i, static_cast<float>(v)); return;
    case DType::kF64: Store<double>(bytes_, i, v); return;
    case DType::kI8: Store<int8_t>(bytes_, i, static_cast<int8_t>(v)); return;
    case DType::kI32: Store<int32_t>(bytes_, i, static_cast<int32_t>(v)); return;
    case DType::kI64: Store<int64_t>(bytes_, i, static_cast<int64_t>(v)); return;
    case DType::kBool: Store<uint8_t>(bytes_, i, v != 0 ? 1 : 0); return;
  }
}

void DenseElements::SetInt(int64_t i, int64_t v) {
  switch (type_.dtype) {
    case DType::kF32: Store<float>(bytes_, i, static_cast<float>(v)); return;
    case DType::kF64: Store<double>(bytes_, i, static_cast<double>(v)); return;
    case DType::kI8: Store<int8_t>(bytes_, i, static_cast<int8_t>(v)); return;
    case DType::kI32: Store<int32_t>(bytes_, i, static_cast<int32_t>(v)); return;
    case DType::kI64: Store<int64_t>(bytes_, i, v); return;
    case DType::kBool: Store<uint8_t>(bytes_, i, v != 0 ? 1 : 0); return;
  }
}

bool DenseElements::IsSplat() const {
  const size_t width = static_cast<size_t>(DTypeSize(type_.dtype));
  for (size_t off = width; off < bytes_.size(); off += width) {
    if (std::memcmp(bytes_.data(), bytes_.data() + off, width) != 0) return false;
  }
  return true;
}

AttrKind KindOf(const Attribute& attr) {
  return static_cast<AttrKind>(attr.index());
}

std::string_view AttrKindName(AttrKind kind) {
  switch (kind) {
    case AttrKind::kBool: return "bool";
    case AttrKind::kInt: return "int";
    case AttrKind::kFloat: return "float";
    case AttrKind::kString: return "string";
    case AttrKind::kDType: return "dtype";
    case AttrKind::kInts: return "int list";
    case AttrKind::kSymbol: return "symbol";
    case AttrKind::kDense: return "dense tensor";
  }
  return "?";
}

}  // namespace graphc::ir
