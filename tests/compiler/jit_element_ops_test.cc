// Element generators of index ops and reductions (compiler/codegen/
// index_ops_emitter.cc, reduce_emitter.cc) compiled by the JIT, against the
// interpreter, beyond the op samples: run-time errors (an out-of-range
// gather or scatter_add index gives the interpreter's message, source
// locations included, and the first bad index in order), chains where
// indices, slices and updates are computed inside the fusion, and sweeps of
// strided_slice attributes and of integer, bool and arg reductions at the
// edges of their types; on one thread and on two.
#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "compiler/interpreter/interpreter.h"
#include "gtest/gtest.h"
#include "ir/builder.h"
#include "ir/module.h"
#include "ir/parser.h"
#include "ir/str_cat.h"
#include "tests/common/jit.h"
#include "tests/common/op_samples.h"

namespace graphc {
namespace {

std::unique_ptr<ir::Module> Parse(const std::string& text) {
  absl::StatusOr<std::unique_ptr<ir::Module>> m = ir::ParseModule(text, "ops.gir");
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? std::move(*m) : nullptr;
}

// The interpreter's result or error, and the JIT's, on 1 and 2 threads.
void ExpectSameOutcome(const ir::Function& f, const std::vector<HostTensor>& args, const std::string& what) {
  absl::StatusOr<std::vector<HostTensor>> expected = interp::RunFunction(f, args, nullptr);
  for (int threads : {1, 2}) {
    test::ScopedThreads scoped(threads);
    absl::StatusOr<std::vector<HostTensor>> got = test::RunJit(f, args);
    ASSERT_FALSE(absl::IsUnimplemented(got.status())) << what << ": " << got.status();
    ASSERT_EQ(got.ok(), expected.ok()) << what << ": " << got.status() << " vs " << expected.status();
    if (!expected.ok()) {
      EXPECT_EQ(got.status().code(), expected.status().code()) << what;
      EXPECT_EQ(got.status().message(), expected.status().message()) << what << " threads " << threads;
      continue;
    }
    ASSERT_EQ(got->size(), expected->size());
    for (size_t i = 0; i < got->size(); ++i) {
      EXPECT_TRUE((*got)[i].BitwiseEqualsUpToNans((*expected)[i])) << what << " result " << i << " threads " << threads;
    }
  }
}

std::string ErrorOf(const ir::Function& f, const std::vector<HostTensor>& args) {
  absl::StatusOr<std::vector<HostTensor>> got = test::RunJit(f, args);
  return got.ok() ? "no error" : std::string(got.status().message());
}

// Indices computed in the fusion (i + i): 7 at position 2 is the first out
// of range; -2 after it is not reported.
TEST(JitIndexErrors, GatherOutOfRangeGivesTheInterpretersMessage) {
  std::unique_ptr<ir::Module> m = Parse(R"(
func @f(%p: f32[4,3], %i: i32[5]) -> (f32[5,3]) {
  %0 = fusion %p, %i {kind = "reduction"} : f32[5,3] (%a: f32[4,3], %b: i32[5]) {
    %1 = add %b, %b : i32[5]
    %2 = gather %a, %1 : f32[5,3] loc("model.cc":12:7)
    %3 = exp %2 : f32[5,3]
    yield %3
  } loc("model.cc":10:3)
  return %0
}
)");
  ASSERT_NE(m, nullptr);
  const ir::Function& f = *m->functions().front();
  const HostTensor p = test::Pattern(ir::DType::kF32, ir::Shape{{4, 3}}, 1);
  const std::vector<HostTensor> bad = {p, test::MakeTensor(ir::DType::kI32, ir::Shape{{5}}, {0, 1, 7, -1, 1})};
  ExpectSameOutcome(f, bad, "out of range");
  EXPECT_EQ(ErrorOf(f, bad), "model.cc:10:3: model.cc:12:7: gather: index 14 is out of range [0, 4) along axis 0");
  ExpectSameOutcome(f, {p, test::MakeTensor(ir::DType::kI32, ir::Shape{{5}}, {1, -1, 0, 9, 1})}, "negative");
  ExpectSameOutcome(f, {p, test::MakeTensor(ir::DType::kI32, ir::Shape{{5}}, {1, 0, 0, 1, 1})}, "in range");
}

// Along an axis of size 0 every index is out of range, even where the
// result has elements; nothing is read.
TEST(JitIndexErrors, GatherFromAnEmptyAxis) {
  std::unique_ptr<ir::Module> m = Parse(R"(
func @f(%p: f64[3,0], %i: i64[2]) -> (f64[3,2]) {
  %0 = gather %p, %i {axis = 1} : f64[3,2]
  return %0
}
)");
  ASSERT_NE(m, nullptr);
  const ir::Function& f = *m->functions().front();
  const std::vector<HostTensor> args = {HostTensor(ir::DType::kF64, ir::Shape{{3, 0}}),
                                        test::MakeTensor(ir::DType::kI64, ir::Shape{{2}}, {0, 0})};
  ExpectSameOutcome(f, args, "empty axis");
  EXPECT_EQ(ErrorOf(f, args), "gather: index 0 is out of range [0, 0) along axis 1");
}

// A standalone scatter_add (a one-op fusion of its own) checks every
// index before adding.
TEST(JitIndexErrors, ScatterAddOutOfRangeGivesTheInterpretersMessage) {
  std::unique_ptr<ir::Module> m = Parse(R"(
func @f(%like: i32[2,3], %i: i64[2,2], %u: i32[2,2,2]) -> (i32[2,3]) {
  %0 = scatter_add %like, %i, %u {axis = -1} : i32[2,3] loc("grad.cc":40:1)
  return %0
}
)");
  ASSERT_NE(m, nullptr);
  const ir::Function& f = *m->functions().front();
  const HostTensor like = test::Pattern(ir::DType::kI32, ir::Shape{{2, 3}}, 1);
  const HostTensor u = test::Pattern(ir::DType::kI32, ir::Shape{{2, 2, 2}}, 2);
  const std::vector<HostTensor> bad = {like, test::MakeTensor(ir::DType::kI64, ir::Shape{{2, 2}}, {2, 0, 3, -4}), u};
  ExpectSameOutcome(f, bad, "out of range");
  EXPECT_EQ(ErrorOf(f, bad), "grad.cc:40:1: scatter_add: index 3 is out of range [0, 3) along axis 1");
  ExpectSameOutcome(f, {like, test::MakeTensor(ir::DType::kI64, ir::Shape{{2, 2}}, {2, 0, 2, 2}), u}, "in range");
}

// Two checked ops in one fusion: the first in body order that fails is
// reported, as the interpreter stops there. Inside a while loop the
// loop's location prefixes the message too.
TEST(JitIndexErrors, FirstFailingOpInBodyOrderIsReported) {
  std::unique_ptr<ir::Module> m = Parse(R"(
func @f(%p: f32[4], %i: i32[3], %j: i32[3], %n: i32[]) -> (f32[4], f32[3], i32[]) {
  %z = constant {value = dense<i32[] 0>} : i32[]
  %0, %1, %2 = while %p, %z, %i : f32[4], i32[], i32[3] (%a: f32[4], %k: i32[], %c: i32[3]) {
    %3 = lt %k, %n : bool[]
    yield %3
  } (%x: f32[4], %k2: i32[], %c2: i32[3]) {
    %4, %5 = fusion %x, %c2, %j {kind = "reduction"} : f32[4], f32[3] (%e: f32[4], %f: i32[3], %g: i32[3]) {
      %6 = gather %e, %f : f32[3] loc("loop.cc":5:9)
      %7 = scatter_add %e, %g, %6 : f32[4] loc("loop.cc":6:9)
      %8 = gather %7, %g : f32[3] loc("loop.cc":7:9)
      yield %7, %8
    } loc("loop.cc":4:5)
    %9 = constant {value = dense<i32[] 1>} : i32[]
    %10 = add %k2, %9 : i32[]
    %11 = add %c2, %9 : i32[3]
    yield %4, %10, %11
  } loc("loop.cc":2:3)
  %12 = gather %0, %i : f32[3]
  return %0, %12, %1
}
)");
  ASSERT_NE(m, nullptr);
  const ir::Function& f = *m->functions().front();
  const HostTensor p = test::Pattern(ir::DType::kF32, ir::Shape{{4}}, 3);
  auto i32 = [](std::vector<double> v) {
    return test::MakeTensor(ir::DType::kI32, ir::Shape{{static_cast<int64_t>(v.size())}}, v);
  };
  auto n = [](int v) { return test::MakeTensor(ir::DType::kI32, ir::Shape{}, {static_cast<double>(v)}); };
  // The gathered indices grow by 1 per iteration: the 2 reaches 4 in the
  // third; in the second case the scatter's 5 fails in the first.
  ExpectSameOutcome(f, {p, i32({0, 2, 1}), i32({3, 0, 1}), n(3)}, "gather first");
  EXPECT_EQ(ErrorOf(f, {p, i32({0, 2, 1}), i32({3, 0, 1}), n(3)}),
            "loop.cc:2:3: loop.cc:4:5: loop.cc:5:9: gather: index 4 is out of range [0, 4) along axis 0");
  ExpectSameOutcome(f, {p, i32({0, 1, 1}), i32({3, 5, 1}), n(2)}, "scatter");
  EXPECT_EQ(ErrorOf(f, {p, i32({0, 1, 1}), i32({3, 5, 1}), n(2)}),
            "loop.cc:2:3: loop.cc:4:5: loop.cc:6:9: scatter_add: index 5 is out of range [0, 4) along axis 0");
  ExpectSameOutcome(f, {p, i32({0, 1, 2}), i32({3, 3, 0}), n(1)}, "in range");
}

// In range: a slice of a gather whose indices come from range and a
// reduction, a scatter of computed updates, and a slice gradient, over
// sizes large enough to be split across threads.
TEST(JitIndexChains, ComputedIndicesSlicesAndUpdates) {
  std::unique_ptr<ir::Module> m = Parse(R"(
func @f(%p: f32[512,600], %w: f32[600]) -> (f32[128,600], f32[512,600], f32[512,600], i32[300]) {
  %0, %1, %2, %3 = fusion %p, %w {kind = "reduction"} : f32[128,600], f32[512,600], f32[512,600], i32[300] (%a: f32[512,600], %v: f32[600]) {
    %4 = range {start = 510.0, limit = -2.0, delta = -2.0} : i32[256]
    %5 = gather %a, %4 : f32[256,600]
    %6 = strided_slice %5 {begin = [1, 0], end = [0, 600], strides = [2, 1], end_mask = 1} : f32[128,600]
    %7 = mul %6, %v : f32[128,600]
    %8 = reduce_max %a {axes = [0]} : f32[600]
    %9 = argmax %a {axis = 0, dtype = i32} : i32[600]
    %10 = strided_slice %9 {begin = [599], end = [0], strides = [-2]} : i32[300]
    %11 = scatter_add %a, %4, %5 : f32[512,600]
    %12 = strided_slice_grad %6, %5 {begin = [1, 0], end = [0, 600], strides = [2, 1], end_mask = 1} : f32[256,600]
    %13 = concat %12, %12 {axis = 0} : f32[512,600]
    %14 = sub %13, %8 : f32[512,600]
    yield %7, %11, %14, %10
  }
  return %0, %1, %2, %3
}
)");
  ASSERT_NE(m, nullptr);
  const ir::Function& f = *m->functions().front();
  ExpectSameOutcome(f,
                    {test::Pattern(ir::DType::kF32, ir::Shape{{512, 600}}, 4),
                     test::Pattern(ir::DType::kF32, ir::Shape{{600}}, 5)},
                    "chain");
}

// A module whose @f has one fusion over parameters of `types`, its body
// built by `body` from the region's arguments (ops whose inference fails
// are skipped by `body`); every value it returns is a result.
std::unique_ptr<ir::Module> ManyResultsFusion(
    const std::vector<ir::TensorType>& types,
    const std::function<std::vector<ir::Value*>(ir::Builder&, const std::vector<ir::Value*>&)>& body) {
  auto m = std::make_unique<ir::Module>();
  ir::Function* f = m->AddFunction("f");
  auto region = std::make_unique<ir::Region>();
  std::vector<ir::Value*> params, args;
  for (const ir::TensorType& t : types) {
    params.push_back(f->AddParam(t));
    args.push_back(region->AddArgument(t));
  }
  ir::Builder inner(region.get());
  const std::vector<ir::Value*> results = body(inner, args);
  EXPECT_TRUE(inner.Create("yield", results).ok());
  ir::Builder outer(&f->body());
  std::vector<std::unique_ptr<ir::Region>> regions;
  regions.push_back(std::move(region));
  absl::StatusOr<ir::Op*> fusion = outer.Create("fusion", params, {{"kind", std::string("reduction")}}, std::move(regions));
  EXPECT_TRUE(fusion.ok()) << fusion.status();
  std::vector<ir::TensorType> result_types;
  for (const ir::Value* r : (*fusion)->results()) result_types.push_back(r->type());
  f->set_result_types(result_types);
  EXPECT_TRUE(outer.Create("return", (*fusion)->results()).ok());
  return m;
}

// A fixed pseudo-random sweep of strided_slice and strided_slice_grad
// attributes (bounds past both ends, negative strides, every mask) on a
// rank-2 and a rank-3 operand, all results of one fusion.
TEST(JitIndexChains, StridedSliceSweep) {
  uint64_t state = 12345;
  auto next = [&](int64_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<int64_t>((state >> 33) % static_cast<uint64_t>(n));
  };
  using Ints = std::vector<int64_t>;
  int built = 0;
  std::unique_ptr<ir::Module> m = ManyResultsFusion(
      {{ir::DType::kF32, ir::Shape{{5, 4}}}, {ir::DType::kI32, ir::Shape{{3, 4, 6}}}},
      [&](ir::Builder& b, const std::vector<ir::Value*>& args) {
        std::vector<ir::Value*> results;
        for (int k = 0; k < 160; ++k) {
          ir::Value* x = args[static_cast<size_t>(k % 2)];
          const int64_t rank = x->shape().rank();
          Ints begin, end, strides;
          for (int64_t d = 0; d < rank; ++d) {
            begin.push_back(next(17) - 8);
            end.push_back(next(17) - 8);
            const int64_t stride = next(7) - 3;
            strides.push_back(stride == 0 ? 1 : stride);
          }
          const int64_t full = (int64_t{1} << rank) - 1;
          ir::AttrMap attrs = {{"begin", begin}, {"end", end}, {"strides", strides},
                               {"begin_mask", next(full + 1)}, {"end_mask", next(full + 1)},
                               {"shrink_axis_mask", next(3) == 0 ? next(full + 1) : int64_t{0}}};
          absl::StatusOr<ir::Value*> slice = b.Emit("strided_slice", {x}, attrs);
          if (!slice.ok()) continue;  // a shrunk index out of range
          absl::StatusOr<ir::Value*> one = b.ScalarConstant(1, x->dtype());
          absl::StatusOr<ir::Value*> g = b.Emit("add", {*slice, *one});
          absl::StatusOr<ir::Value*> grad = b.Emit("strided_slice_grad", {*g, x}, attrs);
          EXPECT_TRUE(grad.ok()) << grad.status();
          results.push_back(*slice);
          results.push_back(*grad);
          ++built;
        }
        return results;
      });
  EXPECT_GT(built, 100);
  ExpectSameOutcome(*m->functions().front(),
                    {test::Pattern(ir::DType::kF32, ir::Shape{{5, 4}}, 1),
                     test::Pattern(ir::DType::kI32, ir::Shape{{3, 4, 6}}, 2)},
                    "sweep");
}

// Integer reductions over values at the edges of their types (sums and
// products wrap, means divide the wrapped sum), bool reductions, and
// argmax / argmin with ties, NaN and infinities, over every axis set.
TEST(JitReductions, EdgeValueSweep) {
  using Ints = std::vector<int64_t>;
  const double i8_edges[] = {127, -128, 100, -1, 0, 3, -128, 127, 5, -7, 64, 2};
  const double i32_edges[] = {2147483647, -2147483648.0, 65536, 65536, -3, 0, 7, 2147483647, -1, 1 << 20, -9, 11};
  const double i64_edges[] = {9.2e18, -9.2e18, 4294967296.0, 4294967296.0, -5, 0, 3, 1e18, -1, 6, -8, 2};
  const double nan = std::nan(""), inf = INFINITY;
  const double f_edges[] = {1, nan, -inf, 2, 2, -0.0, 0.0, inf, nan, -1, -1, 3};
  std::vector<HostTensor> args = {
      test::MakeTensor(ir::DType::kI8, ir::Shape{{3, 4}}, {std::begin(i8_edges), std::end(i8_edges)}),
      test::MakeTensor(ir::DType::kI32, ir::Shape{{3, 4}}, {std::begin(i32_edges), std::end(i32_edges)}),
      test::MakeTensor(ir::DType::kI64, ir::Shape{{3, 4}}, {std::begin(i64_edges), std::end(i64_edges)}),
      test::MakeTensor(ir::DType::kF32, ir::Shape{{3, 4}}, {std::begin(f_edges), std::end(f_edges)}),
      test::MakeTensor(ir::DType::kF64, ir::Shape{{3, 4}}, {std::begin(f_edges), std::end(f_edges)}),
      test::MakeTensor(ir::DType::kI32, ir::Shape{{0, 4}}, {}),
  };
  // One fusion per operand: a fusion of hundreds of stages compiles slowly
  // (each kernel call passes every earlier stage's buffer).
  for (const HostTensor& arg : args) {
    std::unique_ptr<ir::Module> m = ManyResultsFusion({arg.type()}, [&](ir::Builder& b, const std::vector<ir::Value*>& x) {
      ir::Value* v = x[0];
      std::vector<ir::Value*> results;
      auto add = [&](absl::StatusOr<ir::Value*> r) {
        EXPECT_TRUE(r.ok()) << r.status();
        if (r.ok()) results.push_back(*r);
      };
      if (ir::IsInteger(v->dtype())) {
        for (const char* op : {"reduce_sum", "reduce_mean", "reduce_prod", "reduce_max", "reduce_min"}) {
          for (const Ints& axes : {Ints{}, Ints{0}, Ints{1}, Ints{-1, 0}}) {
            for (bool keepdims : {false, true}) add(b.Emit(op, {v}, {{"axes", axes}, {"keepdims", keepdims}}));
          }
        }
        // sum_to_like wraps the same way.
        add(b.Emit("sum_to_like", {v, b.Emit("reduce_sum", {v}, {{"axes", Ints{0}}, {"keepdims", true}}).value()}));
      }
      if (v->shape().dim(0) == 0) return results;
      absl::StatusOr<ir::Value*> zero = b.ScalarConstant(0, v->dtype());
      absl::StatusOr<ir::Value*> positive = b.Emit("gt", {v, *zero});
      for (const char* op : {"reduce_any", "reduce_all"}) {
        for (const Ints& axes : {Ints{}, Ints{0}, Ints{1}}) add(b.Emit(op, {*positive}, {{"axes", axes}}));
      }
      for (const char* op : {"argmax", "argmin"}) {
        for (int64_t axis : {0, 1, -1}) {
          for (ir::DType dtype : {ir::DType::kI32, ir::DType::kI64}) {
            add(b.Emit(op, {v}, {{"axis", axis}, {"dtype", dtype}}));
          }
        }
      }
      return results;
    });
    ExpectSameOutcome(*m->functions().front(), {arg}, arg.type().ToString());
  }
}

}  // namespace
}  // namespace graphc
