// graphc: the compiler pipeline from the command line.
//
//   graphc print FILE       parse an IR file and print it in canonical form
//   graphc verify FILE      parse and verify; prints "FILE: ok"
//   graphc grad FILE        add the gradient function of a function
//   graphc opt FILE         run a pass pipeline and print the result
//   graphc dot FILE         draw the graph (Graphviz DOT), fusion groups as clusters
//   graphc ops [OP...]      list the registered ops
//   graphc run FILE         run a function on .npy inputs, write .npy outputs
//   graphc compile FILE     compile a function ahead of time (an object and a header)
//
// FILE may be `-` for standard input. Exit status: 0 on success, 1 when the
// input is bad (one error line on stderr), 2 on bad usage.
//
// Each subcommand is one function (tools/cmd_*.cc) and one row of
// kCommands below.
#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "ir/str_cat.h"
#include "tools/commands.h"

namespace graphc::tool {
namespace {

// ---- the command table and usage ----

constexpr Command kCommands[] = {
    {"print", "FILE", "parse an IR file and print it in canonical form", 1, 1, RunPrint},
    {"verify", "FILE", "parse and verify an IR file; prints 'FILE: ok'", 1, 1, RunVerify},
    {"grad", "FILE", "add @F_grad (F: --function=F, default the first): F's result and gradients", 1, 1,
     RunGrad, "--function=F"},
    {"opt", "FILE", "run a pass pipeline (default: the one function() uses) and print the result", 1,
     1, RunOpt, "--passes=LIST --print-after-all --print-after=PASS --verify-each --timing --stats --emit=ir|llvm|asm"},
    {"dot", "FILE", "draw the graph as Graphviz DOT (fusion groups as clusters), after --passes", 1,
     1, RunDot, "--passes=LIST --function=F"},
    {"ops", "[OP...]", "list the registered ops (or the named ones)", 0, -1, RunOps},
    {"run", "FILE", "run a function (--function=F, default the first) on .npy inputs", 1, 1, RunRun,
     "--function=F --input=NAME=FILE.npy... --output-dir=DIR --interpret"},
    {"compile", "FILE", "compile a function ahead of time: PREFIX.o and PREFIX.h (a C++ class)", 1, -1,
     RunCompile, "--function=F --weights=W.safetensors --march=CPU --class=NAME -o PREFIX"},
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
    return !IsOption(a);
  }));
}

}  // namespace

int UsageError(std::string_view message, const Command* command) {
  const std::string usage = command != nullptr ? CommandUsage(*command) : Usage();
  std::fprintf(stderr, "graphc: error: %.*s\n%s", static_cast<int>(message.size()), message.data(),
               usage.c_str());
  return kBadUsage;
}

namespace {

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
      if (c.options.empty() && IsOption(a)) {
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
