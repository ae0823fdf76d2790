/* The C ABI between generated code and the graphc runtime.
 *
 * Code the compiler emits (JIT or, later, an AOT object) and the runtime
 * library that runs it agree only on what this header declares: plain C
 * types and functions, so a compiled graph links against the runtime with
 * no C++ ABI, LLVM or compiler headers involved. Any change to a signature
 * or to the meaning of an argument bumps GRAPHC_KERNEL_ABI_VERSION.
 *
 * All tensors are dense, row-major, and passed as a pointer to their first
 * element.
 */
#ifndef GRAPHC_RUNTIME_KERNEL_ABI_H_
#define GRAPHC_RUNTIME_KERNEL_ABI_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GRAPHC_KERNEL_ABI_VERSION 3

/* A generated loop (compiler/codegen/loop_emitter.h, element_emitter.h):
 * computes flat output elements [begin, end) of every output. `dims` is the
 * compiled function's frame->dims (below): its kernels compute every size
 * from those values and constants. */
typedef void (*graphc_loop_kernel)(void* const* inputs, void* const* outputs, const int64_t* dims,
                                   int64_t begin, int64_t end);

/* A compiled function (compiler/codegen/function_emitter.h) is one entry
 * point that runs the whole graph: every kernel call, copy and loop in
 * order, over buffers the caller hands it in a frame. Parameters and
 * variables are read (variables also written, in place); results are
 * written to the caller's buffers; everything else lives in the arena, a
 * block of arena_bytes (aligned to 64) the caller allocates once. The
 * entry allocates nothing. It returns 0, or non-zero after writing a
 * message (NUL-terminated, truncated to error_capacity) to `error`.
 *
 * A function compiled for a family of shapes (its parameters have `?`
 * dims) takes the values of those dims in `dims`, one int64 per symbol
 * (compiler/codegen/dim_table.h); every size in it, the arena's included,
 * is an affine function of them. Functions with static shapes ignore it
 * (it may be null). */
typedef struct graphc_call_frame {
  void* const* params;
  void* const* results;
  void* const* variables;
  uint8_t* arena;
  char* error;
  int64_t error_capacity;
  const int64_t* dims;
} graphc_call_frame;

typedef int32_t (*graphc_entry)(const graphc_call_frame* frame);

/* The version this runtime library was built with. */
int32_t graphc_kernel_abi_version(void);

/* c[m, n] = op(a) * op(b), where op(a) is a [m, k] (a^T when transpose_a,
 * a then being [k, m]) and op(b) is b [k, n] (b^T when transpose_b, b then
 * being [n, k]). c must not overlap a or b. k == 0 gives zeros.
 *
 * Result bits of graphc_matmul_f32: k is cut into ceil(k / 512) blocks of
 * equal length (the last may be shorter); within a block each c[i, j] is
 * one chain acc = fma(op(a)[i, p], op(b)[p, j], acc) over p in increasing
 * order from acc = +0.0; the blocks' sums are added in order. So the bits
 * depend only on the operands' values and k: not on the thread count,
 * the pointers' alignment, or whether the JIT computed the product inline.
 * The one exception is a matrix-vector product (m == 1 or n == 1) of more
 * than 8192 multiply-adds, or any product beyond that size when the runtime
 * is built without AVX-512: those run on Eigen, in its order.
 * graphc_matmul_f64 runs on Eigen. */
void graphc_matmul_f32(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k,
                       int32_t transpose_a, int32_t transpose_b);
void graphc_matmul_f64(const double* a, const double* b, double* c, int64_t m, int64_t n, int64_t k,
                       int32_t transpose_a, int32_t transpose_b);

/* Runs kernel over flat elements [0, n), split into one contiguous piece
 * per thread of the runtime's thread pool (fewer when n is smaller). The
 * caller decides whether the loop is worth splitting; compiled code calls
 * the kernel directly when it is not. */
void graphc_parallel_loop(graphc_loop_kernel kernel, void* const* inputs, void* const* outputs,
                          const int64_t* dims, int64_t n);

/* Writes `format` into frame->error, with each "%d" replaced by the next of
 * a, b, c (decimal). For run-time errors such as an out-of-range index. */
void graphc_set_error(const graphc_call_frame* frame, const char* format, int64_t a, int64_t b,
                      int64_t c);

/* The stateless random ops (runtime/random.h): element i of out depends
 * only on (seed, i). */
void graphc_random_uniform_f32(float* out, int64_t n, uint64_t seed, float minval, float maxval);
void graphc_random_uniform_f64(double* out, int64_t n, uint64_t seed, double minval, double maxval);
void graphc_random_normal_f32(float* out, int64_t n, uint64_t seed, float mean, float stddev);
void graphc_random_normal_f64(double* out, int64_t n, uint64_t seed, double mean, double stddev);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif  /* GRAPHC_RUNTIME_KERNEL_ABI_H_ */
