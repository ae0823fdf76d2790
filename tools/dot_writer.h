// Draws IR as a Graphviz DOT graph: each function a cluster, each op a box,
// parameters as ellipses, edges labelled with the type that flows along
// them, and each fusion op as a nested cluster holding its body's ops
// (edges go straight from producers outside to the body ops that read them).
// cond/while are drawn as one box each. Render with Debian's `graphviz`:
//   graphc dot model.gir --passes=fuse | dot -Tsvg -o model.svg
#pragma once

#include <string>
#include <string_view>

#include "ir/module.h"

namespace graphc::tool {

// Every function of `module`, or only `function` when it is not empty.
std::string ModuleToDot(const ir::Module& module, std::string_view function = "");

}  // namespace graphc::tool
