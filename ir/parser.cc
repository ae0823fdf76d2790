// The IR parser: a recursive-descent parser over the token list from
// ir/lexer.h. Two passes over the top level: the first reads every `var` and
// every function signature (skipping bodies) so a body may call a function
// defined further down; the second parses the bodies. Ops are built through
// ir::Builder, so every shape rule that applies to traced IR applies here.
#include "ir/parser.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "ir/builder.h"
#include "ir/lexer.h"
#include "ir/status_macros.h"
#include "ir/str_cat.h"

namespace graphc::ir {
namespace {

using K = TokenKind;

// Region nesting beyond this is an error rather than a deep recursion.
constexpr int kMaxRegionDepth = 64;
// A dense literal may not allocate more than this.
constexpr int64_t kMaxDenseBytes = int64_t{1} << 30;

struct ParsedAttr {
  const Token* name;
  const Token* value_tok;
  Attribute value;
};

struct FuncHeader {
  Function* function;
  std::vector<const Token*> params;  // the %name tokens, in order
  size_t body_begin;                 // index of the body's '{'
  size_t body_end;                   // index one past its matching '}'
};

// Names visible in one region. A scope opened for an op whose regions are
// isolated hides the scopes outside it.
struct Scope {
  struct Binding {
    Value* value;
    const Token* def;
  };
  absl::flat_hash_map<std::string, Binding> values;
  std::string_view isolating_op;  // non-empty: outer values are not visible
};

std::string Plural(size_t n, std::string_view word) {
  return StrCat(n, " ", word, n == 1 ? "" : "s");
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, std::string_view filename, Module& module)
      : toks_(std::move(tokens)), filename_(filename), module_(module) {}

  absl::Status Run() {
    while (!At(K::kEof)) {
      if (AtKeyword("var")) {
        GRAPHC_RETURN_IF_ERROR(ParseVarDecl());
      } else if (AtKeyword("func")) {
        GRAPHC_RETURN_IF_ERROR(ParseFuncHeader());
      } else {
        return Expected("'func' or 'var'");
      }
    }
    for (const FuncHeader& h : headers_) GRAPHC_RETURN_IF_ERROR(ParseFuncBody(h));
    return absl::OkStatus();
  }

 private:
  // ---- tokens and errors ----
  const Token& Cur() const { return toks_[pos_]; }
  const Token& Peek(size_t ahead) const { return toks_[std::min(pos_ + ahead, toks_.size() - 1)]; }
  bool At(K kind) const { return Cur().kind == kind; }
  bool AtKeyword(std::string_view word) const { return At(K::kIdent) && Cur().text == word; }
  const Token& Take() {
    const Token& t = toks_[pos_];
    if (t.kind != K::kEof) ++pos_;
    return t;
  }

  absl::Status ErrorAt(const Token& t, std::string_view message) const {
    return absl::InvalidArgumentError(FormatParseError(filename_, t.line, t.col, message));
  }
  // "expected X, got 'y'" at the current token.
  absl::Status Expected(std::string_view what) const {
    if (At(K::kEof)) return ErrorAt(Cur(), StrCat("unexpected end of input, expected ", what));
    return ErrorAt(Cur(), StrCat("expected ", what, ", got ", QuoteSource(Cur().text)));
  }
  absl::StatusOr<const Token*> Expect(K kind, std::string_view what) {
    if (!At(kind)) return Expected(what);
    return &Take();
  }

  // ---- numbers ----
  absl::StatusOr<int64_t> ToInt(const Token& t) const {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), v);
    if (ec != std::errc() || end != t.text.data() + t.text.size()) {
      return ErrorAt(t, StrCat("integer ", QuoteSource(t.text), " is out of range for i64"));
    }
    return v;
  }

  template <typename T>
  absl::StatusOr<T> ToFloat(const Token& t, std::string_view dtype) const {
    if (t.text == "inf") return std::numeric_limits<T>::infinity();
    if (t.text == "-inf") return -std::numeric_limits<T>::infinity();
    if (t.text == "nan") return std::numeric_limits<T>::quiet_NaN();
    if (t.text == "-nan") return -std::numeric_limits<T>::quiet_NaN();
    T v = 0;
    auto [end, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), v);
    if (ec != std::errc() || end != t.text.data() + t.text.size()) {
      return ErrorAt(t, StrCat("number ", QuoteSource(t.text), " is out of range for ", dtype));
    }
    return v;
  }

  // ---- symbols and values ----
  absl::Status DeclareSymbol(const Token& t) {
    auto [it, inserted] = symbols_.emplace(t.value, &t);
    if (!inserted) {
      return ErrorAt(t, StrCat("redefinition of @", t.value, " (first defined at ",
                               it->second->line, ":", it->second->col, ")"));
    }
    return absl::OkStatus();
  }

  absl::Status CheckFresh(const Token& t) const {
    for (const Scope& s : scopes_) {
      auto it = s.values.find(t.value);
      if (it != s.values.end()) {
        return ErrorAt(t, StrCat("redefinition of value %", t.value, " (first defined at ",
                                 it->second.def->line, ":", it->second.def->col, ")"));
      }
    }
    return absl::OkStatus();
  }

  absl::Status Define(const Token& t, Value* v) {
    GRAPHC_RETURN_IF_ERROR(CheckFresh(t));
    scopes_.back().values.emplace(t.value, Scope::Binding{v, &t});
    return absl::OkStatus();
  }

  absl::StatusOr<Value*> Lookup(const Token& t) const {
    std::string_view barrier;
    for (auto s = scopes_.rbegin(); s != scopes_.rend(); ++s) {
      auto it = s->values.find(t.value);
      if (it != s->values.end()) {
        if (!barrier.empty()) {
          return ErrorAt(t, StrCat("value %", t.value, " is defined outside '", barrier,
                                   "', whose regions may not use outer values"));
        }
        return it->second.value;
      }
      if (barrier.empty()) barrier = s->isolating_op;
    }
    return ErrorAt(t, StrCat("use of undefined value %", t.value));
  }

  // ---- types ----
  absl::StatusOr<TensorType> ParseType() {
    if (!At(K::kIdent)) return Expected("a type such as f32[2,?]");
    const Token& name = Take();
    std::optional<DType> dtype = ParseDType(name.text);
    if (!dtype.has_value()) {
      return ErrorAt(name, StrCat("unknown dtype ", QuoteSource(name.text),
                                  " (expected f32, f64, i8, i32, i64 or bool)"));
    }
    GRAPHC_RETURN_IF_ERROR(Expect(K::kLBracket, "'[' after the dtype").status());
    std::vector<int64_t> dims;
    while (!At(K::kRBracket)) {
      if (At(K::kQuestion)) {
        Take();
        dims.push_back(kDynamic);
      } else if (At(K::kInt) && Cur().text[0] != '-') {
        GRAPHC_ASSIGN_OR_RETURN(int64_t d, ToInt(Take()));
        dims.push_back(d);
      } else if (At(K::kEof)) {
        return Expected("a dim");
      } else {
        return ErrorAt(Cur(), StrCat("invalid dim ", QuoteSource(Cur().text),
                                     " (expected a non-negative integer or '?')"));
      }
      if (At(K::kComma)) {
        Take();
      } else if (!At(K::kRBracket)) {
        return Expected("',' or ']' in the shape");
      }
    }
    Take();
    return TensorType{*dtype, Shape(std::move(dims))};
  }

  // ---- attributes ----
  absl::StatusOr<ParsedAttr> ParseAttr() {
    GRAPHC_ASSIGN_OR_RETURN(const Token* name, Expect(K::kIdent, "an attribute name"));
    GRAPHC_RETURN_IF_ERROR(Expect(K::kEqual, "'=' after the attribute name").status());
    const Token& t = Cur();
    ParsedAttr a{name, &t, {}};
    switch (t.kind) {
      case K::kInt: {
        GRAPHC_ASSIGN_OR_RETURN(a.value, ToInt(Take()));
        return a;
      }
      case K::kFloat: {
        GRAPHC_ASSIGN_OR_RETURN(a.value, ToFloat<double>(Take(), "a float attribute"));
        return a;
      }
      case K::kString: a.value = Take().value; return a;
      case K::kSymbol: a.value = SymbolRef{Take().value}; return a;
      case K::kLBracket: {
        Take();
        std::vector<int64_t> ints;
        while (!At(K::kRBracket)) {
          if (!At(K::kInt)) return Expected("an integer in the list");
          GRAPHC_ASSIGN_OR_RETURN(int64_t v, ToInt(Take()));
          ints.push_back(v);
          if (At(K::kComma)) {
            Take();
          } else if (!At(K::kRBracket)) {
            return Expected("',' or ']' in the list");
          }
        }
        Take();
        a.value = std::move(ints);
        return a;
      }
      case K::kIdent:
        if (t.text == "true" || t.text == "false") {
          a.value = Take().text == "true";
          return a;
        }
        if (t.text == "dense") {
          GRAPHC_ASSIGN_OR_RETURN(a.value, ParseDense());
          return a;
        }
        if (std::optional<DType> d = ParseDType(t.text)) {
          Take();
          a.value = *d;
          return a;
        }
        break;
      default: break;
    }
    return Expected("an attribute value");
  }

  // `{name = value, ...}`; names must be distinct.
  absl::StatusOr<std::vector<ParsedAttr>> ParseAttrDict() {
    Take();  // '{'
    std::vector<ParsedAttr> attrs;
    while (true) {
      GRAPHC_ASSIGN_OR_RETURN(ParsedAttr a, ParseAttr());
      for (const ParsedAttr& prev : attrs) {
        if (prev.name->text == a.name->text) {
          return ErrorAt(*a.name, StrCat("duplicate attribute '", a.name->text, "'"));
        }
      }
      attrs.push_back(std::move(a));
      if (At(K::kRBrace)) break;
      if (!At(K::kComma)) return Expected("',' or '}' in the attribute dict");
      Take();
    }
    Take();
    return attrs;
  }

  // Checks names and kinds against the op's specs (so errors point at the
  // attribute); an integer is accepted where a float is expected.
  absl::StatusOr<AttrMap> OpAttrs(const OpDef& def, std::vector<ParsedAttr> parsed) const {
    AttrMap attrs;
    for (ParsedAttr& a : parsed) {
      const AttrSpec* spec = nullptr;
      for (const AttrSpec& s : def.attrs) {
        if (s.name == a.name->text) spec = &s;
      }
      if (spec == nullptr) {
        return ErrorAt(*a.name,
                       StrCat("unknown attribute '", a.name->text, "' for op '", def.name, "'"));
      }
      if (spec->kind == AttrKind::kFloat && KindOf(a.value) == AttrKind::kInt) {
        a.value = static_cast<double>(std::get<int64_t>(a.value));
      }
      if (KindOf(a.value) != spec->kind) {
        return ErrorAt(*a.value_tok,
                       StrCat("attribute '", a.name->text, "' of op '", def.name, "' must be ",
                              AttrKindName(spec->kind), ", got ", AttrKindName(KindOf(a.value))));
      }
      attrs.emplace(std::string(a.name->text), std::move(a.value));
    }
    return attrs;
  }

  // One element of a dense literal, converted to `d`'s dtype.
  absl::Status SetElement(DenseElements& d, int64_t i, const Token& t) const {
    const DType dt = d.type().dtype;
    const std::string_view name = DTypeName(dt);
    if (IsBool(dt)) {
      if (t.text != "true" && t.text != "false") {
        return ErrorAt(
            t, StrCat("expected true or false for a bool element, got ", QuoteSource(t.text)));
      }
      d.SetInt(i, t.text == "true" ? 1 : 0);
      return absl::OkStatus();
    }
    if (IsFloat(dt)) {
      if (t.kind != K::kInt && t.kind != K::kFloat) {
        return ErrorAt(
            t, StrCat("expected a number for an ", name, " element, got ", QuoteSource(t.text)));
      }
      if (dt == DType::kF32) {
        GRAPHC_ASSIGN_OR_RETURN(float v, ToFloat<float>(t, name));
        d.SetDouble(i, v);
      } else {
        GRAPHC_ASSIGN_OR_RETURN(double v, ToFloat<double>(t, name));
        d.SetDouble(i, v);
      }
      return absl::OkStatus();
    }
    if (t.kind != K::kInt) {
      return ErrorAt(
          t, StrCat("expected an integer for an ", name, " element, got ", QuoteSource(t.text)));
    }
    GRAPHC_ASSIGN_OR_RETURN(int64_t v, ToInt(t));
    const int64_t bits = 8 * DTypeSize(dt);
    if (bits < 64 && (v < -(int64_t{1} << (bits - 1)) || v >= (int64_t{1} << (bits - 1)))) {
      return ErrorAt(t, StrCat("integer ", v, " is out of range for ", name));
    }
    d.SetInt(i, v);
    return absl::OkStatus();
  }

  // `dense<type splat>` or `dense<type [e0, e1, ...]>`.
  absl::StatusOr<DenseElements> ParseDense() {
    Take();  // 'dense'
    GRAPHC_RETURN_IF_ERROR(Expect(K::kLess, "'<' after 'dense'").status());
    const Token& type_tok = Cur();
    GRAPHC_ASSIGN_OR_RETURN(TensorType type, ParseType());
    if (!type.shape.is_static()) {
      return ErrorAt(type_tok,
                     StrCat("a dense literal needs a static shape, got ", type.ToString()));
    }
    // Element count, checked before anything is allocated.
    const std::vector<int64_t>& dims = type.shape.dims();
    int64_t n = std::find(dims.begin(), dims.end(), 0) != dims.end() ? 0 : 1;
    for (int64_t dim : dims) {
      if (n != 0 && dim > kMaxDenseBytes / DTypeSize(type.dtype) / n) {
        return ErrorAt(type_tok, StrCat("dense literal of type ", type.ToString(),
                                        " is too large (the limit is 1 GiB)"));
      }
      n *= dim;
    }
    DenseElements d(type);
    auto is_element = [&] { return At(K::kInt) || At(K::kFloat) || At(K::kIdent); };
    if (At(K::kLBracket)) {
      const Token& open = Take();
      int64_t count = 0;
      while (!At(K::kRBracket)) {
        if (!is_element()) return Expected("a dense element");
        const Token& t = Take();
        if (count < n) GRAPHC_RETURN_IF_ERROR(SetElement(d, count, t));
        ++count;
        if (At(K::kComma)) {
          Take();
        } else if (!At(K::kRBracket)) {
          return Expected("',' or ']' in the dense elements");
        }
      }
      Take();
      if (count != n) {
        return ErrorAt(open, StrCat("dense literal of type ", type.ToString(), " needs ",
                                    Plural(static_cast<size_t>(n), "element"), ", got ", count));
      }
    } else {
      if (!is_element()) return Expected("a dense element or '['");
      const Token& t = Take();
      for (int64_t i = 0; i < n; ++i) GRAPHC_RETURN_IF_ERROR(SetElement(d, i, t));
    }
    GRAPHC_RETURN_IF_ERROR(Expect(K::kGreater, "'>' to end the dense literal").status());
    return d;
  }

  // ---- top level ----
  absl::Status ParseVarDecl() {
    Take();  // 'var'
    GRAPHC_ASSIGN_OR_RETURN(const Token* name, Expect(K::kSymbol, "a variable name (@name)"));
    GRAPHC_RETURN_IF_ERROR(DeclareSymbol(*name));
    GRAPHC_RETURN_IF_ERROR(Expect(K::kColon, "':' after the variable name").status());
    GRAPHC_ASSIGN_OR_RETURN(TensorType type, ParseType());
    VariableDecl var{name->value, std::move(type), true};
    if (At(K::kLBrace)) {
      GRAPHC_ASSIGN_OR_RETURN(std::vector<ParsedAttr> attrs, ParseAttrDict());
      for (const ParsedAttr& a : attrs) {
        if (a.name->text != "trainable") {
          return ErrorAt(*a.name, StrCat("unknown attribute '", a.name->text, "' for var @",
                                         name->value, " (only 'trainable' exists)"));
        }
        if (KindOf(a.value) != AttrKind::kBool) {
          return ErrorAt(*a.value_tok,
                         StrCat("attribute 'trainable' of var @", name->value,
                                " must be bool, got ", AttrKindName(KindOf(a.value))));
        }
        var.trainable = std::get<bool>(a.value);
      }
    }
    module_.AddVariable(std::move(var));
    return absl::OkStatus();
  }

  // `func @name(params) -> (types)`, then skips the body to its matching '}'.
  absl::Status ParseFuncHeader() {
    Take();  // 'func'
    GRAPHC_ASSIGN_OR_RETURN(const Token* name, Expect(K::kSymbol, "a function name (@name)"));
    GRAPHC_RETURN_IF_ERROR(DeclareSymbol(*name));
    FuncHeader h{module_.AddFunction(name->value), {}, 0, 0};
    GRAPHC_RETURN_IF_ERROR(Expect(K::kLParen, "'(' after the function name").status());
    while (!At(K::kRParen)) {
      GRAPHC_ASSIGN_OR_RETURN(const Token* param, Expect(K::kValue, "a parameter (%name: type)"));
      GRAPHC_RETURN_IF_ERROR(Expect(K::kColon, "':' after the parameter name").status());
      GRAPHC_ASSIGN_OR_RETURN(TensorType type, ParseType());
      h.function->AddParam(std::move(type), param->value);
      h.params.push_back(param);
      if (At(K::kComma)) {
        Take();
      } else if (!At(K::kRParen)) {
        return Expected("',' or ')' after a parameter");
      }
    }
    Take();
    GRAPHC_RETURN_IF_ERROR(Expect(K::kArrow, "'->' after the parameters").status());
    GRAPHC_RETURN_IF_ERROR(Expect(K::kLParen, "'(' before the result types").status());
    std::vector<TensorType> results;
    while (!At(K::kRParen)) {
      GRAPHC_ASSIGN_OR_RETURN(TensorType type, ParseType());
      results.push_back(std::move(type));
      if (At(K::kComma)) {
        Take();
      } else if (!At(K::kRParen)) {
        return Expected("',' or ')' after a result type");
      }
    }
    Take();
    h.function->set_result_types(std::move(results));
    if (!At(K::kLBrace)) return Expected("'{' to start the function body");
    h.body_begin = pos_;
    for (int depth = 0; !At(K::kEof);) {
      const K kind = Take().kind;
      if (kind == K::kLBrace) ++depth;
      if (kind == K::kRBrace && --depth == 0) break;
    }
    // An unclosed body runs to the end; parsing it reports where it stops.
    h.body_end = pos_;
    headers_.push_back(std::move(h));
    return absl::OkStatus();
  }

  absl::Status ParseFuncBody(const FuncHeader& h) {
    Function& f = *h.function;
    pos_ = h.body_begin;
    scopes_.assign(1, Scope{});
    for (size_t i = 0; i < h.params.size(); ++i) {
      GRAPHC_RETURN_IF_ERROR(Define(*h.params[i], f.param(static_cast<int>(i))));
    }
    Take();  // '{'
    GRAPHC_ASSIGN_OR_RETURN(const Token* last, ParseOps(f.body(), 0));
    const Token& close = Take();  // '}'
    const Op* ret = f.body().terminator();
    if (ret == nullptr || ret->name() != "return") {
      return ErrorAt(close, StrCat("function @", f.name(), " must end with 'return'",
                                   ret == nullptr ? "" : StrCat(", got '", ret->name(), "'")));
    }
    const std::vector<TensorType>& declared = f.result_types();
    if (static_cast<size_t>(ret->num_operands()) != declared.size()) {
      return ErrorAt(
          *last,
          StrCat("'return' has ", Plural(static_cast<size_t>(ret->num_operands()), "operand"),
                 ", but function @", f.name(), " declares ", Plural(declared.size(), "result")));
    }
    for (size_t i = 0; i < declared.size(); ++i) {
      const TensorType& actual = ret->operand(static_cast<int>(i))->type();
      if (!IsCompatible(declared[i], actual)) {
        return ErrorAt(
            *last, StrCat("function @", f.name(), " returns ", actual.ToString(), " as result ", i,
                          ", but its signature declares ", declared[i].ToString()));
      }
    }
    if (pos_ != h.body_end) return Expected("the end of the function body");
    return absl::OkStatus();
  }

  // ---- ops and regions ----
  // Ops up to (not including) the region's closing '}'. Returns the name
  // token of the last op (null for none).
  absl::StatusOr<const Token*> ParseOps(Region& region, int depth) {
    Builder b(&region);
    b.set_module(&module_);
    const Token* last = nullptr;
    while (!At(K::kRBrace)) {
      if (At(K::kEof)) return Expected("'}'");
      const Op* term = region.terminator();
      if (term != nullptr && term->def().is_terminator) {
        return Expected(StrCat("'}' after '", term->name(), "', which ends its region"));
      }
      GRAPHC_ASSIGN_OR_RETURN(last, ParseOp(b, depth));
    }
    return last;
  }

  // True if the %values at the cursor are the result names of the next op
  // (`%a, %b =`), not operands of an op without operands or results.
  bool ResultListFollows() const {
    size_t i = pos_;
    while (toks_[i].kind == K::kValue) {
      ++i;
      if (toks_[i].kind != K::kComma) break;
      ++i;
    }
    return toks_[i].kind == K::kEqual;
  }

  absl::StatusOr<const Token*> ParseOp(Builder& b, int depth) {
    std::vector<const Token*> names;
    if (At(K::kValue)) {
      while (true) {
        const Token& n = Take();
        GRAPHC_RETURN_IF_ERROR(CheckFresh(n));
        for (const Token* prev : names) {
          if (prev->value == n.value)
            return ErrorAt(n, StrCat("value %", n.value, " is named twice"));
        }
        names.push_back(&n);
        if (!At(K::kComma)) break;
        Take();
        if (!At(K::kValue)) return Expected("a result name (%name) after ','");
      }
      GRAPHC_RETURN_IF_ERROR(Expect(K::kEqual, "'=' after the result names").status());
    }
    GRAPHC_ASSIGN_OR_RETURN(const Token* name, Expect(K::kIdent, "an op name"));
    const OpDef* def = OpRegistry::Get().Find(name->text);
    if (def == nullptr) return ErrorAt(*name, StrCat("unknown op ", QuoteSource(name->text)));

    std::vector<Value*> operands;
    if (At(K::kValue) && !ResultListFollows()) {
      while (true) {
        GRAPHC_ASSIGN_OR_RETURN(Value * v, Lookup(Take()));
        operands.push_back(v);
        if (!At(K::kComma)) break;
        Take();
        if (!At(K::kValue)) return Expected("an operand (%name) after ','");
      }
    }
    AttrMap attrs;
    if (At(K::kLBrace)) {
      GRAPHC_ASSIGN_OR_RETURN(std::vector<ParsedAttr> parsed, ParseAttrDict());
      GRAPHC_ASSIGN_OR_RETURN(attrs, OpAttrs(*def, std::move(parsed)));
    }
    std::vector<std::pair<const Token*, TensorType>> types;
    if (At(K::kColon)) {
      Take();
      while (true) {
        const Token* at = &Cur();
        GRAPHC_ASSIGN_OR_RETURN(TensorType t, ParseType());
        types.emplace_back(at, std::move(t));
        if (!At(K::kComma)) break;
        Take();
      }
    }
    std::vector<std::unique_ptr<Region>> regions;
    while (At(K::kLParen)) {
      if (depth >= kMaxRegionDepth) {
        return ErrorAt(Cur(), StrCat("regions are nested more than ", kMaxRegionDepth, " deep"));
      }
      GRAPHC_ASSIGN_OR_RETURN(std::unique_ptr<Region> r, ParseRegion(*def, depth + 1));
      regions.push_back(std::move(r));
    }
    Location loc;
    if (AtKeyword("loc") && Peek(1).kind == K::kLParen) {
      GRAPHC_ASSIGN_OR_RETURN(loc, ParseLoc());
    }

    // Built without a location so the Builder does not prefix its errors
    // with it: a parse error points at the text being parsed instead.
    b.set_loc(Location{});
    absl::StatusOr<Op*> created =
        b.Create(def->name, std::move(operands), std::move(attrs), std::move(regions));
    if (!created.ok()) return ErrorAt(*name, ToStd(created.status().message()));
    Op* op = *created;
    op->set_loc(std::move(loc));

    const size_t n = static_cast<size_t>(op->num_results());
    if (names.size() != n) {
      return ErrorAt(*name,
                     StrCat("'", def->name, "' has ", Plural(n, "result"), ", but ", names.size(),
                            " result name", names.size() == 1 ? " is" : "s are", " given"));
    }
    if (types.size() != n) {
      return ErrorAt(*name,
                     StrCat("'", def->name, "' has ", Plural(n, "result"), ", but ", types.size(),
                            " result type", types.size() == 1 ? " is" : "s are", " declared"));
    }
    for (size_t i = 0; i < n; ++i) {
      const TensorType& inferred = op->result(static_cast<int>(i))->type();
      if (types[i].second != inferred) {
        return ErrorAt(*types[i].first, StrCat("declared type ", types[i].second.ToString(),
                                               " does not match inferred ", inferred.ToString(),
                                               " for result ", i, " of '", def->name, "'"));
      }
      GRAPHC_RETURN_IF_ERROR(Define(*names[i], op->result(static_cast<int>(i))));
    }
    return name;
  }

  // `(%arg: type, ...) { op* }`, built detached for the op that owns it.
  absl::StatusOr<std::unique_ptr<Region>> ParseRegion(const OpDef& def, int depth) {
    Take();  // '('
    auto region = std::make_unique<Region>();
    scopes_.push_back(Scope{{}, def.isolated_regions ? def.name : std::string_view()});
    while (!At(K::kRParen)) {
      GRAPHC_ASSIGN_OR_RETURN(const Token* arg,
                              Expect(K::kValue, "a region argument (%name: type)"));
      GRAPHC_RETURN_IF_ERROR(Expect(K::kColon, "':' after the region argument").status());
      GRAPHC_ASSIGN_OR_RETURN(TensorType type, ParseType());
      GRAPHC_RETURN_IF_ERROR(Define(*arg, region->AddArgument(std::move(type), arg->value)));
      if (At(K::kComma)) {
        Take();
      } else if (!At(K::kRParen)) {
        return Expected("',' or ')' after a region argument");
      }
    }
    Take();
    GRAPHC_RETURN_IF_ERROR(Expect(K::kLBrace, "'{' to start the region").status());
    GRAPHC_RETURN_IF_ERROR(ParseOps(*region, depth).status());
    const Token& close = Take();  // '}'
    const Op* term = region->terminator();
    if (term == nullptr || term->name() != "yield") {
      return ErrorAt(close, StrCat("a region of '", def.name, "' must end with 'yield'",
                                   term == nullptr ? "" : StrCat(", got '", term->name(), "'")));
    }
    scopes_.pop_back();
    return region;
  }

  // `loc("file":line:col)`.
  absl::StatusOr<Location> ParseLoc() {
    Take();  // 'loc'
    Take();  // '('
    GRAPHC_ASSIGN_OR_RETURN(const Token* file, Expect(K::kString, "a file name string"));
    Location loc{file->value, 0, 0};
    for (int* field : {&loc.line, &loc.col}) {
      GRAPHC_RETURN_IF_ERROR(Expect(K::kColon, "':' in the location").status());
      GRAPHC_ASSIGN_OR_RETURN(const Token* t, Expect(K::kInt, "a line or column number"));
      GRAPHC_ASSIGN_OR_RETURN(int64_t v, ToInt(*t));
      if (v < 0 || v > std::numeric_limits<int>::max()) {
        return ErrorAt(*t, StrCat("line or column ", v, " is out of range"));
      }
      *field = static_cast<int>(v);
    }
    GRAPHC_RETURN_IF_ERROR(Expect(K::kRParen, "')' to end the location").status());
    return loc;
  }

  std::vector<Token> toks_;
  std::string_view filename_;
  Module& module_;
  size_t pos_ = 0;
  absl::flat_hash_map<std::string, const Token*> symbols_;
  std::vector<FuncHeader> headers_;
  std::vector<Scope> scopes_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Module>> ParseModule(std::string_view text,
                                                    std::string_view filename) {
  GRAPHC_ASSIGN_OR_RETURN(std::vector<Token> tokens, Lex(text, filename));
  auto module = std::make_unique<Module>();
  {
    Parser parser(std::move(tokens), filename, *module);
    GRAPHC_RETURN_IF_ERROR(parser.Run());
  }
  return module;
}

}  // namespace graphc::ir
