#include "passes/buffer_plan.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "ir/op_registry.h"
#include "ir/printer.h"
#include "ir/str_cat.h"
#include "passes/effects.h"

namespace graphc::passes {
namespace {

constexpr int64_t kMaxBytes = int64_t{1} << 62;

int64_t RoundUp(int64_t bytes) {
  return (bytes + kBufferAlignment - 1) / kBufferAlignment * kBufferAlignment;
}

// Ops whose result is the operand's bytes read with another shape.
bool IsViewOp(std::string_view name) {
  return name == "reshape" || name == "reshape_like" || name == "expand_dims" || name == "squeeze";
}

// The bytes of a static type, or an error past kMaxBytes.
absl::StatusOr<int64_t> ByteSize(const ir::TensorType& type) {
  int64_t bytes = ir::DTypeSize(type.dtype);
  for (int64_t d : type.shape.dims()) {
    if (d != 0 && bytes > kMaxBytes / d) {
      return absl::InvalidArgumentError(
          StrCat("a value of type ", type.ToString(), " is larger than 2^62 bytes"));
    }
    bytes *= d;
  }
  return bytes;
}

// [first, last] op numbers of an op and everything nested in it.
struct OpSpan {
  int begin = 0;
  int end = 0;
};

// An arena buffer to place: rounded size and lifetime.
struct Block {
  int value;  // index into BufferPlan::values
  int64_t size;
  int begin;
  int end;
  int64_t offset = 0;
};

bool Overlap(const Block& a, const Block& b) { return a.begin <= b.end && b.begin <= a.end; }

// Places `blocks` in the given order, each at the lowest offset where it
// fits between the already placed blocks whose lifetimes overlap its own.
// Returns the arena size.
int64_t FirstFit(std::vector<Block>& blocks, const std::vector<int>& order) {
  std::vector<const Block*> placed;
  int64_t arena = 0;
  for (int i : order) {
    Block& b = blocks[static_cast<size_t>(i)];
    std::vector<const Block*> busy;
    for (const Block* p : placed) {
      if (Overlap(*p, b)) busy.push_back(p);
    }
    std::sort(busy.begin(), busy.end(),
              [](const Block* x, const Block* y) { return x->offset < y->offset; });
    int64_t offset = 0;
    for (const Block* p : busy) {
      if (p->offset - offset >= b.size) break;  // the gap before p is large enough
      offset = std::max(offset, p->offset + p->size);
    }
    b.offset = offset;
    arena = std::max(arena, offset + b.size);
    placed.push_back(&b);
  }
  return arena;
}

class Planner {
 public:
  Planner(const ir::Function& f, PlanOptions options) : f_(f), options_(options) {}

  absl::StatusOr<BufferPlan> Run() {
    plan_.function = f_.name();
    NumberOps(f_.body());
    plan_.num_ops = next_op_;
    NameRegion(f_.body(), /*planned=*/true);
    for (ValueBuffer& vb : plan_.values) {
      if (vb.value->shape().is_static()) {
        absl::StatusOr<int64_t> size = ByteSize(vb.value->type());
        if (!size.ok()) return size.status();
        vb.size = *size;
      }
    }
    ComputeLiveRanges();
    FindSources();
    CollectWrites();
    for (size_t i = 0; i < plan_.values.size(); ++i) Classify(static_cast<int>(i));
    if (options_.results_in_caller_buffers) PlaceResults();
    Pack();
    ComputePeak();
    return std::move(plan_);
  }

 private:
  // ---- numbering ----

  void NumberOps(const ir::Region& region) {
    for (const auto& op : region.ops()) {
      const int begin = next_op_++;
      for (int i = 0; i < op->num_regions(); ++i) NumberOps(op->region(i));
      spans_[op.get()] = OpSpan{begin, next_op_ - 1};
    }
  }
  const OpSpan& Span(const ir::Op* op) const { return spans_.at(op); }

  // Collects the planned values in printing order, named as the printer
  // names them. Values in isolated (fusion) regions are not planned.
  void NameRegion(const ir::Region& region, bool planned) {
    for (int i = 0; i < region.num_arguments(); ++i) {
      Add(region.argument(i), planned);
    }
    for (const auto& op : region.ops()) {
      for (int i = 0; i < op->num_results(); ++i) Add(op->result(i), planned);
      for (int i = 0; i < op->num_regions(); ++i) {
        NameRegion(op->region(i), planned && !op->def().isolated_regions);
      }
    }
  }
  void Add(const ir::Value* v, bool planned) {
    if (!planned) return;
    ValueBuffer vb;
    vb.value = v;
    vb.name = names_.at(v);
    vb.type = v->type().ToString();
    index_[v] = static_cast<int>(plan_.values.size());
    plan_.values.push_back(std::move(vb));
  }
  int Index(const ir::Value* v) const { return index_.at(v); }
  ValueBuffer& At(int i) { return plan_.values[static_cast<size_t>(i)]; }

  // ---- live ranges ----

  static const ir::Region* DefRegion(const ir::Value* v) {
    return v->is_argument() ? v->owner_region() : v->defining_op()->parent();
  }

  // Where a use of `v` by `user` ends: the user's number, or the end of the
  // outermost while between the use and v's definition, since the loop
  // reads v again on every iteration.
  int UsePosition(const ir::Value* v, const ir::Op* user) const {
    int pos = Span(user).begin;
    const ir::Region* def_region = DefRegion(v);
    for (const ir::Region* r = user->parent(); r != nullptr && r != def_region;) {
      const ir::Op* owner = r->owner_op();
      if (owner == nullptr) break;
      if (owner->name() == "while") pos = std::max(pos, Span(owner).end);
      r = owner->parent();
    }
    return pos;
  }

  void ComputeLiveRanges() {
    for (ValueBuffer& vb : plan_.values) {
      const ir::Value* v = vb.value;
      if (v->is_argument()) {
        const ir::Op* owner = v->owner_region()->owner_op();
        vb.live_begin = owner == nullptr ? 0 : Span(owner).begin;
        vb.live_end = vb.live_begin;
        // Loop variables are live for the whole loop.
        if (owner != nullptr && owner->name() == "while") vb.live_end = Span(owner).end;
      } else {
        const OpSpan& span = Span(v->defining_op());
        vb.live_begin = span.begin;
        // Results of an op with regions are written at its end.
        vb.live_end = span.end;
      }
      for (const ir::Use& use : v->uses()) {
        vb.live_end = std::max(vb.live_end, UsePosition(v, use.user));
      }
    }
  }

  // ---- aliasing that does not depend on placement ----

  // Views, cond branch arguments (the cond's operands) and while body
  // arguments (the loop variable, owned by the cond region's argument).
  void FindSources() {
    for (ValueBuffer& vb : plan_.values) {
      const ir::Value* v = vb.value;
      if (v->is_argument()) {
        const ir::Op* owner = v->owner_region()->owner_op();
        if (owner == nullptr) continue;
        if (owner->name() == "cond") {
          vb.source = Index(owner->operand(v->index() + 1));
        } else if (owner->name() == "while" && v->owner_region() == &owner->region(1)) {
          vb.source = Index(owner->region(0).argument(v->index()));
        }
      } else if (IsViewOp(v->defining_op()->name())) {
        vb.source = Index(v->defining_op()->operand(0));
      }
    }
    // A source's bytes are in use until its views' last uses; views follow
    // their sources in printing order, so one backward sweep propagates.
    view_end_.resize(plan_.values.size());
    for (size_t i = 0; i < plan_.values.size(); ++i) view_end_[i] = plan_.values[i].live_end;
    for (size_t i = plan_.values.size(); i-- > 0;) {
      const int s = plan_.values[i].source;
      if (s < 0) continue;
      int& end = view_end_[static_cast<size_t>(s)];
      end = std::max(end, view_end_[i]);
    }
  }

  // Op numbers of variable writes (by variable), of calls that may write
  // any variable, of every call, and of read_var ops (by variable).
  void CollectWrites() {
    ir::WalkOps(f_.body(), [&](const ir::Op* op) {
      if (op->name() == "read_var") {
        reads_[op->attr<ir::SymbolRef>("var").name].push_back(op);
      } else if (op->def().has_side_effects && op->has_attr("var")) {
        writes_[op->attr<ir::SymbolRef>("var").name].push_back(Span(op).begin);
      } else if (op->name() == "call" && WritesState(*op)) {
        call_writes_.push_back(Span(op).begin);
      }
      if (op->name() == "call") calls_.push_back(Span(op).begin);
    });
  }

  // True if `var` may be written while the read_var result `i` (or a view
  // of it) is still to be read. A write by the value's last reader itself
  // is fine for assign ops (elementwise: each element is read before it is
  // written) but not for calls, whose callee may write before it reads.
  bool WrittenWhileLive(int i, const std::string& var) const {
    const int begin = At(i).live_begin;
    const int end = view_end_[static_cast<size_t>(i)];
    auto it = writes_.find(var);
    if (it != writes_.end()) {
      for (int p : it->second) {
        if (begin < p && p < end) return true;
      }
    }
    for (int p : call_writes_) {
      if (begin < p && p <= end) return true;
    }
    return false;
  }
  const ValueBuffer& At(int i) const { return plan_.values[static_cast<size_t>(i)]; }

  // ---- placement ----

  // A loop fusion whose body is elementwise over `shape`: each output
  // element depends only on the inputs' elements at the same position.
  static bool IsElementwiseLoopFusion(const ir::Op& op, const ir::Shape& shape) {
    if (op.name() != "fusion" || op.attr<std::string>("kind") != "loop") return false;
    for (const auto& inner : op.region(0).ops()) {
      if (inner->def().is_terminator || inner->name() == "constant") continue;
      if (inner->def().scalar == nullptr || inner->num_regions() > 0) return false;
      for (int i = 0; i < inner->num_results(); ++i) {
        if (inner->result(i)->shape() != shape) return false;
      }
    }
    return true;
  }

  // True if `op` computes each element of its `shape`d results from its
  // operands' elements at the same position only (so it may write over an
  // operand it reads).
  static bool IsElementwise(const ir::Op& op, const ir::Shape& shape) {
    return op.def().scalar != nullptr || IsElementwiseLoopFusion(op, shape);
  }

  // The operand of `op` whose arena buffer result `i` may overwrite, or -1.
  int InPlaceSource(const ir::Op& op, int i, const absl::flat_hash_set<int>& taken) const {
    const ir::Value* result = op.result(i);
    if (!IsElementwise(op, result->shape())) return -1;
    const int64_t size = At(Index(result)).size;
    for (const ir::Value* operand : op.operands()) {
      const int o = Index(operand);
      const int root = At(o).root;
      if (operand->shape() != result->shape() || At(o).size != size) continue;
      if (At(root).kind != BufferKind::kArena || taken.contains(root)) continue;
      // Nothing reads the buffer after this op.
      if (group_end_.at(root) != Span(&op).begin) continue;
      return o;
    }
    return -1;
  }

  void Classify(int i) {
    ValueBuffer& vb = At(i);
    const ir::Value* v = vb.value;
    vb.root = i;
    if (vb.source >= 0) {
      vb.kind = BufferKind::kView;
      vb.root = At(vb.source).root;
      return;
    }
    if (v->is_argument() && v->owner_region()->owner_op() == nullptr) {
      vb.kind = BufferKind::kParam;
      return;
    }
    const ir::Op* op = v->is_argument() ? nullptr : v->defining_op();
    if (op != nullptr && op->name() == "constant") {
      vb.kind = BufferKind::kConstant;
      return;
    }
    if (op != nullptr && op->name() == "read_var") {
      vb.variable = op->attr<ir::SymbolRef>("var").name;
      if (!WrittenWhileLive(i, vb.variable)) {
        vb.kind = BufferKind::kVariable;
        return;
      }
    }
    if (!v->shape().is_static()) {
      vb.kind = BufferKind::kDynamic;
      return;
    }
    if (op != nullptr && options_.assigned_values_in_variables) {
      if (std::string var = AssignedVariable(i); !var.empty()) {
        vb.kind = BufferKind::kVariable;
        vb.variable = std::move(var);
        return;
      }
    }
    if (op != nullptr) {
      // Results of one op may not overwrite the same operand buffer.
      absl::flat_hash_set<int> taken;
      for (int r = 0; r < v->index(); ++r) {
        const ValueBuffer& earlier = At(Index(op->result(r)));
        if (earlier.kind == BufferKind::kInPlace) taken.insert(earlier.root);
      }
      if (int s = InPlaceSource(*op, v->index(), taken); s >= 0) {
        vb.kind = BufferKind::kInPlace;
        vb.source = s;
        vb.root = At(s).root;
        int& end = group_end_[vb.root];
        end = std::max(end, view_end_[static_cast<size_t>(i)]);
        return;
      }
    }
    vb.kind = BufferKind::kArena;
    group_end_[i] = view_end_[static_cast<size_t>(i)];
  }

  // Moves the arena buffers of results returned once, and defined in the
  // body itself, to the caller's result buffers (PlanOptions).
  void PlaceResults() {
    const ir::Op* ret = f_.body().terminator();
    if (ret == nullptr || !ret->def().is_terminator) return;
    absl::flat_hash_map<int, int> times_returned;  // by root
    for (const ir::Value* v : ret->operands()) ++times_returned[At(Index(v)).root];
    for (int r = 0; r < ret->num_operands(); ++r) {
      const int root = At(Index(ret->operand(r))).root;
      ValueBuffer& vb = At(root);
      if (vb.kind != BufferKind::kArena || times_returned[root] != 1) continue;
      if (vb.value->is_argument() || vb.value->defining_op()->parent() != &f_.body()) continue;
      vb.kind = BufferKind::kResult;
      vb.result = r;
    }
  }

  // The variable `i` can be computed in, or "" (PlanOptions::
  // assigned_values_in_variables has the rules). Decided as `i` is
  // classified, before any later value could be planned in place over it.
  std::string AssignedVariable(int i) const {
    const ir::Value* v = At(i).value;
    if (v->is_argument()) return "";
    for (const ir::Use& use : v->uses()) {
      const ir::Op* user = use.user;
      if (user->name() != "assign" || user->parent() != &f_.body()) continue;
      const std::string& var = user->attr<ir::SymbolRef>("var").name;
      if (CanComputeInVariable(i, var, Span(user).begin)) return var;
    }
    return "";
  }

  bool CanComputeInVariable(int i, const std::string& var, int assign_at) const {
    const ValueBuffer& vb = At(i);
    const ir::Op* def = vb.value->defining_op();
    if (def->parent() != &f_.body() || def->name() == "read_var" || def->name() == "constant") return false;
    if (def->num_regions() > 0 && !def->def().isolated_regions) return false;
    if (IsViewOp(def->name()) || !vb.value->shape().is_static()) return false;
    // Views of the value see the variable's bytes until their last use;
    // nothing later is planned in place over a variable.
    const int def_begin = Span(def).begin, def_end = Span(def).end;
    const int last = std::max(assign_at, view_end_[static_cast<size_t>(i)]);
    auto within = [&](int p) { return def_begin <= p && p <= last; };
    if (auto it = writes_.find(var); it != writes_.end()) {
      for (int p : it->second) {
        if (p != assign_at && within(p)) return false;
      }
    }
    for (int p : calls_) {
      if (within(p)) return false;
    }
    auto it = reads_.find(var);
    if (it == reads_.end()) return true;
    const bool elementwise = IsElementwise(*def, vb.value->shape());
    for (const ir::Op* read : it->second) {
      const int p = Span(read).begin;
      if (p > assign_at) continue;              // reads the new value, as it should
      if (p > def_end) return false;            // would read the new value too early
      const int r = Index(read->result(0));
      if (At(r).kind != BufferKind::kVariable) continue;  // a copy taken before
      const int end = view_end_[static_cast<size_t>(r)];
      if (end < def_begin) continue;            // done with the old value
      // Still read by the defining op only: fine where it reads each
      // element where it writes it, as an in-place op.
      const bool operand = std::find(def->operands().begin(), def->operands().end(), read->result(0)) !=
                           def->operands().end();
      if (end > def_end || !elementwise || !operand || read->result(0)->shape() != vb.value->shape()) {
        return false;
      }
    }
    return true;
  }

  // Packs the arena roots with both heuristics and keeps the smaller arena
  // (greedy by size on a tie).
  void Pack() {
    std::vector<Block> blocks;
    for (int i = 0; i < static_cast<int>(plan_.values.size()); ++i) {
      ValueBuffer& vb = At(i);
      if (vb.kind != BufferKind::kArena) continue;
      vb.buffer_end = group_end_.at(i);
      vb.offset = 0;  // zero-size buffers stay at 0, outside the packing
      if (vb.size > 0) blocks.push_back(Block{i, RoundUp(vb.size), vb.live_begin, vb.buffer_end});
    }
    std::vector<int> by_size(blocks.size());
    for (size_t i = 0; i < blocks.size(); ++i) by_size[i] = static_cast<int>(i);
    std::vector<int> in_order = by_size;
    std::stable_sort(by_size.begin(), by_size.end(), [&](int a, int b) {
      const Block& x = blocks[static_cast<size_t>(a)];
      const Block& y = blocks[static_cast<size_t>(b)];
      return x.size != y.size ? x.size > y.size : x.begin < y.begin;
    });
    std::vector<Block> greedy = blocks;
    const int64_t greedy_bytes = FirstFit(greedy, by_size);
    const int64_t in_order_bytes = FirstFit(blocks, in_order);
    if (greedy_bytes <= in_order_bytes) {
      blocks = std::move(greedy);
      plan_.heuristic = "greedy-by-size";
      plan_.arena_bytes = greedy_bytes;
    } else {
      plan_.heuristic = "first-fit";
      plan_.arena_bytes = in_order_bytes;
    }
    for (const Block& b : blocks) At(b.value).offset = b.offset;
    for (ValueBuffer& vb : plan_.values) {
      if (vb.kind == BufferKind::kInPlace || vb.kind == BufferKind::kView) {
        vb.offset = At(vb.root).kind == BufferKind::kArena ? At(vb.root).offset : -1;
      }
    }
  }

  void ComputePeak() {
    // live[p] accumulates the rounded sizes of arena buffers starting at p
    // minus those that ended at p - 1.
    std::vector<int64_t> delta(static_cast<size_t>(plan_.num_ops) + 1, 0);
    for (const ValueBuffer& vb : plan_.values) {
      if (vb.kind != BufferKind::kArena) continue;
      delta[static_cast<size_t>(vb.live_begin)] += RoundUp(vb.size);
      delta[static_cast<size_t>(vb.buffer_end) + 1] -= RoundUp(vb.size);
    }
    int64_t live = 0;
    for (int64_t d : delta) {
      live += d;
      plan_.peak_live_bytes = std::max(plan_.peak_live_bytes, live);
    }
  }

  const ir::Function& f_;
  const PlanOptions options_;
  BufferPlan plan_;
  absl::flat_hash_map<const ir::Op*, OpSpan> spans_;
  int next_op_ = 0;
  absl::flat_hash_map<const ir::Value*, int> index_;
  const absl::flat_hash_map<const ir::Value*, std::string> names_ = ir::ValueNames(f_);
  std::vector<int> view_end_;                // by value index
  absl::flat_hash_map<int, int> group_end_;  // arena root -> last op using its bytes
  absl::flat_hash_map<std::string, std::vector<int>> writes_;
  absl::flat_hash_map<std::string, std::vector<const ir::Op*>> reads_;
  std::vector<int> call_writes_;
  std::vector<int> calls_;
};

}  // namespace

std::string_view BufferKindName(BufferKind kind) {
  switch (kind) {
    case BufferKind::kArena: return "arena";
    case BufferKind::kInPlace: return "in-place";
    case BufferKind::kView: return "view";
    case BufferKind::kParam: return "param";
    case BufferKind::kConstant: return "constant";
    case BufferKind::kVariable: return "variable";
    case BufferKind::kDynamic: return "dynamic";
    case BufferKind::kResult: return "result";
  }
  return "?";
}

int BufferPlan::Count(BufferKind kind) const {
  return static_cast<int>(std::count_if(values.begin(), values.end(),
                                        [&](const ValueBuffer& vb) { return vb.kind == kind; }));
}

const ValueBuffer* BufferPlan::Find(const ir::Value* v) const {
  for (const ValueBuffer& vb : values) {
    if (vb.value == v) return &vb;
  }
  return nullptr;
}

absl::StatusOr<BufferPlan> PlanBuffers(const ir::Function& function, PlanOptions options) {
  return Planner(function, options).Run();
}

std::string PrintBufferPlan(const BufferPlan& plan) {
  std::string out =
      StrCat("// buffer plan @", plan.function, ": arena ", plan.arena_bytes, " bytes, peak live ",
             plan.peak_live_bytes, " bytes (lower bound), ", plan.values.size(), " values");
  const char* sep = ": ";
  for (int k = 0; k < kNumBufferKinds; ++k) {
    const int n = plan.Count(static_cast<BufferKind>(k));
    if (n == 0) continue;
    out += StrCat(sep, n, " ", BufferKindName(static_cast<BufferKind>(k)));
    sep = ", ";
  }
  out += "\n";
  for (const ValueBuffer& vb : plan.values) {
    out += StrCat("//   ", vb.name, " ", vb.type, " ", BufferKindName(vb.kind));
    switch (vb.kind) {
      case BufferKind::kArena: out += StrCat(" offset ", vb.offset, " size ", vb.size); break;
      case BufferKind::kInPlace:
      case BufferKind::kView:
        out += StrCat(" of ", plan.values[static_cast<size_t>(vb.source)].name);
        if (vb.offset >= 0) out += StrCat(" offset ", vb.offset);
        break;
      case BufferKind::kVariable: out += StrCat(" @", vb.variable); break;
      case BufferKind::kResult: out += StrCat(" ", vb.result); break;
      default: break;
    }
    if (vb.kind != BufferKind::kVariable && !vb.variable.empty()) {
      out += StrCat(" copy of @", vb.variable);
    }
    out += StrCat(" live ", vb.live_begin, "..", vb.live_end, "\n");
  }
  return out;
}

}  // namespace graphc::passes
