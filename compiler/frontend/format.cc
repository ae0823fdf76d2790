// Tensor printing in the style of TensorFlow's str(tensor):
//   graphc.Tensor(
//   [[1. 2.]
//    [3. 4.]], shape=(2, 2), dtype=float32)
// Large tensors are summarised NumPy-style (first and last 3 per dim).
#include <charconv>
#include <cmath>

#include "compiler/frontend/tensor_impl.h"
#include "ir/str_cat.h"

namespace graphc {
namespace {

constexpr int64_t kSummariseAbove = 1000;
constexpr int64_t kEdgeItems = 3;

std::string_view TfDTypeName(DType d) {
  switch (d) {
    case DType::kF32: return "float32";
    case DType::kF64: return "float64";
    case DType::kI8: return "int8";
    case DType::kI32: return "int32";
    case DType::kI64: return "int64";
    case DType::kBool: return "bool";
  }
  return "?";
}

std::string TfShape(const Shape& s) {
  std::string out = "(";
  for (int64_t i = 0; i < s.rank(); ++i) {
    if (i > 0) out += ", ";
    out += s.dim(i) == kDynamic ? "None" : std::to_string(s.dim(i));
  }
  if (s.rank() == 1) out += ",";
  return out + ")";
}

std::string FormatElement(const HostTensor& t, int64_t i) {
  if (t.dtype() == DType::kBool) return t.GetInt(i) ? "True" : "False";
  if (ir::IsInteger(t.dtype())) return std::to_string(t.GetInt(i));
  const double v = t.GetDouble(i);
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  std::to_chars_result r = t.dtype() == DType::kF32
                               ? std::to_chars(buf, buf + sizeof(buf), static_cast<float>(v))
                               : std::to_chars(buf, buf + sizeof(buf), v);
  std::string s(buf, r.ptr);
  // NumPy writes integral floats as "2." and keeps exponents as they are.
  if (s.find_first_of(".e") == std::string::npos) s += ".";
  return s;
}

void FormatDim(const HostTensor& t, int64_t dim, int64_t offset, bool summarise, int indent,
               std::string& out) {
  const Shape& s = t.shape();
  if (dim == s.rank()) {
    out += FormatElement(t, offset);
    return;
  }
  int64_t stride = 1;
  for (int64_t d = dim + 1; d < s.rank(); ++d) stride *= s.dim(d);
  const int64_t n = s.dim(dim);
  // The entries to show: all, or the first and last kEdgeItems around a -1
  // that stands for "...".
  std::vector<int64_t> shown;
  for (int64_t i = 0; i < n; ++i) {
    if (summarise && n > 2 * kEdgeItems && i == kEdgeItems) {
      shown.push_back(-1);
      i = n - kEdgeItems - 1;
      continue;
    }
    shown.push_back(i);
  }
  const std::string separator = dim + 1 == s.rank()
                                    ? " "
                                    : std::string(static_cast<size_t>(s.rank() - dim - 1), '\n') +
                                          std::string(static_cast<size_t>(indent + 1), ' ');
  out += "[";
  for (size_t k = 0; k < shown.size(); ++k) {
    if (k > 0) out += separator;
    if (shown[k] < 0) {
      out += "...";
    } else {
      FormatDim(t, dim + 1, offset + shown[k] * stride, summarise, indent + 1, out);
    }
  }
  out += "]";
}

}  // namespace

std::string Tensor::ToString() const {
  if (!defined()) return "graphc.Tensor(<undefined>)";
  const TensorImpl& impl = this->impl();
  const std::string meta = StrCat("shape=", TfShape(shape()), ", dtype=", TfDTypeName(dtype()));
  if (impl.traced()) return StrCat("graphc.Tensor(<traced>, ", meta, ")");
  std::string values;
  FormatDim(impl.value, 0, 0, impl.value.size() > kSummariseAbove, 0, values);
  return StrCat("graphc.Tensor(", rank() >= 2 ? "\n" : "", values, ", ", meta, ")");
}

}  // namespace graphc
