#include "compiler/codegen/compiled_kernels.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "compiler/codegen/loop_emitter.h"
#include "ir/builder.h"
#include "ir/op_registry.h"
#include "ir/str_cat.h"

namespace graphc::codegen {
namespace {

using LoopKernel = void (*)(void* const*, void* const*, const int64_t*, const int64_t*, int64_t,
                            int64_t);

// The fusion's result type for concrete inputs: declared when static,
// otherwise inferred through the body from the inputs' shapes.
absl::StatusOr<ir::TensorType> ResultType(const ir::Op& fusion,
                                          std::span<const HostTensor> inputs) {
  const ir::TensorType& declared = fusion.result(0)->type();
  if (declared.shape.is_static()) return declared;
  const ir::Region& body = fusion.region(0);
  absl::flat_hash_map<const ir::Value*, ir::TensorType> types;
  for (int i = 0; i < body.num_arguments(); ++i) {
    types[body.argument(i)] = inputs[static_cast<size_t>(i)].type();
  }
  for (const auto& op : body.ops()) {
    if (op->def().is_terminator) return types.at(op->operand(0));
    std::vector<ir::TensorType> operand_types;
    for (const ir::Value* v : op->operands()) operand_types.push_back(types.at(v));
    ir::AttrMap attrs = op->attrs();
    absl::StatusOr<std::vector<ir::TensorType>> results =
        ir::InferResultTypes(op->def(), operand_types, attrs, {}, nullptr);
    if (!results.ok()) return results.status();
    for (int r = 0; r < op->num_results(); ++r) {
      types[op->result(r)] = (*results)[static_cast<size_t>(r)];
    }
  }
  return absl::InternalError("fusion body without yield");
}

// Calls `kernel` over [0, n), split across threads when large.
void RunSplit(LoopKernel kernel, void* const* in, void* const* out, const int64_t* dims,
              const int64_t* strides, int64_t n) {
  const int64_t threads =
      n < kParallelElements ? 1 : std::max<int64_t>(1, std::thread::hardware_concurrency());
  if (threads == 1) {
    kernel(in, out, dims, strides, 0, n);
    return;
  }
  std::vector<std::thread> workers;
  for (int64_t t = 1; t < threads; ++t) {
    workers.emplace_back(kernel, in, out, dims, strides, n * t / threads, n * (t + 1) / threads);
  }
  kernel(in, out, dims, strides, 0, n / threads);
  for (std::thread& w : workers) w.join();
}

interp::CompiledKernel MakeKernel(const ir::Op& fusion, LoopKernel kernel) {
  return [&fusion, kernel](std::span<const HostTensor> inputs)
             -> absl::StatusOr<std::vector<HostTensor>> {
    absl::StatusOr<ir::TensorType> type = ResultType(fusion, inputs);
    if (!type.ok()) return type.status();
    const ir::Shape& shape = type->shape;
    std::vector<HostTensor> outputs;
    std::vector<void*> in_ptrs, out_ptrs;
    std::vector<int64_t> strides;
    for (const HostTensor& t : inputs) {
      in_ptrs.push_back(const_cast<uint8_t*>(t.data()));
      for (int64_t s : BroadcastStrides(t.shape(), shape)) strides.push_back(s);
    }
    for (int r = 0; r < fusion.num_results(); ++r) {
      outputs.emplace_back(fusion.result(r)->dtype(), shape);
      out_ptrs.push_back(outputs.back().mutable_data());
    }
    const int64_t n = *shape.num_elements();
    if (n > 0) RunSplit(kernel, in_ptrs.data(), out_ptrs.data(), shape.dims().data(), strides.data(), n);
    return outputs;
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
  std::vector<const ir::Op*> fusions;
  ir::WalkOps(function.body(), [&](const ir::Op* op) {
    if (op->name() != "fusion") return;
    if (CanEmitLoopKernel(*op)) {
      fusions.push_back(op);
    } else if (stats != nullptr) {
      ++stats->interpreted_fusions;
    }
  });
  interp::CompiledKernels kernels;
  if (fusions.empty()) return kernels;
  absl::StatusOr<Jit*> jit = ProcessJit();
  if (!jit.ok()) return jit.status();
  // Symbols are unique per process: one JIT serves every function.
  static std::atomic<int64_t> next_module{0};
  const int64_t id = next_module++;
  auto context = std::make_unique<llvm::LLVMContext>();
  auto module = std::make_unique<llvm::Module>(StrCat("graphc_", id), *context);
  std::vector<std::string> symbols;
  for (size_t i = 0; i < fusions.size(); ++i) {
    symbols.push_back(StrCat("graphc_", id, "_fusion_", i));
    absl::StatusOr<LoopKernelInfo> info = EmitLoopKernel(*fusions[i], *module, symbols.back());
    if (!info.ok()) return info.status();
  }
  if (absl::Status s = (*jit)->AddModule(std::move(module), std::move(context)); !s.ok()) return s;
  for (size_t i = 0; i < fusions.size(); ++i) {
    absl::StatusOr<void*> address = (*jit)->Lookup(symbols[i]);
    if (!address.ok()) return address.status();
    kernels[fusions[i]] = MakeKernel(*fusions[i], reinterpret_cast<LoopKernel>(*address));
  }
  if (stats != nullptr) stats->compiled_fusions += static_cast<int>(fusions.size());
  return kernels;
}

}  // namespace graphc::codegen
