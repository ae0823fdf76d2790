#include "ir/op_registry.h"

namespace graphc::ir {

void RegisterStateOps(OpRegistry& r) { (void)r; }

}  // namespace graphc::ir
