#include "compiler/codegen/dim_table.h"

#include <algorithm>

#include "ir/str_cat.h"

namespace graphc::codegen {

AffineDim AffineDim::Symbol(int index) {
  AffineDim a;
  a.coefs.assign(static_cast<size_t>(index) + 1, 0);
  a.coefs.back() = 1;
  return a;
}

bool AffineDim::is_constant() const {
  return std::all_of(coefs.begin(), coefs.end(), [](int64_t c) { return c == 0; });
}

int64_t AffineDim::Evaluate(std::span<const int64_t> symbols) const {
  int64_t v = constant;
  for (size_t i = 0; i < coefs.size() && i < symbols.size(); ++i) v += coefs[i] * symbols[i];
  return v;
}

std::string AffineDim::ToString() const {
  std::string s;
  for (size_t i = 0; i < coefs.size(); ++i) {
    if (coefs[i] == 0) continue;
    if (!s.empty()) s += coefs[i] < 0 ? " - " : " + ";
    else if (coefs[i] < 0) s += "-";
    const int64_t mag = coefs[i] < 0 ? -coefs[i] : coefs[i];
    s += mag == 1 ? StrCat("s", i) : StrCat(mag, "*s", i);
  }
  if (s.empty()) return StrCat(constant);
  if (constant != 0) s += constant < 0 ? StrCat(" - ", -constant) : StrCat(" + ", constant);
  return s;
}

AffineDim operator+(const AffineDim& a, const AffineDim& b) {
  AffineDim r;
  r.constant = a.constant + b.constant;
  r.coefs.assign(std::max(a.coefs.size(), b.coefs.size()), 0);
  for (size_t i = 0; i < r.coefs.size(); ++i) r.coefs[i] = a.coef(static_cast<int>(i)) + b.coef(static_cast<int>(i));
  return r;
}

AffineDim operator*(const AffineDim& a, int64_t k) {
  AffineDim r = a;
  r.constant *= k;
  for (int64_t& c : r.coefs) c *= k;
  return r;
}

bool operator==(const AffineDim& a, const AffineDim& b) {
  if (a.constant != b.constant) return false;
  for (size_t i = 0; i < std::max(a.coefs.size(), b.coefs.size()); ++i) {
    if (a.coef(static_cast<int>(i)) != b.coef(static_cast<int>(i))) return false;
  }
  return true;
}

AffineDim UpperBound(const AffineDim& a, const AffineDim& b) {
  AffineDim r;
  r.constant = std::max(a.constant, b.constant);
  r.coefs.assign(std::max(a.coefs.size(), b.coefs.size()), 0);
  for (size_t i = 0; i < r.coefs.size(); ++i) {
    r.coefs[i] = std::max(a.coef(static_cast<int>(i)), b.coef(static_cast<int>(i)));
  }
  return r;
}

namespace {
// The smallest multiple of `align` at least v (v may be negative).
int64_t RoundUpTo(int64_t v, int64_t align) {
  const int64_t q = v >= 0 ? (v + align - 1) / align : -((-v) / align);
  return q * align;
}
}  // namespace

AffineDim RoundUpTerms(const AffineDim& a, int64_t align) {
  AffineDim r = a;
  r.constant = RoundUpTo(r.constant, align);
  for (int64_t& c : r.coefs) c = RoundUpTo(c, align);
  return r;
}

// ---- DimTable ----

void DimTable::Set(const ir::Value* v, std::vector<AffineDim> dims, AffineDim elements) {
  dims_[v] = Entry{std::move(dims), std::move(elements)};
}

AffineDim DimTable::Dim(const ir::Value* v, int64_t d) const {
  if (auto it = dims_.find(v); it != dims_.end()) return it->second.dims[static_cast<size_t>(d)];
  return AffineDim::Constant(v->shape().dim(d));
}

std::vector<AffineDim> DimTable::Dims(const ir::Value* v) const {
  if (auto it = dims_.find(v); it != dims_.end()) return it->second.dims;
  std::vector<AffineDim> dims;
  for (int64_t d : v->shape().dims()) dims.push_back(AffineDim::Constant(d));
  return dims;
}

AffineDim DimTable::NumElements(const ir::Value* v) const {
  if (auto it = dims_.find(v); it != dims_.end()) return it->second.elements;
  return AffineDim::Constant(*v->shape().num_elements());
}

bool DimTable::SameShape(const ir::Value* a, const ir::Value* b) const {
  return a->shape().rank() == b->shape().rank() && Dims(a) == Dims(b);
}

bool SameShape(const DimTable* dims, const ir::Value* a, const ir::Value* b) {
  return dims != nullptr ? dims->SameShape(a, b) : a->shape() == b->shape();
}

// ---- DimEmitter ----

DimEmitter::DimEmitter(llvm::IRBuilder<>& b, const DimTable* table, llvm::Value* symbols)
    : table_(table != nullptr && !table->empty() ? table : nullptr) {
  if (table_ == nullptr) return;
  for (int i = 0; i < table_->num_symbols(); ++i) {
    symbols_.push_back(b.CreateLoad(b.getInt64Ty(), b.CreateConstInBoundsGEP1_64(b.getInt64Ty(), symbols, i),
                                    StrCat("s", i)));
  }
}

llvm::Value* DimEmitter::Emit(llvm::IRBuilder<>& b, const AffineDim& a) const {
  llvm::Value* v = b.getInt64(static_cast<uint64_t>(a.constant));
  for (size_t i = 0; i < a.coefs.size(); ++i) {
    if (a.coefs[i] == 0) continue;
    llvm::Value* term = a.coefs[i] == 1 ? symbols_.at(i) : b.CreateMul(symbols_.at(i), b.getInt64(static_cast<uint64_t>(a.coefs[i])));
    v = a.constant == 0 && v == b.getInt64(0) ? term : b.CreateAdd(v, term);
  }
  return v;
}

AffineDim DimEmitter::AffineDimOf(const ir::Value* v, int64_t d) const {
  return table_ == nullptr ? AffineDim::Constant(v->shape().dim(d)) : table_->Dim(v, d);
}

AffineDim DimEmitter::AffineElements(const ir::Value* v) const {
  return table_ == nullptr ? AffineDim::Constant(*v->shape().num_elements()) : table_->NumElements(v);
}

llvm::Value* DimEmitter::Dim(llvm::IRBuilder<>& b, const ir::Value* v, int64_t d) const {
  return Emit(b, AffineDimOf(v, d));
}

std::vector<llvm::Value*> DimEmitter::Dims(llvm::IRBuilder<>& b, const ir::Value* v) const {
  std::vector<llvm::Value*> dims;
  for (int64_t d = 0; d < v->shape().rank(); ++d) dims.push_back(Dim(b, v, d));
  return dims;
}


}  // namespace graphc::codegen
