// graphc::function with `?` dims: one executable serves every batch size
// (compiler/codegen/shape_family.h), with the interpreter's bits, and only
// sizes that change what the graph means (a batch of 1 broadcasts) or
// graphs codegen cannot size at run time get executables of their own.
#include <cstdint>
#include <vector>

#include "graphc/graphc.h"
#include "gtest/gtest.h"
#include "tests/common/small_mlp.h"

namespace gc = graphc;

namespace {

std::vector<float> Iota(int64_t n, float scale) {
  std::vector<float> v;
  for (int64_t i = 0; i < n; ++i) v.push_back(static_cast<float>((i * 37) % 101) * scale - 1.f);
  return v;
}

TEST(FunctionDynamicDims, OneExecutableServesEveryBatchSize) {
  gc::Variable w(gc::constant(Iota(12, 0.02f), {4, 3}), "w");
  gc::Variable b(gc::constant({0.5f, -0.25f, 0.f}), "b");
  auto f = gc::function([&](const gc::Tensor& x) { return gc::relu(gc::matmul(x, w) + b) * 2.f + x[{gc::Slice(), gc::Slice(0, 3)}]; });
  gc::ConcreteFunction cf = f.get_concrete_function(gc::TensorSpec({gc::kDynamic, 4}));
  auto interpreted = gc::function([&](const gc::Tensor& x) { return gc::relu(gc::matmul(x, w) + b) * 2.f + x[{gc::Slice(), gc::Slice(0, 3)}]; },
                                  {.executor = gc::Executor::kInterpreter});
  for (int64_t batch : {64, 3, 17, 64, 2}) {
    const gc::Tensor x = gc::constant(Iota(batch * 4, 0.03f), {batch, 4});
    const gc::Tensor got = cf({x})[0];
    ASSERT_EQ(got.shape(), (gc::Shape{batch, 3}));
    EXPECT_EQ(got.to_vector<float>(), interpreted(x).to_vector<float>()) << "batch " << batch;
  }
  EXPECT_EQ(cf.compiled_executables(), 1);
  EXPECT_EQ(f.tracing_count(), 1);
  // A batch of 1 broadcasts differently: an executable of its own.
  const gc::Tensor one = gc::constant(Iota(4, 0.03f), {1, 4});
  EXPECT_EQ(cf({one})[0].to_vector<float>(), interpreted(one).to_vector<float>());
  EXPECT_EQ(cf.compiled_executables(), 2);
}

// The training step of the small MLP, traced once for any batch:
// the last, smaller batch of an epoch runs on the same executable, and the
// weights it trains are the interpreter's, bit for bit.
TEST(FunctionDynamicDims, TrainingStepTrainsEveryBatchSizeWithOneExecutable) {
  gc::test::SmallMlp jit, interp;
  const std::vector<gc::TensorSpec> signature = {gc::TensorSpec({gc::kDynamic, 784}),
                                                 gc::TensorSpec({gc::kDynamic}, gc::int32)};
  auto jit_step = gc::function([&](const gc::Tensor& x, const gc::Tensor& y) { return jit.Step(x, y); },
                               {.input_signature = signature});
  auto interp_step = gc::function([&](const gc::Tensor& x, const gc::Tensor& y) { return interp.Step(x, y); },
                                  {.input_signature = signature, .executor = gc::Executor::kInterpreter});
  for (int64_t batch : {64, 64, 32, 17}) {
    std::vector<int32_t> labels;
    for (int64_t i = 0; i < batch; ++i) labels.push_back(static_cast<int32_t>((i * 7) % 10));
    const gc::Tensor x = gc::constant(Iota(batch * 784, 0.01f), {batch, 784});
    const gc::Tensor y = gc::constant(labels, {batch});
    const float got = jit_step(x, y).item<float>();
    const float want = interp_step(x, y).item<float>();
    EXPECT_EQ(got, want) << "batch " << batch;
  }
  EXPECT_EQ(jit.w1.value().to_vector<float>(), interp.w1.value().to_vector<float>());
  EXPECT_EQ(jit.b2.value().to_vector<float>(), interp.b2.value().to_vector<float>());
  EXPECT_EQ(jit_step.tracing_count(), 1);
  const gc::ConcreteFunction cf = jit_step.get_concrete_function(signature[0], signature[1]);
  EXPECT_EQ(cf.compiled_executables(), 1) << cf.jit_note();
  EXPECT_EQ(cf.interpreted_fusions(), 0) << cf.jit_note();
}

}  // namespace
