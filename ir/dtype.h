// Element types of tensors.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace graphc::ir {

enum class DType : uint8_t { kF32, kF64, kI8, kI32, kI64, kBool };

inline constexpr DType kAllDTypes[] = {DType::kF32, DType::kF64, DType::kI8,
                                       DType::kI32, DType::kI64, DType::kBool};

// Text name as written in the IR ("f32", "bool", ...).
std::string_view DTypeName(DType dtype);
std::optional<DType> ParseDType(std::string_view name);

// Size of one element in bytes (bool is one byte: 0 or 1).
int64_t DTypeSize(DType dtype);

inline bool IsFloat(DType d) { return d == DType::kF32 || d == DType::kF64; }
inline bool IsInteger(DType d) {
  return d == DType::kI8 || d == DType::kI32 || d == DType::kI64;
}
inline bool IsBool(DType d) { return d == DType::kBool; }
// Numbers an arithmetic op accepts: floats and integers, not bool.
inline bool IsNumeric(DType d) { return IsFloat(d) || IsInteger(d); }

}  // namespace graphc::ir
