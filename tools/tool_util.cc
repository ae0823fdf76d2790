#include "tools/tool_util.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "ir/parser.h"
#include "ir/str_cat.h"

namespace graphc::tool {

int Fail(std::string_view message) {
  std::fprintf(stderr, "%.*s\n", static_cast<int>(message.size()), message.data());
  return kBadInput;
}
int Fail(const absl::Status& status) { return Fail(ToStd(status.message())); }

void Write(std::string_view text) { std::fwrite(text.data(), 1, text.size(), stdout); }

// The whole of FILE (or stdin for "-"), or an error naming the file.
absl::StatusOr<std::string> ReadInput(std::string_view path) {
  const bool is_stdin = path == "-";
  const std::string name(path);
  std::FILE* file = is_stdin ? stdin : std::fopen(name.c_str(), "rb");
  if (file == nullptr) {
    return absl::NotFoundError(
        StrCat("graphc: error: cannot open '", path, "': ", std::strerror(errno)));
  }
  std::string text;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), file)) > 0) text.append(buf, n);
  const int err = std::ferror(file) != 0 ? errno : 0;
  if (!is_stdin) std::fclose(file);
  if (err != 0) {
    return absl::DataLossError(
        StrCat("graphc: error: cannot read '", path, "': ", std::strerror(err)));
  }
  return text;
}

// How the input is named in messages: the path, or <stdin>.
std::string_view DisplayName(std::string_view path) { return path == "-" ? "<stdin>" : path; }

// Reads and parses FILE (ops are shape-checked as they are built).
absl::StatusOr<std::unique_ptr<ir::Module>> Load(std::string_view path) {
  absl::StatusOr<std::string> text = ReadInput(path);
  if (!text.ok()) return text.status();
  return ir::ParseModule(*text, DisplayName(path));
}

absl::StatusOr<const ir::Function*> FindFunctionOrFirst(const ir::Module& module,
                                                        std::string_view name,
                                                        std::string_view path) {
  const ir::Function* f = name.empty()
                              ? (module.functions().empty() ? nullptr : module.functions().front().get())
                              : module.FindFunction(name);
  if (f != nullptr) return f;
  return absl::NotFoundError(name.empty()
                                 ? StrCat(DisplayName(path), ": error: the module has no function")
                                 : StrCat(DisplayName(path), ": error: no function @", name));
}

std::optional<std::string_view> OptionValue(std::string_view arg, std::string_view name) {
  if (arg.size() < name.size() + 3 || arg.substr(0, 2) != "--" ||
      arg.substr(2, name.size()) != name || arg[name.size() + 2] != '=') {
    return std::nullopt;
  }
  return arg.substr(name.size() + 3);
}

}  // namespace graphc::tool
