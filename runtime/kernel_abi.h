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

#define GRAPHC_KERNEL_ABI_VERSION 1

/* A generated elementwise loop (compiler/codegen/loop_emitter.h): computes
 * flat output elements [begin, end) of every output. out_dims holds the
 * iteration shape (its rank is fixed per kernel); in_strides[k * rank + d]
 * is input k's element stride along output dim d (0 where it broadcasts). */
typedef void (*graphc_loop_kernel)(void* const* inputs, void* const* outputs, const int64_t* out_dims,
                                   const int64_t* in_strides, int64_t begin, int64_t end);

/* The version this runtime library was built with. */
int32_t graphc_kernel_abi_version(void);

/* c[m, n] = op(a) * op(b), where op(a) is a [m, k] (a^T when transpose_a,
 * a then being [k, m]) and op(b) is b [k, n] (b^T when transpose_b, b then
 * being [n, k]). c must not overlap a or b. k == 0 gives zeros. */
void graphc_matmul_f32(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k,
                       int32_t transpose_a, int32_t transpose_b);
void graphc_matmul_f64(const double* a, const double* b, double* c, int64_t m, int64_t n, int64_t k,
                       int32_t transpose_a, int32_t transpose_b);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif  /* GRAPHC_RUNTIME_KERNEL_ABI_H_ */
