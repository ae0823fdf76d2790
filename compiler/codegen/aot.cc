#include "compiler/codegen/aot.h"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <set>
#include <string_view>

#include "compiler/codegen/compiled_function.h"
#include "compiler/codegen/function_emitter.h"
#include "compiler/codegen/jit.h"
#include "ir/printer.h"
#include "ir/str_cat.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "runtime/kernel_abi.h"

namespace graphc::codegen {
namespace {

constexpr int64_t kAlignment = 64;

int64_t RoundUp(int64_t n) { return (n + kAlignment - 1) / kAlignment * kAlignment; }

int64_t ByteSize(const ir::TensorType& t) { return *t.shape.num_elements() * ir::DTypeSize(t.dtype); }

void InitializeLlvmOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

// ---- names ----

bool IsIdentifier(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

bool IsKeyword(std::string_view s) {
  static const std::set<std::string_view> kKeywords = {
      "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case", "catch",
      "char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept", "const", "consteval", "constexpr",
      "constinit", "const_cast", "continue", "co_await", "co_return", "co_yield", "decltype", "default", "delete",
      "do", "double", "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false", "float", "for",
      "friend", "goto", "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq",
      "nullptr", "operator", "or", "or_eq", "private", "protected", "public", "register", "reinterpret_cast",
      "requires", "return", "short", "signed", "sizeof", "static", "static_assert", "static_cast", "struct",
      "switch", "template", "this", "thread_local", "throw", "true", "try", "typedef", "typeid", "typename",
      "union", "unsigned", "using", "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq",
      // Names the generated class uses itself.
      "Run", "ok", "ResetVariables", "last_error", "memory", "std", "int64_t", "int32_t", "int8_t", "uint8_t"};
  return kKeywords.contains(s);
}

// `name` as a C++ identifier that stays one with a suffix such as "_dims":
// other characters become '_', runs of '_' one, none at either end (C++
// reserves names with "__", or "_" and a capital); a name that starts with a
// digit, is empty or is a keyword gets `prefix` ("0" -> "arg0", "class" ->
// "arg_class").
std::string ToIdentifier(std::string_view name, std::string_view prefix) {
  std::string out;
  for (char c : name) {
    const char d = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    if (d == '_' && (out.empty() || out.back() == '_')) continue;
    out += d;
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) return StrCat(prefix, out);
  if (IsKeyword(out)) return StrCat(prefix, "_", out);
  return out;
}

std::vector<std::string> SplitQualified(const std::string& name) {
  std::vector<std::string> parts;
  size_t begin = 0;
  while (true) {
    const size_t end = name.find("::", begin);
    parts.push_back(name.substr(begin, end == std::string::npos ? std::string::npos : end - begin));
    if (end == std::string::npos) break;
    begin = end + 2;
  }
  return parts;
}

// The accessor names of each buffer: `base`, `base_dims`, ...: distinct
// from each other's and from the class's own members.
class IdentifierPool {
 public:
  // A name no accessor may take: the class's own (an accessor of that name
  // would be a constructor).
  void Reserve(const std::string& name) { taken_.insert(name); }

  std::string Take(const std::string& base) {
    for (int k = 1;; ++k) {
      const std::string candidate = k == 1 ? base : StrCat(base, "_", k);
      const std::vector<std::string> derived = Derived(candidate);
      if (std::any_of(derived.begin(), derived.end(), [&](const std::string& d) { return taken_.contains(d); })) {
        continue;
      }
      taken_.insert(derived.begin(), derived.end());
      return candidate;
    }
  }

 private:
  static std::vector<std::string> Derived(const std::string& base) {
    return {base, base + "_type", base + "_dims", base + "_size", base + "_bytes", "set_" + base + "_data",
            "k_" + base + "_offset"};
  }
  std::set<std::string> taken_;
};

// ---- the target ----

absl::Status LlvmError(llvm::Error error) {
  return absl::InternalError(StrCat("LLVM: ", llvm::toString(std::move(error))));
}

struct Machine {
  std::unique_ptr<llvm::TargetMachine> tm;
  std::string triple, cpu;
  bool host = false;
};

std::string KnownCpus(const llvm::MCSubtargetInfo& sti) {
  std::string list;
  int shown = 0;
  for (const llvm::SubtargetSubTypeKV& kv : sti.getAllProcessorDescriptions()) {
    const std::string_view name = kv.Key;
    if (!(name.starts_with("x86-64") || name.starts_with("znver") || name == "skylake-avx512" ||
          name == "icelake-server" || name == "sapphirerapids" || name == "haswell" || name.starts_with("neoverse") ||
          name == "generic")) {
      continue;
    }
    list += StrCat(shown++ > 0 ? ", " : "", name);
  }
  return list;
}

absl::StatusOr<Machine> MakeMachine(const std::string& march) {
  InitializeLlvmOnce();
  Machine machine;
  machine.triple = llvm::sys::getProcessTriple();
  std::string error;
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(machine.triple, error);
  if (target == nullptr) return absl::InternalError(StrCat("LLVM: ", error));
  std::string features;
  if (march.empty() || march == "native") {
    // As the JIT: the host's CPU with every feature it has.
    machine.host = true;
    machine.cpu = llvm::sys::getHostCPUName().str();
    llvm::SubtargetFeatures host_features;
    for (const auto& [name, enabled] : llvm::sys::getHostCPUFeatures()) host_features.AddFeature(name, enabled);
    features = host_features.getString();
  } else {
    machine.cpu = march;
    std::unique_ptr<llvm::MCSubtargetInfo> sti(target->createMCSubtargetInfo(machine.triple, "", ""));
    if (sti == nullptr || !sti->isCPUStringValid(march)) {
      return absl::InvalidArgumentError(StrCat("--march=", march, ": LLVM knows no CPU of that name for ",
                                               machine.triple, " (try native, ",
                                               sti == nullptr ? "x86-64-v3" : KnownCpus(*sti), ", ...)"));
    }
  }
  machine.tm.reset(target->createTargetMachine(machine.triple, machine.cpu, features, llvm::TargetOptions(),
                                               llvm::Reloc::PIC_, std::nullopt, llvm::CodeGenOptLevel::Aggressive));
  if (machine.tm == nullptr) return absl::InternalError(StrCat("LLVM: cannot make a target machine for ", machine.triple));
  return machine;
}

absl::StatusOr<std::string> EmitObject(llvm::Module& module, llvm::TargetMachine& tm) {
  llvm::SmallVector<char, 0> bytes;
  llvm::raw_svector_ostream out(bytes);
  llvm::legacy::PassManager pm;
  if (tm.addPassesToEmitFile(pm, out, nullptr, llvm::CodeGenFileType::ObjectFile)) {
    return absl::InternalError("LLVM: the target cannot emit an object file");
  }
  pm.run(module);
  return std::string(bytes.data(), bytes.size());
}

// What `nm -u` lists.
absl::StatusOr<std::vector<std::string>> UndefinedSymbols(const std::string& object) {
  auto file = llvm::object::ObjectFile::createObjectFile(llvm::MemoryBufferRef(object, "aot.o"));
  if (!file) return LlvmError(file.takeError());
  std::vector<std::string> names;
  for (const llvm::object::SymbolRef& symbol : (*file)->symbols()) {
    llvm::Expected<uint32_t> flags = symbol.getFlags();
    if (!flags) return LlvmError(flags.takeError());
    if ((*flags & llvm::object::SymbolRef::SF_Undefined) == 0) continue;
    llvm::Expected<llvm::StringRef> name = symbol.getName();
    if (!name) return LlvmError(name.takeError());
    if (!name->empty()) names.push_back(name->str());
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

// ---- the header ----

std::string CppType(ir::DType dtype) {
  switch (dtype) {
    case ir::DType::kF32: return "float";
    case ir::DType::kF64: return "double";
    case ir::DType::kI8: return "int8_t";
    case ir::DType::kI32: return "int32_t";
    case ir::DType::kI64: return "int64_t";
    case ir::DType::kBool: return "bool";
  }
  return "uint8_t";
}

std::string Dims(const ir::Shape& shape) {
  std::string s;
  for (int64_t i = 0; i < shape.rank(); ++i) s += StrCat(i > 0 ? ", " : "", shape.dim(i));
  return s;
}

// Pads `s` to `width` characters.
std::string Pad(std::string s, size_t width) {
  if (s.size() < width) s.resize(width, ' ');
  return s;
}

struct HeaderBuffer {
  const AotBuffer* buffer;
  std::string kind;  // "parameter", "result", "variable"
  int index;         // in its frame array
  int64_t offset;    // in the object's memory
  int64_t bytes;
  std::string init_symbol;  // variables with an embedded initial value
};

class HeaderWriter {
 public:
  HeaderWriter(const AotArtifact& artifact, const AotOptions& options, const ir::Function& function,
               std::vector<std::string> init_symbols)
      : a_(artifact), options_(options), function_(function) {
    int64_t offset = RoundUp(a_.arena_bytes);
    auto add = [&](const std::vector<AotBuffer>& list, const char* kind, const std::vector<std::string>* inits) {
      for (size_t i = 0; i < list.size(); ++i) {
        const int64_t bytes = ByteSize(list[i].type);
        buffers_.push_back({&list[i], kind, static_cast<int>(i), offset, bytes,
                            inits != nullptr ? (*inits)[i] : std::string()});
        offset += RoundUp(bytes);
      }
    };
    add(a_.params, "parameter", nullptr);
    add(a_.results, "result", nullptr);
    add(a_.variables, "variable", &init_symbols);
    memory_bytes_ = offset;
    qualified_ = SplitQualified(options_.class_name);
    class_ = qualified_.back();
  }

  std::string Write() {
    TopComment();
    Line("#pragma once");
    Line("");
    Line("#include <array>");
    Line("#include <cstddef>");
    Line("#include <cstdint>");
    Line("#include <cstring>");
    Line("#include <new>");
    Line("#include <string>");
    Line("");
    Line("#include \"runtime/kernel_abi.h\"");
    if (UsesThreadPool()) Line("#include \"runtime/thread_pool.h\"");
    Line("");
    Line(StrCat("static_assert(GRAPHC_KERNEL_ABI_VERSION == ", GRAPHC_KERNEL_ABI_VERSION, ",\n              \"",
                ObjectName(), " was compiled for graphc's kernel ABI version ", GRAPHC_KERNEL_ABI_VERSION,
                "; these runtime headers \"\n              \"are another version: compile the model again with "
                "the graphc they come from\");"));
    Line("");
    Line("// Defined in the object.");
    Line("extern \"C\" {");
    Line(StrCat("int32_t ", a_.entry_symbol, "(const graphc_call_frame* frame);"));
    for (const HeaderBuffer& b : buffers_) {
      if (!b.init_symbol.empty()) {
        Line(StrCat("extern const unsigned char ", b.init_symbol, "[", b.bytes, "];  // @",
                    b.buffer->ir_name.substr(1), "'s initial value"));
      }
    }
    Line("}  // extern \"C\"");
    Line("");
    for (size_t i = 0; i + 1 < qualified_.size(); ++i) Line(StrCat("namespace ", qualified_[i], " {"));
    if (qualified_.size() > 1) Line("");
    Class();
    if (qualified_.size() > 1) Line("");
    for (size_t i = qualified_.size() - 1; i-- > 0;) Line(StrCat("}  // namespace ", qualified_[i]));
    return out_;
  }

 private:
  void Line(const std::string& s) {
    out_ += s;
    out_ += '\n';
  }

  std::string ObjectName() const { return options_.object_name.empty() ? "the object" : options_.object_name; }

  bool UsesThreadPool() const {
    return std::find(a_.runtime_symbols.begin(), a_.runtime_symbols.end(), "graphc_parallel_loop") !=
           a_.runtime_symbols.end();
  }

  std::string Where() const {
    return a_.cpu.empty() ? a_.triple : StrCat(a_.triple, ", CPU ", a_.cpu);
  }

  void TopComment() {
    Line(StrCat("// ", options_.class_name, ": @", function_.name(),
                options_.source_name.empty() ? "" : StrCat(" of ", options_.source_name),
                ", compiled ahead of time by `graphc compile`."));
    Line("// Generated: do not edit. The code is in " + ObjectName() + "; link it with graphc_runtime");
    Line("// (CMake: find_package(graphc REQUIRED COMPONENTS runtime), graphc::runtime).");
    Line("//");
    Line(StrCat("// Target: ", a_.triple, ", CPU ", a_.cpu,
                options_.march.empty() || options_.march == "native" ? " (the compiling host's, all its features)"
                                                                      : ""));
    Line(StrCat("// Kernel ABI: version ", GRAPHC_KERNEL_ABI_VERSION, " (runtime/kernel_abi.h)"));
    Line("//");
    Line("// Buffers (bytes; each at a multiple of 64 in the object's memory):");
    size_t name_width = 6, type_width = 6, bytes_width = 1;
    for (const HeaderBuffer& b : buffers_) {
      name_width = std::max(name_width, b.buffer->ir_name.size());
      type_width = std::max(type_width, b.buffer->type.ToString().size());
    }
    bytes_width = std::max(StrCat(a_.arena_bytes).size(), StrCat(memory_bytes_).size());
    auto row = [&](const std::string& kind, const std::string& name, const std::string& type, int64_t bytes,
                   const std::string& note) {
      std::string line = StrCat("//   ", Pad(kind, 10), Pad(name, name_width + 2), Pad(type, type_width + 2));
      const std::string number = StrCat(bytes);
      line += std::string(bytes_width - std::min(bytes_width, number.size()), ' ') + number;
      if (!note.empty()) line += "  " + note;
      Line(line);
    };
    for (const HeaderBuffer& b : buffers_) {
      std::string note;
      if (b.kind == "variable") {
        note = !b.init_symbol.empty() ? StrCat("initially ", options_.weights_name.empty() ? "the weights"
                                                                                          : options_.weights_name,
                                               "[\"", b.buffer->ir_name.substr(1), "\"]")
               : b.bytes == 0         ? "empty"
                                      : "initially zero";
      }
      row(b.kind, b.buffer->ir_name, b.buffer->type.ToString(), b.bytes, note);
    }
    row("arena", "", "", a_.arena_bytes, "temporaries");
    row("total", "", "", memory_bytes_, StrCat(class_, "::kMemoryBytes"));
    Line("//");
    Line(StrCat("// The object defines ", a_.entry_symbol, " (the entry point, a graphc_entry)",
                std::none_of(buffers_.begin(), buffers_.end(),
                             [](const HeaderBuffer& b) { return !b.init_symbol.empty(); })
                    ? "."
                    : StrCat("\n// and ", a_.entry_symbol, "_init_* (the variables' initial values).")));
    Line("// It needs, from graphc_runtime:");
    Line(StrCat("//   ", a_.runtime_symbols.empty() ? "nothing" : Join(a_.runtime_symbols)));
    Line("// and from the C library:");
    Line(StrCat("//   ", a_.libc_symbols.empty() ? "nothing" : Join(a_.libc_symbols)));
    Line("//");
    Line("// Use (one object per thread; Run() allocates nothing, though the runtime's");
    Line("// matrix product may grow its per-thread scratch on a thread's first call):");
    Line(StrCat("//   ", class_, " model;                    // allocates kMemoryBytes once"));
    if (!buffers_.empty() && buffers_[0].kind == "parameter") {
      const HeaderBuffer& p = buffers_[0];
      Line(StrCat("//   std::memcpy(model.", p.buffer->identifier, "(), data, ", class_, "::", p.buffer->identifier,
                  "_bytes);"));
    }
    Line("//   std::string error;");
    Line("//   if (!model.Run(&error)) { /* error says why */ }");
    for (const HeaderBuffer& b : buffers_) {
      if (b.kind == "result") {
        Line(StrCat("//   const ", CppType(b.buffer->type.dtype), "* out = model.", b.buffer->identifier, "();"));
        break;
      }
    }
    Line("");
  }

  static std::string Join(const std::vector<std::string>& names) {
    std::string s;
    for (const std::string& n : names) s += StrCat(s.empty() ? "" : " ", n);
    return s;
  }

  void Class() {
    const std::string& c = class_;
    int num[3] = {0, 0, 0};
    for (const HeaderBuffer& b : buffers_) ++num[b.kind == "parameter" ? 0 : b.kind == "result" ? 1 : 2];
    Line(StrCat("class ", c, " {"));
    Line(" public:");
    Line(StrCat("  static constexpr int64_t kArenaBytes = ", a_.arena_bytes, ";  // the entry's temporaries"));
    Line(StrCat("  // What ", c, "(void* memory) takes: the arena and every buffer below."));
    Line(StrCat("  static constexpr int64_t kMemoryBytes = ", memory_bytes_, ";"));
    Line("  static constexpr std::size_t kMemoryAlignment = 64;");
    Line(StrCat("  static constexpr int kNumParameters = ", num[0], ";"));
    Line(StrCat("  static constexpr int kNumResults = ", num[1], ";"));
    Line(StrCat("  static constexpr int kNumVariables = ", num[2], ";"));
    Line(StrCat("  static constexpr bool kHasEmbeddedWeights = ", options_.has_weights && num[2] > 0 ? "true" : "false",
                ";"));
    Line("");
    Line("  // Allocates kMemoryBytes once (ok() says whether that worked) and sets");
    Line("  // every variable to its initial value.");
    Line(StrCat("  ", c, "()"));
    Line("      : owned_(static_cast<unsigned char*>(::operator new(static_cast<std::size_t>(kMemoryBytes),");
    Line("                                                          std::align_val_t{kMemoryAlignment}, std::nothrow))) {");
    Line("    Init(owned_);");
    Line("  }");
    Line("  // Works in `memory`: kMemoryBytes bytes aligned to kMemoryAlignment, which");
    Line("  // the caller owns and keeps alive as long as this object. Allocates nothing.");
    Line(StrCat("  explicit ", c, "(void* memory) { Init(static_cast<unsigned char*>(memory)); }"));
    Line(StrCat("  ~", c, "() {"));
    Line("    if (owned_ != nullptr) ::operator delete(owned_, std::align_val_t{kMemoryAlignment});");
    Line("  }");
    Line(StrCat("  ", c, "(const ", c, "&) = delete;"));
    Line(StrCat("  ", c, "& operator=(const ", c, "&) = delete;"));
    Line("");
    Line("  // False if the memory could not be allocated, or the linked graphc_runtime");
    Line("  // speaks another kernel ABI version than the object.");
    Line("  bool ok() const { return memory_ != nullptr && abi_ok_; }");
    Line("");
    Line(StrCat("  // Runs @", function_.name(), ": reads the parameters and variables, writes the"));
    Line("  // results and updates the variables the function assigns, in place. Returns");
    Line("  // true, or false with the reason in *error and last_error() (a run-time");
    Line("  // error such as an index out of range, or !ok()). Allocates nothing.");
    Line("  bool Run(std::string* error = nullptr) {");
    Line("    if (!ok()) {");
    Line(StrCat("      SetError(memory_ == nullptr ? \"", c, ": the memory could not be allocated\"\n",
                "                                  : \"", c,
                ": the linked graphc_runtime has another kernel ABI version\");"));
    Line("      if (error != nullptr) *error = error_;");
    Line("      return false;");
    Line("    }");
    Line("    error_[0] = '\\0';");
    Line("    const graphc_call_frame frame{params_, results_, variables_, memory_, error_,");
    Line("                                  static_cast<int64_t>(sizeof(error_)), nullptr};");
    Line(StrCat("    if (", a_.entry_symbol, "(&frame) == 0) return true;"));
    Line("    if (error != nullptr) *error = error_;");
    Line("    return false;");
    Line("  }");
    Line("  // The message of the last failed Run() (empty after a success).");
    Line("  const char* last_error() const { return error_; }");
    Line("");
    Line("  // Sets every variable to its initial value: the embedded weights, or zeros.");
    Line("  void ResetVariables() {");
    for (const HeaderBuffer& b : buffers_) {
      if (b.kind != "variable" || b.bytes == 0) continue;
      if (b.init_symbol.empty()) {
        Line(StrCat("    std::memset(variables_[", b.index, "], 0, ", b.bytes, ");"));
      } else {
        Line(StrCat("    std::memcpy(variables_[", b.index, "], ", b.init_symbol, ", ", b.bytes, ");"));
      }
    }
    Line("  }");
    for (const char* kind : {"parameter", "result", "variable"}) {
      for (const HeaderBuffer& b : buffers_) {
        if (b.kind == kind) Accessors(b);
      }
    }
    Line("");
    Line(" private:");
    for (const HeaderBuffer& b : buffers_) {
      Line(StrCat("  static constexpr int64_t k_", b.buffer->identifier, "_offset = ", b.offset, ";"));
    }
    Line("");
    Line("  void Init(unsigned char* memory) {");
    Line("    memory_ = memory;");
    Line("    abi_ok_ = graphc_kernel_abi_version() == GRAPHC_KERNEL_ABI_VERSION;");
    Line("    if (memory_ == nullptr) return;");
    Line("    std::memset(memory_, 0, static_cast<std::size_t>(kMemoryBytes));");
    for (const HeaderBuffer& b : buffers_) {
      Line(StrCat("    ", Array(b), "[", b.index, "] = memory_ + k_", b.buffer->identifier, "_offset;"));
    }
    Line("    ResetVariables();");
    if (UsesThreadPool()) {
      Line("    // Large loops run on the runtime's thread pool: start it now, not in Run().");
      Line("    graphc::runtime::DefaultThreadPool();");
    }
    Line("  }");
    Line("  void SetError(const char* message) {");
    Line("    std::strncpy(error_, message, sizeof(error_) - 1);");
    Line("    error_[sizeof(error_) - 1] = '\\0';");
    Line("  }");
    Line("");
    Line("  unsigned char* owned_ = nullptr;");
    Line("  unsigned char* memory_ = nullptr;  // the arena first, then the buffers");
    Line("  bool abi_ok_ = false;");
    Line(StrCat("  void* params_[", std::max(num[0], 1), "] = {};"));
    Line(StrCat("  void* results_[", std::max(num[1], 1), "] = {};"));
    Line(StrCat("  void* variables_[", std::max(num[2], 1), "] = {};"));
    Line("  char error_[512] = {};");
    Line("};");
  }

  static std::string Array(const HeaderBuffer& b) {
    return b.kind == "parameter" ? "params_" : b.kind == "result" ? "results_" : "variables_";
  }

  void Accessors(const HeaderBuffer& b) {
    const std::string& id = b.buffer->identifier;
    const std::string type = CppType(b.buffer->type.dtype);
    const ir::Shape& shape = b.buffer->type.shape;
    const std::string slot = StrCat(Array(b), "[", b.index, "]");
    Line("");
    std::string title = StrCat("  // ", b.kind == "parameter" ? "Parameter" : b.kind == "result" ? "Result" : "Variable", " ",
                               b.index, ": ", b.buffer->ir_name, " ", b.buffer->type.ToString());
    if (b.kind == "variable") {
      title += b.init_symbol.empty() ? ", initially zero" : ", initially the embedded weights";
    }
    Line(title + ".");
    Line(StrCat("  using ", id, "_type = ", type, ";"));
    Line(StrCat("  static constexpr std::array<int64_t, ", shape.rank(), "> ", id, "_dims = {", Dims(shape), "};"));
    Line(StrCat("  static constexpr int64_t ", id, "_size = ", *shape.num_elements(), ";  // elements"));
    Line(StrCat("  static constexpr int64_t ", id, "_bytes = ", b.bytes, ";"));
    if (b.kind == "result") {
      Line(StrCat("  const ", type, "* ", id, "() const { return static_cast<const ", type, "*>(", slot, "); }"));
      Line(StrCat("  ", type, "* ", id, "() { return static_cast<", type, "*>(", slot, "); }"));
    } else {
      Line(StrCat("  ", type, "* ", id, "() { return static_cast<", type, "*>(", slot, "); }"));
      Line(StrCat("  const ", type, "* ", id, "() const { return static_cast<const ", type, "*>(", slot, "); }"));
    }
    if (b.kind == "parameter") {
      Line(StrCat("  // Run() reads the parameter from `data` (", id, "_bytes, not written) instead"));
      Line("  // of this object's buffer; nullptr goes back to that buffer.");
      Line(StrCat("  void set_", id, "_data(const ", type, "* data) {"));
      Line(StrCat("    ", slot, " = data != nullptr ? const_cast<", type, "*>(data) : static_cast<void*>(memory_ + k_",
                  id, "_offset);"));
    } else if (b.kind == "result") {
      Line(StrCat("  // Run() writes the result to `data` (", id, "_bytes) instead of this object's"));
      Line("  // buffer; nullptr goes back to that buffer.");
      Line(StrCat("  void set_", id, "_data(", type, "* data) {"));
      Line(StrCat("    ", slot, " = data != nullptr ? static_cast<void*>(data) : static_cast<void*>(memory_ + k_", id,
                  "_offset);"));
    } else {
      Line(StrCat("  // Keep the variable in `data` (", id, "_bytes, caller-owned, holding its value)"));
      Line("  // instead of this object's buffer, e.g. to share read-only weights between");
      Line("  // objects; nullptr goes back to that buffer.");
      Line(StrCat("  void set_", id, "_data(", type, "* data) {"));
      Line(StrCat("    ", slot, " = data != nullptr ? static_cast<void*>(data) : static_cast<void*>(memory_ + k_", id,
                  "_offset);"));
    }
    Line("  }");
  }

  const AotArtifact& a_;
  const AotOptions& options_;
  const ir::Function& function_;
  std::vector<HeaderBuffer> buffers_;
  int64_t memory_bytes_ = 0;
  std::vector<std::string> qualified_;
  std::string class_;
  std::string out_;
};

}  // namespace

std::string DefaultClassName(const std::string& prefix) {
  std::string base = prefix;
  if (const size_t slash = base.find_last_of('/'); slash != std::string::npos) base = base.substr(slash + 1);
  std::string name;
  bool upper = true;
  for (char c : base) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      upper = true;
      continue;
    }
    name += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) name = "Model" + name;
  return name;
}

absl::Status CheckClassName(const std::string& name) {
  for (const std::string& part : SplitQualified(name)) {
    if (!IsIdentifier(part) || IsKeyword(part) || part.find("__") != std::string::npos ||
        (part.size() > 1 && part[0] == '_' && std::isupper(static_cast<unsigned char>(part[1])))) {
      return absl::InvalidArgumentError(
          StrCat("--class=", name, ": '", part, "' is not a usable C++ class or namespace name"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckMarch(const std::string& march) { return MakeMachine(march).status(); }

std::vector<ir::VariableDecl> UsedVariableDecls(const ir::Function& function) {
  std::vector<ir::VariableDecl> decls;
  for (const std::string& name : function.UsedVariables()) {
    if (const ir::VariableDecl* decl = function.module()->FindVariable(name)) decls.push_back(*decl);
  }
  return decls;
}

absl::StatusOr<AotArtifact> CompileAheadOfTime(const ir::Function& function, const AotOptions& options) {
  if (absl::Status s = CheckClassName(options.class_name); !s.ok()) return s;
  const absl::flat_hash_map<const ir::Value*, std::string> names = ir::ValueNames(function);
  AotArtifact artifact;
  IdentifierPool identifiers;
  identifiers.Reserve(SplitQualified(options.class_name).back());
  std::vector<ir::TensorType> param_types;
  for (int i = 0; i < function.num_params(); ++i) {
    const ir::Value* param = function.param(i);
    const std::string& name = names.at(param);
    if (!param->shape().is_static()) {
      return absl::InvalidArgumentError(
          StrCat("parameter ", name, " of @", function.name(), " has type ", param->type().ToString(),
                 ": graphc compile needs static shapes (write the dims in the IR, e.g. trace with a TensorSpec "
                 "without `?`)"));
    }
    param_types.push_back(param->type());
    artifact.params.push_back({name, identifiers.Take(ToIdentifier(name.substr(1), "arg")), param->type()});
  }
  for (const ir::VariableDecl& decl : UsedVariableDecls(function)) {
    if (!decl.type.shape.is_static()) {
      return absl::InvalidArgumentError(StrCat("variable @", decl.name, " (used by @", function.name(),
                                               ") has type ", decl.type.ToString(),
                                               ": graphc compile needs static shapes"));
    }
  }

  absl::StatusOr<LoweredFunction> lowered = LowerForCodegen(function, param_types);
  if (!lowered.ok()) return lowered.status();
  absl::StatusOr<Machine> machine = MakeMachine(options.march);
  if (!machine.ok()) return machine.status();
  artifact.triple = machine->triple;
  artifact.cpu = machine->cpu;

  std::string flat_class = options.class_name;
  for (size_t p; (p = flat_class.find("::")) != std::string::npos;) flat_class.replace(p, 2, "_");
  artifact.entry_symbol = StrCat("graphc_aot_", flat_class);

  llvm::LLVMContext context;
  llvm::Module module(artifact.entry_symbol, context);
  absl::StatusOr<EmittedFunction> emitted =
      EmitFunction(*lowered->function, lowered->plan, module, artifact.entry_symbol);
  if (!emitted.ok()) return emitted.status();
  artifact.arena_bytes = emitted->arena_bytes;
  for (size_t r = 0; r < lowered->function->result_types().size(); ++r) {
    artifact.results.push_back(
        {StrCat("result", r), identifiers.Take(StrCat("result", r)), lowered->function->result_types()[r]});
  }
  // Everything but the entry stays inside the object, so several models
  // link into one program.
  for (llvm::Function& f : module) {
    if (!f.isDeclaration() && f.getName() != artifact.entry_symbol) f.setLinkage(llvm::GlobalValue::InternalLinkage);
  }
  for (llvm::GlobalVariable& g : module.globals()) {
    if (!g.isDeclaration()) g.setLinkage(llvm::GlobalValue::PrivateLinkage);
  }

  // The variables, in the entry's order, with their initial values as
  // constant data symbols.
  std::vector<std::string> init_symbols;
  for (const std::string& name : emitted->variables) {
    const ir::VariableDecl* decl = lowered->module->FindVariable(name);
    if (decl == nullptr) return absl::InternalError(StrCat("variable @", name, " is not declared"));
    const std::string id = identifiers.Take(ToIdentifier(name, "var"));
    artifact.variables.push_back({StrCat("@", name), id, decl->type});
    std::string symbol;
    if (options.has_weights) {
      auto it = options.weights.find(name);
      if (it == options.weights.end()) {
        return absl::InvalidArgumentError(StrCat("no initial value for variable @", name));
      }
      const HostTensor& value = it->second;
      if (value.type() != decl->type) {
        return absl::InvalidArgumentError(StrCat("the initial value of variable @", name, " is ",
                                                 value.type().ToString(), ", the variable is ",
                                                 decl->type.ToString()));
      }
      if (value.byte_size() > 0) {
        symbol = StrCat(artifact.entry_symbol, "_init_", id);
        auto* data = llvm::ConstantDataArray::getRaw(
            llvm::StringRef(reinterpret_cast<const char*>(value.data()), static_cast<size_t>(value.byte_size())),
            static_cast<uint64_t>(value.byte_size()), llvm::Type::getInt8Ty(context));
        auto* global = new llvm::GlobalVariable(module, data->getType(), /*isConstant=*/true,
                                                llvm::GlobalValue::ExternalLinkage, data, symbol);
        global->setAlignment(llvm::Align(kAlignment));
      }
    }
    init_symbols.push_back(symbol);
  }

  if (absl::Status s = OptimizeForTarget(module, *machine->tm); !s.ok()) return s;
  absl::StatusOr<std::string> object = EmitObject(module, *machine->tm);
  if (!object.ok()) return object.status();
  artifact.object = *std::move(object);
  absl::StatusOr<std::vector<std::string>> undefined = UndefinedSymbols(artifact.object);
  if (!undefined.ok()) return undefined.status();
  for (const std::string& symbol : *undefined) {
    (symbol.starts_with("graphc_") ? artifact.runtime_symbols : artifact.libc_symbols).push_back(symbol);
  }
  artifact.header = HeaderWriter(artifact, options, function, init_symbols).Write();
  return artifact;
}

}  // namespace graphc::codegen
