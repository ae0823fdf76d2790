// graphc opt and graphc dot: run a pass pipeline over an IR file, then
// print the result as IR text or draw it as a Graphviz graph.
#include <iostream>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_split.h"
#include "compiler/codegen/emit_text.h"
#include "compiler/interpreter/constant_evaluator.h"
#include "ir/op_registry.h"
#include "ir/printer.h"
#include "ir/str_cat.h"
#include "passes/pass_manager.h"
#include "tools/commands.h"
#include "tools/dot_writer.h"

namespace graphc::tool {
namespace {

// What `--stats` counts in one function.
struct OpCounts {
  int ops = 0;          // ops outside fusion bodies, a fusion op counting as one
  int fusions = 0;      // fusion ops
  int fused_ops = 0;    // ops inside fusion bodies
};

// Terminators (return, yield) are not counted.
void Count(const ir::Region& region, bool in_fusion, OpCounts& counts) {
  for (const auto& op : region.ops()) {
    if (op->def().is_terminator) continue;
    ++(in_fusion ? counts.fused_ops : counts.ops);
    if (op->name() == "fusion") ++counts.fusions;
    for (int r = 0; r < op->num_regions(); ++r) {
      Count(op->region(r), in_fusion || op->name() == "fusion", counts);
    }
  }
}

absl::flat_hash_map<std::string, OpCounts> CountAll(const ir::Module& module) {
  absl::flat_hash_map<std::string, OpCounts> counts;
  for (const auto& f : module.functions()) Count(f->body(), false, counts[f->name()]);
  return counts;
}

}  // namespace

// graphc opt FILE [--passes=LIST] [--print-after-all] [--print-after=NAME]
//                 [--verify-each] [--timing] [--stats] [--emit=ir|llvm|asm]
// Prints the optimised module on stdout; IR dumps and the timing table go
// to stderr (as MLIR's do), each dump a whole module that parses back.
int RunOpt(Args args) {
  std::string_view path;
  std::string pipeline(passes::kDefaultPipeline);
  passes::PipelineOptions options;
  bool timing = false;
  bool stats = false;
  std::string_view emit = "ir";
  for (std::string_view a : args) {
    if (auto v = OptionValue(a, "passes")) {
      pipeline = std::string(*v);
    } else if (a == "--print-after-all") {
      options.print_after_all = true;
    } else if (auto v = OptionValue(a, "print-after")) {
      const std::string names(*v);
      for (absl::string_view name : absl::StrSplit(names, ',', absl::SkipEmpty())) {
        options.print_after.emplace_back(name);
      }
    } else if (a == "--verify-each") {
      options.verify_each = true;
    } else if (a == "--timing") {
      timing = true;
    } else if (a == "--stats") {
      stats = true;
    } else if (auto v = OptionValue(a, "emit")) {
      emit = *v;
      if (emit != "ir" && emit != "llvm" && emit != "asm") {
        return UsageError(StrCat("--emit takes ir, llvm or asm, got '", emit, "'"));
      }
    } else if (IsOption(a)) {
      return UsageError(StrCat("unknown option '", a, "'"));
    } else {
      path = a;
    }
  }
  options.print_stream = &std::cerr;
  absl::StatusOr<passes::PassManager> pm = passes::PassManager::Parse(pipeline);
  if (!pm.ok()) return Fail(StrCat("graphc: error: ", ToStd(pm.status().message())));
  absl::StatusOr<std::unique_ptr<ir::Module>> module = Load(path);
  if (!module.ok()) return Fail(module.status());
  passes::PassContext context = interp::DefaultPassContext();
  const absl::flat_hash_map<std::string, OpCounts> before = CountAll(**module);
  absl::StatusOr<bool> changed = pm->Run(**module, context, options);
  if (timing) std::cerr << pm->TimingReport();
  if (stats && changed.ok()) {
    const absl::flat_hash_map<std::string, OpCounts> after = CountAll(**module);
    for (const auto& f : (*module)->functions()) {
      const OpCounts& b = before.at(f->name());
      const OpCounts& a = after.at(f->name());
      std::cerr << "// stats @" << f->name() << ": " << b.ops << " ops before, " << a.ops
                << " after, " << a.fusions << " fusion groups holding " << a.fused_ops
                << " ops\n";
    }
  }
  if (!changed.ok()) {
    return Fail(StrCat(DisplayName(path), ": error: ", ToStd(changed.status().message())));
  }
  if (emit != "ir") {
    absl::StatusOr<std::string> text = codegen::EmitModuleText(
        **module, emit == "llvm" ? codegen::TextKind::kLlvmIr : codegen::TextKind::kAssembly);
    if (!text.ok()) {
      return Fail(StrCat(DisplayName(path), ": error: ", ToStd(text.status().message())));
    }
    Write(*text);
    return kOk;
  }
  Write(ir::PrintModule(**module));
  // Buffer plans (plan-buffers) follow as comment lines: the output still parses.
  for (const auto& [name, plan] : context.buffer_plans) Write(passes::PrintBufferPlan(plan));
  return kOk;
}

}  // namespace graphc::tool

namespace graphc::tool {

// graphc dot FILE [--passes=LIST] [--function=NAME]: the graph as Graphviz
// DOT on stdout, after the given passes (none by default), so
// `--passes=fuse` shows the fusion groups as clusters.
int RunDot(Args args) {
  std::string_view path, function;
  std::string pipeline;
  for (std::string_view a : args) {
    if (auto v = OptionValue(a, "passes")) {
      pipeline = std::string(*v);
    } else if (auto f = OptionValue(a, "function")) {
      function = *f;
    } else if (IsOption(a)) {
      return UsageError(StrCat("unknown option '", a, "'"));
    } else {
      path = a;
    }
  }
  absl::StatusOr<std::unique_ptr<ir::Module>> module = Load(path);
  if (!module.ok()) return Fail(module.status());
  if (!function.empty() && (*module)->FindFunction(function) == nullptr) {
    return Fail(StrCat(DisplayName(path), ": error: no function @", function));
  }
  if (!pipeline.empty()) {
    passes::PassContext context = interp::DefaultPassContext();
    if (absl::Status s = passes::RunPipeline(**module, context, pipeline); !s.ok()) {
      return Fail(StrCat(DisplayName(path), ": error: ", ToStd(s.message())));
    }
  }
  Write(ModuleToDot(**module, function));
  return kOk;
}

}  // namespace graphc::tool
