// The installed headers and libraries of graphc::compiler and graphc::nn:
// a traced, JIT-compiled function and a Keras-style layer.
#include <cstdio>
#include <vector>

#include <graphc/graphc.h>
#include "nn/nn.h"

namespace gc = graphc;

int main() {
  gc::Variable w(gc::constant({{1.f, 2.f}, {3.f, 4.f}}), "w");
  auto f = gc::function([&](const gc::Tensor& x) { return gc::matmul(x, w) + 1; });
  const std::vector<float> y = f(gc::constant({{1.f, 1.f}})).to_vector<float>();
  graphc::nn::Dense dense(3);
  const int64_t units = dense(gc::constant({{1.f, 0.f}})).shape().dim(1);
  std::printf("jit_user: [%g, %g], %lld units\n", y[0], y[1], static_cast<long long>(units));
  return y == std::vector<float>{5.f, 7.f} && units == 3 ? 0 : 1;
}
