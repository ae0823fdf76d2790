#include "runtime/thread_pool.h"

#include <algorithm>
#include <chrono>
#include <memory>

namespace graphc::runtime {
namespace {

thread_local bool t_in_job = false;  // this thread is running a task

// How long an idle worker keeps polling for the next job before it goes to
// sleep. A training step's parallel calls come tens of microseconds apart,
// so workers stay awake through a step; an idle pool stops using the CPU
// after this long.
constexpr auto kSpinTime = std::chrono::microseconds(200);
// How long the caller spins for the last tasks before it yields its core
// (a worker descheduled by the OS needs the CPU back to finish).
constexpr auto kCallerSpinTime = std::chrono::microseconds(50);
// More tasks than this are grouped into ranges, so a task number fits the
// low 32 bits of the ticket.
constexpr int64_t kMaxTasks = int64_t{1} << 30;

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

uint32_t JobOf(uint64_t ticket) { return static_cast<uint32_t>(ticket >> 32); }
uint64_t TaskOf(uint64_t ticket) { return ticket & 0xffffffffu; }

// Runs the indices of task t when n indices are grouped into count tasks.
void RunTask(const std::function<void(int64_t)>& fn, int64_t n, int64_t count, int64_t t) {
  t_in_job = true;
  if (count == n) {
    fn(t);
  } else {
    for (int64_t i = n * t / count; i < n * (t + 1) / count; ++i) fn(i);
  }
  t_in_job = false;
}

}  // namespace

ThreadPool::ThreadPool(int threads) {
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true);
  {
    std::lock_guard<std::mutex> lock(mutex_);
  }
  wake_.notify_all();
  for (std::thread& w : workers_) w.join();
}

void ThreadPool::RunTasks(uint32_t job, const std::function<void(int64_t)>* fn, int64_t n, int64_t count) {
  uint64_t ticket = ticket_.load();
  while (JobOf(ticket) == job && TaskOf(ticket) < static_cast<uint64_t>(count)) {
    // Fails (reloading `ticket`) if another thread claimed this task, or if
    // the job is over and a new one has been announced.
    if (!ticket_.compare_exchange_weak(ticket, ticket + 1)) continue;
    RunTask(*fn, n, count, static_cast<int64_t>(TaskOf(ticket)));
    finished_.fetch_add(1, std::memory_order_release);
    ticket = ticket_.load();
  }
}

bool ThreadPool::WaitForJob(uint32_t seen) {
  auto open = [&] {
    const uint64_t ticket = ticket_.load();
    return JobOf(ticket) != seen && TaskOf(ticket) != kNoTasks;
  };
  const auto spin_until = std::chrono::steady_clock::now() + kSpinTime;
  while (true) {
    for (int i = 0; i < 64; ++i) {
      if (open()) return true;
      if (stop_.load(std::memory_order_relaxed)) return false;
      CpuRelax();
    }
    if (std::chrono::steady_clock::now() > spin_until) break;
  }
  // Sleep. A job start reads sleepers_ after opening its ticket, and this
  // thread reads the ticket after counting itself a sleeper (both
  // sequentially consistent), so one of the two sees the other: either the
  // job is seen here, or its caller takes the mutex and wakes us.
  std::unique_lock<std::mutex> lock(mutex_);
  sleepers_.fetch_add(1);
  while (!open() && !stop_.load()) wake_.wait(lock);
  sleepers_.fetch_sub(1);
  return !stop_.load();
}

void ThreadPool::WorkerLoop() {
  // Job 0 is the constructor's ticket, never open. (Not the ticket's
  // current job: the first job may have started before this thread.)
  uint32_t seen = 0;
  while (WaitForJob(seen)) {
    const uint64_t ticket = ticket_.load();
    seen = JobOf(ticket);
    // These may already belong to a later job; RunTasks' compare-and-swap
    // on a ticket of job `seen` then fails, so nothing runs with them.
    const std::function<void(int64_t)>* fn = fn_.load();
    const int64_t n = n_.load();
    const int64_t count = count_.load();
    RunTasks(seen, fn, n, count);
  }
}

void ThreadPool::ParallelFor(int64_t n, const std::function<void(int64_t)>& fn) {
  if (n <= 0) return;
  if (n == 1 || workers_.empty() || t_in_job || busy_.exchange(true, std::memory_order_acquire)) {
    for (int64_t i = 0; i < n; ++i) fn(i);
    return;
  }
  const int64_t count = std::min(n, kMaxTasks);
  const uint32_t job = JobOf(ticket_.load()) + 1;
  // Announce the new job closed first: from here on no claim on the old
  // job's ticket can succeed, so its late readers cannot pair the fields
  // below with it.
  ticket_.store(uint64_t{job} << 32 | kNoTasks);
  fn_.store(&fn);
  n_.store(n);
  count_.store(count);
  finished_.store(0);
  // Open the job with task 0 already taken: the caller runs it. So in a
  // stream of similar jobs the same thread tends to run the same task,
  // and finds the data that task touched last time in its own cache.
  ticket_.store(uint64_t{job} << 32 | 1);
  if (sleepers_.load() > 0) {
    { std::lock_guard<std::mutex> lock(mutex_); }
    wake_.notify_all();
  }
  RunTask(fn, n, count, 0);
  finished_.fetch_add(1, std::memory_order_release);
  RunTasks(job, &fn, n, count);
  const auto spin_until = std::chrono::steady_clock::now() + kCallerSpinTime;
  for (int i = 0; finished_.load(std::memory_order_acquire) != count; ++i) {
    if (i < 1024 || std::chrono::steady_clock::now() < spin_until) {
      CpuRelax();
    } else {
      std::this_thread::yield();
    }
  }
  busy_.store(false, std::memory_order_release);
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
