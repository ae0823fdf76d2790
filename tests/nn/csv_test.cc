// nn::load_csv and load_csv_with_labels: the three data sets in
// examples/data (sizes, known values, label ranges), the accepted
// spellings, dtypes, and one test per error path on small temporary files.
#include "nn/csv.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>

#include "tests/common/test_files.h"
#include "tests/nn/test_util.h"

namespace graphc::nn {
namespace {

using test_util::MessageOf;

const std::filesystem::path kData = test::kTestsDir.parent_path() / "examples" / "data";

// A file with `text` in the test's temporary directory, named after the
// test so tests never share one.
std::string WriteTemp(const std::string& text, const std::string& suffix = "") {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string path =
      ::testing::TempDir() + "graphc_csv_" + info->test_suite_name() + "_" + info->name() + suffix + ".csv";
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// Row r of a [rows, cols] tensor.
std::vector<float> Row(const Tensor& t, int64_t r) {
  const std::vector<float> v = t.to_vector<float>();
  const int64_t cols = t.shape().dim(1);
  return std::vector<float>(v.begin() + r * cols, v.begin() + (r + 1) * cols);
}

TEST(CsvDataSets, Iris) {
  const LabelledData iris = load_csv_with_labels((kData / "iris.csv").string(), -1, int32, {.skip_lines = 1});
  EXPECT_EQ(iris.features.shape(), (Shape{150, 4}));
  EXPECT_EQ(iris.features.dtype(), float32);
  EXPECT_EQ(iris.labels.shape(), (Shape{150}));
  EXPECT_EQ(iris.labels.dtype(), int32);
  EXPECT_EQ(Row(iris.features, 0), (std::vector<float>{5.1f, 3.5f, 1.4f, 0.2f}));
  EXPECT_EQ(Row(iris.features, 149), (std::vector<float>{5.9f, 3.0f, 5.1f, 1.8f}));
  // Three classes of 50, in order.
  const std::vector<int32_t> labels = iris.labels.to_vector<int32_t>();
  for (int c = 0; c < 3; ++c) EXPECT_EQ(std::count(labels.begin(), labels.end(), c), 50) << c;
  EXPECT_EQ(labels.front(), 0);
  EXPECT_EQ(labels.back(), 2);
}

TEST(CsvDataSets, Digits) {
  const LabelledData digits = load_csv_with_labels((kData / "digits.csv").string());
  EXPECT_EQ(digits.features.shape(), (Shape{1797, 64}));
  EXPECT_EQ(digits.labels.shape(), (Shape{1797}));
  const std::vector<float> first = Row(digits.features, 0);
  EXPECT_EQ(std::vector<float>(first.begin(), first.begin() + 5), (std::vector<float>{0, 0, 5, 13, 9}));
  const std::vector<int32_t> labels = digits.labels.to_vector<int32_t>();
  EXPECT_EQ(std::vector<int32_t>(labels.begin(), labels.begin() + 3), (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(labels.back(), 8);
  EXPECT_EQ(*std::min_element(labels.begin(), labels.end()), 0);
  EXPECT_EQ(*std::max_element(labels.begin(), labels.end()), 9);
  // Pixels are 0..16.
  EXPECT_EQ(reduce_min(digits.features).item<float>(), 0.f);
  EXPECT_EQ(reduce_max(digits.features).item<float>(), 16.f);
}

TEST(CsvDataSets, BostonHousePrices) {
  // Two header lines: "506,13,,,..." and the quoted column names.
  const LabelledData boston =
      load_csv_with_labels((kData / "boston_house_prices.csv").string(), -1, float32, {.skip_lines = 2});
  EXPECT_EQ(boston.features.shape(), (Shape{506, 13}));
  EXPECT_EQ(boston.labels.shape(), (Shape{506}));
  EXPECT_EQ(boston.labels.dtype(), float32);
  EXPECT_EQ(Row(boston.features, 0), (std::vector<float>{0.00632f, 18, 2.31f, 0, 0.538f, 6.575f, 65.2f, 4.09f, 1,
                                                         296, 15.3f, 396.9f, 4.98f}));
  const std::vector<float> prices = boston.labels.to_vector<float>();
  EXPECT_EQ(prices.front(), 24.f);
  EXPECT_EQ(prices.back(), 11.9f);
  // MEDV is capped at 50 (in $1000s) in this data set.
  EXPECT_EQ(*std::max_element(prices.begin(), prices.end()), 50.f);
  EXPECT_EQ(*std::min_element(prices.begin(), prices.end()), 5.f);
}

TEST(LoadCsv, AllColumnsAsOneTensor) {
  const Tensor t = load_csv(WriteTemp("1,2,3\n4,5,6\n"));
  EXPECT_EQ(t.shape(), (Shape{2, 3}));
  EXPECT_EQ(t.dtype(), float32);
  EXPECT_EQ(t.to_vector<float>(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
}

TEST(LoadCsv, AcceptedSpellings) {
  // CRLF line ends, no final newline, blank lines, spaces around cells, a
  // leading '+', exponents, negative numbers.
  const Tensor t = load_csv(WriteTemp("# a header\r\n 1.5 ,+2\r\n\r\n  \n-3e2,\t0.25\r\n4,5"), {.skip_lines = 1});
  EXPECT_EQ(t.shape(), (Shape{3, 2}));
  EXPECT_EQ(t.to_vector<float>(), (std::vector<float>{1.5f, 2, -300, 0.25f, 4, 5}));
}

TEST(LoadCsv, ByteOrderMarkIsSkipped) {
  EXPECT_EQ(load_csv(WriteTemp("\xEF\xBB\xBF" "7,8\n")).to_vector<float>(), (std::vector<float>{7, 8}));
}

TEST(LoadCsv, DelimiterAndDType) {
  const Tensor t = load_csv(WriteTemp("1;-2\n3;4\n"), {.delimiter = ';', .dtype = float64});
  EXPECT_EQ(t.dtype(), float64);
  EXPECT_EQ(t.to_vector<double>(), (std::vector<double>{1, -2, 3, 4}));
  const Tensor i = load_csv(WriteTemp("1,-2\n3,4\n", "_i8"), {.dtype = int8});
  EXPECT_EQ(i.dtype(), int8);
  EXPECT_EQ(i.to_vector<int8_t>(), (std::vector<int8_t>{1, -2, 3, 4}));
}

TEST(LoadCsv, LabelColumnAnywhere) {
  const std::string path = WriteTemp("1,7,2\n3,8,4\n");
  const LabelledData middle = load_csv_with_labels(path, 1);
  EXPECT_EQ(middle.features.to_vector<float>(), (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(middle.labels.to_vector<int32_t>(), (std::vector<int32_t>{7, 8}));
  const LabelledData first = load_csv_with_labels(path, -3, float64);
  EXPECT_EQ(first.features.to_vector<float>(), (std::vector<float>{7, 2, 8, 4}));
  EXPECT_EQ(first.labels.to_vector<double>(), (std::vector<double>{1, 3}));
}

TEST(LoadCsvErrors, MissingFile) {
  const std::string path = ::testing::TempDir() + "graphc_csv_no_such_file.csv";
  try {
    load_csv(path);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status().code(), absl::StatusCode::kNotFound);
    EXPECT_NE(std::string(e.what()).find("cannot open " + path + " (no such file)"), std::string::npos) << e.what();
  }
}

TEST(LoadCsvErrors, Directory) {
  const std::string message = MessageOf([&] { load_csv(::testing::TempDir()); });
  EXPECT_NE(message.find("is a directory, not a file"), std::string::npos) << message;
}

TEST(LoadCsvErrors, NonNumericCell) {
  const std::string path = WriteTemp("1,2\n3,x4\n");
  const std::string message = MessageOf([&] { load_csv(path); });
  EXPECT_NE(message.find(path + ":2: column 2: \"x4\" is not a number"), std::string::npos) << message;
}

TEST(LoadCsvErrors, HeaderLineGetsAHint) {
  const std::string path = WriteTemp("a,b\n1,2\n");
  const std::string message = MessageOf([&] { load_csv(path); });
  EXPECT_NE(message.find(path + ":1: column 1: \"a\" is not a number (a header line? set CsvOptions::skip_lines)"),
            std::string::npos)
      << message;
  EXPECT_EQ(load_csv(path, {.skip_lines = 1}).shape(), (Shape{1, 2}));
}

TEST(LoadCsvErrors, EmptyCell) {
  const std::string path = WriteTemp("1,2\n3,\n");
  const std::string message = MessageOf([&] { load_csv(path); });
  EXPECT_NE(message.find(path + ":2: column 2 is empty"), std::string::npos) << message;
}

TEST(LoadCsvErrors, RaggedRow) {
  const std::string path = WriteTemp("\n1,2\n3,4\n5,6,7\n");
  const std::string message = MessageOf([&] { load_csv(path); });
  EXPECT_NE(message.find(path + ":4: 3 cells, but line 2 has 2"), std::string::npos) << message;
}

TEST(LoadCsvErrors, EmptyFile) {
  const std::string path = WriteTemp("");
  const std::string message = MessageOf([&] { load_csv(path); });
  EXPECT_NE(message.find(path + " has no data (the file is empty)"), std::string::npos) << message;
}

TEST(LoadCsvErrors, OnlyHeaderLines) {
  const std::string path = WriteTemp("a,b\nc,d\n\n");
  const std::string message = MessageOf([&] { load_csv(path, {.skip_lines = 2}); });
  EXPECT_NE(message.find(path + " has no data after skipping 2 of its 3 lines"), std::string::npos) << message;
  EXPECT_THROW(load_csv(path, {.skip_lines = -1}), Error);
}

TEST(LoadCsvErrors, NumberOutOfDoubleRange) {
  const std::string path = WriteTemp("1e999\n");
  const std::string message = MessageOf([&] { load_csv(path); });
  EXPECT_NE(message.find(path + ":1: column 1: \"1e999\" is out of the range of a double"), std::string::npos)
      << message;
}

TEST(LoadCsvErrors, ValueThatDoesNotFitTheDType) {
  const std::string path = WriteTemp("1,2.5\n3,4\n");
  const std::string fraction = MessageOf([&] { load_csv_with_labels(path); });
  EXPECT_NE(fraction.find(path + ":1: column 2: 2.5 is not a whole number, as i32 needs"), std::string::npos)
      << fraction;
  const std::string large = MessageOf([&] { load_csv(WriteTemp("1\n200\n", "_i8"), {.dtype = int8}); });
  EXPECT_NE(large.find(":2: column 1: 200 is out of the range i8 can load"), std::string::npos) << large;
  EXPECT_THROW(load_csv(WriteTemp("1e39\n", "_f32")), Error);
}

TEST(LoadCsvErrors, LabelColumnOutOfRange) {
  const std::string path = WriteTemp("1,2\n");
  EXPECT_THROW(load_csv_with_labels(path, 2), Error);
  EXPECT_THROW(load_csv_with_labels(path, -3), Error);
  const std::string one_column = MessageOf([&] { load_csv_with_labels(WriteTemp("1\n2\n", "_one")); });
  EXPECT_NE(one_column.find("has 1 columns"), std::string::npos) << one_column;
}

}  // namespace
}  // namespace graphc::nn
