// Data-dependent control flow, as tf.cond / tf.while_loop / jax.lax.fori_loop.
// Eagerly these run the C++ branches and loops directly. Inside a traced
// function they become `cond` and `while` ops whose regions hold the traced
// branches, so the decision happens when the graph runs. (Plain C++ `if` and
// `for` on host values unroll at trace time; a traced tensor has no truth
// value while tracing.)
#pragma once

#include <functional>
#include <source_location>
#include <type_traits>
#include <vector>

#include "graphc/structure.h"
#include "graphc/tensor.h"

namespace graphc {

using Tensors = std::vector<Tensor>;
using BranchFn = std::function<Tensors()>;
using LoopCondFn = std::function<Tensor(const Tensors&)>;
using LoopBodyFn = std::function<Tensors(const Tensors&)>;

// Both branches must return the same number of tensors with the same types.
Tensors cond(const Tensor& pred, const BranchFn& then_fn, const BranchFn& else_fn,
             std::source_location loc = std::source_location::current());

// The body must return the loop variables with unchanged types.
Tensors while_loop(const LoopCondFn& cond_fn, const LoopBodyFn& body_fn, const Tensors& loop_vars,
                   std::source_location loc = std::source_location::current());

// for (i = lower; i < upper; ++i) vars = body_fn(i, vars); with an i32 `i`.
Tensors fori_loop(const Tensor& lower, const Tensor& upper,
                  const std::function<Tensors(const Tensor& i, const Tensors& vars)>& body_fn,
                  const Tensors& init_vars, std::source_location loc = std::source_location::current());

// Typed conveniences: branches returning a Tensor (or a tuple of Tensors),
// and a fori_loop over a single tensor.
template <typename Then, typename Else>
auto cond(const Tensor& pred, Then then_fn, Else else_fn,
          std::source_location loc = std::source_location::current()) {
  using R = std::decay_t<std::invoke_result_t<Then>>;
  Tensors out = cond(
      pred, BranchFn([&] { return structure::Traits<R>::Flatten(then_fn()); }),
      BranchFn([&] { return structure::Traits<R>::Flatten(R(else_fn())); }), loc);
  return structure::Traits<R>::Unflatten(std::move(out));
}

Tensor fori_loop(const Tensor& lower, const Tensor& upper,
                 const std::function<Tensor(const Tensor& i, const Tensor& x)>& body_fn, const Tensor& init,
                 std::source_location loc = std::source_location::current());

}  // namespace graphc
