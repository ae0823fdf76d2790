// Element generators of the reduce family: reduce_* and sum_to_like,
// argmax / argmin, softmax / log_softmax. Each follows the interpreter's
// evaluator (compiler/interpreter/eval_reduce.cc, eval_grad_ops.cc,
// eval_linalg.cc) step for step, so results are its bits:
// - floats accumulate in double in row-major order of the operand and round
//   once; max/min propagate NaN (a + b) and order -0 below +0;
// - integers accumulate in i64 with wraparound and narrow at the end (a mean
//   divides the narrowed sum, toward zero; 0 over zero elements); max/min
//   start from the element type's extremes;
// - bools (reduce_any / reduce_all) or / and, from false / true.
#include <limits>

#include "compiler/codegen/element_kernel_emitter.h"
#include "compiler/dtype_dispatch.h"

namespace graphc::codegen::elements {
namespace {

// The interpreter's FMax / FMin on doubles: NaN wins (a + b), -0 < +0.
llvm::Value* MaxOrMin(llvm::IRBuilder<>& b, llvm::Value* a, llvm::Value* v, bool max) {
  llvm::Value* any_nan = b.CreateFCmpUNO(a, v);
  llvm::Value* sign_a = b.CreateICmpSLT(b.CreateBitCast(a, b.getInt64Ty()), b.getInt64(0));
  // Equal: max keeps the positive one (a unless a is negative), min the
  // negative one.
  llvm::Value* equal_pick = max ? b.CreateSelect(sign_a, v, a) : b.CreateSelect(sign_a, a, v);
  llvm::Value* ordered_pick =
      max ? b.CreateSelect(b.CreateFCmpOGT(a, v), a, v) : b.CreateSelect(b.CreateFCmpOLT(a, v), a, v);
  llvm::Value* pick = b.CreateSelect(b.CreateFCmpOEQ(a, v), equal_pick, ordered_pick);
  return b.CreateSelect(any_nan, b.CreateFAdd(a, v), pick);
}

// x's dims split by a mask from ReducedDims(op), in order: the reduced ones
// and the kept ones.
struct SplitDims {
  Dims reduced, kept;
};

SplitDims SplitReduceDims(const Dims& x_dims, const std::vector<bool>& reduced) {
  SplitDims split;
  for (size_t d = 0; d < x_dims.size(); ++d) (reduced[d] ? split.reduced : split.kept).push_back(x_dims[d]);
  return split;
}

// The element count a mean divides by, as a double: a constant when it is
// static (an exact conversion either way below 2^53 elements).
llvm::Value* CountAsDouble(llvm::IRBuilder<>& b, llvm::Value* count) {
  if (auto* c = llvm::dyn_cast<llvm::ConstantInt>(count)) {
    return llvm::ConstantFP::get(b.getDoubleTy(), static_cast<double>(c->getSExtValue()));
  }
  return b.CreateSIToFP(count, b.getDoubleTy());
}

}  // namespace

// A reduction at one result element: a loop over the reduced dims in
// row-major order, as the interpreter accumulates.
ir::Scalar ElementEmitter::Reduce(const ir::Op& op, const Index& index) {
  const Combine combine = *ReduceKind(op.name());
  const ir::Value* x = op.operand(0);
  const ir::Shape& xs = x->shape();
  const ir::DType dtype = x->dtype();
  const std::vector<bool> reduced = ReducedDims(op);
  // Kept dims come from the result index: with keepdims (and for
  // sum_to_like, whose result keeps x's rank or a suffix of it) a reduced
  // dim still occupies a result position.
  const bool same_rank = op.result(0)->shape().rank() == xs.rank();
  const int64_t dropped = xs.rank() - op.result(0)->shape().rank();  // sum_to_like's leading dims
  const SplitDims split = SplitReduceDims(DimsOf(x), reduced);
  const Dims& loop_dims = split.reduced;
  auto x_index = [&](const Index& inner) {
    Index xi(static_cast<size_t>(xs.rank()));
    size_t next_inner = 0, next_kept = 0;
    for (int64_t d = 0; d < xs.rank(); ++d) {
      if (reduced[static_cast<size_t>(d)]) {
        xi[static_cast<size_t>(d)] = inner[next_inner++];
      } else if (op.name() == "sum_to_like") {
        xi[static_cast<size_t>(d)] = index[static_cast<size_t>(d - dropped)];
      } else {
        xi[static_cast<size_t>(d)] = index[same_rank ? static_cast<size_t>(d) : next_kept++];
      }
    }
    return xi;
  };

  if (dtype == ir::DType::kBool) {  // reduce_any / reduce_all
    const bool all = combine == Combine::kAll;
    llvm::AllocaInst* acc = EntryAlloca(b_.getInt1Ty());
    b_.CreateStore(b_.getInt1(all), acc);
    ForIndices(loop_dims, [&](const Index& inner) {
      llvm::Value* a = b_.CreateLoad(b_.getInt1Ty(), acc);
      llvm::Value* v = LlvmScalarBuilder::Unwrap(At(x, x_index(inner)));
      b_.CreateStore(all ? b_.CreateAnd(a, v) : b_.CreateOr(a, v), acc);
    });
    return LlvmScalarBuilder::Wrap(b_.CreateLoad(b_.getInt1Ty(), acc), ir::DType::kBool);
  }

  if (ir::IsInteger(dtype)) {
    const auto [lowest, highest] = DispatchDType(dtype, [&]<typename T>() {
      return std::pair<int64_t, int64_t>{static_cast<int64_t>(std::numeric_limits<T>::lowest()),
                                         static_cast<int64_t>(std::numeric_limits<T>::max())};
    });
    const int64_t init = combine == Combine::kProd  ? 1
                         : combine == Combine::kMax ? lowest
                         : combine == Combine::kMin ? highest
                                                    : 0;
    llvm::AllocaInst* acc = EntryAlloca(b_.getInt64Ty());
    b_.CreateStore(b_.getInt64(init), acc);
    ForIndices(loop_dims, [&](const Index& inner) {
      llvm::Value* a = b_.CreateLoad(b_.getInt64Ty(), acc);
      llvm::Value* v = ToI64(At(x, x_index(inner)));
      llvm::Value* next = nullptr;
      switch (combine) {
        case Combine::kProd: next = b_.CreateMul(a, v); break;  // wraps
        case Combine::kMax: next = b_.CreateSelect(b_.CreateICmpSGT(v, a), v, a); break;
        case Combine::kMin: next = b_.CreateSelect(b_.CreateICmpSLT(v, a), v, a); break;
        default: next = b_.CreateAdd(a, v); break;  // sum, mean: wraps
      }
      b_.CreateStore(next, acc);
    });
    ir::Scalar result = FromI64(b_.CreateLoad(b_.getInt64Ty(), acc), op.result(0)->dtype());
    if (combine == Combine::kMean) {
      // The narrowed sum, widened again and divided toward zero (only a
      // constant count can be 0: a dynamic dim is at least 2).
      llvm::Value* count = Product(loop_dims);
      auto* constant = llvm::dyn_cast<llvm::ConstantInt>(count);
      llvm::Value* mean =
          constant != nullptr && constant->isZero() ? b_.getInt64(0) : b_.CreateSDiv(ToI64(result), count);
      result = FromI64(mean, op.result(0)->dtype());
    }
    return result;
  }

  const double inf = std::numeric_limits<double>::infinity();
  const double init = combine == Combine::kProd ? 1.0 : combine == Combine::kMax ? -inf
                      : combine == Combine::kMin ? inf : 0.0;
  llvm::AllocaInst* acc = EntryAlloca(b_.getDoubleTy());
  b_.CreateStore(llvm::ConstantFP::get(b_.getDoubleTy(), init), acc);
  ForIndices(loop_dims, [&](const Index& inner) {
    llvm::Value* a = b_.CreateLoad(b_.getDoubleTy(), acc);
    llvm::Value* v = ToDouble(At(x, x_index(inner)));
    llvm::Value* next = nullptr;
    switch (combine) {
      case Combine::kProd: next = b_.CreateFMul(a, v); break;
      case Combine::kMax: next = MaxOrMin(b_, a, v, true); break;
      case Combine::kMin: next = MaxOrMin(b_, a, v, false); break;
      default: next = b_.CreateFAdd(a, v); break;
    }
    b_.CreateStore(next, acc);
  });
  llvm::Value* result = b_.CreateLoad(b_.getDoubleTy(), acc);
  if (combine == Combine::kMean) result = b_.CreateFDiv(result, CountAsDouble(b_, Product(loop_dims)));
  return FromDouble(result, op.result(0)->dtype());
}

bool IsColumnReduction(const ir::Op& op) {
  const std::optional<Combine> kind = ReduceKind(op.name());
  if (!kind || (*kind != Combine::kSum && *kind != Combine::kMean)) return false;
  if (!ir::IsFloat(op.operand(0)->dtype())) return false;
  const std::vector<bool> reduced = ReducedDims(op);
  size_t leading = 0;
  while (leading < reduced.size() && reduced[leading]) ++leading;
  if (leading == 0 || leading == reduced.size()) return false;
  for (size_t d = leading; d < reduced.size(); ++d) {
    if (reduced[d]) return false;
  }
  return true;
}

// Reduce's loop runs one column's whole chain before the next, a serial
// dependence of one add per row. Here the columns of a chunk accumulate
// side by side instead: for each row, in the same row order, one add per
// column into a per-column double, so the loop over columns vectorizes and
// every column's sum is the same sequence of adds (the same bits).
void ElementEmitter::ColumnReduce(const ir::Op& op, llvm::Value* out, llvm::Value* begin, llvm::Value* end) {
  const ir::Value* x = op.operand(0);
  const SplitDims split = SplitReduceDims(DimsOf(x), ReducedDims(op));
  const Dims& row_dims = split.reduced;
  const Dims& column_dims = split.kept;
  const bool mean = *ReduceKind(op.name()) == Combine::kMean;
  // The mean's divisor, computed before the loops so it dominates them.
  llvm::Value* count = mean ? CountAsDouble(b_, Product(row_dims)) : nullptr;
  // Columns per chunk: the accumulators of a chunk stay in L1.
  constexpr int64_t kChunk = 256;
  llvm::Type* f64 = b_.getDoubleTy();
  llvm::Type* chunk_type = llvm::ArrayType::get(f64, kChunk);
  llvm::AllocaInst* acc = EntryAlloca(chunk_type);
  auto acc_at = [&](llvm::Value* j) { return b_.CreateInBoundsGEP(chunk_type, acc, {b_.getInt64(0), j}); };
  ForStep(begin, end, kChunk, [&](llvm::Value* j0) {
    llvm::Value* left = b_.CreateSub(end, j0);
    llvm::Value* width = b_.CreateSelect(b_.CreateICmpSLT(left, b_.getInt64(kChunk)), left, b_.getInt64(kChunk));
    ForStep(b_.getInt64(0), width, 1, [&](llvm::Value* j) {
      b_.CreateStore(llvm::ConstantFP::get(f64, 0.0), acc_at(j));
    });
    ForIndices(row_dims, [&](const Index& row) {
      ForStep(b_.getInt64(0), width, 1, [&](llvm::Value* j) {
        llvm::Value* column = b_.CreateAdd(j0, j);
        Index xi = row;
        // One kept dim (the common case) is the column itself: no division.
        const Index kept = column_dims.size() == 1 ? Index{column} : Delinear(column, column_dims);
        xi.insert(xi.end(), kept.begin(), kept.end());
        llvm::Value* sum = b_.CreateFAdd(b_.CreateLoad(f64, acc_at(j)), ToDouble(At(x, xi)));
        b_.CreateStore(sum, acc_at(j));
      });
    });
    ForStep(b_.getInt64(0), width, 1, [&](llvm::Value* j) {
      llvm::Value* result = b_.CreateLoad(f64, acc_at(j));
      if (mean) result = b_.CreateFDiv(result, count);
      Store(out, FromDouble(result, op.result(0)->dtype()), b_.CreateAdd(j0, j));
    });
  });
}

// argmax / argmin at one result element: the first extreme along `axis`,
// compared in the element type; a NaN wins and ends the search (NumPy).
ir::Scalar ElementEmitter::ArgReduce(const ir::Op& op, const Index& index) {
  const bool max = op.name() == "argmax";
  const ir::Value* x = op.operand(0);
  const ir::DType dtype = x->dtype();
  const bool is_float = ir::IsFloat(dtype);
  int64_t axis = op.attr<int64_t>("axis");
  if (axis < 0) axis += x->shape().rank();
  llvm::Value* len = DimOf(x, axis);  // > 0: inference rejects an empty axis
  auto x_index = [&](llvm::Value* j) {
    Index xi = index;
    xi.insert(xi.begin() + axis, j);
    return xi;
  };
  llvm::Type* type = RegisterType(b_.getContext(), dtype);
  llvm::AllocaInst* best = EntryAlloca(b_.getInt64Ty());
  llvm::AllocaInst* best_v = EntryAlloca(type);
  b_.CreateStore(b_.getInt64(0), best);
  b_.CreateStore(LlvmScalarBuilder::Unwrap(At(x, x_index(b_.getInt64(0)))), best_v);
  ForRange(b_.CreateSub(len, b_.getInt64(1)), [&](llvm::Value* i) {
    llvm::Value* j = b_.CreateAdd(i, b_.getInt64(1));
    llvm::Value* v = LlvmScalarBuilder::Unwrap(At(x, x_index(j)));
    llvm::Value* bv = b_.CreateLoad(type, best_v);
    llvm::Value* take = nullptr;
    if (is_float) {
      llvm::Value* better = b_.CreateOr(b_.CreateFCmpUNO(v, v), max ? b_.CreateFCmpOGT(v, bv) : b_.CreateFCmpOLT(v, bv));
      take = b_.CreateAnd(b_.CreateFCmpORD(bv, bv), better);  // after a NaN nothing changes
    } else {
      take = max ? b_.CreateICmpSGT(v, bv) : b_.CreateICmpSLT(v, bv);
    }
    b_.CreateStore(b_.CreateSelect(take, j, b_.CreateLoad(b_.getInt64Ty(), best)), best);
    b_.CreateStore(b_.CreateSelect(take, v, bv), best_v);
  });
  return FromI64(b_.CreateLoad(b_.getInt64Ty(), best), op.result(0)->dtype());
}

// A softmax row statistic, in double, at `row` (an index into x's shape
// with the axis at 0): part 0 the max (std::max, which skips a NaN after
// the first element, as the interpreter), part 1 the sum of exp(x - max),
// or for log_softmax its log (taken once per row, not per element: it was
// a third of a small MLP step's log_softmax).
llvm::Value* ElementEmitter::SoftmaxStat(const ir::Op& op, int part, const Index& row) {
  if (llvm::Value* buffer = StageBuffer(op, part == 0 ? StageKind::kSoftmaxMax : StageKind::kSoftmaxSum)) {
    const Dims stats = DimsOf(op.operand(0), SoftmaxAxis(op));
    return LlvmScalarBuilder::Unwrap(Load(buffer, ir::DType::kF64, Linear(row, stats)));
  }
  const ir::Value* x = op.operand(0);
  const int64_t axis = SoftmaxAxis(op);
  auto at = [&](llvm::Value* j) {
    Index xi = row;
    xi[static_cast<size_t>(axis)] = j;
    return ToDouble(At(x, xi));
  };
  llvm::Value* max = part == 1 ? SoftmaxStat(op, 0, row) : nullptr;
  llvm::AllocaInst* acc = EntryAlloca(b_.getDoubleTy());
  b_.CreateStore(part == 0 ? llvm::ConstantFP::getInfinity(b_.getDoubleTy(), /*Negative=*/true)
                           : llvm::ConstantFP::get(b_.getDoubleTy(), 0.0),
                 acc);
  ForRange(DimOf(x, axis), [&](llvm::Value* j) {
    llvm::Value* a = b_.CreateLoad(b_.getDoubleTy(), acc);
    llvm::Value* v = at(j);
    b_.CreateStore(part == 0 ? b_.CreateSelect(b_.CreateFCmpOLT(a, v), v, a)
                             : b_.CreateFAdd(a, CallDouble("exp", b_.CreateFSub(v, max))),
                   acc);
  });
  llvm::Value* stat = b_.CreateLoad(b_.getDoubleTy(), acc);
  return part == 1 && op.name() == "log_softmax" ? CallDouble("log", stat) : stat;
}

// softmax / log_softmax at one element, as the interpreter computes them
// in double from the row's max and sum.
ir::Scalar ElementEmitter::Softmax(const ir::Op& op, const Index& index) {
  Index row = index;
  row[static_cast<size_t>(SoftmaxAxis(op))] = b_.getInt64(0);
  llvm::Value* max = SoftmaxStat(op, 0, row);
  llvm::Value* total = SoftmaxStat(op, 1, row);  // log_softmax: its log
  llvm::Value* z = b_.CreateFSub(ToDouble(At(op.operand(0), index)), max);
  llvm::Value* result = op.name() == "log_softmax" ? b_.CreateFSub(z, total)
                                                   : b_.CreateFDiv(CallDouble("exp", z), total);
  return FromDouble(result, op.result(0)->dtype());
}

}  // namespace graphc::codegen::elements
