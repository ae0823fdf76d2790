// How the API passes groups of tensors: a function or branch may return a
// Tensor, a std::vector<Tensor> or a std::tuple of Tensors; inside, they are
// flattened to a std::vector<Tensor> and rebuilt on the way out.
#pragma once

#include <tuple>
#include <utility>
#include <vector>

#include "graphc/tensor.h"

namespace graphc::structure {

template <typename R>
struct Traits;

template <>
struct Traits<Tensor> {
  static std::vector<Tensor> Flatten(const Tensor& t) { return {t}; }
  static Tensor Unflatten(std::vector<Tensor> v) { return v.at(0); }
};

template <>
struct Traits<std::vector<Tensor>> {
  static std::vector<Tensor> Flatten(std::vector<Tensor> v) { return v; }
  static std::vector<Tensor> Unflatten(std::vector<Tensor> v) { return v; }
};

template <typename... Ts>
struct Traits<std::tuple<Ts...>> {
  static std::vector<Tensor> Flatten(const std::tuple<Ts...>& t) {
    return std::apply([](const auto&... x) { return std::vector<Tensor>{Tensor(x)...}; }, t);
  }
  static std::tuple<Ts...> Unflatten(std::vector<Tensor> v) {
    return [&]<size_t... I>(std::index_sequence<I...>) {
      return std::tuple<Ts...>{v.at(I)...};
    }(std::index_sequence_for<Ts...>{});
  }
};

}  // namespace graphc::structure
