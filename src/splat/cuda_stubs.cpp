// The CUDA entry points of the splatting kernels, for builds without CUDA (splat_cuda.cu is
// compiled only with RADIOFIELD_CUDA). nn::dispatch never calls them there (it throws first);
// they exist so the CPU build links.
#ifndef RADIOFIELD_WITH_CUDA

#include "radiofield/nn/dispatch.hpp"
#include "splat_kernels.hpp"

namespace radiofield::splat::detail {

using nn::detail::fail_unsupported_device;
using torch::Tensor;

std::vector<Tensor> project_forward_cuda(
    const Tensor& means, const Tensor&, const Tensor&, const CameraParams&, double) {
    fail_unsupported_device("splat::project", means.device());
}

std::vector<Tensor> project_backward_cuda(const Tensor& means,
                                          const Tensor&,
                                          const Tensor&,
                                          const Tensor&,
                                          const CameraParams&,
                                          double,
                                          const Tensor&,
                                          const Tensor&) {
    fail_unsupported_device("splat::project", means.device());
}

Tensor count_tiles_cuda(const Tensor& means2d, const Tensor&, const CameraParams&) {
    fail_unsupported_device("splat::rasterize", means2d.device());
}

std::vector<Tensor> emit_tile_keys_cuda(const Tensor& means2d,
                                        const Tensor&,
                                        const Tensor&,
                                        const Tensor&,
                                        int64_t,
                                        const CameraParams&) {
    fail_unsupported_device("splat::rasterize", means2d.device());
}

std::vector<Tensor> rasterize_forward_cuda(const Tensor& means2d,
                                           const Tensor&,
                                           const Tensor&,
                                           const Tensor&,
                                           const Tensor&,
                                           const Tensor&,
                                           const Tensor&,
                                           const Tensor&,
                                           const CameraParams&) {
    fail_unsupported_device("splat::rasterize", means2d.device());
}

std::vector<Tensor> rasterize_backward_cuda(const Tensor& means2d,
                                            const Tensor&,
                                            const Tensor&,
                                            const Tensor&,
                                            const Tensor&,
                                            const Tensor&,
                                            const Tensor&,
                                            const Tensor&,
                                            const Tensor&,
                                            const Tensor&,
                                            const CameraParams&) {
    fail_unsupported_device("splat::rasterize", means2d.device());
}

std::vector<Tensor> composite_weights_cuda(const Tensor& means2d,
                                           const Tensor&,
                                           const Tensor&,
                                           const Tensor&,
                                           const Tensor&,
                                           const Tensor&,
                                           const Tensor&,
                                           int64_t,
                                           const CameraParams&) {
    fail_unsupported_device("splat::composite_weights", means2d.device());
}

}  // namespace radiofield::splat::detail

#endif  // RADIOFIELD_WITH_CUDA
