#include "compiler/codegen/compiled_kernels.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <optional>
#include <vector>

#include "compiler/codegen/element_emitter.h"
#include "compiler/codegen/loop_emitter.h"
#include "compiler/codegen/matmul_fusion.h"
#include "compiler/codegen/specialize.h"
#include "runtime/kernel_abi.h"
#include "runtime/thread_pool.h"
#include "ir/builder.h"
#include "ir/op_registry.h"
#include "ir/str_cat.h"

namespace graphc::codegen {
namespace {

using LoopKernel = graphc_loop_kernel;

// The op's result type for concrete inputs: declared when static,
// otherwise inferred (through a fusion's body) from the inputs' shapes.
absl::StatusOr<ir::TensorType> ResultType(const ir::Op& op, std::span<const HostTensor> inputs) {
  const ir::TensorType& declared = op.result(0)->type();
  if (declared.shape.is_static()) return declared;
  absl::flat_hash_map<const ir::Value*, ir::TensorType> types;
  auto infer = [&](const ir::Op& o) -> absl::Status {
    std::vector<ir::TensorType> operand_types;
    for (const ir::Value* v : o.operands()) operand_types.push_back(types.at(v));
    ir::AttrMap attrs = o.attrs();
    absl::StatusOr<std::vector<ir::TensorType>> results =
        ir::InferResultTypes(o.def(), operand_types, attrs, {}, nullptr);
    if (!results.ok()) return results.status();
    for (int r = 0; r < o.num_results(); ++r) types[o.result(r)] = (*results)[static_cast<size_t>(r)];
    return absl::OkStatus();
  };
  if (op.name() != "fusion") {
    for (int i = 0; i < op.num_operands(); ++i) types[op.operand(i)] = inputs[static_cast<size_t>(i)].type();
    if (absl::Status s = infer(op); !s.ok()) return s;
    return types.at(op.result(0));
  }
  const ir::Region& body = op.region(0);
  for (int i = 0; i < body.num_arguments(); ++i) {
    types[body.argument(i)] = inputs[static_cast<size_t>(i)].type();
  }
  for (const auto& inner : body.ops()) {
    if (inner->def().is_terminator) return types.at(inner->operand(0));
    if (absl::Status s = infer(*inner); !s.ok()) return s;
  }
  return absl::InternalError("fusion body without yield");
}

// An elementwise op outside any fusion group (the fusion pass leaves a
// producer with several consumers alone): compiled as a one-op loop.
bool IsStandaloneElementwise(const ir::Op& op) {
  if (op.def().scalar == nullptr || op.num_results() != 1) return false;
  const ir::Op* parent = op.parent()->owner_op();
  if (parent != nullptr && parent->name() == "fusion") return false;
  for (const ir::Value* v : op.operands()) {
    if (v->shape().rank() > op.result(0)->shape().rank()) return false;
  }
  return true;
}

// A reduction, softmax or one_hot outside any fusion group: compiled as a
// one-op fusion (specialize.h), on its first call.
bool IsStandaloneGenerated(const ir::Op& op) {
  if (op.name() == "fusion" || op.def().scalar != nullptr || op.name() == "constant") return false;
  if (!HasElementGenerator(op) || op.def().is_terminator) return false;
  const ir::Op* parent = op.parent()->owner_op();
  return parent == nullptr || parent->name() != "fusion";
}

ElementwiseLoop OneOpLoop(const ir::Op& op) {
  ElementwiseLoop loop;
  for (const ir::Value* v : op.operands()) loop.inputs.push_back(v);
  loop.ops.push_back(&op);
  loop.outputs.push_back(op.result(0));
  loop.shape = op.result(0)->shape();
  return loop;
}

// Calls `kernel` over [0, n), split across the default thread pool when
// large: one contiguous piece per thread.
void RunSplit(LoopKernel kernel, void* const* in, void* const* out, const int64_t* dims,
              const int64_t* strides, int64_t n) {
  runtime::ThreadPool& pool = runtime::DefaultThreadPool();
  const int64_t pieces = n < kParallelElements ? 1 : pool.size();
  if (pieces == 1) {
    kernel(in, out, dims, strides, 0, n);
    return;
  }
  pool.ParallelFor(pieces, [&](int64_t p) {
    kernel(in, out, dims, strides, n * p / pieces, n * (p + 1) / pieces);
  });
}

// Runs `kernel` over `shape`, each input broadcast to it; returns the
// outputs, one per dtype.
std::vector<HostTensor> RunLoopKernel(LoopKernel kernel, const std::vector<const HostTensor*>& inputs,
                                      const std::vector<ir::DType>& output_dtypes, const ir::Shape& shape) {
  std::vector<HostTensor> outputs;
  std::vector<void*> in_ptrs, out_ptrs;
  std::vector<int64_t> strides;
  for (const HostTensor* t : inputs) {
    in_ptrs.push_back(const_cast<uint8_t*>(t->data()));
    for (int64_t s : BroadcastStrides(t->shape(), shape)) strides.push_back(s);
  }
  for (ir::DType dtype : output_dtypes) {
    outputs.push_back(HostTensor::Uninitialized(dtype, shape));
    out_ptrs.push_back(outputs.back().mutable_data());
  }
  const int64_t n = *shape.num_elements();
  if (n > 0) RunSplit(kernel, in_ptrs.data(), out_ptrs.data(), shape.dims().data(), strides.data(), n);
  return outputs;
}

std::vector<ir::DType> ResultDTypes(const ir::Op& op) {
  std::vector<ir::DType> dtypes;
  for (int r = 0; r < op.num_results(); ++r) dtypes.push_back(op.result(r)->dtype());
  return dtypes;
}

interp::CompiledKernel MakeLoopKernel(const ir::Op& fusion, LoopKernel kernel) {
  return [&fusion, kernel](std::span<const HostTensor> inputs)
             -> absl::StatusOr<std::vector<HostTensor>> {
    absl::StatusOr<ir::TensorType> type = ResultType(fusion, inputs);
    if (!type.ok()) return type.status();
    std::vector<const HostTensor*> loop_inputs;
    for (const HostTensor& t : inputs) loop_inputs.push_back(&t);
    return RunLoopKernel(kernel, loop_inputs, ResultDTypes(fusion), type->shape);
  };
}

const HostTensor& Resolve(const MatmulSource& source, std::span<const HostTensor> inputs,
                          const HostTensor* product) {
  switch (source.kind) {
    case MatmulSource::Kind::kOperand: return inputs[static_cast<size_t>(source.operand)];
    case MatmulSource::Kind::kConstant: return source.constant;
    case MatmulSource::Kind::kProduct: break;
  }
  return *product;
}

// A fusion emitted by elements (element_emitter.h): its stage kernels,
// each filling a temporary, then one kernel per result.
struct ElementsRun {
  ElementsKernels plan;
  std::vector<LoopKernel> stages, results;
};

interp::CompiledKernel MakeElementsKernel(const ir::Op& fusion, std::shared_ptr<const ElementsRun> run) {
  return [&fusion, run](std::span<const HostTensor> inputs) -> absl::StatusOr<std::vector<HostTensor>> {
    std::vector<void*> in_ptrs;
    for (const HostTensor& t : inputs) in_ptrs.push_back(const_cast<uint8_t*>(t.data()));
    const int64_t no_strides = 0;  // inputs are read at their own static shapes
    auto fill = [&](LoopKernel kernel, HostTensor& out) {
      void* ptr = out.mutable_data();
      if (out.size() > 0) RunSplit(kernel, in_ptrs.data(), &ptr, out.shape().dims().data(), &no_strides, out.size());
    };
    std::vector<HostTensor> temporaries;
    temporaries.reserve(run->stages.size());
    for (size_t k = 0; k < run->stages.size(); ++k) {
      const ir::TensorType& type = run->plan.stage_types[k];
      temporaries.push_back(HostTensor::Uninitialized(type.dtype, type.shape));
      fill(run->stages[k], temporaries.back());
      in_ptrs.push_back(temporaries.back().mutable_data());
    }
    std::vector<HostTensor> outputs;
    for (int r = 0; r < fusion.num_results(); ++r) {
      const ir::TensorType& type = fusion.result(r)->type();
      outputs.push_back(HostTensor::Uninitialized(type.dtype, type.shape));
      fill(run->results[static_cast<size_t>(r)], outputs.back());
    }
    return outputs;
  };
}

// Symbols are unique per process: one JIT serves every function.
std::string NextModuleName() {
  static std::atomic<int64_t> next_module{0};
  return StrCat("graphc_", next_module++);
}

absl::StatusOr<LoopKernel> LookUpKernel(Jit& jit, const std::string& symbol) {
  absl::StatusOr<void*> address = jit.Lookup(symbol);
  if (!address.ok()) return address.status();
  return reinterpret_cast<LoopKernel>(*address);
}

// Fills run.stages and run.results from the symbols of run.plan, once the
// module holding them is in the JIT.
absl::Status LookUpElements(Jit& jit, ElementsRun& run) {
  for (auto [symbols, kernels] : {std::pair{&run.plan.stage_symbols, &run.stages},
                                  std::pair{&run.plan.result_symbols, &run.results}}) {
    for (const std::string& symbol : *symbols) {
      absl::StatusOr<LoopKernel> kernel = LookUpKernel(jit, symbol);
      if (!kernel.ok()) return kernel.status();
      kernels->push_back(*kernel);
    }
  }
  return absl::OkStatus();
}

// Emits and JIT-compiles a fusion by elements in a module of its own.
absl::StatusOr<std::shared_ptr<ElementsRun>> CompileByElements(const ir::Op& fusion) {
  absl::StatusOr<Jit*> jit = ProcessJit();
  if (!jit.ok()) return jit.status();
  const std::string name = NextModuleName();
  auto context = std::make_unique<llvm::LLVMContext>();
  auto module = std::make_unique<llvm::Module>(name, *context);
  auto run = std::make_shared<ElementsRun>();
  absl::StatusOr<ElementsKernels> plan = EmitByElements(fusion, *module, name + "_fusion");
  if (!plan.ok()) return plan.status();
  run->plan = std::move(*plan);
  if (absl::Status s = (*jit)->AddModule(std::move(module), std::move(context)); !s.ok()) return s;
  if (absl::Status s = LookUpElements(**jit, *run); !s.ok()) return s;
  return run;
}

// A fusion with `?` dims that the element emitter takes once its shapes
// are known (or a single op with an element generator): specialized to
// each call's input shapes and compiled on the first call with those
// shapes (as XLA compiles one executable per shape), then cached. A
// specialization codegen still refuses runs on the interpreter.
class ShapeSpecializedKernel {
 public:
  explicit ShapeSpecializedKernel(const ir::Op& fusion) : fusion_(fusion) {}

  absl::StatusOr<std::vector<HostTensor>> operator()(std::span<const HostTensor> inputs) {
    std::vector<ir::TensorType> types;
    for (const HostTensor& t : inputs) types.push_back(t.type());
    const Entry* entry = nullptr;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      std::unique_ptr<Entry>& slot = cache_[Key(types)];
      if (slot == nullptr) {
        absl::StatusOr<std::unique_ptr<Entry>> made = Make(types);
        if (!made.ok()) {
          cache_.erase(Key(types));
          return made.status();
        }
        slot = std::move(*made);
      }
      entry = slot.get();
    }
    if (entry->kernel) return entry->kernel(inputs);
    return interp::RunFunction(*entry->specialized.function,
                               std::vector<HostTensor>(inputs.begin(), inputs.end()), nullptr);
  }

 private:
  struct Entry {
    SpecializedFusion specialized;
    interp::CompiledKernel kernel;  // empty: interpret the specialization
  };

  static std::string Key(const std::vector<ir::TensorType>& types) {
    std::string key;
    for (const ir::TensorType& t : types) key += t.ToString() + ";";
    return key;
  }

  absl::StatusOr<std::unique_ptr<Entry>> Make(const std::vector<ir::TensorType>& types) const {
    absl::StatusOr<SpecializedFusion> specialized = SpecializeFusion(fusion_, types);
    if (!specialized.ok()) return specialized.status();
    auto entry = std::make_unique<Entry>();
    entry->specialized = std::move(*specialized);
    const ir::Op& op = *entry->specialized.fusion;
    if (CanEmitByElements(op)) {
      absl::StatusOr<std::shared_ptr<ElementsRun>> run = CompileByElements(op);
      if (!run.ok()) return run.status();
      entry->kernel = MakeElementsKernel(op, *run);
    }
    return entry;
  }

  const ir::Op& fusion_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Entry>> cache_;
};

// The product through the runtime's GEMM, then the epilogue loop.
interp::CompiledKernel MakeMatmulKernel(const ir::Op& fusion, std::shared_ptr<const MatmulFusion> plan,
                                        LoopKernel epilogue) {
  return [&fusion, plan, epilogue](std::span<const HostTensor> inputs)
             -> absl::StatusOr<std::vector<HostTensor>> {
    const HostTensor& a = Resolve(plan->a, inputs, nullptr);
    const HostTensor& b = Resolve(plan->b, inputs, nullptr);
    const bool ta = plan->matmul->attr<bool>("transpose_a");
    const bool tb = plan->matmul->attr<bool>("transpose_b");
    const int64_t m = a.shape().dim(ta ? 1 : 0), k = a.shape().dim(ta ? 0 : 1);
    const int64_t n = b.shape().dim(tb ? 0 : 1), kb = b.shape().dim(tb ? 1 : 0);
    if (k != kb) {
      return absl::InvalidArgumentError(StrCat("matmul: inner dims differ: ", a.shape().ToString(), " and ",
                                               b.shape().ToString()));
    }
    HostTensor product = HostTensor::Uninitialized(a.dtype(), ir::Shape({m, n}));
    if (a.dtype() == ir::DType::kF32) {
      graphc_matmul_f32(a.data_as<float>(), b.data_as<float>(), product.mutable_data_as<float>(), m, n, k,
                        ta, tb);
    } else {
      graphc_matmul_f64(a.data_as<double>(), b.data_as<double>(), product.mutable_data_as<double>(), m, n,
                        k, ta, tb);
    }
    std::vector<const HostTensor*> loop_inputs;
    for (const MatmulSource& source : plan->epilogue_sources) {
      loop_inputs.push_back(&Resolve(source, inputs, &product));
    }
    return RunLoopKernel(epilogue, loop_inputs, ResultDTypes(fusion), product.shape());
  };
}

}  // namespace

std::vector<int64_t> BroadcastStrides(const ir::Shape& in, const ir::Shape& out) {
  std::vector<int64_t> strides(static_cast<size_t>(out.rank()), 0);
  int64_t stride = 1;
  for (int64_t d = in.rank() - 1, o = out.rank() - 1; d >= 0; --d, --o) {
    if (in.dim(d) != 1) strides[static_cast<size_t>(o)] = stride;
    stride *= in.dim(d);
  }
  return strides;
}

absl::StatusOr<Jit*> ProcessJit() {
  static absl::StatusOr<std::unique_ptr<Jit>>* jit =
      new absl::StatusOr<std::unique_ptr<Jit>>(Jit::Create());
  if (!jit->ok()) return jit->status();
  return jit->value().get();
}

absl::StatusOr<interp::CompiledKernels> CompileFusionKernels(const ir::Function& function,
                                                             CompileStats* stats) {
  // Each supported fusion (or standalone elementwise op) and the loop
  // codegen emits for it.
  struct Emitted {
    const ir::Op* op;
    std::shared_ptr<const MatmulFusion> matmul;  // null for a loop fusion
    std::shared_ptr<ElementsRun> elements;  // set for a fusion emitted by elements
    bool one_op = false;       // an elementwise op outside fusion groups
    std::string symbol;        // of its loop (elements: in elements->plan)
  };
  std::vector<Emitted> fusions;
  // Specialized to each call's shapes and compiled when first called.
  std::vector<const ir::Op*> dynamic;
  ir::WalkOps(function.body(), [&](const ir::Op* op) {
    if (IsStandaloneElementwise(*op)) {
      fusions.push_back({op, nullptr, nullptr, true, ""});
    } else if (IsStandaloneGenerated(*op)) {
      dynamic.push_back(op);
    }
    if (op->name() != "fusion") return;
    if (CanEmitLoopKernel(*op)) {
      fusions.push_back({op, nullptr, nullptr, false, ""});
    } else if (std::optional<MatmulFusion> plan = AnalyzeMatmulFusion(*op)) {
      fusions.push_back({op, std::make_shared<const MatmulFusion>(std::move(*plan)), nullptr, false, ""});
    } else if (CanEmitByElements(*op)) {
      fusions.push_back({op, nullptr, std::make_shared<ElementsRun>(), false, ""});
    } else if (HasElementGenerators(*op)) {
      dynamic.push_back(op);
    } else if (stats != nullptr) {
      ++stats->interpreted_fusions;
    }
  });
  interp::CompiledKernels kernels;
  for (const ir::Op* op : dynamic) {
    auto kernel = std::make_shared<ShapeSpecializedKernel>(*op);
    kernels[op] = [kernel](std::span<const HostTensor> inputs) { return (*kernel)(inputs); };
  }
  if (stats != nullptr) {
    for (const ir::Op* op : dynamic) stats->compiled_fusions += op->name() == "fusion" ? 1 : 0;
  }
  if (fusions.empty()) return kernels;
  absl::StatusOr<Jit*> jit = ProcessJit();
  if (!jit.ok()) return jit.status();
  const std::string id = NextModuleName();
  auto context = std::make_unique<llvm::LLVMContext>();
  auto module = std::make_unique<llvm::Module>(id, *context);
  for (size_t i = 0; i < fusions.size(); ++i) {
    Emitted& e = fusions[i];
    absl::Status s;
    if (e.elements) {
      absl::StatusOr<ElementsKernels> plan = EmitByElements(*e.op, *module, StrCat(id, "_fusion_", i));
      if (!plan.ok()) return plan.status();
      e.elements->plan = std::move(*plan);
    } else {
      e.symbol = StrCat(id, "_fusion_", i);
      s = e.one_op   ? EmitElementwiseLoop(OneOpLoop(*e.op), *module, e.symbol)
          : e.matmul ? EmitElementwiseLoop(e.matmul->epilogue, *module, e.symbol)
                     : EmitLoopKernel(*e.op, *module, e.symbol).status();
    }
    if (!s.ok()) return s;
  }
  if (absl::Status s = (*jit)->AddModule(std::move(module), std::move(context)); !s.ok()) return s;
  for (const Emitted& e : fusions) {
    if (e.elements) {
      if (absl::Status s = LookUpElements(**jit, *e.elements); !s.ok()) return s;
      kernels[e.op] = MakeElementsKernel(*e.op, e.elements);
      continue;
    }
    absl::StatusOr<LoopKernel> kernel = LookUpKernel(**jit, e.symbol);
    if (!kernel.ok()) return kernel.status();
    kernels[e.op] = e.matmul ? MakeMatmulKernel(*e.op, e.matmul, *kernel) : MakeLoopKernel(*e.op, *kernel);
  }
  if (stats != nullptr) {
    for (const Emitted& e : fusions) stats->compiled_fusions += e.one_op ? 0 : 1;
  }
  return kernels;
}

}  // namespace graphc::codegen
