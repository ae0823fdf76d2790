// A fixed pool of worker threads for splitting large loops (standard C++
// only, like the rest of the runtime).
//
// ParallelFor(n, fn) runs fn(0) .. fn(n - 1) on the workers and the calling
// thread and returns when all are done. One job runs at a time; a call from
// inside a job, or while another thread's job runs, runs inline on the
// caller, so nesting cannot deadlock. Nothing is allocated per call. fn
// must not throw.
//
// Dispatch is meant to be cheap (about a microsecond), because a compiled
// training step makes many parallel calls of a few hundred microseconds:
// after a job, idle workers spin on an atomic for a while (kSpinTime in
// thread_pool.cc) before they block on a condition variable, so a job that
// follows soon wakes them with a single store. Tasks are claimed one at a
// time, so a worker the OS deschedules only delays the tasks it holds.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace graphc::runtime {

class ThreadPool {
 public:
  // `threads` counts the caller: a pool of 1 has no workers.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  void ParallelFor(int64_t n, const std::function<void(int64_t)>& fn);

 private:
  // The job in progress. `ticket_` holds the job's number in its high 32
  // bits and the next unclaimed task in its low 32 bits; a task is claimed
  // by a compare-and-swap, so a worker that read a finished job's fields
  // late can never claim a task of the next one (see Claim()).
  static constexpr uint64_t kNoTasks = 0xffffffffu;  // low bits of a job not yet open

  void WorkerLoop();
  // Claims and runs tasks of job `job` until none is left: fn over n
  // indices, grouped into `count` tasks.
  void RunTasks(uint32_t job, const std::function<void(int64_t)>* fn, int64_t n, int64_t count);
  // Waits (spinning, then sleeping) until a job newer than `seen` is open;
  // returns false when the pool is stopping.
  bool WaitForJob(uint32_t seen);

  std::vector<std::thread> workers_;
  std::atomic<bool> busy_{false};  // a job is in progress
  std::atomic<uint64_t> ticket_{kNoTasks};
  std::atomic<const std::function<void(int64_t)>*> fn_{nullptr};
  std::atomic<int64_t> n_{0}, count_{0};
  std::atomic<int64_t> finished_{0};
  // Sleeping workers: a job start only takes the mutex when there are any.
  std::atomic<int> sleepers_{0};
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
};

// The pool compiled kernels split large loops over. Its size defaults to
// the machine's cores (std::thread::hardware_concurrency).
ThreadPool& DefaultThreadPool();
// Replaces the default pool with one of `threads` threads (at least 1).
// Not to be called while kernels run.
void SetDefaultThreadPoolSize(int threads);

}  // namespace graphc::runtime
