// The graphc C++ API: everything a model or training program needs.
//
//   #include <graphc/graphc.h>
//   namespace gc = graphc;
//   gc::Tensor x = gc::constant({{1.f, 2.f}, {3.f, 4.f}});
//   auto f = gc::function([](const gc::Tensor& x) { return gc::reduce_sum(x * x); });
//   std::cout << f(x) << "\n";
#pragma once

#include "graphc/control_flow.h"
#include "graphc/error.h"
#include "graphc/function.h"
#include "graphc/gradient_tape.h"
#include "graphc/ops.h"
#include "graphc/tensor.h"
#include "graphc/variable.h"
