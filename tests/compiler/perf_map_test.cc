// GRAPHC_PERF_MAP (compiler/codegen/perf_map.h): a JIT created with it set
// appends each function it links to /tmp/perf-<pid>.map with its address
// and size, where perf looks them up; without it, nothing is written.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "compiler/codegen/jit.h"
#include "gtest/gtest.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"

namespace graphc {
namespace {

// A module with one function `symbol` returning 42.
void AddFunction(codegen::Jit& jit, const std::string& symbol) {
  auto context = std::make_unique<llvm::LLVMContext>();
  auto module = std::make_unique<llvm::Module>("perf_map", *context);
  llvm::IRBuilder<> b(*context);
  auto* fn = llvm::Function::Create(llvm::FunctionType::get(b.getInt32Ty(), false),
                                    llvm::Function::ExternalLinkage, symbol, *module);
  b.SetInsertPoint(llvm::BasicBlock::Create(*context, "entry", fn));
  b.CreateRet(b.getInt32(42));
  ASSERT_TRUE(jit.AddModule(std::move(module), std::move(context)).ok());
}

std::string MapPath() { return "/tmp/perf-" + std::to_string(getpid()) + ".map"; }

std::string ReadMap() {
  std::ifstream in(MapPath());
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(PerfMap, NamesEachLinkedFunctionWithItsAddressWhenAsked) {
  std::filesystem::remove(MapPath());
  ::setenv("GRAPHC_PERF_MAP", "1", 1);
  absl::StatusOr<std::unique_ptr<codegen::Jit>> jit = codegen::Jit::Create();
  ::unsetenv("GRAPHC_PERF_MAP");
  ASSERT_TRUE(jit.ok()) << jit.status();
  AddFunction(**jit, "perf_map_answer");
  absl::StatusOr<void*> address = (*jit)->Lookup("perf_map_answer");
  ASSERT_TRUE(address.ok()) << address.status();
  EXPECT_EQ(reinterpret_cast<int (*)()>(*address)(), 42);

  // "<hex address> <hex size> <name>", the address the function runs at.
  std::istringstream lines(ReadMap());
  std::string line;
  bool found = false;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string start, size, name;
    fields >> start >> size >> name;
    if (name != "perf_map_answer") continue;
    found = true;
    EXPECT_EQ(std::stoull(start, nullptr, 16), reinterpret_cast<uintptr_t>(*address));
    EXPECT_GT(std::stoull(size, nullptr, 16), 0u);
  }
  EXPECT_TRUE(found) << "no perf_map_answer in " << MapPath() << ":\n" << ReadMap();
  std::filesystem::remove(MapPath());
}

TEST(PerfMap, WritesNothingByDefault) {
  std::filesystem::remove(MapPath());
  ::unsetenv("GRAPHC_PERF_MAP");
  absl::StatusOr<std::unique_ptr<codegen::Jit>> jit = codegen::Jit::Create();
  ASSERT_TRUE(jit.ok()) << jit.status();
  AddFunction(**jit, "perf_map_silent");
  ASSERT_TRUE((*jit)->Lookup("perf_map_silent").ok());
  EXPECT_FALSE(std::filesystem::exists(MapPath()));
}

}  // namespace
}  // namespace graphc
