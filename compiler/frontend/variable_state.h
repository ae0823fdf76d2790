// The shared state behind graphc::Variable handles: copies of a Variable
// refer to the same variable, as Python references do.
#pragma once

#include <string>

#include "compiler/host_tensor.h"

namespace graphc {

struct VariableState {
  HostTensor value;  // updated in place: compiled code writes this buffer
  std::string name;
  bool trainable = true;
};

}  // namespace graphc
