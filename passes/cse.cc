#include "passes/cse.h"

#include <bit>
#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "passes/effects.h"

namespace graphc::passes {
namespace {

// Attribute equality that tells -0.0 from 0.0 (and NaN equal to itself):
// merging `fill {value = -0.0}` into `fill {value = 0.0}` would change bits.
bool SameAttribute(const ir::Attribute& a, const ir::Attribute& b) {
  if (a.index() != b.index()) return false;
  if (const double* x = std::get_if<double>(&a)) {
    return std::bit_cast<uint64_t>(*x) == std::bit_cast<uint64_t>(std::get<double>(b));
  }
  return a == b;  // DenseElements compare bytes
}

bool SameAttrs(const ir::AttrMap& a, const ir::AttrMap& b) {
  if (a.size() != b.size()) return false;
  for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
    if (ia->first != ib->first || !SameAttribute(ia->second, ib->second)) return false;
  }
  return true;
}

// The identity of a pure op: what it computes from what.
struct OpKey {
  const ir::Op* op;
  // Which stretch between variable writes a read_var sits in; 0 otherwise.
  int64_t state_epoch;

  template <typename H>
  friend H AbslHashValue(H h, const OpKey& k) {
    h = H::combine(std::move(h), &k.op->def(), k.state_epoch, k.op->num_results());
    for (const ir::Value* v : k.op->operands()) h = H::combine(std::move(h), v);
    return h;
  }
  friend bool operator==(const OpKey& a, const OpKey& b) {
    const ir::Op& x = *a.op;
    const ir::Op& y = *b.op;
    if (&x.def() != &y.def() || a.state_epoch != b.state_epoch) return false;
    if (x.num_operands() != y.num_operands() || x.num_results() != y.num_results()) return false;
    for (int i = 0; i < x.num_operands(); ++i) {
      if (x.operand(i) != y.operand(i)) return false;
    }
    for (int i = 0; i < x.num_results(); ++i) {
      if (x.result(i)->type() != y.result(i)->type()) return false;
    }
    return SameAttrs(x.attrs(), y.attrs());
  }
};

using Table = absl::flat_hash_map<OpKey, ir::Op*>;

class Cse {
 public:
  bool Run(ir::Region& region) {
    Visit(region);
    return changed_;
  }

 private:
  // `scopes_` holds one table per enclosing region, innermost last; an
  // isolated region starts a fresh stack so it never sees outer ops.
  void Visit(ir::Region& region) {
    scopes_.emplace_back();
    int64_t epoch = 0;
    std::vector<ir::Op*> ops;
    for (const auto& op : region.ops()) ops.push_back(op.get());
    for (ir::Op* op : ops) {
      for (int i = 0; i < op->num_regions(); ++i) {
        if (op->def().isolated_regions) {
          std::vector<Table> saved = std::move(scopes_);
          scopes_.clear();
          Visit(op->region(i));
          scopes_ = std::move(saved);
        } else {
          Visit(op->region(i));
        }
      }
      if (WritesState(*op)) {
        ++epoch;
        continue;
      }
      if (op->num_regions() > 0 || op->def().is_terminator || op->num_results() == 0) continue;
      const bool reads_var = op->name() == "read_var";
      if (!reads_var && ReadsState(*op)) continue;  // a call that reads variables
      // Reads of state only match in their own region: a write in an
      // enclosing region between two reads is not tracked across regions.
      OpKey key{op, reads_var ? epoch + 1 : 0};
      ir::Op* existing = reads_var ? Find(scopes_.back(), key) : FindInScopes(key);
      if (existing != nullptr) {
        for (int i = 0; i < op->num_results(); ++i) {
          op->result(i)->ReplaceAllUsesWith(existing->result(i));
        }
        op->parent()->Erase(op);
        changed_ = true;
      } else {
        scopes_.back().emplace(key, op);
      }
    }
    scopes_.pop_back();
  }

  static ir::Op* Find(const Table& table, const OpKey& key) {
    auto it = table.find(key);
    return it == table.end() ? nullptr : it->second;
  }
  ir::Op* FindInScopes(const OpKey& key) const {
    for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
      if (ir::Op* op = Find(*it, key)) return op;
    }
    return nullptr;
  }

  std::vector<Table> scopes_;
  bool changed_ = false;
};

class CsePass : public Pass {
 public:
  std::string_view name() const override { return "cse"; }
  absl::StatusOr<bool> Run(ir::Module& module, PassContext&) override {
    bool changed = false;
    for (const auto& f : module.functions()) changed |= Cse().Run(f->body());
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> CreateCsePass() { return std::make_unique<CsePass>(); }

}  // namespace graphc::passes
