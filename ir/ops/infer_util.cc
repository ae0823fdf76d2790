#include "ir/ops/infer_util.h"

#include "absl/status/status.h"
#include "ir/str_cat.h"

namespace graphc::ir::ops {

bool InClass(DType d, DTypeClass c) {
  switch (c) {
    case DTypeClass::kAny: return true;
    case DTypeClass::kNumeric: return IsNumeric(d);
    case DTypeClass::kFloat: return IsFloat(d);
    case DTypeClass::kBool: return IsBool(d);
    case DTypeClass::kInteger: return IsInteger(d);
  }
  return false;
}

std::string_view ClassName(DTypeClass c) {
  switch (c) {
    case DTypeClass::kAny: return "any";
    case DTypeClass::kNumeric: return "numeric (float or integer)";
    case DTypeClass::kFloat: return "floating-point";
    case DTypeClass::kBool: return "bool";
    case DTypeClass::kInteger: return "integer";
  }
  return "?";
}

absl::Status CheckDType(const TensorType& t, DTypeClass c) {
  if (InClass(t.dtype, c)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      StrCat("expects ", ClassName(c), " operands, got ", DTypeName(t.dtype)));
}

absl::Status CheckSameDType(const InferContext& ctx) {
  for (size_t i = 1; i < ctx.operands.size(); ++i) {
    if (ctx.operands[i].dtype != ctx.operands[0].dtype) {
      return absl::InvalidArgumentError(StrCat(
          "operand dtypes differ: ", DTypeName(ctx.operands[0].dtype), " vs ",
          DTypeName(ctx.operands[i].dtype), " (cast one of them first)"));
    }
  }
  return absl::OkStatus();
}

Types BroadcastResult(const InferContext& ctx, DTypeClass operand_class,
                      std::optional<DType> result_dtype) {
  if (absl::Status s = CheckSameDType(ctx); !s.ok()) return s;
  for (const auto& t : ctx.operands) {
    if (absl::Status s = CheckDType(t, operand_class); !s.ok()) return s;
  }
  Shape shape = ctx.operands.empty() ? Shape{} : ctx.operands[0].shape;
  for (size_t i = 1; i < ctx.operands.size(); ++i) {
    absl::StatusOr<Shape> b = BroadcastShapes(shape, ctx.operands[i].shape);
    if (!b.ok()) return b.status();
    shape = *std::move(b);
  }
  return std::vector<TensorType>{
      TensorType{result_dtype.value_or(ctx.operands[0].dtype), std::move(shape)}};
}

}  // namespace graphc::ir::ops
