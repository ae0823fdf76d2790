// Shape/dtype inference helpers shared by the op family files.
#pragma once

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/op_registry.h"

namespace graphc::ir::ops {

using Types = absl::StatusOr<std::vector<TensorType>>;

enum class DTypeClass { kAny, kNumeric, kFloat, kBool, kInteger };
bool InClass(DType d, DTypeClass c);
std::string_view ClassName(DTypeClass c);

// Errors unless `t` is in class `c`: "expects float operands, got i32".
absl::Status CheckDType(const TensorType& t, DTypeClass c);
// Errors unless all operands share one dtype: "dtypes differ: f32 vs i32".
absl::Status CheckSameDType(const InferContext& ctx);

// Result of an elementwise op over broadcast operands, with `result_dtype`
// (or the operands' dtype when nullopt).
Types BroadcastResult(const InferContext& ctx, DTypeClass operand_class,
                      std::optional<DType> result_dtype = std::nullopt);

}  // namespace graphc::ir::ops
