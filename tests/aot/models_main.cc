// Runs the functions of tests/tools/compile.gir, compiled ahead of time by
// models_test.sh, linked together into this one program with graphc_runtime
// alone, and checks their results exactly: embedded weights, variables set
// through the accessors or kept across calls, caller-supplied memory and
// buffers, a named CPU (--march=x86-64-v3), a run-time error.
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <string>

#include "big.h"
#include "count.h"
#include "dense.h"
#include "dense_v3.h"
#include "zero.h"

// Counts heap allocations (tests/common/heap_counter.h; not under
// AddressSanitizer, which replaces malloc itself).
#include "tests/common/heap_counter.h"

namespace {

int failures = 0;

void Expect(bool ok, const std::string& what) {
  std::printf("%s: %s\n", ok ? "ok" : "FAILED", what.c_str());
  if (!ok) ++failures;
}

// relu(x w + b) for x = [[0, 1, 2], [3, 4, 5], ...] and compile_weights/
// dense.safetensors' w = [[0.5, -1], [2, 0.25], [-0.5, 1.5]], b = [0.125, -2]
// (every value exact in f32).
constexpr float kDense[8] = {1.125f, 1.25f, 7.125f, 3.5f, 13.125f, 5.75f, 19.125f, 8.0f};

template <typename Model>
bool RunsDense(Model& model, const std::string& what) {
  for (int i = 0; i < 12; ++i) model.x()[i] = static_cast<float>(i);
  std::string error;
  const bool ran = model.Run(&error);
  Expect(ran, what + " runs" + (ran ? "" : ": " + error));
  return ran && std::memcmp(model.result0(), kDense, sizeof(kDense)) == 0;
}

}  // namespace

int main() {
  // Weights embedded in the object.
  Dense dense;
  Expect(dense.ok(), "Dense is set up");
  Expect(RunsDense(dense, "Dense"), "Dense: relu(x w + b) with the embedded weights");
  Expect(dense.w()[2] == 2.0f && dense.b()[1] == -2.0f, "Dense: the variables hold the embedded weights");

  // The same, compiled for x86-64-v3 (AVX2, no AVX-512), in the same program.
  DenseV3 v3;
  Expect(RunsDense(v3, "DenseV3"), "DenseV3 (--march=x86-64-v3) gives the same bits");

  // Without --weights: zeros, until the program sets them.
  Zero zero;
  for (int i = 0; i < 12; ++i) zero.x()[i] = static_cast<float>(i);
  Expect(zero.Run(), "Zero runs");
  bool all_zero = true;
  for (int i = 0; i < 8; ++i) all_zero &= zero.result0()[i] == 0.0f;
  Expect(all_zero, "Zero: variables start at zero");
  std::memcpy(zero.w(), dense.w(), Zero::w_bytes);
  std::memcpy(zero.b(), dense.b(), Zero::b_bytes);
  Expect(RunsDense(zero, "Zero"), "Zero: the weights set through w() and b()");
  zero.ResetVariables();
  Expect(zero.w()[2] == 0.0f, "Zero: ResetVariables() zeroes them again");

  // Caller-supplied memory and buffers: nothing of the object's own.
  alignas(Dense::kMemoryAlignment) static unsigned char memory[Dense::kMemoryBytes];
  Dense on_memory(memory);
  float x[12], out[8];
  for (int i = 0; i < 12; ++i) x[i] = static_cast<float>(i);
  on_memory.set_x_data(x);
  on_memory.set_result0_data(out);
  Expect(on_memory.Run() && std::memcmp(out, kDense, sizeof(kDense)) == 0,
         "Dense on caller-supplied memory reads x and writes the result in the caller's buffers");
  float shared_w[6] = {0, 0, 0, 0, 0, 0};
  on_memory.set_w_data(shared_w);
  Expect(on_memory.Run() && out[0] == 0.125f && out[1] == 0.0f, "Dense with @w in a caller's buffer");

  // Variables persist across calls and are updated in place.
  app::models::Counter counter;
  for (int i = 0; i < 12; ++i) counter.arg_class()[i] = 1.0f;
  *counter.arg0() = true;
  counter.layers_0_scale()[0] = 0.5;
  counter.layers_0_scale()[1] = -3.0;
  for (int call = 1; call <= 3; ++call) counter.Run();
  Expect(*counter.result0() == 12.0f && *counter.result1() == 3 && *counter.steps() == 3,
         "Counter: the sum, and @steps counted 3 calls");
  Expect(counter.result2()[0] == 0.5 && counter.result2()[1] == -3.0, "Counter: @layers.0.scale read back");
  *counter.arg0() = false;
  counter.ResetVariables();
  counter.Run();
  Expect(*counter.result0() == 0.0f && *counter.steps() == 1, "Counter: select, and ResetVariables()");

  // A loop over 2^18 elements (split over the thread pool) and a gather whose index is
  // checked at run time.
  Big big;
  for (int64_t i = 0; i < Big::x_size; ++i) big.x()[i] = static_cast<float>(i % 7) - 3.0f;
  big.i()[0] = 2;
  big.i()[1] = 0;
  big.i()[2] = 511;
  std::string error;
  const bool ran = big.Run(&error);
  bool relu_ok = true;
  for (int64_t k = 0; k < Big::result0_size; ++k) {
    const float v = static_cast<float>(k % 7) - 3.0f;
    relu_ok &= big.result0()[k] == (v > 0 ? v : 0.0f);
  }
  Expect(ran && relu_ok, "Big: relu over 512x512");
  Expect(big.result1()[0] == big.x()[2 * 512] && big.result1()[2 * 512 + 5] == big.x()[511 * 512 + 5],
         "Big: gather");
  big.i()[1] = 512;
  const bool failed = !big.Run(&error);
  Expect(failed && !error.empty() && error == big.last_error(),
         "Big: an index out of range fails with a message: " + error);

#if GRAPHC_COUNTS_ALLOCATIONS
  // Run() allocates nothing: the frame is on the stack, the buffers exist
  // (the thread pool's scratch and workers are made by the first runs).
  big.i()[1] = 0;
  for (int i = 0; i < 3; ++i) big.Run();
  using graphc::test::heap::process_allocations;
  using graphc::test::heap::process_counting;
  process_counting = true;
  for (int i = 0; i < 20; ++i) {
    dense.Run();
    counter.Run();
    big.Run();
  }
  process_counting = false;
  Expect(process_allocations == 0,
         "Run() makes no heap allocation (" + std::to_string(process_allocations) + " in 60 runs)");
#endif

  if (failures > 0) std::printf("%d check(s) FAILED\n", failures);
  return failures == 0 ? 0 : 1;
}
