// Reading the test data under tests/: the IR corpus and golden files.
// Header-only, so every test binary can use it without linking anything.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace graphc::test {

// tests/ in the source tree.
inline const std::filesystem::path kTestsDir =
    std::filesystem::path(__FILE__).parent_path().parent_path();

// The regular files in `dir` ending in `extension` (".gir"), sorted.
inline std::vector<std::filesystem::path> FilesIn(const std::filesystem::path& dir,
                                                  std::string_view extension) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == extension) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The whole file (empty if it cannot be read).
inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace graphc::test
