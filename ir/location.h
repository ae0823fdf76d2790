// Where an op came from: the user's C++ source (captured by the API with
// std::source_location) or an IR file. Printed as `loc("file.cc":12:5)`.
#pragma once

#include <string>

namespace graphc::ir {

struct Location {
  std::string file;  // empty: unknown
  int line = 0;
  int col = 0;

  bool known() const { return !file.empty(); }
  // "file.cc:12:5", or "" when unknown.
  std::string ToString() const {
    if (!known()) return "";
    return file + ":" + std::to_string(line) + ":" + std::to_string(col);
  }
  friend bool operator==(const Location&, const Location&) = default;
};

}  // namespace graphc::ir
