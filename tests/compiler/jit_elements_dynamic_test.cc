// Element kernels (compiler/codegen/element_emitter.h) compiled once for a
// family of shapes: each fusion, traced with a `?` batch dim, is
// specialized at a probe batch (kProbe) and emitted with a DimTable that
// makes every probe-sized dim the run-time symbol s0. The kernels are then
// run for other batch sizes (dims = {batch}) and must give the bits of the
// interpreter run at that batch (any NaN matching any NaN). What the
// kernels cannot serve from one compilation is refused.
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "compiler/codegen/compiled_function.h"
#include "compiler/codegen/dim_table.h"
#include "compiler/codegen/element_emitter.h"
#include "compiler/codegen/jit.h"
#include "compiler/codegen/wrap_kernels.h"
#include "compiler/interpreter/interpreter.h"
#include "gtest/gtest.h"
#include "ir/builder.h"
#include "ir/clone.h"
#include "ir/module.h"
#include "ir/parser.h"
#include "ir/str_cat.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "passes/pass_manager.h"
#include "passes/specialize_shapes.h"
#include "runtime/kernel_abi.h"

namespace graphc {
namespace {

// The batch the fusions are specialized at: no static dim in the tests is
// this size, so a dim of this size is the batch.
constexpr int64_t kProbe = 37;

// `type` with every `?` dim set to `batch`.
ir::TensorType AtBatch(const ir::TensorType& type, int64_t batch) {
  std::vector<int64_t> dims(type.shape.dims().begin(), type.shape.dims().end());
  for (int64_t& d : dims) {
    if (d < 0) d = batch;
  }
  return {type.dtype, ir::Shape(dims)};
}

// Records v in `table` if a dim of it is the probe batch: that dim is s0,
// and v's elements the product of its other dims times s0.
void AddIfDynamic(const ir::Value* v, codegen::DimTable& table) {
  std::vector<codegen::AffineDim> dims;
  int64_t others = 1;
  int batch_dims = 0;
  for (int64_t d : v->shape().dims()) {
    if (d == kProbe) {
      dims.push_back(codegen::AffineDim::Symbol(0));
      ++batch_dims;
    } else {
      dims.push_back(codegen::AffineDim::Constant(d));
      others *= d;
    }
  }
  if (batch_dims == 0) return;
  ASSERT_EQ(batch_dims, 1) << "the elements of " << v->type().ToString() << " are not affine in the batch";
  table.Set(v, std::move(dims), codegen::AffineDim::Symbol(0) * others);
}

// The table a shape analysis would give the fusion specialized at kProbe:
// its operands and results, and every value of its body.
codegen::DimTable ProbeTable(const ir::Op& fusion) {
  codegen::DimTable table(1);
  for (const ir::Value* v : fusion.operands()) AddIfDynamic(v, table);
  for (const ir::Value* v : fusion.results()) AddIfDynamic(v, table);
  const ir::Region& body = fusion.region(0);
  for (int k = 0; k < body.num_arguments(); ++k) AddIfDynamic(body.argument(k), table);
  for (const auto& op : body.ops()) {
    for (const ir::Value* r : op->results()) AddIfDynamic(r, table);
  }
  return table;
}

// A function whose body is one fusion with `?` batch dims, and that fusion
// specialized at kProbe.
struct DynamicFusion {
  std::unique_ptr<ir::Module> dynamic;     // as written, the interpreter's
  std::unique_ptr<ir::Module> specialized; // at kProbe, what is compiled
  const ir::Function& function() const { return *dynamic->functions().front(); }
  const ir::Op& fusion() const { return *specialized->functions().front()->body().ops().front(); }
};

// `m`'s first function, whose body is one fusion, and its specialization.
std::optional<DynamicFusion> Specialize(std::unique_ptr<ir::Module> m) {
  std::vector<ir::TensorType> types;
  const ir::Function& function = *m->functions().front();
  for (int i = 0; i < function.num_params(); ++i) types.push_back(AtBatch(function.param(i)->type(), kProbe));
  absl::StatusOr<std::unique_ptr<ir::Module>> s = passes::SpecializeFunction(function, types);
  EXPECT_TRUE(s.ok()) << s.status();
  if (!s.ok()) return std::nullopt;
  DynamicFusion f{std::move(m), std::move(*s)};
  EXPECT_EQ(f.fusion().name(), "fusion");
  return f;
}

std::optional<DynamicFusion> Parse(const std::string& text) {
  absl::StatusOr<std::unique_ptr<ir::Module>> m = ir::ParseModule(text, "dynamic.gir");
  EXPECT_TRUE(m.ok()) << m.status();
  if (!m.ok()) return std::nullopt;
  return Specialize(std::move(*m));
}

// The kernels of one fusion, JIT-compiled.
struct CompiledKernels {
  codegen::ElementsKernels info;
  std::vector<graphc_loop_kernel> stages, results;
};

absl::StatusOr<CompiledKernels> Compile(const ir::Op& fusion, const codegen::DimTable& table) {
  static int count = 0;
  const std::string prefix = StrCat("dynamic_elements_", count++);
  auto context = std::make_unique<llvm::LLVMContext>();
  auto module = std::make_unique<llvm::Module>("dynamic", *context);
  absl::StatusOr<codegen::ElementsKernels> info = codegen::EmitByElements(fusion, *module, prefix, &table);
  if (!info.ok()) return info.status();
  absl::StatusOr<codegen::Jit*> jit = codegen::ProcessJit();
  if (!jit.ok()) return jit.status();
  if (absl::Status s = (*jit)->AddModule(std::move(module), std::move(context)); !s.ok()) return s;
  CompiledKernels k{std::move(*info), {}, {}};
  auto lookup = [&](const std::string& symbol, std::vector<graphc_loop_kernel>* into) -> absl::Status {
    absl::StatusOr<void*> address = (*jit)->Lookup(symbol);
    if (!address.ok()) return address.status();
    into->push_back(reinterpret_cast<graphc_loop_kernel>(*address));
    return absl::OkStatus();
  };
  for (const std::string& symbol : k.info.stage_symbols) {
    if (absl::Status s = lookup(symbol, &k.stages); !s.ok()) return s;
  }
  for (const std::string& symbol : k.info.result_symbols) {
    if (absl::Status s = lookup(symbol, &k.results); !s.ok()) return s;
  }
  return k;
}

// Elements [0, n) in two calls, [0, n / 2) and [n / 2, n), as threads
// would split them.
void RunSplit(graphc_loop_kernel kernel, void* const* inputs, void* out, const int64_t* dims, int64_t n) {
  void* outputs[] = {out};
  kernel(inputs, outputs, dims, 0, n / 2);
  kernel(inputs, outputs, dims, n / 2, n);
}

// Runs the fusion's kernels as the function emitter does: the stages in
// order into buffers sized by stage_elements, then each result. `shapes`
// are the results' shapes at this batch. Returns the error slot's code.
std::vector<HostTensor> RunKernels(const CompiledKernels& k, const std::vector<HostTensor>& args,
                                   const std::vector<ir::TensorType>& result_types, int64_t batch,
                                   int64_t* error_code) {
  const int64_t dims[] = {batch};
  std::vector<void*> inputs;
  for (const HostTensor& a : args) inputs.push_back(const_cast<uint8_t*>(a.data()));
  int64_t error_slot[4] = {0, 0, 0, 0};
  if (!k.info.error_formats.empty()) inputs.push_back(error_slot);
  std::vector<std::vector<uint8_t>> stage_buffers;
  for (size_t s = 0; s < k.stages.size(); ++s) {
    const int64_t elements = k.info.stage_elements[s].Evaluate(dims);
    stage_buffers.emplace_back(static_cast<size_t>(std::max<int64_t>(elements, 1) *
                                                   ir::DTypeSize(k.info.stage_types[s].dtype)));
    inputs.push_back(stage_buffers.back().data());
  }
  for (size_t s = 0; s < k.stages.size(); ++s) {
    if (k.info.stage_serial[s]) {
      void* outputs[] = {stage_buffers[s].data()};
      k.stages[s](inputs.data(), outputs, dims, 0, 1);
    } else {
      RunSplit(k.stages[s], inputs.data(), stage_buffers[s].data(), dims, k.info.stage_elements[s].Evaluate(dims));
    }
  }
  std::vector<HostTensor> results;
  for (size_t r = 0; r < k.results.size(); ++r) {
    results.emplace_back(result_types[r].dtype, result_types[r].shape);
    RunSplit(k.results[r], inputs.data(), results.back().mutable_data(), dims, results.back().size());
  }
  *error_code = error_slot[0];
  return results;
}

// Random arguments at `batch`: floats in [-4, 4], integers in [0, classes).
std::vector<HostTensor> RandomArgs(const ir::Function& f, int64_t batch, int64_t classes, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> real(-4, 4);
  std::uniform_int_distribution<int64_t> integer(0, classes - 1);
  std::vector<HostTensor> args;
  for (int i = 0; i < f.num_params(); ++i) {
    const ir::TensorType type = AtBatch(f.param(i)->type(), batch);
    HostTensor t(type.dtype, type.shape);
    for (int64_t i = 0; i < t.size(); ++i) {
      if (ir::IsFloat(t.dtype())) {
        t.SetDouble(i, real(rng));
      } else {
        t.SetInt(i, integer(rng));
      }
    }
    args.push_back(std::move(t));
  }
  return args;
}

// Compiles the fusion once at kProbe and checks it against the
// interpreter at each batch.
void ExpectMatchesInterpreterAtEveryBatch(const std::optional<DynamicFusion>& f, int64_t classes = 10) {
  ASSERT_TRUE(f.has_value());
  const codegen::DimTable table = ProbeTable(f->fusion());
  ASSERT_FALSE(table.empty());
  ASSERT_TRUE(codegen::CanEmitByElements(f->fusion(), &table));
  absl::StatusOr<CompiledKernels> k = Compile(f->fusion(), table);
  ASSERT_TRUE(k.ok()) << k.status();
  for (int64_t batch : {2, 5, 64}) {
    const std::vector<HostTensor> args = RandomArgs(f->function(), batch, classes, static_cast<uint32_t>(batch));
    absl::StatusOr<std::vector<HostTensor>> expected = interp::RunFunction(f->function(), args, nullptr);
    ASSERT_TRUE(expected.ok()) << expected.status();
    std::vector<ir::TensorType> types;
    for (const HostTensor& e : *expected) types.push_back(e.type());
    int64_t error = 0;
    const std::vector<HostTensor> got = RunKernels(*k, args, types, batch, &error);
    EXPECT_EQ(error, 0) << "batch " << batch;
    ASSERT_EQ(got.size(), expected->size());
    for (size_t r = 0; r < got.size(); ++r) {
      EXPECT_TRUE(got[r].BitwiseEqualsUpToNans((*expected)[r])) << "batch " << batch << " result " << r;
    }
  }
}

// Means divide by the run-time count: over everything, over rows, and an
// integer mean (a division toward zero by the count).
TEST(JitElementsDynamic, ReduceMean) {
  ExpectMatchesInterpreterAtEveryBatch(Parse(R"(
func @f(%x: f32[?,7], %n: i32[?,3]) -> (f32[], f32[?], i32[], f32[?,1]) {
  %0, %1, %2, %3 = fusion %x, %n {kind = "reduction"} : f32[], f32[?], i32[], f32[?,1] (%a: f32[?,7], %b: i32[?,3]) {
    %4 = exp %a : f32[?,7]
    %5 = reduce_mean %4 : f32[]
    %6 = reduce_mean %a {axes = [1]} : f32[?]
    %7 = reduce_mean %b : i32[]
    %8 = reduce_max %a {axes = [-1], keepdims = true} : f32[?,1]
    yield %5, %6, %7, %8
  }
  return %0, %1, %2, %3
}
)"));
}

// Column reductions ([batch, n] -> [n]: bias gradients) over a run-time
// number of rows, sum_to_like included.
TEST(JitElementsDynamic, ColumnReductions) {
  ExpectMatchesInterpreterAtEveryBatch(Parse(R"(
func @f(%x: f32[?,5], %bias: f32[5]) -> (f32[5], f32[5], f32[5]) {
  %0, %1, %2 = fusion %x, %bias {kind = "reduction"} : f32[5], f32[5], f32[5] (%a: f32[?,5], %b: f32[5]) {
    %3 = add %a, %b : f32[?,5]
    %4 = reduce_sum %3 {axes = [0]} : f32[5]
    %5 = reduce_mean %a {axes = [0]} : f32[5]
    %6 = sum_to_like %3, %b : f32[5]
    yield %4, %5, %6
  }
  return %0, %1, %2
}
)"));
}

// The sparse cross-entropy group of the MLP training step with a run-time
// batch: log_softmax, one_hot of the labels, the loss (a mean over the
// batch) and d(loss)/d(logits); and gather of a static table by the labels
// (with its serial index check).
TEST(JitElementsDynamic, SparseCrossEntropy) {
  ExpectMatchesInterpreterAtEveryBatch(Parse(R"(
func @f(%logits: f32[?,10], %labels: i32[?], %table: f32[10,4]) -> (f32[], f32[?,10], f32[?,4], f32[?,10]) {
  %0, %1, %2, %3 = fusion %logits, %labels, %table {kind = "reduction"} : f32[], f32[?,10], f32[?,4], f32[?,10] (%x: f32[?,10], %y: i32[?], %t: f32[10,4]) {
    %4 = log_softmax %x : f32[?,10]
    %5 = one_hot %y {depth = 10} : f32[?,10]
    %6 = mul %5, %4 : f32[?,10]
    %7 = reduce_sum %6 {axes = [1]} : f32[?]
    %8 = reduce_mean %7 : f32[]
    %9 = neg %8 : f32[]
    %10 = fill_like %9 {value = 1.0} : f32[]
    %11 = neg %10 : f32[]
    %12 = reshape %11 {shape = [1]} : f32[1]
    %13 = broadcast_like %12, %7 : f32[?]
    %14 = expand_dims %13 {axis = 1} : f32[?,1]
    %15 = mul %14, %5 : f32[?,10]
    %16 = reduce_sum %15 {axes = [-1], keepdims = true} : f32[?,1]
    %17 = exp %4 : f32[?,10]
    %18 = mul %17, %16 : f32[?,10]
    %19 = sub %15, %18 : f32[?,10]
    %20 = gather %t, %y : f32[?,4]
    %21 = softmax %x : f32[?,10]
    yield %9, %19, %20, %21
  }
  return %0, %1, %2, %3
}
)"));
}

// A float matmul with a run-time m, its left operand computed in the
// fusion (stored by a stage first), and an integer one (k looped at run
// time, here over a batch: a transposed product).
TEST(JitElementsDynamic, Matmul) {
  ExpectMatchesInterpreterAtEveryBatch(Parse(R"(
func @f(%x: f32[?,6], %w: f32[6,3], %n: i32[?,4], %m: i32[?,2]) -> (f32[?,3], i32[4,2]) {
  %0, %1 = fusion %x, %w, %n, %m {kind = "reduction"} : f32[?,3], i32[4,2] (%a: f32[?,6], %b: f32[6,3], %c: i32[?,4], %d: i32[?,2]) {
    %2 = relu %a : f32[?,6]
    %3 = matmul %2, %b : f32[?,3]
    %4 = tanh %3 : f32[?,3]
    %5 = matmul %c, %d {transpose_a = true} : i32[4,2]
    yield %4, %5
  }
  return %0, %1
}
)"),
                                       /*classes=*/100);
}

// argmax / argmin and log_softmax along a static axis and along the batch
// axis, and ops that only move elements: transpose, reshapes, a slice
// keeping the whole batch.
TEST(JitElementsDynamic, AlongEitherAxisAndMovingElements) {
  ExpectMatchesInterpreterAtEveryBatch(Parse(R"(
func @f(%x: f32[?,10]) -> (i32[?], i64[10], f32[?,10], f32[10,?], f32[?,5,2], f32[?,3]) {
  %0, %1, %2, %3, %4, %5 = fusion %x {kind = "reduction"} : i32[?], i64[10], f32[?,10], f32[10,?], f32[?,5,2], f32[?,3] (%a: f32[?,10]) {
    %6 = argmax %a {axis = 1, dtype = i32} : i32[?]
    %7 = argmin %a {axis = 0} : i64[10]
    %8 = log_softmax %a {axis = 0} : f32[?,10]
    %9 = transpose %a : f32[10,?]
    %10 = reshape %a {shape = [-1, 5, 2]} : f32[?,5,2]
    %11 = strided_slice %a {begin = [0, 2], end = [0, 8], strides = [1, 2], begin_mask = 1, end_mask = 1} : f32[?,3]
    yield %6, %7, %8, %9, %10, %11
  }
  return %0, %1, %2, %3, %4, %5
}
)"));
}

// The MLP training step of tests/tools/mlp_train_step.gir (784 -> 20 relu
// -> 10, sparse softmax cross-entropy, SGD) traced with a `?` batch: the
// mean's gradient divides by the batch counted in the graph (reduce_sum of
// fill_like, as ReducedCount builds it) instead of a constant 64.
constexpr char kMlpTrainStep[] = R"(
var @b1 : f32[20]
var @w1 : f32[784,20]
var @b2 : f32[10]
var @w2 : f32[20,10]

func @train_step(%arg0: f32[?,784], %arg1: i32[?]) -> (f32[]) {
  %0 = read_var {var = @b1} : f32[20]
  %1 = read_var {var = @w1} : f32[784,20]
  %2 = matmul %arg0, %1 : f32[?,20]
  %3 = add %2, %0 : f32[?,20]
  %4 = relu %3 : f32[?,20]
  %5 = read_var {var = @b2} : f32[10]
  %6 = read_var {var = @w2} : f32[20,10]
  %7 = matmul %4, %6 : f32[?,10]
  %8 = add %7, %5 : f32[?,10]
  %9 = log_softmax %8 : f32[?,10]
  %10 = one_hot %arg1 {depth = 10} : f32[?,10]
  %11 = mul %10, %9 : f32[?,10]
  %12 = reduce_sum %11 {axes = [1]} : f32[?]
  %13 = reduce_mean %12 : f32[]
  %14 = neg %13 : f32[]
  %15 = fill_like %14 {value = 1.0} : f32[]
  %16 = neg %15 : f32[]
  %ones = fill_like %12 {value = 1.0} : f32[?]
  %17 = reduce_sum %ones {keepdims = true} : f32[1]
  %18 = reshape %16 {shape = [1]} : f32[1]
  %19 = div %18, %17 : f32[1]
  %20 = broadcast_like %19, %12 : f32[?]
  %21 = expand_dims %20 {axis = 1} : f32[?,1]
  %22 = broadcast_like %21, %11 : f32[?,10]
  %24 = mul %22, %10 : f32[?,10]
  %25 = reduce_sum %24 {axes = [-1], keepdims = true} : f32[?,1]
  %26 = exp %9 : f32[?,10]
  %27 = mul %26, %25 : f32[?,10]
  %28 = sub %24, %27 : f32[?,10]
  %29 = sum_to_like %28, %5 : f32[10]
  %30 = matmul %28, %6 {transpose_b = true} : f32[?,20]
  %31 = matmul %4, %28 {transpose_a = true} : f32[20,10]
  %32 = constant {value = dense<f32[] 0.0>} : f32[]
  %33 = gt %3, %32 : bool[?,20]
  %35 = select %33, %30, %32 : f32[?,20]
  %36 = sum_to_like %35, %0 : f32[20]
  %38 = matmul %arg0, %35 {transpose_a = true} : f32[784,20]
  %39 = constant {value = dense<f32[] 0.1>} : f32[]
  %40 = mul %39, %38 : f32[784,20]
  assign_sub %40 {var = @w1}
  %42 = mul %39, %36 : f32[20]
  assign_sub %42 {var = @b1}
  %44 = mul %39, %31 : f32[20,10]
  assign_sub %44 {var = @w2}
  %46 = mul %39, %29 : f32[10]
  assign_sub %46 {var = @b2}
  return %14
}
)";

// A function @f whose body is a copy of `fusion` alone: its operands are
// @f's parameters, its results @f's.
std::unique_ptr<ir::Module> FusionAsFunction(const ir::Op& fusion) {
  auto m = std::make_unique<ir::Module>();
  ir::Function* f = m->AddFunction("f");
  ir::ValueMap map;
  for (const ir::Value* v : fusion.operands()) map[v] = f->AddParam(v->type());
  ir::Builder b(&f->body());
  absl::StatusOr<ir::Op*> copy = ir::CloneOp(b, fusion, map);
  EXPECT_TRUE(copy.ok()) << copy.status();
  if (!copy.ok()) return nullptr;
  std::vector<ir::TensorType> types;
  for (const ir::Value* r : (*copy)->results()) types.push_back(r->type());
  f->set_result_types(types);
  EXPECT_TRUE(b.Create("return", (*copy)->results()).ok());
  return m;
}

// Every fusion of the step after the default pipeline (and the one-op
// fusions the function emitter wraps standalone ops in: log_softmax,
// one_hot, ...) compiles once by elements and serves every batch.
TEST(JitElementsDynamic, EveryFusionOfTheMlpTrainStep) {
  absl::StatusOr<std::unique_ptr<ir::Module>> m = ir::ParseModule(kMlpTrainStep, "mlp_train_step.gir");
  ASSERT_TRUE(m.ok()) << m.status();
  passes::PassContext context;
  ASSERT_TRUE(passes::RunPipeline(**m, context).ok());
  ir::Function& step = *(*m)->functions().front();
  ASSERT_TRUE(codegen::WrapStandaloneOps(step).ok());
  int fusions = 0;
  for (const auto& op : step.body().ops()) {
    if (op->name() != "fusion") continue;
    SCOPED_TRACE(StrCat("fusion ", fusions, " of kind ", op->attr<std::string>("kind")));
    ASSERT_TRUE(codegen::HasElementGenerators(*op));
    ExpectMatchesInterpreterAtEveryBatch(Specialize(FusionAsFunction(*op)));
    ++fusions;
  }
  EXPECT_GE(fusions, 9);
}

// An out-of-range label at a run-time batch is reported through the error
// slot, as at a static one.
TEST(JitElementsDynamic, GatherIndexErrorAtRunTimeBatch) {
  std::optional<DynamicFusion> f = Parse(R"(
func @f(%t: f32[10,4], %y: i32[?]) -> (f32[?,4]) {
  %0 = fusion %t, %y {kind = "reduction"} : f32[?,4] (%a: f32[10,4], %b: i32[?]) {
    %1 = gather %a, %b : f32[?,4]
    yield %1
  }
  return %0
}
)");
  ASSERT_TRUE(f.has_value());
  const codegen::DimTable table = ProbeTable(f->fusion());
  absl::StatusOr<CompiledKernels> k = Compile(f->fusion(), table);
  ASSERT_TRUE(k.ok()) << k.status();
  std::vector<HostTensor> args = RandomArgs(f->function(), 5, 10, 1);
  args[1].SetInt(3, 12);
  int64_t error = 0;
  RunKernels(*k, args, {{ir::DType::kF32, ir::Shape{{5, 4}}}}, 5, &error);
  EXPECT_EQ(error, 1);
}

// Fusions the kernels cannot serve from one compilation: the caller
// compiles them per shape (they still compile at their static shapes).
TEST(JitElementsDynamic, RefusesWhatDependsOnTheBatch) {
  const char* refused[] = {
      // concat along the batch axis: where operand 1 starts varies
      R"(
func @f(%x: f32[?,3]) -> (f32[?,3]) {
  %0 = fusion %x {kind = "reduction"} : f32[?,3] (%a: f32[?,3]) {
    %1 = concat %a, %a {axis = 0} : f32[?,3]
    yield %1
  }
  return %0
}
)",
      // gather along the batch axis: its length bounds the indices
      R"(
func @f(%x: f32[?,3], %i: i32[4]) -> (f32[4,3]) {
  %0 = fusion %x, %i {kind = "reduction"} : f32[4,3] (%a: f32[?,3], %b: i32[4]) {
    %1 = gather %a, %b : f32[4,3]
    yield %1
  }
  return %0
}
)",
      // a slice starting inside the batch
      R"(
func @f(%x: f32[?,3]) -> (f32[?,3]) {
  %0 = fusion %x {kind = "reduction"} : f32[?,3] (%a: f32[?,3]) {
    %1 = strided_slice %a {begin = [1, 0], end = [0, 0], strides = [1, 1], end_mask = 3} : f32[?,3]
    yield %1
  }
  return %0
}
)",
  };
  for (const char* text : refused) {
    std::optional<DynamicFusion> f = Parse(text);
    ASSERT_TRUE(f.has_value());
    const codegen::DimTable table = ProbeTable(f->fusion());
    EXPECT_FALSE(codegen::CanEmitByElements(f->fusion(), &table)) << text;
    EXPECT_TRUE(codegen::CanEmitByElements(f->fusion())) << text;
    llvm::LLVMContext context;
    llvm::Module module("refused", context);
    EXPECT_TRUE(absl::IsUnimplemented(codegen::EmitByElements(f->fusion(), module, "refused", &table).status()));
  }
}

}  // namespace
}  // namespace graphc
