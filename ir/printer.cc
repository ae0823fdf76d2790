// The IR printer. Output is canonical (docs/ir.md): values are named the same
// way every time, attributes equal to their defaults are left out, numbers
// print in the shortest form that parses back to the same bits, so
// print(parse(print(m))) == print(m) byte for byte.
#include "ir/printer.h"

#include <charconv>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "ir/op_registry.h"
#include "ir/str_cat.h"

namespace graphc::ir {
namespace {

// A name hint prints as itself when it reads as a fresh identifier.
bool IsIdentifier(std::string_view s) {
  if (s.empty()) return false;
  auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!letter(s[0])) return false;
  for (char c : s) {
    if (!letter(c) && !(c >= '0' && c <= '9') && c != '.') return false;
  }
  return true;
}

// Gives every value in a region tree its printed name: region arguments keep
// a valid, unused name hint; everything else is numbered in program order
// (an op's results before the values nested in its regions).
class Namer {
 public:
  void NameRegion(const Region& region) {
    for (int i = 0; i < region.num_arguments(); ++i) {
      const Value* arg = region.argument(i);
      const std::string& hint = arg->name_hint();
      if (IsIdentifier(hint) && used_hints_.insert(hint).second) {
        names_[arg] = StrCat("%", hint);
      } else {
        Number(arg);
      }
    }
    for (const auto& op : region.ops()) NameOp(*op);
  }
  void NameOp(const Op& op) {
    for (int i = 0; i < op.num_results(); ++i) Number(op.result(i));
    for (int i = 0; i < op.num_regions(); ++i) NameRegion(op.region(i));
  }
  // A value outside the printed tree (only when printing a detached op)
  // prints as %?, which does not parse: such text is a dump, not a module.
  std::string_view Name(const Value* v) const {
    auto it = names_.find(v);
    return it == names_.end() ? std::string_view("%?") : std::string_view(it->second);
  }
  absl::flat_hash_map<const Value*, std::string> TakeNames() { return std::move(names_); }

 private:
  void Number(const Value* v) { names_[v] = StrCat("%", next_++); }

  absl::flat_hash_map<const Value*, std::string> names_;
  absl::flat_hash_set<std::string> used_hints_;
  int next_ = 0;
};

// Shortest text that parses back to `v` and still reads as a float.
template <typename T>
std::string FormatFloat(T v) {
  // The sign of a NaN is kept (x86 computes -nan for 0/0, log(-1), ...), so
  // folding a constant and printing it changes no bits; payloads are not.
  if (std::isnan(v)) return std::signbit(v) ? "-nan" : "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  (void)ec;  // 64 bytes always hold the shortest form of a float or double
  std::string s(buf, end);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

std::string FormatElement(const DenseElements& d, int64_t i) {
  switch (d.type().dtype) {
    case DType::kF32: return FormatFloat(static_cast<float>(d.GetDouble(i)));
    case DType::kF64: return FormatFloat(d.GetDouble(i));
    case DType::kBool: return d.GetInt(i) != 0 ? "true" : "false";
    case DType::kI8:
    case DType::kI32:
    case DType::kI64: return StrCat(d.GetInt(i));
  }
  return "?";
}

std::string QuoteString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// Splat form `dense<f32[2,3] 0.0>` whenever there is at least one element and
// all are equal (scalars included); otherwise every element, row-major.
std::string FormatDense(const DenseElements& d) {
  std::string out = StrCat("dense<", d.type().ToString(), " ");
  if (d.size() >= 1 && d.IsSplat()) {
    out += FormatElement(d, 0);
  } else {
    out += "[";
    for (int64_t i = 0; i < d.size(); ++i) {
      if (i > 0) out += ", ";
      out += FormatElement(d, i);
    }
    out += "]";
  }
  return out + ">";
}

std::string FormatInts(const std::vector<int64_t>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += ", ";
    out += StrCat(v[i]);
  }
  return out + "]";
}

std::string FormatAttr(const Attribute& a) {
  switch (KindOf(a)) {
    case AttrKind::kBool: return std::get<bool>(a) ? "true" : "false";
    case AttrKind::kInt: return StrCat(std::get<int64_t>(a));
    case AttrKind::kFloat: return FormatFloat(std::get<double>(a));
    case AttrKind::kString: return QuoteString(std::get<std::string>(a));
    case AttrKind::kDType: return std::string(DTypeName(std::get<DType>(a)));
    case AttrKind::kInts: return FormatInts(std::get<std::vector<int64_t>>(a));
    case AttrKind::kSymbol: return StrCat("@", std::get<SymbolRef>(a).name);
    case AttrKind::kDense: return FormatDense(std::get<DenseElements>(a));
  }
  return "?";
}

bool IsDefault(const OpDef& def, const std::string& name, const Attribute& value) {
  for (const AttrSpec& spec : def.attrs) {
    if (spec.name == name) return spec.default_value.has_value() && *spec.default_value == value;
  }
  return false;
}

class Printer {
 public:
  explicit Printer(const Namer& namer) : namer_(namer) {}

  std::string Take() { return std::move(out_); }

  void PrintFunction(const Function& f) {
    out_ += StrCat("func @", f.name(), "(");
    PrintArgs(f.body());
    out_ += ") -> (";
    for (size_t i = 0; i < f.result_types().size(); ++i) {
      if (i > 0) out_ += ", ";
      out_ += f.result_types()[i].ToString();
    }
    out_ += ") {\n";
    PrintBody(f.body(), 2);
    out_ += "}\n";
  }

  // The op's text at `indent`, without a trailing newline.
  void PrintOp(const Op& op, int indent) {
    for (int i = 0; i < op.num_results(); ++i) {
      out_ += i > 0 ? ", " : "";
      out_ += namer_.Name(op.result(i));
    }
    if (op.num_results() > 0) out_ += " = ";
    out_ += op.name();
    for (int i = 0; i < op.num_operands(); ++i) {
      out_ += i > 0 ? ", " : " ";
      out_ += namer_.Name(op.operand(i));
    }
    PrintAttrs(op);
    for (int i = 0; i < op.num_results(); ++i) {
      out_ += i > 0 ? ", " : " : ";
      out_ += op.result(i)->type().ToString();
    }
    for (int i = 0; i < op.num_regions(); ++i) {
      const Region& r = op.region(i);
      out_ += " (";
      PrintArgs(r);
      out_ += ") {\n";
      PrintBody(r, indent + 2);
      out_.append(static_cast<size_t>(indent), ' ');
      out_ += "}";
    }
    if (op.loc().known()) {
      out_ +=
          StrCat(" loc(", QuoteString(op.loc().file), ":", op.loc().line, ":", op.loc().col, ")");
    }
  }

 private:
  void PrintArgs(const Region& r) {
    for (int i = 0; i < r.num_arguments(); ++i) {
      if (i > 0) out_ += ", ";
      out_ += StrCat(namer_.Name(r.argument(i)), ": ", r.argument(i)->type().ToString());
    }
  }

  void PrintBody(const Region& r, int indent) {
    for (const auto& op : r.ops()) {
      out_.append(static_cast<size_t>(indent), ' ');
      PrintOp(*op, indent);
      out_ += "\n";
    }
  }

  void PrintAttrs(const Op& op) {
    bool first = true;
    for (const auto& [name, value] : op.attrs()) {
      if (IsDefault(op.def(), name, value)) continue;
      out_ += first ? " {" : ", ";
      first = false;
      out_ += StrCat(name, " = ", FormatAttr(value));
    }
    if (!first) out_ += "}";
  }

  const Namer& namer_;
  std::string out_;
};

}  // namespace

std::string PrintFunction(const Function& function) {
  Namer namer;
  namer.NameRegion(function.body());
  Printer p(namer);
  p.PrintFunction(function);
  return p.Take();
}

absl::flat_hash_map<const Value*, std::string> ValueNames(const Function& function) {
  Namer namer;
  namer.NameRegion(function.body());
  return namer.TakeNames();
}

std::string PrintModule(const Module& module) {
  std::string out;
  for (const VariableDecl& v : module.variables()) {
    out += StrCat("var @", v.name, " : ", v.type.ToString());
    out += v.trainable ? "\n" : " {trainable = false}\n";
  }
  for (const auto& f : module.functions()) {
    if (!out.empty()) out += "\n";
    out += PrintFunction(*f);
  }
  return out;
}

std::string PrintOp(const Op& op) {
  // Name the outermost region holding the op so names match a function dump.
  Namer namer;
  const Region* root = op.parent();
  while (root != nullptr && root->owner_op() != nullptr && root->owner_op()->parent() != nullptr) {
    root = root->owner_op()->parent();
  }
  if (root != nullptr) {
    namer.NameRegion(*root);
  } else {
    namer.NameOp(op);
  }
  Printer p(namer);
  p.PrintOp(op, 0);
  return p.Take();
}

}  // namespace graphc::ir
