// graphc: the compiler pipeline from the command line.
//
//   graphc print FILE     parse an IR file and print it in canonical form
//   graphc verify FILE    parse and verify; prints "FILE: ok"
//   graphc ops [OP...]    list the registered ops
//
// FILE may be `-` for standard input. Exit status: 0 on success, 1 when the
// input is bad (one error line on stderr), 2 on bad usage.
//
// Each subcommand is one function and one row of kCommands; adding one
// (opt, grad, dot, run, compile) touches nothing else.
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/module.h"
#include "ir/op_registry.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/str_cat.h"
#include "ir/verifier.h"
#include "passes/grad_function.h"

namespace graphc::tool {
namespace {

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

int RunPrint(Args args) {
  absl::StatusOr<std::unique_ptr<ir::Module>> module = Load(args[0]);
  if (!module.ok()) return Fail(module.status());
  Write(ir::PrintModule(**module));
  return kOk;
}

int RunVerify(Args args) {
  absl::StatusOr<std::unique_ptr<ir::Module>> module = Load(args[0]);
  if (!module.ok()) return Fail(module.status());
  if (absl::Status s = ir::VerifyModule(**module); !s.ok()) {
    return Fail(StrCat(DisplayName(args[0]), ": error: ", ToStd(s.message())));
  }
  Write(StrCat(DisplayName(args[0]), ": ok\n"));
  return kOk;
}

int UsageError(std::string_view message, const Command* command = nullptr);

// ---- graphc grad ----

// graphc grad FILE [--function=NAME]: adds @NAME_grad returning NAME's first
// result and its gradient with respect to each floating-point parameter,
// then prints the module. NAME defaults to the module's first function.
int RunGrad(Args args) {
  std::string_view path, function_name;
  for (std::string_view a : args) {
    if (a.rfind("--function=", 0) == 0) {
      function_name = a.substr(std::string_view("--function=").size());
    } else if (a.size() > 1 && a[0] == '-') {
      return UsageError(StrCat("unknown option '", a, "'"));
    } else {
      path = a;
    }
  }
  absl::StatusOr<std::unique_ptr<ir::Module>> module = Load(path);
  if (!module.ok()) return Fail(module.status());
  ir::Module& m = **module;
  const ir::Function* f = function_name.empty()
                              ? (m.functions().empty() ? nullptr : m.functions().front().get())
                              : m.FindFunction(function_name);
  if (f == nullptr) {
    return Fail(function_name.empty() ? StrCat(DisplayName(path), ": error: the module has no function")
                                      : StrCat(DisplayName(path), ": error: no function @", function_name));
  }
  absl::StatusOr<ir::Function*> g = passes::BuildGradientFunction(m, *f);
  if (!g.ok()) return Fail(StrCat(DisplayName(path), ": error: ", ToStd(g.status().message())));
  Write(ir::PrintModule(m));
  return kOk;
}

// ---- graphc ops ----

std::string FormatDefault(const ir::Attribute& value) {
  using ir::AttrKind;
  switch (ir::KindOf(value)) {
    case AttrKind::kBool: return std::get<bool>(value) ? "true" : "false";
    case AttrKind::kInt: return StrCat(std::get<int64_t>(value));
    case AttrKind::kFloat: {
      char buf[64];
      auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), std::get<double>(value));
      (void)ec;  // 64 bytes hold the shortest form of any double
      std::string s(buf, end);
      if (s.find_first_of(".en") == std::string::npos) s += ".0";  // reads as a float
      return s;
    }
    case AttrKind::kString: return StrCat("\"", std::get<std::string>(value), "\"");
    case AttrKind::kDType: return std::string(ir::DTypeName(std::get<ir::DType>(value)));
    case AttrKind::kInts: {
      std::string s = "[";
      for (int64_t v : std::get<std::vector<int64_t>>(value)) {
        s += StrCat(s.size() > 1 ? ", " : "", v);
      }
      return s + "]";
    }
    case AttrKind::kSymbol: return StrCat("@", std::get<ir::SymbolRef>(value).name);
    case AttrKind::kDense: return "dense<...>";
  }
  return "?";
}

// add: x + y
//   operands: 2, fusion: broadcast, runs as: scalar
//   attributes: dtype: dtype (required), axes: int list = []
std::string DescribeOpDef(const ir::OpDef& def) {
  std::string operands = def.num_operands == ir::OpDef::kVariadic
                             ? StrCat(def.min_operands, " or more")
                             : StrCat(def.num_operands);
  std::string runs_as = def.scalar != nullptr ? "scalar"
                        : !def.kernel.empty() ? StrCat("kernel ", def.kernel)
                                              : "structural";
  std::string text = StrCat(def.name, ": ", def.summary, "\n  operands: ", operands);
  if (def.num_regions > 0) text += StrCat(", regions: ", def.num_regions);
  text += StrCat(", fusion: ", ir::FusionKindName(def.fusion), ", runs as: ", runs_as, "\n");
  if (!def.attrs.empty()) {
    text += "  attributes: ";
    for (size_t i = 0; i < def.attrs.size(); ++i) {
      const ir::AttrSpec& a = def.attrs[i];
      text += StrCat(i > 0 ? ", " : "", a.name, ": ", ir::AttrKindName(a.kind),
                     a.default_value ? StrCat(" = ", FormatDefault(*a.default_value))
                                     : std::string(" (required)"));
    }
    text += "\n";
  }
  return text;
}

int RunOps(Args args) {
  const ir::OpRegistry& registry = ir::OpRegistry::Get();
  if (args.empty()) {
    for (const ir::OpDef* def : registry.All()) Write(DescribeOpDef(*def));
    return kOk;
  }
  for (std::string_view name : args) {
    const ir::OpDef* def = registry.Find(name);
    if (def == nullptr) {
      return Fail(StrCat("graphc: error: unknown op '", name, "' (graphc ops lists them all)"));
    }
    Write(DescribeOpDef(*def));
  }
  return kOk;
}

// ---- the command table and usage ----

constexpr Command kCommands[] = {
    {"print", "FILE", "parse an IR file and print it in canonical form", 1, 1, RunPrint},
    {"verify", "FILE", "parse and verify an IR file; prints 'FILE: ok'", 1, 1, RunVerify},
    {"grad", "FILE", "add @F_grad (F: --function=F, default the first): F's result and gradients", 1, 1,
     RunGrad, "--function=F"},
    {"ops", "[OP...]", "list the registered ops (or the named ones)", 0, -1, RunOps},
};

std::string Usage() {
  std::string text =
      "usage: graphc COMMAND [ARGS]\n"
      "\n"
      "commands:\n";
  for (const Command& c : kCommands) {
    std::string head = StrCat(c.name, " ", c.args);
    head.resize(std::max<size_t>(head.size(), 18), ' ');
    text += StrCat("  ", head, c.summary, "\n");
  }
  text +=
      "\n"
      "FILE may be '-' for standard input.\n"
      "Exit status: 0 on success, 1 on bad input (the error is on stderr), 2 on bad usage.\n";
  return text;
}

std::string CommandUsage(const Command& c) {
  const std::string options = c.options.empty() ? "" : StrCat(" [", c.options, "]");
  return StrCat("usage: graphc ", c.name, options, " ", c.args, "\n  ", c.summary, "\n");
}

int CountPositional(Args args) {
  return static_cast<int>(std::count_if(args.begin(), args.end(), [](std::string_view a) {
    return a.size() <= 1 || a[0] != '-';
  }));
}

// Bad usage: the problem, then the usage of the command (or of graphc).
int UsageError(std::string_view message, const Command* command) {
  const std::string usage = command != nullptr ? CommandUsage(*command) : Usage();
  std::fprintf(stderr, "graphc: error: %.*s\n%s", static_cast<int>(message.size()), message.data(),
               usage.c_str());
  return kBadUsage;
}

int Main(Args argv) {
  if (argv.empty()) return UsageError("no command given");
  const std::string_view name = argv[0];
  if (name == "--help" || name == "-h" || name == "help") {
    Write(Usage());
    return kOk;
  }
  for (const Command& c : kCommands) {
    if (c.name != name) continue;
    Args args = argv.subspan(1);
    for (std::string_view a : args) {
      if (a == "--help" || a == "-h") {
        Write(CommandUsage(c));
        return kOk;
      }
      if (c.options.empty() && a.size() > 1 && a[0] == '-') {
        return UsageError(StrCat("unknown option '", a, "'"), &c);
      }
    }
    const int n = c.options.empty() ? static_cast<int>(args.size()) : CountPositional(args);
    if (n < c.min_args || (c.max_args >= 0 && n > c.max_args)) {
      return UsageError(
          StrCat("'", c.name, "' takes ", c.args, ", got ", n, " argument", n == 1 ? "" : "s"), &c);
    }
    return c.run(args);
  }
  return UsageError(StrCat("unknown command '", name, "'"));
}

}  // namespace
}  // namespace graphc::tool

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  return graphc::tool::Main(args);
}
