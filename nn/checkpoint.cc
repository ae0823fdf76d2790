// The safetensors reader and writer. The JSON header is read by a small
// parser for exactly its grammar (objects, strings, non-negative integers,
// arrays of them) rather than by a general JSON library: the project takes
// no new dependencies, the grammar is a few dozen lines, and a parser that
// knows the schema rejects what a safetensors file must not contain
// (duplicate keys, fractions, negative sizes, numbers beyond 64 bits, stray
// fields) where a general library would hand over a DOM to re-check.
#include "nn/checkpoint.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <tuple>

namespace graphc::nn {
namespace {

// As the reference implementation: a larger header is refused before it is
// read.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

// ---- dtypes ----

struct FileDType {
  std::string_view name;
  int64_t size;                // bytes per element
  std::optional<DType> dtype;  // the graphc dtype, if there is one
};

// The dtypes of the safetensors specification, in the order of the
// reference implementation's Dtype enum: it writes tensors of later dtypes
// (larger elements) first, so every tensor is aligned to its element size.
// Tensors of a dtype without a graphc one can still sit in a file we load:
// their offsets are checked and they are skipped.
constexpr FileDType kFileDTypes[] = {
    {"BOOL", 1, DType::kBool},
    {"U8", 1, {}},
    {"I8", 1, DType::kI8},
    {"F8_E5M2", 1, {}},
    {"F8_E4M3", 1, {}},
    {"I16", 2, {}},
    {"U16", 2, {}},
    {"F16", 2, {}},
    {"BF16", 2, {}},
    {"I32", 4, DType::kI32},
    {"U32", 4, {}},
    {"F32", 4, DType::kF32},
    {"F64", 8, DType::kF64},
    {"I64", 8, DType::kI64},
    {"U64", 8, {}},
};

const FileDType* FindFileDType(std::string_view name) {
  for (const FileDType& d : kFileDTypes) {
    if (d.name == name) return &d;
  }
  return nullptr;  // a dtype newer than this table
}

const FileDType& FileDTypeOf(DType dtype) {
  for (const FileDType& d : kFileDTypes) {
    if (d.dtype == dtype) return d;
  }
  throw Error(absl::InternalError("checkpoint: no safetensors dtype for " + std::string(ir::DTypeName(dtype))));
}

// Position in kFileDTypes: the write order.
int64_t WriteRank(const FileDType& d) { return &d - kFileDTypes; }

std::string ShapeText(const std::vector<uint64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + std::to_string(dims[i]);
  return s + "]";
}

// ---- bytes ----

template <typename T>
void AppendLittleEndian(const std::vector<T>& values, std::string& out) {
  for (const T v : values) {
    char bytes[sizeof(T)];
    std::memcpy(bytes, &v, sizeof(T));
    if constexpr (std::endian::native == std::endian::big) std::reverse(bytes, bytes + sizeof(T));
    out.append(bytes, sizeof(T));
  }
}

template <typename T>
std::vector<T> ReadLittleEndian(std::string_view bytes) {
  std::vector<T> values(bytes.size() / sizeof(T));
  for (size_t i = 0; i < values.size(); ++i) {
    char element[sizeof(T)];
    std::memcpy(element, bytes.data() + i * sizeof(T), sizeof(T));
    if constexpr (std::endian::native == std::endian::big) std::reverse(element, element + sizeof(T));
    std::memcpy(&values[i], element, sizeof(T));
  }
  return values;
}

std::string Encode(const Tensor& t) {
  std::string out;
  switch (t.dtype()) {
    case DType::kF32: AppendLittleEndian(t.to_vector<float>(), out); break;
    case DType::kF64: AppendLittleEndian(t.to_vector<double>(), out); break;
    case DType::kI8: AppendLittleEndian(t.to_vector<int8_t>(), out); break;
    case DType::kI32: AppendLittleEndian(t.to_vector<int32_t>(), out); break;
    case DType::kI64: AppendLittleEndian(t.to_vector<int64_t>(), out); break;
    case DType::kBool: {
      const std::vector<bool> b = t.to_vector<bool>();
      AppendLittleEndian(std::vector<uint8_t>(b.begin(), b.end()), out);
      break;
    }
  }
  return out;
}

// graphc::constant takes its values as doubles, which hold every int64 only
// up to 2^53. Larger ones are built exactly from two halves that doubles do
// hold: v = hi * 2^32 + lo, with hi = v >> 32 (signed) and lo the low 32
// bits (unsigned); the sum cannot overflow since it equals v.
Tensor Int64Tensor(const std::vector<int64_t>& values, const Shape& shape) {
  constexpr int64_t kExact = int64_t{1} << 53;
  if (std::all_of(values.begin(), values.end(), [](int64_t v) { return v >= -kExact && v <= kExact; })) {
    return constant(values, shape, int64);
  }
  std::vector<int64_t> hi(values.size()), lo(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    hi[i] = values[i] >> 32;
    lo[i] = static_cast<int64_t>(static_cast<uint64_t>(values[i]) & 0xFFFFFFFFu);
  }
  return constant(hi, shape, int64) * Tensor(int64_t{1} << 32) + constant(lo, shape, int64);
}

// ---- errors ----

// Every message starts with the operation and the file.
class Problems {
 public:
  Problems(std::string_view operation, const std::string& path)
      : prefix_(std::string(operation) + "(" + path + "): ") {}

  [[noreturn]] void Invalid(const std::string& message) const {
    throw Error(absl::InvalidArgumentError(prefix_ + message));
  }
  [[noreturn]] void NotFound(const std::string& message) const {
    throw Error(absl::NotFoundError(prefix_ + message));
  }
  [[noreturn]] void AboutVariable(const std::string& name, const std::string& message) const {
    Invalid("variable '" + name + "': " + message);
  }

 private:
  std::string prefix_;
};

// ---- UTF-8 (JSON text must be UTF-8) ----

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  auto continuation = [&](size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    if (i + k >= s.size()) return false;
    const auto c = static_cast<unsigned char>(s[i + k]);
    return c >= lo && c <= hi;
  };
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t length = 0;
    // The second byte's range excludes overlong forms and UTF-16 surrogates.
    if (c < 0x80) length = 1;
    else if (c >= 0xC2 && c <= 0xDF) length = continuation(1) ? 2 : 0;
    else if (c == 0xE0) length = continuation(1, 0xA0) && continuation(2) ? 3 : 0;
    else if (c == 0xED) length = continuation(1, 0x80, 0x9F) && continuation(2) ? 3 : 0;
    else if (c >= 0xE1 && c <= 0xEF) length = continuation(1) && continuation(2) ? 3 : 0;
    else if (c == 0xF0) length = continuation(1, 0x90) && continuation(2) && continuation(3) ? 4 : 0;
    else if (c >= 0xF1 && c <= 0xF3) length = continuation(1) && continuation(2) && continuation(3) ? 4 : 0;
    else if (c == 0xF4) length = continuation(1, 0x80, 0x8F) && continuation(2) && continuation(3) ? 4 : 0;
    if (length == 0) return false;
    i += length;
  }
  return true;
}

void AppendUtf8(uint32_t code_point, std::string& out) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

// ---- the header ----

struct TensorEntry {
  std::string name;
  std::string dtype;
  std::vector<uint64_t> shape;
  uint64_t begin = 0, end = 0;
};

// A JSON string as serde_json (the reference implementation's writer)
// writes it: quote, backslash and control characters escaped, the rest as is.
void AppendJsonString(std::string_view s, std::string& out) {
  out += '"';
  for (const char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out += kHex[(c >> 4) & 0xF];
          out += kHex[c & 0xF];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

// {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},...}, compact, then
// spaces up to a multiple of 8 bytes.
std::string HeaderJson(const std::vector<TensorEntry>& entries) {
  std::string json = "{";
  for (size_t i = 0; i < entries.size(); ++i) {
    const TensorEntry& e = entries[i];
    if (i > 0) json += ',';
    AppendJsonString(e.name, json);
    json += ":{\"dtype\":\"" + e.dtype + "\",\"shape\":" + ShapeText(e.shape) + ",\"data_offsets\":[" +
            std::to_string(e.begin) + "," + std::to_string(e.end) + "]}";
  }
  json += '}';
  json.append((8 - json.size() % 8) % 8, ' ');
  return json;
}

// Reads the header's JSON: an object of tensor entries plus an optional
// "__metadata__" object of strings.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const Problems& problems) : text_(text), problems_(problems) {}

  std::vector<TensorEntry> Parse() {
    if (!IsValidUtf8(text_)) problems_.Invalid("malformed header: not valid UTF-8");
    // The specification: the header MUST begin with '{'.
    if (text_.empty() || text_[0] != '{') Fail("expected the header to begin with '{'");
    std::vector<TensorEntry> entries;
    Object([&](const std::string& key) {
      if (key == "__metadata__") {
        Object([&](const std::string&) { String(); });
      } else {
        entries.push_back(Entry(key));
      }
    });
    SkipSpace();  // the padding
    if (pos_ != text_.size()) Fail("unexpected text after the header's closing '}'");
    return entries;
  }

 private:
  [[noreturn]] void Fail(const std::string& message) const {
    problems_.Invalid("malformed header at byte " + std::to_string(pos_) + " of the JSON: " + message);
  }

  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' ||
                                   text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  char Peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void Expect(char c) {
    SkipSpace();
    if (pos_ >= text_.size()) Fail(std::string("expected '") + c + "', found the end of the header");
    if (text_[pos_] != c) Fail(std::string("expected '") + c + "', found '" + text_[pos_] + "'");
    ++pos_;
  }
  bool Consume(char c) {
    SkipSpace();
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }

  // {"key": value, ...}: calls `member(key)` to read each value; a key may
  // appear once.
  template <typename Member>
  void Object(Member member) {
    Expect('{');
    if (Consume('}')) return;
    std::set<std::string> keys;
    do {
      SkipSpace();
      const size_t key_pos = pos_;
      std::string key = String();
      if (!keys.insert(key).second) {
        pos_ = key_pos;
        Fail("duplicate key \"" + key + "\"");
      }
      Expect(':');
      member(key);
    } while (Consume(','));
    Expect('}');
  }

  std::string String() {
    Expect('"');
    std::string s;
    while (true) {
      if (pos_ >= text_.size()) Fail("unterminated string");
      const char c = text_[pos_++];
      if (c == '"') return s;
      if (static_cast<unsigned char>(c) < 0x20) {
        --pos_;
        Fail("control character in a string (JSON needs it escaped)");
      }
      if (c != '\\') {
        s += c;
        continue;
      }
      if (pos_ >= text_.size()) Fail("unterminated string");
      const char e = text_[pos_++];
      switch (e) {
        case '"': s += '"'; break;
        case '\\': s += '\\'; break;
        case '/': s += '/'; break;
        case 'b': s += '\b'; break;
        case 'f': s += '\f'; break;
        case 'n': s += '\n'; break;
        case 'r': s += '\r'; break;
        case 't': s += '\t'; break;
        case 'u': AppendUtf8(CodePoint(), s); break;
        default: --pos_; Fail(std::string("unknown escape '\\") + e + "'");
      }
    }
  }

  // After "\u": four hex digits, or a UTF-16 surrogate pair written as two.
  uint32_t CodePoint() {
    const uint32_t first = Hex4();
    if (first >= 0xDC00 && first <= 0xDFFF) Fail("unpaired UTF-16 surrogate in a \\u escape");
    if (first < 0xD800 || first > 0xDBFF) return first;
    if (text_.substr(pos_, 2) != "\\u") Fail("unpaired UTF-16 surrogate in a \\u escape");
    pos_ += 2;
    const uint32_t second = Hex4();
    if (second < 0xDC00 || second > 0xDFFF) Fail("unpaired UTF-16 surrogate in a \\u escape");
    return 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
  }
  uint32_t Hex4() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i, ++pos_) {
      const char c = Peek();
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<uint32_t>(c - 'A' + 10);
      else Fail("expected four hex digits after \\u");
    }
    return v;
  }

  // A non-negative integer that fits 64 bits, in JSON's spelling (no
  // leading zeros).
  uint64_t Integer() {
    SkipSpace();
    const size_t start = pos_;
    uint64_t v = 0;
    while (Peek() >= '0' && Peek() <= '9') {
      const auto digit = static_cast<uint64_t>(Peek() - '0');
      if (v > (UINT64_MAX - digit) / 10) {
        pos_ = start;
        Fail("integer too large for 64 bits");
      }
      v = v * 10 + digit;
      ++pos_;
    }
    if (pos_ == start) Fail("expected a non-negative integer");
    if (text_[start] == '0' && pos_ - start > 1) {
      pos_ = start;
      Fail("leading zero in an integer");
    }
    if (Peek() == '.' || Peek() == 'e' || Peek() == 'E') Fail("expected an integer, found a fraction or exponent");
    return v;
  }

  std::vector<uint64_t> IntegerArray() {
    Expect('[');
    std::vector<uint64_t> v;
    if (Consume(']')) return v;
    do v.push_back(Integer());
    while (Consume(','));
    Expect(']');
    return v;
  }

  // {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}, keys in any
  // order, all three present, no others.
  TensorEntry Entry(const std::string& name) {
    TensorEntry e;
    e.name = name;
    bool has_dtype = false, has_shape = false, has_offsets = false;
    const size_t start = pos_;
    Object([&](const std::string& key) {
      if (key == "dtype") {
        e.dtype = String();
        has_dtype = true;
      } else if (key == "shape") {
        e.shape = IntegerArray();
        has_shape = true;
      } else if (key == "data_offsets") {
        const size_t offsets_pos = pos_;
        const std::vector<uint64_t> offsets = IntegerArray();
        if (offsets.size() != 2) {
          pos_ = offsets_pos;
          Fail("tensor '" + name + "': data_offsets needs two integers [begin, end]");
        }
        e.begin = offsets[0];
        e.end = offsets[1];
        has_offsets = true;
      } else {
        Fail("tensor '" + name + "': unknown key \"" + key + "\" (expected dtype, shape and data_offsets)");
      }
    });
    if (!has_dtype || !has_shape || !has_offsets) {
      pos_ = start;
      Fail("tensor '" + name + "' lacks " + (!has_dtype ? "dtype" : !has_shape ? "shape" : "data_offsets"));
    }
    return e;
  }

  std::string_view text_;
  const Problems& problems_;
  size_t pos_ = 0;
};

// Checks that the tensors tile the data section exactly, as the reference
// implementation requires: sorted by offset, each starting where the
// previous one ends, each as long as its shape and dtype say, the last
// ending at the end of the file. No overlap (two names for the same bytes),
// no gaps, no trailing bytes.
void CheckLayout(std::vector<TensorEntry> entries, uint64_t data_size, const Problems& problems) {
  std::sort(entries.begin(), entries.end(), [](const TensorEntry& a, const TensorEntry& b) {
    return std::tie(a.begin, a.end) < std::tie(b.begin, b.end);
  });
  uint64_t expected_begin = 0;
  const TensorEntry* previous = nullptr;
  for (const TensorEntry& e : entries) {
    const std::string offsets = "data_offsets [" + std::to_string(e.begin) + "," + std::to_string(e.end) + "]";
    auto fail = [&](const std::string& message) {
      problems.Invalid("tensor '" + e.name + "': " + offsets + " " + message);
    };
    if (e.end < e.begin) fail("end before they begin");
    if (e.begin < expected_begin) fail("overlap tensor '" + previous->name + "'");
    if (e.begin > expected_begin) {
      fail("leave a gap after " + (previous ? "tensor '" + previous->name + "'" : "the header") +
           ", which ends at " + std::to_string(expected_begin));
    }
    if (const FileDType* d = FindFileDType(e.dtype)) {
      uint64_t bytes = static_cast<uint64_t>(d->size);
      for (const uint64_t dim : e.shape) {
        if (__builtin_mul_overflow(bytes, dim, &bytes)) fail("belong to a shape too large for 64 bits");
      }
      if (e.end - e.begin != bytes) {
        fail("hold " + std::to_string(e.end - e.begin) + " bytes, but " + e.dtype + " " + ShapeText(e.shape) +
             " needs " + std::to_string(bytes));
      }
    }
    if (e.end > data_size) {
      fail("run past the end of the data (" + std::to_string(data_size) + " bytes): the file is truncated");
    }
    expected_begin = e.end;
    previous = &e;
  }
  if (expected_begin != data_size) {
    problems.Invalid(std::to_string(data_size - expected_begin) + " bytes of data after the last tensor");
  }
}

// The names as given: each once, usable as a key.
void CheckNames(const NamedVariables& variables, const Problems& problems) {
  std::set<std::string_view> seen;
  for (const auto& [name, variable] : variables) {
    if (!seen.insert(name).second) problems.AboutVariable(name, "the name appears twice in the list");
    if (name == "__metadata__") problems.AboutVariable(name, "the name is reserved by the safetensors format");
    if (!IsValidUtf8(name)) problems.Invalid("a variable name is not valid UTF-8");
  }
}

std::string ReadWholeFile(const std::string& path, const Problems& problems) {
  if (std::filesystem::is_directory(path)) problems.Invalid("it is a directory, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) problems.NotFound(std::filesystem::exists(path) ? "cannot read the file" : "no such file");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) problems.Invalid("error while reading the file");
  return bytes;
}

// The tensor for `variable` from its entry, after checking that they match.
Tensor Decode(const std::string& name, const Variable& variable, const TensorEntry& entry, std::string_view data,
              const Problems& problems) {
  const FileDType& want = FileDTypeOf(variable.dtype());
  if (entry.dtype != want.name) {
    problems.AboutVariable(name, "the file has dtype " + entry.dtype + ", the variable " + std::string(want.name) +
                                     " (" + std::string(ir::DTypeName(variable.dtype())) + ")");
  }
  const std::vector<int64_t>& dims = variable.shape().dims();
  if (!std::equal(dims.begin(), dims.end(), entry.shape.begin(), entry.shape.end(),
                  [](int64_t a, uint64_t b) { return static_cast<uint64_t>(a) == b; })) {
    problems.AboutVariable(name, "the file has shape " + ShapeText(entry.shape) + ", the variable " +
                                     variable.shape().ToString());
  }
  const std::string_view bytes = data.substr(entry.begin, entry.end - entry.begin);
  const Shape& shape = variable.shape();
  switch (variable.dtype()) {
    case DType::kF32: return constant(ReadLittleEndian<float>(bytes), shape, float32);
    case DType::kF64: return constant(ReadLittleEndian<double>(bytes), shape, float64);
    case DType::kI8: return constant(ReadLittleEndian<int8_t>(bytes), shape, int8);
    case DType::kI32: return constant(ReadLittleEndian<int32_t>(bytes), shape, int32);
    case DType::kI64: return Int64Tensor(ReadLittleEndian<int64_t>(bytes), shape);
    case DType::kBool: {
      const std::vector<uint8_t> b = ReadLittleEndian<uint8_t>(bytes);
      const auto bad = std::find_if(b.begin(), b.end(), [](uint8_t v) { return v > 1; });
      if (bad != b.end()) {
        problems.AboutVariable(name, "BOOL element " + std::to_string(bad - b.begin()) + " is " +
                                         std::to_string(*bad) + ", not 0 or 1");
      }
      return constant(b, shape, boolean);
    }
  }
  problems.AboutVariable(name, "unsupported dtype");
}

}  // namespace

void save_variables(const std::string& path, const NamedVariables& variables) {
  const Problems problems("save_variables", path);
  // Checkpoints hold values: read them eagerly even when called while a
  // function is being traced.
  const init_scope eager;
  CheckNames(variables, problems);

  struct Item {
    const std::string* name;
    const FileDType* dtype;
    std::vector<uint64_t> shape;
    std::string bytes;
  };
  std::vector<Item> items;
  for (const auto& [name, variable] : variables) {
    const Tensor value = variable.value();
    const std::vector<int64_t>& dims = value.shape().dims();
    items.push_back({&name, &FileDTypeOf(value.dtype()), std::vector<uint64_t>(dims.begin(), dims.end()),
                     Encode(value)});
  }
  // The reference implementation's order: dtype (larger elements first),
  // then name.
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return std::make_pair(-WriteRank(*a.dtype), std::string_view(*a.name)) <
           std::make_pair(-WriteRank(*b.dtype), std::string_view(*b.name));
  });
  std::vector<TensorEntry> entries;
  uint64_t offset = 0;
  for (const Item& item : items) {
    entries.push_back({*item.name, std::string(item.dtype->name), item.shape, offset, offset + item.bytes.size()});
    offset += item.bytes.size();
  }
  const std::string header = HeaderJson(entries);
  std::string length;
  AppendLittleEndian(std::vector<uint64_t>{header.size()}, length);

  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) problems.Invalid("cannot create " + temporary);
    out << length << header;
    for (const Item& item : items) out << item.bytes;
    out.close();
    if (!out) {
      std::filesystem::remove(temporary);
      problems.Invalid("error while writing " + temporary);
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::filesystem::remove(temporary);
    problems.Invalid("cannot rename " + temporary + " to it: " + error.message());
  }
}

void load_variables(const std::string& path, const NamedVariables& variables) {
  const Problems problems("load_variables", path);
  const init_scope eager;  // assign at once, even while tracing
  CheckNames(variables, problems);

  const std::string file = ReadWholeFile(path, problems);
  if (file.size() < 8) {
    problems.Invalid("truncated header: the file has " + std::to_string(file.size()) +
                     " bytes, fewer than the 8 of the header length");
  }
  const uint64_t header_size = ReadLittleEndian<uint64_t>(std::string_view(file).substr(0, 8))[0];
  if (header_size > kMaxHeaderBytes) {
    problems.Invalid("the header length " + std::to_string(header_size) + " is over the limit of " +
                     std::to_string(kMaxHeaderBytes) + " bytes (not a safetensors file?)");
  }
  if (header_size > file.size() - 8) {
    problems.Invalid("truncated header: its length says " + std::to_string(header_size) + " bytes, but " +
                     std::to_string(file.size() - 8) + " follow");
  }
  const std::string_view header = std::string_view(file).substr(8, header_size);
  const std::string_view data = std::string_view(file).substr(8 + header_size);

  const std::vector<TensorEntry> entries = HeaderParser(header, problems).Parse();
  CheckLayout(entries, data.size(), problems);
  std::map<std::string_view, const TensorEntry*> by_name;
  for (const TensorEntry& e : entries) by_name[e.name] = &e;

  // All or nothing: every tensor is decoded and checked before the first
  // assignment.
  std::vector<Tensor> values;
  for (const auto& [name, variable] : variables) {
    const auto found = by_name.find(name);
    if (found == by_name.end()) {
      std::string names;
      for (const auto& [file_name, entry] : by_name) {
        if (names.size() > 200) {
          names += ", ...";
          break;
        }
        names += (names.empty() ? "" : ", ") + std::string(file_name);
      }
      problems.NotFound("variable '" + name + "' is not in the file (" +
                        (names.empty() ? "it holds no tensors)" : "it holds: " + names + ")"));
    }
    values.push_back(Decode(name, variable, *found->second, data, problems));
  }
  for (size_t i = 0; i < variables.size(); ++i) variables[i].second.assign(values[i]);
}

}  // namespace graphc::nn
