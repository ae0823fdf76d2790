#include "ir/module.h"

#include <algorithm>

#include "ir/op_registry.h"

namespace graphc::ir {

std::vector<std::string> Function::UsedVariables() const {
  std::vector<std::string> names;
  WalkOps(body_, [&](const Op* op) {
    auto it = op->attrs().find("var");
    if (it == op->attrs().end()) return;
    const auto* ref = std::get_if<SymbolRef>(&it->second);
    if (ref == nullptr) return;
    if (std::find(names.begin(), names.end(), ref->name) == names.end()) {
      names.push_back(ref->name);
    }
  });
  return names;
}

std::string ToSymbolName(std::string_view name) {
  std::string out = name.empty() ? "_" : std::string(name);
  for (char& c : out) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    if (!ok) c = '_';
  }
  return out;
}

Function* Module::AddFunction(std::string name) {
  functions_.push_back(std::make_unique<Function>(std::move(name), this));
  return functions_.back().get();
}

Function* Module::FindFunction(std::string_view name) const {
  for (const auto& f : functions_) {
    if (f->name() == name) return f.get();
  }
  return nullptr;
}

void Module::EraseFunction(Function* f) {
  functions_.erase(std::remove_if(functions_.begin(), functions_.end(),
                                  [f](const auto& p) { return p.get() == f; }),
                   functions_.end());
}

const VariableDecl* Module::FindVariable(std::string_view name) const {
  for (const auto& v : variables_) {
    if (v.name == name) return &v;
  }
  return nullptr;
}

}  // namespace graphc::ir
