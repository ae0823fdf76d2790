// Evaluators of variable ops. A variable's buffer is updated in place;
// reading a variable returns a copy, so earlier reads keep their values.
#include <cstring>
#include <type_traits>

#include "absl/status/status.h"
#include "compiler/dtype_dispatch.h"
#include "compiler/interpreter/eval_context.h"
#include "compiler/interpreter/number_scalar.h"
#include "ir/str_cat.h"

namespace graphc::interp {
namespace {

absl::StatusOr<HostTensor*> FindVariable(const EvalContext& ctx) {
  const std::string& name = ctx.attr<ir::SymbolRef>("var").name;
  if (ctx.variables == nullptr) {
    return absl::FailedPreconditionError(StrCat(ctx.def.name, ": no variables were given to run @", name));
  }
  auto it = ctx.variables->find(name);
  if (it == ctx.variables->end() || !it->second.defined()) {
    return absl::NotFoundError(StrCat(ctx.def.name, ": variable @", name, " has no value"));
  }
  return &it->second;
}

// results[0] is the declared type, which may have `?` dims: the stored
// tensor supplies the concrete shape, and must fit the declaration.
Outputs ReadVar(const EvalContext& ctx) {
  absl::StatusOr<HostTensor*> var = FindVariable(ctx);
  if (!var.ok()) return var.status();
  if (!ir::IsCompatible(ctx.results[0], (*var)->type())) {
    return absl::InvalidArgumentError(StrCat(ctx.def.name, ": variable @",
                                             ctx.attr<ir::SymbolRef>("var").name, " holds ",
                                             (*var)->type().ToString(), ", declared as ",
                                             ctx.results[0].ToString()));
  }
  return std::vector<HostTensor>{(*var)->Clone()};
}

// assign (kOp == nullopt), assign_add, assign_sub.
template <ir::ScalarBinary kOp, bool kPlain>
Outputs Assign(const EvalContext& ctx) {
  absl::StatusOr<HostTensor*> found = FindVariable(ctx);
  if (!found.ok()) return found.status();
  HostTensor& var = **found;
  const HostTensor& value = ctx.operand(0);
  if (!(value.type() == var.type())) {
    return absl::InvalidArgumentError(StrCat(ctx.def.name, ": variable @",
                                             ctx.attr<ir::SymbolRef>("var").name, " is ",
                                             var.type().ToString(), ", the value is ",
                                             value.type().ToString()));
  }
  if (kPlain) {
    // memmove: the value may be the variable's own buffer.
    std::memmove(var.mutable_data(), value.data(), static_cast<size_t>(var.byte_size()));
  } else if (ir::IsFloat(var.dtype())) {
    // IEEE addition and subtraction are what the scalar definitions compute
    // for floats; a plain loop runs them an order of magnitude faster.
    DispatchDType(var.dtype(), [&]<typename T>() {
      if constexpr (std::is_floating_point_v<T>) {
        T* v = var.mutable_data_as<T>();
        const T* x = value.data_as<T>();
        for (int64_t i = 0; i < var.size(); ++i) v[i] = kOp == ir::ScalarBinary::kSub ? v[i] - x[i] : v[i] + x[i];
      }
    });
  } else {
    NumberScalarBuilder b;
    DispatchDType(var.dtype(), [&]<typename T>() {
      T* v = var.mutable_data_as<T>();
      const T* x = value.data_as<T>();
      for (int64_t i = 0; i < var.size(); ++i) {
        v[i] = ScalarAs<T>(b.Binary(kOp, MakeScalar<T>(var.dtype(), v[i]), MakeScalar<T>(var.dtype(), x[i])));
      }
    });
  }
  return std::vector<HostTensor>{};
}

}  // namespace

void AddStateEvaluators(EvaluatorTable& t) {
  t["read_var"] = ReadVar;
  t["assign"] = Assign<ir::ScalarBinary::kAdd, true>;
  t["assign_add"] = Assign<ir::ScalarBinary::kAdd, false>;
  t["assign_sub"] = Assign<ir::ScalarBinary::kSub, false>;
}

}  // namespace graphc::interp
