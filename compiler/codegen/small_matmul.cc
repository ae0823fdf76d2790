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

namespace {

// Reads strided runs of a row-major f32 matrix of `size` elements as
// vectors: a unit-stride run is one vector load; any other is picked out
// of the whole matrix, loaded once as one vector, by a shuffle (LLVM
// lowers it to register permutes).
class MatrixVectors {
 public:
  MatrixVectors(llvm::IRBuilder<>& b, llvm::Value* base, int64_t size) : b_(b), base_(base), size_(size) {}

  // Elements start, start + stride, ... (count of them).
  llvm::Value* Run(int64_t start, int64_t stride, int64_t count) {
    llvm::Type* t = b_.getFloatTy();
    if (stride == 1 || count == 1) {
      return b_.CreateAlignedLoad(llvm::FixedVectorType::get(t, static_cast<unsigned>(count)),
                                  b_.CreateConstInBoundsGEP1_64(t, base_, start), llvm::Align(4));
    }
    if (whole_ == nullptr) {
      whole_ = b_.CreateAlignedLoad(llvm::FixedVectorType::get(t, static_cast<unsigned>(size_)), base_,
                                    llvm::Align(4));
    }
    std::vector<int> mask;
    for (int64_t q = 0; q < count; ++q) mask.push_back(static_cast<int>(start + q * stride));
    return b_.CreateShuffleVector(whole_, mask);
  }

  // One element, as a scalar.
  llvm::Value* At(int64_t index) {
    llvm::Type* t = b_.getFloatTy();
    return b_.CreateLoad(t, b_.CreateConstInBoundsGEP1_64(t, base_, index));
  }

 private:
  llvm::IRBuilder<>& b_;
  llvm::Value* base_;
  int64_t size_;
  llvm::Value* whole_ = nullptr;
};

}  // namespace

// The chains run side by side in vector lanes: along the rows of c (one
// vector per column of c, each lane a row's chain) or along its columns
// (one vector per row), whichever is longer. Each lane computes exactly
// the scalar chain fma(op(a)[i, p], op(b)[p, j], acc) over p from +0.0
// (the two factors of an fma commute exactly), so the bits are the
// runtime's. Lanes beat straight-line scalar code: a 32x5 times 5x1 step
// went from 160 scalar FMAs to 10 vector ones.
void EmitSmallMatmul(llvm::IRBuilder<>& b, llvm::Value* a, llvm::Value* bm, llvm::Value* c,
                     int64_t m, int64_t n, int64_t k, bool transpose_a, bool transpose_b) {
  llvm::Type* t = b.getFloatTy();
  MatrixVectors av(b, a, m * k), bv(b, bm, k * n);
  // op(a)[i, p] and op(b)[p, j] as offsets into a and b.
  auto a_at = [&](int64_t i, int64_t p) { return transpose_a ? p * m + i : i * k + p; };
  auto b_at = [&](int64_t p, int64_t j) { return transpose_b ? j * k + p : p * n + j; };
  auto fma = [&](llvm::Value* x, llvm::Value* y, llvm::Value* acc) {
    return b.CreateIntrinsic(llvm::Intrinsic::fma, {acc->getType()}, {x, y, acc});
  };
  if (m >= n) {
    // Lanes are rows: column j of c from columns p of op(a).
    auto* vec = llvm::FixedVectorType::get(t, static_cast<unsigned>(m));
    for (int64_t j = 0; j < n; ++j) {
      llvm::Value* acc = llvm::ConstantFP::get(vec, 0.0);
      for (int64_t p = 0; p < k; ++p) {
        llvm::Value* column = av.Run(a_at(0, p), transpose_a ? 1 : k, m);
        acc = fma(column, b.CreateVectorSplat(static_cast<unsigned>(m), bv.At(b_at(p, j))), acc);
      }
      if (n == 1) {
        b.CreateAlignedStore(acc, c, llvm::Align(4));
      } else {
        for (int64_t i = 0; i < m; ++i) {
          b.CreateStore(b.CreateExtractElement(acc, static_cast<uint64_t>(i)),
                        b.CreateConstInBoundsGEP1_64(t, c, i * n + j));
        }
      }
    }
    return;
  }
  // Lanes are columns: row i of c from rows p of op(b).
  auto* vec = llvm::FixedVectorType::get(t, static_cast<unsigned>(n));
  for (int64_t i = 0; i < m; ++i) {
    llvm::Value* acc = llvm::ConstantFP::get(vec, 0.0);
    for (int64_t p = 0; p < k; ++p) {
      llvm::Value* row = bv.Run(b_at(p, 0), transpose_b ? k : 1, n);
      acc = fma(b.CreateVectorSplat(static_cast<unsigned>(n), av.At(a_at(i, p))), row, acc);
    }
    b.CreateAlignedStore(acc, b.CreateConstInBoundsGEP1_64(t, c, i * n), llvm::Align(4));
  }
}

}  // namespace graphc::codegen
