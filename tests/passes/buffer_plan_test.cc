// Buffer planning: an independent checker (live ranges recomputed from the
// IR; no two arena buffers live at once overlap; in-place, view and variable
// aliasing only where it is safe; the peak figure) run over the IR corpus and
// hand-written functions, exact placements of small cases, the printed form,
// and the figures of a 2-layer MLP training step.
#include "passes/buffer_plan.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "compiler/interpreter/constant_evaluator.h"
#include "gtest/gtest.h"
#include "ir/builder.h"
#include "ir/op_registry.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/str_cat.h"
#include "ir/verifier.h"
#include "passes/autodiff.h"
#include "passes/pass_manager.h"
#include "tests/common/test_files.h"

namespace graphc::passes {
namespace {

namespace fs = std::filesystem;

using test::kTestsDir;

std::unique_ptr<ir::Module> Parse(std::string_view text) {
  absl::StatusOr<std::unique_ptr<ir::Module>> m = ir::ParseModule(text, "test.gir");
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? *std::move(m) : nullptr;
}

int64_t RoundUp(int64_t n) {
  return (n + kBufferAlignment - 1) / kBufferAlignment * kBufferAlignment;
}

// ---- the independent checker ----

class Checker {
 public:
  Checker(const ir::Function& f, const BufferPlan& plan) : f_(f), plan_(plan) {}

  void Run() {
    int next = 0;
    Number(f_.body(), next);
    ASSERT_EQ(plan_.num_ops, next);
    CheckValueSetAndNames();
    for (const ValueBuffer& vb : plan_.values) {
      SCOPED_TRACE(vb.name);
      begin_.push_back(Begin(vb.value));
      end_.push_back(End(vb.value));
      EXPECT_EQ(vb.live_begin, begin_.back());
      EXPECT_EQ(vb.live_end, end_.back());
    }
    for (size_t i = 0; i < plan_.values.size(); ++i) CheckKind(static_cast<int>(i));
    CheckArena();
  }

  // Sum of rounded arena-buffer sizes live at each op.
  const std::vector<int64_t>& live_bytes() const { return live_bytes_; }

 private:
  void Number(const ir::Region& region, int& next) {
    for (const auto& op : region.ops()) {
      first_[op.get()] = next++;
      for (int i = 0; i < op->num_regions(); ++i) Number(op->region(i), next);
      last_[op.get()] = next - 1;
    }
  }

  static bool InIsolatedRegion(const ir::Value* v) {
    for (const ir::Op* p = v->is_argument() ? v->owner_region()->owner_op()
                                            : v->defining_op()->parent_op();
         p != nullptr; p = p->parent_op()) {
      if (p->def().isolated_regions) return true;
    }
    return false;
  }

  // Every value outside fusion bodies is planned once, under the name the
  // printer gives it.
  void CheckValueSetAndNames() {
    std::vector<const ir::Value*> expected;
    for (int i = 0; i < f_.num_params(); ++i) expected.push_back(f_.param(i));
    ir::WalkOps(f_.body(), [&](const ir::Op* op) {
      for (int i = 0; i < op->num_results(); ++i) {
        if (!InIsolatedRegion(op->result(i))) expected.push_back(op->result(i));
      }
      for (int r = 0; r < op->num_regions(); ++r) {
        for (int i = 0; i < op->region(r).num_arguments(); ++i) {
          if (!InIsolatedRegion(op->region(r).argument(i))) {
            expected.push_back(op->region(r).argument(i));
          }
        }
      }
    });
    ASSERT_EQ(plan_.values.size(), expected.size());
    for (const ir::Value* v : expected) ASSERT_NE(plan_.Find(v), nullptr);
    const std::string text = ir::PrintFunction(f_);
    for (const ValueBuffer& vb : plan_.values) {
      const ir::Value* v = vb.value;
      std::string pattern;
      if (v->is_argument()) {
        pattern = StrCat(vb.name, ": ", vb.type);
      } else {
        const ir::Op* op = v->defining_op();
        for (int i = 0; i < op->num_results(); ++i) {
          pattern += StrCat(i > 0 ? ", " : " ", plan_.Find(op->result(i))->name);
        }
        pattern += StrCat(" = ", op->name());
      }
      EXPECT_NE(text.find(pattern), std::string::npos) << pattern << " in\n" << text;
    }
  }

  // The op owning v: its defining op, the op whose region v is an argument
  // of, or null for a parameter.
  static const ir::Op* Anchor(const ir::Value* v) {
    return v->is_argument() ? v->owner_region()->owner_op() : v->defining_op();
  }
  static bool Encloses(const ir::Op* outer, const ir::Op* op) {
    for (const ir::Op* p = op == nullptr ? nullptr : op->parent_op(); p != nullptr;
         p = p->parent_op()) {
      if (p == outer) return true;
    }
    return false;
  }

  int Begin(const ir::Value* v) const {
    const ir::Op* anchor = Anchor(v);
    return anchor == nullptr ? 0 : first_.at(anchor);
  }

  int End(const ir::Value* v) const {
    const ir::Op* anchor = Anchor(v);
    int end = Begin(v);
    if (anchor != nullptr && !v->is_argument()) end = last_.at(anchor);
    if (anchor != nullptr && v->is_argument() && anchor->name() == "while") end = last_.at(anchor);
    for (const ir::Use& use : v->uses()) {
      int pos = first_.at(use.user);
      for (const ir::Op* a = use.user->parent_op(); a != nullptr; a = a->parent_op()) {
        const bool def_inside = (v->is_argument() && anchor == a) || Encloses(a, anchor);
        if (a->name() == "while" && !def_inside) pos = std::max(pos, last_.at(a));
      }
      end = std::max(end, pos);
    }
    return end;
  }

  int IndexOf(const ir::Value* v) const {
    const ValueBuffer* vb = plan_.Find(v);
    return vb == nullptr ? -1 : static_cast<int>(vb - plan_.values.data());
  }
  const ValueBuffer& At(int i) const { return plan_.values[static_cast<size_t>(i)]; }

  // True if `i` shares `ancestor`'s bytes through a chain of sources.
  bool DerivesFrom(int i, int ancestor) const {
    for (int s = At(i).source; s >= 0; s = At(s).source) {
      if (s == ancestor) return true;
    }
    return false;
  }

  // Latest end over `i` and every value deriving from it.
  int EndWithDerived(int i) const {
    int end = end_[static_cast<size_t>(i)];
    for (size_t j = 0; j < plan_.values.size(); ++j) {
      if (DerivesFrom(static_cast<int>(j), i)) end = std::max(end, end_[j]);
    }
    return end;
  }

  void CheckKind(int i) {
    const ValueBuffer& vb = At(i);
    SCOPED_TRACE(vb.name + " " + std::string(BufferKindName(vb.kind)));
    const ir::Value* v = vb.value;
    const ir::Op* anchor = Anchor(v);
    const ir::Op* def = v->is_argument() ? nullptr : anchor;
    EXPECT_EQ(vb.kind == BufferKind::kParam, anchor == nullptr);
    EXPECT_EQ(vb.kind == BufferKind::kConstant, def != nullptr && def->name() == "constant");
    if (v->shape().is_static()) {
      EXPECT_NE(vb.kind, BufferKind::kDynamic);
      EXPECT_EQ(vb.size, v->shape().num_elements().value() * ir::DTypeSize(v->dtype()));
    } else {
      EXPECT_NE(vb.kind, BufferKind::kArena);
      EXPECT_NE(vb.kind, BufferKind::kInPlace);
    }
    switch (vb.kind) {
      case BufferKind::kView: {
        ASSERT_GE(vb.source, 0);
        const ir::Value* src = At(vb.source).value;
        if (def != nullptr) {
          const std::string_view n = def->name();
          EXPECT_TRUE(n == "reshape" || n == "reshape_like" || n == "expand_dims" ||
                      n == "squeeze");
          EXPECT_EQ(def->operand(0), src);
        } else if (anchor->name() == "cond") {
          EXPECT_EQ(anchor->operand(v->index() + 1), src);
        } else {
          ASSERT_EQ(anchor->name(), "while");
          EXPECT_EQ(v->owner_region(), &anchor->region(1));
          EXPECT_EQ(anchor->region(0).argument(v->index()), src);
        }
        break;
      }
      case BufferKind::kInPlace: {
        ASSERT_NE(def, nullptr);
        ASSERT_GE(vb.source, 0);
        const ValueBuffer& src = At(vb.source);
        EXPECT_TRUE(std::find(def->operands().begin(), def->operands().end(), src.value) !=
                    def->operands().end());
        EXPECT_EQ(src.value->shape(), v->shape());
        EXPECT_EQ(src.size, vb.size);
        EXPECT_EQ(At(vb.root).kind, BufferKind::kArena);
        if (def->def().scalar == nullptr) {
          ASSERT_EQ(def->name(), "fusion");
          EXPECT_EQ(def->attr<std::string>("kind"), "loop");
        }
        // Nothing else in the buffer is read after this op writes it.
        for (size_t j = 0; j < plan_.values.size(); ++j) {
          if (static_cast<int>(j) == i || At(static_cast<int>(j)).root != vb.root) continue;
          if (DerivesFrom(static_cast<int>(j), i)) continue;
          EXPECT_LE(end_[j], begin_[static_cast<size_t>(i)]) << At(static_cast<int>(j)).name;
        }
        break;
      }
      case BufferKind::kVariable: {
        ASSERT_NE(def, nullptr);
        if (def->name() != "read_var") {
          CheckComputedInVariable(i, def);
          break;
        }
        EXPECT_EQ(vb.variable, def->attr<ir::SymbolRef>("var").name);
        // No write of the variable while the alias is still to be read.
        const int end = EndWithDerived(i);
        ir::WalkOps(f_.body(), [&](const ir::Op* op) {
          const int p = first_.at(op);
          if (op->def().has_side_effects && op->has_attr("var") &&
              op->attr<ir::SymbolRef>("var").name == vb.variable) {
            EXPECT_FALSE(begin_[static_cast<size_t>(i)] < p && p < end) << "write at " << p;
          }
        });
        break;
      }
      default: break;
    }
    if (vb.kind != BufferKind::kInPlace && vb.kind != BufferKind::kView) {
      EXPECT_EQ(vb.root, i);
    }
  }

  // A value computed in the storage of the variable it is assigned to
  // (PlanOptions::assigned_values_in_variables): from its definition on,
  // nothing may tell the variable's bytes from a buffer of its own.
  void CheckComputedInVariable(int i, const ir::Op* def) {
    const ValueBuffer& vb = At(i);
    const ir::Value* v = vb.value;
    EXPECT_EQ(def->parent(), &f_.body());
    const ir::Op* assign = nullptr;
    for (const ir::Use& use : v->uses()) {
      if (use.user->name() == "assign" && use.user->attr<ir::SymbolRef>("var").name == vb.variable &&
          use.user->parent() == &f_.body()) {
        assign = use.user;
      }
    }
    ASSERT_NE(assign, nullptr) << "no assign to @" << vb.variable;
    // Only views share the bytes: nothing else writes into the variable.
    for (size_t j = 0; j < plan_.values.size(); ++j) {
      const ValueBuffer& other = At(static_cast<int>(j));
      if (static_cast<int>(j) != i && other.root == i) EXPECT_EQ(other.kind, BufferKind::kView) << other.name;
    }
    const int begin = first_.at(def), at = first_.at(assign);
    const int last = std::max(at, EndWithDerived(i));
    ir::WalkOps(f_.body(), [&](const ir::Op* op) {
      const int p = first_.at(op);
      const bool of_var = op->has_attr("var") && op->attr<ir::SymbolRef>("var").name == vb.variable;
      if (op->name() == "call") EXPECT_FALSE(begin <= p && p <= last) << "call at " << p;
      if (of_var && op->def().has_side_effects && op != assign) {
        EXPECT_FALSE(begin <= p && p <= last) << "another write at " << p;
      }
      if (!of_var || op->name() != "read_var" || p > at) return;
      EXPECT_LT(p, begin) << "a read between the definition and the assign at " << p;
      const int r = IndexOf(op->result(0));
      if (At(r).kind != BufferKind::kVariable) return;  // a copy
      const int end = EndWithDerived(r);
      if (end < begin) return;
      // Read by the defining op alone, at the position it writes.
      EXPECT_EQ(end, begin);
      EXPECT_TRUE(def->def().scalar != nullptr ||
                  (def->name() == "fusion" && def->attr<std::string>("kind") == "loop"));
      EXPECT_EQ(op->result(0)->shape(), v->shape());
      EXPECT_TRUE(std::find(def->operands().begin(), def->operands().end(), op->result(0)) !=
                  def->operands().end());
    });
  }

  // Offsets: aligned, inside the arena, shared only by aliases, and
  // disjoint between buffers live at the same time. Then the peak figure.
  void CheckArena() {
    std::vector<int> in_arena;
    for (size_t i = 0; i < plan_.values.size(); ++i) {
      const ValueBuffer& vb = plan_.values[i];
      const bool arena_backed = vb.root >= 0 && At(vb.root).kind == BufferKind::kArena;
      EXPECT_EQ(vb.offset >= 0, arena_backed) << vb.name;
      if (!arena_backed) continue;
      EXPECT_EQ(vb.offset, At(vb.root).offset) << vb.name;
      EXPECT_EQ(vb.offset % kBufferAlignment, 0) << vb.name;
      EXPECT_LE(vb.size, At(vb.root).size) << vb.name;
      if (vb.size > 0) {
        EXPECT_LE(vb.offset + RoundUp(vb.size), plan_.arena_bytes) << vb.name;
        in_arena.push_back(static_cast<int>(i));
      }
    }
    for (size_t a = 0; a < in_arena.size(); ++a) {
      for (size_t b = a + 1; b < in_arena.size(); ++b) {
        const int x = in_arena[a];
        const int y = in_arena[b];
        if (At(x).root == At(y).root) continue;
        const bool live_together = begin_[static_cast<size_t>(x)] <= end_[static_cast<size_t>(y)] &&
                                   begin_[static_cast<size_t>(y)] <= end_[static_cast<size_t>(x)];
        if (!live_together) continue;
        const bool disjoint =
            At(x).offset + At(x).size <= At(y).offset || At(y).offset + At(y).size <= At(x).offset;
        EXPECT_TRUE(disjoint) << At(x).name << " and " << At(y).name
                              << " overlap in time and bytes";
      }
    }
    // A root's bytes are in use while any value sharing them is live.
    live_bytes_.assign(static_cast<size_t>(plan_.num_ops), 0);
    for (int p = 0; p < plan_.num_ops; ++p) {
      std::vector<int> roots;
      for (int i : in_arena) {
        if (begin_[static_cast<size_t>(i)] <= p && p <= end_[static_cast<size_t>(i)]) {
          roots.push_back(At(i).root);
        }
      }
      std::sort(roots.begin(), roots.end());
      roots.erase(std::unique(roots.begin(), roots.end()), roots.end());
      for (int r : roots) live_bytes_[static_cast<size_t>(p)] += RoundUp(At(r).size);
    }
    const int64_t peak =
        live_bytes_.empty() ? 0 : *std::max_element(live_bytes_.begin(), live_bytes_.end());
    EXPECT_EQ(plan_.peak_live_bytes, peak);
    EXPECT_GE(plan_.arena_bytes, plan_.peak_live_bytes);
    std::vector<int64_t> sorted = live_bytes_;
    std::sort(sorted.rbegin(), sorted.rend());
    sorted.resize(std::max<size_t>(sorted.size(), 2), 0);
    EXPECT_LE(plan_.arena_bytes, sorted[0] + sorted[1]);
  }

  const ir::Function& f_;
  const BufferPlan& plan_;
  absl::flat_hash_map<const ir::Op*, int> first_;
  absl::flat_hash_map<const ir::Op*, int> last_;
  std::vector<int> begin_;
  std::vector<int> end_;
  std::vector<int64_t> live_bytes_;
};

BufferPlan PlanAndCheck(const ir::Function& f, PlanOptions options = {}) {
  SCOPED_TRACE("@" + f.name());
  absl::StatusOr<BufferPlan> plan = PlanBuffers(f, options);
  EXPECT_TRUE(plan.ok()) << plan.status();
  if (!plan.ok()) return {};
  Checker(f, *plan).Run();
  return *std::move(plan);
}

const ValueBuffer& Get(const BufferPlan& plan, std::string_view name) {
  for (const ValueBuffer& vb : plan.values) {
    if (vb.name == name) return vb;
  }
  ADD_FAILURE() << "no value " << name;
  static const ValueBuffer kNone;
  return kNone;
}

// ---- the corpus ----

std::vector<fs::path> CorpusFiles() { return test::FilesIn(kTestsDir / "gir", ".gir"); }
using test::ReadFile;

// As codegen plans, minus results in the caller's buffers (the checker
// does not model them).
constexpr PlanOptions kInVariables = {.assigned_values_in_variables = true};

// Parses `text`, optionally runs `pipeline`, and checks every function's
// plan, with the default options and with kInVariables. Returns the number
// of functions checked.
int CheckModule(std::string_view text, const std::string& pipeline) {
  std::unique_ptr<ir::Module> m = Parse(text);
  if (m == nullptr) return 0;
  if (!pipeline.empty()) {
    PassContext context = interp::DefaultPassContext();
    absl::Status s = RunPipeline(*m, context, pipeline);
    EXPECT_TRUE(s.ok()) << s;
  }
  for (const auto& f : m->functions()) {
    PlanAndCheck(*f);
    PlanAndCheck(*f, kInVariables);
  }
  return static_cast<int>(m->functions().size());
}

// Every corpus function, as written and after the default pipeline (which
// brings fusion ops and longer live ranges).
TEST(BufferPlanTest, CorpusPlansPassTheChecker) {
  std::vector<fs::path> files = CorpusFiles();
  ASSERT_GE(files.size(), 12u);
  int functions = 0;
  for (const std::string& pipeline : {std::string(), std::string(kDefaultPipeline)}) {
    for (const fs::path& path : files) {
      SCOPED_TRACE(path.filename().string() + " " + pipeline);
      functions += CheckModule(ReadFile(path), pipeline);
    }
  }
  EXPECT_GE(functions, 40);
}

// Random straight-line functions over f32[4,8], f32[32] and f32[8] values:
// elementwise chains, broadcasts, views, reductions, reads and writes of a
// variable, some values returned. Many chances for an in-place write, a
// view or a variable alias to be planned where it is not safe.
std::string RandomModule(uint32_t seed) {
  std::mt19937 rng(seed);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  struct Val {
    std::string name;
    std::string type;
  };
  std::vector<Val> vals = {{"%x", "f32[4,8]"}, {"%b", "f32[8]"}};
  auto any_of = [&](const std::string& type) {
    std::vector<const Val*> fit;
    for (const Val& v : vals) {
      if (v.type == type) fit.push_back(&v);
    }
    return fit[pick(fit.size())]->name;
  };
  const std::string types[] = {"f32[4,8]", "f32[32]", "f32[8]"};
  std::string body;
  for (int i = 0; i < 40; ++i) {
    const std::string r = StrCat("%v", i);
    std::string type = types[pick(3)];
    if (type == "f32[32]" &&
        std::none_of(vals.begin(), vals.end(), [](const Val& v) { return v.type == "f32[32]"; })) {
      type = "f32[4,8]";
    }
    std::string text;
    switch (pick(7)) {
      case 0: {
        const char* ops[] = {"exp", "neg", "relu", "tanh"};
        text = StrCat(r, " = ", ops[pick(4)], " ", any_of(type), " : ", type);
        break;
      }
      case 1: {
        const char* ops[] = {"add", "mul", "sub"};
        text = StrCat(r, " = ", ops[pick(3)], " ", any_of(type), ", ", any_of(type), " : ", type);
        break;
      }
      case 2:
        type = "f32[4,8]";
        text = StrCat(r, " = add ", any_of(type), ", ", any_of("f32[8]"), " : ", type);
        break;
      case 3:
        if (type == "f32[32]") {
          text = StrCat(r, " = reshape ", any_of(type), " {shape = [4, 8]} : f32[4,8]");
          type = "f32[4,8]";
        } else {
          text = StrCat(r, " = reshape ", any_of("f32[4,8]"), " {shape = [32]} : f32[32]");
          type = "f32[32]";
        }
        break;
      case 4:
        type = "f32[8]";
        text = StrCat(r, " = reduce_sum ", any_of("f32[4,8]"), " {axes = [0]} : f32[8]");
        break;
      case 5:
        type = "f32[4,8]";
        text = StrCat(r, " = read_var {var = @w} : f32[4,8]");
        break;
      default:
        body += StrCat(pick(2) == 0 ? "  assign_sub " : "  assign ", any_of("f32[4,8]"), " {var = @w}\n");
        continue;
    }
    body += StrCat("  ", text, "\n");
    vals.push_back({r, type});
  }
  // The last value and two random ones are returned.
  std::vector<const Val*> results = {&vals.back(), &vals[pick(vals.size())],
                                     &vals[pick(vals.size())]};
  std::string sig;
  std::string ret;
  for (const Val* v : results) {
    sig += StrCat(sig.empty() ? "" : ", ", v->type);
    ret += StrCat(ret.empty() ? "" : ", ", v->name);
  }
  return StrCat("var @w : f32[4,8]\n\nfunc @f(%x: f32[4,8], %b: f32[8]) -> (", sig, ") {\n", body,
                "  return ", ret, "\n}\n");
}

TEST(BufferPlanTest, RandomFunctionsPassTheChecker) {
  for (uint32_t seed = 1; seed <= 100; ++seed) {
    const std::string text = RandomModule(seed);
    SCOPED_TRACE(text);
    ASSERT_EQ(CheckModule(text, ""), 1);
    ASSERT_EQ(CheckModule(text, std::string(kDefaultPipeline)), 1);
  }
}

// The tool tests' inputs too (those that parse: some are meant not to).
TEST(BufferPlanTest, ToolTestInputsPassTheChecker) {
  int functions = 0;
  for (const auto& entry : fs::directory_iterator(kTestsDir / "tools")) {
    if (entry.path().extension() != ".gir") continue;
    SCOPED_TRACE(entry.path().filename().string());
    if (!ir::ParseModule(ReadFile(entry.path())).ok()) continue;
    functions += CheckModule(ReadFile(entry.path()), "");
    functions += CheckModule(ReadFile(entry.path()), std::string(kDefaultPipeline));
  }
  EXPECT_GE(functions, 10);
}

// ---- exact placements ----

TEST(BufferPlanTest, ElementwiseChainRunsInOneBuffer) {
  std::unique_ptr<ir::Module> m = Parse(R"(func @chain(%x: f32[64,20]) -> (f32[64,20]) {
  %0 = exp %x : f32[64,20]
  %1 = neg %0 : f32[64,20]
  %2 = relu %1 : f32[64,20]
  %3 = add %2, %x : f32[64,20]
  return %3
}
)");
  const BufferPlan plan = PlanAndCheck(*m->functions()[0]);
  // %x is the caller's: exp needs a buffer, and the rest of the chain
  // overwrites it.
  EXPECT_EQ(Get(plan, "%x").kind, BufferKind::kParam);
  EXPECT_EQ(Get(plan, "%0").kind, BufferKind::kArena);
  EXPECT_EQ(Get(plan, "%0").offset, 0);
  for (const char* name : {"%1", "%2", "%3"}) {
    EXPECT_EQ(Get(plan, name).kind, BufferKind::kInPlace) << name;
    EXPECT_EQ(Get(plan, name).offset, 0) << name;
  }
  EXPECT_EQ(Get(plan, "%3").source, 3);  // %2
  EXPECT_EQ(plan.arena_bytes, 5120);
  EXPECT_EQ(plan.peak_live_bytes, 5120);
}

TEST(BufferPlanTest, InPlaceOnlyAtTheLastUse) {
  std::unique_ptr<ir::Module> m = Parse(R"(func @f(%x: f32[8,8], %b: f32[8]) -> (f32[8,8], f32[8]) {
  %0 = exp %x : f32[8,8]
  %1 = neg %0 : f32[8,8]
  %2 = add %1, %0 : f32[8,8]
  %3 = exp %b : f32[8]
  %4 = add %2, %3 : f32[8,8]
  %5 = mul %3, %3 : f32[8]
  return %4, %5
}
)");
  const BufferPlan plan = PlanAndCheck(*m->functions()[0]);
  // %0 is read again after neg: %1 gets its own buffer; add is the last
  // reader of both and overwrites the first, %1.
  EXPECT_EQ(Get(plan, "%0").offset, 0);
  EXPECT_EQ(Get(plan, "%1").kind, BufferKind::kArena);
  EXPECT_EQ(Get(plan, "%1").offset, 256);
  EXPECT_EQ(Get(plan, "%2").kind, BufferKind::kInPlace);
  EXPECT_EQ(Get(plan, "%2").offset, 256);
  // %3 (f32[8]) has the wrong shape for %4 (broadcast), and %5 reads %3 at
  // its last use: in place, although it reads it twice.
  EXPECT_EQ(Get(plan, "%3").kind, BufferKind::kArena);
  EXPECT_EQ(Get(plan, "%4").kind, BufferKind::kInPlace);
  EXPECT_EQ(Get(plan, "%5").kind, BufferKind::kInPlace);
  EXPECT_EQ(Get(plan, "%5").source, Get(plan, "%5").root);
  // %3 reuses the bytes %0 left: 0 holds %0 then %3.
  EXPECT_EQ(Get(plan, "%3").offset, 0);
  EXPECT_EQ(plan.arena_bytes, 512);
  EXPECT_EQ(plan.peak_live_bytes, 512);
}

TEST(BufferPlanTest, ViewsShareBytesAndKeepThemAlive) {
  std::unique_ptr<ir::Module> m =
      Parse(R"(func @f(%x: f32[4,8]) -> (f32[32], f32[4,8], f32[1,4,8], f32[32]) {
  %0 = exp %x : f32[4,8]
  %1 = reshape %0 {shape = [32]} : f32[32]
  %2 = neg %0 : f32[4,8]
  %3 = expand_dims %x {axis = 0} : f32[1,4,8]
  %4 = exp %x : f32[4,8]
  %5 = reshape %4 {shape = [32]} : f32[32]
  %6 = sqrt %5 : f32[32]
  return %1, %2, %3, %6
}
)");
  const BufferPlan plan = PlanAndCheck(*m->functions()[0]);
  const ValueBuffer& view = Get(plan, "%1");
  EXPECT_EQ(view.kind, BufferKind::kView);
  EXPECT_EQ(view.root, Get(plan, "%0").root);
  EXPECT_EQ(view.offset, 0);
  // neg is %0's last own reader, but the view is returned: no in-place.
  EXPECT_EQ(Get(plan, "%2").kind, BufferKind::kArena);
  EXPECT_EQ(Get(plan, "%0").buffer_end, plan.num_ops - 1);
  // A view of a parameter is not in the arena.
  EXPECT_EQ(Get(plan, "%3").kind, BufferKind::kView);
  EXPECT_EQ(Get(plan, "%3").offset, -1);
  // Writing through a view whose bytes die there is fine.
  EXPECT_EQ(Get(plan, "%6").kind, BufferKind::kInPlace);
  EXPECT_EQ(Get(plan, "%6").offset, Get(plan, "%4").offset);
  EXPECT_EQ(plan.Count(BufferKind::kArena), 3);
  EXPECT_EQ(plan.arena_bytes, 384);
}

TEST(BufferPlanTest, ReadVarCopiedOnlyWhenWrittenWhileLive) {
  std::unique_ptr<ir::Module> m = Parse(R"(var @w : f32[8,8]

func @stale(%d: f32[8,8]) -> (f32[8,8]) {
  %0 = read_var {var = @w} : f32[8,8]
  assign_sub %d {var = @w}
  %1 = add %0, %d : f32[8,8]
  return %1
}

func @sgd(%d: f32[8,8]) -> (f32[]) {
  %0 = read_var {var = @w} : f32[8,8]
  %1 = mul %0, %d : f32[8,8]
  assign_sub %1 {var = @w}
  %2 = read_var {var = @w} : f32[8,8]
  %3 = reduce_sum %2 : f32[]
  return %3
}

func @self(%d: f32[8,8]) -> (f32[64]) {
  %0 = read_var {var = @w} : f32[8,8]
  assign_add %0 {var = @w}
  %1 = read_var {var = @w} : f32[8,8]
  %2 = reshape %1 {shape = [64]} : f32[64]
  assign %d {var = @w}
  return %2
}
)");
  const BufferPlan stale = PlanAndCheck(*m->FindFunction("stale"));
  // The old value is read after the assign: it needs its own copy.
  EXPECT_EQ(Get(stale, "%0").kind, BufferKind::kArena);
  EXPECT_EQ(Get(stale, "%0").variable, "w");
  EXPECT_EQ(Get(stale, "%1").kind, BufferKind::kInPlace);

  const BufferPlan sgd = PlanAndCheck(*m->FindFunction("sgd"));
  EXPECT_EQ(Get(sgd, "%0").kind, BufferKind::kVariable);
  EXPECT_EQ(Get(sgd, "%2").kind, BufferKind::kVariable);  // after the write: the new value
  EXPECT_EQ(Get(sgd, "%1").kind, BufferKind::kArena);

  const BufferPlan self = PlanAndCheck(*m->FindFunction("self"));
  // The assign reads %0 elementwise as it writes: no copy.
  EXPECT_EQ(Get(self, "%0").kind, BufferKind::kVariable);
  // A view of the read is returned after the next assign: copy.
  EXPECT_EQ(Get(self, "%1").kind, BufferKind::kArena);
  EXPECT_EQ(Get(self, "%2").kind, BufferKind::kView);
  EXPECT_EQ(Get(self, "%2").offset, 0);
}

// An optimizer's new state computed where the variable lives
// (PlanOptions::assigned_values_in_variables), and each case where the
// variable's bytes could then be told from a buffer of the value's own.
TEST(BufferPlanTest, AssignedValuesComputedInTheVariableOnlyWhereUnobservable) {
  std::unique_ptr<ir::Module> m = Parse(R"(var @m : f32[8,8]

func @moment(%g: f32[8,8]) -> (f32[8,8]) {
  %0 = read_var {var = @m} : f32[8,8]
  %1 = fusion %0, %g {kind = "loop"} : f32[8,8] (%a: f32[8,8], %b: f32[8,8]) {
    %2 = add %a, %b : f32[8,8]
    yield %2
  }
  assign %1 {var = @m}
  %3 = mul %1, %g : f32[8,8]
  return %3
}

func @read_in_between(%g: f32[8,8]) -> (f32[8,8]) {
  %0 = add %g, %g : f32[8,8]
  %1 = read_var {var = @m} : f32[8,8]
  assign %0 {var = @m}
  return %1
}

func @old_value_read_later(%g: f32[8,8]) -> (f32[8,8]) {
  %0 = read_var {var = @m} : f32[8,8]
  %1 = add %0, %g : f32[8,8]
  %2 = mul %0, %g : f32[8,8]
  assign %1 {var = @m}
  return %2
}

func @not_elementwise(%g: f32[8,8]) -> (f32[]) {
  %0 = read_var {var = @m} : f32[8,8]
  %1 = matmul %0, %0 : f32[8,8]
  assign %1 {var = @m}
  %2 = reduce_sum %g : f32[]
  return %2
}

func @written_again_while_read(%g: f32[8,8]) -> (f32[8,8]) {
  %0 = add %g, %g : f32[8,8]
  assign %0 {var = @m}
  assign_add %g {var = @m}
  %1 = mul %0, %g : f32[8,8]
  return %1
}
)");
  const BufferPlan moment = PlanAndCheck(*m->FindFunction("moment"), kInVariables);
  EXPECT_EQ(Get(moment, "%1").kind, BufferKind::kVariable);
  EXPECT_EQ(Get(moment, "%1").variable, "m");
  EXPECT_EQ(Get(moment, "%1").offset, -1);
  // Off by default.
  EXPECT_EQ(Get(PlanAndCheck(*m->FindFunction("moment")), "%1").kind, BufferKind::kArena);
  for (const char* name : {"read_in_between", "old_value_read_later", "not_elementwise"}) {
    SCOPED_TRACE(name);
    const BufferPlan plan = PlanAndCheck(*m->FindFunction(name), kInVariables);
    EXPECT_NE(Get(plan, name == std::string("read_in_between") ? "%0" : "%1").kind, BufferKind::kVariable);
  }
  const BufferPlan again = PlanAndCheck(*m->FindFunction("written_again_while_read"), kInVariables);
  EXPECT_NE(Get(again, "%0").kind, BufferKind::kVariable);
}

TEST(BufferPlanTest, DynamicValuesGetNoArenaBytes) {
  std::unique_ptr<ir::Module> m = Parse(R"(func @f(%x: f32[?,4]) -> (f32[?,4], f32[4], f32[]) {
  %0 = exp %x : f32[?,4]
  %1 = neg %0 : f32[?,4]
  %2 = reduce_sum %1 {axes = [0]} : f32[4]
  %3 = reshape %1 {shape = [-1]} : f32[?]
  %4 = reduce_sum %3 : f32[]
  return %1, %2, %4
}
)");
  const BufferPlan plan = PlanAndCheck(*m->functions()[0]);
  EXPECT_EQ(Get(plan, "%0").kind, BufferKind::kDynamic);
  EXPECT_EQ(Get(plan, "%0").size, 0);
  EXPECT_EQ(Get(plan, "%0").offset, -1);
  EXPECT_EQ(Get(plan, "%1").kind, BufferKind::kDynamic);
  EXPECT_EQ(Get(plan, "%3").kind, BufferKind::kView);
  EXPECT_EQ(Get(plan, "%3").offset, -1);
  EXPECT_EQ(plan.Count(BufferKind::kDynamic), 2);
  EXPECT_EQ(Get(plan, "%2").offset, 0);
  EXPECT_EQ(Get(plan, "%4").offset, 64);
  EXPECT_EQ(plan.arena_bytes, 128);
}

TEST(BufferPlanTest, ResultsLiveToTheEnd) {
  std::unique_ptr<ir::Module> m = Parse(R"(func @f(%x: f32[16]) -> (f32[16], f32[]) {
  %0 = exp %x : f32[16]
  %1 = neg %x : f32[16]
  %2 = sqrt %1 : f32[16]
  %3 = reduce_sum %2 : f32[]
  %4 = mul %x, %x : f32[16]
  %5 = reduce_sum %4 : f32[]
  %6 = add %3, %5 : f32[]
  return %0, %6
}
)");
  const BufferPlan plan = PlanAndCheck(*m->functions()[0]);
  // %0 is not read again, yet the caller gets it: nothing reuses its bytes,
  // while %4 reuses those of %1 and %2.
  EXPECT_EQ(Get(plan, "%0").live_end, plan.num_ops - 1);
  EXPECT_EQ(Get(plan, "%0").offset, 0);
  EXPECT_EQ(Get(plan, "%1").offset, 64);
  EXPECT_EQ(Get(plan, "%2").kind, BufferKind::kInPlace);
  // A reduction reads its operand while it writes: not the same bytes.
  EXPECT_EQ(Get(plan, "%3").offset, 128);
  EXPECT_EQ(Get(plan, "%4").offset, 64);
  EXPECT_EQ(Get(plan, "%5").offset, 192);
  EXPECT_EQ(Get(plan, "%6").kind, BufferKind::kInPlace);
  EXPECT_EQ(Get(plan, "%6").live_end, plan.num_ops - 1);
  EXPECT_EQ(plan.arena_bytes, 256);
  EXPECT_EQ(plan.peak_live_bytes, 256);
}

TEST(BufferPlanTest, WhileLoopVariablesAndCapturedValues) {
  std::unique_ptr<ir::Module> m = Parse(R"(func @f(%x: f32[16], %n: i32[]) -> (f32[16]) {
  %0 = exp %x : f32[16]
  %1 = constant {value = dense<i32[] 0>} : i32[]
  %2, %3 = while %x, %1 : f32[16], i32[] (%v: f32[16], %i: i32[]) {
    %4 = lt %i, %n : bool[]
    yield %4
  } (%a: f32[16], %j: i32[]) {
    %5 = add %a, %0 : f32[16]
    %6 = tanh %5 : f32[16]
    %7 = constant {value = dense<i32[] 1>} : i32[]
    %8 = add %j, %7 : i32[]
    yield %6, %8
  }
  %9 = neg %2 : f32[16]
  return %9
}
)");
  const BufferPlan plan = PlanAndCheck(*m->functions()[0]);
  const int while_begin = 2;
  const int while_end = 9;
  // %0 is read on every iteration: live to the end of the loop.
  EXPECT_EQ(Get(plan, "%0").live_end, while_end);
  // Loop variables: one slot each for the whole loop; the body's
  // arguments are views of it.
  for (const char* slot : {"%v", "%i"}) {
    EXPECT_EQ(Get(plan, slot).kind, BufferKind::kArena) << slot;
    EXPECT_EQ(Get(plan, slot).live_begin, while_begin) << slot;
    EXPECT_EQ(Get(plan, slot).buffer_end, while_end) << slot;
  }
  EXPECT_EQ(Get(plan, "%a").kind, BufferKind::kView);
  EXPECT_EQ(Get(plan, "%a").root, Get(plan, "%v").root);
  // Neither a slot nor %0 may be overwritten inside the loop.
  EXPECT_EQ(Get(plan, "%5").kind, BufferKind::kArena);
  EXPECT_EQ(Get(plan, "%6").kind, BufferKind::kInPlace);
  EXPECT_EQ(Get(plan, "%8").kind, BufferKind::kArena);
  // The results have their own buffers, written when the loop ends.
  EXPECT_EQ(Get(plan, "%2").kind, BufferKind::kArena);
  EXPECT_EQ(Get(plan, "%2").live_begin, while_begin);
  EXPECT_EQ(Get(plan, "%9").kind, BufferKind::kInPlace);
}

TEST(BufferPlanTest, CondArgumentsViewTheOperands) {
  std::unique_ptr<ir::Module> m = Parse(R"(func @f(%p: bool[], %x: f32[16]) -> (f32[16]) {
  %0 = exp %x : f32[16]
  %1 = cond %p, %0 : f32[16] (%a: f32[16]) {
    %2 = neg %a : f32[16]
    yield %2
  } (%b: f32[16]) {
    yield %b
  }
  return %1
}
)");
  const BufferPlan plan = PlanAndCheck(*m->functions()[0]);
  EXPECT_EQ(Get(plan, "%a").kind, BufferKind::kView);
  EXPECT_EQ(Get(plan, "%a").source, Get(plan, "%0").root);
  // The else branch reads %0 later in program order: no in-place in then.
  EXPECT_EQ(Get(plan, "%2").kind, BufferKind::kArena);
  EXPECT_EQ(Get(plan, "%1").kind, BufferKind::kArena);
  EXPECT_EQ(Get(plan, "%1").live_end, plan.num_ops - 1);
}

TEST(BufferPlanTest, LoopFusionRunsInPlaceReductionFusionDoesNot) {
  std::unique_ptr<ir::Module> m =
      Parse(R"(func @f(%x: f32[4,8], %b: f32[8]) -> (f32[4,8], f32[4,8]) {
  %0 = exp %x : f32[4,8]
  %1 = fusion %0, %b {kind = "loop"} : f32[4,8] (%l: f32[4,8], %lb: f32[8]) {
    %2 = constant {value = dense<f32[] 0.5>} : f32[]
    %3 = add %l, %lb : f32[4,8]
    %4 = mul %3, %2 : f32[4,8]
    yield %4
  }
  %5 = fusion %1 {kind = "reduction"} : f32[4,8] (%h: f32[4,8]) {
    %6 = reduce_max %h {axes = [1], keepdims = true} : f32[4,1]
    %7 = sub %h, %6 : f32[4,8]
    yield %7
  }
  %8 = exp %x : f32[4,8]
  return %5, %8
}
)");
  const BufferPlan plan = PlanAndCheck(*m->functions()[0]);
  EXPECT_EQ(Get(plan, "%1").kind, BufferKind::kInPlace);
  EXPECT_EQ(Get(plan, "%1").source, Get(plan, "%0").root);
  EXPECT_EQ(Get(plan, "%5").kind, BufferKind::kArena);
  EXPECT_EQ(plan.Find(m->functions()[0]->body().ops().back()->operand(0)), &Get(plan, "%5"));
  // Fusion bodies are not planned: 2 params + 4 results.
  EXPECT_EQ(plan.values.size(), 6u);
  EXPECT_EQ(Get(plan, "%5").offset, 128);
  EXPECT_EQ(Get(plan, "%8").offset, 0);
}

TEST(BufferPlanTest, HugeValuesAreAnError) {
  std::unique_ptr<ir::Module> m =
      Parse(R"(func @f(%x: f32[1073741824,1073741824,8]) -> (f32[1073741824,1073741824,8]) {
  return %x
}
)");
  absl::StatusOr<BufferPlan> plan = PlanBuffers(*m->functions()[0]);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().message(),
            "a value of type f32[1073741824,1073741824,8] is larger than 2^62 bytes");
}

TEST(BufferPlanTest, PrintedForm) {
  std::unique_ptr<ir::Module> m = Parse(R"(var @w : f32[4]

func @f(%x: f32[4], %n: f32[?]) -> (f32[2,2], f32[?]) {
  %0 = read_var {var = @w} : f32[4]
  %1 = constant {value = dense<f32[] 2.0>} : f32[]
  %2 = mul %0, %1 : f32[4]
  %3 = add %2, %x : f32[4]
  %4 = reshape %3 {shape = [2, 2]} : f32[2,2]
  %5 = neg %n : f32[?]
  return %4, %5
}
)");
  const BufferPlan plan = PlanAndCheck(*m->functions()[0]);
  EXPECT_EQ(PrintBufferPlan(plan),
            "// buffer plan @f: arena 64 bytes, peak live 64 bytes (lower bound), 8 values: "
            "1 arena, 1 in-place, 1 view, 2 param, 1 constant, 1 variable, 1 dynamic\n"
            "//   %x f32[4] param live 0..3\n"
            "//   %n f32[?] param live 0..5\n"
            "//   %0 f32[4] variable @w live 0..2\n"
            "//   %1 f32[] constant live 1..2\n"
            "//   %2 f32[4] arena offset 0 size 16 live 2..3\n"
            "//   %3 f32[4] in-place of %2 offset 0 live 3..4\n"
            "//   %4 f32[2,2] view of %3 offset 0 live 4..6\n"
            "//   %5 f32[?] dynamic live 5..6\n");
  // After the module, the plan is a comment: the text still parses.
  EXPECT_NE(Parse(ir::PrintModule(*m) + PrintBufferPlan(plan)), nullptr);
}

TEST(BufferPlanTest, PassFillsTheContextAndLeavesTheIr) {
  std::unique_ptr<ir::Module> m = Parse(ReadFile(kTestsDir / "gir" / "while.gir"));
  const std::string before = ir::PrintModule(*m);
  PassContext context;
  absl::StatusOr<PassManager> pm = PassManager::Parse("plan-buffers");
  ASSERT_TRUE(pm.ok()) << pm.status();
  absl::StatusOr<bool> changed = pm->Run(*m, context);
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_FALSE(*changed);
  EXPECT_EQ(ir::PrintModule(*m), before);
  ASSERT_EQ(context.buffer_plans.size(), 2u);
  EXPECT_EQ(context.buffer_plans.at("power_iteration").function, "power_iteration");
  EXPECT_EQ(context.buffer_plans.at("nested").values.size(), 13u);
}

// ---- the MLP training step ----

// Forward pass and loss of a 2-layer MLP on a batch of 64 MNIST images:
// 784 -> 20 (relu) -> 10, softmax cross-entropy against integer labels.
constexpr char kMlp[] = R"(var @w1 : f32[784,20]
var @b1 : f32[20]
var @w2 : f32[20,10]
var @b2 : f32[10]

func @train_step(%x: f32[64,784], %labels: i32[64]) -> (f32[]) {
  %0 = read_var {var = @w1} : f32[784,20]
  %1 = read_var {var = @b1} : f32[20]
  %2 = read_var {var = @w2} : f32[20,10]
  %3 = read_var {var = @b2} : f32[10]
  %4 = matmul %x, %0 : f32[64,20]
  %5 = add %4, %1 : f32[64,20]
  %6 = relu %5 : f32[64,20]
  %7 = matmul %6, %2 : f32[64,10]
  %8 = add %7, %3 : f32[64,10]
  %9 = log_softmax %8 : f32[64,10]
  %10 = one_hot %labels {depth = 10} : f32[64,10]
  %11 = mul %10, %9 : f32[64,10]
  %12 = reduce_sum %11 {axes = [1]} : f32[64]
  %13 = reduce_mean %12 : f32[]
  %14 = neg %13 : f32[]
  return %14
}
)";

// The training step: the loss, its gradients with respect to the four
// variables (the ops a GradientTape would add), and an SGD update of each
// with assign_sub, as a traced `tf.function` training step would be.
std::unique_ptr<ir::Module> MlpTrainStep() {
  std::unique_ptr<ir::Module> m = Parse(kMlp);
  ir::Function* f = m->FindFunction("train_step");
  ir::Op* ret = f->body().terminator();
  ir::Value* loss = ret->operand(0);
  f->body().Erase(ret);
  std::vector<ir::Value*> reads;
  for (const auto& op : f->body().ops()) {
    if (op->name() == "read_var") reads.push_back(op->result());
  }
  ir::Builder b(&f->body());
  GradientRequest request;
  request.targets = {loss};
  for (ir::Value* r : reads) request.sources.push_back({r});
  absl::StatusOr<std::vector<ir::Value*>> grads = EmitGradients(b, request);
  absl::StatusOr<ir::Value*> lr = b.ScalarConstant(0.1, ir::DType::kF32);
  if (!grads.ok() || !lr.ok()) {
    ADD_FAILURE() << grads.status() << lr.status();
    return nullptr;
  }
  for (size_t i = 0; i < reads.size(); ++i) {
    absl::StatusOr<ir::Value*> step = b.Emit("mul", {(*grads)[i], *lr});
    if (!step.ok()) {
      ADD_FAILURE() << step.status();
      return nullptr;
    }
    EXPECT_TRUE(b.Create("assign_sub", {*step}, reads[i]->defining_op()->attrs()).ok());
  }
  EXPECT_TRUE(b.Create("return", {loss}).ok());
  absl::Status verified = ir::VerifyModule(*m);
  EXPECT_TRUE(verified.ok()) << verified;
  return m;
}

// The figures docs/passes.md quotes. Fused and unfused, the arena is the
// lower bound: at the w1 update, the f32[784,20] step (62720 bytes) is live
// with the layer-1 gradient, the smaller updates and the loss. Unfused,
// in-place updates make most ops free; fused, group intermediates need no
// buffers. Giving every value its own buffer would take 89408 bytes fused
// and 178048 unfused.
TEST(BufferPlanTest, MlpTrainingStepFigures) {
  struct Case {
    std::string pipeline;
    int64_t arena_bytes;
    int64_t peak_live_bytes;
    int arena;
    int in_place;
    int64_t own_buffers;  // every arena and in-place value in its own buffer
  };
  for (const Case& c : {
           Case{std::string(kDefaultPipeline), 68928, 68928, 12, 0, 89408},
           Case{"inline,fixpoint(canonicalize,cse,dce)", 68928, 68928, 15, 12, 178048},
       }) {
    SCOPED_TRACE(c.pipeline);
    std::unique_ptr<ir::Module> m = MlpTrainStep();
    ASSERT_NE(m, nullptr);
    PassContext context = interp::DefaultPassContext();
    ASSERT_TRUE(RunPipeline(*m, context, c.pipeline).ok());
    const BufferPlan plan = PlanAndCheck(*m->FindFunction("train_step"));
    EXPECT_EQ(plan.arena_bytes, c.arena_bytes);
    EXPECT_EQ(plan.peak_live_bytes, c.peak_live_bytes);
    EXPECT_EQ(plan.Count(BufferKind::kArena), c.arena);
    EXPECT_EQ(plan.Count(BufferKind::kInPlace), c.in_place);
    // The weights are read in place: each read is dead before its update.
    EXPECT_EQ(plan.Count(BufferKind::kVariable), 4);
    EXPECT_EQ(plan.heuristic, "greedy-by-size");
    int64_t own_buffers = 0;
    for (const ValueBuffer& vb : plan.values) {
      if (vb.kind == BufferKind::kArena || vb.kind == BufferKind::kInPlace) {
        own_buffers += RoundUp(vb.size);
      }
    }
    EXPECT_EQ(own_buffers, c.own_buffers);
  }
}

}  // namespace
}  // namespace graphc::passes
