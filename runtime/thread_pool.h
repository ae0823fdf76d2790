// A fixed pool of worker threads for splitting large loops (standard C++
// only, like the rest of the runtime).
//
// ParallelFor(n, fn) runs fn(0) .. fn(n - 1) on the workers and the calling
// thread and returns when all are done. One job runs at a time; a call from
// inside a job, or while another thread's job runs, runs inline on the
// caller, so nesting cannot deadlock. Nothing is allocated per call.
#pragma once

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
  void WorkerLoop();
  // Takes and runs tasks of the current job until none is left.
  void RunTasks();

  std::vector<std::thread> workers_;
  std::mutex job_mutex_;  // held by the caller for the whole of a job
  std::mutex mutex_;      // guards the fields below
  std::condition_variable work_ready_, work_done_;
  const std::function<void(int64_t)>* fn_ = nullptr;
  int64_t next_ = 0, count_ = 0, finished_ = 0;
  uint64_t generation_ = 0;
  bool stop_ = false;
};

// The pool compiled kernels split large loops over. Its size defaults to
// the machine's cores (std::thread::hardware_concurrency).
ThreadPool& DefaultThreadPool();
// Replaces the default pool with one of `threads` threads (at least 1).
// Not to be called while kernels run.
void SetDefaultThreadPoolSize(int threads);

}  // namespace graphc::runtime
