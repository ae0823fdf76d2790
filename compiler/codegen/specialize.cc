#include "compiler/codegen/specialize.h"

#include <string>
#include <utility>

#include "ir/builder.h"
#include "ir/clone.h"
#include "ir/str_cat.h"

namespace graphc::codegen {

absl::StatusOr<SpecializedFusion> SpecializeFusion(const ir::Op& op,
                                                   const std::vector<ir::TensorType>& input_types) {
  if (static_cast<int>(input_types.size()) != op.num_operands()) {
    return absl::InvalidArgumentError(StrCat(op.name(), " takes ", op.num_operands(), " inputs, got ",
                                             input_types.size()));
  }
  SpecializedFusion out;
  out.module = std::make_unique<ir::Module>();
  ir::Function* f = out.module->AddFunction("specialized");
  auto body = std::make_unique<ir::Region>();
  ir::ValueMap map;
  std::vector<ir::Value*> params;
  for (int i = 0; i < op.num_operands(); ++i) {
    const ir::TensorType& declared = op.operand(i)->type();
    const ir::TensorType& type = input_types[static_cast<size_t>(i)];
    if (!ir::IsCompatible(declared, type) || !type.shape.is_static()) {
      return absl::InvalidArgumentError(StrCat("fusion input ", i, " is ", declared.ToString(), ", got ",
                                               type.ToString()));
    }
    params.push_back(f->AddParam(type));
    ir::Value* arg = body->AddArgument(type);
    if (op.name() == "fusion") map[op.region(0).argument(i)] = arg;
  }
  ir::Builder inner(body.get());
  inner.set_module(out.module.get());
  absl::StatusOr<std::vector<ir::Value*>> results;
  if (op.name() == "fusion") {
    results = ir::CloneRegionBody(inner, op.region(0), map);
  } else {
    std::vector<ir::Value*> args;
    for (int i = 0; i < body->num_arguments(); ++i) args.push_back(body->argument(i));
    absl::StatusOr<ir::Op*> copy = inner.Create(op.name(), args, op.attrs());
    if (!copy.ok()) return copy.status();
    results = std::vector<ir::Value*>();
    for (int r = 0; r < (*copy)->num_results(); ++r) results->push_back((*copy)->result(r));
  }
  if (!results.ok()) return results.status();
  if (absl::StatusOr<ir::Op*> y = inner.Create("yield", *results); !y.ok()) return y.status();
  ir::Builder outer(&f->body());
  outer.set_module(out.module.get());
  std::vector<std::unique_ptr<ir::Region>> regions;
  regions.push_back(std::move(body));
  const ir::AttrMap attrs =
      op.name() == "fusion" ? op.attrs() : ir::AttrMap{{"kind", std::string("reduction")}};
  absl::StatusOr<ir::Op*> copy = outer.Create("fusion", params, attrs, std::move(regions));
  if (!copy.ok()) return copy.status();
  std::vector<ir::TensorType> result_types;
  for (const ir::Value* r : (*copy)->results()) result_types.push_back(r->type());
  f->set_result_types(result_types);
  if (absl::StatusOr<ir::Op*> ret = outer.Create("return", (*copy)->results()); !ret.ok()) return ret.status();
  out.function = f;
  out.fusion = *copy;
  return out;
}

}  // namespace graphc::codegen
