// What every graphc subcommand shares: the command table's row type, exit
// codes, reading and parsing the input file, and error reporting.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "ir/module.h"

namespace graphc::tool {

using Args = std::span<const std::string_view>;

constexpr int kOk = 0;
constexpr int kBadInput = 1;
constexpr int kBadUsage = 2;

struct Command {
  std::string_view name;
  std::string_view args;     // shown in usage: "FILE"
  std::string_view summary;  // one line for --help
  int min_args;  // positional arguments
  int max_args;  // -1: any number
  int (*run)(Args args);
  // Options the command parses itself (shown in usage), e.g.
  // "--passes=LIST"; when empty, graphc rejects any `-x` argument.
  std::string_view options = {};
};

// Prints an error line and returns the bad-input status. Messages about a
// file's contents read "FILE:LINE:COL: error: ..." (parse) or
// "FILE: error: ..." (verify); anything else is "graphc: error: ...".
int Fail(std::string_view message);
int Fail(const absl::Status& status);

void Write(std::string_view text);

// The whole of FILE (or stdin for "-"), or an error naming the file.
absl::StatusOr<std::string> ReadInput(std::string_view path);

// How the input is named in messages: the path, or <stdin>.
std::string_view DisplayName(std::string_view path);

// Reads and parses FILE (ops are shape-checked as they are built).
absl::StatusOr<std::unique_ptr<ir::Module>> Load(std::string_view path);

// The value of `arg` if it is `--NAME=value` (name given without dashes).
std::optional<std::string_view> OptionValue(std::string_view arg, std::string_view name);

// True for an argument that looks like an option (`-x`, `--x`), not `-`.
inline bool IsOption(std::string_view arg) { return arg.size() > 1 && arg[0] == '-'; }

// The function `name` of `module`, or its first function when `name` is
// empty; an error "FILE: error: no function @name" (or "the module has no
// function") naming the input `path`.
absl::StatusOr<const ir::Function*> FindFunctionOrFirst(const ir::Module& module,
                                                        std::string_view name,
                                                        std::string_view path);

// Bad usage: the problem, then the usage of the command (or of graphc).
int UsageError(std::string_view message, const Command* command = nullptr);

}  // namespace graphc::tool
