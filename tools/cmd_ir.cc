// graphc print, verify, grad and ops: reading, checking, differentiating
// and listing IR.
#include <charconv>
#include <string>

#include "ir/op_registry.h"
#include "ir/printer.h"
#include "ir/str_cat.h"
#include "ir/verifier.h"
#include "passes/grad_function.h"
#include "tools/commands.h"

namespace graphc::tool {
namespace {

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

}  // namespace

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

// ---- graphc grad ----

// graphc grad FILE [--function=NAME]: adds @NAME_grad returning NAME's first
// result and its gradient with respect to each floating-point parameter,
// then prints the module. NAME defaults to the module's first function.
int RunGrad(Args args) {
  std::string_view path, function_name;
  for (std::string_view a : args) {
    if (auto v = OptionValue(a, "function")) {
      function_name = *v;
    } else if (IsOption(a)) {
      return UsageError(StrCat("unknown option '", a, "'"));
    } else {
      path = a;
    }
  }
  absl::StatusOr<std::unique_ptr<ir::Module>> module = Load(path);
  if (!module.ok()) return Fail(module.status());
  ir::Module& m = **module;
  absl::StatusOr<const ir::Function*> found = FindFunctionOrFirst(m, function_name, path);
  if (!found.ok()) return Fail(found.status());
  const ir::Function* f = *found;
  absl::StatusOr<ir::Function*> g = passes::BuildGradientFunction(m, *f);
  if (!g.ok()) return Fail(StrCat(DisplayName(path), ": error: ", ToStd(g.status().message())));
  Write(ir::PrintModule(m));
  return kOk;
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

}  // namespace graphc::tool
