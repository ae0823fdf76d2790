// Ahead-of-time compilation (`graphc compile`): one function of a module,
// compiled whole for static shapes like the JIT compiles it
// (compiled_function.h: specialized, standalone ops wrapped, buffers
// planned, one entry point from function_emitter.h, the -O3 pipeline), but
// written out as an ELF object for the host CPU or a named one, plus a C++
// header declaring a small class that owns the buffers and calls the entry.
// The object needs only graphc_runtime (runtime/kernel_abi.h) and the C
// library; the header includes only runtime headers. Variables' initial
// values (from a weights file) are constant data symbols in the object.
//
// docs/codegen.md ("Ahead-of-time compilation") shows a generated header.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "compiler/host_tensor.h"
#include "ir/module.h"

namespace graphc::codegen {

struct AotOptions {
  // The C++ class the header declares; may be qualified ("app::Model"),
  // each part a C++ identifier.
  std::string class_name;
  // An LLVM CPU name (x86-64-v3, znver4, skylake-avx512, ...): the code uses
  // that CPU's features. Empty or "native": the host CPU with all its
  // features, exactly as the JIT compiles (so results match the JIT's bit
  // for bit).
  std::string march;
  // Initial values of the function's variables, by IR name; every variable
  // the function uses must have one when `has_weights`, with its declared
  // type. Without, variables start at zero.
  bool has_weights = false;
  std::map<std::string, HostTensor> weights;
  // For the header's comments: where the IR, the weights and the object
  // come from ("predict.gir", "weights.safetensors", "digits_model.o").
  std::string source_name;
  std::string weights_name;
  std::string object_name;
};

struct AotBuffer {
  std::string ir_name;     // "%images", "result0", "@kernel"
  std::string identifier;  // the accessor in the generated class: "images"
  ir::TensorType type;
};

struct AotArtifact {
  std::string object;  // the ELF object's bytes
  std::string header;  // the C++ header's text
  std::string entry_symbol;
  std::string triple, cpu;
  int64_t arena_bytes = 0;
  std::vector<AotBuffer> params, results, variables;
  // Undefined symbols of the object (what `nm -u` lists), sorted: those of
  // graphc_runtime (graphc_*), and the rest (the C library: memcpy, ...).
  std::vector<std::string> runtime_symbols, libc_symbols;
};

// The class name graphc compile uses when none is given: the output
// prefix's file name in CamelCase ("out/digits_model" -> "DigitsModel").
std::string DefaultClassName(const std::string& prefix);

// Checks that `name` is a usable class name (see AotOptions::class_name).
absl::Status CheckClassName(const std::string& name);

// Checks that LLVM knows the CPU `march` names (see AotOptions::march).
absl::Status CheckMarch(const std::string& march);

// The function's parameters must have static shapes (an error names the
// first that does not), and so must the variables it uses. `function` is
// usually the result of the default pass pipeline, as graphc run and
// graphc::function() compile it. Fails with InvalidArgument for bad input
// (`?` dims, an unknown CPU, weights that do not fit) and Unimplemented
// when codegen cannot compile an op of the function.
absl::StatusOr<AotArtifact> CompileAheadOfTime(const ir::Function& function, const AotOptions& options);

// The variables `function` uses (in the order the entry takes them), with
// their declared types; for reading the weights before compiling.
std::vector<ir::VariableDecl> UsedVariableDecls(const ir::Function& function);

}  // namespace graphc::codegen
