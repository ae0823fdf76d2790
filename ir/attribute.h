// Typed op attributes: `{transpose_b = true, axes = [0, 1], value = dense<...>}`.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "ir/type.h"

namespace graphc::ir {

// A reference to a module-level symbol: a function (`call`) or a variable.
struct SymbolRef {
  std::string name;
  friend bool operator==(const SymbolRef&, const SymbolRef&) = default;
};

// A constant tensor's contents, stored in the dtype's native little-endian
// layout (row-major), so runtimes can use the bytes as they are.
class DenseElements {
 public:
  DenseElements() = default;
  // Zero-filled elements of a static type.
  explicit DenseElements(TensorType type);

  const TensorType& type() const { return type_; }
  int64_t size() const;  // number of elements
  const std::vector<uint8_t>& bytes() const { return bytes_; }
  std::vector<uint8_t>& mutable_bytes() { return bytes_; }

  // Element access, converting from/to the stored dtype (C++ cast rules;
  // bool is 0 or 1).
  double GetDouble(int64_t i) const;
  int64_t GetInt(int64_t i) const;
  void SetDouble(int64_t i, double v);
  void SetInt(int64_t i, int64_t v);
  // True if every element has the same bytes (printed in splat form).
  bool IsSplat() const;

  friend bool operator==(const DenseElements&, const DenseElements&) = default;

 private:
  TensorType type_;
  std::vector<uint8_t> bytes_;
};

enum class AttrKind : uint8_t {
  kBool,
  kInt,
  kFloat,
  kString,
  kDType,
  kInts,  // list of i64, e.g. axes or a shape
  kSymbol,
  kDense,
};

using Attribute = std::variant<bool, int64_t, double, std::string, DType,
                               std::vector<int64_t>, SymbolRef, DenseElements>;

AttrKind KindOf(const Attribute& attr);
std::string_view AttrKindName(AttrKind kind);

// Attributes by name, sorted so printing is deterministic.
using AttrMap = std::map<std::string, Attribute, std::less<>>;

}  // namespace graphc::ir
