#include "compiler/codegen/small_matmul.h"

#include <vector>

#include "llvm/IR/Intrinsics.h"
#include "runtime/matmul_chain.h"

namespace graphc::codegen {

bool IsSmallMatmul(ir::DType dtype, int64_t m, int64_t n, int64_t k) {
  // One k block, so no block sums to add.
  return dtype == ir::DType::kF32 && m > 0 && n > 0 && k > 0 && k <= runtime::kMatmulKBlockMax &&
         m * n * k <= kSmallMatmulMacs;
}

void EmitSmallMatmul(llvm::IRBuilder<>& b, llvm::Value* a, llvm::Value* bm, llvm::Value* c,
                     int64_t m, int64_t n, int64_t k, bool transpose_a, bool transpose_b) {
  llvm::Type* t = b.getFloatTy();
  auto load = [&](llvm::Value* base, int64_t index) {
    return b.CreateLoad(t, b.CreateConstInBoundsGEP1_64(t, base, index));
  };
  // Each operand element is loaded once; the chains then run in registers.
  std::vector<llvm::Value*> av(static_cast<size_t>(m * k)), bv(static_cast<size_t>(k * n));
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t p = 0; p < k; ++p) av[static_cast<size_t>(i * k + p)] = load(a, transpose_a ? p * m + i : i * k + p);
  }
  for (int64_t p = 0; p < k; ++p) {
    for (int64_t j = 0; j < n; ++j) bv[static_cast<size_t>(p * n + j)] = load(bm, transpose_b ? j * k + p : p * n + j);
  }
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      llvm::Value* acc = llvm::ConstantFP::get(t, 0.0);
      for (int64_t p = 0; p < k; ++p) {
        acc = b.CreateIntrinsic(llvm::Intrinsic::fma, {t},
                                {av[static_cast<size_t>(i * k + p)], bv[static_cast<size_t>(p * n + j)], acc});
      }
      b.CreateStore(acc, b.CreateConstInBoundsGEP1_64(t, c, i * n + j));
    }
  }
}

}  // namespace graphc::codegen
