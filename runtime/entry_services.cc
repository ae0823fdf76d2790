// What compiled entry points call in the runtime besides the GEMM
// (runtime/kernel_abi.h): split loops over the thread pool, report run-time
// errors, fill random tensors. Plain C++; nothing here allocates.
#include <cstdint>
#include <cstring>

#include "runtime/kernel_abi.h"
#include "runtime/random.h"
#include "runtime/thread_pool.h"

namespace {

// Appends the decimal digits of v to out[*len] (bounded by cap - 1).
void AppendInt(char* out, int64_t* len, int64_t cap, int64_t v) {
  char digits[24];
  int n = 0;
  const bool negative = v < 0;
  // Work with the negative value so INT64_MIN has no overflow.
  int64_t rest = negative ? v : -v;
  do {
    digits[n++] = static_cast<char>('0' - rest % 10);
    rest /= 10;
  } while (rest != 0);
  if (negative) digits[n++] = '-';
  while (n > 0 && *len < cap - 1) out[(*len)++] = digits[--n];
}

// out[i] = draw(i) for i < n: element i of a random tensor depends only on
// its seed and i (runtime/random.h).
template <typename T, typename Draw>
void Fill(T* out, int64_t n, const Draw& draw) {
  for (int64_t i = 0; i < n; ++i) out[i] = draw(static_cast<uint64_t>(i));
}

}  // namespace

extern "C" {

void graphc_parallel_loop(graphc_loop_kernel kernel, void* const* inputs, void* const* outputs,
                          const int64_t* dims, int64_t n) {
  graphc::runtime::ThreadPool& pool = graphc::runtime::DefaultThreadPool();
  // The caller judged the loop worth splitting (by its work: a reduction's
  // few outputs may each read many elements); at most one piece per element.
  const int64_t pieces = n < pool.size() ? n : pool.size();
  if (pieces <= 1) {
    kernel(inputs, outputs, dims, 0, n);
    return;
  }
  // One captured pointer, so the std::function holds the lambda in place
  // (no heap allocation).
  struct Loop {
    graphc_loop_kernel kernel;
    void* const* inputs;
    void* const* outputs;
    const int64_t* dims;
    int64_t n, pieces;
  } loop{kernel, inputs, outputs, dims, n, pieces};
  const Loop* l = &loop;
  pool.ParallelFor(pieces, [l](int64_t p) {
    l->kernel(l->inputs, l->outputs, l->dims, l->n * p / l->pieces,
              l->n * (p + 1) / l->pieces);
  });
}

void graphc_set_error(const graphc_call_frame* frame, const char* format, int64_t a, int64_t b,
                      int64_t c) {
  if (frame->error == nullptr || frame->error_capacity <= 0) return;
  const int64_t cap = frame->error_capacity;
  const int64_t args[3] = {a, b, c};
  int next_arg = 0;
  int64_t len = 0;
  for (const char* p = format; *p != '\0' && len < cap - 1; ++p) {
    if (p[0] == '%' && p[1] == 'd' && next_arg < 3) {
      AppendInt(frame->error, &len, cap, args[next_arg++]);
      ++p;
    } else {
      frame->error[len++] = *p;
    }
  }
  frame->error[len] = '\0';
}

void graphc_random_uniform_f32(float* out, int64_t n, uint64_t seed, float minval, float maxval) {
  Fill(out, n, [&](uint64_t i) { return graphc::runtime::UniformF32(seed, i, minval, maxval); });
}
void graphc_random_uniform_f64(double* out, int64_t n, uint64_t seed, double minval, double maxval) {
  Fill(out, n, [&](uint64_t i) { return graphc::runtime::UniformF64(seed, i, minval, maxval); });
}
void graphc_random_normal_f32(float* out, int64_t n, uint64_t seed, float mean, float stddev) {
  Fill(out, n, [&](uint64_t i) { return graphc::runtime::NormalF32(seed, i, mean, stddev); });
}
void graphc_random_normal_f64(double* out, int64_t n, uint64_t seed, double mean, double stddev) {
  Fill(out, n, [&](uint64_t i) { return graphc::runtime::NormalF64(seed, i, mean, stddev); });
}

}  // extern "C"
