#pragma once
// Helpers over a module's tensors.

#include <torch/nn/module.h>

namespace radiofield::nn {

// Casts every floating-point parameter and buffer of `module` (recursively) to `dtype` in
// place; integer buffers (batch-norm step counts) are left alone. Parameters stay parameters
// (their autograd identity is kept), so an optimiser built from them still sees them.
void cast_floating(torch::nn::Module& module, torch::Dtype dtype);

}  // namespace radiofield::nn
