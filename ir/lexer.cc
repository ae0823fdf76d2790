#include "ir/lexer.h"

#include "absl/status/status.h"
#include "ir/str_cat.h"

namespace graphc::ir {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
// Characters allowed after the first one of identifiers and %/@ names.
bool IsNameChar(char c) { return IsNameStart(c) || IsDigit(c) || c == '.'; }

class Lexer {
 public:
  Lexer(std::string_view text, std::string_view filename) : text_(text), filename_(filename) {}

  absl::StatusOr<std::vector<Token>> Run() {
    std::vector<Token> tokens;
    while (true) {
      SkipSpaceAndComments();
      if (pos_ >= text_.size()) break;
      absl::StatusOr<Token> t = Next();
      if (!t.ok()) return t.status();
      tokens.push_back(*std::move(t));
    }
    tokens.push_back(Make(TokenKind::kEof, pos_, line_, col_));
    return tokens;
  }

 private:
  char Peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  void Advance() {
    if (text_[pos_] == '\n') {
      ++line_;
      col_ = 1;
    } else {
      ++col_;
    }
    ++pos_;
  }

  void SkipSpaceAndComments() {
    while (pos_ < text_.size()) {
      const char c = Peek();
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        Advance();
      } else if (c == '/' && Peek(1) == '/') {
        while (pos_ < text_.size() && Peek() != '\n') Advance();
      } else {
        return;
      }
    }
  }

  Token Make(TokenKind kind, size_t start, int line, int col) const {
    Token t;
    t.kind = kind;
    t.text = text_.substr(start, pos_ - start);
    t.value = std::string(t.text);
    t.line = line;
    t.col = col;
    return t;
  }

  absl::Status Error(int line, int col, std::string_view message) const {
    return absl::InvalidArgumentError(FormatParseError(filename_, line, col, message));
  }

  absl::StatusOr<Token> Next() {
    const size_t start = pos_;
    const int line = line_;
    const int col = col_;
    const char c = Peek();
    auto single = [&](TokenKind kind) {
      Advance();
      return Make(kind, start, line, col);
    };
    switch (c) {
      case '(': return single(TokenKind::kLParen);
      case ')': return single(TokenKind::kRParen);
      case '{': return single(TokenKind::kLBrace);
      case '}': return single(TokenKind::kRBrace);
      case '[': return single(TokenKind::kLBracket);
      case ']': return single(TokenKind::kRBracket);
      case '<': return single(TokenKind::kLess);
      case '>': return single(TokenKind::kGreater);
      case ',': return single(TokenKind::kComma);
      case ':': return single(TokenKind::kColon);
      case '=': return single(TokenKind::kEqual);
      case '?': return single(TokenKind::kQuestion);
      case '"': return String();
      case '%':
      case '@': return Name(c == '%' ? TokenKind::kValue : TokenKind::kSymbol);
      default: break;
    }
    if (c == '-' && Peek(1) == '>') {
      Advance();
      Advance();
      return Make(TokenKind::kArrow, start, line, col);
    }
    if (IsDigit(c) || (c == '-' && IsDigit(Peek(1)))) return Number();
    if (c == '-' && (text_.substr(pos_ + 1, 3) == "inf" || text_.substr(pos_ + 1, 3) == "nan") &&
        !IsNameChar(Peek(4))) {
      for (int i = 0; i < 4; ++i) Advance();
      return Make(TokenKind::kFloat, start, line, col);
    }
    if (IsNameStart(c)) {
      while (pos_ < text_.size() && IsNameChar(Peek())) Advance();
      Token t = Make(TokenKind::kIdent, start, line, col);
      if (t.text == "inf" || t.text == "nan") t.kind = TokenKind::kFloat;
      return t;
    }
    return Error(line, col, StrCat("unexpected character ", QuoteSource(text_.substr(pos_, 1))));
  }

  // '%' or '@' followed by [A-Za-z0-9_.]+.
  absl::StatusOr<Token> Name(TokenKind kind) {
    const size_t start = pos_;
    const int line = line_;
    const int col = col_;
    Advance();
    while (pos_ < text_.size() && IsNameChar(Peek())) Advance();
    if (pos_ - start == 1) {
      return Error(line, col, StrCat("expected a name after '", text_.substr(start, 1), "'"));
    }
    Token t = Make(kind, start, line, col);
    t.value = std::string(t.text.substr(1));
    return t;
  }

  // -?[0-9]+ ('.' [0-9]+)? ([eE] [+-]? [0-9]+)?; a '.' or exponent makes a float.
  absl::StatusOr<Token> Number() {
    const size_t start = pos_;
    const int line = line_;
    const int col = col_;
    bool ok = true;
    bool is_float = false;
    auto digits = [&] {
      if (!IsDigit(Peek())) ok = false;
      while (IsDigit(Peek())) Advance();
    };
    if (Peek() == '-') Advance();
    digits();
    if (Peek() == '.') {
      is_float = true;
      Advance();
      digits();
    }
    if (Peek() == 'e' || Peek() == 'E') {
      is_float = true;
      Advance();
      if (Peek() == '+' || Peek() == '-') Advance();
      digits();
    }
    // Glued letters ("12abc", "1.5.2") make the whole run one bad number.
    while (pos_ < text_.size() && IsNameChar(Peek())) {
      ok = false;
      Advance();
    }
    if (!ok) {
      return Error(line, col,
                   StrCat("bad number ", QuoteSource(text_.substr(start, pos_ - start))));
    }
    return Make(is_float ? TokenKind::kFloat : TokenKind::kInt, start, line, col);
  }

  // A double-quoted string on one line; escapes \" \\ \n.
  absl::StatusOr<Token> String() {
    const size_t start = pos_;
    const int line = line_;
    const int col = col_;
    std::string value;
    Advance();  // opening quote
    while (true) {
      if (pos_ >= text_.size() || Peek() == '\n') {
        return Error(line, col, "unterminated string");
      }
      const char c = Peek();
      if (c == '"') {
        Advance();
        break;
      }
      if (c == '\\') {
        const int esc_line = line_;
        const int esc_col = col_;
        Advance();
        const char e = Peek();
        if (e == '"' || e == '\\') {
          value += e;
        } else if (e == 'n') {
          value += '\n';
        } else if (pos_ >= text_.size() || e == '\n') {
          return Error(line, col, "unterminated string");
        } else {
          return Error(esc_line, esc_col,
                       StrCat("unknown escape ", QuoteSource(text_.substr(pos_ - 1, 2)),
                              " in string (use \\\" \\\\ or \\n)"));
        }
        Advance();
        continue;
      }
      value += c;
      Advance();
    }
    Token t = Make(TokenKind::kString, start, line, col);
    t.value = std::move(value);
    return t;
  }

  std::string_view text_;
  std::string_view filename_;
  size_t pos_ = 0;
  int line_ = 1;
  int col_ = 1;
};

}  // namespace

std::string FormatParseError(std::string_view filename, int line, int col,
                             std::string_view message) {
  return StrCat(filename, ":", line, ":", col, ": error: ", message);
}

std::string QuoteSource(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "'";
  for (char ch : text) {
    const auto b = static_cast<unsigned char>(ch);
    if (b >= 0x20 && b < 0x7f) {
      out += ch;
    } else {
      out += "\\x";
      out += kHex[b >> 4];
      out += kHex[b & 0xf];
    }
  }
  return out + "'";
}

absl::StatusOr<std::vector<Token>> Lex(std::string_view text, std::string_view filename) {
  return Lexer(text, filename).Run();
}

}  // namespace graphc::ir
