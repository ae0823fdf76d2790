// NumPy `.npy` files: the array format of `numpy.save` / `numpy.load`, used
// for the inputs and outputs of `graphc run` and, later, weights files.
//
// Supported: format versions 1.0, 2.0 and 3.0; C order; the dtypes graphc
// has, stored little-endian: <f4 <f8 |i1 <i4 <i8 |b1; any rank, including
// `()` scalars and dims of size 0. Anything else (Fortran order, big-endian,
// other or structured dtypes, pickled objects) is refused with a message
// that says what the file holds and what is supported.
//
// The runtime depends on the C++ standard library only (it ships inside
// programs that embed a compiled model), so errors are reported the plain
// way: functions return false and describe the problem in `*error`, without
// the file's path (the caller names the file). Nothing here throws or
// aborts on bad input, however malformed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/buffer.h"

namespace graphc::runtime {

// The element types .npy files hold: the runtime's (runtime/buffer.h).
using NpyDType = DType;

// The dtype as a `.npy` header writes it: "<f4", "|b1", ...
std::string_view NpyDescr(NpyDType dtype);
// Bytes per element (a bool is one byte, 0 or 1).
size_t NpyItemSize(NpyDType dtype);

// Bytes that hold `shape` of `dtype` in C order; nullopt for a negative dim
// or a size that overflows 64 bits (dims of size 0 give 0 whatever the
// others are, as NumPy allows).
std::optional<uint64_t> NpyByteSize(NpyDType dtype, std::span<const int64_t> shape);

// A shape as Python prints a tuple: "()", "(5,)", "(2, 3)".
std::string NpyShapeString(std::span<const int64_t> shape);

// An array read from, or to be written to, a `.npy` file: row-major data.
struct NpyArray {
  NpyDType dtype = NpyDType::kF32;
  std::vector<int64_t> shape;  // empty: a scalar
  AlignedBuffer data;          // NpyByteSize(dtype, shape) bytes

  // The number of elements (1 for a scalar, 0 if any dim is 0).
  int64_t num_elements() const;

  template <typename T>
  const T* data_as() const { return reinterpret_cast<const T*>(data.data()); }
  template <typename T>
  T* mutable_data_as() { return reinterpret_cast<T*>(data.data()); }
};

// Sets `*array` to a zero-filled array of `dtype` and `shape`; false if the
// shape is invalid (negative dim, overflow) or memory runs out.
bool MakeNpyArray(NpyDType dtype, std::vector<int64_t> shape, NpyArray* array, std::string* error);

// What a `.npy` header says.
struct NpyHeader {
  int major_version = 1;  // 1, 2 or 3 (the minor version is always 0)
  NpyDType dtype = NpyDType::kF32;
  std::vector<int64_t> shape;
  size_t data_offset = 0;  // where the data starts: magic + length + header text
  uint64_t data_size = 0;  // NpyByteSize(dtype, shape)
};

// Parses the header at the start of `bytes` (the whole file, or at least its
// header); the data is not looked at.
bool ParseNpyHeader(std::string_view bytes, NpyHeader* header, std::string* error);

// Decodes a whole `.npy` file held in memory. The data must be exactly what
// the header promises: a shorter or longer file is an error. Bools other
// than 0 read as 1 (true), as NumPy treats them.
bool DecodeNpy(std::string_view bytes, NpyArray* array, std::string* error);

// Reads the `.npy` file at `path`, as DecodeNpy. The file is read once, the
// data straight into the array's aligned buffer; its size is checked
// against the header before anything is allocated, so a header claiming
// terabytes fails cleanly.
bool ReadNpy(const std::string& path, NpyArray* array, std::string* error);

// The bytes numpy.save writes for `shape` of `dtype` before the data: the
// magic string, version 1.0 (2.0 if the header outgrows 1.0's 64 KiB), the
// header dict with NumPy's spare room to grow the first dim, padded with
// spaces and a newline so the data starts at a multiple of 64 bytes.
// `shape` must be valid (NpyByteSize has a value).
std::string EncodeNpyHeader(NpyDType dtype, std::span<const int64_t> shape);

// Writes `shape` of `dtype` with its row-major `data` (NpyByteSize bytes) to
// `path`, replacing the file; the bytes are those of numpy.save.
bool WriteNpy(const std::string& path, NpyDType dtype, std::span<const int64_t> shape,
              const void* data, std::string* error);
bool WriteNpy(const std::string& path, const NpyArray& array, std::string* error);

}  // namespace graphc::runtime
