#include <cstring>

#include "compiler/convert.h"
#include "compiler/dtype_dispatch.h"
#include "compiler/frontend/dispatch.h"
#include "compiler/frontend/tensor_impl.h"
#include "compiler/frontend/trace_state.h"
#include "ir/str_cat.h"

namespace graphc {
namespace {

template <typename T>
Tensor EagerScalar(DType dtype, T v) {
  HostTensor t(dtype, Shape{});
  t.SetDouble(0, static_cast<double>(v));
  return MakeWeakScalar(std::move(t));
}

}  // namespace

Tensor MakeEager(HostTensor value) {
  auto impl = std::make_shared<TensorImpl>();
  impl->value = std::move(value);
  return Tensor(std::shared_ptr<const TensorImpl>(std::move(impl)));
}

Tensor MakeWeakScalar(HostTensor value) {
  auto impl = std::make_shared<TensorImpl>();
  impl->value = std::move(value);
  impl->weak = true;
  return Tensor(std::shared_ptr<const TensorImpl>(std::move(impl)));
}

ir::Location ToIrLocation(const std::source_location& loc) {
  if (loc.line() == 0) return {};
  return {loc.file_name(), static_cast<int>(loc.line()), static_cast<int>(loc.column())};
}

Tensor MakeTraced(ir::Value* value, uint64_t trace_id) {
  auto impl = std::make_shared<TensorImpl>();
  impl->symbolic = value;
  impl->symbolic_type = value->type();
  impl->trace_id = trace_id;
  return Tensor(std::shared_ptr<const TensorImpl>(std::move(impl)));
}

const HostTensor& EagerValue(const Tensor& t, std::string_view what) {
  if (!t.defined()) throw Error(absl::InvalidArgumentError(StrCat(what, ": the tensor is undefined")));
  const TensorImpl& impl = t.impl();
  if (impl.traced()) {
    throw Error(absl::FailedPreconditionError(StrCat(
        what, ": this tensor is traced (", impl.type().ToString(),
        "): its value exists only when the function runs; return it from the function")));
  }
  return impl.value;
}

Tensor::Tensor(float v) : Tensor(EagerScalar(DType::kF32, v)) {}
Tensor::Tensor(double v) : Tensor(EagerScalar(DType::kF32, v)) {}
Tensor::Tensor(int v) : Tensor(EagerScalar(DType::kI32, v)) {}
Tensor::Tensor(int64_t v) : Tensor(MakeWeakScalar([&] {
                            HostTensor t(DType::kI64, Shape{});
                            t.mutable_data_as<int64_t>()[0] = v;
                            return t;
                          }())) {}
Tensor::Tensor(bool v) : Tensor(EagerScalar(DType::kBool, v ? 1 : 0)) {}

const TensorImpl& Tensor::impl() const {
  if (impl_ == nullptr) throw Error(absl::InvalidArgumentError("use of an undefined Tensor"));
  return *impl_;
}

DType Tensor::dtype() const { return impl().type().dtype; }
const Shape& Tensor::shape() const { return impl().type().shape; }
bool Tensor::is_traced() const { return impl().traced(); }

template <typename T>
std::vector<T> Tensor::to_vector() const {
  const HostTensor& v = EagerValue(*this, "to_vector");
  std::vector<T> out(static_cast<size_t>(v.size()));
  DispatchDType(v.dtype(), [&]<typename S>() {
    const S* src = v.data_as<S>();
    for (size_t i = 0; i < out.size(); ++i) {
      if constexpr (std::is_same_v<T, bool>) {
        out[i] = src[i] != S{0};
      } else {
        out[i] = ConvertNumber<T>(src[i]);
      }
    }
  });
  return out;
}
template std::vector<float> Tensor::to_vector<float>() const;
template std::vector<double> Tensor::to_vector<double>() const;
template std::vector<int8_t> Tensor::to_vector<int8_t>() const;
template std::vector<int32_t> Tensor::to_vector<int32_t>() const;
template std::vector<int64_t> Tensor::to_vector<int64_t>() const;
template std::vector<bool> Tensor::to_vector<bool>() const;
template std::vector<uint8_t> Tensor::to_vector<uint8_t>() const;

Tensor Tensor::cast(DType dtype, std::source_location loc) const {
  return ApplyOp1("cast", {*this}, {{"dtype", dtype}}, loc);
}

Tensor Tensor::reshape(const Shape& shape, std::source_location loc) const {
  return ApplyOp1("reshape", {*this}, {{"shape", shape.dims()}}, loc);
}

Tensor Tensor::transpose(std::vector<int64_t> perm, std::source_location loc) const {
  return ApplyOp1("transpose", {*this}, {{"perm", std::move(perm)}}, loc);
}

Tensor Tensor::operator[](int64_t i) const { return slice({Index(i)}); }

Tensor Tensor::operator[](std::initializer_list<Index> indices) const {
  return slice(std::vector<Index>(indices));
}

// NumPy indexing to strided_slice (+ expand_dims for newaxis).
Tensor Tensor::slice(const std::vector<Index>& indices, std::source_location loc) const {
  const int64_t rank = this->rank();
  int64_t consuming = 0, ellipses = 0;
  for (const Index& idx : indices) {
    if (std::holds_alternative<int64_t>(idx) || std::holds_alternative<Slice>(idx)) ++consuming;
    if (std::holds_alternative<Ellipsis>(idx)) ++ellipses;
  }
  if (ellipses > 1) throw Error(absl::InvalidArgumentError("an index can have only one ellipsis"), loc);
  if (consuming > rank) {
    throw Error(absl::InvalidArgumentError(StrCat("too many indices (", consuming, ") for a tensor of shape ",
                                                  shape().ToString())),
                loc);
  }
  std::vector<int64_t> begin, end, strides, new_axes;
  int64_t begin_mask = 0, end_mask = 0, shrink_mask = 0;
  int64_t out_dim = 0;  // position in the result, counting new axes
  auto full_dim = [&] {
    const int64_t d = static_cast<int64_t>(begin.size());
    begin.push_back(0);
    end.push_back(0);
    strides.push_back(1);
    begin_mask |= int64_t{1} << d;
    end_mask |= int64_t{1} << d;
    ++out_dim;
  };
  for (const Index& idx : indices) {
    if (const auto* i = std::get_if<int64_t>(&idx)) {
      const int64_t d = static_cast<int64_t>(begin.size());
      begin.push_back(*i);
      end.push_back(*i + 1);
      strides.push_back(1);
      shrink_mask |= int64_t{1} << d;
    } else if (const auto* s = std::get_if<Slice>(&idx)) {
      const int64_t d = static_cast<int64_t>(begin.size());
      if (s->step == 0) throw Error(absl::InvalidArgumentError("slice step cannot be zero"), loc);
      begin.push_back(s->start.value_or(0));
      end.push_back(s->stop.value_or(0));
      strides.push_back(s->step);
      if (!s->start) begin_mask |= int64_t{1} << d;
      if (!s->stop) end_mask |= int64_t{1} << d;
      ++out_dim;
    } else if (std::holds_alternative<NewAxis>(idx)) {
      new_axes.push_back(out_dim++);
    } else {  // ellipsis: full slices for the dims no index names
      for (int64_t k = 0; k < rank - consuming; ++k) full_dim();
    }
  }
  while (static_cast<int64_t>(begin.size()) < rank) full_dim();
  Tensor out = ApplyOp1("strided_slice", {*this},
                        {{"begin", begin},
                         {"end", end},
                         {"strides", strides},
                         {"begin_mask", begin_mask},
                         {"end_mask", end_mask},
                         {"shrink_axis_mask", shrink_mask}},
                        loc);
  for (int64_t axis : new_axes) out = ApplyOp1("expand_dims", {out}, {{"axis", axis}}, loc);
  return out;
}

Tensor::operator bool() const {
  const TensorImpl& impl = this->impl();
  if (impl.traced()) {
    throw Error(absl::FailedPreconditionError(
        "the truth value of a traced tensor is not known while tracing: use graphc::cond(pred, "
        "then_fn, else_fn) for data-dependent branches and graphc::while_loop(cond_fn, body_fn, "
        "loop_vars) for data-dependent loops"));
  }
  if (impl.value.size() != 1) {
    throw Error(absl::InvalidArgumentError(
        StrCat("the truth value of a tensor with more than one element is ambiguous (shape ",
               shape().ToString(), "); use reduce_any or reduce_all")));
  }
  return impl.value.GetDouble(0) != 0;
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << t.ToString(); }

}  // namespace graphc
