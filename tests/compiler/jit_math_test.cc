// The f32 transcendental functions (ir/scalar_math.h) in compiled loops:
// exp, log, tanh and sigmoid compiled as one-op loop fusions must give the
// interpreter's bits on a dense sweep of f32 inputs and on special values
// (any NaN matching any NaN), both in the vectorized body of the loop and in
// its scalar remainder; the loops vectorize with no C library call; and
// sigmoid behaves in its tails.
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "compiler/codegen/jit.h"
#include "compiler/codegen/loop_emitter.h"
#include "runtime/kernel_abi.h"
#include "compiler/interpreter/interpreter.h"
#include "gtest/gtest.h"
#include "ir/parser.h"
#include "ir/str_cat.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/raw_ostream.h"

namespace graphc {
namespace {

using LoopKernel = graphc_loop_kernel;

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

codegen::Jit& SharedJit() {
  static codegen::Jit* jit = [] {
    absl::StatusOr<std::unique_ptr<codegen::Jit>> j = codegen::Jit::Create();
    EXPECT_TRUE(j.ok()) << j.status();
    return j->release();
  }();
  return *jit;
}

// A module whose @f applies `op` to an f32[n] as a one-op loop fusion.
std::unique_ptr<ir::Module> OneOpLoop(const std::string& op, int64_t n) {
  const std::string type = StrCat("f32[", n, "]");
  const std::string text =
      StrCat("func @f(%x: ", type, ") -> (", type, ") {\n", "  %0 = fusion %x {kind = \"loop\"} : ",
             type, " (%a: ", type, ") {\n", "    %1 = ", op, " %a : ", type, "\n",
             "    yield %1\n", "  }\n", "  return %0\n", "}\n");
  absl::StatusOr<std::unique_ptr<ir::Module>> m = ir::ParseModule(text, "math.gir");
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? std::move(*m) : nullptr;
}

const ir::Op& FusionOf(const ir::Module& m) { return *m.functions().front()->body().ops().front(); }

absl::StatusOr<LoopKernel> Compile(const ir::Op& fusion) {
  static int count = 0;
  const std::string symbol = StrCat("math_kernel_", count++);
  auto context = std::make_unique<llvm::LLVMContext>();
  auto module = std::make_unique<llvm::Module>("math", *context);
  absl::StatusOr<codegen::LoopKernelInfo> info = codegen::EmitLoopKernel(fusion, *module, symbol);
  if (!info.ok()) return info.status();
  if (absl::Status s = SharedJit().AddModule(std::move(module), std::move(context)); !s.ok()) {
    return s;
  }
  absl::StatusOr<void*> address = SharedJit().Lookup(symbol);
  if (!address.ok()) return address.status();
  return reinterpret_cast<LoopKernel>(*address);
}

HostTensor F32Tensor(const std::vector<float>& values) {
  HostTensor t(ir::DType::kF32, ir::Shape{{static_cast<int64_t>(values.size())}});
  for (size_t i = 0; i < values.size(); ++i) t.mutable_data_as<float>()[i] = values[i];
  return t;
}

std::vector<float> ToVector(const HostTensor& t) {
  return std::vector<float>(t.data_as<float>(), t.data_as<float>() + t.size());
}

// `op` on `inputs` by the interpreter and by the compiled loop.
struct Results {
  std::vector<float> interpreted, compiled;
};

Results RunBoth(const std::string& op, const std::vector<float>& inputs) {
  Results r;
  const int64_t n = static_cast<int64_t>(inputs.size());
  std::unique_ptr<ir::Module> m = OneOpLoop(op, n);
  if (m == nullptr) return r;
  const std::vector<HostTensor> args = {F32Tensor(inputs)};
  const HostTensor& x = args[0];
  absl::StatusOr<std::vector<HostTensor>> expected =
      interp::RunFunction(*m->functions().front(), args, nullptr);
  EXPECT_TRUE(expected.ok()) << expected.status();
  if (!expected.ok()) return r;
  r.interpreted = ToVector((*expected)[0]);

  absl::StatusOr<LoopKernel> kernel = Compile(FusionOf(*m));
  EXPECT_TRUE(kernel.ok()) << kernel.status();
  if (!kernel.ok()) return r;
  HostTensor out(ir::DType::kF32, ir::Shape{{n}});
  void* in_ptrs[] = {const_cast<uint8_t*>(x.data())};
  void* out_ptrs[] = {out.mutable_data()};
  (*kernel)(in_ptrs, out_ptrs, /*dims=*/nullptr, 0, n);
  r.compiled = ToVector(out);
  return r;
}

// Every 4099th f32 bit pattern (about a million: all binades, both signs,
// subnormals, infinities and NaNs), then special values; an odd count, so
// the loop's scalar remainder runs too.
std::vector<float> Sweep() {
  std::vector<float> v;
  for (uint64_t i = 0; i < (uint64_t{1} << 32); i += 4099) {
    v.push_back(std::bit_cast<float>(static_cast<uint32_t>(i)));
  }
  for (float x : {0.0f, -0.0f, kInf, -kInf, kNaN, -kNaN, 0x1p-149f, -0x1p-149f, 0x1p-126f,
                  1.0f, -1.0f, 0.75f, -0.75f, 0.7499999f, 9.02f, 44.4f, 88.7228317f,
                  88.7228394f, -87.3365479f, -103.972076f, -103.972084f, -104.0f, 1e30f,
                  -1e30f, std::numeric_limits<float>::max(), 0.70710677f, 1.41421354f}) {
    v.push_back(x);
  }
  if (v.size() % 2 == 0) v.push_back(0.5f);
  return v;
}

class JitMath : public ::testing::TestWithParam<std::string> {};

TEST_P(JitMath, CompiledLoopGivesTheInterpretersBits) {
  const std::vector<float> inputs = Sweep();
  const Results r = RunBoth(GetParam(), inputs);
  ASSERT_EQ(r.interpreted.size(), inputs.size());
  ASSERT_EQ(r.compiled.size(), inputs.size());
  int64_t mismatches = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const float a = r.interpreted[i], b = r.compiled[i];
    if (std::isnan(a) && std::isnan(b)) continue;
    if (std::bit_cast<uint32_t>(a) != std::bit_cast<uint32_t>(b)) {
      if (++mismatches <= 5) {
        ADD_FAILURE() << GetParam() << "(" << std::hexfloat << inputs[i] << "): interpreter " << a
                      << ", compiled " << b;
      }
    }
  }
  EXPECT_EQ(mismatches, 0);
}

// The optimised loop is vector code with no call left in it: no expf,
// logf, tanhf (LLVM intrinsics such as llvm.fma are instructions).
TEST_P(JitMath, LoopVectorizesWithoutLibraryCalls) {
  std::unique_ptr<ir::Module> m = OneOpLoop(GetParam(), 4096);
  ASSERT_NE(m, nullptr);
  llvm::LLVMContext context;
  llvm::Module module("math", context);
  absl::StatusOr<codegen::LoopKernelInfo> info =
      codegen::EmitLoopKernel(FusionOf(*m), module, "vectorized");
  ASSERT_TRUE(info.ok()) << info.status();
  ASSERT_TRUE(codegen::OptimizeForHost(module).ok());
  std::string text;
  llvm::raw_string_ostream os(text);
  module.print(os, nullptr);
  os.flush();
  EXPECT_NE(text.find(" x float>"), std::string::npos) << text;
  for (const llvm::Function& f : module) {
    if (f.isDeclaration()) {
      EXPECT_TRUE(f.isIntrinsic()) << "calls " << f.getName().str() << "\n" << text;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(F32, JitMath, ::testing::Values("exp", "log", "tanh", "sigmoid"),
                         [](const auto& info) { return info.param; });

// sigmoid = e / (1 + e) for x < 0 and 1 / (1 + e) otherwise, e = exp(-|x|):
// never NaN for a number, 0 and 1 only where the true value rounds there,
// the negative tail accurate down to the subnormals.
TEST(JitMathSigmoid, Tails) {
  const std::vector<float> inputs = {-kInf, -1e30f, -200.0f, -104.0f, -100.0f, -88.0f, -20.0f,
                                     -0.0f,  0.0f,   20.0f,   100.0f,  1e30f,   kInf,   kNaN};
  const Results r = RunBoth("sigmoid", inputs);
  ASSERT_EQ(r.interpreted.size(), inputs.size());
  ASSERT_EQ(r.compiled.size(), inputs.size());
  for (const std::vector<float>* got : {&r.interpreted, &r.compiled}) {
    const std::vector<float>& s = *got;
    EXPECT_EQ(std::bit_cast<uint32_t>(s[0]), 0u);  // sigmoid(-inf) = +0
    EXPECT_EQ(std::bit_cast<uint32_t>(s[1]), 0u);
    EXPECT_EQ(std::bit_cast<uint32_t>(s[2]), 0u);
    EXPECT_EQ(std::bit_cast<uint32_t>(s[3]), 0u);  // exp(-104) rounds to 0
    EXPECT_EQ(s[4], static_cast<float>(std::exp(-100.0)));  // 3.7e-44, not 0
    EXPECT_GT(s[4], 0.0f);
    EXPECT_EQ(s[5], static_cast<float>(1 / (1 + std::exp(88.0))));
    EXPECT_EQ(s[6], static_cast<float>(1 / (1 + std::exp(20.0))));
    EXPECT_EQ(s[7], 0.5f);
    EXPECT_EQ(s[8], 0.5f);
    EXPECT_EQ(s[9], 1.0f);
    EXPECT_EQ(s[10], 1.0f);
    EXPECT_EQ(s[11], 1.0f);
    EXPECT_EQ(s[12], 1.0f);
    EXPECT_TRUE(std::isnan(s[13]));
    for (float v : s) {
      if (!std::isnan(v)) {
        EXPECT_GE(v, 0.0f);
        EXPECT_LE(v, 1.0f);
      }
    }
  }
}

// sigmoid is within 2.5 ulps of 1 / (1 + exp(-x)) computed in double, over
// [-104, 18] (where it is neither 0 nor 1), and non-decreasing. (The
// largest error over every 13th f32 is 2.33 ulps, at -3.46.)
TEST(JitMathSigmoid, AccurateAndMonotonic) {
  std::vector<float> inputs;
  for (float x = -104.0f; x < 18.0f; x += 0.00390625f * 3) inputs.push_back(x);
  const Results r = RunBoth("sigmoid", inputs);
  ASSERT_EQ(r.interpreted.size(), inputs.size());
  double max_ulp = 0;
  float worst = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const double want = 1 / (1 + std::exp(-static_cast<double>(inputs[i])));
    const float got = r.interpreted[i];
    const double ulp =
        want < 0x1p-126 ? 0x1p-149 : std::ldexp(1.0, std::ilogb(static_cast<float>(want)) - 23);
    const double err = std::fabs(got - want) / ulp;
    if (err > max_ulp) {
      max_ulp = err;
      worst = inputs[i];
    }
    if (i > 0) {
      ASSERT_GE(got, r.interpreted[i - 1]) << inputs[i];
    }
  }
  EXPECT_LE(max_ulp, 2.5) << "at " << worst;
}

}  // namespace
}  // namespace graphc
