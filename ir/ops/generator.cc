// Ops that make tensors from attributes: constants, fills, ranges and
// stateless seeded random numbers.
#include "absl/status/status.h"
#include "ir/op_registry.h"
#include "ir/ops/infer_util.h"
#include "ir/str_cat.h"

namespace graphc::ir {

using ops::Types;

void RegisterGeneratorOps(OpRegistry& r) {
  // ---- constant: a literal tensor ----
  {
    OpDef def;
    def.name = "constant";
    def.summary = "a literal tensor (`value`)";
    def.num_operands = 0;
    def.attrs = {{"value", AttrKind::kDense, std::nullopt}};
    def.infer = [](const InferContext& c) -> Types {
      return std::vector<TensorType>{c.attr<DenseElements>("value").type()};
    };
    def.fusion = FusionKind::kElementwise;  // a splat folds into any loop
    def.structural = true;
    def.not_differentiable = true;
    r.Register(std::move(def));
  }
}

}  // namespace graphc::ir
