#pragma once
// splat::Camera → the kernels' CameraParams (validated).

#include "radiofield/splat/camera.hpp"
#include "splat_math.hpp"

namespace radiofield::splat::detail {

CameraParams camera_params(const Camera& camera);

}  // namespace radiofield::splat::detail
