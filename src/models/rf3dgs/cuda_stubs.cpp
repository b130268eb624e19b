// The CUDA entry point of RF-3DGS's fused inference, for builds without CUDA
// (fused_spectra_cuda.cu is compiled only with RADIOFIELD_CUDA). The model never calls it
// there (it takes the fused path only on a CUDA device); it exists so the CPU build links.
#ifndef RADIOFIELD_WITH_CUDA

#include "fused_spectra.hpp"
#include "radiofield/nn/dispatch.hpp"

namespace radiofield::models::detail {

std::pair<torch::Tensor, torch::Tensor> fused_spectra_cuda(const FusedSpectraInputs& in) {
    nn::detail::fail_unsupported_device("rf3dgs fused spectra", in.means.device());
}

}  // namespace radiofield::models::detail

#endif  // RADIOFIELD_WITH_CUDA
