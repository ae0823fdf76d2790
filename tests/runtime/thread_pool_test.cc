// runtime::ThreadPool: every task runs exactly once, on several threads
// when the pool has workers (also after they went to sleep); nested and
// concurrent calls run inline instead of deadlocking; many short jobs in a
// row; no allocation per call; resizing the default pool.
#include "runtime/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <new>
#include <set>
#include <thread>
#include <vector>

// Counts the program's operator new calls (for DoesNotAllocatePerCall).
namespace {
std::atomic<int64_t> g_allocations{0};
}  // namespace

// The replacements pair malloc with free, which GCC cannot see once it
// inlines them (it then warns of a new/free mismatch).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(size_t bytes) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(bytes == 0 ? 1 : bytes)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace graphc::runtime {
namespace {

// Runs one job of two tasks that each wait until both have started, and
// returns how many distinct threads ran them.
size_t ThreadsInOneJob(ThreadPool& pool) {
  std::mutex mutex;
  std::set<std::thread::id> ids;
  std::atomic<int> started{0};
  pool.ParallelFor(2, [&](int64_t) {
    started++;
    while (started.load() < 2) std::this_thread::yield();
    std::lock_guard<std::mutex> lock(mutex);
    ids.insert(std::this_thread::get_id());
  });
  return ids.size();
}

TEST(ThreadPool, RunsEveryTaskOnce) {
  for (int threads : {1, 2, 4}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.size(), threads);
    for (int64_t n : {0, 1, 3, 1000}) {
      std::vector<std::atomic<int>> runs(static_cast<size_t>(n));
      pool.ParallelFor(n, [&](int64_t i) { runs[static_cast<size_t>(i)]++; });
      for (int64_t i = 0; i < n; ++i) EXPECT_EQ(runs[static_cast<size_t>(i)].load(), 1) << threads << " " << i;
    }
  }
}

TEST(ThreadPool, UsesItsWorkers) {
  ThreadPool pool(2);
  // Each task waits until two threads have taken tasks, so one thread
  // cannot run them all.
  EXPECT_EQ(ThreadsInOneJob(pool), 2u);
}

// Idle workers stop spinning and block after a while; a job must wake them.
TEST(ThreadPool, WakesSleepingWorkers) {
  ThreadPool pool(2);
  for (int round = 0; round < 3; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(ThreadsInOneJob(pool), 2u) << round;
  }
}

// Back-to-back jobs of a few tasks, the pattern of a compiled step: a
// worker still finishing one job must never run a task of the next with
// the wrong function or count.
TEST(ThreadPool, ManyShortJobsInARow) {
  ThreadPool pool(3);
  std::vector<std::atomic<int>> runs(8);
  int64_t expected[8] = {};
  for (int job = 0; job < 20000; ++job) {
    const int64_t n = 1 + job % 5;
    pool.ParallelFor(n, [&](int64_t i) { runs[static_cast<size_t>(i)]++; });
    for (int64_t i = 0; i < n; ++i) expected[i]++;
  }
  for (size_t i = 0; i < runs.size(); ++i) EXPECT_EQ(runs[i].load(), expected[i]) << i;
}

TEST(ThreadPool, DoesNotAllocatePerCall) {
  ThreadPool pool(2);
  std::atomic<int64_t> sum{0};
  std::atomic<int64_t>* s = &sum;
  const std::function<void(int64_t)> fn = [s](int64_t i) { s->fetch_add(i); };
  pool.ParallelFor(4, fn);
  const int64_t before = g_allocations.load();
  for (int i = 0; i < 1000; ++i) pool.ParallelFor(4, fn);
  EXPECT_EQ(g_allocations.load(), before);
  EXPECT_EQ(sum.load(), 1001 * 6);
}

// Destroying a pool right after a job (workers still spinning) joins them.
TEST(ThreadPool, DestroysRightAfterAJob) {
  for (int i = 0; i < 50; ++i) {
    ThreadPool pool(2);
    std::atomic<int> runs{0};
    pool.ParallelFor(2, [&](int64_t) { runs++; });
    EXPECT_EQ(runs.load(), 2);
  }
}

TEST(ThreadPool, NestedAndConcurrentCallsRunInline) {
  ThreadPool pool(2);
  std::atomic<int> inner{0};
  pool.ParallelFor(4, [&](int64_t) { pool.ParallelFor(3, [&](int64_t) { inner++; }); });
  EXPECT_EQ(inner.load(), 12);
  std::atomic<int> total{0};
  std::vector<std::thread> callers;
  for (int c = 0; c < 4; ++c) {
    callers.emplace_back([&] { pool.ParallelFor(100, [&](int64_t) { total++; }); });
  }
  for (std::thread& t : callers) t.join();
  EXPECT_EQ(total.load(), 400);
}

// Callers on several threads at once, many times: whichever gets the pool
// runs its job there, the others inline; every task still runs once.
TEST(ThreadPool, ConcurrentCallersMany) {
  ThreadPool pool(2);
  std::atomic<int64_t> total{0};
  std::vector<std::thread> callers;
  for (int c = 0; c < 3; ++c) {
    callers.emplace_back([&] {
      for (int job = 0; job < 2000; ++job) pool.ParallelFor(3, [&](int64_t i) { total += i + 1; });
    });
  }
  for (std::thread& t : callers) t.join();
  EXPECT_EQ(total.load(), 3 * 2000 * 6);
}

TEST(ThreadPool, DefaultPoolResizes) {
  const int before = DefaultThreadPool().size();
  EXPECT_GE(before, 1);
  SetDefaultThreadPoolSize(3);
  EXPECT_EQ(DefaultThreadPool().size(), 3);
  SetDefaultThreadPoolSize(0);  // clamped to 1
  EXPECT_EQ(DefaultThreadPool().size(), 1);
  SetDefaultThreadPoolSize(before);
  EXPECT_EQ(DefaultThreadPool().size(), before);
}

}  // namespace
}  // namespace graphc::runtime
