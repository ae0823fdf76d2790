// Small f32 products the JIT emits inline (compiler/codegen/small_matmul.h:
// FMA chains side by side in vector lanes, along the rows or the columns of
// c) against the interpreter, which calls the runtime's graphc_matmul_f32:
// the same bits for every orientation, transpose combination and odd size,
// and with an epilogue.
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "compiler/interpreter/interpreter.h"
#include "gtest/gtest.h"
#include "ir/parser.h"
#include "ir/str_cat.h"
#include "tests/common/jit.h"

namespace graphc {
namespace {

HostTensor Random(std::mt19937& rng, int64_t rows, int64_t cols) {
  HostTensor t(ir::DType::kF32, ir::Shape{{rows, cols}});
  std::normal_distribution<float> normal;
  for (int64_t i = 0; i < rows * cols; ++i) t.mutable_data_as<float>()[i] = normal(rng);
  return t;
}

TEST(JitSmallMatmul, InlineProductsGiveTheRuntimesBits) {
  std::mt19937 rng(17);
  // (m, n, k): lanes along rows (m >= n) or columns, n == 1 (a contiguous
  // store), odd sizes, k up to the inline limit's shapes.
  const int64_t shapes[][3] = {{32, 1, 5}, {5, 1, 32}, {1, 7, 3},  {3, 17, 4}, {17, 3, 9},
                               {8, 8, 8},  {1, 1, 1},  {2, 9, 1},  {1, 40, 25}, {33, 2, 15}};
  int cases = 0;
  for (const auto& [m, n, k] : shapes) {
    for (int flags = 0; flags < 4; ++flags) {
      const bool ta = flags & 1, tb = flags & 2;
      const std::string a_type = ta ? StrCat("f32[", k, ",", m, "]") : StrCat("f32[", m, ",", k, "]");
      const std::string b_type = tb ? StrCat("f32[", n, ",", k, "]") : StrCat("f32[", k, ",", n, "]");
      const std::string c_type = StrCat("f32[", m, ",", n, "]");
      // The product alone, and with an epilogue (the fusion's fast path).
      const std::string text = StrCat(
          "func @f(%a: ", a_type, ", %b: ", b_type, ") -> (", c_type, ", ", c_type, ") {\n",
          "  %0 = matmul %a, %b {transpose_a = ", ta ? "true" : "false", ", transpose_b = ",
          tb ? "true" : "false", "} : ", c_type, "\n", "  %1 = relu %0 : ", c_type, "\n",
          "  %2 = matmul %a, %b {transpose_a = ", ta ? "true" : "false", ", transpose_b = ",
          tb ? "true" : "false", "} : ", c_type, "\n", "  return %1, %2\n}\n");
      SCOPED_TRACE(text);
      absl::StatusOr<std::unique_ptr<ir::Module>> module = ir::ParseModule(text, "small.gir");
      ASSERT_TRUE(module.ok()) << module.status();
      const ir::Function& f = *(*module)->functions().front();
      const HostTensor args[] = {ta ? Random(rng, k, m) : Random(rng, m, k), tb ? Random(rng, n, k) : Random(rng, k, n)};
      absl::StatusOr<std::vector<HostTensor>> want = interp::RunFunction(f, args, nullptr);
      absl::StatusOr<std::vector<HostTensor>> got = test::RunJit(f, args);
      ASSERT_TRUE(want.ok()) << want.status();
      ASSERT_TRUE(got.ok()) << got.status();
      for (size_t r = 0; r < 2; ++r) EXPECT_TRUE((*got)[r].BitwiseEquals((*want)[r])) << "result " << r;
      ++cases;
    }
  }
  EXPECT_EQ(cases, 40);
}

}  // namespace
}  // namespace graphc
