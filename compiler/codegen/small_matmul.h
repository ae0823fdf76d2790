// Small matrix products emitted inline, where a call of the runtime's GEMM
// would cost more than the arithmetic (a linear regression step's 32x5
// times 5x1). The code computes what graphc_matmul_f32 computes for such
// shapes (runtime/kernel_abi.h, "Result bits"): each element of C is one
// FMA chain over p in increasing order, starting from +0.0 (k within one
// k block), so the bits are the runtime's (and the interpreter's). f64
// products stay calls: the runtime computes them on Eigen, in its order.
#pragma once

#include <cstdint>

#include "ir/dtype.h"
#include "llvm/IR/IRBuilder.h"

namespace graphc::codegen {

// Up to this many multiply-adds a product is emitted as straight-line code.
inline constexpr int64_t kSmallMatmulMacs = 1024;

// True if c[m, n] = op(a) * op(b) of this dtype is emitted inline.
bool IsSmallMatmul(ir::DType dtype, int64_t m, int64_t n, int64_t k);

// Emits the product at the builder's insertion point: `a`, `b` and `c`
// point to row-major f32 matrices (a is [m, k], or [k, m] when
// transpose_a; b is [k, n], or [n, k] when transpose_b; c is [m, n] and
// overlaps neither).
void EmitSmallMatmul(llvm::IRBuilder<>& b, llvm::Value* a, llvm::Value* bm, llvm::Value* c,
                     int64_t m, int64_t n, int64_t k, bool transpose_a, bool transpose_b);

}  // namespace graphc::codegen
