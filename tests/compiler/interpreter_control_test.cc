// The reference interpreter on whole functions: cond, while, call (including
// recursion), captures from enclosing regions, dynamic dims, and the errors a
// run can end with. Functions are built with ir::Builder; expected values are
// worked out by hand.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "compiler/interpreter/interpreter.h"
#include "ir/builder.h"
#include "ir/module.h"
#include "ir/str_cat.h"
#include "ir/verifier.h"

namespace graphc::interp {
namespace {

using ir::AttrMap;
using ir::Builder;
using ir::DType;
using ir::Shape;
using ir::TensorType;
using ir::Value;
using Doubles = std::vector<double>;
using Values = std::vector<Value*>;

const TensorType kBool{DType::kBool, Shape{}};
const TensorType kI32{DType::kI32, Shape{}};

HostTensor Scalar(DType dtype, double v) {
  HostTensor t(dtype, Shape{});
  t.SetDouble(0, v);
  return t;
}
HostTensor F32(Shape shape, Doubles v) {
  HostTensor t(DType::kF32, std::move(shape));
  for (size_t i = 0; i < v.size(); ++i) t.SetDouble(static_cast<int64_t>(i), v[i]);
  return t;
}
Doubles ValuesOf(const HostTensor& t) {
  Doubles v;
  for (int64_t i = 0; i < t.size(); ++i) v.push_back(t.GetDouble(i));
  return v;
}

// Unwraps a built value; a failure is reported and gives null, which the
// next Create turns into an error instead of a crash.
Value* V(absl::StatusOr<Value*> v) {
  EXPECT_TRUE(v.ok()) << v.status();
  return v.ok() ? *v : nullptr;
}
Values Results(absl::StatusOr<ir::Op*> op) {
  EXPECT_TRUE(op.ok()) << op.status();
  return op.ok() ? (*op)->results() : Values{};
}

// A detached region taking `args`, filled by `body` (which returns what to
// yield), ready to move into a cond or while.
template <typename Fn>
std::unique_ptr<ir::Region> MakeRegion(const ir::Module& m, const std::vector<TensorType>& args,
                                       Fn body) {
  auto region = std::make_unique<ir::Region>();
  Values a;
  for (const TensorType& t : args) a.push_back(region->AddArgument(t));
  Builder b(region.get());
  b.set_module(&m);
  const Values out = body(b, a);
  EXPECT_TRUE(b.Create("yield", out).ok());
  return region;
}

std::vector<std::unique_ptr<ir::Region>> Two(std::unique_ptr<ir::Region> r0,
                                             std::unique_ptr<ir::Region> r1) {
  std::vector<std::unique_ptr<ir::Region>> regions;
  regions.push_back(std::move(r0));
  regions.push_back(std::move(r1));
  return regions;
}

// Ends `f` with `return results` and sets its result types.
void Return(ir::Function* f, Builder& b, const Values& results) {
  std::vector<TensorType> types;
  for (const Value* v : results) types.push_back(v == nullptr ? TensorType{} : v->type());
  f->set_result_types(types);
  EXPECT_TRUE(b.Create("return", results).ok());
  EXPECT_TRUE(ir::VerifyFunction(*f).ok()) << ir::VerifyFunction(*f);
}

absl::StatusOr<std::vector<HostTensor>> Call(const ir::Function& f, std::vector<HostTensor> args,
                                             VariableStore* store = nullptr) {
  return RunFunction(f, args, store);
}
// The results of a run that must succeed.
std::vector<HostTensor> Ok(const ir::Function& f, std::vector<HostTensor> args) {
  absl::StatusOr<std::vector<HostTensor>> out = Call(f, std::move(args));
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : std::vector<HostTensor>{};
}

// f(p, x) = p ? -x : x * x
TEST(InterpControl, CondRunsOnlyTheChosenBranch) {
  ir::Module m;
  ir::Function* f = m.AddFunction("f");
  const TensorType vec{DType::kF32, Shape{2}};
  Value* p = f->AddParam(kBool, "p");
  Value* x = f->AddParam(vec, "x");
  Builder b(&f->body());
  auto then_r =
      MakeRegion(m, {vec}, [](Builder& rb, Values a) { return Values{V(rb.Emit("neg", {a[0]}))}; });
  auto else_r = MakeRegion(m, {vec}, [](Builder& rb, Values a) {
    return Values{V(rb.Emit("mul", {a[0], a[0]}))};
  });
  Return(f, b, Results(b.Create("cond", {p, x}, {}, Two(std::move(then_r), std::move(else_r)))));
  EXPECT_EQ(ValuesOf(Ok(*f, {Scalar(DType::kBool, 1), F32({2}, {2, -3})})[0]), (Doubles{-2, 3}));
  EXPECT_EQ(ValuesOf(Ok(*f, {Scalar(DType::kBool, 0), F32({2}, {2, -3})})[0]), (Doubles{4, 9}));
}

// f(p, x, y) = c = x + y; p ? (x + c, c) : (x - y, y), the branches using c
// and y from the function body; a second cond with no args yields captures only.
TEST(InterpControl, CondUsesValuesCapturedFromTheEnclosingRegion) {
  ir::Module m;
  ir::Function* f = m.AddFunction("f");
  const TensorType vec{DType::kF32, Shape{2}};
  Value* p = f->AddParam(kBool, "p");
  Value* x = f->AddParam(vec, "x");
  Value* y = f->AddParam(vec, "y");
  Builder b(&f->body());
  Value* c = V(b.Emit("add", {x, y}));
  auto then_r = MakeRegion(m, {vec}, [&](Builder& rb, Values a) {
    return Values{V(rb.Emit("add", {a[0], c})), c};
  });
  auto else_r = MakeRegion(m, {vec}, [&](Builder& rb, Values a) {
    return Values{V(rb.Emit("sub", {a[0], y})), y};
  });
  Values r = Results(b.Create("cond", {p, x}, {}, Two(std::move(then_r), std::move(else_r))));
  auto pick_c = MakeRegion(m, {}, [&](Builder&, Values) { return Values{c}; });
  auto pick_y = MakeRegion(m, {}, [&](Builder&, Values) { return Values{y}; });
  Values r2 = Results(b.Create("cond", {p}, {}, Two(std::move(pick_c), std::move(pick_y))));
  Return(f, b, {r[0], r[1], r2[0]});
  const HostTensor xv = F32({2}, {1, 2}), yv = F32({2}, {10, 20});
  std::vector<HostTensor> t = Ok(*f, {Scalar(DType::kBool, 1), xv, yv});
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(ValuesOf(t[0]), (Doubles{12, 24}));
  EXPECT_EQ(ValuesOf(t[1]), (Doubles{11, 22}));
  EXPECT_EQ(ValuesOf(t[2]), (Doubles{11, 22}));
  t = Ok(*f, {Scalar(DType::kBool, 0), xv, yv});
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(ValuesOf(t[0]), (Doubles{-9, -18}));
  EXPECT_EQ(ValuesOf(t[1]), (Doubles{10, 20}));
  EXPECT_EQ(ValuesOf(t[2]), (Doubles{10, 20}));
}

// A variable write inside a branch happens only when that branch runs.
TEST(InterpControl, CondSideEffectsHappenOnlyInTheChosenBranch) {
  ir::Module m;
  m.AddVariable({"count", kI32, false});
  ir::Function* f = m.AddFunction("f");
  Value* p = f->AddParam(kBool, "p");
  Builder b(&f->body());
  Value* one = V(b.ScalarConstant(1, DType::kI32));
  auto bump = MakeRegion(m, {}, [&](Builder& rb, Values) {
    EXPECT_TRUE(rb.Create("assign_add", {one}, {{"var", ir::SymbolRef{"count"}}}).ok());
    return Values{};
  });
  auto nothing = MakeRegion(m, {}, [](Builder&, Values) { return Values{}; });
  ASSERT_TRUE(b.Create("cond", {p}, {}, Two(std::move(bump), std::move(nothing))).ok());
  Return(f, b, {});
  VariableStore store;
  HostTensor count = Scalar(DType::kI32, 0);
  store["count"] = count;
  for (int pred : {1, 0, 1, 0, 0}) {
    ASSERT_TRUE(Call(*f, {Scalar(DType::kBool, pred)}, &store).ok());
  }
  EXPECT_EQ(count.GetInt(0), 2);
}

// fact(n): i = 1, acc = 1; while i <= n: acc *= i; i += 1. The loop's cond
// region reads n from the function body.
ir::Function* BuildFactorialLoop(ir::Module& m) {
  ir::Function* f = m.AddFunction("fact");
  Value* n = f->AddParam(kI32, "n");
  Builder b(&f->body());
  Value* one = V(b.ScalarConstant(1, DType::kI32));
  auto cond = MakeRegion(m, {kI32, kI32}, [&](Builder& rb, Values a) {
    return Values{V(rb.Emit("le", {a[0], n}))};
  });
  auto body = MakeRegion(m, {kI32, kI32}, [&](Builder& rb, Values a) {
    return Values{V(rb.Emit("add", {a[0], one})), V(rb.Emit("mul", {a[1], a[0]}))};
  });
  Values r = Results(b.Create("while", {one, one}, {}, Two(std::move(cond), std::move(body))));
  Return(f, b, {r.size() == 2 ? r[1] : nullptr});
  return f;
}

TEST(InterpControl, WhileComputesAFactorial) {
  ir::Module m;
  ir::Function* f = BuildFactorialLoop(m);
  EXPECT_EQ(Ok(*f, {Scalar(DType::kI32, 5)})[0].GetInt(0), 120);
  EXPECT_EQ(Ok(*f, {Scalar(DType::kI32, 0)})[0].GetInt(0), 1);  // the body never runs
  EXPECT_EQ(Ok(*f, {Scalar(DType::kI32, 12)})[0].GetInt(0), 479001600);
  // 13! = 6227020800 wraps to 6227020800 - 2^32 = 1932053504 in i32.
  EXPECT_EQ(Ok(*f, {Scalar(DType::kI32, 13)})[0].GetInt(0), 1932053504);
}

// f(p, n) = p ? (sum of 0..n-1, by a while inside the branch) : -n. The loop
// inside the branch reads the branch's argument.
TEST(InterpControl, WhileNestedInsideCond) {
  ir::Module m;
  ir::Function* f = m.AddFunction("f");
  Value* p = f->AddParam(kBool, "p");
  Value* n = f->AddParam(kI32, "n");
  Builder b(&f->body());
  Value* zero = V(b.ScalarConstant(0, DType::kI32));
  Value* one = V(b.ScalarConstant(1, DType::kI32));
  auto then_r = MakeRegion(m, {kI32}, [&](Builder& rb, Values a) {
    Value* limit = a[0];
    auto cond = MakeRegion(m, {kI32, kI32}, [&](Builder& cb, Values v) {
      return Values{V(cb.Emit("lt", {v[0], limit}))};
    });
    auto body = MakeRegion(m, {kI32, kI32}, [&](Builder& bb, Values v) {
      return Values{V(bb.Emit("add", {v[0], one})), V(bb.Emit("add", {v[1], v[0]}))};
    });
    Values r = Results(rb.Create("while", {zero, zero}, {}, Two(std::move(cond), std::move(body))));
    return Values{r.size() == 2 ? r[1] : nullptr};
  });
  auto else_r = MakeRegion(m, {kI32},
                           [](Builder& rb, Values a) { return Values{V(rb.Emit("neg", {a[0]}))}; });
  Return(f, b, Results(b.Create("cond", {p, n}, {}, Two(std::move(then_r), std::move(else_r)))));
  EXPECT_EQ(Ok(*f, {Scalar(DType::kBool, 1), Scalar(DType::kI32, 4)})[0].GetInt(0), 0 + 1 + 2 + 3);
  EXPECT_EQ(Ok(*f, {Scalar(DType::kBool, 1), Scalar(DType::kI32, 0)})[0].GetInt(0), 0);
  EXPECT_EQ(Ok(*f, {Scalar(DType::kBool, 0), Scalar(DType::kI32, 4)})[0].GetInt(0), -4);
}

// g(x) = x * x + 1 (on f32[?]); f(x) = g(x) - x.
TEST(InterpControl, CallRunsAnotherFunctionOfTheModule) {
  ir::Module m;
  ir::Function* g = m.AddFunction("g");
  {
    Value* x = g->AddParam({DType::kF32, Shape{ir::kDynamic}}, "x");
    Builder b(&g->body());
    Value* one = V(b.ScalarConstant(1, DType::kF32));
    Return(g, b, {V(b.Emit("add", {V(b.Emit("mul", {x, x})), one}))});
  }
  ir::Function* f = m.AddFunction("f");
  Value* x = f->AddParam({DType::kF32, Shape{3}}, "x");
  Builder b(&f->body());
  Values called = Results(b.Create("call", {x}, {{"callee", ir::SymbolRef{"g"}}}));
  Return(f, b, {V(b.Emit("sub", {called.empty() ? nullptr : called[0], x}))});
  std::vector<HostTensor> out = Ok(*f, {F32({3}, {1, 2, 3})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].shape(), (Shape{3}));
  EXPECT_EQ(ValuesOf(out[0]), (Doubles{1, 3, 7}));  // [2, 5, 10] - [1, 2, 3]
}

// fact(n) = n <= 1 ? 1 : n * fact(n - 1), calling itself from inside a branch.
ir::Function* BuildRecursiveFactorial(ir::Module& m, bool with_base_case) {
  ir::Function* f = m.AddFunction("fact");
  Value* n = f->AddParam(kI32, "n");
  f->set_result_types({kI32});  // the recursive call needs them before the body exists
  Builder b(&f->body());
  Value* one = V(b.ScalarConstant(1, DType::kI32));
  Value* small = with_base_case ? V(b.Emit("le", {n, one})) : V(b.Emit("ne", {n, n}));
  auto base = MakeRegion(m, {kI32}, [&](Builder&, Values) { return Values{one}; });
  auto step = MakeRegion(m, {kI32}, [&](Builder& rb, Values a) {
    Value* prev = V(rb.Emit("sub", {a[0], one}));
    Values r = Results(rb.Create("call", {prev}, {{"callee", ir::SymbolRef{"fact"}}}));
    return Values{V(rb.Emit("mul", {a[0], r.empty() ? nullptr : r[0]}))};
  });
  Return(f, b, Results(b.Create("cond", {small, n}, {}, Two(std::move(base), std::move(step)))));
  return f;
}

TEST(InterpControl, AFunctionMayCallItself) {
  ir::Module m;
  ir::Function* f = BuildRecursiveFactorial(m, true);
  EXPECT_EQ(Ok(*f, {Scalar(DType::kI32, 1)})[0].GetInt(0), 1);
  EXPECT_EQ(Ok(*f, {Scalar(DType::kI32, 10)})[0].GetInt(0), 3628800);
}

TEST(InterpControl, UnboundedRecursionIsAnErrorNotACrash) {
  ir::Module m;
  ir::Function* f = BuildRecursiveFactorial(m, false);
  absl::StatusOr<std::vector<HostTensor>> out = Call(*f, {Scalar(DType::kI32, 3)});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(out.status().message(),
            "call @fact: calls are nested more than 256 deep (unbounded recursion?)");
}

// f(x: f32[?,3]) = (row sums, last element of reshape(x, [-1]), x filled with 2).
TEST(InterpControl, OneFunctionRunsOnTwoSizesOfADynamicDim) {
  ir::Module m;
  ir::Function* f = m.AddFunction("f");
  Value* x = f->AddParam({DType::kF32, Shape{ir::kDynamic, 3}}, "x");
  Builder b(&f->body());
  Value* rows = V(b.Emit("reduce_sum", {x}, {{"axes", std::vector<int64_t>{1}}}));
  Value* flat = V(b.Emit("reshape", {x}, {{"shape", std::vector<int64_t>{-1}}}));
  Value* last = V(b.Emit("strided_slice", {flat},
                         {{"begin", std::vector<int64_t>{-1}}, {"end", std::vector<int64_t>{0}},
                          {"strides", std::vector<int64_t>{1}}, {"end_mask", int64_t{1}}}));
  Value* twos = V(b.Emit("fill_like", {x}, {{"value", 2.0}}));
  Return(f, b, {rows, last, twos});
  EXPECT_EQ(rows->type().ToString(), "f32[?]");

  std::vector<HostTensor> one = Ok(*f, {F32({1, 3}, {0, 1, 2})});
  ASSERT_EQ(one.size(), 3u);
  EXPECT_EQ(ValuesOf(one[0]), (Doubles{3}));
  EXPECT_EQ(ValuesOf(one[1]), (Doubles{2}));
  EXPECT_EQ(one[2].shape(), (Shape{1, 3}));
  std::vector<HostTensor> four = Ok(*f, {F32({4, 3}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})});
  ASSERT_EQ(four.size(), 3u);
  EXPECT_EQ(ValuesOf(four[0]), (Doubles{3, 12, 21, 30}));
  EXPECT_EQ(ValuesOf(four[1]), (Doubles{11}));
  EXPECT_EQ(four[2].shape(), (Shape{4, 3}));
  EXPECT_EQ(ValuesOf(four[2]), Doubles(12, 2.0));
}

TEST(InterpControl, DynamicDimsThatDisagreeAtRunTimeAreAnError) {
  ir::Module m;
  ir::Function* f = m.AddFunction("f");
  Value* x = f->AddParam({DType::kF32, Shape{ir::kDynamic}}, "x");
  Value* y = f->AddParam({DType::kF32, Shape{ir::kDynamic}}, "y");
  Builder b(&f->body());
  b.set_loc({"model.cc", 8, 3});
  Return(f, b, {V(b.Emit("add", {x, y}))});
  absl::StatusOr<std::vector<HostTensor>> out = Call(*f, {F32({2}, {1, 2}), F32({3}, {1, 2, 3})});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(),
            "model.cc:8:3: add(f32[2], f32[3]): shapes [2] and [3] cannot be broadcast (dim 0: 2 "
            "vs 3)");
}

TEST(InterpControl, WrongArgumentsAreErrors) {
  ir::Module m;
  ir::Function* f = m.AddFunction("f");
  Value* p = f->AddParam(kBool, "p");
  Value* x = f->AddParam({DType::kF32, Shape{2}}, "x");
  Builder b(&f->body());
  Return(f, b, {V(b.Emit("select", {p, x, x}))});
  absl::StatusOr<std::vector<HostTensor>> out = Call(*f, {Scalar(DType::kBool, 1)});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "@f takes 2 arguments, got 1");
  out = Call(*f, {Scalar(DType::kBool, 1), F32({3}, {1, 2, 3})});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "@f: argument 1 (%x) must be f32[2], got f32[3]");
  out = Call(*f, {Scalar(DType::kI32, 1), F32({2}, {1, 2})});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "@f: argument 0 (%p) must be bool[], got i32[]");
  out = Call(*f, {HostTensor(), F32({2}, {1, 2})});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "@f: argument 0 (%p) must be bool[], got an undefined tensor");
}

TEST(InterpControl, ControlOpsDoNotRunEagerly) {
  for (std::string_view op : {"cond", "while", "call", "return", "yield"}) {
    absl::StatusOr<std::vector<HostTensor>> out = EvalOp(op, {}, {}, nullptr);
    ASSERT_FALSE(out.ok()) << op;
    EXPECT_EQ(out.status().message(), StrCat("op '", op, "' cannot run eagerly on its own"));
  }
}

// g(i) = table[i] where `table` is a constant of 3 elements; f(i) = g(i).
TEST(InterpControl, AnErrorInACalleeCarriesTheLocationsOfTheOpAndTheCall) {
  ir::Module m;
  ir::Function* g = m.AddFunction("g");
  {
    Value* i = g->AddParam(kI32, "i");
    Builder b(&g->body());
    ir::DenseElements table(TensorType{DType::kF32, Shape{3}});
    Value* t = V(b.Constant(table));
    b.set_loc({"layers.cc", 12, 5});
    Return(g, b, {V(b.Emit("gather", {t, i}))});
  }
  ir::Function* f = m.AddFunction("f");
  Value* i = f->AddParam(kI32, "i");
  Builder b(&f->body());
  b.set_loc({"model.cc", 3, 1});
  Return(f, b, Results(b.Create("call", {i}, {{"callee", ir::SymbolRef{"g"}}})));
  EXPECT_EQ(Ok(*f, {Scalar(DType::kI32, 2)})[0].GetDouble(0), 0.0);
  absl::StatusOr<std::vector<HostTensor>> out = Call(*f, {Scalar(DType::kI32, 7)});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(out.status().message(),
            "model.cc:3:1: layers.cc:12:5: gather: index 7 is out of range [0, 3) along axis 0");
}

// i = 0, acc = 0; while i <= 3: acc += table[i]; i += 1 -- reads table[3].
TEST(InterpControl, GatherOutOfRangeInsideAWhileBodyStopsTheRun) {
  ir::Module m;
  ir::Function* f = m.AddFunction("f");
  Value* table = f->AddParam({DType::kF32, Shape{3}}, "table");
  Builder b(&f->body());
  Value* zero = V(b.ScalarConstant(0, DType::kI32));
  Value* three = V(b.ScalarConstant(3, DType::kI32));
  Value* one = V(b.ScalarConstant(1, DType::kI32));
  Value* acc0 = V(b.ScalarConstant(0, DType::kF32));
  const TensorType f32{DType::kF32, Shape{}};
  auto cond = MakeRegion(m, {kI32, f32}, [&](Builder& rb, Values a) {
    return Values{V(rb.Emit("le", {a[0], three}))};
  });
  auto body = MakeRegion(m, {kI32, f32}, [&](Builder& rb, Values a) {
    rb.set_loc({"loop.cc", 7, 9});
    Value* e = V(rb.Emit("gather", {table, a[0]}));
    rb.set_loc({});
    return Values{V(rb.Emit("add", {a[0], one})), V(rb.Emit("add", {a[1], e}))};
  });
  Return(f, b, Results(b.Create("while", {zero, acc0}, {}, Two(std::move(cond), std::move(body)))));
  absl::StatusOr<std::vector<HostTensor>> out = Call(*f, {F32({3}, {1, 2, 4})});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(),
            "loop.cc:7:9: gather: index 3 is out of range [0, 3) along axis 0");
}

}  // namespace
}  // namespace graphc::interp
