// A compiled training step allocates nothing after its first call. This
// binary replaces malloc and friends (tests/common/heap_counter.h) with
// versions that count the calls this thread makes while it counts, so the
// test sees every heap allocation, by any code, during the calls it
// measures. It is its own binary because the replacement is process-wide;
// under AddressSanitizer (which replaces malloc itself) it is skipped.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "compiler/frontend/concrete_function.h"
#include "compiler/frontend/tensor_impl.h"
#include "graphc/graphc.h"
#include "gtest/gtest.h"
#include "tests/common/heap_counter.h"
#include "tests/common/small_mlp.h"

namespace graphc {
namespace {

using test::heap::AllocationsIn;

using test::SmallMlp;

TEST(NoAllocation, CountingSeesAllocations) {
  if (!GRAPHC_COUNTS_ALLOCATIONS) GTEST_SKIP() << "AddressSanitizer replaces malloc";
  // The counter is not vacuous: a vector and an eager op allocate.
  EXPECT_GE(AllocationsIn([] { std::vector<int> v(100); }), 1);
  EXPECT_GE(AllocationsIn([] { (void)(constant({1.f, 2.f}) + 1.f); }), 1);
}

TEST(NoAllocation, CompiledTrainingStepAfterItsFirstCall) {
  if (!GRAPHC_COUNTS_ALLOCATIONS) GTEST_SKIP() << "AddressSanitizer replaces malloc";
  for (int threads : {1, 2}) {
    set_intra_op_parallelism_threads(threads);
    SmallMlp mlp;
    const Tensor x = random_uniform({64, 784}, 100);
    std::vector<int32_t> label_values(64);
    for (int i = 0; i < 64; ++i) label_values[static_cast<size_t>(i)] = i % 10;
    const Tensor labels = constant(label_values, {64});
    auto step = function([&mlp](const Tensor& xs, const Tensor& ys) { return mlp.Step(xs, ys); });
    const float first = step(x, labels).item<float>();  // traces and compiles
    const ConcreteFunction cf = step.get_concrete_function(TensorSpec({64, 784}), TensorSpec({64}, int32));
    ASSERT_EQ(cf.jit_note(), "");
    const codegen::CompiledFunction* compiled = cf.impl().last_compiled();
    ASSERT_NE(compiled, nullptr);
    runtime::Executable& executable = compiled->executable();

    // The executable on buffers the caller owns: what an embedding program
    // runs. Parameters, the loss and the variables' storage, set up once.
    const HostTensor& x_host = x.impl().value;
    const HostTensor& labels_host = labels.impl().value;
    float loss = 0;
    std::vector<void*> params = {const_cast<uint8_t*>(x_host.data()), const_cast<uint8_t*>(labels_host.data())};
    std::vector<void*> results = {&loss};
    std::vector<void*> vars;
    for (const std::string& name : compiled->variables()) {
      for (const auto& [var_name, state] : cf.impl().variables) {
        if (var_name == name) vars.push_back(state->value.mutable_data());
      }
    }
    ASSERT_EQ(vars.size(), 4u);
    std::string error;
    bool ok = true;
    const int64_t n = AllocationsIn([&] {
      for (int i = 0; i < 5; ++i) ok &= executable.Run(params, results, vars, &error);
    });
    ASSERT_TRUE(ok) << error;
    EXPECT_EQ(n, 0) << threads << " threads";
    // It trained: the loss went down from the first step's.
    EXPECT_LT(loss, first);

    // Through graphc::function a call allocates its bookkeeping (the
    // signature key, argument and result lists, the returned Tensor's
    // handle: a few hundred bytes) but no tensor data: the result buffer is
    // reused once the caller has dropped the previous result, and x alone
    // is 200 KB.
    (void)step(x, labels);
    const int64_t through_api = AllocationsIn([&] { (void)step(x, labels); });
    EXPECT_LT(test::heap::this_thread_bytes, 2048) << through_api << " allocations, " << threads << " threads";
    RecordProperty(threads == 1 ? "api_call_allocations_1_thread" : "api_call_allocations_2_threads",
                   static_cast<int>(through_api));
  }
}

// Traced for any batch size: after a call at 64, the executable runs
// batches of 64 and of fewer without allocating (the arena sized at 64
// holds them); only a larger batch grows it, once.
TEST(NoAllocation, AnyBatchExecutableAfterItsLargestBatch) {
  if (!GRAPHC_COUNTS_ALLOCATIONS) GTEST_SKIP() << "AddressSanitizer replaces malloc";
  SmallMlp mlp;
  const std::vector<TensorSpec> signature = {TensorSpec({kDynamic, 784}), TensorSpec({kDynamic}, int32)};
  auto step = function([&mlp](const Tensor& xs, const Tensor& ys) { return mlp.Step(xs, ys); },
                       {.input_signature = signature});
  const Tensor x = random_uniform({64, 784}, 100);
  std::vector<int32_t> label_values(64);
  for (int i = 0; i < 64; ++i) label_values[static_cast<size_t>(i)] = i % 10;
  const Tensor labels = constant(label_values, {64});
  (void)step(x, labels);
  const ConcreteFunction cf = step.get_concrete_function(signature[0], signature[1]);
  const codegen::CompiledFunction* compiled = cf.impl().last_compiled();
  ASSERT_NE(compiled, nullptr);
  ASSERT_TRUE(compiled->is_family()) << cf.jit_note();
  runtime::Executable& executable = compiled->executable();
  std::vector<void*> vars;
  for (const std::string& name : compiled->variables()) {
    for (const auto& [var_name, state] : cf.impl().variables) {
      if (var_name == name) vars.push_back(state->value.mutable_data());
    }
  }
  // Batches of 64 and 17 share x's and the labels' leading rows.
  std::vector<void*> params = {const_cast<uint8_t*>(x.impl().value.data()),
                               const_cast<uint8_t*>(labels.impl().value.data())};
  float loss = 0;
  std::vector<void*> results = {&loss};
  std::string error;
  bool ok = true;
  const int64_t n = AllocationsIn([&] {
    for (int64_t batch : {64, 17, 64, 2}) {
      const int64_t dims[] = {batch};
      ok &= executable.Run(params, results, vars, dims, &error);
    }
  });
  ASSERT_TRUE(ok) << error;
  EXPECT_EQ(n, 0);
  EXPECT_TRUE(std::isfinite(loss));
}

}  // namespace
}  // namespace graphc
