// Evaluators of the reduce family. Floats accumulate in double and round
// once at the end: the oracle is at least as accurate as any compiled
// reduction, whose summation order may differ.
#include <cmath>
#include <limits>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"

#include "compiler/convert.h"
#include "compiler/dtype_dispatch.h"
#include "compiler/interpreter/eval_context.h"
#include "ir/str_cat.h"

namespace graphc::interp {
namespace {

Outputs One(HostTensor t) { return std::vector<HostTensor>{std::move(t)}; }

// For each input element, the flat offset of the output element it reduces
// into; also the number of input elements per output element.
struct ReductionMap {
  std::vector<int64_t> out_offset;
  int64_t count = 1;
};

std::vector<bool> ReducedAxes(const std::vector<int64_t>& axes, int64_t rank) {
  std::vector<bool> reduced(static_cast<size_t>(rank), axes.empty());
  for (int64_t a : axes) reduced[static_cast<size_t>(a < 0 ? a + rank : a)] = true;
  return reduced;
}

ReductionMap MapReduction(const ir::Shape& in, const std::vector<bool>& reduced) {
  ReductionMap map;
  // Output strides over the kept dims (reduced dims contribute nothing).
  std::vector<int64_t> strides(static_cast<size_t>(in.rank()), 0);
  int64_t s = 1;
  for (int64_t d = in.rank() - 1; d >= 0; --d) {
    if (reduced[static_cast<size_t>(d)]) {
      map.count *= in.dim(d);
    } else {
      strides[static_cast<size_t>(d)] = s;
      s *= in.dim(d);
    }
  }
  const int64_t n = in.num_elements().value_or(0);
  map.out_offset.resize(static_cast<size_t>(n));
  std::vector<int64_t> index(static_cast<size_t>(in.rank()), 0);
  for (int64_t flat = 0; flat < n; ++flat) {
    int64_t off = 0;
    for (size_t d = 0; d < index.size(); ++d) off += index[d] * strides[d];
    map.out_offset[static_cast<size_t>(flat)] = off;
    NextIndex(index, in);
  }
  return map;
}

enum class Combine { kSum, kMean, kProd, kMax, kMin, kAny, kAll };

double FMax(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return a + b;
  if (a == b) return std::signbit(a) ? b : a;
  return a > b ? a : b;
}
double FMin(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return a + b;
  if (a == b) return std::signbit(a) ? a : b;
  return a < b ? a : b;
}

template <Combine kCombine>
Outputs Reduce(const EvalContext& ctx) {
  const HostTensor& in = ctx.operand(0);
  HostTensor out = ctx.NewResult();
  const ReductionMap map =
      MapReduction(in.shape(), ReducedAxes(ctx.attr<std::vector<int64_t>>("axes"), in.shape().rank()));
  const auto n_out = static_cast<size_t>(out.size());
  if (ir::IsInteger(in.dtype())) {
    // Integers: exact, wrapping 64-bit accumulation, narrowed at the end
    // (the low bits of a wrapped sum or product do not depend on when the
    // wrapping happens). Max/min start from the element type's own extremes,
    // which is what an empty reduction returns.
    const auto [lowest, highest] = DispatchDType(in.dtype(), [&]<typename T>() {
      return std::pair<int64_t, int64_t>{std::numeric_limits<T>::lowest(),
                                         std::numeric_limits<T>::max()};
    });
    const int64_t init = kCombine == Combine::kProd  ? 1
                         : kCombine == Combine::kMax ? lowest
                         : kCombine == Combine::kMin ? highest
                                                     : 0;
    std::vector<int64_t> acc(n_out, init);
    for (int64_t i = 0; i < in.size(); ++i) {
      int64_t& a = acc[static_cast<size_t>(map.out_offset[static_cast<size_t>(i)])];
      const int64_t v = in.GetInt(i);
      switch (kCombine) {
        case Combine::kSum:
        case Combine::kMean: a = static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(v)); break;
        case Combine::kProd: a = static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(v)); break;
        case Combine::kMax: a = std::max(a, v); break;
        case Combine::kMin: a = std::min(a, v); break;
        default: break;
      }
    }
    DispatchDType(out.dtype(), [&]<typename T>() {
      for (size_t o = 0; o < n_out; ++o) {
        // Narrow with wraparound like the element type's own arithmetic. A
        // mean divides the sum as wrapped in the element type (docs: "the sum
        // wraps"), rounding toward zero; over zero elements it is 0.
        const T v = ConvertNumber<T>(acc[o]);
        out.mutable_data_as<T>()[o] =
            kCombine != Combine::kMean ? v
            : map.count == 0           ? T{0}
                                       : static_cast<T>(static_cast<int64_t>(v) / map.count);
      }
    });
    return One(std::move(out));
  }
  const double inf = std::numeric_limits<double>::infinity();
  const double init = kCombine == Combine::kProd || kCombine == Combine::kAll ? 1.0
                      : kCombine == Combine::kMax ? -inf : kCombine == Combine::kMin ? inf : 0.0;
  std::vector<double> acc(n_out, init);
  for (int64_t i = 0; i < in.size(); ++i) {
    double& a = acc[static_cast<size_t>(map.out_offset[static_cast<size_t>(i)])];
    const double v = in.GetDouble(i);
    switch (kCombine) {
      case Combine::kSum:
      case Combine::kMean: a += v; break;
      case Combine::kProd: a *= v; break;
      case Combine::kMax: a = FMax(a, v); break;
      case Combine::kMin: a = FMin(a, v); break;
      case Combine::kAny: a = (a != 0 || v != 0) ? 1 : 0; break;
      case Combine::kAll: a = (a != 0 && v != 0) ? 1 : 0; break;
    }
  }
  for (size_t o = 0; o < n_out; ++o) {
    double v = acc[o];
    if (kCombine == Combine::kMean) v /= static_cast<double>(map.count);
    out.SetDouble(static_cast<int64_t>(o), v);
  }
  return One(std::move(out));
}

// Index of the first maximum (argmax) or minimum along `axis`; NaN wins, as
// in NumPy. Compares in the element type: i64 values above 2^53 that round
// to the same double still differ.
template <bool kMax>
Outputs ArgReduce(const EvalContext& ctx) {
  const HostTensor& in = ctx.operand(0);
  HostTensor out = ctx.NewResult();
  const int64_t rank = in.shape().rank();
  int64_t axis = ctx.attr<int64_t>("axis");
  if (axis < 0) axis += rank;
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= in.shape().dim(d);
  for (int64_t d = axis + 1; d < rank; ++d) inner *= in.shape().dim(d);
  const int64_t len = in.shape().dim(axis);
  if (len == 0) {  // inference rejects a static empty axis; keep the loop below in bounds
    return absl::InvalidArgumentError(StrCat(ctx.def.name, ": the reduced axis is empty"));
  }
  DispatchDType(in.dtype(), [&]<typename T>() {
    const T* x = in.data_as<T>();
    auto is_nan = [](T v) {
      if constexpr (std::is_floating_point_v<T>) return std::isnan(v);
      return false;
    };
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t k = 0; k < inner; ++k) {
        int64_t best = 0;
        T best_v = x[o * len * inner + k];
        for (int64_t j = 1; j < len && !is_nan(best_v); ++j) {
          const T v = x[(o * len + j) * inner + k];
          if (is_nan(v) || (kMax ? v > best_v : v < best_v)) {
            best = j;
            best_v = v;
          }
        }
        out.SetInt(o * inner + k, best);
      }
    }
  });
  return One(std::move(out));
}

}  // namespace

void AddReduceEvaluators(EvaluatorTable& t) {
  t["reduce_sum"] = Reduce<Combine::kSum>;
  t["reduce_mean"] = Reduce<Combine::kMean>;
  t["reduce_prod"] = Reduce<Combine::kProd>;
  t["reduce_max"] = Reduce<Combine::kMax>;
  t["reduce_min"] = Reduce<Combine::kMin>;
  t["reduce_any"] = Reduce<Combine::kAny>;
  t["reduce_all"] = Reduce<Combine::kAll>;
  t["argmax"] = ArgReduce<true>;
  t["argmin"] = ArgReduce<false>;
}

}  // namespace graphc::interp
