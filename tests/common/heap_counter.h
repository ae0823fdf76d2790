// Counting heap allocations in a test program. Including this header
// replaces the C library's malloc family (which operator new, Eigen and
// everything else end in) with versions that count the calls made while
// counting is on and then call glibc's own, so a test sees every heap
// allocation, by any code. The replacement is process-wide: include this in
// exactly one source file of a program (tests/alloc/no_allocation_test.cc,
// tests/aot/models_main.cc). Under AddressSanitizer, which replaces malloc
// itself, or without glibc, nothing is replaced and
// GRAPHC_COUNTS_ALLOCATIONS is 0.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>  // defines __GLIBC__ with glibc

#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
#define GRAPHC_COUNTS_ALLOCATIONS 1
#else
#define GRAPHC_COUNTS_ALLOCATIONS 0
#endif

namespace graphc::test::heap {

// Allocations this thread makes while it counts (this_thread_counting).
inline thread_local bool this_thread_counting = false;
inline thread_local int64_t this_thread_allocations = 0;
inline thread_local int64_t this_thread_bytes = 0;

// Allocations any thread makes while the process counts.
inline std::atomic<bool> process_counting{false};
inline std::atomic<int64_t> process_allocations{0};

inline void Count(size_t bytes) {
  if (this_thread_counting) {
    ++this_thread_allocations;
    this_thread_bytes += static_cast<int64_t>(bytes);
  }
  if (process_counting.load(std::memory_order_relaxed)) process_allocations.fetch_add(1, std::memory_order_relaxed);
}

// The heap allocations `fn` makes on this thread (their bytes are then in
// this_thread_bytes).
template <typename Fn>
int64_t AllocationsIn(Fn&& fn) {
  this_thread_allocations = 0;
  this_thread_bytes = 0;
  this_thread_counting = true;
  fn();
  this_thread_counting = false;
  return this_thread_allocations;
}

}  // namespace graphc::test::heap

#if GRAPHC_COUNTS_ALLOCATIONS
// glibc's own allocator under its internal names.
extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void* __libc_memalign(size_t, size_t);
void __libc_free(void*);

void* malloc(size_t n) {
  graphc::test::heap::Count(n);
  return __libc_malloc(n);
}
void* calloc(size_t n, size_t size) {
  graphc::test::heap::Count(n * size);
  return __libc_calloc(n, size);
}
void* realloc(void* p, size_t n) {
  graphc::test::heap::Count(n);
  return __libc_realloc(p, n);
}
void* memalign(size_t alignment, size_t n) {
  graphc::test::heap::Count(n);
  return __libc_memalign(alignment, n);
}
void* aligned_alloc(size_t alignment, size_t n) {
  graphc::test::heap::Count(n);
  return __libc_memalign(alignment, n);
}
int posix_memalign(void** out, size_t alignment, size_t n) {
  graphc::test::heap::Count(n);
  *out = __libc_memalign(alignment, n);
  return *out == nullptr ? 12 /* ENOMEM */ : 0;
}
void free(void* p) { __libc_free(p); }
}  // extern "C"
#endif
