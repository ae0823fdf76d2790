#include "runtime/npy.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace graphc::runtime {
namespace {

constexpr NpyDType kAllDTypes[] = {NpyDType::kF32, NpyDType::kF64, NpyDType::kI8,
                                   NpyDType::kI32, NpyDType::kI64, NpyDType::kBool};

// A file of format `major`.0 whose header is `text` exactly (no padding
// added), followed by `data`.
std::string NpyBytes(int major, std::string_view text, std::string_view data = {}) {
  std::string out("\x93NUMPY", 6);
  out += static_cast<char>(major);
  out += '\0';
  const size_t width = major == 1 ? 2 : 4;
  for (size_t i = 0; i < width; ++i) out += static_cast<char>((text.size() >> (8 * i)) & 0xff);
  out += text;
  out += data;
  return out;
}

std::string Header(std::string_view descr, std::string_view shape,
                   std::string_view fortran = "False") {
  return "{'descr': '" + std::string(descr) + "', 'fortran_order': " + std::string(fortran) +
         ", 'shape': " + std::string(shape) + ", }\n";
}

std::string Bytes(const void* p, size_t n) { return std::string(static_cast<const char*>(p), n); }

class NpyFileTest : public ::testing::Test {
 protected:
  std::string Path(const std::string& name) {
    return (std::filesystem::path(::testing::TempDir()) /
            ("npy_test_" + std::to_string(::getpid()) + "_" + name))
        .string();
  }
  std::string WriteFile(const std::string& name, std::string_view bytes) {
    const std::string path = Path(name);
    std::ofstream(path, std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    created_.push_back(path);
    return path;
  }
  static std::string ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  void TearDown() override {
    for (const std::string& p : created_) std::filesystem::remove(p);
  }
  std::vector<std::string> created_;
};

// ---- sizes and names ----

TEST(NpyTest, DescrAndItemSize) {
  const char* descrs[] = {"<f4", "<f8", "|i1", "<i4", "<i8", "|b1"};
  const size_t sizes[] = {4, 8, 1, 4, 8, 1};
  for (size_t i = 0; i < std::size(kAllDTypes); ++i) {
    EXPECT_EQ(NpyDescr(kAllDTypes[i]), descrs[i]);
    EXPECT_EQ(NpyItemSize(kAllDTypes[i]), sizes[i]);
  }
}

TEST(NpyTest, ByteSize) {
  EXPECT_EQ(NpyByteSize(NpyDType::kF32, {}), 4u);  // a scalar
  EXPECT_EQ(NpyByteSize(NpyDType::kF64, std::vector<int64_t>{2, 3}), 48u);
  EXPECT_EQ(NpyByteSize(NpyDType::kI8, std::vector<int64_t>{0}), 0u);
  // A zero dim empties the array whatever the others are...
  EXPECT_EQ(NpyByteSize(NpyDType::kF32, std::vector<int64_t>{0, int64_t{1} << 40}), 0u);
  // ...but the others must still not overflow together.
  EXPECT_EQ(NpyByteSize(NpyDType::kF32, std::vector<int64_t>{0, int64_t{1} << 62}), std::nullopt);
  EXPECT_EQ(NpyByteSize(NpyDType::kI64, std::vector<int64_t>{int64_t{1} << 32, int64_t{1} << 28}),
            std::nullopt);
  // 2^63 bytes: one past what int64 holds.
  EXPECT_EQ(NpyByteSize(NpyDType::kBool, std::vector<int64_t>{int64_t{1} << 62, 2}), std::nullopt);
  EXPECT_EQ(NpyByteSize(NpyDType::kI8, std::vector<int64_t>{3, -1}), std::nullopt);
}

TEST(NpyTest, ShapeStringIsPythonsTupleRepr) {
  EXPECT_EQ(NpyShapeString({}), "()");
  EXPECT_EQ(NpyShapeString(std::vector<int64_t>{5}), "(5,)");
  EXPECT_EQ(NpyShapeString(std::vector<int64_t>{2, 0, 3}), "(2, 0, 3)");
}

// ---- writing: the bytes of numpy.save ----

TEST(NpyTest, HeaderIsByteForByteNumpys) {
  // numpy.save(f, numpy.zeros((2, 3), numpy.float32)): the dict with keys
  // sorted, 20 spaces of room for the first dim to grow to 21 digits, then
  // padding to 128 bytes and a newline. Header length 118 = 0x76.
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  const std::string expected =
      std::string("\x93NUMPY\x01\x00\x76\x00", 10) + dict + std::string(20 + 38, ' ') + "\n";
  ASSERT_EQ(expected.size(), 128u);
  EXPECT_EQ(EncodeNpyHeader(NpyDType::kF32, std::vector<int64_t>{2, 3}), expected);
}

TEST(NpyTest, HeadersOfOtherShapes) {
  // A scalar has no growth room; the padding still reaches 128.
  const std::string scalar = std::string("\x93NUMPY\x01\x00\x76\x00", 10) +
                             "{'descr': '<f8', 'fortran_order': False, 'shape': (), }" +
                             std::string(62, ' ') + "\n";
  EXPECT_EQ(EncodeNpyHeader(NpyDType::kF64, {}), scalar);
  const std::string vector = std::string("\x93NUMPY\x01\x00\x76\x00", 10) +
                             "{'descr': '|b1', 'fortran_order': False, 'shape': (0,), }" +
                             std::string(20 + 40, ' ') + "\n";
  EXPECT_EQ(EncodeNpyHeader(NpyDType::kBool, std::vector<int64_t>{0}), vector);
  // A 12-digit first dim leaves 9 spaces of growth room.
  const std::string big = EncodeNpyHeader(NpyDType::kI8, std::vector<int64_t>{100000000000, 0});
  EXPECT_NE(big.find("'shape': (100000000000, 0), }" + std::string(9, ' ')), std::string::npos);
  EXPECT_EQ(big.size() % 64, 0u);
  EXPECT_EQ(big.back(), '\n');
}

TEST(NpyTest, HugeHeaderUsesVersion2) {
  // 22000 dims of 1 make a dict longer than version 1.0's 65535 bytes.
  const std::vector<int64_t> shape(22000, 1);
  const std::string header = EncodeNpyHeader(NpyDType::kI32, shape);
  ASSERT_GT(header.size(), 65536u);
  EXPECT_EQ(header[6], 2);
  EXPECT_EQ(header.size() % 64, 0u);
  uint32_t length = 0;
  std::memcpy(&length, header.data() + 8, 4);  // little-endian host
  EXPECT_EQ(length, header.size() - 12);
  NpyArray array;
  std::string error;
  ASSERT_TRUE(DecodeNpy(header + std::string(4, '\x07'), &array, &error)) << error;
  EXPECT_EQ(array.shape, shape);
  EXPECT_EQ(array.data_as<int32_t>()[0], 0x07070707);
}

TEST_F(NpyFileTest, WrittenFileIsHeaderThenLittleEndianData) {
  const int32_t values[] = {1, -2, 0x01020304};
  std::string error;
  const std::string path = Path("i4.npy");
  created_.push_back(path);
  ASSERT_TRUE(WriteNpy(path, NpyDType::kI32, std::vector<int64_t>{3}, values, &error)) << error;
  const std::string expected = std::string("\x93NUMPY\x01\x00\x76\x00", 10) +
                               "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }" +
                               std::string(20 + 40, ' ') + "\n" +
                               std::string("\x01\0\0\0\xfe\xff\xff\xff\x04\x03\x02\x01", 12);
  EXPECT_EQ(ReadFile(path), expected);
}

TEST_F(NpyFileTest, WriteToAMissingFolderFails) {
  std::string error;
  const float x = 1;
  EXPECT_FALSE(WriteNpy(Path("no-such-dir/x.npy"), NpyDType::kF32, {}, &x, &error));
  EXPECT_EQ(error, "cannot open for writing: No such file or directory");
}

TEST_F(NpyFileTest, WriteChecksTheArraysBuffer) {
  NpyArray array;
  array.dtype = NpyDType::kF64;
  array.shape = {2};
  ASSERT_TRUE(array.data.Allocate(8));  // one element short
  std::string error;
  EXPECT_FALSE(WriteNpy(Path("short.npy"), array, &error));
  EXPECT_EQ(error, "the array's buffer does not match its shape (2,)");
}

// ---- round trips ----

// Fills an array with distinct values of its dtype (bools alternate).
void Fill(NpyArray& a) {
  for (int64_t i = 0; i < a.num_elements(); ++i) {
    switch (a.dtype) {
      case NpyDType::kF32:
        a.mutable_data_as<float>()[i] = 0.5f * static_cast<float>(i) - 3.25f;
        break;
      case NpyDType::kF64:
        a.mutable_data_as<double>()[i] = 1e300 / static_cast<double>(i + 1);
        break;
      case NpyDType::kI8: a.mutable_data_as<int8_t>()[i] = static_cast<int8_t>(-128 + 7 * i); break;
      case NpyDType::kI32:
        a.mutable_data_as<int32_t>()[i] = static_cast<int32_t>(-100000 * i);
        break;
      case NpyDType::kI64: a.mutable_data_as<int64_t>()[i] = (int64_t{1} << 40) * i - 5; break;
      case NpyDType::kBool: a.mutable_data_as<uint8_t>()[i] = static_cast<uint8_t>(i % 2); break;
    }
  }
}

TEST_F(NpyFileTest, RoundTripsEveryDTypeAndShape) {
  const std::vector<std::vector<int64_t>> shapes = {{}, {0}, {5}, {2, 3}, {3, 0, 2}, {1, 1, 1, 4}};
  for (NpyDType dtype : kAllDTypes) {
    for (const std::vector<int64_t>& shape : shapes) {
      SCOPED_TRACE(std::string(NpyDescr(dtype)) + " " + NpyShapeString(shape));
      NpyArray a;
      std::string error;
      ASSERT_TRUE(MakeNpyArray(dtype, shape, &a, &error)) << error;
      Fill(a);
      const std::string path = Path("round_trip.npy");
      created_.push_back(path);
      ASSERT_TRUE(WriteNpy(path, a, &error)) << error;
      NpyArray b;
      ASSERT_TRUE(ReadNpy(path, &b, &error)) << error;
      EXPECT_EQ(b.dtype, dtype);
      EXPECT_EQ(b.shape, shape);
      EXPECT_EQ(Bytes(b.data.data(), b.data.size()), Bytes(a.data.data(), a.data.size()));
      EXPECT_EQ(reinterpret_cast<uintptr_t>(b.data.data()) % AlignedBuffer::kAlignment, 0u);
      // The same bytes decode from memory.
      NpyArray c;
      ASSERT_TRUE(DecodeNpy(ReadFile(path), &c, &error)) << error;
      EXPECT_EQ(Bytes(c.data.data(), c.data.size()), Bytes(a.data.data(), a.data.size()));
      EXPECT_EQ(c.shape, shape);
    }
  }
}

// ---- reading what other writers produce ----

TEST(NpyTest, ReadsVersions2And3AndUnalignedHeaders) {
  const std::string data("\x00\x00\x80\x3f\x00\x00\x00\x40", 8);  // 1.0f, 2.0f
  for (int major : {1, 2, 3}) {
    NpyArray a;
    std::string error;
    ASSERT_TRUE(DecodeNpy(NpyBytes(major, Header("<f4", "(2,)"), data), &a, &error)) << error;
    EXPECT_EQ(a.shape, (std::vector<int64_t>{2}));
    EXPECT_EQ(a.data_as<float>()[0], 1.0f);
    EXPECT_EQ(a.data_as<float>()[1], 2.0f);
    NpyHeader header;
    ASSERT_TRUE(ParseNpyHeader(NpyBytes(major, Header("<f4", "(2,)")), &header, &error));
    EXPECT_EQ(header.major_version, major);
    EXPECT_EQ(header.data_offset, (major == 1 ? 10u : 12u) + Header("<f4", "(2,)").size());
    EXPECT_EQ(header.data_size, 8u);
  }
}

TEST(NpyTest, ReadsAnyKeyOrderQuotingAndSpacing) {
  const char* headers[] = {
      "{\"shape\": (2,3), \"descr\": \"<i8\", \"fortran_order\": False}",
      "  {'fortran_order':False,'shape':( 2 , 3 ),'descr':'<i8'}  \n",
      "{'descr': '<i8', 'fortran_order': False, 'shape': (2L, 3L), }",  // Python 2
  };
  for (const char* h : headers) {
    SCOPED_TRACE(h);
    NpyHeader header;
    std::string error;
    ASSERT_TRUE(ParseNpyHeader(NpyBytes(1, h), &header, &error)) << error;
    EXPECT_EQ(header.dtype, NpyDType::kI64);
    EXPECT_EQ(header.shape, (std::vector<int64_t>{2, 3}));
  }
}

TEST(NpyTest, OneByteTypesTakeAnyByteOrder) {
  for (const char* descr : {"|i1", "<i1", ">i1", "=i1"}) {
    NpyHeader header;
    std::string error;
    ASSERT_TRUE(ParseNpyHeader(NpyBytes(1, Header(descr, "()")), &header, &error)) << error;
    EXPECT_EQ(header.dtype, NpyDType::kI8);
  }
}

TEST(NpyTest, FortranOrderIsFineWhenItIsCOrderToo) {
  // At most one dim longer than 1: both orders lay the data out alike.
  NpyArray a;
  std::string error;
  ASSERT_TRUE(
      DecodeNpy(NpyBytes(1, Header("|i1", "(1, 3, 1)", "True"), "\x01\x02\x03"), &a, &error))
      << error;
  EXPECT_EQ(Bytes(a.data.data(), 3), "\x01\x02\x03");
}

TEST(NpyTest, BoolsOtherThanZeroReadAsTrue) {
  NpyArray a;
  std::string error;
  ASSERT_TRUE(
      DecodeNpy(NpyBytes(1, Header("|b1", "(3,)"), std::string("\x00\x02\xff", 3)), &a, &error))
      << error;
  EXPECT_EQ(Bytes(a.data.data(), 3), std::string("\x00\x01\x01", 3));
}

TEST(NpyTest, EmptyArrayWithAHugeDim) {
  NpyArray a;
  std::string error;
  ASSERT_TRUE(DecodeNpy(NpyBytes(1, Header("<f8", "(0, 1099511627776)")), &a, &error)) << error;
  EXPECT_EQ(a.num_elements(), 0);
  EXPECT_EQ(a.data.size(), 0u);
}

// ---- errors ----

struct BadFile {
  const char* name;
  std::string bytes;
  std::string error;  // exactly, or (when it ends in "...") its start
};

std::vector<BadFile> BadFiles() {
  const std::string f4x2("\0\0\0\0\0\0\0\0", 8);
  return {
      {"empty", "", "not a .npy file: it is empty"},
      {"bad magic", "PK\x03\x04 a zip file",
       "not a .npy file: it does not start with the magic string \\x93NUMPY"},
      {"text", "hello", "not a .npy file: it does not start with the magic string \\x93NUMPY"},
      {"ends in magic", "\x93NUM",
       "truncated header: the file ends within the magic string and version"},
      {"ends in version", "\x93NUMPY\x01",
       "truncated header: the file ends within the magic string and version"},
      {"ends in length", std::string("\x93NUMPY\x01\x00\x10", 9),
       "truncated header: the file ends within the header length"},
      {"ends in length v2", std::string("\x93NUMPY\x02\x00\x10\x00\x00", 11),
       "truncated header: the file ends within the header length"},
      {"ends in header", NpyBytes(1, Header("<f4", "(2,)")).substr(0, 30),
       "truncated header: it declares 58 bytes, the file holds 20"},
      {"version 4", NpyBytes(4, Header("<f4", "()")),
       "unsupported .npy format version 4.0 (graphc reads 1.0, 2.0 and 3.0)"},
      {"version 1.1", std::string("\x93NUMPY\x01\x01\x00\x00", 10),
       "unsupported .npy format version 1.1 (graphc reads 1.0, 2.0 and 3.0)"},
      {"version 0", std::string("\x93NUMPY\x00\x00\x00\x00", 10),
       "unsupported .npy format version 0.0 (graphc reads 1.0, 2.0 and 3.0)"},
      {"not a dict", NpyBytes(1, "['descr']"),
       "malformed header: expected '{' at character 0 of \"['descr']\""},
      {"no colon", NpyBytes(1, "{'descr' '<f4'}"),
       "malformed header: expected ':' after the key 'descr' at character 9 of \"{'descr' "
       "'<f4'}\""},
      {"unquoted key", NpyBytes(1, "{descr: '<f4'}"),
       "malformed header: expected a quoted key or '}' at character 1 of \"{descr: '<f4'}\""},
      {"unclosed", NpyBytes(1, "{'descr': '<f4', 'shape': (2,)"),
       "malformed header: expected ',' or '}' at character 30 of..."},
      {"unclosed string", NpyBytes(1, "{'descr: 1}"),
       "malformed header: expected a quoted key or '}'..."},
      {"no comma", NpyBytes(1, "{'descr': '<f4' 'shape': ()}"),
       "malformed header: expected ',' or '}' at character 16..."},
      {"after brace", NpyBytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': ()} x"),
       "malformed header: unexpected text after '}'..."},
      {"None", NpyBytes(1, "{'descr': None}"),
       "malformed header: expected a string, True, False or a tuple of ints for 'descr'..."},
      {"int is no tuple", NpyBytes(1, Header("<f4", "(5)")),
       "malformed header: expected a string, True, False or a tuple of ints for 'shape'..."},
      {"float dim", NpyBytes(1, Header("<f4", "(2.5,)")),
       "malformed header: expected a string, True, False or a tuple of ints for 'shape'..."},
      {"escape", NpyBytes(1, "{'descr': '<\\x66'}"),
       "malformed header: expected a string, True..."},
      {"binary", NpyBytes(1, std::string("{\x01\xff}", 4)),
       "malformed header: expected a quoted key or '}' at character 1 of \"{\\x01\\xff}\""},
      {"missing key", NpyBytes(1, "{'descr': '<f4', 'shape': (2,)}"),
       "malformed header: no 'fortran_order' key"},
      {"unknown key", NpyBytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), 'x': ()}"),
       "malformed header: unexpected key 'x' (a .npy header has 'descr', 'fortran_order' and "
       "'shape')"},
      {"duplicate key", NpyBytes(1, "{'descr': '<f4', 'descr': '<f4'}"),
       "malformed header: the key 'descr' appears twice"},
      {"descr not a string", NpyBytes(1, "{'descr': (4,), 'fortran_order': False, 'shape': ()}"),
       "malformed header: 'descr' is not a string"},
      {"fortran not a bool", NpyBytes(1, "{'descr': '<f4', 'fortran_order': 'no', 'shape': ()}"),
       "malformed header: 'fortran_order' is not True or False"},
      {"shape not a tuple", NpyBytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': 'x'}"),
       "malformed header: 'shape' is not a tuple of ints"},
      {"fortran", NpyBytes(1, Header("<f4", "(2, 3)", "True"), std::string(24, '\0')),
       "Fortran-ordered data (fortran_order: True) is not supported; save a C-ordered array "
       "(numpy.ascontiguousarray)"},
      {"big-endian", NpyBytes(1, Header(">f4", "()"), "\0\0\0\0"),
       "big-endian dtype '>f4' is not supported; store it little-endian ('<f4', e.g. with "
       "astype('<f4'))"},
      {"big-endian i8", NpyBytes(1, Header(">i8", "()")),
       "big-endian dtype '>i8' is not supported..."},
      {"uint8", NpyBytes(1, Header("|u1", "()")),
       "unsupported dtype '|u1' (graphc reads <f4 <f8 |i1 <i4 <i8 |b1)"},
      {"float16", NpyBytes(1, Header("<f2", "()")), "unsupported dtype '<f2'..."},
      {"complex", NpyBytes(1, Header("<c8", "()")), "unsupported dtype '<c8'..."},
      {"pipe f4", NpyBytes(1, Header("|f4", "()")), "unsupported dtype '|f4'..."},
      {"no order", NpyBytes(1, Header("f", "()")), "unsupported dtype 'f'..."},
      {"object", NpyBytes(1, Header("|O", "()")), "unsupported dtype '|O'..."},
      {"structured", NpyBytes(1, "{'descr': [('x', '<i4')], 'fortran_order': False, 'shape': ()}"),
       "structured dtypes (a list descr) are not supported (graphc reads <f4 <f8 |i1 <i4 <i8 |b1)"},
      {"negative dim", NpyBytes(1, Header("<f4", "(2, -1)")),
       "invalid shape (2, -1): a dim is negative"},
      {"huge dim", NpyBytes(1, Header("<f4", "(99999999999999999999,)")),
       "invalid shape (99999999999999999999,): its size overflows 64 bits"},
      {"huge zero-size", NpyBytes(1, Header("<f4", "(0, 99999999999999999999)")),
       "invalid shape (0, 99999999999999999999): its size overflows 64 bits"},
      {"overflowing product", NpyBytes(1, Header("<f8", "(4294967296, 4294967296)")),
       "invalid shape (4294967296, 4294967296): its size overflows 64 bits"},
      {"short data", NpyBytes(1, Header("<f4", "(2,)"), f4x2.substr(0, 7)),
       "data size mismatch: <f4 of shape (2,) is 8 bytes, the file holds 7 after the header"},
      {"long data", NpyBytes(1, Header("<f4", "(2,)"), f4x2 + "x"),
       "data size mismatch: <f4 of shape (2,) is 8 bytes, the file holds 9 after the header"},
      {"no data", NpyBytes(1, Header("<f4", "()")),
       "data size mismatch: <f4 of shape () is 4 bytes, the file holds 0 after the header"},
      // A header claiming 8 TB fails on the size check, before any allocation.
      {"claims terabytes", NpyBytes(2, Header("<f8", "(1000000000000,)"), f4x2),
       "data size mismatch: <f8 of shape (1000000000000,) is 8000000000000 bytes, the file holds 8 "
       "after the header"},
  };
}

void ExpectError(const std::string& actual, const std::string& expected) {
  if (expected.size() > 3 && expected.ends_with("...")) {
    EXPECT_EQ(actual.substr(0, expected.size() - 3), expected.substr(0, expected.size() - 3));
  } else {
    EXPECT_EQ(actual, expected);
  }
}

TEST(NpyTest, DecodeRejectsBadFiles) {
  for (const BadFile& bad : BadFiles()) {
    SCOPED_TRACE(bad.name);
    NpyArray a;
    std::string error;
    EXPECT_FALSE(DecodeNpy(bad.bytes, &a, &error));
    ExpectError(error, bad.error);
  }
}

TEST_F(NpyFileTest, ReadRejectsBadFiles) {
  for (const BadFile& bad : BadFiles()) {
    SCOPED_TRACE(bad.name);
    NpyArray a;
    std::string error;
    EXPECT_FALSE(ReadNpy(WriteFile("bad.npy", bad.bytes), &a, &error));
    ExpectError(error, bad.error);
  }
}

TEST_F(NpyFileTest, ReadReportsMissingFilesAndFolders) {
  NpyArray a;
  std::string error;
  EXPECT_FALSE(ReadNpy(Path("no-such-file.npy"), &a, &error));
  EXPECT_EQ(error, "cannot open: No such file or directory");
  EXPECT_FALSE(ReadNpy(::testing::TempDir(), &a, &error));
  EXPECT_EQ(error, "cannot read: Is a directory");
}

TEST(NpyTest, MakeArrayRejectsBadShapes) {
  NpyArray a;
  std::string error;
  EXPECT_FALSE(MakeNpyArray(NpyDType::kF32, {-1}, &a, &error));
  EXPECT_EQ(error, "invalid shape (-1,)");
  ASSERT_TRUE(MakeNpyArray(NpyDType::kI32, {2, 2}, &a, &error)) << error;
  EXPECT_EQ(a.data.size(), 16u);
  EXPECT_EQ(a.data_as<int32_t>()[3], 0);  // zero-filled
}

}  // namespace
}  // namespace graphc::runtime
