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
    s += dims[i] < 0 ? std::string("?") : std::to_string(dims[i]);
  }
  return s + ']';
}

Executable::Executable(ExecutableSpec spec) : spec_(std::move(spec)) {
  if (spec_.num_dims == 0 && spec_.arena_bytes > 0) arena_.Allocate(static_cast<size_t>(spec_.arena_bytes));
}

int64_t Executable::ArenaBytes(std::span<const int64_t> dims) const {
  int64_t bytes = spec_.arena_bytes;
  for (size_t i = 0; i < dims.size() && i < spec_.arena_bytes_per_dim.size(); ++i) {
    bytes += spec_.arena_bytes_per_dim[i] * dims[i];
  }
  return bytes;
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
                     std::span<void* const> variables, std::span<const int64_t> dims, std::string* error) {
  if (dims.size() != static_cast<size_t>(spec_.num_dims)) {
    if (error != nullptr) {
      *error = spec_.name + " takes " + std::to_string(spec_.num_dims) + " run-time dims, got " +
               std::to_string(dims.size());
    }
    return false;
  }
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
  if (spec_.num_dims > 0) {
    const int64_t need = ArenaBytes(dims);
    if (need > static_cast<int64_t>(arena_.size()) && !arena_.Allocate(static_cast<size_t>(need))) {
      if (error != nullptr) *error = spec_.name + ": cannot allocate an arena of " + std::to_string(need) + " bytes";
      return false;
    }
  }
  error_[0] = '\0';
  const graphc_call_frame frame{params.data(), results.data(), variables.data(), arena_.data(),
                                error_,        sizeof(error_), dims.data()};
  if (spec_.entry(&frame) == 0) return true;
  if (error != nullptr) *error = error_;
  return false;
}

}  // namespace graphc::runtime
