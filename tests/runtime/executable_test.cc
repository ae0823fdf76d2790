// runtime::Executable with run-time dims: the arena an executable compiled
// for a family of shapes needs grows with the dims it is run with, and a
// wrong number of dims is an error, not a read past the caller's array.
#include "runtime/executable.h"

#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace graphc::runtime {
namespace {

// An entry that fills dims[0] * 8 bytes of the arena and returns, as its
// one result, the number of bytes it wrote.
int32_t FillArena(const graphc_call_frame* frame) {
  const int64_t bytes = frame->dims[0] * 8;
  std::memset(frame->arena, 0xab, static_cast<size_t>(bytes));
  *static_cast<int64_t*>(frame->results[0]) = bytes;
  return 0;
}

ExecutableSpec FamilySpec() {
  ExecutableSpec spec;
  spec.name = "@fill";
  spec.entry = &FillArena;
  spec.num_dims = 1;
  spec.arena_bytes = 64;
  spec.arena_bytes_per_dim = {8};
  spec.results.push_back(BufferSpec{"result0", DType::kI64, {}});
  return spec;
}

TEST(Executable, ArenaGrowsWithTheRunTimeDims) {
  Executable executable(FamilySpec());
  EXPECT_TRUE(executable.ok());  // nothing allocated before the first run
  EXPECT_EQ(executable.ArenaBytes(std::vector<int64_t>{1000}), 64 + 8000);
  for (int64_t batch : {10, 1000, 3, 5000}) {
    int64_t written = 0;
    std::vector<void*> results = {&written};
    std::string error;
    const std::vector<int64_t> dims = {batch};
    ASSERT_TRUE(executable.Run({}, results, {}, dims, &error)) << error;
    EXPECT_EQ(written, batch * 8);
  }
}

TEST(Executable, RejectsAWrongNumberOfDims) {
  Executable executable(FamilySpec());
  int64_t written = 0;
  std::vector<void*> results = {&written};
  std::string error;
  EXPECT_FALSE(executable.Run({}, results, {}, &error));
  EXPECT_EQ(error, "@fill takes 1 run-time dims, got 0");
  const std::vector<int64_t> two = {4, 4};
  EXPECT_FALSE(executable.Run({}, results, {}, two, &error));
  EXPECT_EQ(error, "@fill takes 1 run-time dims, got 2");
}

TEST(Executable, TypeStringShowsRunTimeDims) {
  EXPECT_EQ((BufferSpec{"x", DType::kF32, {-1, 784}}).TypeString(), "f32[?,784]");
}

}  // namespace
}  // namespace graphc::runtime
