// graphc::StrCat: absl::StrCat that also takes std::string_view.
// Debian 12's Abseil is built with its own absl::string_view (not an alias
// of std::string_view), so absl::StrCat rejects std::string_view arguments.
// Use this everywhere instead of absl::StrCat.
#pragma once

#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace graphc {
namespace str_cat_internal {
inline absl::string_view Piece(std::string_view s) { return {s.data(), s.size()}; }
template <typename T>
const T& Piece(const T& v) {
  return v;
}
}  // namespace str_cat_internal

template <typename... Args>
std::string StrCat(const Args&... args) {
  return absl::StrCat(str_cat_internal::Piece(args)...);
}

// absl::string_view (status messages) to std::string_view.
inline std::string_view ToStd(absl::string_view s) { return {s.data(), s.size()}; }

}  // namespace graphc
