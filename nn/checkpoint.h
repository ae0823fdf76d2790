// Checkpoints: saving and loading variables in the safetensors format
// (https://github.com/huggingface/safetensors), which Python (safetensors,
// PyTorch, JAX, NumPy via safetensors.numpy) and other tools read and write:
//
//   8 bytes    N, the header length, unsigned little-endian
//   N bytes    JSON: {"name": {"dtype": "F32", "shape": [2, 3],
//                               "data_offsets": [begin, end]}, ...,
//                      "__metadata__": {"key": "value", ...}}   (optional)
//              padded with spaces
//   the rest   the data: each tensor's elements, row-major, little-endian,
//              at [begin, end) from the start of the data
//
// graphc's dtypes map to F32, F64, I8, I32, I64 and BOOL (one byte, 0 or 1).
// The file is written as the reference implementation writes it, byte for
// byte: tensors ordered by dtype (largest elements first, so each one is
// aligned to its element size) then by name, no __metadata__, the header
// padded to a multiple of 8 bytes.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "graphc/graphc.h"

namespace graphc::nn {

// Variables under the names they are saved as (the keys in the file; not
// Variable::name()).
using NamedVariables = std::vector<std::pair<std::string, Variable>>;

// Writes the variables' current values to `path`, replacing the file
// whole: it is written next to `path` and renamed over it, so a failed save
// leaves an existing file as it was. Names must be distinct, valid UTF-8,
// and not "__metadata__".
void save_variables(const std::string& path, const NamedVariables& variables);

// Assigns each variable the tensor of its name in `path`. The file may hold
// more tensors than asked for, in any order, and __metadata__. Everything is
// checked before any variable changes: a file that is malformed, truncated,
// or lacks a variable, or a tensor whose dtype or shape differs from its
// variable's, is an Error naming the file (and the variable) and leaves
// every variable as it was.
void load_variables(const std::string& path, const NamedVariables& variables);

}  // namespace graphc::nn
