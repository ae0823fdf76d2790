#include "nn/csv.h"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

namespace graphc::nn {
namespace {

// The numbers of a file, row-major, with each row's line number for
// messages about values found wrong later (a label that is not an integer).
struct Table {
  int64_t rows = 0, cols = 0;
  std::vector<double> values;
  std::vector<int64_t> line_of_row;
  double at(int64_t r, int64_t c) const { return values[static_cast<size_t>(r * cols + c)]; }
};

std::string_view Trim(std::string_view s) {
  const size_t first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

// A cell as it appears in a message: quoted, and cut short if long.
std::string Quote(std::string_view cell) {
  constexpr size_t kMax = 40;
  return "\"" + std::string(cell.substr(0, kMax)) + (cell.size() > kMax ? "...\"" : "\"");
}

class Reader {
 public:
  Reader(const std::string& path, const std::source_location& loc) : path_(path), loc_(loc) {}

  [[noreturn]] void Fail(int64_t line, const std::string& message) const {
    throw Error(absl::InvalidArgumentError("load_csv: " + path_ + ":" + std::to_string(line) + ": " + message), loc_);
  }

  Table Read(const CsvOptions& options) const {
    if (options.skip_lines < 0) {
      throw Error(absl::InvalidArgumentError("load_csv: skip_lines must be >= 0, got " +
                                             std::to_string(options.skip_lines)),
                  loc_);
    }
    if (std::filesystem::is_directory(path_)) {
      throw Error(absl::InvalidArgumentError("load_csv: " + path_ + " is a directory, not a file"), loc_);
    }
    std::ifstream in(path_, std::ios::binary);
    if (!in) {
      const bool exists = std::filesystem::exists(path_);
      throw Error(absl::NotFoundError("load_csv: cannot open " + path_ +
                                      (exists ? " (not readable)" : " (no such file)")),
                  loc_);
    }
    Table table;
    std::string text;
    int64_t line = 0;
    while (std::getline(in, text)) {
      ++line;
      if (line <= options.skip_lines) continue;
      std::string_view row = text;
      // Excel starts UTF-8 files with a byte order mark.
      if (line == 1 && row.starts_with("\xEF\xBB\xBF")) row.remove_prefix(3);
      if (!row.empty() && row.back() == '\r') row.remove_suffix(1);
      if (Trim(row).empty()) continue;
      ReadRow(row, line, options.delimiter, table);
    }
    if (table.rows == 0) {
      throw Error(absl::InvalidArgumentError(
                      "load_csv: " + path_ + " has no data" +
                      (line == 0 ? std::string(" (the file is empty)")
                                 : " after skipping " + std::to_string(options.skip_lines) + " of its " +
                                       std::to_string(line) + " lines")),
                  loc_);
    }
    return table;
  }

 private:
  void ReadRow(std::string_view row, int64_t line, char delimiter, Table& table) const {
    int64_t cells = 0;
    for (size_t start = 0;;) {
      const size_t stop = std::min(row.find(delimiter, start), row.size());
      ++cells;
      table.values.push_back(ParseCell(Trim(row.substr(start, stop - start)), line, cells, table.rows == 0));
      if (stop == row.size()) break;
      start = stop + 1;
    }
    if (table.rows == 0) {
      table.cols = cells;
    } else if (cells != table.cols) {
      Fail(line, std::to_string(cells) + " cells, but line " + std::to_string(table.line_of_row[0]) + " has " +
                     std::to_string(table.cols) + " (every row needs the same number)");
    }
    table.line_of_row.push_back(line);
    ++table.rows;
  }

  double ParseCell(std::string_view cell, int64_t line, int64_t column, bool first_row) const {
    if (cell.empty()) Fail(line, "column " + std::to_string(column) + " is empty");
    std::string_view digits = cell;
    // from_chars takes "-1" but not "+1"; a CSV writer may write either.
    if (digits.size() > 1 && digits[0] == '+' && digits[1] != '-' && digits[1] != '+') digits.remove_prefix(1);
    double value = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (error == std::errc::result_out_of_range) {
      Fail(line, "column " + std::to_string(column) + ": " + Quote(cell) + " is out of the range of a double");
    }
    if (error != std::errc() || end != digits.data() + digits.size()) {
      Fail(line, "column " + std::to_string(column) + ": " + Quote(cell) + " is not a number" +
                     (first_row ? " (a header line? set CsvOptions::skip_lines)" : ""));
    }
    return value;
  }

  const std::string& path_;
  const std::source_location& loc_;
};

// Why `v` cannot be stored as `dtype` exactly (or nearly, for f32), or
// nothing if it can.
std::optional<std::string> DoesNotFit(double v, DType dtype) {
  const std::string name(ir::DTypeName(dtype));
  switch (dtype) {
    case DType::kF64:
      return std::nullopt;
    case DType::kF32:
      if (std::isfinite(v) && std::abs(v) > std::numeric_limits<float>::max()) return "too large for " + name;
      return std::nullopt;
    case DType::kBool:
      if (v != 0 && v != 1) return "not 0 or 1, as " + name + " needs";
      return std::nullopt;
    default:
      break;
  }
  if (!std::isfinite(v) || v != std::trunc(v)) return "not a whole number, as " + name + " needs";
  double lo = 0, hi = 0;
  if (dtype == DType::kI8) lo = -128, hi = 127;
  if (dtype == DType::kI32) lo = std::numeric_limits<int32_t>::min(), hi = std::numeric_limits<int32_t>::max();
  // Numbers are read as doubles, which hold every integer up to 2^53 and
  // not all beyond.
  if (dtype == DType::kI64) lo = -9007199254740992.0, hi = 9007199254740992.0;
  if (v < lo || v > hi) return "out of the range " + name + " can load";
  return std::nullopt;
}

// Column `c` of rows where `take(c)`, as a tensor of `dtype`.
template <typename Take>
Tensor Columns(const Table& table, int64_t out_cols, Take take, DType dtype, const Reader& reader) {
  std::vector<double> values;
  values.reserve(static_cast<size_t>(table.rows * out_cols));
  for (int64_t r = 0; r < table.rows; ++r) {
    for (int64_t c = 0; c < table.cols; ++c) {
      if (!take(c)) continue;
      const double v = table.at(r, c);
      if (auto problem = DoesNotFit(v, dtype)) {
        char text[32];
        const auto end = std::to_chars(text, text + sizeof(text), v).ptr;
        reader.Fail(table.line_of_row[static_cast<size_t>(r)],
                    "column " + std::to_string(c + 1) + ": " + std::string(text, end) + " is " + *problem);
      }
      values.push_back(v);
    }
  }
  return constant(values, Shape{table.rows, out_cols}, dtype);
}

}  // namespace

Tensor load_csv(const std::string& path, const CsvOptions& options, std::source_location loc) {
  const Reader reader(path, loc);
  const Table table = reader.Read(options);
  return Columns(table, table.cols, [](int64_t) { return true; }, options.dtype, reader);
}

LabelledData load_csv_with_labels(const std::string& path, int64_t label_column, DType label_dtype,
                                  const CsvOptions& options, std::source_location loc) {
  const Reader reader(path, loc);
  const Table table = reader.Read(options);
  const int64_t label = label_column < 0 ? table.cols + label_column : label_column;
  if (table.cols < 2 || label < 0 || label >= table.cols) {
    throw Error(absl::InvalidArgumentError("load_csv_with_labels: " + path + " has " + std::to_string(table.cols) +
                                           " columns; label_column " + std::to_string(label_column) +
                                           " must pick one of them and leave at least one feature"),
                loc);
  }
  Tensor features = Columns(table, table.cols - 1, [&](int64_t c) { return c != label; }, options.dtype, reader);
  Tensor labels = Columns(table, 1, [&](int64_t c) { return c == label; }, label_dtype, reader);
  return {std::move(features), labels.reshape(Shape{table.rows})};
}

}  // namespace graphc::nn
