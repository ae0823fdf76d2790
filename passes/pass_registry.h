// Every pass by name: what pipelines (`--passes=...`) may name.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "passes/pass.h"

namespace graphc::passes {

struct PassInfo {
  std::string_view name;
  std::string_view summary;  // one line, shown by `graphc opt --list-passes`
  std::unique_ptr<Pass> (*create)();
};

// All passes, sorted by name.
std::span<const PassInfo> AllPasses();

// A new instance of the pass called `name`, or an error listing the names.
absl::StatusOr<std::unique_ptr<Pass>> CreatePass(std::string_view name);

}  // namespace graphc::passes
