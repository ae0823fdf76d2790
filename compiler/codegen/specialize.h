// Shape specialization for codegen that needs static shapes (the element
// emitter): a copy of a fusion op whose `?` dims are replaced by the sizes
// of one call's inputs, every body type re-inferred, as XLA compiles one
// executable per concrete shape. The copy lives in its own module, as the
// only op (and a return) of a function taking the fusion's inputs.
#pragma once

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/module.h"
#include "ir/type.h"

namespace graphc::codegen {

struct SpecializedFusion {
  std::unique_ptr<ir::Module> module;
  const ir::Function* function = nullptr;  // @specialized(inputs) -> fusion results
  const ir::Op* fusion = nullptr;
};

// Errors when the input types do not fit the op's declared operand types.
// Any other op than a fusion is wrapped in a fusion of its own (so a
// softmax outside fusion groups compiles like one inside).
absl::StatusOr<SpecializedFusion> SpecializeFusion(const ir::Op& op,
                                                   const std::vector<ir::TensorType>& input_types);

}  // namespace graphc::codegen
