#include "ir/op_registry.h"

namespace graphc::ir {

void RegisterReduceOps(OpRegistry& r) { (void)r; }

}  // namespace graphc::ir
