// What a graphc::Tensor holds: either an eager value or an SSA value of the
// trace that made it.
#pragma once

#include <cstdint>

#include "compiler/host_tensor.h"
#include "graphc/tensor.h"
#include <source_location>

#include "ir/location.h"
#include "ir/value.h"

namespace graphc {

struct TensorImpl {
  HostTensor value;              // eager: defined
  // Traced: the SSA value, valid only while its trace is being built (the
  // pass pipeline may delete it afterwards), and a copy of its type, so a
  // tensor that escaped its trace can still say what it is.
  ir::Value* symbolic = nullptr;
  ir::TensorType symbolic_type;
  uint64_t trace_id = 0;         // traced: the trace it belongs to
  // A scalar written as a C++ number: in an elementwise op it takes the
  // dtype of the other operands (like Python numbers in TensorFlow).
  bool weak = false;

  bool traced() const { return symbolic != nullptr; }
  const ir::TensorType& type() const { return traced() ? symbolic_type : value.type(); }
};

Tensor MakeEager(HostTensor value);
Tensor MakeTraced(ir::Value* value, uint64_t trace_id);
// A weakly typed eager scalar.
Tensor MakeWeakScalar(HostTensor value);

// The IR location of a C++ source location (unknown for line 0).
ir::Location ToIrLocation(const std::source_location& loc);

// The eager value of `t`; throws a graphc::Error naming the fix when `t` is
// traced or undefined.
const HostTensor& EagerValue(const Tensor& t, std::string_view what);

}  // namespace graphc
