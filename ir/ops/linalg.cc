#include "ir/op_registry.h"

namespace graphc::ir {

void RegisterLinalgOps(OpRegistry& r) { (void)r; }

}  // namespace graphc::ir
