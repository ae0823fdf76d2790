// The interpreter as the constant folder's evaluator: passes/ cannot depend
// on compiler/, so whoever runs a pipeline (the frontend, graphc) passes
// this in PassContext::evaluate_constant. Folding then computes exactly
// what the interpreter would at run time.
#pragma once

#include "passes/pass.h"

namespace graphc::interp {

passes::ConstantEvaluator InterpreterConstantEvaluator();

// A PassContext whose constant folding uses the interpreter.
passes::PassContext DefaultPassContext();

}  // namespace graphc::interp
