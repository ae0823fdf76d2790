// The IR text corpus: every tests/gir/*.gir file is canonical printer output
// that parses and prints back unchanged; every tests/gir/malformed/*.gir file
// fails to parse with a positioned error. Together the valid files use every
// registered op, so a new op needs a round-trip example.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "ir/op_registry.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "tests/common/test_files.h"

namespace graphc::ir {
namespace {

namespace fs = std::filesystem;

const fs::path kGirDir = fs::path(__FILE__).parent_path().parent_path() / "gir";

std::vector<fs::path> GirFiles(const fs::path& dir) { return test::FilesIn(dir, ".gir"); }
using test::ReadFile;

// True if `message` reads "NAME:LINE:COL: error: ...".
bool HasFileLineColPrefix(const std::string& message, const std::string& name) {
  if (message.rfind(name + ":", 0) != 0) return false;
  size_t pos = name.size() + 1;
  for (int field = 0; field < 2; ++field) {
    const size_t start = pos;
    while (pos < message.size() && std::isdigit(static_cast<unsigned char>(message[pos]))) ++pos;
    if (pos == start || pos >= message.size() || message[pos] != ':') return false;
    ++pos;
  }
  return message.compare(pos, 8, " error: ") == 0;
}

TEST(RoundTrip, ValidCorpusIsCanonical) {
  std::vector<fs::path> files = GirFiles(kGirDir);
  EXPECT_GE(files.size(), 12u);
  for (const fs::path& path : files) {
    SCOPED_TRACE(path.filename().string());
    const std::string text = ReadFile(path);
    absl::StatusOr<std::unique_ptr<Module>> m = ParseModule(text, path.filename().string());
    ASSERT_TRUE(m.ok()) << m.status();
    const std::string printed = PrintModule(**m);
    EXPECT_EQ(printed, text) << "the file is not in canonical form";
    absl::StatusOr<std::unique_ptr<Module>> again = ParseModule(printed, "printed");
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(PrintModule(**again), printed);
  }
}

TEST(RoundTrip, CorpusUsesEveryOp) {
  std::set<std::string, std::less<>> used;
  for (const fs::path& path : GirFiles(kGirDir)) {
    absl::StatusOr<std::unique_ptr<Module>> m = ParseModule(ReadFile(path), path.string());
    if (!m.ok()) continue;  // reported by ValidCorpusIsCanonical
    for (const auto& f : (*m)->functions()) {
      WalkOps(f->body(), [&](const Op* op) { used.emplace(op->name()); });
    }
  }
  for (const OpDef* def : OpRegistry::Get().All()) {
    EXPECT_TRUE(used.count(def->name) > 0) << "no file in tests/gir uses op '" << def->name << "'";
  }
}

TEST(RoundTrip, MalformedCorpusFailsWithPositionedErrors) {
  std::vector<fs::path> files = GirFiles(kGirDir / "malformed");
  EXPECT_GE(files.size(), 20u);
  for (const fs::path& path : files) {
    const std::string name = path.filename().string();
    SCOPED_TRACE(name);
    const std::string text = ReadFile(path);
    // The first line says what the error must contain.
    const std::string prefix = "// expect: ";
    ASSERT_EQ(text.compare(0, prefix.size(), prefix), 0) << "first line must be '// expect: ...'";
    const std::string expect = text.substr(prefix.size(), text.find('\n') - prefix.size());
    ASSERT_FALSE(expect.empty());

    absl::StatusOr<std::unique_ptr<Module>> m = ParseModule(text, name);
    ASSERT_FALSE(m.ok()) << "parsed without error";
    const std::string message(m.status().message());
    EXPECT_TRUE(HasFileLineColPrefix(message, name)) << message;
    EXPECT_EQ(message.rfind(name + ":", 0), 0u) << message;
    EXPECT_NE(message.find(expect), std::string::npos)
        << "message: " << message << "\nexpected to contain: " << expect;
    EXPECT_EQ(message.find('\n'), std::string::npos) << "errors are one line";
  }
}

}  // namespace
}  // namespace graphc::ir
