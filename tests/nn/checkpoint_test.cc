// nn::save_variables / load_variables (safetensors): round trips of every
// dtype, the exact bytes written (the reference implementation's own
// golden file), reading a file written elsewhere (other order, extra
// tensors, __metadata__, escapes), all-or-nothing loading, and one test per
// error path on hand-made files.
#include "nn/checkpoint.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>

#include "tests/common/test_files.h"
#include "tests/nn/test_util.h"

namespace graphc::nn {
namespace {

using test_util::MessageOf;

// A path in the temporary directory, named after the test.
std::string TempPath(const std::string& suffix = "") {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return ::testing::TempDir() + "graphc_ckpt_" + info->test_suite_name() + "_" + info->name() + suffix +
         ".safetensors";
}

std::string LittleEndian64(uint64_t n) {
  std::string s;
  for (int i = 0; i < 8; ++i) s += static_cast<char>((n >> (8 * i)) & 0xFF);
  return s;
}

// The bytes of floats, little-endian (the test machine is little-endian,
// as the header length check below also assumes).
template <typename T>
std::string Bytes(std::initializer_list<T> values) {
  std::string s(values.size() * sizeof(T), '\0');
  std::memcpy(s.data(), std::data(values), s.size());
  return s;
}

// A safetensors file from its parts, written to a temporary path.
std::string WriteFile(const std::string& header, const std::string& data, const std::string& suffix = "") {
  const std::string path = TempPath(suffix);
  std::ofstream(path, std::ios::binary) << LittleEndian64(header.size()) << header << data;
  return path;
}

// Expects load_variables(path, variables) to fail with `expected` in the
// message, which must also name the file.
void ExpectLoadError(const std::string& path, const NamedVariables& variables, const std::string& expected) {
  const std::string message = MessageOf([&] { load_variables(path, variables); });
  EXPECT_NE(message.find("load_variables(" + path + "): "), std::string::npos) << message;
  EXPECT_NE(message.find(expected), std::string::npos) << "expected \"" << expected << "\" in: " << message;
}

TEST(Checkpoint, RoundTripOfEveryDTypeAndShape) {
  const float inf = std::numeric_limits<float>::infinity();
  const NamedVariables saved = {
      {"dense/kernel", Variable(constant({{1.5f, -0.0f, inf}, {1e-40f, 3.4e38f, -7.25f}}))},
      {"scalar", Variable(constant(0.1, float64))},
      {"counts", Variable(constant({1, -2, 2147483647, -2147483647 - 1}))},
      {"step", Variable(constant(std::vector<int64_t>{int64_t{1} << 53, -(int64_t{1} << 53), 3}, Shape{3}, int64))},
      {"bytes", Variable(constant(std::vector<int>{-128, 0, 127}, Shape{3}, int8))},
      {"mask", Variable(constant({{true, false}, {false, true}}))},
      {"empty", Variable(zeros({0, 3}))},
  };
  const std::string path = TempPath();
  save_variables(path, saved);

  NamedVariables loaded;
  for (const auto& [name, v] : saved) loaded.emplace_back(name, Variable(zeros_like(v.value())));
  load_variables(path, loaded);
  for (size_t i = 0; i < saved.size(); ++i) {
    const Tensor want = saved[i].second.value(), got = loaded[i].second.value();
    SCOPED_TRACE(saved[i].first);
    EXPECT_EQ(got.dtype(), want.dtype());
    EXPECT_EQ(got.shape(), want.shape());
    if (want.dtype() == int64) {
      EXPECT_EQ(got.to_vector<int64_t>(), want.to_vector<int64_t>());
    } else {
      EXPECT_EQ(got.to_vector<double>(), want.to_vector<double>());
    }
  }
  EXPECT_TRUE(std::signbit(loaded[0].second.value().to_vector<float>()[1]));  // -0 stays -0
}

TEST(Checkpoint, Int64BeyondDoublePrecision) {
  // graphc::constant takes doubles, so these values cannot be made in the
  // test with it; they come from the file, and must come back unchanged.
  const int64_t big = (int64_t{1} << 60) + 1;
  const int64_t values[] = {big, -big, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(),
                            (int64_t{1} << 53) + 1, -3};
  const std::string data(reinterpret_cast<const char*>(values), sizeof(values));
  const std::string header = R"({"n":{"dtype":"I64","shape":[6],"data_offsets":[0,48]}})";
  const std::string padded = header + std::string((8 - header.size() % 8) % 8, ' ');
  const std::string path = WriteFile(padded, data);
  Variable n(zeros({6}, int64));
  load_variables(path, {{"n", n}});
  EXPECT_EQ(n.value().to_vector<int64_t>(), std::vector<int64_t>(std::begin(values), std::end(values)));
  const std::string resaved = TempPath("_resaved");
  save_variables(resaved, {{"n", n}});
  EXPECT_EQ(test::ReadFile(resaved), test::ReadFile(path));
}

TEST(Checkpoint, NaNSurvives) {
  const std::string path = TempPath();
  save_variables(path, {{"x", Variable(constant({std::nanf(""), 1.f}))}});
  Variable x(zeros({2}));
  load_variables(path, {{"x", x}});
  EXPECT_TRUE(std::isnan(x.value().to_vector<float>()[0]));
}

TEST(Checkpoint, GoldenBytesMatchTheReferenceImplementation) {
  // huggingface/safetensors' own test (test_serialization_forced_alignement
  // in safetensors/src/tensor.rs): "attn0", F32, shape [1,1,2,3], values
  // 0..5 serialise to these 8 + 72 + 24 bytes, the header padded with 7
  // spaces.
  const std::string path = TempPath();
  save_variables(path, {{"attn0", Variable(constant(std::vector<float>{0, 1, 2, 3, 4, 5}, Shape{1, 1, 2, 3}))}});
  const std::string header = "{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}       ";
  ASSERT_EQ(header.size(), 72u);
  const std::string expected = std::string("\x48\0\0\0\0\0\0\0", 8) + header +
                               std::string("\0\0\0\0\0\0\x80\x3f\0\0\0\x40\0\0\x40\x40\0\0\x80\x40\0\0\xa0\x40", 24);
  EXPECT_EQ(test::ReadFile(path), expected);
}

TEST(Checkpoint, GoldenBytesOfNoVariables) {
  // The reference implementation's test_empty: "{}" and six spaces.
  const std::string path = TempPath();
  save_variables(path, {});
  EXPECT_EQ(test::ReadFile(path), LittleEndian64(8) + "{}      ");
  load_variables(path, {});
}

TEST(Checkpoint, TensorsOrderedByDTypeThenName) {
  // As the reference implementation: I64 before F64 before F32 before I32
  // before I8 before BOOL (largest elements first: every tensor aligned),
  // then by name; names escaped as JSON.
  const std::string path = TempPath();
  save_variables(path, {{"m", Variable(constant({true}))},
                        {"b", Variable(constant({1.f}))},
                        {"a\"\n", Variable(constant({2.f}))},
                        {"i", Variable(constant({7}))},
                        {"l", Variable(constant(std::vector<int64_t>{9}, Shape{1}, int64))},
                        {"d", Variable(constant({1.0}, float64))},
                        {"c", Variable(constant(std::vector<int>{3}, Shape{1}, int8))}});
  const std::string header =
      "{\"l\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]},"
      "\"d\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]},"
      "\"a\\\"\\n\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[16,20]},"
      "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[20,24]},"
      "\"i\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[24,28]},"
      "\"c\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[28,29]},"
      "\"m\":{\"dtype\":\"BOOL\",\"shape\":[1],\"data_offsets\":[29,30]}}";
  const std::string padded = header + std::string((8 - header.size() % 8) % 8, ' ');
  const std::string file = test::ReadFile(path);
  EXPECT_EQ(file.substr(0, 8), LittleEndian64(padded.size()));
  EXPECT_EQ(file.substr(8, padded.size()), padded);
  EXPECT_EQ(file.size(), 8 + padded.size() + 30);
}

TEST(Checkpoint, ReadsAFileWrittenElsewhere) {
  // Pretty-printed, keys in another order, tensors in an order of their
  // own, extra tensors of a dtype graphc lacks (F16) and of one this reader
  // does not know (F4: four 4-bit numbers in 2 bytes), and __metadata__
  // with escapes.
  const std::string header = R"({
  "__metadata__": {"format": "pt", "note": "a \"quoted\" \u00e9 \ud83d\ude00 \/ \\"},
  "extra": {"dtype": "F16", "shape": [2], "data_offsets": [12, 16]},
  "w": {"data_offsets": [0, 8], "shape": [2], "dtype": "F32"},
  "future": {"dtype": "F4", "shape": [4], "data_offsets": [16, 18]},
  "b": {"shape": [], "dtype": "I32", "data_offsets": [8, 12]}
}   )";
  const std::string path = WriteFile(header, Bytes({1.5f, -2.f}) + Bytes({7}) + "\x01\x02\x03\x04\x05\x06");
  Variable b(Tensor(0)), w(zeros({2}));
  load_variables(path, {{"b", b}, {"w", w}});
  EXPECT_EQ(b.value().item<int32_t>(), 7);
  EXPECT_EQ(w.value().to_vector<float>(), (std::vector<float>{1.5f, -2.f}));
  ExpectLoadError(path, {{"future", Variable(zeros({4}))}}, "variable 'future': the file has dtype F4");
}

TEST(Checkpoint, SaveReplacesAnExistingFile) {
  const std::string path = TempPath();
  save_variables(path, {{"x", Variable(zeros({100}))}});
  save_variables(path, {{"x", Variable(ones({1}))}});
  Variable x(zeros({1}));
  load_variables(path, {{"x", x}});
  EXPECT_EQ(x.value().to_vector<float>(), std::vector<float>{1});
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(Checkpoint, WorksWhileTracing) {
  // Called from inside a traced function, both still act at once on the
  // values (they open an init_scope).
  const std::string path = TempPath();
  Variable v(constant({3.f})), u(zeros({1}));
  auto f = function([&](const Tensor& x) {
    save_variables(path, {{"v", v}});
    load_variables(path, {{"v", u}});
    return x + 1;
  });
  EXPECT_EQ(f(constant({1.f})).to_vector<float>(), std::vector<float>{2});
  EXPECT_EQ(u.value().to_vector<float>(), std::vector<float>{3});
}

TEST(Checkpoint, LoadingIsAllOrNothing) {
  const std::string path = TempPath();
  save_variables(path, {{"a", Variable(ones({2}))}, {"b", Variable(ones({3}))}});
  Variable a(zeros({2})), b(zeros({4}));  // b's shape does not match
  ExpectLoadError(path, {{"a", a}, {"b", b}}, "variable 'b'");
  EXPECT_EQ(a.value().to_vector<float>(), (std::vector<float>{0, 0}));
  Variable c(zeros({1}));
  ExpectLoadError(path, {{"a", a}, {"c", c}}, "variable 'c' is not in the file");
  EXPECT_EQ(a.value().to_vector<float>(), (std::vector<float>{0, 0}));
}

// ---- errors when saving ----

TEST(CheckpointSaveErrors, DuplicateNames) {
  Variable v(zeros({1}));
  const std::string path = TempPath();
  const std::string message = MessageOf([&] { save_variables(path, {{"w", v}, {"x", v}, {"w", v}}); });
  EXPECT_NE(message.find("save_variables(" + path + "): variable 'w': the name appears twice"), std::string::npos)
      << message;
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(CheckpointSaveErrors, ReservedOrInvalidNames) {
  Variable v(zeros({1}));
  EXPECT_NE(MessageOf([&] { save_variables(TempPath(), {{"__metadata__", v}}); }).find("reserved"),
            std::string::npos);
  EXPECT_NE(MessageOf([&] { save_variables(TempPath(), {{"\xff", v}}); }).find("not valid UTF-8"),
            std::string::npos);
}

TEST(CheckpointSaveErrors, UnwritablePath) {
  const std::string path = ::testing::TempDir() + "graphc_no_such_dir/x.safetensors";
  const std::string message = MessageOf([&] { save_variables(path, {{"v", Variable(zeros({1}))}}); });
  EXPECT_NE(message.find("save_variables(" + path + "): cannot create"), std::string::npos) << message;
}

// ---- errors when loading ----

const std::string kW8 = R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";

TEST(CheckpointLoadErrors, MissingFile) {
  const std::string path = TempPath();
  try {
    load_variables(path, {});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status().code(), absl::StatusCode::kNotFound);
    EXPECT_NE(std::string(e.what()).find("load_variables(" + path + "): no such file"), std::string::npos)
        << e.what();
  }
}

TEST(CheckpointLoadErrors, Directory) {
  ExpectLoadError(::testing::TempDir(), {}, "it is a directory");
}

TEST(CheckpointLoadErrors, TruncatedHeader) {
  const std::string short_path = TempPath("_short");
  std::ofstream(short_path, std::ios::binary) << std::string("\x10\0\0", 3);
  ExpectLoadError(short_path, {}, "truncated header: the file has 3 bytes");
  const std::string cut = TempPath("_cut");
  std::ofstream(cut, std::ios::binary) << LittleEndian64(100) << kW8;
  ExpectLoadError(cut, {}, "truncated header: its length says 100 bytes, but 54 follow");
  const std::string huge = TempPath("_huge");
  std::ofstream(huge, std::ios::binary) << LittleEndian64(uint64_t{1} << 62) << kW8;
  ExpectLoadError(huge, {}, "over the limit");
}

TEST(CheckpointLoadErrors, TruncatedData) {
  const std::string path = TempPath();
  save_variables(path, {{"w", Variable(zeros({4}))}});
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 3);
  ExpectLoadError(path, {},
                  "tensor 'w': data_offsets [0,16] run past the end of the data (13 bytes): the file is truncated");
}

TEST(CheckpointLoadErrors, MalformedJson) {
  const std::string data = Bytes({1.f, 2.f});
  const std::pair<std::string, std::string> cases[] = {
      {R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})", "expected '}', found the end"},
      {R"( {"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", "begin with '{'"},
      {R"([])", "begin with '{'"},
      {R"({"w":{"dtype":F32,"shape":[2],"data_offsets":[0,8]}})", "expected '\"', found 'F'"},
      {R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8],}})", "expected '\"', found '}'"},
      {R"({"w":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}})", "found a fraction or exponent"},
      {R"({"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", "expected a non-negative integer"},
      {R"({"w":{"dtype":"F32","shape":[02],"data_offsets":[0,8]}})", "leading zero"},
      {R"({"w":{"dtype":"F32","shape":[18446744073709551616],"data_offsets":[0,8]}})", "too large for 64 bits"},
      {R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0]}})", "data_offsets needs two integers"},
      {R"({"w":{"dtype":"F32","shape":[2]}})", "tensor 'w' lacks data_offsets"},
      {R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"x":1}})", "unknown key \"x\""},
      {R"({"w":{"dtype":"F32","shape":[2],"dtype":"F32","data_offsets":[0,8]}})", "duplicate key \"dtype\""},
      {R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})",
       "duplicate key \"w\""},
      {R"({"__metadata__":{"a":1},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", "expected '\"', found '1'"},
      {R"({"w\q":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", "unknown escape '\\q'"},
      {R"({"w\ud800":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", "unpaired UTF-16 surrogate"},
      {"{\"w\x01\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "control character"},
      {"{\"w\xc3\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "not valid UTF-8"},
      {kW8 + " x", "unexpected text after the header's closing '}'"},
      {R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8)", "expected ']', found the end"},
  };
  int i = 0;
  for (const auto& [header, expected] : cases) {
    SCOPED_TRACE(header);
    ExpectLoadError(WriteFile(header, data, "_" + std::to_string(i++)), {}, expected);
  }
  // The message says where.
  ExpectLoadError(WriteFile(R"({"w":{"dtype":F32}})", data, "_at"), {}, "malformed header at byte 14 of the JSON");
}

TEST(CheckpointLoadErrors, OffsetsOutOfRange) {
  ExpectLoadError(WriteFile(R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", Bytes({1.f, 2.f})), {},
                  "tensor 'w': data_offsets [0,16] run past the end of the data (8 bytes)");
  ExpectLoadError(WriteFile(R"({"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}})", Bytes({1.f, 2.f}), "_rev"),
                  {}, "tensor 'w': data_offsets [8,0] end before they begin");
}

TEST(CheckpointLoadErrors, OverlappingOffsets) {
  // b's bytes 4..12 overlap a's 0..8: two names for the same bytes.
  ExpectLoadError(WriteFile(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                            R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                            Bytes({1.f, 2.f, 3.f})),
                  {}, "tensor 'b': data_offsets [4,12] overlap tensor 'a'");
}

TEST(CheckpointLoadErrors, GapsAndTrailingBytes) {
  ExpectLoadError(WriteFile(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                            R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
                            Bytes({1.f, 2.f, 3.f})),
                  {}, "tensor 'b': data_offsets [8,12] leave a gap after tensor 'a', which ends at 4");
  ExpectLoadError(WriteFile(kW8, Bytes({1.f, 2.f, 3.f}), "_trailing"), {}, "4 bytes of data after the last tensor");
}

TEST(CheckpointLoadErrors, OffsetsDisagreeWithShape) {
  ExpectLoadError(WriteFile(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", Bytes({1.f, 2.f})), {},
                  "tensor 'w': data_offsets [0,8] hold 8 bytes, but F32 [3] needs 12");
  ExpectLoadError(WriteFile(R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}})",
                            Bytes({1.f, 2.f}), "_huge"),
                  {}, "shape too large for 64 bits");
}

TEST(CheckpointLoadErrors, VariableMissingFromTheFile) {
  const std::string path = WriteFile(kW8, Bytes({1.f, 2.f}));
  try {
    load_variables(path, {{"v", Variable(zeros({2}))}});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status().code(), absl::StatusCode::kNotFound);
    EXPECT_NE(std::string(e.what()).find("load_variables(" + path + "): variable 'v' is not in the file (it holds: w)"),
              std::string::npos)
        << e.what();
  }
}

TEST(CheckpointLoadErrors, ShapeMismatch) {
  ExpectLoadError(WriteFile(kW8, Bytes({1.f, 2.f})), {{"w", Variable(zeros({1, 2}))}},
                  "variable 'w': the file has shape [2], the variable [1,2]");
}

TEST(CheckpointLoadErrors, DTypeMismatch) {
  ExpectLoadError(WriteFile(kW8, Bytes({1.f, 2.f})), {{"w", Variable(zeros({2}, float64))}},
                  "variable 'w': the file has dtype F32, the variable F64 (f64)");
}

TEST(CheckpointLoadErrors, BoolThatIsNotZeroOrOne) {
  ExpectLoadError(WriteFile(R"({"m":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}})", std::string("\x01\x02")),
                  {{"m", Variable(constant({false, false}))}}, "variable 'm': BOOL element 1 is 2, not 0 or 1");
}

TEST(CheckpointLoadErrors, DuplicateNamesInTheList) {
  Variable v(zeros({2}));
  ExpectLoadError(WriteFile(kW8, Bytes({1.f, 2.f})), {{"w", v}, {"w", v}}, "variable 'w': the name appears twice");
}

}  // namespace
}  // namespace graphc::nn
