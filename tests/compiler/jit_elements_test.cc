// Fusions compiled by element generators (compiler/codegen/element_emitter.h)
// against the reference interpreter: every sample of every op that has no
// scalar definition (reductions of every dtype, argmax/argmin, softmax,
// one_hot, range, reshapes, broadcasts, fills, transpose, concat, slices,
// gather, scatter_add, matmul, ...), as a one-op fusion of kind
// "reduction"; the only exceptions are the structural ops listed in
// kStructuralOps, which the function emitter compiles itself and which are
// run here outside fusions. Then the cross-entropy group of the MLP
// training step, a group with `?` dims, standalone ops, and what is still
// refused. Results must be the interpreter's bits (any NaN matching any
// NaN).
#include <cmath>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "compiler/codegen/element_emitter.h"
#include "compiler/codegen/wrap_kernels.h"
#include "compiler/interpreter/interpreter.h"
#include "gtest/gtest.h"
#include "ir/builder.h"
#include "ir/module.h"
#include "ir/op_registry.h"
#include "ir/parser.h"
#include "ir/str_cat.h"
#include "tests/common/jit.h"
#include "tests/common/op_samples.h"

namespace graphc {
namespace {

// Runs @f on the interpreter and compiled; the function must compile.
void ExpectCompiledMatchesInterpreter(const ir::Function& f, const std::vector<HostTensor>& args,
                                      const std::string& what) {
  absl::StatusOr<std::vector<HostTensor>> expected = interp::RunFunction(f, args, nullptr);
  ASSERT_TRUE(expected.ok()) << what << ": " << expected.status();
  absl::StatusOr<std::vector<HostTensor>> got = test::RunJit(f, args);
  ASSERT_TRUE(got.ok()) << what << ": " << got.status();
  ASSERT_EQ(got->size(), expected->size());
  for (size_t i = 0; i < got->size(); ++i) {
    EXPECT_TRUE((*got)[i].BitwiseEqualsUpToNans((*expected)[i])) << what << " result " << i;
  }
}

// Ops without a scalar definition that never sit in a fusion
// (codegen::IsStructuralOp: WrapStandaloneOps leaves them alone and the
// fusion pass never takes them): the function emitter compiles them itself.
// Every other op without a scalar definition must compile by elements, so
// a new op without codegen fails here.
const std::set<std::string> kStructuralOps = {"random_uniform", "random_normal"};

bool HasScalarDefinition(const test::OpSample& s) { return ir::OpRegistry::Get().Find(s.op)->scalar != nullptr; }

// Every sample of every op without a scalar definition (jit_loop_test
// covers the others), structural ops aside.
std::vector<test::OpSample> GeneratorSamples() {
  std::vector<test::OpSample> out;
  for (test::OpSample& s : test::AllSamples()) {
    if (!HasScalarDefinition(s) && !kStructuralOps.contains(s.op)) out.push_back(std::move(s));
  }
  return out;
}

class JitElements : public ::testing::TestWithParam<test::OpSample> {};

TEST_P(JitElements, MatchesTheInterpreterBitForBit) {
  const test::OpSample& s = GetParam();
  absl::StatusOr<std::unique_ptr<ir::Module>> m = test::OneOpFusion(s, "reduction");
  ASSERT_TRUE(m.ok()) << m.status();
  const ir::Function& f = *(*m)->functions().front();
  EXPECT_TRUE(codegen::CanEmitByElements(*f.body().ops().front())) << test::Describe(s);
  ExpectCompiledMatchesInterpreter(f, s.operands, test::Describe(s));
}

INSTANTIATE_TEST_SUITE_P(GeneratorOps, JitElements, ::testing::ValuesIn(GeneratorSamples()),
                         [](const auto& info) { return info.param.op + "_" + info.param.name; });

// No sample is skipped but those of kStructuralOps, and those ops really
// are structural; every op family is there.
TEST(JitElementsCoverage, EveryOpWithoutScalarDefinitionHasCompiledSamples) {
  std::set<std::string> ops;
  int samples = 0, skipped = 0;
  for (const test::OpSample& s : test::AllSamples()) {
    if (HasScalarDefinition(s)) continue;
    if (kStructuralOps.contains(s.op)) {
      ++skipped;
      continue;
    }
    ++samples;
    ops.insert(s.op);
    absl::StatusOr<std::unique_ptr<ir::Module>> m = test::OneOpFusion(s, "reduction");
    ASSERT_TRUE(m.ok()) << m.status();
    EXPECT_TRUE(codegen::CanEmitByElements(*(*m)->functions().front()->body().ops().front())) << test::Describe(s);
  }
  for (const std::string& op : kStructuralOps) {
    const ir::OpDef* def = ir::OpRegistry::Get().Find(op);
    ASSERT_NE(def, nullptr) << op;
    EXPECT_EQ(def->scalar, nullptr) << op;
    EXPECT_EQ(def->fusion, ir::FusionKind::kOpaque) << op << " could join a fusion";
  }
  for (const char* op : {"reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "reduce_any",
                         "reduce_all", "sum_to_like", "argmax", "argmin", "softmax", "log_softmax", "one_hot",
                         "range", "reshape", "expand_dims", "squeeze", "reshape_like", "broadcast_to",
                         "broadcast_like", "fill", "fill_like", "constant", "transpose", "concat", "strided_slice",
                         "strided_slice_grad", "gather", "scatter_add", "matmul"}) {
    EXPECT_TRUE(ops.contains(op)) << op;
  }
  EXPECT_GT(samples, 200);
  EXPECT_GT(skipped, 0);
  RecordProperty("compiled_samples", samples);
}

// A function @f whose body is the sample's op alone (no fusion).
absl::StatusOr<std::unique_ptr<ir::Module>> OneOpFunction(const test::OpSample& s) {
  auto m = std::make_unique<ir::Module>();
  ir::Function* f = m->AddFunction("f");
  std::vector<ir::Value*> params;
  for (const HostTensor& h : s.operands) params.push_back(f->AddParam(h.type()));
  ir::Builder b(&f->body());
  absl::StatusOr<ir::Op*> op = b.Create(s.op, params, s.attrs);
  if (!op.ok()) return op.status();
  std::vector<ir::TensorType> types;
  for (const ir::Value* r : (*op)->results()) types.push_back(r->type());
  f->set_result_types(types);
  if (absl::StatusOr<ir::Op*> ret = b.Create("return", (*op)->results()); !ret.ok()) return ret.status();
  return m;
}

// The structural ops compile too: outside fusions, by the function emitter.
TEST(JitElementsCoverage, StructuralOpsCompileOutsideFusions) {
  int runs = 0;
  for (const test::OpSample& s : test::AllSamples()) {
    if (!kStructuralOps.contains(s.op)) continue;
    absl::StatusOr<std::unique_ptr<ir::Module>> m = OneOpFunction(s);
    ASSERT_TRUE(m.ok()) << m.status();
    const ir::Function& f = *(*m)->functions().front();
    EXPECT_TRUE(codegen::IsStructuralOp(*f.body().ops().front())) << s.op;
    ExpectCompiledMatchesInterpreter(f, s.operands, test::Describe(s));
    ++runs;
  }
  EXPECT_GT(runs, 0);
}

// The cross-entropy group of the traced MLP step (784 -> 20 -> 10, batch
// 64) after the default pipeline: the loss and d(loss)/d(logits) from
// log_softmax, one_hot and three reductions, two results of two shapes.
TEST(JitElementsChain, CrossEntropyGroupOfTheMlpStep) {
  absl::StatusOr<std::unique_ptr<ir::Module>> m = ir::ParseModule(R"(
func @f(%logits: f32[64,10], %labels: i32[64]) -> (f32[], f32[64,10]) {
  %17, %18 = fusion %logits, %labels {kind = "reduction"} : f32[], f32[64,10] (%19: f32[64,10], %20: i32[64]) {
    %21 = constant {value = dense<f32[] 64.0>} : f32[]
    %22 = log_softmax %19 : f32[64,10]
    %23 = one_hot %20 {depth = 10} : f32[64,10]
    %24 = mul %23, %22 : f32[64,10]
    %25 = reduce_sum %24 {axes = [1]} : f32[64]
    %26 = reduce_mean %25 : f32[]
    %27 = neg %26 : f32[]
    %28 = fill_like %27 {value = 1.0} : f32[]
    %29 = neg %28 : f32[]
    %30 = reshape %29 {shape = [1]} : f32[1]
    %31 = div %30, %21 : f32[1]
    %32 = broadcast_like %31, %25 : f32[64]
    %33 = expand_dims %32 {axis = 1} : f32[64,1]
    %34 = mul %33, %23 : f32[64,10]
    %35 = reduce_sum %34 {axes = [-1], keepdims = true} : f32[64,1]
    %36 = exp %22 : f32[64,10]
    %37 = mul %36, %35 : f32[64,10]
    %38 = sub %34, %37 : f32[64,10]
    yield %27, %38
  }
  return %17, %18
}
)",
                                                                   "cross_entropy.gir");
  ASSERT_TRUE(m.ok()) << m.status();
  HostTensor logits(ir::DType::kF32, ir::Shape{{64, 10}});
  for (int64_t i = 0; i < logits.size(); ++i) logits.SetDouble(i, std::sin(0.7 * i) * 5);
  HostTensor labels(ir::DType::kI32, ir::Shape{{64}});
  for (int64_t i = 0; i < 64; ++i) labels.SetInt(i, (i * 7) % 10);
  ExpectCompiledMatchesInterpreter(*(*m)->functions().front(), {logits, labels}, "cross entropy");
}

// A fusion with `?` dims is specialized to each call's shapes and
// compiled on the first call with them: the cross-entropy group with a
// dynamic batch, for three batch sizes.
TEST(JitElementsChain, DynamicShapesCompilePerShape) {
  absl::StatusOr<std::unique_ptr<ir::Module>> m = ir::ParseModule(R"(
func @f(%logits: f32[?,10], %labels: i32[?]) -> (f32[], f32[?,10]) {
  %0, %1 = fusion %logits, %labels {kind = "reduction"} : f32[], f32[?,10] (%x: f32[?,10], %y: i32[?]) {
    %2 = log_softmax %x : f32[?,10]
    %3 = one_hot %y {depth = 10} : f32[?,10]
    %4 = mul %3, %2 : f32[?,10]
    %5 = reduce_sum %4 {axes = [1]} : f32[?]
    %6 = reduce_mean %5 : f32[]
    %7 = neg %6 : f32[]
    %8 = exp %2 : f32[?,10]
    %9 = sub %8, %3 : f32[?,10]
    yield %7, %9
  }
  return %0, %1
}
)",
                                                                   "dynamic.gir");
  ASSERT_TRUE(m.ok()) << m.status();
  const ir::Function& f = *(*m)->functions().front();
  EXPECT_FALSE(codegen::CanEmitByElements(*f.body().ops().front()));
  EXPECT_TRUE(codegen::HasElementGenerators(*f.body().ops().front()));
  for (int64_t batch : {1, 29, 64, 29}) {
    HostTensor logits(ir::DType::kF32, ir::Shape{{batch, 10}});
    for (int64_t i = 0; i < logits.size(); ++i) logits.SetDouble(i, std::cos(0.3 * i) * 4);
    HostTensor labels(ir::DType::kI32, ir::Shape{{batch}});
    for (int64_t i = 0; i < batch; ++i) labels.SetInt(i, (i * 3) % 10);
    ExpectCompiledMatchesInterpreter(f, {logits, labels}, StrCat("batch ", batch));
  }
}

// Reductions, softmax and one_hot outside fusion groups compile as
// one-op fusions (compiler/codegen/wrap_kernels.h), for each call's shapes.
TEST(JitElementsChain, StandaloneOpsCompile) {
  absl::StatusOr<std::unique_ptr<ir::Module>> m = ir::ParseModule(R"(
func @f(%x: f32[?,7], %y: i32[?]) -> (f32[?,7], f32[7], f32[?,7]) {
  %0 = softmax %x : f32[?,7]
  %1 = reduce_max %x {axes = [0]} : f32[7]
  %2 = one_hot %y {depth = 7} : f32[?,7]
  return %0, %1, %2
}
)",
                                                                   "standalone.gir");
  ASSERT_TRUE(m.ok()) << m.status();
  const ir::Function& f = *(*m)->functions().front();
  for (int64_t rows : {3, 40}) {
    HostTensor x(ir::DType::kF32, ir::Shape{{rows, 7}});
    for (int64_t i = 0; i < x.size(); ++i) x.SetDouble(i, std::sin(1.3 * i) * 9);
    HostTensor y(ir::DType::kI32, ir::Shape{{rows}});
    for (int64_t i = 0; i < rows; ++i) y.SetInt(i, i % 9 - 1);  // -1 and 7, 8: out of range
    ExpectCompiledMatchesInterpreter(f, {x, y}, StrCat("rows ", rows));
  }
}

// What codegen does not support is refused with Unimplemented, naming
// the op, so the caller can run the graph on the interpreter. Every op in
// a fusion compiles now; what is left is a `call` the specializer cannot
// inline (passes/specialize_shapes.cc inlines calls up to a fixed depth,
// so a recursive one stays).
TEST(JitElementsChain, RecursiveCallIsRefusedByName) {
  absl::StatusOr<std::unique_ptr<ir::Module>> m = ir::ParseModule(R"(
func @f(%x: f32[3], %n: i32[]) -> (f32[3]) {
  %0 = constant {value = dense<i32[] 1>} : i32[]
  %1 = sub %n, %0 : i32[]
  %2 = call %x, %1 {callee = @f} : f32[3]
  %3 = add %2, %x : f32[3]
  return %3
}
)",
                                                                   "refused.gir");
  ASSERT_TRUE(m.ok()) << m.status();
  const ir::Function& f = *(*m)->functions().front();
  HostTensor x(ir::DType::kF32, ir::Shape{{3}});
  HostTensor n(ir::DType::kI32, ir::Shape{});
  absl::StatusOr<std::vector<HostTensor>> got = test::RunJit(f, std::vector<HostTensor>{x, n});
  EXPECT_EQ(got.status().code(), absl::StatusCode::kUnimplemented) << got.status();
  EXPECT_NE(got.status().message().find("call"), std::string::npos) << got.status();
}

}  // namespace
}  // namespace graphc
