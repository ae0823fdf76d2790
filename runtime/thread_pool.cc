#include "runtime/thread_pool.h"

#include <algorithm>
#include <memory>

namespace graphc::runtime {
namespace {

thread_local bool t_in_job = false;  // this thread is running a task

}  // namespace

ThreadPool::ThreadPool(int threads) {
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  work_ready_.notify_all();
  for (std::thread& w : workers_) w.join();
}

void ThreadPool::RunTasks() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (fn_ != nullptr && next_ < count_) {
    const int64_t task = next_++;
    const std::function<void(int64_t)>& fn = *fn_;
    lock.unlock();
    t_in_job = true;
    fn(task);
    t_in_job = false;
    lock.lock();
    if (++finished_ == count_) work_done_.notify_all();
  }
}

void ThreadPool::WorkerLoop() {
  uint64_t seen = 0;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      work_ready_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
    }
    RunTasks();
  }
}

void ThreadPool::ParallelFor(int64_t n, const std::function<void(int64_t)>& fn) {
  if (n <= 0) return;
  std::unique_lock<std::mutex> job(job_mutex_, std::defer_lock);
  if (n == 1 || workers_.empty() || t_in_job || !job.try_lock()) {
    for (int64_t i = 0; i < n; ++i) fn(i);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    fn_ = &fn;
    next_ = 0;
    count_ = n;
    finished_ = 0;
    ++generation_;
  }
  work_ready_.notify_all();
  RunTasks();
  std::unique_lock<std::mutex> lock(mutex_);
  work_done_.wait(lock, [&] { return finished_ == count_; });
  fn_ = nullptr;
}

namespace {

std::unique_ptr<ThreadPool>& DefaultPoolSlot() {
  static std::unique_ptr<ThreadPool>* pool = new std::unique_ptr<ThreadPool>(
      std::make_unique<ThreadPool>(std::max(1u, std::thread::hardware_concurrency())));
  return *pool;
}

}  // namespace

ThreadPool& DefaultThreadPool() { return *DefaultPoolSlot(); }

void SetDefaultThreadPoolSize(int threads) {
  std::unique_ptr<ThreadPool>& slot = DefaultPoolSlot();
  if (slot->size() == std::max(1, threads)) return;
  slot.reset();  // joins the old workers first
  slot = std::make_unique<ThreadPool>(std::max(1, threads));
}

}  // namespace graphc::runtime
