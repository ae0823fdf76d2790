// Loading numeric CSV files (the data sets in examples/data) into tensors.
//
//   auto iris = nn::load_csv_with_labels("iris.csv", /*label_column=*/-1, graphc::int32,
//                                        {.skip_lines = 1});
//   // iris.features: [150, 4] f32, iris.labels: [150] i32
//
// Every cell must be a number (as std::from_chars reads it, with an optional
// leading '+'; spaces around it are ignored) and every row must have the
// same number of cells. Blank lines are skipped, as pandas does; "\r\n" line
// ends and a UTF-8 byte order mark are accepted. Quoted cells are not numbers: skip such header lines
// with skip_lines. Errors name the file and the line.
#pragma once

#include <cstdint>
#include <source_location>
#include <string>

#include "graphc/graphc.h"

namespace graphc::nn {

struct CsvOptions {
  // Lines at the top of the file that are not data (headers), blank or not.
  int64_t skip_lines = 0;
  char delimiter = ',';
  // The dtype of the loaded numbers (of the features, with labels). An
  // integer dtype needs whole numbers in its range.
  DType dtype = float32;
};

// The numbers as a [rows, columns] tensor.
Tensor load_csv(const std::string& path, const CsvOptions& options = {},
                std::source_location loc = std::source_location::current());

struct LabelledData {
  Tensor features;  // [rows, columns - 1], options.dtype
  Tensor labels;    // [rows], label_dtype
};

// The column `label_column` (negative counts from the end: -1 is the last)
// as labels, the other columns, in order, as features. Class labels want an
// integer label_dtype (for one_hot), regression targets a float one.
LabelledData load_csv_with_labels(const std::string& path, int64_t label_column = -1, DType label_dtype = int32,
                                  const CsvOptions& options = {},
                                  std::source_location loc = std::source_location::current());

}  // namespace graphc::nn
