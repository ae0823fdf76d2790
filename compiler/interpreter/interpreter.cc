#include "compiler/interpreter/interpreter.h"

#include <new>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "ir/builder.h"
#include "ir/str_cat.h"

namespace graphc::interp {
namespace {

// Ops the interpreter runs itself because they execute regions or functions.
bool IsControlOp(std::string_view name) {
  return name == "cond" || name == "while" || name == "call" || name == "fusion" ||
         name == "return" || name == "yield";
}

// Values visible while running a region: its own and its ancestors'.
class Env {
 public:
  explicit Env(const Env* parent = nullptr) : parent_(parent) {}
  void Set(const ir::Value* v, HostTensor t) { values_[v] = std::move(t); }
  const HostTensor* Get(const ir::Value* v) const {
    for (const Env* e = this; e != nullptr; e = e->parent_) {
      auto it = e->values_.find(v);
      if (it != e->values_.end()) return &it->second;
    }
    return nullptr;
  }

 private:
  const Env* parent_;
  absl::flat_hash_map<const ir::Value*, HostTensor> values_;
};

absl::Status WithOpContext(const absl::Status& s, const ir::Op& op) {
  if (op.loc().known() && !absl::StrContains(s.message(), op.loc().ToString())) {
    return absl::Status(s.code(), StrCat(op.loc().ToString(), ": ", ToStd(s.message())));
  }
  return s;
}

// Calls nested deeper than this are reported instead of overflowing the
// native stack: a level costs about 3 KB of it (measured at -O2), so the
// limit stays under 1 MB, safe on small thread stacks and in debug builds.
// Graph code nests calls shallowly; only runaway recursion gets near it.
constexpr int kMaxCallDepth = 256;

class Runner {
 public:
  explicit Runner(VariableStore* variables, int depth = 0) : variables_(variables), depth_(depth) {}

  absl::StatusOr<std::vector<HostTensor>> RunFunction(const ir::Function& f,
                                                      std::span<const HostTensor> args) {
    if (static_cast<int>(args.size()) != f.num_params()) {
      return absl::InvalidArgumentError(StrCat("@", f.name(), " takes ", f.num_params(),
                                               " arguments, got ", args.size()));
    }
    for (int i = 0; i < f.num_params(); ++i) {
      const ir::TensorType& want = f.param(i)->type();
      if (!args[static_cast<size_t>(i)].defined() ||
          !ir::IsCompatible(want, args[static_cast<size_t>(i)].type())) {
        return absl::InvalidArgumentError(StrCat(
            "@", f.name(), ": argument ", i,
            f.param(i)->name_hint().empty() ? "" : " (%" + f.param(i)->name_hint() + ")",
            " must be ", want.ToString(), ", got ",
            args[static_cast<size_t>(i)].defined() ? args[static_cast<size_t>(i)].type().ToString()
                                                   : "an undefined tensor"));
      }
    }
    module_ = f.module();
    return RunRegion(f.body(), args, nullptr);
  }

 private:
  // Runs a region with `args` bound to its arguments; returns the operands of
  // its terminator.
  absl::StatusOr<std::vector<HostTensor>> RunRegion(const ir::Region& region,
                                                    std::span<const HostTensor> args,
                                                    const Env* parent) {
    Env env(parent);
    for (int i = 0; i < region.num_arguments(); ++i) {
      env.Set(region.argument(i), args[static_cast<size_t>(i)]);
    }
    for (const auto& op_ptr : region.ops()) {
      const ir::Op& op = *op_ptr;
      std::vector<HostTensor> operands;
      operands.reserve(static_cast<size_t>(op.num_operands()));
      for (ir::Value* v : op.operands()) {
        const HostTensor* t = env.Get(v);
        if (t == nullptr) {
          return absl::InternalError(StrCat(op.name(), ": an operand has no value (unverified IR?)"));
        }
        operands.push_back(*t);
      }
      if (op.def().is_terminator) return operands;
      absl::StatusOr<std::vector<HostTensor>> results = RunOp(op, operands, env);
      if (!results.ok()) return WithOpContext(results.status(), op);
      // Compiled code allocates from the declared types, so a value that
      // does not fit them (a `?` dim resolved inconsistently) must not pass.
      for (int i = 0; i < op.num_results(); ++i) {
        const HostTensor& r = (*results)[static_cast<size_t>(i)];
        if (!ir::IsCompatible(op.result(i)->type(), r.type())) {
          return WithOpContext(absl::InvalidArgumentError(StrCat(
                                   op.name(), ": result ", i, " is ", r.type().ToString(),
                                   " at run time but the graph declares ", op.result(i)->type().ToString())),
                               op);
        }
      }
      for (int i = 0; i < op.num_results(); ++i) env.Set(op.result(i), std::move((*results)[static_cast<size_t>(i)]));
    }
    return absl::InternalError("region has no terminator");
  }

  absl::StatusOr<std::vector<HostTensor>> RunOp(const ir::Op& op, std::vector<HostTensor>& operands,
                                                const Env& env) {
    const std::string_view name = op.name();
    if (name == "cond") {
      const bool pred = operands[0].GetInt(0) != 0;
      return RunRegion(op.region(pred ? 0 : 1), std::span(operands).subspan(1), &env);
    }
    if (name == "while") {
      std::vector<HostTensor> vars = operands;
      for (;;) {
        absl::StatusOr<std::vector<HostTensor>> c = RunRegion(op.region(0), vars, &env);
        if (!c.ok()) return c.status();
        if ((*c)[0].GetInt(0) == 0) return vars;
        absl::StatusOr<std::vector<HostTensor>> next = RunRegion(op.region(1), vars, &env);
        if (!next.ok()) return next.status();
        for (size_t i = 0; i < vars.size(); ++i) {
          if (!ir::IsCompatible(op.result(static_cast<int>(i))->type(), (*next)[i].type())) {
            return absl::InvalidArgumentError(StrCat("while: loop variable ", i, " changed type from ",
                                                     vars[i].type().ToString(), " to ",
                                                     (*next)[i].type().ToString()));
          }
        }
        vars = *std::move(next);
      }
    }
    if (name == "fusion") {
      // The group's ops, run one by one: exactly what they computed before
      // the fusion pass outlined them. Its region sees only its arguments.
      return RunRegion(op.region(0), operands, nullptr);
    }
    if (name == "call") {
      const std::string& callee = op.attr<ir::SymbolRef>("callee").name;
      const ir::Function* f = module_ == nullptr ? nullptr : module_->FindFunction(callee);
      if (f == nullptr) return absl::NotFoundError(StrCat("call: unknown function @", callee));
      if (depth_ >= kMaxCallDepth) {
        return absl::ResourceExhaustedError(StrCat("call @", callee, ": calls are nested more than ",
                                                   kMaxCallDepth, " deep (unbounded recursion?)"));
      }
      Runner inner(variables_, depth_ + 1);
      return inner.RunFunction(*f, operands);
    }
    return Evaluate(op.def(), op.attrs(), operands, variables_, module_);
  }

 public:
  static absl::StatusOr<std::vector<HostTensor>> Evaluate(const ir::OpDef& def, ir::AttrMap attrs,
                                                          std::span<const HostTensor> operands,
                                                          VariableStore* variables,
                                                          const ir::Module* module) {
    std::vector<ir::TensorType> types;
    types.reserve(operands.size());
    for (const HostTensor& t : operands) types.push_back(t.type());
    absl::StatusOr<std::vector<ir::TensorType>> results =
        ir::InferResultTypes(def, types, attrs, {}, module);
    if (!results.ok()) return results.status();
    for (const ir::TensorType& t : *results) {
      // read_var's result is the declared type; the stored tensor resolves its `?`s.
      if (!t.shape.is_static() && def.name != "read_var") {
        return absl::InternalError(StrCat(def.name, ": result shape ", t.ToString(),
                                          " is not static for static operands"));
      }
      if (absl::Status s = CheckAllocatable(def, t); !s.ok()) return s;
    }
    EvalContext ctx{def, attrs, operands, *results, variables};
    auto it = Evaluators().find(def.name);
    if (def.scalar == nullptr && it == Evaluators().end()) {
      return absl::UnimplementedError(StrCat("the interpreter cannot run op '", def.name, "'"));
    }
    // A result that fits in int64 bytes may still be more than the machine has.
    try {
      return def.scalar != nullptr ? EvalElementwise(ctx) : it->second(ctx);
    } catch (const std::bad_alloc&) {
      return absl::ResourceExhaustedError(StrCat(
          def.name, ": out of memory",
          results->empty() ? "" : " allocating a result of type " + (*results)[0].ToString()));
    }
  }

 private:
  // Errors if a static result type's byte size overflows int64 or exceeds
  // what a 64-bit address space can hold (2^47 bytes for user space on
  // x86-64), before anything tries to allocate it: such a request would
  // otherwise abort under the sanitizers instead of throwing bad_alloc.
  static constexpr int64_t kMaxBytes = int64_t{1} << 47;
  static absl::Status CheckAllocatable(const ir::OpDef& def, const ir::TensorType& t) {
    for (int64_t d : t.shape.dims()) {
      if (d == 0) return absl::OkStatus();  // empty, whatever the other dims
    }
    int64_t bytes = ir::DTypeSize(t.dtype);
    for (int64_t d : t.shape.dims()) {
      if (d > 0 && (__builtin_mul_overflow(bytes, d, &bytes) || bytes > kMaxBytes)) {
        return absl::ResourceExhaustedError(
            StrCat(def.name, ": result type ", t.ToString(), " is too large to allocate"));
      }
    }
    return absl::OkStatus();
  }

  VariableStore* variables_;
  int depth_;  // calls enclosing this run
  const ir::Module* module_ = nullptr;
};

}  // namespace

const EvaluatorTable& Evaluators() {
  static const EvaluatorTable* table = [] {
    auto* t = new EvaluatorTable;
    AddGeneratorEvaluators(*t);
    AddShapeEvaluators(*t);
    AddReduceEvaluators(*t);
    AddLinalgEvaluators(*t);
    AddStateEvaluators(*t);
    AddGradEvaluators(*t);
    return t;
  }();
  return *table;
}

bool CanInterpret(const ir::OpDef& def) {
  return def.scalar != nullptr || IsControlOp(def.name) || Evaluators().contains(def.name);
}

absl::StatusOr<std::vector<HostTensor>> RunFunction(const ir::Function& function,
                                                    std::span<const HostTensor> args,
                                                    VariableStore* variables) {
  Runner runner(variables);
  absl::StatusOr<std::vector<HostTensor>> out = runner.RunFunction(function, args);
  if (!out.ok()) return out.status();
  return out;
}

absl::StatusOr<std::vector<HostTensor>> EvalOp(std::string_view op_name,
                                               std::span<const HostTensor> operands,
                                               ir::AttrMap attrs, VariableStore* variables,
                                               const ir::Module* module) {
  const ir::OpDef* def = ir::OpRegistry::Get().Find(op_name);
  if (def == nullptr) return absl::InvalidArgumentError(StrCat("unknown op '", op_name, "'"));
  if (def->num_regions > 0 || IsControlOp(def->name)) {
    return absl::InvalidArgumentError(StrCat("op '", op_name, "' cannot run eagerly on its own"));
  }
  for (const HostTensor& t : operands) {
    if (!t.defined()) return absl::InvalidArgumentError(StrCat(op_name, ": an operand is undefined"));
  }
  return Runner::Evaluate(*def, std::move(attrs), operands, variables, module);
}

}  // namespace graphc::interp
