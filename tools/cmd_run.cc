// graphc run: runs a function of an IR file on NumPy `.npy` inputs, prints
// a one-line summary of each output and, with --output-dir, writes each as
// a `.npy` file.
//
//   graphc run FILE [--function=NAME] --input=NAME=FILE.npy ... [--output-dir=DIR]
//              [--interpret]
//
// NAME is a parameter's name as the IR prints it (`x` for `%x`, `0` for
// `%0`) or `@w` for a module variable the function uses (each one needs its
// initial value). Outputs are the function's results, `result0`, `result1`,
// ..., then the final value of every variable it uses, `@w`; their files are
// DIR/result0.npy, ... and DIR/var.w.npy.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "compiler/dtype_dispatch.h"
#include "compiler/host_tensor.h"
#include "compiler/codegen/compiled_function.h"
#include "compiler/interpreter/constant_evaluator.h"
#include "compiler/interpreter/interpreter.h"
#include "ir/printer.h"
#include "ir/str_cat.h"
#include "ir/verifier.h"
#include "passes/pass_manager.h"
#include "runtime/npy.h"
#include "tools/commands.h"

namespace graphc::tool {
namespace {

// Runs `f`: the one place that chooses how. By default the module goes
// through the default pass pipeline and the function is compiled whole by
// the JIT for the inputs' shapes, as graphc::function does (a function
// codegen does not compile runs on the interpreter, with a note on
// stderr); `--interpret` runs the file as written on the reference
// interpreter.
absl::StatusOr<std::vector<HostTensor>> Execute(ir::Module& module, const ir::Function& f,
                                                std::span<const HostTensor> args,
                                                interp::VariableStore* variables,
                                                bool interpret) {
  if (interpret) return interp::RunFunction(f, args, variables);
  passes::PassContext context = interp::DefaultPassContext();
  if (absl::Status s = passes::RunPipeline(module, context); !s.ok()) return s;
  std::vector<ir::TensorType> types;
  for (const HostTensor& t : args) types.push_back(t.type());
  absl::StatusOr<std::unique_ptr<codegen::CompiledFunction>> compiled =
      codegen::CompiledFunction::Compile(f, types);
  if (absl::IsUnimplemented(compiled.status())) {
    std::fprintf(stderr, "graphc: note: @%s runs on the interpreter: %s\n", f.name().c_str(),
                 std::string(compiled.status().message()).c_str());
    return interp::RunFunction(f, args, variables);
  }
  if (!compiled.ok()) return compiled.status();
  return (*compiled)->Run(args, variables);
}

runtime::NpyDType ToNpy(ir::DType dtype) {
  switch (dtype) {
    case ir::DType::kF32: return runtime::NpyDType::kF32;
    case ir::DType::kF64: return runtime::NpyDType::kF64;
    case ir::DType::kI8: return runtime::NpyDType::kI8;
    case ir::DType::kI32: return runtime::NpyDType::kI32;
    case ir::DType::kI64: return runtime::NpyDType::kI64;
    case ir::DType::kBool: return runtime::NpyDType::kBool;
  }
  return runtime::NpyDType::kF32;
}

ir::DType FromNpy(runtime::NpyDType dtype) {
  switch (dtype) {
    case runtime::NpyDType::kF32: return ir::DType::kF32;
    case runtime::NpyDType::kF64: return ir::DType::kF64;
    case runtime::NpyDType::kI8: return ir::DType::kI8;
    case runtime::NpyDType::kI32: return ir::DType::kI32;
    case runtime::NpyDType::kI64: return ir::DType::kI64;
    case runtime::NpyDType::kBool: return ir::DType::kBool;
  }
  return ir::DType::kF32;
}

// The variables `f` reads or writes, directly or through the functions it
// calls, in first-use order.
void CollectVariables(const ir::Function& f, absl::flat_hash_set<const ir::Function*>& seen,
                      std::vector<std::string>& names) {
  if (!seen.insert(&f).second) return;
  for (std::string& name : f.UsedVariables()) {
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      names.push_back(std::move(name));
    }
  }
  ir::WalkOps(f.body(), [&](const ir::Op* op) {
    auto it = op->attrs().find("callee");
    if (it == op->attrs().end()) return;
    const auto* ref = std::get_if<ir::SymbolRef>(&it->second);
    const ir::Function* callee = ref == nullptr ? nullptr : f.module()->FindFunction(ref->name);
    if (callee != nullptr) CollectVariables(*callee, seen, names);
  });
}

std::vector<std::string> VariablesUsed(const ir::Function& f) {
  absl::flat_hash_set<const ir::Function*> seen;
  std::vector<std::string> names;
  CollectVariables(f, seen, names);
  return names;
}

// ---- printing values ----

template <typename T>
std::string FormatNumber(T v) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(v)) return std::signbit(v) ? "-nan" : "nan";
    if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
    (void)ec;  // 64 bytes hold the shortest form of any double
    std::string s(buf, end);
    if (s.find_first_of(".e") == std::string::npos) s += ".0";  // reads as a float
    return s;
  } else {
    return StrCat(static_cast<int64_t>(v));
  }
}

std::string FormatElement(const HostTensor& t, int64_t i) {
  if (t.dtype() == ir::DType::kBool) return t.data_as<uint8_t>()[i] != 0 ? "true" : "false";
  return DispatchDType(t.dtype(), [&]<typename T>() { return FormatNumber(t.data_as<T>()[i]); });
}

// Nested lists, row-major: [[1.0, 2.0], [3.0, 4.0]].
void FormatNested(const HostTensor& t, size_t dim, int64_t& next, std::string& out) {
  const std::vector<int64_t>& dims = t.shape().dims();
  if (dim == dims.size()) {
    out += FormatElement(t, next++);
    return;
  }
  out += "[";
  for (int64_t i = 0; i < dims[dim]; ++i) {
    if (i > 0) out += ", ";
    FormatNested(t, dim + 1, next, out);
  }
  out += "]";
}

// The values of `t` on one line: all of them, nested, when there are few;
// else the first and last three of the flattened data, as NumPy summarises.
std::string FormatValues(const HostTensor& t) {
  constexpr int64_t kShowAll = 20, kEnds = 3;
  if (t.size() <= kShowAll) {
    std::string out;
    int64_t next = 0;
    FormatNested(t, 0, next, out);
    return out;
  }
  std::string out = "[";
  for (int64_t i = 0; i < kEnds; ++i) out += FormatElement(t, i) + ", ";
  out += "...";
  for (int64_t i = t.size() - kEnds; i < t.size(); ++i) out += ", " + FormatElement(t, i);
  return out + "]";
}

// ---- inputs ----

// One --input=NAME=FILE.
struct InputArg {
  std::string_view name;
  std::string_view path;
};

// What an input binds to (a parameter or a variable), for messages and the type check.
struct Binding {
  std::string display;  // "parameter %x of @f", "variable @w"
  ir::TensorType type;
};

absl::StatusOr<HostTensor> LoadInput(std::string_view path, const Binding& binding) {
  runtime::NpyArray array;
  std::string error;
  if (!runtime::ReadNpy(std::string(path), &array, &error)) {
    return absl::InvalidArgumentError(StrCat(path, ": error: ", error));
  }
  HostTensor t(FromNpy(array.dtype), ir::Shape(array.shape));
  if (!ir::IsCompatible(binding.type, t.type())) {
    return absl::InvalidArgumentError(StrCat(path, ": error: ", binding.display, " is ",
                                             binding.type.ToString(), ", the file holds ",
                                             t.type().ToString()));
  }
  if (array.data.size() > 0) std::memcpy(t.mutable_data(), array.data.data(), array.data.size());
  return t;
}

// Errors for an input that binds to nothing: not a parameter's name, or
// not a variable the function uses.
absl::Status CheckInputNames(const ir::Function& f, std::span<const InputArg> inputs,
                             std::span<const std::string> params,
                             std::span<const std::string> used) {
  for (const InputArg& in : inputs) {
    if (in.name.starts_with("@")) {
      const std::string_view var = in.name.substr(1);
      if (std::find(used.begin(), used.end(), var) != used.end()) continue;
      return absl::InvalidArgumentError(
          f.module()->FindVariable(var) != nullptr
              ? StrCat("graphc: error: input ", in.name, ": @", f.name(), " does not use ", in.name)
              : StrCat("graphc: error: input ", in.name, ": the module has no variable ", in.name));
    }
    if (std::find(params.begin(), params.end(), in.name) != params.end()) continue;
    std::string list;
    for (const std::string& p : params) list += StrCat(list.empty() ? "" : ", ", "%", p);
    return absl::InvalidArgumentError(StrCat("graphc: error: input ", in.name, ": @", f.name(),
                                             " has no parameter %", in.name, " (it has ",
                                             list.empty() ? std::string("none") : list, ")"));
  }
  return absl::OkStatus();
}

// The arguments of `f` and the initial values of the variables it uses,
// read from the inputs; every input must bind to one of them, and every
// one of them needs an input.
absl::Status BindInputs(const ir::Function& f, std::span<const InputArg> inputs,
                        std::vector<HostTensor>& args, interp::VariableStore& variables) {
  const absl::flat_hash_map<const ir::Value*, std::string> names = ir::ValueNames(f);
  std::vector<std::string> params;
  for (int i = 0; i < f.num_params(); ++i) params.push_back(names.at(f.param(i)).substr(1));
  const std::vector<std::string> used = VariablesUsed(f);
  if (absl::Status s = CheckInputNames(f, inputs, params, used); !s.ok()) return s;
  auto find = [&](std::string_view name) -> const InputArg* {
    for (const InputArg& in : inputs) {
      if (in.name == name) return &in;
    }
    return nullptr;
  };
  for (int i = 0; i < f.num_params(); ++i) {
    const std::string& name = params[static_cast<size_t>(i)];
    const InputArg* in = find(name);
    if (in == nullptr) {
      return absl::InvalidArgumentError(StrCat("graphc: error: no input for parameter %", name,
                                               " of @", f.name(), ": give --input=", name,
                                               "=FILE.npy"));
    }
    absl::StatusOr<HostTensor> t =
        LoadInput(in->path, {StrCat("parameter %", name, " of @", f.name()), f.param(i)->type()});
    if (!t.ok()) return t.status();
    args.push_back(*std::move(t));
  }
  for (const std::string& name : used) {
    const ir::VariableDecl* decl = f.module()->FindVariable(name);
    if (decl == nullptr) continue;  // the verifier reports it
    const InputArg* in = find(StrCat("@", name));
    if (in == nullptr) {
      return absl::InvalidArgumentError(
          StrCat("graphc: error: @", f.name(), " uses variable @", name,
                 ", which needs an initial value: give --input=@", name, "=FILE.npy"));
    }
    absl::StatusOr<HostTensor> t = LoadInput(in->path, {StrCat("variable @", name), decl->type});
    if (!t.ok()) return t.status();
    variables[name] = *std::move(t);
  }
  return absl::OkStatus();
}

// ---- outputs ----

struct Output {
  std::string name;  // "result0", "@w"
  std::string file;  // "result0.npy", "var.w.npy"
  HostTensor value;
};

absl::Status WriteOutput(const std::filesystem::path& dir, const Output& out) {
  const std::string path = (dir / out.file).string();
  std::string error;
  if (!runtime::WriteNpy(path, ToNpy(out.value.dtype()), out.value.shape().dims(), out.value.data(),
                         &error)) {
    return absl::InvalidArgumentError(StrCat(path, ": error: ", error));
  }
  return absl::OkStatus();
}

}  // namespace

int RunRun(Args args) {
  std::string_view path, function_name, output_dir;
  std::vector<InputArg> inputs;
  bool interpret = false;
  for (std::string_view a : args) {
    if (a == "--interpret") {
      interpret = true;
    } else if (auto v = OptionValue(a, "function")) {
      function_name = *v;
    } else if (auto v = OptionValue(a, "output-dir")) {
      output_dir = *v;
    } else if (auto v = OptionValue(a, "input")) {
      const size_t eq = v->find('=');
      if (eq == std::string_view::npos || eq == 0 || eq + 1 == v->size()) {
        return UsageError(StrCat("--input takes NAME=FILE.npy, got '", a, "'"));
      }
      const std::string_view name = v->substr(0, eq);
      for (const InputArg& in : inputs) {
        if (in.name == name) return UsageError(StrCat("input ", name, " is given twice"));
      }
      inputs.push_back({name, v->substr(eq + 1)});
    } else if (IsOption(a)) {
      return UsageError(StrCat("unknown option '", a, "'"));
    } else {
      path = a;
    }
  }
  absl::StatusOr<std::unique_ptr<ir::Module>> module = Load(path);
  if (!module.ok()) return Fail(module.status());
  ir::Module& m = **module;
  if (absl::Status s = ir::VerifyModule(m); !s.ok()) {
    return Fail(StrCat(DisplayName(path), ": error: ", ToStd(s.message())));
  }
  absl::StatusOr<const ir::Function*> found = FindFunctionOrFirst(m, function_name, path);
  if (!found.ok()) return Fail(found.status());
  const ir::Function* f = *found;

  std::vector<HostTensor> arguments;
  interp::VariableStore variables;
  if (absl::Status s = BindInputs(*f, inputs, arguments, variables); !s.ok()) return Fail(s);
  // Before the passes, which may delete a read whose value is unused.
  const std::vector<std::string> used_variables = VariablesUsed(*f);
  absl::StatusOr<std::vector<HostTensor>> results =
      Execute(m, *f, arguments, &variables, interpret);
  if (!results.ok()) {
    return Fail(StrCat(DisplayName(path), ": error: ", ToStd(results.status().message())));
  }

  std::vector<Output> outputs;
  for (size_t i = 0; i < results->size(); ++i) {
    outputs.push_back({StrCat("result", i), StrCat("result", i, ".npy"), (*results)[i]});
  }
  for (const std::string& name : used_variables) {
    outputs.push_back({StrCat("@", name), StrCat("var.", name, ".npy"), variables.at(name)});
  }
  if (!output_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(output_dir), ec);
    if (ec) {
      return Fail(StrCat("graphc: error: cannot create folder '", output_dir, "': ", ec.message()));
    }
    for (const Output& out : outputs) {
      if (absl::Status s = WriteOutput(std::filesystem::path(output_dir), out); !s.ok()) {
        return Fail(s);
      }
    }
  }
  for (const Output& out : outputs) {
    Write(StrCat(out.name, " = ", out.value.type().ToString(), " ", FormatValues(out.value), "\n"));
  }
  return kOk;
}

}  // namespace graphc::tool
