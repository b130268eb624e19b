// PathSet: a flat view of one link's paths.
#include "radiofield/train/path_set.hpp"

namespace radiofield::train {

double PathSet::power(std::size_t k) const {
    double p = 0;
    for (int e = 0; e < elements(); ++e)
        p += std::norm(a[k][slot(e)]);
    return p;
}

void PathSet::push_back(const rt::Path& path) {
    a.push_back(path.a);
    tau.push_back(path.tau);
    theta_t.push_back(path.theta_t), phi_t.push_back(path.phi_t);
    theta_r.push_back(path.theta_r), phi_r.push_back(path.phi_r);
    depth.push_back(path.depth());
    if (points.size() + 1 == tau.size()) {  // kept only while every path has them
        std::vector<Vec3> at;
        for (const auto& i : path.interactions)
            at.push_back(i.point);
        points.push_back(std::move(at));
    }
}

PathSet PathSet::from(const rt::Paths& paths) {
    PathSet s;
    s.tx_ports = paths.num_tx_ports, s.rx_ports = paths.num_rx_ports;
    for (const auto& p : paths.paths)
        s.push_back(p);
    return s;
}

}  // namespace radiofield::train
