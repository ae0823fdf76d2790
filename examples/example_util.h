// What the example programs share: their command-line flags, where the data
// sets are, a stopwatch, and the --check verdict (the targets each example
// promises, asserted by ctest).
#pragma once

#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <exception>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

// CMake points this at examples/data; --data-dir= overrides it.
#ifndef GRAPHC_EXAMPLES_DATA_DIR
#define GRAPHC_EXAMPLES_DATA_DIR "examples/data"
#endif

namespace examples {

// printf into a std::string.
inline std::string Format(const char* format, ...) __attribute__((format(printf, 1, 2)));
inline std::string Format(const char* format, ...) {
  va_list args;
  va_start(args, format);
  va_list copy;
  va_copy(copy, args);
  const int n = std::vsnprintf(nullptr, 0, format, copy);
  va_end(copy);
  std::string out(static_cast<size_t>(n > 0 ? n : 0) + 1, '\0');
  std::vsnprintf(out.data(), out.size(), format, args);
  va_end(args);
  out.pop_back();  // the terminating NUL
  return out;
}

// Flags of the form --name or --name=value. Each program lists the names it
// knows, and anything else is an error: a mistyped flag must not quietly
// run with the defaults.
class Flags {
 public:
  Flags(int argc, char** argv, const std::set<std::string>& known) {
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      if (arg.rfind("--", 0) != 0) throw std::invalid_argument("unexpected argument '" + arg + "'" + Usage(known));
      const size_t eq = arg.find('=');
      const std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
      if (!known.contains(name)) throw std::invalid_argument("unknown flag '" + arg + "'" + Usage(known));
      values_[name] = eq == std::string::npos ? "" : arg.substr(eq + 1);
    }
  }

  bool has(const std::string& name) const { return values_.contains(name); }

  std::string get(const std::string& name, const std::string& fallback) const {
    auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
  }

  int get_int(const std::string& name, int fallback) const {
    const std::string text = get(name, std::to_string(fallback));
    size_t used = 0;
    int value = 0;
    try {
      value = std::stoi(text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (text.empty() || used != text.size()) {
      throw std::invalid_argument("--" + name + " needs a whole number, got '" + text + "'");
    }
    return value;
  }

  // A data set's path: --data-dir if given, else examples/data.
  std::string data_file(const std::string& file_name) const {
    return get("data-dir", GRAPHC_EXAMPLES_DATA_DIR) + "/" + file_name;
  }

 private:
  static std::string Usage(const std::set<std::string>& known) {
    std::string usage = " (flags:";
    for (const std::string& name : known) usage += " --" + name;
    return usage + ")";
  }

  std::map<std::string, std::string> values_;
};

class Stopwatch {
 public:
  double seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }
  double milliseconds() const { return seconds() * 1e3; }

 private:
  using Clock = std::chrono::steady_clock;
  Clock::time_point start_ = Clock::now();
};

// --check: each example states the figures it promises; expect() records
// whether one was reached, and exit_code() is the program's verdict. Without
// --check the figures are only printed, and the program exits 0.
class Checks {
 public:
  explicit Checks(bool enabled) : enabled_(enabled) {}

  // `what` states the target and the figure reached, e.g.
  // "test accuracy 0.9667 >= 0.93".
  void expect(bool ok, const std::string& what) {
    if (!enabled_) return;
    std::printf("check %s: %s\n", ok ? "passed" : "FAILED", what.c_str());
    if (!ok) missed_.push_back(what);
  }

  int exit_code() const {
    if (missed_.empty()) return 0;
    std::fprintf(stderr, "%zu check(s) missed their target:\n", missed_.size());
    for (const std::string& what : missed_) std::fprintf(stderr, "  %s\n", what.c_str());
    return 1;
  }

 private:
  bool enabled_;
  std::vector<std::string> missed_;
};

// Runs an example's main body; an exception (a bad flag, a missing data
// file, a graphc::Error) becomes a message on stderr and exit code 1.
template <typename Body>
int Run(Body body) {
  try {
    return body();
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}

}  // namespace examples
