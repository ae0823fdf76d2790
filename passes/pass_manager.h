// Runs a pipeline of passes given as text:
//
//   pipeline ::= item (',' item)*
//   item     ::= PASS-NAME | 'fixpoint' '(' pipeline ')'
//
// `fixpoint(a,b,c)` repeats a, b, c until a whole round changes nothing
// (at most kMaxFixpointRounds rounds; more is reported as an error, since
// it means two rewrites undo each other). After each pass the verifier can
// run (always in debug builds), and the IR can be printed.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "passes/pass.h"

namespace graphc::passes {

// What `function()` and `graphc opt` run when no pipeline is given: inline
// calls, clean up until nothing changes, then fuse.
inline constexpr std::string_view kDefaultPipeline = "inline,fixpoint(canonicalize,cse,dce),fuse";

inline constexpr int kMaxFixpointRounds = 16;

struct PipelineOptions {
#ifdef NDEBUG
  bool verify_each = false;
#else
  bool verify_each = true;  // debug builds always verify after every pass
#endif
  // Dumps go to `print_stream`, each a whole module after a
  // `// ----- IR after NAME -----` comment line, so each parses back.
  bool print_after_all = false;
  std::vector<std::string> print_after;  // pass names
  std::ostream* print_stream = nullptr;
};

// Time spent in one pass over a whole run, summed over fixpoint rounds.
struct PassTiming {
  std::string name;
  int runs = 0;
  int changed = 0;  // runs that changed the IR
  double seconds = 0;
};

class PassManager {
 public:
  // Parses a pipeline; unknown pass names and syntax errors are reported
  // with the offending text.
  static absl::StatusOr<PassManager> Parse(std::string_view pipeline);

  // An empty pipeline, to be filled programmatically.
  PassManager();
  // Appends a pass (programmatic pipelines, and tests' own passes).
  PassManager& Add(std::unique_ptr<Pass> pass);
  // Appends fixpoint(passes...).
  PassManager& AddFixpoint(std::vector<std::unique_ptr<Pass>> passes);

  PassManager(PassManager&&) noexcept;
  PassManager& operator=(PassManager&&) noexcept;
  ~PassManager();

  // Runs the pipeline on `module`; returns whether anything changed. A pass
  // error, or a verifier error after a pass, names the pass.
  absl::StatusOr<bool> Run(ir::Module& module, PassContext& context,
                           const PipelineOptions& options = {});

  // The pipeline in canonical text form.
  std::string ToString() const;

  // Per-pass timings of every Run so far, in first-run order.
  const std::vector<PassTiming>& timings() const { return timings_; }
  // A table of `timings()` for `--timing`.
  std::string TimingReport() const;

 private:
  struct Node;
  explicit PassManager(std::vector<Node> nodes);
  absl::StatusOr<bool> RunNodes(std::vector<Node>& nodes, ir::Module& module,
                                PassContext& context, const PipelineOptions& options);
  absl::StatusOr<bool> RunPass(Pass& pass, ir::Module& module, PassContext& context,
                               const PipelineOptions& options);
  PassTiming& TimingFor(std::string_view name);

  std::vector<Node> nodes_;
  std::vector<PassTiming> timings_;
};

// Parses and runs `pipeline` in one step (kDefaultPipeline by default).
absl::Status RunPipeline(ir::Module& module, PassContext& context,
                         std::string_view pipeline = kDefaultPipeline,
                         const PipelineOptions& options = {});

}  // namespace graphc::passes
