#include "tools/dot_writer.h"

#include "absl/container/flat_hash_map.h"
#include "ir/op_registry.h"
#include "ir/str_cat.h"

namespace graphc::tool {
namespace {

// DOT string literal contents: quotes and backslashes escaped.
std::string Escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

class DotWriter {
 public:
  std::string Write(const ir::Module& module, std::string_view only) {
    out_ = "digraph graphc {\n  compound=true;\n  node [shape=box, fontname=\"monospace\"];\n"
           "  edge [fontname=\"monospace\", fontsize=10];\n";
    for (const auto& f : module.functions()) {
      if (!only.empty() && f->name() != only) continue;
      WriteFunction(*f);
    }
    out_ += "}\n";
    return std::move(out_);
  }

 private:
  void WriteFunction(const ir::Function& f) {
    out_ += StrCat("  subgraph cluster_", cluster_count_++, " {\n    label=\"@", Escape(f.name()),
                   "\";\n");
    for (int i = 0; i < f.num_params(); ++i) {
      const ir::Value* p = f.param(i);
      const std::string id = NewNode(p);
      const std::string name = p->name_hint().empty() ? StrCat("arg", i) : p->name_hint();
      out_ += StrCat("    ", id, " [shape=ellipse, label=\"%", Escape(name), "\\n",
                     p->type().ToString(), "\"];\n");
    }
    WriteOps(f.body(), "    ");
    out_ += "  }\n";
  }

  void WriteOps(const ir::Region& region, const std::string& indent) {
    for (const auto& op : region.ops()) {
      if (op->name() == "fusion") {
        WriteFusion(*op, indent);
        continue;
      }
      const std::string id = StrCat("n", node_count_++);
      for (const ir::Value* r : op->results()) node_of_[r] = id;
      std::string label(op->name());
      if (op->name() == "call") label += StrCat(" @", op->attr<ir::SymbolRef>("callee").name);
      if (op->has_attr("var")) {
        label += StrCat(" @", op->attr<ir::SymbolRef>("var").name);
      }
      out_ += StrCat(indent, id, " [label=\"", Escape(label), "\"", ShapeOf(*op), "];\n");
      for (const ir::Value* v : op->operands()) Edge(v, id, indent);
    }
  }

  // A fusion op: its body ops in a cluster. Body arguments stand for the
  // fusion's operands and the yielded values for its results, so edges run
  // from the real producers to the real consumers.
  void WriteFusion(const ir::Op& fusion, const std::string& indent) {
    const ir::Region& body = fusion.region(0);
    for (int i = 0; i < body.num_arguments(); ++i) {
      forward_[body.argument(i)] = fusion.operand(i);
    }
    out_ += StrCat(indent, "subgraph cluster_", cluster_count_++, " {\n", indent,
                   "  label=\"fusion (", Escape(fusion.attr<std::string>("kind")), ")\";\n", indent,
                   "  style=\"rounded,filled\"; fillcolor=\"#eef4ff\";\n");
    const ir::Op* yield = body.terminator();
    for (const auto& op : body.ops()) {
      if (op.get() == yield) continue;
      const std::string id = StrCat("n", node_count_++);
      for (const ir::Value* r : op->results()) node_of_[r] = id;
      out_ += StrCat(indent, "  ", id, " [label=\"", Escape(op->name()), "\"", ShapeOf(*op),
                     "];\n");
      for (const ir::Value* v : op->operands()) Edge(v, id, indent + "  ");
    }
    out_ += StrCat(indent, "}\n");
    for (int i = 0; i < fusion.num_results(); ++i) {
      forward_[fusion.result(i)] = yield->operand(i);
    }
  }

  static std::string ShapeOf(const ir::Op& op) {
    if (op.def().is_terminator) return ", shape=plaintext";
    if (op.num_regions() > 0) return ", shape=box3d";
    return "";
  }

  // The node drawing the producer of `v`, through fusion boundaries.
  std::string NodeOf(const ir::Value* v) {
    for (auto it = forward_.find(v); it != forward_.end(); it = forward_.find(v)) v = it->second;
    auto it = node_of_.find(v);
    if (it != node_of_.end()) return it->second;
    // A value of an enclosing region (a cond/while argument): its own node.
    const std::string id = NewNode(v);
    out_ += StrCat("    ", id, " [shape=ellipse, label=\"", v->type().ToString(), "\"];\n");
    return id;
  }

  void Edge(const ir::Value* v, const std::string& to, const std::string& indent) {
    out_ += StrCat(indent, NodeOf(v), " -> ", to, " [label=\"", v->type().ToString(), "\"];\n");
  }

  std::string NewNode(const ir::Value* v) {
    std::string id = StrCat("v", value_count_++);
    node_of_[v] = id;
    return id;
  }

  std::string out_;
  int node_count_ = 0;
  int value_count_ = 0;
  int cluster_count_ = 0;
  absl::flat_hash_map<const ir::Value*, std::string> node_of_;
  absl::flat_hash_map<const ir::Value*, const ir::Value*> forward_;
};

}  // namespace

std::string ModuleToDot(const ir::Module& module, std::string_view function) {
  return DotWriter().Write(module, function);
}

}  // namespace graphc::tool
