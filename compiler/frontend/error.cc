#include "graphc/error.h"

#include "ir/str_cat.h"

namespace graphc {
namespace {

std::string Message(const absl::Status& status) { return std::string(ToStd(status.message())); }

std::string Message(const absl::Status& status, const std::source_location& loc) {
  const std::string msg = Message(status);
  if (loc.line() == 0) return msg;  // unknown (operators cannot capture one)
  const std::string where = StrCat(loc.file_name(), ":", loc.line(), ":", loc.column());
  // Ops built while tracing already carry the location.
  if (msg.rfind(where, 0) == 0) return msg;
  return StrCat(where, ": ", msg);
}

}  // namespace

Error::Error(absl::Status status) : std::runtime_error(Message(status)), status_(std::move(status)) {}

Error::Error(absl::Status status, const std::source_location& loc)
    : std::runtime_error(Message(status, loc)), status_(std::move(status)) {}

void ThrowIfError(const absl::Status& status) {
  if (!status.ok()) throw Error(status);
}

void ThrowIfError(const absl::Status& status, const std::source_location& loc) {
  if (!status.ok()) throw Error(status, loc);
}

}  // namespace graphc
