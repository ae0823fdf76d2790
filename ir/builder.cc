#include "ir/builder.h"

#include "absl/status/status.h"
#include "ir/str_cat.h"
#include "absl/strings/str_join.h"

namespace graphc::ir {

std::string DescribeOp(std::string_view name, std::span<const TensorType> operand_types) {
  std::vector<std::string> types;
  for (const auto& t : operand_types) types.push_back(t.ToString());
  return StrCat(name, "(", absl::StrJoin(types, ", "), ")");
}

absl::Status CheckAndFillAttrs(const OpDef& def, AttrMap& attrs) {
  for (const auto& [name, value] : attrs) {
    const AttrSpec* spec = nullptr;
    for (const auto& s : def.attrs) {
      if (s.name == name) spec = &s;
    }
    if (spec == nullptr) {
      return absl::InvalidArgumentError(
          StrCat("unknown attribute '", name, "' for op '", def.name, "'"));
    }
    if (KindOf(value) != spec->kind) {
      return absl::InvalidArgumentError(StrCat(
          "attribute '", name, "' of op '", def.name, "' must be ",
          AttrKindName(spec->kind), ", got ", AttrKindName(KindOf(value))));
    }
  }
  for (const auto& spec : def.attrs) {
    if (attrs.find(spec.name) != attrs.end()) continue;
    if (!spec.default_value.has_value()) {
      return absl::InvalidArgumentError(StrCat(
          "op '", def.name, "' needs attribute '", spec.name, "' (",
          AttrKindName(spec.kind), ")"));
    }
    attrs.emplace(std::string(spec.name), *spec.default_value);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<TensorType>> InferResultTypes(
    const OpDef& def, std::span<const TensorType> operand_types, AttrMap& attrs,
    std::span<const Region* const> regions, const Module* module) {
  const int n = static_cast<int>(operand_types.size());
  if (def.num_operands == OpDef::kVariadic) {
    if (n < def.min_operands) {
      return absl::InvalidArgumentError(StrCat(
          def.name, ": expected at least ", def.min_operands, " operands, got ", n));
    }
  } else if (n != def.num_operands) {
    return absl::InvalidArgumentError(StrCat(
        def.name, ": expected ", def.num_operands, " operand",
        def.num_operands == 1 ? "" : "s", ", got ", n));
  }
  if (static_cast<int>(regions.size()) != def.num_regions) {
    return absl::InvalidArgumentError(StrCat(
        def.name, ": expected ", def.num_regions, " region",
        def.num_regions == 1 ? "" : "s", ", got ", regions.size()));
  }
  if (absl::Status s = CheckAndFillAttrs(def, attrs); !s.ok()) return s;
  InferContext ctx{def.name, operand_types, attrs, regions, module};
  absl::StatusOr<std::vector<TensorType>> types = def.infer(ctx);
  if (!types.ok()) {
    return absl::Status(types.status().code(),
                        StrCat(DescribeOp(def.name, operand_types), ": ",
                                     types.status().message()));
  }
  return types;
}

const Module* Builder::module() const {
  if (module_ != nullptr) return module_;
  if (region_ == nullptr) return nullptr;
  const Function* f = region_->function();
  return f == nullptr ? nullptr : f->module();
}

absl::StatusOr<Op*> Builder::Create(std::string_view name, std::vector<Value*> operands,
                                    AttrMap attrs,
                                    std::vector<std::unique_ptr<Region>> regions) {
  auto with_loc = [&](const absl::Status& s) {
    if (!loc_.known()) return s;
    return absl::Status(s.code(), StrCat(loc_.ToString(), ": ", s.message()));
  };
  const OpDef* def = OpRegistry::Get().Find(name);
  if (def == nullptr) {
    return with_loc(absl::InvalidArgumentError(StrCat("unknown op '", name, "'")));
  }
  std::vector<TensorType> operand_types;
  operand_types.reserve(operands.size());
  for (Value* v : operands) {
    if (v == nullptr) {
      return with_loc(absl::InvalidArgumentError(
          StrCat(name, ": an operand is null (a value from a failed op?)")));
    }
    operand_types.push_back(v->type());
  }
  std::vector<const Region*> region_ptrs;
  for (const auto& r : regions) region_ptrs.push_back(r.get());
  absl::StatusOr<std::vector<TensorType>> types =
      InferResultTypes(*def, operand_types, attrs, region_ptrs, module());
  if (!types.ok()) return with_loc(types.status());
  if (region_ == nullptr) {
    return absl::FailedPreconditionError("Builder has no insertion point");
  }
  auto op = std::make_unique<Op>(*def, std::move(operands), *types, std::move(attrs), loc_);
  for (auto& r : regions) op->AdoptRegion(std::move(r));
  return region_->Insert(std::move(op), before_);
}

absl::StatusOr<Value*> Builder::Emit(std::string_view name, std::vector<Value*> operands,
                                     AttrMap attrs) {
  absl::StatusOr<Op*> op = Create(name, std::move(operands), std::move(attrs));
  if (!op.ok()) return op.status();
  if ((*op)->num_results() != 1) {
    return absl::InternalError(StrCat(name, " does not have exactly one result"));
  }
  return (*op)->result(0);
}

absl::StatusOr<Value*> Builder::Constant(DenseElements value) {
  AttrMap attrs;
  attrs.emplace("value", std::move(value));
  return Emit("constant", {}, std::move(attrs));
}

absl::StatusOr<Value*> Builder::ScalarConstant(double value, DType dtype) {
  DenseElements e(TensorType{dtype, Shape{}});
  e.SetDouble(0, value);
  return Constant(std::move(e));
}

}  // namespace graphc::ir
