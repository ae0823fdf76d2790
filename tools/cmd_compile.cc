// graphc compile: compiles one function of an IR file ahead of time, for
// programs that embed it without the compiler (compiler/codegen/aot.h):
//
//   graphc compile FILE [--function=NAME] [--weights=W.safetensors] [--march=CPU]
//                  [--class=NAME] -o PREFIX
//
// writes PREFIX.o (an ELF object for the host CPU, or for --march) and
// PREFIX.h (a C++ class that runs it; it needs only graphc_runtime). Options
// take their value after '=' or as the next argument. The module goes
// through the default pass pipeline first, as `graphc run` and
// graphc::function() do; the function's parameters must then have static
// shapes. With --weights, each variable the function uses takes its
// initial value from the safetensors file's tensor of the same name (the
// IR name, without '@'), checked and embedded in the object; without,
// variables start at zero.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "compiler/codegen/aot.h"
#include "compiler/frontend/variable_state.h"
#include "compiler/interpreter/constant_evaluator.h"
#include "graphc/graphc.h"
#include "ir/str_cat.h"
#include "ir/verifier.h"
#include "nn/checkpoint.h"
#include "passes/pass_manager.h"
#include "tools/commands.h"

namespace graphc::tool {
namespace {

struct CompileArgs {
  std::string_view path, function, weights, march, class_name, prefix;
  bool has_prefix = false;
};

// The initial values of `decls` from the safetensors file at `path`, read
// and checked by graphc::nn's checkpoint reader (the file is well-formed,
// holds every variable, each with its variable's dtype and shape).
absl::StatusOr<std::map<std::string, HostTensor>> ReadWeights(const std::string& path,
                                                               const std::vector<ir::VariableDecl>& decls) {
  std::map<std::string, HostTensor> weights;
  try {
    nn::NamedVariables named;
    for (const ir::VariableDecl& decl : decls) {
      named.emplace_back(decl.name, Variable(zeros(decl.type.shape, decl.type.dtype), decl.name));
    }
    nn::load_variables(path, named);
    for (const auto& [name, variable] : named) weights[name] = variable.state()->value;
  } catch (const Error& e) {
    // "load_variables(PATH): what" -> "PATH: error: what"
    std::string message(e.status().message());
    const std::string prefix = StrCat("load_variables(", path, "): ");
    if (message.starts_with(prefix)) message = message.substr(prefix.size());
    return absl::InvalidArgumentError(StrCat(path, ": error: ", message));
  }
  return weights;
}

absl::Status WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (out) out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (out) out.close();
  if (!out) {
    return absl::InvalidArgumentError(StrCat("graphc: error: cannot write '", path, "': ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

// Bad usage: the problem and this command's usage (exit 2).
int CompileUsageError(std::string_view message) {
  std::fprintf(stderr,
               "graphc: error: %.*s\n"
               "usage: graphc compile [--function=F] [--weights=W.safetensors] [--march=CPU] "
               "[--class=NAME] FILE -o PREFIX\n",
               static_cast<int>(message.size()), message.data());
  return kBadUsage;
}

}  // namespace

int RunCompile(Args args) {
  CompileArgs c;
  std::vector<std::string_view> positional;
  // `--name=value` or `--name value` (and `-o PREFIX`).
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    struct Option {
      std::string_view name;
      std::string_view* value;
    };
    const Option options[] = {{"function", &c.function}, {"weights", &c.weights}, {"march", &c.march},
                              {"class", &c.class_name},  {"output", &c.prefix},   {"o", &c.prefix}};
    bool matched = false;
    for (const Option& o : options) {
      const std::string dashes = o.name.size() == 1 ? "-" : "--";
      const std::string flag = StrCat(dashes, o.name);
      if (a == flag) {
        if (i + 1 >= args.size()) return CompileUsageError(StrCat(flag, " needs a value"));
        *o.value = args[++i];
      } else if (a.starts_with(flag + "=")) {
        *o.value = a.substr(flag.size() + 1);
      } else {
        continue;
      }
      if (o.value->empty()) return CompileUsageError(StrCat(flag, " needs a value"));
      if (o.value == &c.prefix) c.has_prefix = true;
      matched = true;
      break;
    }
    if (matched) continue;
    if (IsOption(a)) return CompileUsageError(StrCat("unknown option '", a, "'"));
    positional.push_back(a);
  }
  if (positional.size() != 1) {
    return CompileUsageError(StrCat("'compile' takes FILE, got ", positional.size(), " arguments"));
  }
  c.path = positional[0];
  if (!c.has_prefix) return CompileUsageError("missing -o PREFIX: where to write PREFIX.o and PREFIX.h");
  const std::string prefix(c.prefix);
  const std::string class_name = c.class_name.empty() ? codegen::DefaultClassName(prefix) : std::string(c.class_name);
  if (absl::Status s = codegen::CheckClassName(class_name); !s.ok()) {
    return CompileUsageError(ToStd(s.message()));
  }
  if (absl::Status s = codegen::CheckMarch(std::string(c.march)); !s.ok()) {
    return CompileUsageError(ToStd(s.message()));
  }

  absl::StatusOr<std::unique_ptr<ir::Module>> module = Load(c.path);
  if (!module.ok()) return Fail(module.status());
  ir::Module& m = **module;
  const std::string display(DisplayName(c.path));
  if (absl::Status s = ir::VerifyModule(m); !s.ok()) return Fail(StrCat(display, ": error: ", ToStd(s.message())));
  absl::StatusOr<const ir::Function*> found = FindFunctionOrFirst(m, c.function, c.path);
  if (!found.ok()) return Fail(found.status());
  const std::string function_name = (*found)->name();
  passes::PassContext context = interp::DefaultPassContext();
  if (absl::Status s = passes::RunPipeline(m, context); !s.ok()) {
    return Fail(StrCat(display, ": error: ", ToStd(s.message())));
  }
  const ir::Function* f = m.FindFunction(function_name);
  if (f == nullptr) return Fail(StrCat(display, ": error: @", function_name, " is gone after the pass pipeline"));

  codegen::AotOptions options;
  options.class_name = class_name;
  options.march = std::string(c.march);
  options.source_name = std::filesystem::path(display).filename().string();
  options.object_name = std::filesystem::path(prefix + ".o").filename().string();
  if (!c.weights.empty()) {
    const std::vector<ir::VariableDecl> decls = codegen::UsedVariableDecls(*f);
    for (const ir::VariableDecl& decl : decls) {
      if (!decl.type.shape.is_static()) {
        return Fail(StrCat(display, ": error: variable @", decl.name, " has type ", decl.type.ToString(),
                           ": graphc compile needs static shapes"));
      }
    }
    absl::StatusOr<std::map<std::string, HostTensor>> weights = ReadWeights(std::string(c.weights), decls);
    if (!weights.ok()) return Fail(weights.status());
    options.has_weights = true;
    options.weights = *std::move(weights);
    options.weights_name = std::filesystem::path(c.weights).filename().string();
  }

  absl::StatusOr<codegen::AotArtifact> artifact = codegen::CompileAheadOfTime(*f, options);
  if (!artifact.ok()) return Fail(StrCat(display, ": error: ", ToStd(artifact.status().message())));
  if (absl::Status s = WriteFile(prefix + ".o", artifact->object); !s.ok()) return Fail(s);
  if (absl::Status s = WriteFile(prefix + ".h", artifact->header); !s.ok()) return Fail(s);
  Write(StrCat(prefix, ".o: @", function_name, " for ", artifact->triple, ", CPU ", artifact->cpu, ", ",
               artifact->object.size(), " bytes\n"));
  Write(StrCat(prefix, ".h: class ", class_name, ", ", artifact->params.size(), " parameters, ",
               artifact->results.size(), " results, ", artifact->variables.size(), " variables",
               options.has_weights ? " (initial values embedded)" : "", ", arena ", artifact->arena_bytes,
               " bytes\n"));
  return kOk;
}

}  // namespace graphc::tool
