// Calls a generic lambda with the C++ storage type of a dtype:
//   DispatchDType(dtype, [&]<typename T>() { ... T ... });
// bool is stored as uint8_t holding 0 or 1.
#pragma once

#include <cstdint>

#include "ir/dtype.h"

namespace graphc {

template <typename Fn>
decltype(auto) DispatchDType(ir::DType dtype, Fn&& fn) {
  switch (dtype) {
    case ir::DType::kF32: return fn.template operator()<float>();
    case ir::DType::kF64: return fn.template operator()<double>();
    case ir::DType::kI8: return fn.template operator()<int8_t>();
    case ir::DType::kI32: return fn.template operator()<int32_t>();
    case ir::DType::kI64: return fn.template operator()<int64_t>();
    case ir::DType::kBool: return fn.template operator()<uint8_t>();
  }
  return fn.template operator()<float>();
}

}  // namespace graphc
