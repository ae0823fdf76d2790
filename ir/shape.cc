#include "ir/shape.h"

#include <algorithm>

#include "absl/status/status.h"
#include "ir/str_cat.h"

namespace graphc::ir {

bool Shape::is_static() const {
  return std::none_of(dims_.begin(), dims_.end(),
                      [](int64_t d) { return d == kDynamic; });
}

std::optional<int64_t> Shape::num_elements() const {
  int64_t n = 1;
  for (int64_t d : dims_) {
    if (d == kDynamic) return std::nullopt;
    n *= d;
  }
  return n;
}

std::string Shape::ToString() const {
  std::string s = "[";
  for (size_t i = 0; i < dims_.size(); ++i) {
    if (i > 0) s += ",";
    s += dims_[i] == kDynamic ? "?" : std::to_string(dims_[i]);
  }
  return s + "]";
}

absl::StatusOr<Shape> BroadcastShapes(const Shape& a, const Shape& b) {
  const int64_t rank = std::max(a.rank(), b.rank());
  std::vector<int64_t> out(static_cast<size_t>(rank));
  for (int64_t i = 0; i < rank; ++i) {
    const int64_t ai = a.rank() - rank + i;
    const int64_t bi = b.rank() - rank + i;
    const int64_t da = ai >= 0 ? a.dim(ai) : 1;
    const int64_t db = bi >= 0 ? b.dim(bi) : 1;
    int64_t d;
    if (da == db) {
      d = da;
    } else if (da == 1) {
      d = db;
    } else if (db == 1) {
      d = da;
    } else if (da == kDynamic) {
      d = db;
    } else if (db == kDynamic) {
      d = da;
    } else {
      return absl::InvalidArgumentError(
          StrCat("shapes ", a.ToString(), " and ", b.ToString(),
                       " cannot be broadcast (dim ", i, ": ", da, " vs ", db,
                       ")"));
    }
    out[static_cast<size_t>(i)] = d;
  }
  return Shape(std::move(out));
}

absl::StatusOr<int64_t> NormalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank) {
    return absl::InvalidArgumentError(StrCat(
        "axis ", axis, " is out of range for rank ", rank));
  }
  return axis < 0 ? axis + rank : axis;
}

}  // namespace graphc::ir
