// The small MLP with the public API: 784 -> 20 (relu) -> 10, sparse
// softmax cross-entropy from the logits, SGD with lr 0.1. Its Step is the
// training step a test traces (whole, with graphc::function).
#pragma once

#include <vector>

#include "graphc/graphc.h"

namespace graphc::test {

struct SmallMlp {
  Variable w1{random_normal({784, 20}, 1) * 0.05f, "w1"};
  Variable b1{zeros({20}), "b1"};
  Variable w2{random_normal({20, 10}, 2) * 0.05f, "w2"};
  Variable b2{zeros({10}), "b2"};

  Tensor Step(const Tensor& x, const Tensor& labels) const {
    GradientTape tape;
    const Tensor h = relu(matmul(x, w1) + b1);
    const Tensor logits = matmul(h, w2) + b2;
    const Tensor loss = reduce_mean(-reduce_sum(one_hot(labels, 10) * log_softmax(logits), {1}));
    const std::vector<Variable> vars = {w1, b1, w2, b2};
    const std::vector<Tensor> grads = tape.gradient(loss, vars);
    for (size_t i = 0; i < vars.size(); ++i) vars[i].assign_sub(0.1f * grads[i]);
    return loss;
  }
};

}  // namespace graphc::test
