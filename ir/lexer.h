// Tokens of the IR text form (grammar in docs/ir.md). The lexer turns the
// whole input into a token list up front; each token keeps its 1-based line
// and column (in bytes) so the parser can point errors at it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace graphc::ir {

enum class TokenKind : uint8_t {
  kIdent,     // op names, dtypes and keywords (func, var, dense, loc, true, ...)
  kValue,     // %name
  kSymbol,    // @name
  kInt,       // 12, -3
  kFloat,     // 1.0, -2.5e-3, inf, -inf, nan
  kString,    // "text" (value holds the unescaped contents)
  kLParen,    // (
  kRParen,    // )
  kLBrace,    // {
  kRBrace,    // }
  kLBracket,  // [
  kRBracket,  // ]
  kLess,      // <
  kGreater,   // >
  kComma,     // ,
  kColon,     // :
  kEqual,     // =
  kArrow,     // ->
  kQuestion,  // ?
  kEof,
};

struct Token {
  TokenKind kind;
  std::string_view text;  // the token as written in the source
  // Strings: the unescaped contents. Values and symbols: the name without
  // its sigil. Otherwise equal to `text`.
  std::string value;
  int line = 1;
  int col = 1;
};

// "FILE:LINE:COL: error: MESSAGE", the one format of every parse error.
std::string FormatParseError(std::string_view filename, int line, int col,
                             std::string_view message);

// Quotes a piece of source for an error message: 'text', with bytes that are
// not printable ASCII written as \xNN so messages stay one readable line.
std::string QuoteSource(std::string_view text);

// Splits `text` into tokens ending with one kEof token, or returns the first
// lexical error (unexpected character, unterminated string, bad number).
absl::StatusOr<std::vector<Token>> Lex(std::string_view text, std::string_view filename);

}  // namespace graphc::ir
