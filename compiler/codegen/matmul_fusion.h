// Codegen for `fusion` ops of kind "matmul": the product runs in the
// runtime's GEMM (graphc_matmul_f32/f64 of runtime/kernel_abi.h, on Eigen),
// then one generated elementwise loop applies the epilogue (bias, relu,
// scaling: every op after the product) reading the product's buffer.
//
// Supported: one rank-2 f32/f64 matmul whose operands are fusion inputs or
// constants (fusion copies small weights in), and an epilogue of
// per-element ops whose results all have the product's shape. Other matmul
// fusions (batched, integer) stay on the interpreter.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/codegen/loop_emitter.h"
#include "compiler/host_tensor.h"
#include "ir/op.h"

namespace graphc::codegen {

// Where a tensor the kernel reads comes from: a fusion operand, a constant
// in the body (its value held here), or the product.
struct MatmulSource {
  enum class Kind { kOperand, kConstant, kProduct } kind = Kind::kOperand;
  int operand = 0;
  HostTensor constant;
};

struct MatmulFusion {
  const ir::Op* matmul = nullptr;
  MatmulSource a, b;
  // The epilogue loop; its input k comes from epilogue_sources[k].
  ElementwiseLoop epilogue;
  std::vector<MatmulSource> epilogue_sources;
};

// The plan for `fusion`, or nullopt if codegen does not support it.
std::optional<MatmulFusion> AnalyzeMatmulFusion(const ir::Op& fusion, const DimTable* dims = nullptr);

}  // namespace graphc::codegen
