#include "passes/grad_function.h"

#include "absl/status/status.h"
#include "ir/clone.h"
#include "ir/str_cat.h"
#include "ir/verifier.h"
#include "passes/autodiff.h"

namespace graphc::passes {

absl::StatusOr<ir::Function*> BuildGradientFunction(ir::Module& module, const ir::Function& f) {
  if (f.result_types().empty() || !ir::IsFloat(f.result_types()[0].dtype)) {
    return absl::InvalidArgumentError(StrCat("@", f.name(), ": the first result must be a floating-point value to "
                                             "differentiate"));
  }
  std::string name = StrCat(f.name(), "_grad");
  for (int k = 1; module.FindFunction(name) != nullptr; ++k) name = StrCat(f.name(), "_grad", k);
  ir::Function* g = module.AddFunction(name);
  ir::ValueMap map;
  for (int i = 0; i < f.num_params(); ++i) {
    map[f.param(i)] = g->AddParam(f.param(i)->type(), f.param(i)->name_hint());
  }
  ir::Builder b(&g->body());
  b.set_module(&module);
  absl::StatusOr<std::vector<ir::Value*>> results = ir::CloneRegionBody(b, f.body(), map);
  if (!results.ok()) return results.status();
  GradientRequest req;
  req.targets.push_back((*results)[0]);
  for (int i = 0; i < g->num_params(); ++i) {
    if (ir::IsFloat(g->param(i)->dtype())) req.sources.push_back({g->param(i)});
  }
  req.unconnected = UnconnectedGradients::kZero;
  absl::StatusOr<std::vector<ir::Value*>> grads = EmitGradients(b, req);
  if (!grads.ok()) return grads.status();
  std::vector<ir::Value*> outputs = {(*results)[0]};
  outputs.insert(outputs.end(), grads->begin(), grads->end());
  std::vector<ir::TensorType> types;
  for (ir::Value* v : outputs) types.push_back(v->type());
  g->set_result_types(types);
  b.set_loc({});
  if (absl::StatusOr<ir::Op*> ret = b.Create("return", outputs); !ret.ok()) return ret.status();
  if (absl::Status s = ir::VerifyFunction(*g); !s.ok()) return s;
  return g;
}

}  // namespace graphc::passes
