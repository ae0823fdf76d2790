// graphc::Error: what the user-facing API throws. It carries the status from
// the layer that failed and, where the API could capture it, the user's
// source location, so a shape error points at the user's line.
#pragma once

#include <source_location>
#include <stdexcept>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace graphc {

class Error : public std::runtime_error {
 public:
  explicit Error(absl::Status status);
  Error(absl::Status status, const std::source_location& loc);

  const absl::Status& status() const { return status_; }

 private:
  absl::Status status_;
};

// Throws graphc::Error unless `status` is OK.
void ThrowIfError(const absl::Status& status);
void ThrowIfError(const absl::Status& status, const std::source_location& loc);

template <typename T>
T ValueOrThrow(absl::StatusOr<T> v, const std::source_location& loc) {
  if (!v.ok()) ThrowIfError(v.status(), loc);
  return *std::move(v);
}

}  // namespace graphc
