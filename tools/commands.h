// The graphc subcommands, one function each; tools/graphc.cc lists them
// in its command table.
#pragma once

#include "tools/tool_util.h"

namespace graphc::tool {

int RunPrint(Args args);
int RunVerify(Args args);
int RunGrad(Args args);
int RunOps(Args args);
int RunOpt(Args args);
int RunDot(Args args);
int RunRun(Args args);
int RunCompile(Args args);

}  // namespace graphc::tool
