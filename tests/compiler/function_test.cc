// graphc::function: tracing, the signature cache, dynamic dims, captures,
// variables, control flow — the behaviours issue "Trace-then-run C++ API"
// lists, each checked with exact values.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>

#include "graphc/graphc.h"
#include "ir/parser.h"

namespace graphc {
namespace {

std::vector<float> F(const Tensor& t) { return t.to_vector<float>(); }

TEST(Function, RetracesExactlyWhenTheSignatureChanges) {
  auto f = function([](const Tensor& a, const Tensor& b, int power = 2, double d = 3) {
    return pow(a, power) + b * d;
  });
  EXPECT_EQ(F(f(constant({1.f}), constant({2.f}))), std::vector<float>{7.f});
  EXPECT_EQ(f.tracing_count(), 1);
  EXPECT_EQ(F(f(constant({3.f}), constant({1.f}))), std::vector<float>{12.f});  // same signature
  EXPECT_EQ(f.tracing_count(), 1);
  EXPECT_EQ(F(f(constant({1.f, 2.f}), constant({1.f, 1.f}))), (std::vector<float>{4.f, 7.f}));  // new shape
  EXPECT_EQ(f.tracing_count(), 2);
  EXPECT_EQ(F(f(constant({2.f}), constant({1.f}), 3)), std::vector<float>{11.f});  // new host value
  EXPECT_EQ(f.tracing_count(), 3);
  EXPECT_EQ(F(f(constant({2.f}), constant({1.f}), 3)), std::vector<float>{11.f});
  EXPECT_EQ(f.tracing_count(), 3);
  EXPECT_EQ(F(f(constant({2.0}, float64), constant({1.0}, float64))), std::vector<float>{7.f});  // new dtype
  EXPECT_EQ(f.tracing_count(), 4);
}

// A layer that creates its weights on its first call, as Keras layers do:
// when that call is traced, init_scope makes the initial value eager.
TEST(Function, InitScopeCreatesVariablesDuringATrace) {
  std::optional<Variable> w;
  auto f = function([&](const Tensor& x) {
    EXPECT_TRUE(IsTracing());
    if (!w) {
      init_scope eager;
      EXPECT_FALSE(IsTracing());
      Tensor init = ones({x.shape().dim(0)}) * 2.f;
      EXPECT_FALSE(init.is_traced());
      w.emplace(init, "w");
    }
    EXPECT_TRUE(IsTracing());
    return x * w->value();
  });
  EXPECT_EQ(F(f(constant({1.f, 3.f}))), (std::vector<float>{2.f, 6.f}));
  w->assign(constant({1.f, -1.f}));
  EXPECT_EQ(F(f(constant({1.f, 3.f}))), (std::vector<float>{1.f, -3.f}));
  EXPECT_EQ(f.tracing_count(), 1);
  // Without the scope the same code is an error that names the fix.
  auto g = function([](const Tensor& x) { return Variable(x * 2.f, "v").value(); });
  EXPECT_THROW(g(constant({1.f})), Error);
}

TEST(Function, CondOnDataRunsTheRightBranch) {
  auto g = function([](const Tensor& x) {
    return cond(reduce_any(x < 0), [&] { return square(x); }, [&] { return x; });
  });
  EXPECT_EQ(F(g(constant({-1.f, 1.f, -2.f}))), (std::vector<float>{1.f, 1.f, 4.f}));
  EXPECT_EQ(F(g(constant({1.f, 2.f}))), (std::vector<float>{1.f, 2.f}));
  // Eagerly the same code takes the C++ branch directly.
  EXPECT_EQ(F(cond(reduce_any(constant({-3.f}) < 0), [] { return constant({9.f}); },
                   [] { return constant({0.f}); })),
            std::vector<float>{9.f});
}

TEST(Function, HostLoopsUnrollAtTraceTime) {
  auto cube = function([](const Tensor& x) {
    Tensor y = x;
    for (int i = 0; i < 2; ++i) y = y * x;
    return y;
  });
  EXPECT_EQ(F(cube(constant({2.f, -3.f}))), (std::vector<float>{8.f, -27.f}));
  const std::string ir = cube.get_concrete_function(TensorSpec({2})).ir_text();
  // Two multiplications, no loop op.
  EXPECT_EQ(std::count(ir.begin(), ir.end(), '\n') >= 3, true);
  EXPECT_NE(ir.find("mul"), std::string::npos);
  EXPECT_EQ(ir.find("while"), std::string::npos);
}

TEST(Function, WhileLoopSumsToARunTimeN) {
  auto sum_to = function([](const Tensor& n) {
    Tensors out = while_loop([&](const Tensors& v) { return v[0] <= n; },
                             [](const Tensors& v) { return Tensors{v[0] + 1, v[1] + v[0]}; },
                             {constant(1, int32), constant(0, int32)});
    return out[1];
  });
  EXPECT_EQ(sum_to(constant(10, int32)).item<int32_t>(), 55);
  EXPECT_EQ(sum_to(constant(100, int32)).item<int32_t>(), 5050);
  EXPECT_EQ(sum_to.tracing_count(), 1);
  EXPECT_NE(sum_to.get_concrete_function(TensorSpec({}, int32)).ir_text().find("while"), std::string::npos);
}

TEST(Function, ForiLoopMatchesEagerAndTraced) {
  auto body = [](const Tensor& i, const Tensor& x) { return x + i.cast(float32); };
  const Tensor eager = fori_loop(0, 5, body, constant({1.f}));
  auto traced = function([&](const Tensor& x) { return fori_loop(0, 5, body, x); });
  EXPECT_EQ(F(eager), std::vector<float>{11.f});
  EXPECT_EQ(F(traced(constant({1.f}))), std::vector<float>{11.f});
}

TEST(Function, AskingATracedTensorForABoolNamesCondAndWhileLoop) {
  auto bad = function([](const Tensor& x) {
    if (reduce_any(x < 0)) return -x;
    return x;
  });
  try {
    bad(constant({1.f}));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("graphc::cond"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("graphc::while_loop"), std::string::npos) << e.what();
  }
}

TEST(Function, VariablesUpdateInPlaceEagerlyAndTraced) {
  const Tensor init = random_uniform({3, 2}, 7);
  const std::vector<float> u = F(init);
  auto expected = [&] {
    std::vector<float> e;
    for (float x : u) e.push_back(x * x - 1.f);
    return e;
  }();

  Variable eager(init, "v");
  eager.assign(square(eager));
  eager.assign_sub(ones_like(eager));
  EXPECT_EQ(F(eager.value()), expected);

  Variable traced_var(init, "v");
  auto step = function([&]() {
    traced_var.assign(square(traced_var));
    traced_var.assign_sub(ones_like(traced_var));
  });
  step();
  EXPECT_EQ(F(traced_var.value()), expected);
  step();  // runs the cached graph again: the update compounds
  std::vector<float> twice;
  for (float x : expected) twice.push_back(x * x - 1.f);
  EXPECT_EQ(F(traced_var.value()), twice);
  EXPECT_EQ(step.tracing_count(), 1);
}

TEST(Function, ReadsAfterAWriteSeeTheNewValue) {
  Variable v(constant({1.f, 2.f}), "v");
  auto f = function([&]() {
    Tensor before = v.value();
    v.assign_add(constant({10.f, 10.f}));
    return Tensors{before, v.value()};
  });
  Tensors out = f();
  EXPECT_EQ(F(out[0]), (std::vector<float>{1.f, 2.f}));
  EXPECT_EQ(F(out[1]), (std::vector<float>{11.f, 12.f}));
}

TEST(Function, CapturedTensorsSmallAndLarge) {
  const Tensor small = constant({1.f, 2.f});
  const Tensor large = fill({100}, 0.5);
  auto f = function([&](const Tensor& x) { return reduce_sum(x * small) + reduce_sum(large); });
  EXPECT_EQ(f(constant({3.f, 4.f})).item<float>(), 3.f + 8.f + 50.f);
  const std::string ir = f.get_concrete_function(TensorSpec({2})).ir_text();
  EXPECT_NE(ir.find("%capture0: f32[100]"), std::string::npos) << ir;  // large: a parameter
  EXPECT_NE(ir.find("constant"), std::string::npos) << ir;            // small: a literal
}

TEST(Function, DynamicBatchDimServesEveryBatchSizeWithoutRetracing) {
  Variable w(constant({{1.f}, {2.f}}), "w");
  auto f = function([&](const Tensor& x) { return matmul(x, w); });
  ConcreteFunction cf = f.get_concrete_function(TensorSpec({kDynamic, 2}));
  EXPECT_EQ(f.tracing_count(), 1);
  for (int64_t batch : {1, 7, 64}) {
    std::vector<float> xs;
    for (int64_t i = 0; i < batch; ++i) {
      xs.push_back(static_cast<float>(i));
      xs.push_back(1.f);
    }
    Tensor y = f(constant(xs, {batch, 2}));
    ASSERT_EQ(y.shape(), (Shape{batch, 1}));
    for (int64_t i = 0; i < batch; ++i) EXPECT_EQ(y.to_vector<float>()[static_cast<size_t>(i)], i + 2.f);
  }
  EXPECT_EQ(f.tracing_count(), 1);
}

TEST(Function, InputSignatureRejectsAMismatchedCall) {
  FunctionOptions opts;
  opts.name = "affine";
  opts.input_signature = std::vector<TensorSpec>{TensorSpec({kDynamic, 3})};
  auto f = function([](const Tensor& x) { return x + 1.f; }, opts);
  EXPECT_EQ(f(zeros({2, 3})).shape(), (Shape{2, 3}));
  try {
    f(zeros({2, 4}));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "function 'affine' was called with (f32[2,4]) but its input_signature is (f32[?,3])");
  }
  EXPECT_EQ(f.tracing_count(), 1);
}

TEST(Function, ConcreteFunctionRejectsAWrongShape) {
  auto f = function([](const Tensor& x) { return x * 2; });
  ConcreteFunction cf = f.get_concrete_function(TensorSpec({kDynamic, 3}));
  EXPECT_EQ(F(cf({ones({1, 3})})[0]), (std::vector<float>{2.f, 2.f, 2.f}));
  EXPECT_THROW(cf({ones({1, 4})}), Error);
  EXPECT_THROW(cf({ones({1, 3}, int32)}), Error);
  EXPECT_THROW(cf({}), Error);
}

TEST(Function, ConcreteFunctionSavesIrThatParsesBack) {
  Variable w(constant({{1.f}, {2.f}}), "w");
  auto f = function([&](const Tensor& x) { return reduce_mean(square(matmul(x, w) - 1.f)); });
  ConcreteFunction cf = f.get_concrete_function(TensorSpec({kDynamic, 2}));
  const std::string path = ::testing::TempDir() + "/fn.gir";
  cf.save(path);
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, cf.ir_text());
  absl::StatusOr<std::unique_ptr<ir::Module>> parsed = ir::ParseModule(text, path);
  ASSERT_TRUE(parsed.ok()) << parsed.status() << "\n" << text;
  EXPECT_NE(text.find("var @w : f32[2,1]"), std::string::npos) << text;
  EXPECT_NE(text.find("read_var"), std::string::npos) << text;
}

TEST(Function, ATracedTensorUsedAfterTracingIsAClearError) {
  Tensor leaked;
  auto f = function([&](const Tensor& x) {
    leaked = x * 2;
    return x;
  });
  f(constant({1.f}));
  try {
    (void)(leaked + 1.f);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("tracing has finished"), std::string::npos) << e.what();
  }
}

TEST(Function, ShapeErrorsNameTheOpShapesAndTheUsersLine) {
  auto f = function([](const Tensor& a, const Tensor& b) { return matmul(a, b); });
  try {
    f(zeros({2, 3}), zeros({4, 5}));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("function_test.cc:"), std::string::npos) << msg;
    EXPECT_NE(msg.find("matmul(f32[2,3], f32[4,5])"), std::string::npos) << msg;
  }
  try {
    matmul(zeros({2, 3}), zeros({4, 5}));  // eagerly: the same message
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("function_test.cc:"), std::string::npos) << msg;
    EXPECT_NE(msg.find("matmul(f32[2,3], f32[4,5])"), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace graphc

namespace graphc {
namespace {

// function() runs the default pass pipeline on each trace: the elementwise
// chain becomes one fusion op, duplicate work is merged, dead work goes.
TEST(FunctionPipeline, TracedGraphIsOptimised) {
  auto f = function([](const Tensor& x) {
    const Tensor unused = exp(x) * 3.f;  // dead: dce removes it
    (void)unused;
    return relu(x * 2.f + 1.f) * sigmoid(x) + sigmoid(x);  // sigmoid twice: cse
  });
  const std::vector<float> expected = [] {
    std::vector<float> out;
    for (float v : {-1.f, 0.5f, 2.f}) {
      const float s = 1.f / (1.f + std::exp(-v));
      out.push_back(std::max(v * 2.f + 1.f, 0.f) * s + s);
    }
    return out;
  }();
  const std::vector<float> got = f(constant({-1.f, 0.5f, 2.f})).to_vector<float>();
  ASSERT_EQ(got.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_NEAR(got[i], expected[i], 1e-6f) << i;

  const ConcreteFunction cf = f.get_concrete_function(TensorSpec({3}));
  const std::string optimised = cf.ir_text();
  const std::string traced = cf.traced_ir_text();
  EXPECT_NE(optimised.find("fusion"), std::string::npos) << optimised;
  EXPECT_EQ(optimised.find("exp"), std::string::npos) << optimised;
  EXPECT_EQ(traced.find("fusion"), std::string::npos) << traced;
  EXPECT_NE(traced.find("exp"), std::string::npos) << traced;
  // One fusion op and the return at the top level.
  EXPECT_EQ(cf.function().body().ops().size(), 2u) << optimised;
}

TEST(FunctionPipeline, OptimizeFalseRunsTheGraphAsTraced) {
  auto f = function([](const Tensor& x) { return negative(negative(x)) + 0.f; }, {.optimize = false});
  EXPECT_EQ(f(constant({-0.f, 1.f})).to_vector<float>(), (std::vector<float>{0.f, 1.f}));
  const ConcreteFunction cf = f.get_concrete_function(TensorSpec({2}));
  EXPECT_EQ(cf.ir_text(), cf.traced_ir_text());
}

}  // namespace
}  // namespace graphc

namespace graphc {
namespace {

// function() compiles fusion groups with the JIT by default; the
// interpreter stays selectable per function and globally, with the same bits.
TEST(FunctionExecutor, JitByDefaultInterpreterSelectable) {
  auto body = [](const Tensor& x) { return relu(x * 2.f + 1.f) * sigmoid(x) + 0.5f * x; };
  const Tensor x = constant({-2.f, -0.f, 0.25f, 3.f, 1e30f, -1e30f});
  auto jit = function(body);
  auto interpreted = function(body, {.executor = Executor::kInterpreter});
  const Tensor a = jit(x), b = interpreted(x);
  EXPECT_EQ(a.to_vector<float>(), b.to_vector<float>());
  const ConcreteFunction cf_jit = jit.get_concrete_function(TensorSpec({6}));
  const ConcreteFunction cf_interp = interpreted.get_concrete_function(TensorSpec({6}));
  EXPECT_EQ(cf_jit.compiled_fusions(), 1) << cf_jit.ir_text();
  EXPECT_EQ(cf_interp.compiled_fusions(), 0);
  EXPECT_EQ(cf_interp.interpreted_fusions(), 1);

  set_default_executor(Executor::kInterpreter);
  auto later = function(body);
  EXPECT_EQ(later.get_concrete_function(TensorSpec({6})).compiled_fusions(), 0);
  EXPECT_EQ(later(x).to_vector<float>(), a.to_vector<float>());
  set_default_executor(Executor::kDefault);  // back to the JIT
  EXPECT_EQ(default_executor(), Executor::kJit);
}

// A dense layer with a `?` batch dim: traced once, compiled for each batch
// size on its first call with it; the matmul + bias + relu fusion runs as
// the runtime's GEMM and a generated epilogue.
TEST(FunctionExecutor, MatmulEpilogueCompilesWithADynamicBatch) {
  const Tensor w = random_normal({5, 3}, 3);
  const Tensor b = constant({0.5f, -0.25f, 0.f});
  auto body = [&](const Tensor& x) { return relu(matmul(x, w) + b); };
  const std::vector<TensorSpec> spec = {TensorSpec({kDynamic, 5})};
  auto jit = function(body, {.input_signature = spec});
  auto interpreted = function(body, {.input_signature = spec, .executor = Executor::kInterpreter});
  const ConcreteFunction cf = jit.get_concrete_function(spec[0]);
  EXPECT_EQ(cf.compiled_fusions(), 0) << "compiled on the first call with each batch size";
  for (int64_t batch : {1, 7, 64}) {
    const Tensor x = random_normal({batch, 5}, batch);
    const std::vector<float> got = jit(x).to_vector<float>();
    EXPECT_EQ(got, interpreted(x).to_vector<float>()) << batch;
    // And against the formula, in double.
    const std::vector<float> xv = x.to_vector<float>(), wv = w.to_vector<float>(), bv = b.to_vector<float>();
    for (int64_t i = 0; i < batch; ++i) {
      for (int64_t j = 0; j < 3; ++j) {
        double acc = bv[static_cast<size_t>(j)];
        for (int64_t p = 0; p < 5; ++p) acc += double(xv[static_cast<size_t>(i * 5 + p)]) * wv[static_cast<size_t>(p * 3 + j)];
        EXPECT_NEAR(got[static_cast<size_t>(i * 3 + j)], std::max(acc, 0.0), 1e-5) << batch << " " << i << " " << j;
      }
    }
  }
  EXPECT_EQ(jit.tracing_count(), 1);
  EXPECT_EQ(cf.compiled_fusions(), 1) << cf.ir_text();
  EXPECT_EQ(cf.jit_note(), "");
}

// Loops of 2^15 elements and more are split across the thread pool: the
// same bits with 1 and 2 threads, and the interpreter's.
TEST(FunctionExecutor, LargeLoopsGiveTheSameBitsOnOneAndTwoThreads) {
  const Tensor w = random_normal({256, 512}, 11);
  auto body = [&](const Tensor& x) {
    const Tensor h = relu(matmul(x, w) + 0.5f);                     // matmul + epilogue, 2^19 elements
    const Tensor chain = sigmoid(h) * h + 0.25f * square(h);        // elementwise loop
    return std::tuple{chain, log_softmax(h), reduce_sum(chain, {0})};  // reductions by elements
  };
  const Tensor x = random_normal({1024, 256}, 12);
  auto interpreted = function(body, {.executor = Executor::kInterpreter});
  const auto [c0, s0, r0] = interpreted(x);
  const int threads_before = intra_op_parallelism_threads();
  for (int threads : {1, 2}) {
    set_intra_op_parallelism_threads(threads);
    EXPECT_EQ(intra_op_parallelism_threads(), threads);
    auto jit = function(body);
    const auto [c, s, r] = jit(x);
    EXPECT_EQ(c.to_vector<float>(), c0.to_vector<float>()) << threads;
    EXPECT_EQ(s.to_vector<float>(), s0.to_vector<float>()) << threads;
    EXPECT_EQ(r.to_vector<float>(), r0.to_vector<float>()) << threads;
    EXPECT_EQ(jit.get_concrete_function(TensorSpec({1024, 256})).interpreted_fusions(), 0);
  }
  EXPECT_THROW(set_intra_op_parallelism_threads(0), Error);
  set_intra_op_parallelism_threads(threads_before);
}

// Column reductions (sums and means over leading dims: bias gradients) run
// many columns side by side in chunks of 256 (reduce_emitter.cc); splits
// over 2 and 3 threads cut the columns mid-chunk. The interpreter's bits in
// every case, one or several kept dims.
TEST(FunctionExecutor, ColumnReductionsGiveTheInterpretersBitsSplitAnyWay) {
  auto body = [](const Tensor& x, const Tensor& y) {
    const Tensor t = x * x + 0.5f;  // fused into the reduction
    return std::tuple{reduce_sum(t, {0}), reduce_mean(x, {0}), reduce_sum(y, {0, 1}),
                      reduce_sum(y, {0}, /*keepdims=*/true)};
  };
  const Tensor x = random_normal({80, 1000}, 21), y = random_normal({3, 11, 700}, 22);
  auto interpreted = function(body, {.executor = Executor::kInterpreter});
  const auto [a0, b0, c0, d0] = interpreted(x, y);
  const int threads_before = intra_op_parallelism_threads();
  for (int threads : {1, 2, 3}) {
    set_intra_op_parallelism_threads(threads);
    auto jit = function(body);
    const auto [a, b, c, d] = jit(x, y);
    EXPECT_EQ(a.to_vector<float>(), a0.to_vector<float>()) << threads;
    EXPECT_EQ(b.to_vector<float>(), b0.to_vector<float>()) << threads;
    EXPECT_EQ(c.to_vector<float>(), c0.to_vector<float>()) << threads;
    EXPECT_EQ(d.to_vector<float>(), d0.to_vector<float>()) << threads;
    EXPECT_EQ(d.shape().ToString(), "[1,11,700]");
  }
  set_intra_op_parallelism_threads(threads_before);
}

}  // namespace
}  // namespace graphc
