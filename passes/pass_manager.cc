#include "passes/pass_manager.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "absl/strings/ascii.h"
#include "ir/printer.h"
#include "ir/str_cat.h"
#include "ir/verifier.h"
#include "passes/pass_registry.h"

namespace graphc::passes {

// A pass, or a fixpoint group of nodes.
struct PassManager::Node {
  std::unique_ptr<Pass> pass;
  std::vector<Node> group;
};

namespace {

// Recursive-descent parser of the pipeline grammar in pass_manager.h.
class PipelineParser {
 public:
  explicit PipelineParser(std::string_view text) : text_(text) {}

  template <typename Node>
  absl::StatusOr<std::vector<Node>> ParseAll() {
    absl::StatusOr<std::vector<Node>> nodes = ParseList<Node>();
    if (!nodes.ok()) return nodes.status();
    SkipSpace();
    if (pos_ != text_.size()) return Error("expected ',' or the end of the pipeline");
    return nodes;
  }

 private:
  template <typename Node>
  absl::StatusOr<std::vector<Node>> ParseList() {
    std::vector<Node> nodes;
    for (;;) {
      SkipSpace();
      std::string_view name = ParseName();
      if (name.empty()) return Error("expected a pass name");
      SkipSpace();
      if (name == "fixpoint") {
        if (!Eat('(')) return Error("expected '(' after fixpoint");
        absl::StatusOr<std::vector<Node>> group = ParseList<Node>();
        if (!group.ok()) return group.status();
        SkipSpace();
        if (!Eat(')')) return Error("expected ')' closing fixpoint(");
        nodes.push_back(Node{nullptr, *std::move(group)});
      } else {
        absl::StatusOr<std::unique_ptr<Pass>> pass = CreatePass(name);
        if (!pass.ok()) return pass.status();
        nodes.push_back(Node{*std::move(pass), {}});
      }
      SkipSpace();
      if (!Eat(',')) return nodes;
    }
  }

  std::string_view ParseName() {
    size_t start = pos_;
    while (pos_ < text_.size() &&
           (absl::ascii_isalnum(text_[pos_]) || text_[pos_] == '-' || text_[pos_] == '_')) {
      ++pos_;
    }
    return text_.substr(start, pos_ - start);
  }
  void SkipSpace() {
    while (pos_ < text_.size() && absl::ascii_isspace(text_[pos_])) ++pos_;
  }
  bool Eat(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  absl::Status Error(std::string_view what) const {
    return absl::InvalidArgumentError(StrCat("pipeline \"", text_, "\" at column ", pos_ + 1,
                                             ": ", what));
  }

  std::string_view text_;
  size_t pos_ = 0;
};

template <typename Node>
void AppendText(const std::vector<Node>& nodes, std::string& out) {
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (i > 0) out += ",";
    if (nodes[i].pass != nullptr) {
      out += nodes[i].pass->name();
    } else {
      out += "fixpoint(";
      AppendText(nodes[i].group, out);
      out += ")";
    }
  }
}

}  // namespace

PassManager::PassManager() = default;

PassManager& PassManager::Add(std::unique_ptr<Pass> pass) {
  nodes_.push_back(Node{std::move(pass), {}});
  return *this;
}

PassManager& PassManager::AddFixpoint(std::vector<std::unique_ptr<Pass>> passes) {
  std::vector<Node> group;
  for (auto& p : passes) group.push_back(Node{std::move(p), {}});
  nodes_.push_back(Node{nullptr, std::move(group)});
  return *this;
}

PassManager::PassManager(std::vector<Node> nodes) : nodes_(std::move(nodes)) {}
PassManager::PassManager(PassManager&&) noexcept = default;
PassManager& PassManager::operator=(PassManager&&) noexcept = default;
PassManager::~PassManager() = default;

absl::StatusOr<PassManager> PassManager::Parse(std::string_view pipeline) {
  PipelineParser parser(pipeline);
  absl::StatusOr<std::vector<Node>> nodes = parser.ParseAll<Node>();
  if (!nodes.ok()) return nodes.status();
  return PassManager(*std::move(nodes));
}

std::string PassManager::ToString() const {
  std::string out;
  AppendText(nodes_, out);
  return out;
}

absl::StatusOr<bool> PassManager::Run(ir::Module& module, PassContext& context,
                                      const PipelineOptions& options) {
  return RunNodes(nodes_, module, context, options);
}

absl::StatusOr<bool> PassManager::RunNodes(std::vector<Node>& nodes, ir::Module& module,
                                           PassContext& context, const PipelineOptions& options) {
  bool changed = false;
  for (Node& node : nodes) {
    if (node.pass != nullptr) {
      absl::StatusOr<bool> c = RunPass(*node.pass, module, context, options);
      if (!c.ok()) return c.status();
      changed |= *c;
      continue;
    }
    for (int round = 0;; ++round) {
      if (round == kMaxFixpointRounds) {
        std::string group;
        AppendText(node.group, group);
        return absl::InternalError(StrCat("fixpoint(", group, ") still changes the IR after ",
                                          kMaxFixpointRounds,
                                          " rounds: two rewrites undo each other"));
      }
      absl::StatusOr<bool> c = RunNodes(node.group, module, context, options);
      if (!c.ok()) return c.status();
      if (!*c) break;
      changed = true;
    }
  }
  return changed;
}

absl::StatusOr<bool> PassManager::RunPass(Pass& pass, ir::Module& module, PassContext& context,
                                          const PipelineOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<bool> changed = pass.Run(module, context);
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  PassTiming& timing = TimingFor(pass.name());
  ++timing.runs;
  timing.seconds += elapsed.count();
  if (!changed.ok()) {
    return absl::Status(changed.status().code(),
                        StrCat("pass '", pass.name(), "': ", changed.status().message()));
  }
  if (*changed) ++timing.changed;
  if (options.verify_each) {
    if (absl::Status s = ir::VerifyModule(module); !s.ok()) {
      return absl::InternalError(
          StrCat("pass '", pass.name(), "' left invalid IR: ", s.message()));
    }
  }
  const bool print =
      options.print_after_all ||
      std::find(options.print_after.begin(), options.print_after.end(), pass.name()) !=
          options.print_after.end();
  if (print && options.print_stream != nullptr) {
    *options.print_stream << "// ----- IR after " << pass.name()
                          << (*changed ? "" : " (unchanged)") << " -----\n"
                          << ir::PrintModule(module);
  }
  return changed;
}

PassTiming& PassManager::TimingFor(std::string_view name) {
  for (PassTiming& t : timings_) {
    if (t.name == name) return t;
  }
  timings_.push_back(PassTiming{std::string(name)});
  return timings_.back();
}

std::string PassManager::TimingReport() const {
  double total = 0;
  for (const PassTiming& t : timings_) total += t.seconds;
  std::string out = "// pass timing (wall clock)\n";
  char line[160];
  std::snprintf(line, sizeof line, "//   %-16s %6s %8s %12s %7s\n", "pass", "runs", "changed",
                "time (ms)", "share");
  out += line;
  for (const PassTiming& t : timings_) {
    std::snprintf(line, sizeof line, "//   %-16s %6d %8d %12.3f %6.1f%%\n", t.name.c_str(), t.runs,
                  t.changed, t.seconds * 1e3, total > 0 ? 100 * t.seconds / total : 0.0);
    out += line;
  }
  std::snprintf(line, sizeof line, "//   %-16s %6s %8s %12.3f\n", "total", "", "", total * 1e3);
  out += line;
  return out;
}

absl::Status RunPipeline(ir::Module& module, PassContext& context, std::string_view pipeline,
                         const PipelineOptions& options) {
  absl::StatusOr<PassManager> pm = PassManager::Parse(pipeline);
  if (!pm.ok()) return pm.status();
  return pm->Run(module, context, options).status();
}

}  // namespace graphc::passes
