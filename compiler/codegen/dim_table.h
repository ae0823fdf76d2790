// Run-time dims: how one compiled executable serves every batch size.
//
// A function traced with `?` dims (TensorSpec({-1, 784})) is compiled once
// for a family of shapes instead of once per shape. Each `?` dim of the
// parameters becomes a symbol whose value the caller passes at run time
// (graphc_call_frame::dims); every dim of every value in the compiled
// function is an affine function of the symbols, c + sum_i a_i * s_i
// (shape_family.h finds them). A DimTable holds those functions for the
// values whose dims vary; values it does not list have the static dims of
// their type. Codegen reads dims only through a DimEmitter, which folds
// static dims to constants: a function without symbols compiles to the
// same code as before.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "ir/value.h"
#include "llvm/IR/IRBuilder.h"

namespace graphc::codegen {

// constant + sum over i of coefs[i] * symbol i (missing coefs are 0).
struct AffineDim {
  int64_t constant = 0;
  std::vector<int64_t> coefs;

  static AffineDim Constant(int64_t c) { return AffineDim{c, {}}; }
  static AffineDim Symbol(int index);
  bool is_constant() const;
  int64_t coef(int i) const { return i < static_cast<int>(coefs.size()) ? coefs[static_cast<size_t>(i)] : 0; }
  int64_t Evaluate(std::span<const int64_t> symbols) const;
  std::string ToString() const;  // "784*s0 + 10", "s1 - 1", "7"

  friend AffineDim operator+(const AffineDim& a, const AffineDim& b);
  friend AffineDim operator*(const AffineDim& a, int64_t k);
  friend bool operator==(const AffineDim& a, const AffineDim& b);
};
// The componentwise max: at least a and at least b for all symbols >= 0.
AffineDim UpperBound(const AffineDim& a, const AffineDim& b);
// Every term rounded up to a multiple of `align`: a multiple of it for all
// symbols, and at least RoundUp(a) for all symbols >= 0.
AffineDim RoundUpTerms(const AffineDim& a, int64_t align);

class DimTable {
 public:
  DimTable() = default;
  explicit DimTable(int num_symbols) : num_symbols_(num_symbols) {}

  int num_symbols() const { return num_symbols_; }
  bool empty() const { return dims_.empty(); }

  // Records v's dims (one per dim of its rank) and number of elements.
  void Set(const ir::Value* v, std::vector<AffineDim> dims, AffineDim elements);
  // True if some dim of v varies at run time.
  bool IsDynamic(const ir::Value* v) const { return dims_.contains(v); }
  AffineDim Dim(const ir::Value* v, int64_t d) const;
  std::vector<AffineDim> Dims(const ir::Value* v) const;
  AffineDim NumElements(const ir::Value* v) const;
  // True if a and b have the same dims for every value of the symbols.
  bool SameShape(const ir::Value* a, const ir::Value* b) const;

 private:
  struct Entry {
    std::vector<AffineDim> dims;
    AffineDim elements;
  };
  int num_symbols_ = 0;
  absl::flat_hash_map<const ir::Value*, Entry> dims_;
};

// a and b have the same shape at every size: by `dims` when given, else
// their static shapes.
bool SameShape(const DimTable* dims, const ir::Value* a, const ir::Value* b);

// Emits dims as i64 values at a builder's insertion point. `symbols` is an
// i64 array holding the symbols' values (a kernel's `dims` argument, the
// entry's frame->dims); it is loaded once, where the emitter is made (the
// entry block of the function being emitted), so loops do not reload it.
// With no table (or an empty one) everything is constant.
class DimEmitter {
 public:
  DimEmitter() = default;
  DimEmitter(llvm::IRBuilder<>& b, const DimTable* table, llvm::Value* symbols);

  llvm::Value* Emit(llvm::IRBuilder<>& b, const AffineDim& a) const;
  llvm::Value* Dim(llvm::IRBuilder<>& b, const ir::Value* v, int64_t d) const;
  std::vector<llvm::Value*> Dims(llvm::IRBuilder<>& b, const ir::Value* v) const;

  AffineDim AffineDimOf(const ir::Value* v, int64_t d) const;
  AffineDim AffineElements(const ir::Value* v) const;

 private:
  const DimTable* table_ = nullptr;
  std::vector<llvm::Value*> symbols_;  // loaded i64 values
};

}  // namespace graphc::codegen
