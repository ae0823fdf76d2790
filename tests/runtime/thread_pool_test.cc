// runtime::ThreadPool: every task runs exactly once, on several threads
// when the pool has workers; nested and concurrent calls run inline
// instead of deadlocking; resizing the default pool.
#include "runtime/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace graphc::runtime {
namespace {

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
  std::mutex mutex;
  std::set<std::thread::id> ids;
  // Each task waits until two threads have taken tasks, so one thread
  // cannot run them all.
  std::atomic<int> started{0};
  pool.ParallelFor(2, [&](int64_t) {
    started++;
    while (started.load() < 2) std::this_thread::yield();
    std::lock_guard<std::mutex> lock(mutex);
    ids.insert(std::this_thread::get_id());
  });
  EXPECT_EQ(ids.size(), 2u);
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
