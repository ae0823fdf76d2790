#include "compiler/codegen/matmul_fusion.h"

#include <optional>

#include "ir/module.h"
#include "ir/op_registry.h"

namespace graphc::codegen {
namespace {

bool IsGemmDType(ir::DType dtype) { return dtype == ir::DType::kF32 || dtype == ir::DType::kF64; }

// Where `v` comes from if the kernel reads it as a tensor: a region
// argument or a constant; nullopt for values computed in the body.
std::optional<MatmulSource> SourceOf(const ir::Region& region, const ir::Value* v) {
  for (int i = 0; i < region.num_arguments(); ++i) {
    if (region.argument(i) == v) return MatmulSource{MatmulSource::Kind::kOperand, i, {}};
  }
  const ir::Op* def = v->defining_op();
  if (def != nullptr && def->name() == "constant" && def->parent() == &region) {
    return MatmulSource{MatmulSource::Kind::kConstant, 0,
                        HostTensor::FromDense(def->attr<ir::DenseElements>("value"))};
  }
  return std::nullopt;
}

}  // namespace

std::optional<MatmulFusion> AnalyzeMatmulFusion(const ir::Op& fusion, const DimTable* dims) {
  if (fusion.name() != "fusion" || fusion.attr<std::string>("kind") != "matmul") return std::nullopt;
  const ir::Region& region = fusion.region(0);
  MatmulFusion plan;
  for (const auto& op : region.ops()) {
    if (op->name() != "matmul") continue;
    if (plan.matmul != nullptr) return std::nullopt;  // two products
    plan.matmul = op.get();
  }
  if (plan.matmul == nullptr) return std::nullopt;
  const ir::Value* product = plan.matmul->result(0);
  std::optional<MatmulSource> a = SourceOf(region, plan.matmul->operand(0));
  std::optional<MatmulSource> b = SourceOf(region, plan.matmul->operand(1));
  if (!a || !b) return std::nullopt;
  plan.a = std::move(*a);
  plan.b = std::move(*b);
  if (!IsGemmDType(product->dtype()) || product->shape().rank() != 2 ||
      plan.matmul->operand(0)->shape().rank() != 2 || plan.matmul->operand(1)->shape().rank() != 2) {
    return std::nullopt;
  }
  // The epilogue iterates over the product's elements, so every result must
  // have the product's shape.
  for (int r = 0; r < fusion.num_results(); ++r) {
    if (!SameShape(dims, fusion.result(r), product)) return std::nullopt;
  }
  plan.epilogue.shape_value = product;
  plan.epilogue.inputs.push_back(product);
  plan.epilogue_sources.push_back(MatmulSource{MatmulSource::Kind::kProduct, 0, {}});
  // Region arguments and non-splat constants the epilogue reads become loop
  // inputs; splat constants are built in the loop.
  auto add_input = [&](const ir::Value* v) {
    if (v->defining_op() != nullptr && IsPerElementOp(*v->defining_op(), 2)) return;
    std::optional<MatmulSource> source = SourceOf(region, v);
    if (!source) return;
    for (const ir::Value* in : plan.epilogue.inputs) {
      if (in == v) return;
    }
    plan.epilogue.inputs.push_back(v);
    plan.epilogue_sources.push_back(std::move(*source));
  };
  for (const auto& op : region.ops()) {
    if (op.get() == plan.matmul) continue;
    // Constants the loop cannot build per element are inputs instead.
    if (op->name() == "constant" && !IsPerElementOp(*op, 2)) continue;
    if (op->def().is_terminator) {
      for (const ir::Value* v : op->operands()) {
        add_input(v);
        plan.epilogue.outputs.push_back(v);
      }
      continue;
    }
    if (!IsPerElementOp(*op, 2)) return std::nullopt;
    for (const ir::Value* v : op->operands()) add_input(v);
    plan.epilogue.ops.push_back(op.get());
  }
  for (const ir::Value* v : plan.epilogue.inputs) {
    if (v->shape().rank() > 2) return std::nullopt;
  }
  return plan;
}

}  // namespace graphc::codegen
