#include "passes/fusion.h"

#include <algorithm>
#include <functional>
#include <queue>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "ir/builder.h"
#include "ir/clone.h"
#include "passes/effects.h"

namespace graphc::passes {
namespace {

using ir::FusionKind;

// Ops that may be part of a group: region-free, stateless, with results,
// and either a matmul or of a fusable kind. Constants are not members;
// small ones are copied into the bodies that use them.
bool IsCandidate(const ir::Op& op) {
  if (op.num_regions() > 0 || op.def().is_terminator || op.num_results() == 0) return false;
  if (op.name() == "matmul") return true;
  if (op.name() == "constant") return false;
  return op.def().fusion != FusionKind::kOpaque;
}

bool IsSmallConstant(const ir::Value* v) {
  const ir::Op* def = v->defining_op();
  if (def == nullptr || def->name() != "constant") return false;
  const ir::DenseElements& value = def->attr<ir::DenseElements>("value");
  return static_cast<int64_t>(value.bytes().size()) <= kMaxInlinedConstantBytes;
}

// Fuses the ops directly in one region.
class RegionFuser {
 public:
  explicit RegionFuser(ir::Region& region) : region_(region) {
    for (const auto& op : region.ops()) {
      index_[op.get()] = static_cast<int>(ops_.size());
      ops_.push_back(op.get());
    }
    const int n = static_cast<int>(ops_.size());
    parent_.resize(n);
    members_.resize(n);
    for (int i = 0; i < n; ++i) {
      parent_[i] = i;
      members_[i] = {i};
    }
  }

  absl::StatusOr<bool> Run() {
    FuseMatmulEpilogues();
    FuseProducers();
    std::vector<int> groups;
    for (int i = 0; i < static_cast<int>(ops_.size()); ++i) {
      if (Find(i) == i && members_[i].size() > 1) groups.push_back(i);
    }
    if (groups.empty()) return false;
    if (absl::Status s = Rebuild(); !s.ok()) return s;
    return true;
  }

 private:
  int Find(int i) {
    while (parent_[i] != i) i = parent_[i] = parent_[parent_[i]];
    return i;
  }
  // Merges the groups of a and b; returns the new root.
  int Union(int a, int b) {
    a = Find(a);
    b = Find(b);
    if (a == b) return a;
    if (members_[a].size() < members_[b].size()) std::swap(a, b);
    parent_[b] = a;
    members_[a].insert(members_[a].end(), members_[b].begin(), members_[b].end());
    members_[b].clear();
    std::sort(members_[a].begin(), members_[a].end());
    return a;
  }
  bool GroupHas(int root, std::string_view op_name) const {
    for (int m : members_[root]) {
      if (ops_[m]->name() == op_name) return true;
    }
    return false;
  }
  bool GroupHasReduction(int root) const {
    for (int m : members_[root]) {
      if (ops_[m]->def().fusion == FusionKind::kReduction) return true;
    }
    return false;
  }

  // The index of the op in this region defining `v`, or -1.
  int DefIndex(const ir::Value* v) const {
    const ir::Op* def = v->defining_op();
    if (def == nullptr) return -1;
    auto it = index_.find(def);
    return it == index_.end() ? -1 : it->second;
  }

  // Calls fn(index) for each op of this region that `op` depends on: its
  // operands' definitions and those of values its nested regions use.
  void ForEachDependency(const ir::Op& op, const std::function<void(int)>& fn) const {
    for (const ir::Value* v : op.operands()) {
      if (int d = DefIndex(v); d >= 0) fn(d);
    }
    for (int r = 0; r < op.num_regions(); ++r) {
      ir::WalkOps(op.region(r), [&](const ir::Op* inner) {
        for (const ir::Value* v : inner->operands()) {
          if (int d = DefIndex(v); d >= 0) fn(d);
        }
      });
    }
  }

  // A matmul absorbs the chain of elementwise/broadcast ops that each use
  // the previous result as their only use, with the matmul's type.
  void FuseMatmulEpilogues() {
    for (int i = 0; i < static_cast<int>(ops_.size()); ++i) {
      if (ops_[i]->name() != "matmul") continue;
      int current = i;
      for (;;) {
        const ir::Value* v = ops_[current]->result(0);
        if (v->uses().size() != 1) break;
        const ir::Op* user = v->uses()[0].user;
        auto it = index_.find(user);
        if (it == index_.end()) break;  // used in a nested region
        const int u = it->second;
        if (!IsCandidate(*user) || user->def().scalar == nullptr) break;
        if (user->result(0)->type() != v->type()) break;
        if (members_[Find(u)].size() != 1) break;
        Union(i, u);
        current = u;
      }
    }
  }

  // Consumers first: an op joins the group of its users when they all are
  // in one group (the region's terminator may use it too: it becomes one of
  // the group's results).
  void FuseProducers() {
    for (int i = static_cast<int>(ops_.size()) - 1; i >= 0; --i) {
      const ir::Op& op = *ops_[i];
      if (!IsCandidate(op) || op.name() == "matmul" || members_[Find(i)].size() != 1) continue;
      int target = -1;
      bool fusable = true;
      for (int r = 0; r < op.num_results() && fusable; ++r) {
        for (const ir::Use& use : op.result(r)->uses()) {
          auto it = index_.find(use.user);
          if (it == index_.end()) {  // used inside a nested region
            fusable = false;
            break;
          }
          if (use.user->def().is_terminator) continue;
          if (!IsCandidate(*use.user) || use.user->name() == "matmul") {
            // A matmul reads its operands as whole matrices: its producers
            // are not fused into it.
            fusable = false;
            break;
          }
          const int g = Find(it->second);
          if (target != -1 && target != g) {
            fusable = false;
            break;
          }
          target = g;
        }
      }
      if (!fusable || target == -1) continue;
      if (op.def().fusion == FusionKind::kReduction && GroupHas(target, "matmul")) continue;
      if (CreatesCycle(i, target)) continue;
      Union(i, target);
    }
  }

  // True if `group` reaches op `p` through ops outside the group, so that
  // adding p would make the group depend on itself.
  bool CreatesCycle(int p, int group) {
    const int first = members_[group].front();
    std::vector<int> stack;
    absl::flat_hash_set<int> seen;
    ForEachDependency(*ops_[p], [&](int d) { stack.push_back(d); });
    while (!stack.empty()) {
      const int j = stack.back();
      stack.pop_back();
      const int h = Find(j);
      if (h == group) return true;
      if (!seen.insert(h).second) continue;
      // Ops before the group's first op cannot depend on it.
      if (members_[h].back() < first) continue;
      for (int m : members_[h]) {
        ForEachDependency(*ops_[m], [&](int d) { stack.push_back(d); });
      }
    }
    return false;
  }

  // Reorders the region so each group's members are contiguous (a
  // topological order of groups and lone ops, stable with respect to the
  // original order, keeping stateful ops in their order), outlining groups.
  absl::Status Rebuild() {
    const int n = static_cast<int>(ops_.size());
    ir::Op* terminator = region_.terminator();
    const int term = terminator != nullptr && terminator->def().is_terminator ? n - 1 : -1;
    // Nodes are group roots; edges from dependencies to dependents.
    absl::flat_hash_map<int, std::vector<int>> dependents;
    absl::flat_hash_map<int, int> pending;
    std::vector<int> nodes;
    int previous_stateful = -1;
    for (int i = 0; i < n; ++i) {
      if (i == term || Find(i) != i) continue;
      nodes.push_back(i);
      pending[i] = 0;
    }
    auto add_edge = [&](int from, int to) {
      if (from == to) return;
      dependents[from].push_back(to);
      ++pending[to];
    };
    for (int node : nodes) {
      absl::flat_hash_set<int> deps;
      for (int m : members_[node]) {
        ForEachDependency(*ops_[m], [&](int d) {
          if (d != term) deps.insert(Find(d));
        });
      }
      deps.erase(node);
      for (int d : deps) add_edge(d, node);
      // Lone ops only: groups never read or write variables.
      if (members_[node].size() == 1 &&
          (WritesState(*ops_[node]) || ReadsState(*ops_[node]))) {
        if (previous_stateful != -1) add_edge(previous_stateful, node);
        previous_stateful = node;
      }
    }
    // Ready nodes go in the order of their first op: nothing moves without
    // a reason, and a group runs as early as its first member did. (Keying
    // on the last member delays groups such as a weight gradient with its
    // `* lr` epilogue, keeping their inputs live longer: the MLP training
    // step's arena grew from 68928 to 75584 bytes that way.)
    using Entry = std::pair<int, int>;  // (first member's index, node)
    std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> ready;
    auto push = [&](int node) { ready.push({members_[node].front(), node}); };
    for (int node : nodes) {
      if (pending[node] == 0) push(node);
    }
    std::vector<int> order;
    while (!ready.empty()) {
      const int node = ready.top().second;
      ready.pop();
      order.push_back(node);
      for (int next : dependents[node]) {
        if (--pending[next] == 0) push(next);
      }
    }
    if (order.size() != nodes.size()) {
      return absl::InternalError("fusion groups depend on each other in a cycle");
    }

    std::vector<ir::Op*> dead;
    for (int node : order) {
      if (members_[node].size() == 1) {
        region_.Insert(region_.Remove(ops_[node]));
        continue;
      }
      if (absl::Status s = Outline(members_[node]); !s.ok()) return s;
      for (int m : members_[node]) dead.push_back(ops_[m]);
    }
    if (terminator != nullptr && term != -1) region_.Insert(region_.Remove(terminator));
    // Users before producers, so each op's results are unused when erased.
    std::sort(dead.begin(), dead.end(),
              [&](ir::Op* a, ir::Op* b) { return index_[a] > index_[b]; });
    absl::flat_hash_set<ir::Op*> constants;
    for (ir::Op* op : dead) {
      for (ir::Value* v : op->operands()) {
        if (IsSmallConstant(v)) constants.insert(v->defining_op());
      }
      region_.Erase(op);
    }
    for (ir::Op* c : constants) {
      if (!c->result(0)->has_uses()) region_.Erase(c);
    }
    return absl::OkStatus();
  }

  // Appends a fusion op computing the group `members` (sorted) and points
  // the uses of the group's results outside the group at it.
  absl::Status Outline(const std::vector<int>& members) {
    absl::flat_hash_set<const ir::Op*> in_group;
    for (int m : members) in_group.insert(ops_[m]);
    std::vector<ir::Value*> inputs;
    std::vector<const ir::Op*> constants;
    absl::flat_hash_set<const ir::Value*> seen;
    for (int m : members) {
      for (ir::Value* v : ops_[m]->operands()) {
        if (in_group.contains(v->defining_op()) || !seen.insert(v).second) continue;
        if (IsSmallConstant(v)) {
          constants.push_back(v->defining_op());
        } else {
          inputs.push_back(v);
        }
      }
    }
    std::vector<ir::Value*> outputs;
    for (int m : members) {
      for (ir::Value* r : ops_[m]->results()) {
        for (const ir::Use& use : r->uses()) {
          if (!in_group.contains(use.user)) {
            outputs.push_back(r);
            break;
          }
        }
      }
    }

    auto body = std::make_unique<ir::Region>();
    ir::ValueMap map;
    for (ir::Value* v : inputs) map[v] = body->AddArgument(v->type(), v->name_hint());
    ir::Builder inner(body.get());
    inner.set_module(region_.function() == nullptr ? nullptr : region_.function()->module());
    for (const ir::Op* c : constants) {
      if (absl::StatusOr<ir::Op*> copy = ir::CloneOp(inner, *c, map); !copy.ok()) {
        return copy.status();
      }
    }
    bool has_matmul = false;
    bool has_reduction = false;
    for (int m : members) {
      has_matmul |= ops_[m]->name() == "matmul";
      has_reduction |= ops_[m]->def().fusion == FusionKind::kReduction;
      inner.set_loc(ops_[m]->loc());
      if (absl::StatusOr<ir::Op*> copy = ir::CloneOp(inner, *ops_[m], map); !copy.ok()) {
        return copy.status();
      }
    }
    std::vector<ir::Value*> yielded;
    for (ir::Value* v : outputs) yielded.push_back(map.at(v));
    if (absl::StatusOr<ir::Op*> y = inner.Create("yield", yielded); !y.ok()) return y.status();

    ir::Builder outer(&region_);
    outer.set_loc(ops_[members.back()]->loc());
    const std::string kind = has_matmul ? "matmul" : has_reduction ? "reduction" : "loop";
    std::vector<std::unique_ptr<ir::Region>> regions;
    regions.push_back(std::move(body));
    absl::StatusOr<ir::Op*> fusion =
        outer.Create("fusion", inputs, {{"kind", kind}}, std::move(regions));
    if (!fusion.ok()) return fusion.status();
    for (size_t i = 0; i < outputs.size(); ++i) {
      outputs[i]->ReplaceAllUsesWith((*fusion)->result(static_cast<int>(i)));
    }
    return absl::OkStatus();
  }

  ir::Region& region_;
  std::vector<ir::Op*> ops_;
  absl::flat_hash_map<const ir::Op*, int> index_;
  std::vector<int> parent_;
  std::vector<std::vector<int>> members_;  // per root, sorted
};

absl::StatusOr<bool> FuseRegion(ir::Region& region) {
  bool changed = false;
  for (const auto& op : region.ops()) {
    if (op->name() == "fusion") continue;  // already fused
    for (int r = 0; r < op->num_regions(); ++r) {
      absl::StatusOr<bool> c = FuseRegion(op->region(r));
      if (!c.ok()) return c.status();
      changed |= *c;
    }
  }
  absl::StatusOr<bool> c = RegionFuser(region).Run();
  if (!c.ok()) return c.status();
  return changed || *c;
}

class FusionPass : public Pass {
 public:
  std::string_view name() const override { return "fuse"; }
  absl::StatusOr<bool> Run(ir::Module& module, PassContext&) override {
    bool changed = false;
    for (const auto& f : module.functions()) {
      absl::StatusOr<bool> c = FuseRegion(f->body());
      if (!c.ok()) return c.status();
      changed |= *c;
    }
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> CreateFusionPass() { return std::make_unique<FusionPass>(); }

}  // namespace graphc::passes
