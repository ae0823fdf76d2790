// Registry completeness: every registered op has every piece an op needs
// (summary, inference, one way to execute, an interpreter implementation,
// documentation, well-typed attribute defaults, test samples). Adding an op
// is a checklist; this test is the one that enforces it. It also checks the
// op sample table (tests/common/op_samples.h) itself: valid, deterministic,
// and covering every dtype and optional attribute the ops accept.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "compiler/interpreter/interpreter.h"
#include "ir/builder.h"
#include "ir/op_registry.h"
#include "ir/str_cat.h"
#include "tests/common/op_samples.h"

namespace graphc::test {
namespace {

using ir::OpDef;

// docs/ir.md, found from this file's place in the source tree
// (tests/compiler/registry_test.cc).
std::filesystem::path IrDoc() {
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "docs" / "ir.md";
}

// The names under a "### <name>" heading in the "## Ops" part of docs/ir.md
// (the grammar part before it has headings of its own).
std::set<std::string> DocumentedOps() {
  std::set<std::string> names;
  std::ifstream in(IrDoc());
  bool in_ops = false;
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
    if (line == "## Ops") in_ops = true;
    if (in_ops && line.rfind("### ", 0) == 0) names.insert(line.substr(4));
  }
  return names;
}

// What the completeness check knows about the world outside the OpDef.
struct Facts {
  std::set<std::string> documented;
  bool (*can_interpret)(const OpDef&);
  std::vector<OpSample> (*samples_for)(std::string_view);
  const std::set<std::string>* exempt_from_samples;
};

// Every missing or inconsistent piece of `def`, each message naming the op.
std::vector<std::string> Problems(const OpDef& def, const Facts& facts) {
  std::vector<std::string> out;
  const std::string op(def.name);
  auto report = [&](std::string what) { out.push_back(StrCat(op, ": ", what)); };

  if (def.summary.empty()) report("empty summary");
  if (def.infer == nullptr) report("no infer function");

  std::vector<std::string> modes;
  if (def.scalar != nullptr) modes.push_back("scalar");
  if (!def.kernel.empty()) modes.push_back("kernel");
  if (def.structural) modes.push_back("structural");
  if (modes.size() != 1) {
    std::string list = modes.empty() ? "none" : modes[0];
    for (size_t i = 1; i < modes.size(); ++i) list += StrCat(" and ", modes[i]);
    report(StrCat("must set exactly one of scalar / kernel / structural, sets ", list));
  }

  if (def.is_terminator) {
    if (!def.structural) report("a terminator must be structural");
    if (def.infer != nullptr) {
      const ir::AttrMap attrs;
      const ir::InferContext ctx{def.name, {}, attrs, {}, nullptr};
      absl::StatusOr<std::vector<ir::TensorType>> results = def.infer(ctx);
      if (!results.ok()) {
        report(StrCat("a terminator must infer no results, inference failed: ",
                      ToStd(results.status().message())));
      } else if (!results->empty()) {
        report(StrCat("a terminator must have no results, infers ", results->size()));
      }
    }
  }

  if (def.not_differentiable && def.vjp != nullptr) {
    report("is marked not_differentiable but has a vjp rule");
  }

  if (!facts.can_interpret(def)) report("the interpreter cannot run it (interp::CanInterpret)");

  const bool exempt = facts.exempt_from_samples->contains(op);
  const bool has_samples = !facts.samples_for(def.name).empty();
  if (!exempt && !has_samples) report("has no samples in tests/common/op_samples.cc");
  if (exempt && has_samples) report("is listed in OpsWithoutSamples but has samples");

  if (!facts.documented.contains(op)) {
    report(StrCat("is not documented (no \"### ", op, "\" line in docs/ir.md)"));
  }

  for (const ir::AttrSpec& spec : def.attrs) {
    if (!spec.default_value.has_value()) continue;
    const ir::AttrKind kind = ir::KindOf(*spec.default_value);
    if (kind != spec.kind) {
      report(StrCat("attribute '", spec.name, "' is declared ", ir::AttrKindName(spec.kind),
                    " but its default is ", ir::AttrKindName(kind)));
    }
  }
  return out;
}

Facts RealFacts() {
  return Facts{DocumentedOps(), interp::CanInterpret, SamplesFor, &OpsWithoutSamples()};
}

TEST(Registry, DocsFolderIsFound) {
  ASSERT_TRUE(std::filesystem::is_regular_file(IrDoc())) << IrDoc();
  EXPECT_FALSE(DocumentedOps().empty()) << "no \"### <op>\" headings in " << IrDoc();
}

TEST(Registry, EveryOpIsComplete) {
  const Facts facts = RealFacts();
  const std::vector<const OpDef*> all = ir::OpRegistry::Get().All();
  ASSERT_FALSE(all.empty());
  for (const OpDef* def : all) {
    for (const std::string& problem : Problems(*def, facts)) ADD_FAILURE() << problem;
  }
}

TEST(Registry, EveryDocumentedOpIsRegistered) {
  for (const std::string& name : DocumentedOps()) {
    EXPECT_NE(ir::OpRegistry::Get().Find(name), nullptr)
        << "docs/ir.md has \"### " << name << "\" but no op of that name is registered";
  }
}

// The check itself must be able to fail: an op missing every piece is
// reported once per piece, each message naming the op.
absl::StatusOr<std::vector<ir::TensorType>> OneF32(const ir::InferContext&) {
  return std::vector<ir::TensorType>{ir::TensorType{ir::DType::kF32, {}}};
}
ir::Scalar Identity(ir::ScalarBuilder&, std::span<const ir::Scalar> x, const ir::AttrMap&) {
  return x[0];
}
absl::StatusOr<std::vector<ir::Value*>> NoGradients(ir::Builder&, const ir::Op&,
                                                    std::span<ir::Value* const>) {
  return std::vector<ir::Value*>{};
}

Facts FakeFacts() {
  static const std::set<std::string> exempt = {"exempt_op"};
  return Facts{{"documented_op", "exempt_op"},
               [](const OpDef& def) { return def.name == "documented_op"; },
               [](std::string_view op) {
                 return op == "exempt_op" ? std::vector<OpSample>{OpSample{}}
                                          : std::vector<OpSample>{};
               },
               &exempt};
}

TEST(Registry, CompletenessCheckReportsEveryMissingPiece) {
  OpDef def;
  def.name = "bogus";
  def.attrs = {{"axis", ir::AttrKind::kInt, 1.0}, {"perm", ir::AttrKind::kInts, std::nullopt}};
  EXPECT_EQ(Problems(def, FakeFacts()),
            (std::vector<std::string>{
                "bogus: empty summary",
                "bogus: no infer function",
                "bogus: must set exactly one of scalar / kernel / structural, sets none",
                "bogus: the interpreter cannot run it (interp::CanInterpret)",
                "bogus: has no samples in tests/common/op_samples.cc",
                "bogus: is not documented (no \"### bogus\" line in docs/ir.md)",
                "bogus: attribute 'axis' is declared int but its default is float",
            }));
}

TEST(Registry, CompletenessCheckRejectsTwoExecutionModesAndBadTerminators) {
  OpDef def;
  def.name = "exempt_op";
  def.summary = "a terminator that computes";
  def.infer = OneF32;
  def.scalar = Identity;
  def.kernel = "some_kernel";
  def.is_terminator = true;
  def.not_differentiable = true;
  def.vjp = NoGradients;
  EXPECT_EQ(Problems(def, FakeFacts()),
            (std::vector<std::string>{
                "exempt_op: must set exactly one of scalar / kernel / structural, sets scalar and "
                "kernel",
                "exempt_op: a terminator must be structural",
                "exempt_op: a terminator must have no results, infers 1",
                "exempt_op: is marked not_differentiable but has a vjp rule",
                "exempt_op: the interpreter cannot run it (interp::CanInterpret)",
                "exempt_op: is listed in OpsWithoutSamples but has samples",
            }));
}

TEST(Registry, CompletenessCheckAcceptsACompleteOp) {
  OpDef def;
  def.name = "documented_op";
  def.summary = "fine";
  def.infer = OneF32;
  def.structural = true;
  def.attrs = {{"axis", ir::AttrKind::kInt, int64_t{1}}};
  // Only the samples are missing: the fake table has none for it.
  EXPECT_EQ(
      Problems(def, FakeFacts()),
      std::vector<std::string>{"documented_op: has no samples in tests/common/op_samples.cc"});
}

// ---- the sample table ----

TEST(OpSamples, ExemptOpsAreRegistered) {
  for (const std::string& op : OpsWithoutSamples()) {
    EXPECT_NE(ir::OpRegistry::Get().Find(op), nullptr)
        << "OpsWithoutSamples lists '" << op << "', which is not a registered op";
  }
}

TEST(OpSamples, EverySampledOpIsRegistered) {
  for (const std::string& op : SampledOps()) {
    EXPECT_NE(ir::OpRegistry::Get().Find(op), nullptr)
        << "op_samples.cc has samples for '" << op << "', which is not a registered op";
  }
  EXPECT_TRUE(SamplesFor("no_such_op").empty());
}

bool IsWellFormedName(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

TEST(OpSamples, EverySampleIsValidAndUniquelyNamed) {
  for (const std::string& op : SampledOps()) {
    const OpDef* def = ir::OpRegistry::Get().Find(op);
    if (def == nullptr) continue;  // reported by EverySampledOpIsRegistered
    std::set<std::string> names;
    for (const OpSample& s : SamplesFor(op)) {
      EXPECT_EQ(s.op, op) << Describe(s);
      EXPECT_TRUE(IsWellFormedName(s.name)) << Describe(s) << ": name must match [a-z0-9_]+";
      EXPECT_TRUE(names.insert(s.name).second) << Describe(s) << ": duplicate sample name";
      std::vector<ir::TensorType> types;
      for (const HostTensor& h : s.operands) {
        ASSERT_TRUE(h.defined()) << Describe(s);
        types.push_back(h.type());
      }
      ir::AttrMap attrs = s.attrs;
      absl::StatusOr<std::vector<ir::TensorType>> results =
          ir::InferResultTypes(*def, types, attrs, {}, nullptr);
      EXPECT_TRUE(results.ok()) << Describe(s) << ": " << results.status();
    }
  }
}

TEST(OpSamples, AreDeterministicAndReturnedAsCopies) {
  const std::vector<OpSample> first = AllSamples();
  ASSERT_FALSE(first.empty());
  // Writing into a returned operand must not change the table.
  std::vector<OpSample> scratch = SamplesFor("add");
  ASSERT_FALSE(scratch.empty());
  scratch[0].operands[0].SetDouble(0, 12345);
  const std::vector<OpSample> second = AllSamples();
  ASSERT_EQ(first.size(), second.size());
  for (size_t i = 0; i < first.size(); ++i) {
    ASSERT_EQ(first[i].operands.size(), second[i].operands.size()) << Describe(first[i]);
    for (size_t k = 0; k < first[i].operands.size(); ++k) {
      EXPECT_TRUE(first[i].operands[k].BitwiseEquals(second[i].operands[k])) << Describe(first[i]);
    }
    EXPECT_EQ(first[i].attrs, second[i].attrs) << Describe(first[i]);
  }
}

bool AllFinite(const HostTensor& h) {
  if (!ir::IsFloat(h.dtype())) return true;
  for (int64_t i = 0; i < h.size(); ++i) {
    const double v = h.GetDouble(i);
    if (!std::isfinite(v) || (v == 0 && std::signbit(v))) return false;
  }
  return true;
}

TEST(OpSamples, OnlySpecialSamplesHoldNonFiniteOrNegativeZeroFloats) {
  for (const OpSample& s : AllSamples()) {
    if (IsSpecial(s)) continue;
    for (const HostTensor& h : s.operands) EXPECT_TRUE(AllFinite(h)) << Describe(s);
  }
  OpSample special{"add", {}, {}, "f32_nan_special"};
  OpSample plain{"add", {}, {}, "f32_special_case"};
  EXPECT_TRUE(IsSpecial(special));
  EXPECT_FALSE(IsSpecial(plain));
}

TEST(OpSamples, PatternHasNegativesZerosAndPositives) {
  const HostTensor p = Pattern(ir::DType::kF32, {11});
  std::vector<double> v;
  for (int64_t i = 0; i < p.size(); ++i) v.push_back(p.GetDouble(i));
  EXPECT_EQ(v, (std::vector<double>{-5 * 0.5, 2 * 0.5, -2 * 0.5, 5 * 0.5, 1 * 0.5, -3 * 0.5,
                                    4 * 0.5, 0, -4 * 0.5, 3 * 0.5, -1 * 0.5}));
  const HostTensor q = Positive(ir::DType::kF64, {3}, 1);
  EXPECT_EQ(q.GetDouble(0), 1.75);
  EXPECT_EQ(q.GetDouble(1), 5.25);
  EXPECT_EQ(q.GetDouble(2), 3.25);
}

// The dtypes inference accepts for operand `k` of `s`, trying each dtype for
// every operand that shares operand k's dtype (binary ops need both changed).
std::set<ir::DType> AcceptedOperandDTypes(const OpDef& def, const OpSample& s, size_t k) {
  std::set<ir::DType> accepted;
  for (ir::DType d : ir::kAllDTypes) {
    std::vector<ir::TensorType> types;
    for (const HostTensor& h : s.operands) {
      types.push_back(h.dtype() == s.operands[k].dtype() ? ir::TensorType{d, h.shape()} : h.type());
    }
    ir::AttrMap attrs = s.attrs;
    if (ir::InferResultTypes(def, types, attrs, {}, nullptr).ok()) accepted.insert(d);
  }
  return accepted;
}

std::string DTypeList(const std::set<ir::DType>& dtypes) {
  std::string s;
  for (ir::DType d : dtypes) s += StrCat(s.empty() ? "" : ", ", ir::DTypeName(d));
  return s;
}

// "each dtype the op accepts": for each operand position (the first, for
// variadic ops) and for the `dtype` attribute, every dtype inference accepts
// in some sample's context appears in some sample.
TEST(OpSamples, CoverEveryDTypeTheOpAccepts) {
  for (const std::string& op : SampledOps()) {
    const OpDef* def = ir::OpRegistry::Get().Find(op);
    if (def == nullptr) continue;
    const std::vector<OpSample> samples = SamplesFor(op);
    const size_t positions =
        def->num_operands == OpDef::kVariadic ? 1 : static_cast<size_t>(def->num_operands);
    for (size_t k = 0; k < positions; ++k) {
      std::set<ir::DType> accepted, covered;
      for (const OpSample& s : samples) {
        if (k >= s.operands.size()) continue;
        covered.insert(s.operands[k].dtype());
        for (ir::DType d : AcceptedOperandDTypes(*def, s, k)) accepted.insert(d);
      }
      std::set<ir::DType> missing;
      for (ir::DType d : accepted) {
        if (!covered.contains(d)) missing.insert(d);
      }
      EXPECT_TRUE(missing.empty()) << op << ": operand " << k << " accepts " << DTypeList(missing)
                                   << " but no sample uses it";
    }
    const bool has_dtype_attr =
        std::any_of(def->attrs.begin(), def->attrs.end(),
                    [](const ir::AttrSpec& a) { return a.name == "dtype"; });
    if (!has_dtype_attr) continue;
    std::set<ir::DType> accepted, covered;
    for (const OpSample& s : samples) {
      std::vector<ir::TensorType> types;
      for (const HostTensor& h : s.operands) types.push_back(h.type());
      ir::AttrMap attrs = s.attrs;
      absl::StatusOr<std::vector<ir::TensorType>> r =
          ir::InferResultTypes(*def, types, attrs, {}, nullptr);
      if (r.ok()) covered.insert(std::get<ir::DType>(attrs.at("dtype")));
      for (ir::DType d : ir::kAllDTypes) {
        ir::AttrMap variant = s.attrs;
        variant["dtype"] = d;
        if (ir::InferResultTypes(*def, types, variant, {}, nullptr).ok()) accepted.insert(d);
      }
    }
    std::set<ir::DType> missing;
    for (ir::DType d : accepted) {
      if (!covered.contains(d)) missing.insert(d);
    }
    EXPECT_TRUE(missing.empty()) << op << ": attribute dtype accepts " << DTypeList(missing)
                                 << " but no sample uses it";
  }
}

// Every optional attribute is exercised both ways: some sample sets it to a
// non-default value, and some sample leaves it at its default.
TEST(OpSamples, SetEveryOptionalAttributeAndLeaveItDefault) {
  for (const std::string& op : SampledOps()) {
    const OpDef* def = ir::OpRegistry::Get().Find(op);
    if (def == nullptr) continue;
    const std::vector<OpSample> samples = SamplesFor(op);
    for (const ir::AttrSpec& spec : def->attrs) {
      if (!spec.default_value.has_value()) continue;
      bool non_default = false, default_used = false;
      for (const OpSample& s : samples) {
        auto it = s.attrs.find(spec.name);
        if (it == s.attrs.end() || it->second == *spec.default_value) {
          default_used = true;
        } else {
          non_default = true;
        }
      }
      EXPECT_TRUE(non_default) << op << ": no sample sets attribute '" << spec.name
                               << "' to a non-default value";
      EXPECT_TRUE(default_used) << op << ": every sample overrides attribute '" << spec.name
                                << "'; none checks its default";
    }
  }
}

}  // namespace
}  // namespace graphc::test
