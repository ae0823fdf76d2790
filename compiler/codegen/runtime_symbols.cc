#include "compiler/codegen/runtime_symbols.h"

#include <array>
#include <cstdlib>

#include "runtime/kernel_abi.h"

namespace graphc::codegen {
namespace {

template <typename F>
void* Address(F* f) {
  return reinterpret_cast<void*>(f);
}

const std::array<RuntimeSymbol, 9> kSymbols = {{
    {"graphc_matmul_f32", Address(&graphc_matmul_f32)},
    {"graphc_matmul_f64", Address(&graphc_matmul_f64)},
    {"graphc_parallel_loop", Address(&graphc_parallel_loop)},
    {"graphc_set_error", Address(&graphc_set_error)},
    {"graphc_random_uniform_f32", Address(&graphc_random_uniform_f32)},
    {"graphc_random_uniform_f64", Address(&graphc_random_uniform_f64)},
    {"graphc_random_normal_f32", Address(&graphc_random_normal_f32)},
    {"graphc_random_normal_f64", Address(&graphc_random_normal_f64)},
    {"graphc_kernel_abi_version", Address(&graphc_kernel_abi_version)},
}};

}  // namespace

std::span<const RuntimeSymbol> RuntimeSymbols() { return kSymbols; }

llvm::FunctionCallee RuntimeFunction(llvm::Module& module, std::string_view name) {
  llvm::LLVMContext& c = module.getContext();
  llvm::Type* ptr = llvm::PointerType::getUnqual(c);
  llvm::Type* i64 = llvm::Type::getInt64Ty(c);
  llvm::Type* i32 = llvm::Type::getInt32Ty(c);
  llvm::Type* f32 = llvm::Type::getFloatTy(c);
  llvm::Type* f64 = llvm::Type::getDoubleTy(c);
  llvm::Type* void_type = llvm::Type::getVoidTy(c);
  llvm::FunctionType* type = nullptr;
  if (name == "graphc_matmul_f32" || name == "graphc_matmul_f64") {
    type = llvm::FunctionType::get(void_type, {ptr, ptr, ptr, i64, i64, i64, i32, i32}, false);
  } else if (name == "graphc_parallel_loop") {
    type = llvm::FunctionType::get(void_type, {ptr, ptr, ptr, ptr, i64}, false);
  } else if (name == "graphc_set_error") {
    type = llvm::FunctionType::get(void_type, {ptr, ptr, i64, i64, i64}, false);
  } else if (name == "graphc_random_uniform_f32" || name == "graphc_random_normal_f32") {
    type = llvm::FunctionType::get(void_type, {ptr, i64, i64, f32, f32}, false);
  } else if (name == "graphc_random_uniform_f64" || name == "graphc_random_normal_f64") {
    type = llvm::FunctionType::get(void_type, {ptr, i64, i64, f64, f64}, false);
  } else if (name == "graphc_kernel_abi_version") {
    type = llvm::FunctionType::get(i32, {}, false);
  } else {
    std::abort();  // a name missing from this table is a bug in codegen
  }
  return module.getOrInsertFunction(llvm::StringRef(name.data(), name.size()), type);
}

}  // namespace graphc::codegen
