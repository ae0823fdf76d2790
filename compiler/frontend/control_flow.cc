#include "graphc/control_flow.h"

#include "compiler/frontend/dispatch.h"
#include "compiler/frontend/tensor_impl.h"
#include "compiler/frontend/trace_state.h"
#include "graphc/ops.h"
#include "ir/str_cat.h"

namespace graphc {
namespace {

// Traces `fn` into a new detached region whose arguments have `arg_types`;
// `fn` receives the arguments as tensors and its results are yielded.
std::unique_ptr<ir::Region> TraceRegion(TraceState& trace, const std::vector<ir::TensorType>& arg_types,
                                        const std::function<Tensors(const Tensors&)>& fn,
                                        const std::source_location& loc) {
  auto region = std::make_unique<ir::Region>();
  Tensors args;
  for (const ir::TensorType& t : arg_types) args.push_back(MakeTraced(region->AddArgument(t), trace.id()));
  trace.PushRegion(region.get());
  struct Pop {
    TraceState& t;
    ~Pop() { t.PopRegion(); }
  } pop{trace};
  Tensors results = fn(args);
  std::vector<ir::Value*> values;
  for (const Tensor& r : results) {
    TraceFor({r}, "yield", loc);
    values.push_back(trace.ValueOf(r, loc));
  }
  trace.builder().set_loc(ToIrLocation(loc));
  ValueOrThrow(trace.builder().Create("yield", values), loc);
  return region;
}

Tensors ResultsOf(ir::Op* op, const TraceState& trace) {
  Tensors out;
  for (int i = 0; i < op->num_results(); ++i) out.push_back(MakeTraced(op->result(i), trace.id()));
  return out;
}

}  // namespace

Tensors cond(const Tensor& pred, const BranchFn& then_fn, const BranchFn& else_fn, std::source_location loc) {
  TraceState* trace = TraceFor({pred}, "cond", loc);
  if (trace == nullptr || !pred.is_traced()) {
    // Eager, or a value known while tracing: decide now, like a host `if`.
    return static_cast<bool>(pred) ? then_fn() : else_fn();
  }
  std::vector<std::unique_ptr<ir::Region>> regions;
  regions.push_back(TraceRegion(*trace, {}, [&](const Tensors&) { return then_fn(); }, loc));
  regions.push_back(TraceRegion(*trace, {}, [&](const Tensors&) { return else_fn(); }, loc));
  ir::Builder& b = trace->builder();
  b.set_loc(ToIrLocation(loc));
  ir::Op* op = ValueOrThrow(b.Create("cond", {trace->ValueOf(pred, loc)}, {}, std::move(regions)), loc);
  return ResultsOf(op, *trace);
}

Tensors while_loop(const LoopCondFn& cond_fn, const LoopBodyFn& body_fn, const Tensors& loop_vars,
                   std::source_location loc) {
  TraceState* trace = TraceFor(loop_vars, "while_loop", loc);
  if (trace == nullptr) {
    Tensors vars = loop_vars;
    while (static_cast<bool>(cond_fn(vars))) {
      Tensors next = body_fn(vars);
      if (next.size() != vars.size()) {
        throw Error(absl::InvalidArgumentError(StrCat("while_loop: the body returned ", next.size(),
                                                      " values for ", vars.size(), " loop variables")),
                    loc);
      }
      for (size_t i = 0; i < vars.size(); ++i) {
        if (next[i].dtype() != vars[i].dtype() || next[i].shape() != vars[i].shape()) {
          throw Error(absl::InvalidArgumentError(StrCat(
                          "while_loop: loop variable ", i, " changed from ",
                          ir::TensorType{vars[i].dtype(), vars[i].shape()}.ToString(), " to ",
                          ir::TensorType{next[i].dtype(), next[i].shape()}.ToString())),
                      loc);
        }
      }
      vars = std::move(next);
    }
    return vars;
  }
  std::vector<ir::Value*> inits;
  std::vector<ir::TensorType> types;
  for (const Tensor& v : loop_vars) {
    inits.push_back(trace->ValueOf(v, loc));
    types.push_back(inits.back()->type());
  }
  std::vector<std::unique_ptr<ir::Region>> regions;
  regions.push_back(TraceRegion(*trace, types, [&](const Tensors& args) { return Tensors{cond_fn(args)}; }, loc));
  regions.push_back(TraceRegion(*trace, types, body_fn, loc));
  ir::Builder& b = trace->builder();
  b.set_loc(ToIrLocation(loc));
  ir::Op* op = ValueOrThrow(b.Create("while", inits, {}, std::move(regions)), loc);
  return ResultsOf(op, *trace);
}

Tensors fori_loop(const Tensor& lower, const Tensor& upper,
                  const std::function<Tensors(const Tensor& i, const Tensors& vars)>& body_fn,
                  const Tensors& init_vars, std::source_location loc) {
  const Tensor lo = cast(lower, int32, loc), hi = cast(upper, int32, loc);
  if (TraceFor({lo, hi}, "fori_loop", loc) == nullptr && TraceFor(init_vars, "fori_loop", loc) == nullptr) {
    Tensors vars = init_vars;
    const int32_t end = hi.item<int32_t>();
    for (int32_t i = lo.item<int32_t>(); i < end; ++i) vars = body_fn(Tensor(i), vars);
    return vars;
  }
  // Loop variables: i, upper, then the user's.
  Tensors vars = {lo, hi};
  vars.insert(vars.end(), init_vars.begin(), init_vars.end());
  Tensors out = while_loop([&](const Tensors& v) { return less(v[0], v[1], loc); },
                           [&](const Tensors& v) {
                             Tensors user(v.begin() + 2, v.end());
                             Tensors next = {add(v[0], constant(1, int32), loc), v[1]};
                             Tensors body = body_fn(v[0], user);
                             next.insert(next.end(), body.begin(), body.end());
                             return next;
                           },
                           vars, loc);
  return Tensors(out.begin() + 2, out.end());
}

Tensor fori_loop(const Tensor& lower, const Tensor& upper,
                 const std::function<Tensor(const Tensor& i, const Tensor& x)>& body_fn, const Tensor& init,
                 std::source_location loc) {
  return fori_loop(
      lower, upper, [&](const Tensor& i, const Tensors& v) { return Tensors{body_fn(i, v[0])}; }, Tensors{init},
      loc)[0];
}

}  // namespace graphc
