#include "radiofield/core/vec.hpp"

#include <algorithm>

namespace radiofield {

Mat3 Quat::to_matrix() const {
    const double n = std::sqrt(x * x + y * y + z * z + w * w);
    const double qx = x / n, qy = y / n, qz = z / n, qw = w / n;
    Mat3 r;
    r.m = {1 - 2 * (qy * qy + qz * qz), 2 * (qx * qy - qz * qw),     2 * (qx * qz + qy * qw),
           2 * (qx * qy + qz * qw),     1 - 2 * (qx * qx + qz * qz), 2 * (qy * qz - qx * qw),
           2 * (qx * qz - qy * qw),     2 * (qy * qz + qx * qw),     1 - 2 * (qx * qx + qy * qy)};
    return r;
}

Quat Quat::from_matrix(const Mat3& r) {
    // Shepperd's method: pick the largest diagonal term for numerical stability.
    Quat q;
    const double trace = r(0, 0) + r(1, 1) + r(2, 2);
    if (trace > 0) {
        const double s = std::sqrt(trace + 1.0) * 2;
        q.w = 0.25 * s;
        q.x = (r(2, 1) - r(1, 2)) / s;
        q.y = (r(0, 2) - r(2, 0)) / s;
        q.z = (r(1, 0) - r(0, 1)) / s;
    } else if (r(0, 0) > r(1, 1) && r(0, 0) > r(2, 2)) {
        const double s = std::sqrt(1.0 + r(0, 0) - r(1, 1) - r(2, 2)) * 2;
        q.w = (r(2, 1) - r(1, 2)) / s;
        q.x = 0.25 * s;
        q.y = (r(0, 1) + r(1, 0)) / s;
        q.z = (r(0, 2) + r(2, 0)) / s;
    } else if (r(1, 1) > r(2, 2)) {
        const double s = std::sqrt(1.0 + r(1, 1) - r(0, 0) - r(2, 2)) * 2;
        q.w = (r(0, 2) - r(2, 0)) / s;
        q.x = (r(0, 1) + r(1, 0)) / s;
        q.y = 0.25 * s;
        q.z = (r(1, 2) + r(2, 1)) / s;
    } else {
        const double s = std::sqrt(1.0 + r(2, 2) - r(0, 0) - r(1, 1)) * 2;
        q.w = (r(1, 0) - r(0, 1)) / s;
        q.x = (r(0, 2) + r(2, 0)) / s;
        q.y = (r(1, 2) + r(2, 1)) / s;
        q.z = 0.25 * s;
    }
    return q;
}

Mat3 rotation_zyx(double yaw, double pitch, double roll) {
    const double ca = std::cos(yaw), sa = std::sin(yaw);
    const double cb = std::cos(pitch), sb = std::sin(pitch);
    const double cg = std::cos(roll), sg = std::sin(roll);
    Mat3 r;
    r.m = {ca * cb,
           ca * sb * sg - sa * cg,
           ca * sb * cg + sa * sg,
           sa * cb,
           sa * sb * sg + ca * cg,
           sa * sb * cg - ca * sg,
           -sb,
           cb * sg,
           cb * cg};
    return r;
}

Vec3 direction_from_angles(double theta, double phi) {
    return {std::sin(theta) * std::cos(phi), std::sin(theta) * std::sin(phi), std::cos(theta)};
}

void angles_from_direction(const Vec3& d, double& theta, double& phi) {
    const Vec3 u = normalize(d);
    theta = std::acos(std::clamp(u.z, -1.0, 1.0));
    phi = std::atan2(u.y, u.x);
}

Vec3 theta_hat(double theta, double phi) {
    return {std::cos(theta) * std::cos(phi), std::cos(theta) * std::sin(phi), -std::sin(theta)};
}

Vec3 phi_hat(double /*theta*/, double phi) {
    return {-std::sin(phi), std::cos(phi), 0.0};
}

}  // namespace radiofield
