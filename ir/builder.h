// Builds ops at an insertion point, checking them against the registry.
// Every op that enters the IR through the API, the parser or a pass goes
// through here, so shape/dtype errors are reported at build time with the
// op's name, its operand types and the source location.
#pragma once

#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/module.h"
#include "ir/op_registry.h"

namespace graphc::ir {

// Checks `attrs` against `def` (unknown names, wrong kinds, missing required
// ones) and fills in defaults.
absl::Status CheckAndFillAttrs(const OpDef& def, AttrMap& attrs);

// Arity, attribute and region-count checks plus shape/dtype inference,
// without building anything. `attrs` gets its defaults filled. Errors read
// "op(operand types): what is wrong".
absl::StatusOr<std::vector<TensorType>> InferResultTypes(
    const OpDef& def, std::span<const TensorType> operand_types, AttrMap& attrs,
    std::span<const Region* const> regions, const Module* module);

// "matmul(f32[2,3], f32[4,5])": how errors name an op.
std::string DescribeOp(std::string_view name, std::span<const TensorType> operand_types);

class Builder {
 public:
  // Inserts at the end of `region` (or nowhere until an insertion point is set).
  explicit Builder(Region* region = nullptr) { SetInsertionPointToEnd(region); }

  void SetInsertionPointToEnd(Region* region) {
    region_ = region;
    before_ = nullptr;
  }
  // Inserts before `op`, in op's region.
  void SetInsertionPoint(Op* op) {
    region_ = op->parent();
    before_ = op;
  }
  Region* region() const { return region_; }

  // Location given to the ops built from now on.
  void set_loc(Location loc) { loc_ = std::move(loc); }
  const Location& loc() const { return loc_; }

  // Module used to resolve symbols (`call`, variables). Defaults to the
  // module of the insertion region's function.
  void set_module(const Module* module) { module_ = module; }
  const Module* module() const;

  // Builds and inserts an op. Regions are built beforehand (detached
  // regions: `std::make_unique<Region>()`) and moved in.
  absl::StatusOr<Op*> Create(std::string_view name, std::vector<Value*> operands,
                             AttrMap attrs = {},
                             std::vector<std::unique_ptr<Region>> regions = {});
  // Shorthand for single-result ops.
  absl::StatusOr<Value*> Emit(std::string_view name, std::vector<Value*> operands,
                              AttrMap attrs = {});

  // A constant tensor, and a scalar constant of a dtype.
  absl::StatusOr<Value*> Constant(DenseElements value);
  absl::StatusOr<Value*> ScalarConstant(double value, DType dtype);

 private:
  Region* region_ = nullptr;
  Op* before_ = nullptr;
  Location loc_;
  const Module* module_ = nullptr;
};

}  // namespace graphc::ir
