#include "runtime/executable.h"

namespace graphc::runtime {

int64_t BufferSpec::num_elements() const {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

int64_t BufferSpec::byte_size() const {
  return num_elements() * static_cast<int64_t>(DTypeSize(dtype));
}

std::string BufferSpec::TypeString() const {
  std::string s(DTypeName(dtype));
  s += '[';
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i > 0) s += ',';
    s += std::to_string(dims[i]);
  }
  return s + ']';
}

Executable::Executable(ExecutableSpec spec) : spec_(std::move(spec)) {
  if (spec_.arena_bytes > 0) arena_.Allocate(static_cast<size_t>(spec_.arena_bytes));
}

namespace {

bool CountMatches(const char* what, size_t want, size_t got, const std::string& name,
                  std::string* error) {
  if (want == got) return true;
  if (error != nullptr) {
    *error = name + " takes " + std::to_string(want) + " " + what + " buffers, got " +
             std::to_string(got);
  }
  return false;
}

}  // namespace

bool Executable::Run(std::span<void* const> params, std::span<void* const> results,
                     std::span<void* const> variables, std::string* error) {
  if (!ok()) {
    if (error != nullptr) *error = spec_.name + ": the arena could not be allocated";
    return false;
  }
  if (!CountMatches("parameter", spec_.params.size(), params.size(), spec_.name, error) ||
      !CountMatches("result", spec_.results.size(), results.size(), spec_.name, error) ||
      !CountMatches("variable", spec_.variables.size(), variables.size(), spec_.name, error)) {
    return false;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  error_[0] = '\0';
  const graphc_call_frame frame{params.data(), results.data(), variables.data(), arena_.data(),
                                error_,        sizeof(error_), nullptr};
  if (spec_.entry(&frame) == 0) return true;
  if (error != nullptr) *error = error_;
  return false;
}

}  // namespace graphc::runtime
