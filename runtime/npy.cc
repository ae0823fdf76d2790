#include "runtime/npy.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <new>
#include <utility>

namespace graphc::runtime {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
// numpy.save aligns the data to this; readers must accept any offset.
constexpr size_t kHeaderAlign = 64;
// numpy.save leaves room to rewrite the first dim in place with up to this
// many digits (appending to a file), so its headers are this much longer.
constexpr size_t kGrowthAxisDigits = 21;
constexpr std::string_view kSupported = "<f4 <f8 |i1 <i4 <i8 |b1";

bool Error(std::string* error, std::string message) {
  if (error != nullptr) *error = std::move(message);
  return false;
}

uint32_t ReadLittleEndian(std::string_view bytes, size_t offset, size_t width) {
  uint32_t v = 0;
  for (size_t i = 0; i < width; ++i) {
    v |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[offset + i])) << (8 * i);
  }
  return v;
}

// Header text for messages: at most 80 characters, non-printable bytes as \xNN.
std::string Quote(std::string_view text) {
  constexpr size_t kMax = 80;
  std::string out = "\"";
  for (size_t i = 0; i < text.size() && i < kMax; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    }
  }
  out += text.size() > kMax ? "\"..." : "\"";
  return out;
}

// The size of magic + version + header length + header text, from the
// first bytes of a file (10 or 12 are enough): checks the magic string and
// the version on the way.
bool PreambleSize(std::string_view bytes, size_t* total, int* major, std::string* error) {
  if (bytes.empty()) return Error(error, "not a .npy file: it is empty");
  const size_t n = std::min(bytes.size(), kMagicSize);
  if (bytes.substr(0, n) != std::string_view(kMagic, n)) {
    return Error(error, "not a .npy file: it does not start with the magic string \\x93NUMPY");
  }
  if (bytes.size() < kMagicSize + 2) {
    return Error(error, "truncated header: the file ends within the magic string and version");
  }
  const int maj = static_cast<uint8_t>(bytes[6]);
  const int min = static_cast<uint8_t>(bytes[7]);
  if (maj < 1 || maj > 3 || min != 0) {
    return Error(error, "unsupported .npy format version " + std::to_string(maj) + "." +
                            std::to_string(min) + " (graphc reads 1.0, 2.0 and 3.0)");
  }
  const size_t width = maj == 1 ? 2 : 4;
  if (bytes.size() < kMagicSize + 2 + width) {
    return Error(error, "truncated header: the file ends within the header length");
  }
  *major = maj;
  *total = kMagicSize + 2 + width + ReadLittleEndian(bytes, kMagicSize + 2, width);
  return true;
}

// ---- the header dict: a Python literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }

struct HeaderValue {
  enum Kind { kString, kBool, kTuple } kind = kString;
  std::string text;           // kString: the string; kTuple: the source text
  bool flag = false;          // kBool
  std::vector<int64_t> ints;  // kTuple
  bool overflow = false;      // kTuple: a number did not fit in int64
};

class HeaderParser {
 public:
  HeaderParser(std::string_view text, bool allow_long_suffix)
      : text_(text), allow_long_suffix_(allow_long_suffix) {}

  // Fills `values` with the keys in the order they appear; false with
  // `*error` set if the text is not a dict of strings, bools and int tuples.
  bool Parse(std::vector<std::pair<std::string, HeaderValue>>* values, std::string* error) {
    SkipSpace();
    if (!Eat('{')) return Fail("expected '{'", error);
    SkipSpace();
    while (!Eat('}')) {
      std::pair<std::string, HeaderValue> item;
      HeaderValue key;
      if (!ParseString(&key)) return Fail("expected a quoted key or '}'", error);
      item.first = key.text;
      SkipSpace();
      if (!Eat(':')) return Fail("expected ':' after the key '" + item.first + "'", error);
      SkipSpace();
      if (item.first == "descr" && Peek() == '[') {
        return Error(error, "structured dtypes (a list descr) are not supported (graphc reads " +
                                std::string(kSupported) + ")");
      }
      if (!ParseValue(&item.second)) {
        return Fail("expected a string, True, False or a tuple of ints for '" + item.first + "'",
                    error);
      }
      values->push_back(std::move(item));
      SkipSpace();
      if (Eat(',')) {
        SkipSpace();
      } else if (Peek() != '}') {
        return Fail("expected ',' or '}'", error);
      }
    }
    SkipSpace();
    if (pos_ != text_.size()) return Fail("unexpected text after '}'", error);
    return true;
  }

 private:
  char Peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  bool Eat(char c) {
    if (Peek() != c || pos_ >= text_.size()) return false;
    ++pos_;
    return true;
  }
  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Fail(const std::string& what, std::string* error) const {
    return Error(error, "malformed header: " + what + " at character " + std::to_string(pos_) +
                            " of " + Quote(text_));
  }

  bool ParseString(HeaderValue* v) {
    const char quote = Peek();
    if (quote != '\'' && quote != '"') return false;
    const size_t end = text_.find(quote, pos_ + 1);
    if (end == std::string_view::npos) return false;
    const std::string_view body = text_.substr(pos_ + 1, end - pos_ - 1);
    // Escapes never occur in what NumPy writes; refusing them keeps this small.
    if (body.find('\\') != std::string_view::npos || body.find('\n') != std::string_view::npos) {
      return false;
    }
    v->kind = HeaderValue::kString;
    v->text = std::string(body);
    pos_ = end + 1;
    return true;
  }

  bool ParseWord(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    const char next = pos_ + word.size() < text_.size() ? text_[pos_ + word.size()] : '\0';
    if ((next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') || next == '_' ||
        (next >= '0' && next <= '9')) {
      return false;
    }
    pos_ += word.size();
    return true;
  }

  // An int: optional '-', digits, and (in version 1.0 and 2.0 headers,
  // which Python 2 wrote) an optional 'L'.
  bool ParseInt(HeaderValue* v) {
    bool negative = Eat('-');
    if (negative) SkipSpace();
    if (Peek() < '0' || Peek() > '9') return false;
    uint64_t n = 0;
    while (Peek() >= '0' && Peek() <= '9') {
      const uint64_t digit = static_cast<uint64_t>(Peek() - '0');
      if (n > (std::numeric_limits<uint64_t>::max() - digit) / 10) {
        v->overflow = true;
      } else {
        n = n * 10 + digit;
      }
      ++pos_;
    }
    if (allow_long_suffix_ && (Peek() == 'L' || Peek() == 'l')) ++pos_;
    if (n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      v->overflow = true;
      n = 0;
    }
    const auto value = static_cast<int64_t>(n);
    v->ints.push_back(negative ? -value : value);
    return true;
  }

  bool ParseTuple(HeaderValue* v) {
    const size_t start = pos_;
    if (!Eat('(')) return false;
    v->kind = HeaderValue::kTuple;
    SkipSpace();
    bool trailing_comma = false;
    while (!Eat(')')) {
      if (!ParseInt(v)) return false;
      SkipSpace();
      trailing_comma = Eat(',');
      SkipSpace();
      if (!trailing_comma && Peek() != ')') return false;
    }
    // `(5)` is the int 5 in Python, not a tuple.
    if (v->ints.size() == 1 && !trailing_comma) return false;
    v->text = std::string(text_.substr(start, pos_ - start));
    return true;
  }

  bool ParseValue(HeaderValue* v) {
    if (ParseString(v)) return true;
    if (ParseWord("True")) {
      v->kind = HeaderValue::kBool;
      v->flag = true;
      return true;
    }
    if (ParseWord("False")) {
      v->kind = HeaderValue::kBool;
      v->flag = false;
      return true;
    }
    return ParseTuple(v);
  }

  std::string_view text_;
  bool allow_long_suffix_;
  size_t pos_ = 0;
};

struct DTypeInfo {
  std::string_view kind;  // the descr without its byte-order character
  NpyDType dtype;
};
constexpr DTypeInfo kDTypes[] = {
    {"f4", NpyDType::kF32}, {"f8", NpyDType::kF64}, {"i1", NpyDType::kI8},
    {"i4", NpyDType::kI32}, {"i8", NpyDType::kI64}, {"b1", NpyDType::kBool},
};

// '<' (little-endian) always; for one-byte types the order is moot, so any
// of `| < > =`. Big-endian gets its own message: it is the likely mistake.
bool ParseDescr(const std::string& descr, NpyDType* dtype, std::string* error) {
  const std::string unsupported =
      "unsupported dtype '" + descr + "' (graphc reads " + std::string(kSupported) + ")";
  if (descr.size() < 2) return Error(error, unsupported);
  const char order = descr[0];
  const std::string_view kind = std::string_view(descr).substr(1);
  for (const DTypeInfo& info : kDTypes) {
    if (info.kind != kind) continue;
    const bool one_byte = NpyItemSize(info.dtype) == 1;
    if (order == '<' || (one_byte && (order == '|' || order == '>' || order == '='))) {
      *dtype = info.dtype;
      return true;
    }
    if (order == '>') {
      return Error(error, "big-endian dtype '" + descr +
                              "' is not supported; store it little-endian ('<" + std::string(kind) +
                              "', e.g. with astype('<" + std::string(kind) + "'))");
    }
    return Error(error, unsupported);
  }
  return Error(error, unsupported);
}

// Fortran order is refused unless it is the same layout as C order (at most
// one dim longer than 1), as NumPy itself may write for such shapes.
bool SameAsCOrder(const std::vector<int64_t>& shape) {
  int long_dims = 0;
  for (int64_t d : shape) long_dims += d > 1 ? 1 : 0;
  return long_dims <= 1;
}

bool CheckHeaderDict(const std::vector<std::pair<std::string, HeaderValue>>& values,
                     NpyHeader* header, std::string* error) {
  const HeaderValue* descr = nullptr;
  const HeaderValue* fortran = nullptr;
  const HeaderValue* shape = nullptr;
  for (const auto& [key, value] : values) {
    const HeaderValue** slot = key == "descr"           ? &descr
                               : key == "fortran_order" ? &fortran
                               : key == "shape"         ? &shape
                                                        : nullptr;
    if (slot == nullptr) {
      return Error(error, "malformed header: unexpected key '" + key +
                              "' (a .npy header has 'descr', 'fortran_order' and 'shape')");
    }
    if (*slot != nullptr) {
      return Error(error, "malformed header: the key '" + key + "' appears twice");
    }
    *slot = &value;
  }
  for (auto [value, key] : {std::pair{descr, "descr"}, std::pair{fortran, "fortran_order"},
                            std::pair{shape, "shape"}}) {
    if (value == nullptr) {
      return Error(error, "malformed header: no '" + std::string(key) + "' key");
    }
  }
  if (descr->kind != HeaderValue::kString) {
    return Error(error, "malformed header: 'descr' is not a string");
  }
  if (fortran->kind != HeaderValue::kBool) {
    return Error(error, "malformed header: 'fortran_order' is not True or False");
  }
  if (shape->kind != HeaderValue::kTuple) {
    return Error(error, "malformed header: 'shape' is not a tuple of ints");
  }
  if (!ParseDescr(descr->text, &header->dtype, error)) return false;
  for (int64_t d : shape->ints) {
    if (d < 0) return Error(error, "invalid shape " + shape->text + ": a dim is negative");
  }
  if (shape->overflow || !NpyByteSize(header->dtype, shape->ints)) {
    return Error(error, "invalid shape " + shape->text + ": its size overflows 64 bits");
  }
  if (fortran->flag && !SameAsCOrder(shape->ints)) {
    return Error(error,
                 "Fortran-ordered data (fortran_order: True) is not supported; save a C-ordered "
                 "array (numpy.ascontiguousarray)");
  }
  header->shape = shape->ints;
  header->data_size = *NpyByteSize(header->dtype, header->shape);
  return true;
}

void NormalizeBools(NpyArray* array) {
  if (array->dtype != NpyDType::kBool) return;
  uint8_t* p = array->data.data();
  for (size_t i = 0; i < array->data.size(); ++i) p[i] = p[i] != 0 ? 1 : 0;
}

std::string DataSizeMismatch(const NpyHeader& header, uint64_t actual) {
  return "data size mismatch: " + std::string(NpyDescr(header.dtype)) + " of shape " +
         NpyShapeString(header.shape) + " is " + std::to_string(header.data_size) +
         " bytes, the file holds " + std::to_string(actual) + " after the header";
}

bool AllocateFor(const NpyHeader& header, NpyArray* array, std::string* error) {
  array->dtype = header.dtype;
  array->shape = header.shape;
  if (!array->data.Allocate(static_cast<size_t>(header.data_size))) {
    return Error(error, "out of memory allocating " + std::to_string(header.data_size) + " bytes");
  }
  return true;
}

// Closes the file when it goes out of scope.
struct FileCloser {
  std::FILE* file;
  ~FileCloser() {
    if (file != nullptr) std::fclose(file);
  }
};

// Reads a stream that cannot seek (a pipe) whole, then decodes it.
bool ReadStream(std::FILE* file, std::string bytes, NpyArray* array, std::string* error) {
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), file)) > 0) bytes.append(buf, n);
  if (std::ferror(file) != 0) {
    return Error(error, std::string("cannot read: ") + std::strerror(errno));
  }
  return DecodeNpy(bytes, array, error);
}

}  // namespace

std::string_view NpyDescr(NpyDType dtype) {
  switch (dtype) {
    case NpyDType::kF32: return "<f4";
    case NpyDType::kF64: return "<f8";
    case NpyDType::kI8: return "|i1";
    case NpyDType::kI32: return "<i4";
    case NpyDType::kI64: return "<i8";
    case NpyDType::kBool: return "|b1";
  }
  return "?";
}

size_t NpyItemSize(NpyDType dtype) { return DTypeSize(dtype); }

std::optional<uint64_t> NpyByteSize(NpyDType dtype, std::span<const int64_t> shape) {
  // Both the element count and the byte size must fit in int64 (sizes and
  // offsets are signed elsewhere); NumPy checks the non-zero dims likewise.
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  uint64_t bytes = NpyItemSize(dtype);
  bool empty = false;
  for (int64_t d : shape) {
    if (d < 0) return std::nullopt;
    if (d == 0) {
      empty = true;
      continue;
    }
    if (bytes > kMax / static_cast<uint64_t>(d)) return std::nullopt;
    bytes *= static_cast<uint64_t>(d);
  }
  return empty ? 0 : bytes;
}

std::string NpyShapeString(std::span<const int64_t> shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + (shape.size() == 1 ? ",)" : ")");
}

// ---- NpyArray ----

int64_t NpyArray::num_elements() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

bool MakeNpyArray(NpyDType dtype, std::vector<int64_t> shape, NpyArray* array, std::string* error) {
  NpyHeader header;
  header.dtype = dtype;
  const std::optional<uint64_t> size = NpyByteSize(dtype, shape);
  if (!size) return Error(error, "invalid shape " + NpyShapeString(shape));
  header.shape = std::move(shape);
  header.data_size = *size;
  return AllocateFor(header, array, error);
}

// ---- reading ----

bool ParseNpyHeader(std::string_view bytes, NpyHeader* header, std::string* error) {
  size_t total = 0;
  int major = 0;
  if (!PreambleSize(bytes, &total, &major, error)) return false;
  const size_t start = major == 1 ? 10 : 12;  // magic, version, header length
  if (bytes.size() < total) {
    return Error(error, "truncated header: it declares " + std::to_string(total - start) +
                            " bytes, the file holds " + std::to_string(bytes.size() - start));
  }
  const std::string_view text = bytes.substr(start, total - start);
  std::vector<std::pair<std::string, HeaderValue>> values;
  HeaderParser parser(text, /*allow_long_suffix=*/major <= 2);
  if (!parser.Parse(&values, error)) return false;
  if (!CheckHeaderDict(values, header, error)) return false;
  header->major_version = major;
  header->data_offset = total;
  return true;
}

bool DecodeNpy(std::string_view bytes, NpyArray* array, std::string* error) {
  NpyHeader header;
  if (!ParseNpyHeader(bytes, &header, error)) return false;
  const uint64_t actual = bytes.size() - header.data_offset;
  if (actual != header.data_size) return Error(error, DataSizeMismatch(header, actual));
  if (!AllocateFor(header, array, error)) return false;
  if (header.data_size > 0) {
    std::memcpy(array->data.data(), bytes.data() + header.data_offset, header.data_size);
  }
  NormalizeBools(array);
  return true;
}

bool ReadNpy(const std::string& path, NpyArray* array, std::string* error) {
  FileCloser closer{std::fopen(path.c_str(), "rb")};
  std::FILE* file = closer.file;
  if (file == nullptr) return Error(error, std::string("cannot open: ") + std::strerror(errno));
  // The preamble first: a folder fails here (EISDIR), and a file that is
  // not .npy at all is reported before its size matters.
  std::string bytes(12, '\0');
  bytes.resize(std::fread(bytes.data(), 1, bytes.size(), file));
  if (std::ferror(file) != 0) {
    return Error(error, std::string("cannot read: ") + std::strerror(errno));
  }
  size_t total = 0;
  int major = 0;
  if (!PreambleSize(bytes, &total, &major, error)) return false;

  if (std::fseek(file, 0, SEEK_END) != 0) return ReadStream(file, std::move(bytes), array, error);
  const long end = std::ftell(file);
  if (end < 0) return Error(error, std::string("cannot read: ") + std::strerror(errno));
  const auto file_size = static_cast<uint64_t>(end);
  // The whole header, unless the file is shorter than it claims (then what
  // there is, for the message).
  bytes.resize(static_cast<size_t>(std::min<uint64_t>(total, file_size)));
  if (std::fseek(file, 0, SEEK_SET) != 0 ||
      std::fread(bytes.data(), 1, bytes.size(), file) != bytes.size()) {
    return Error(error, std::string("cannot read: ") + std::strerror(errno));
  }
  NpyHeader header;
  if (!ParseNpyHeader(bytes, &header, error)) return false;
  const uint64_t actual = file_size - header.data_offset;
  if (actual != header.data_size) return Error(error, DataSizeMismatch(header, actual));
  if (!AllocateFor(header, array, error)) return false;
  if (std::fread(array->data.data(), 1, array->data.size(), file) != array->data.size()) {
    return Error(error, std::string("cannot read: ") +
                            (std::ferror(file) != 0 ? std::strerror(errno) : "the file shrank"));
  }
  NormalizeBools(array);
  return true;
}

// ---- writing ----

std::string EncodeNpyHeader(NpyDType dtype, std::span<const int64_t> shape) {
  // Keys sorted, as Python's repr of NumPy's dict gives them.
  std::string dict = "{'descr': '" + std::string(NpyDescr(dtype)) +
                     "', 'fortran_order': False, 'shape': " + NpyShapeString(shape) + ", }";
  if (!shape.empty()) {
    const size_t digits = std::to_string(shape[0]).size();
    dict.append(kGrowthAxisDigits > digits ? kGrowthAxisDigits - digits : 0, ' ');
  }
  const size_t text_size = dict.size() + 1;  // + the final '\n'
  // Version 1.0 stores the header length in 2 bytes; 2.0 in 4.
  for (int major : {1, 2}) {
    const size_t preamble = kMagicSize + 2 + (major == 1 ? 2 : 4);
    // Like NumPy: always at least one space, a whole line of them when
    // already aligned.
    const size_t pad = kHeaderAlign - (preamble + text_size) % kHeaderAlign;
    const size_t length = text_size + pad;
    if (major == 1 && length > 0xffff) continue;
    std::string out(kMagic, kMagicSize);
    out += static_cast<char>(major);
    out += '\0';
    for (size_t i = 0; i < preamble - kMagicSize - 2; ++i) {
      out += static_cast<char>((length >> (8 * i)) & 0xff);
    }
    out += dict;
    out.append(pad, ' ');
    out += '\n';
    return out;
  }
  return {};  // unreachable: 2.0 holds headers up to 4 GiB
}

bool WriteNpy(const std::string& path, NpyDType dtype, std::span<const int64_t> shape,
              const void* data, std::string* error) {
  const std::optional<uint64_t> size = NpyByteSize(dtype, shape);
  if (!size) return Error(error, "invalid shape " + NpyShapeString(shape));
  const std::string header = EncodeNpyHeader(dtype, shape);
  FileCloser closer{std::fopen(path.c_str(), "wb")};
  if (closer.file == nullptr) {
    return Error(error, std::string("cannot open for writing: ") + std::strerror(errno));
  }
  int write_errno = 0;
  if (std::fwrite(header.data(), 1, header.size(), closer.file) != header.size() ||
      (*size > 0 && std::fwrite(data, 1, *size, closer.file) != *size)) {
    write_errno = errno;
  }
  // fclose flushes: a full disk may only show here.
  if (std::fclose(std::exchange(closer.file, nullptr)) != 0 && write_errno == 0) {
    write_errno = errno;
  }
  if (write_errno != 0) {
    return Error(error, std::string("cannot write: ") + std::strerror(write_errno));
  }
  return true;
}

bool WriteNpy(const std::string& path, const NpyArray& array, std::string* error) {
  const std::optional<uint64_t> size = NpyByteSize(array.dtype, array.shape);
  if (!size || *size != array.data.size()) {
    return Error(error,
                 "the array's buffer does not match its shape " + NpyShapeString(array.shape));
  }
  return WriteNpy(path, array.dtype, array.shape, array.data.data(), error);
}

}  // namespace graphc::runtime
