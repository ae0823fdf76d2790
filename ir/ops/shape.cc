#include "ir/op_registry.h"

namespace graphc::ir {

void RegisterShapeOps(OpRegistry& r) { (void)r; }

}  // namespace graphc::ir
