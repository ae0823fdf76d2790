// graphc::nn, everything at once: modules and layers, initializers,
// losses, metrics, optimizers, checkpoints, datasets, CSV files and
// preprocessing — a small Keras written against graphc's public API.
//
//   #include "nn/nn.h"
//   namespace nn = graphc::nn;
#pragma once

#include "nn/checkpoint.h"
#include "nn/csv.h"
#include "nn/dataset.h"
#include "nn/initializers.h"
#include "nn/layers.h"
#include "nn/losses.h"
#include "nn/metrics.h"
#include "nn/module.h"
#include "nn/optimizers.h"
#include "nn/preprocessing.h"
