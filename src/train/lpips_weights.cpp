// LPIPS-alex weights: the file format (nested LibTorch archives), validation, test weights.
#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cmath>
#include <map>
#include <utility>

#include "lpips_alex.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/train/lpips.hpp"

namespace radiofield::train {
namespace {

using detail::kLpipsConvs;
using detail::lpips_lin_name;

std::string shape_str(c10::IntArrayRef shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

std::vector<std::string> split_name(const std::string& name) {
    std::vector<std::string> parts;
    size_t start = 0;
    for (size_t dot; (dot = name.find('.', start)) != std::string::npos; start = dot + 1) {
        parts.push_back(name.substr(start, dot - start));
    }
    parts.push_back(name.substr(start));
    return parts;
}

// Read "a.b.c" as nested archives a / b, tensor c; then as one flat key. nullopt if absent.
std::optional<torch::Tensor> read_tensor(torch::serialize::InputArchive& root,
                                         const std::string& name) {
    const auto parts = split_name(name);
    std::vector<torch::serialize::InputArchive> chain(parts.size());
    torch::serialize::InputArchive* current = &root;
    bool nested = true;
    for (size_t i = 0; i + 1 < parts.size() && nested; ++i) {
        nested = current->try_read(parts[i], chain[i]);
        current = &chain[i];
    }
    torch::Tensor tensor;
    if (nested && current->try_read(parts.back(), tensor))
        return tensor;
    if (root.try_read(name, tensor))
        return tensor;
    return std::nullopt;
}

using Item = std::pair<std::vector<std::string>, torch::Tensor>;

// Write items (paths relative to this archive level) as nested archives.
void write_items(torch::serialize::OutputArchive& archive, const std::vector<Item>& items) {
    std::map<std::string, std::vector<Item>> children;
    for (const auto& [path, tensor] : items) {
        if (path.size() == 1) {
            archive.write(path[0], tensor, /*is_buffer=*/true);
        } else {
            children[path[0]].emplace_back(std::vector<std::string>(path.begin() + 1, path.end()),
                                           tensor);
        }
    }
    for (const auto& [key, sub_items] : children) {
        torch::serialize::OutputArchive sub(archive.compilation_unit());
        write_items(sub, sub_items);
        archive.write(key, sub);
    }
}

}  // namespace

namespace detail {

void validate_lpips_weights(const NamedTensors& weights, const std::string& source) {
    for (const auto& spec : lpips_alex_tensor_specs()) {
        const auto it = weights.find(spec.name);
        if (it == weights.end() || !it->second.defined()) {
            fail(
                "LPIPS {}: tensor '{}' is missing (expected shape {}); make the file with "
                "scripts/export_lpips_weights.py (docs/metrics.md)",
                source, spec.name, shape_str(spec.shape));
        }
        if (!it->second.sizes().equals(spec.shape)) {
            fail(
                "LPIPS {}: tensor '{}' has shape {} but LPIPS-alex needs {} (is this the alex "
                "net, not vgg or squeeze?)",
                source, spec.name, shape_str(it->second.sizes()), shape_str(spec.shape));
        }
        if (spec.name.starts_with("lin") && it->second.min().item<double>() < 0.0) {
            fail(
                "LPIPS {}: linear head '{}' has negative weights (min {}); lpips heads are "
                "non-negative, so this is not an lpips weights file",
                source, spec.name, it->second.min().item<double>());
        }
    }
    const double* constants[2] = {kLpipsShift, kLpipsScale};
    const char* names[2] = {"scaling_layer.shift", "scaling_layer.scale"};
    for (int i = 0; i < 2; ++i) {
        const auto it = weights.find(names[i]);
        if (it == weights.end())
            continue;
        const auto expected =
            torch::tensor(std::vector<double>(constants[i], constants[i] + 3), torch::kFloat64);
        const auto got = it->second.to(torch::kCPU, torch::kFloat64).reshape({-1});
        if (got.numel() != 3 || !torch::allclose(got, expected, 0.0, 1e-6)) {
            fail("LPIPS {}: '{}' differs from lpips v0.1's constants; only v0.1 is supported",
                 source, names[i]);
        }
    }
}

}  // namespace detail

const std::vector<LpipsTensorSpec>& lpips_alex_tensor_specs() {
    static const std::vector<LpipsTensorSpec> specs = [] {
        std::vector<LpipsTensorSpec> s;
        for (const auto& c : kLpipsConvs) {
            s.push_back({std::string(c.prefix) + ".weight", {c.out, c.in, c.kernel, c.kernel}});
            s.push_back({std::string(c.prefix) + ".bias", {c.out}});
        }
        for (int k = 0; k < 5; ++k)
            s.push_back({lpips_lin_name(k), {1, kLpipsConvs[k].out, 1, 1}});
        return s;
    }();
    return specs;
}

NamedTensors load_lpips_weights(const std::filesystem::path& path) {
    const std::string source = "weights file '" + path.string() + "'";
    if (!std::filesystem::is_regular_file(path)) {
        fail(
            "LPIPS {} does not exist; make it with scripts/export_lpips_weights.py from the "
            "lpips alex.pth and torchvision AlexNet weights (docs/metrics.md)",
            source);
    }
    torch::serialize::InputArchive archive;
    try {
        archive.load_from(path.string(), torch::Device(torch::kCPU));
    } catch (const c10::Error& e) {
        fail(
            "LPIPS {} is not a LibTorch archive ({}); write it with "
            "scripts/export_lpips_weights.py",
            source, e.what_without_backtrace());
    }
    NamedTensors weights;
    auto names = std::vector<std::string>{"scaling_layer.shift", "scaling_layer.scale"};
    for (const auto& spec : lpips_alex_tensor_specs())
        names.push_back(spec.name);
    for (const auto& name : names) {
        if (auto tensor = read_tensor(archive, name))
            weights[name] = tensor->detach();
    }
    detail::validate_lpips_weights(weights, source);
    return weights;
}

void save_lpips_weights(const std::filesystem::path& path, const NamedTensors& weights) {
    std::vector<Item> items;
    for (const auto& [name, tensor] : weights) {
        items.emplace_back(split_name(name), tensor.detach().to(torch::kCPU).contiguous());
    }
    torch::serialize::OutputArchive archive;
    write_items(archive, items);
    try {
        archive.save_to(path.string());
    } catch (const c10::Error& e) {
        fail("cannot write LPIPS weights to '{}': {}", path.string(), e.what_without_backtrace());
    }
}

NamedTensors random_lpips_weights(uint64_t seed) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    NamedTensors weights;
    for (const auto& spec : lpips_alex_tensor_specs()) {
        auto t = torch::randn(spec.shape, gen, torch::kFloat32);
        if (spec.name.starts_with("lin")) {
            t = t.abs() * 0.1;  // heads are non-negative
        } else if (spec.shape.size() == 4) {
            t = t * std::sqrt(2.0 / double(spec.shape[1] * spec.shape[2] * spec.shape[3]));
        } else {
            t = t * 0.01;  // biases
        }
        weights[spec.name] = t;
    }
    return weights;
}

}  // namespace radiofield::train
