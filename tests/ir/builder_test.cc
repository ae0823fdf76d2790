// ir::Builder: the checks every op goes through, where ops are inserted,
// and the use lists it maintains; plus the region/value edits passes use.
#include "ir/builder.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ir/module.h"

namespace graphc::ir {
namespace {

TensorType F32(std::initializer_list<int64_t> dims) { return {DType::kF32, Shape(dims)}; }

std::vector<std::string_view> OpNames(const Region& r) {
  std::vector<std::string_view> names;
  for (const auto& op : r.ops()) names.push_back(op->name());
  return names;
}

class BuilderTest : public ::testing::Test {
 protected:
  BuilderTest() : b(&f->body()) {
    x = f->AddParam(F32({2}), "x");
    y = f->AddParam(F32({3}), "y");
  }

  std::string Error(const absl::StatusOr<Op*>& op) { return std::string(op.status().message()); }

  Module m;
  Function* f = m.AddFunction("f");
  Builder b;
  Value* x;
  Value* y;
};

// ---- errors ----

TEST_F(BuilderTest, UnknownOp) {
  EXPECT_EQ(Error(b.Create("frob", {x})), "unknown op 'frob'");
  EXPECT_TRUE(f->body().empty());
}

TEST_F(BuilderTest, WrongArity) {
  EXPECT_EQ(Error(b.Create("add", {x})), "add: expected 2 operands, got 1");
  EXPECT_EQ(Error(b.Create("neg", {x, x})), "neg: expected 1 operand, got 2");
  EXPECT_TRUE(f->body().empty());
}

TEST_F(BuilderTest, UnknownAttribute) {
  EXPECT_EQ(Error(b.Create("neg", {x}, {{"alpha", 1.0}})),
            "unknown attribute 'alpha' for op 'neg'");
}

TEST_F(BuilderTest, AttributeOfTheWrongKind) {
  EXPECT_EQ(Error(b.Create("cast", {x}, {{"dtype", std::string("i32")}})),
            "attribute 'dtype' of op 'cast' must be dtype, got string");
}

TEST_F(BuilderTest, MissingRequiredAttribute) {
  EXPECT_EQ(Error(b.Create("cast", {x})), "op 'cast' needs attribute 'dtype' (dtype)");
}

TEST_F(BuilderTest, NullOperand) {
  EXPECT_EQ(Error(b.Create("add", {x, nullptr})),
            "add: an operand is null (a value from a failed op?)");
}

TEST_F(BuilderTest, InferenceErrorNamesTheOperandTypes) {
  EXPECT_EQ(Error(b.Create("add", {x, y})),
            "add(f32[2], f32[3]): shapes [2] and [3] cannot be broadcast (dim 0: 2 vs 3)");
}

TEST_F(BuilderTest, ErrorsStartWithTheLocation) {
  b.set_loc({"file.cc", 3, 7});
  EXPECT_EQ(Error(b.Create("frob", {})), "file.cc:3:7: unknown op 'frob'");
  EXPECT_EQ(Error(b.Create("add", {x})), "file.cc:3:7: add: expected 2 operands, got 1");
  EXPECT_EQ(Error(b.Create("add", {x, y})),
            "file.cc:3:7: add(f32[2], f32[3]): shapes [2] and [3] cannot be broadcast (dim 0: 2 "
            "vs 3)");
  // ... and the ops it builds carry it.
  Op* op = *b.Create("neg", {x});
  EXPECT_EQ(op->loc(), (Location{"file.cc", 3, 7}));
}

TEST_F(BuilderTest, NoInsertionPoint) {
  Builder detached;
  absl::StatusOr<Op*> op = detached.Create("neg", {x});
  EXPECT_EQ(op.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Error(op), "Builder has no insertion point");
}

// ---- what gets built ----

TEST_F(BuilderTest, InfersResultTypes) {
  Value* s = *b.Emit("add", {x, x});
  EXPECT_EQ(s->type(), F32({2}));
  EXPECT_EQ(s->defining_op()->parent(), &f->body());
  EXPECT_EQ((*b.Emit("lt", {x, x}))->type().ToString(), "bool[2]");
}

TEST_F(BuilderTest, FillsDefaultAttributes) {
  Value* a = f->AddParam(F32({2, 3}), "a");
  Op* op = *b.Create("matmul", {a, a}, {{"transpose_b", true}});
  EXPECT_EQ(op->attrs().size(), 2u);
  EXPECT_EQ(op->attr<bool>("transpose_a"), false);  // the default
  EXPECT_EQ(op->attr<bool>("transpose_b"), true);   // as given
  EXPECT_EQ(op->result(0)->type(), F32({2, 2}));
}

TEST_F(BuilderTest, ConstantsCarryTheirValue) {
  Value* c = *b.ScalarConstant(2.5, DType::kF64);
  EXPECT_EQ(c->type().ToString(), "f64[]");
  EXPECT_EQ(c->defining_op()->attr<DenseElements>("value").GetDouble(0), 2.5);
  DenseElements e(F32({2}));
  e.SetDouble(1, -1.0);
  Value* d = *b.Constant(e);
  EXPECT_EQ(d->defining_op()->attr<DenseElements>("value"), e);
}

TEST_F(BuilderTest, InsertsAtTheEndOrBeforeAnOp) {
  Value* n = *b.Emit("neg", {x});
  Op* ret = *b.Create("return", {n});
  b.SetInsertionPoint(ret);
  ASSERT_TRUE(b.Emit("abs", {x}).ok());
  ASSERT_TRUE(b.Emit("exp", {x}).ok());
  EXPECT_EQ(OpNames(f->body()), (std::vector<std::string_view>{"neg", "abs", "exp", "return"}));
  EXPECT_EQ(b.region(), &f->body());
  b.SetInsertionPointToEnd(&f->body());
  ASSERT_TRUE(b.Emit("sqrt", {x}).ok());
  EXPECT_EQ(OpNames(f->body()).back(), "sqrt");
}

TEST_F(BuilderTest, MovesRegionsIntoTheOp) {
  Value* p = f->AddParam({DType::kBool, Shape{}}, "p");
  std::vector<std::unique_ptr<Region>> regions;
  for (int i = 0; i < 2; ++i) {
    regions.push_back(std::make_unique<Region>());
    Value* arg = regions.back()->AddArgument(F32({2}));
    Builder rb(regions.back().get());
    rb.set_module(&m);
    ASSERT_TRUE(rb.Create("yield", {arg}).ok());
  }
  absl::StatusOr<Op*> cond = b.Create("cond", {p, x}, {}, std::move(regions));
  ASSERT_TRUE(cond.ok()) << cond.status();
  ASSERT_EQ((*cond)->num_regions(), 2);
  EXPECT_EQ((*cond)->region(1).owner_op(), *cond);
  EXPECT_EQ((*cond)->region(0).function(), f);
  EXPECT_EQ((*cond)->result(0)->type(), F32({2}));
}

TEST_F(BuilderTest, ResolvesSymbolsInTheFunctionsModule) {
  m.AddVariable({"w", F32({4}), true});
  EXPECT_EQ(b.module(), &m);
  absl::StatusOr<Value*> w = b.Emit("read_var", {}, {{"var", SymbolRef{"w"}}});
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ((*w)->type(), F32({4}));
  Module other;
  b.set_module(&other);
  EXPECT_EQ(b.Emit("read_var", {}, {{"var", SymbolRef{"w"}}}).status().message(),
            "read_var(): unknown variable @w");
}

// ---- use lists and edits ----

TEST_F(BuilderTest, CreateRecordsUses) {
  Op* add = *b.Create("add", {x, x});
  Op* neg = *b.Create("neg", {add->result(0)});
  EXPECT_EQ(x->uses(), (std::vector<Use>{{add, 0}, {add, 1}}));
  EXPECT_EQ(add->result(0)->uses(), (std::vector<Use>{{neg, 0}}));
  EXPECT_FALSE(neg->result(0)->has_uses());
}

TEST_F(BuilderTest, ReplaceAllUsesWith) {
  Value* a = *b.Emit("neg", {x});
  Value* c = *b.Emit("abs", {x});
  Op* add = *b.Create("add", {a, a});
  Op* mul = *b.Create("mul", {a, c});
  a->ReplaceAllUsesWith(c);
  EXPECT_FALSE(a->has_uses());
  EXPECT_EQ(add->operand(0), c);
  EXPECT_EQ(add->operand(1), c);
  EXPECT_EQ(mul->operand(0), c);
  EXPECT_EQ(c->uses(), (std::vector<Use>{{mul, 1}, {add, 0}, {add, 1}, {mul, 0}}));
  c->ReplaceAllUsesWith(c);  // a no-op
  EXPECT_EQ(c->uses().size(), 4u);
}

TEST_F(BuilderTest, SetOperandMovesTheUse) {
  Op* neg = *b.Create("neg", {x});
  Value* other = f->AddParam(F32({2}), "z");
  neg->SetOperand(0, other);
  EXPECT_FALSE(x->has_uses());
  EXPECT_EQ(other->uses(), (std::vector<Use>{{neg, 0}}));
}

TEST_F(BuilderTest, EraseDropsTheOpAndItsUses) {
  Value* a = *b.Emit("neg", {x});
  Op* dead = *b.Create("abs", {a});
  Op* ret = *b.Create("return", {a});
  f->body().Erase(dead);
  EXPECT_EQ(OpNames(f->body()), (std::vector<std::string_view>{"neg", "return"}));
  EXPECT_EQ(a->uses(), (std::vector<Use>{{ret, 0}}));
}

TEST_F(BuilderTest, RemoveKeepsTheOpAlive) {
  Op* neg = *b.Create("neg", {x});
  std::unique_ptr<Op> owned = f->body().Remove(neg);
  EXPECT_TRUE(f->body().empty());
  EXPECT_EQ(owned->parent(), nullptr);
  EXPECT_EQ(x->uses(), (std::vector<Use>{{neg, 0}}));  // still holds its operand
  owned.reset();
  EXPECT_FALSE(x->has_uses());
}

}  // namespace
}  // namespace graphc::ir
