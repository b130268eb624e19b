#pragma once
// Reads tests/train/fixtures/metrics_reference.json (written by scripts/metrics_reference.py):
// 8-bit image pairs stored as base64 and their float64 reference metrics.

#include <torch/torch.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace radiofield::train::test {

struct FixturePair {
    std::string name;
    torch::Tensor pred, target;                            // [H, W] float64 in [0, 1] (byte / 255)
    double mse = 0, psnr = 0, ssim = 0, ssim_skimage = 0;  // psnr may be +inf
    std::optional<double> lpips_formula;  // LPIPS with formula weights, when generated
};

// RFC 4648 base64 (with '=' padding) to bytes.
inline std::vector<uint8_t> decode_base64(const std::string& text) {
    auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z')
            return c - 'A';
        if (c >= 'a' && c <= 'z')
            return c - 'a' + 26;
        if (c >= '0' && c <= '9')
            return c - '0' + 52;
        if (c == '+')
            return 62;
        if (c == '/')
            return 63;
        return -1;
    };
    std::vector<uint8_t> out;
    uint32_t buffer = 0;
    int bits = 0;
    for (const char c : text) {
        if (c == '=')
            break;
        const int v = value(c);
        if (v < 0)
            throw std::runtime_error(std::string("bad base64 character: ") + c);
        buffer = (buffer << 6) | uint32_t(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(uint8_t((buffer >> bits) & 0xFF));
        }
    }
    return out;
}

inline torch::Tensor decode_image(const std::string& b64, int64_t h, int64_t w) {
    auto bytes = decode_base64(b64);
    if (int64_t(bytes.size()) != h * w)
        throw std::runtime_error("fixture image size mismatch");
    auto t = torch::from_blob(bytes.data(), {h, w}, torch::kUInt8).clone();
    return t.to(torch::kFloat64) / 255.0;
}

inline std::vector<FixturePair> load_fixture() {
    const std::string path =
        std::string(RADIOFIELD_SOURCE_DIR) + "/tests/train/fixtures/metrics_reference.json";
    std::ifstream in(path);
    if (!in)
        throw std::runtime_error("cannot open " + path);
    const auto doc = nlohmann::json::parse(in);
    std::vector<FixturePair> pairs;
    for (const auto& e : doc.at("pairs")) {
        FixturePair p;
        p.name = e.at("name").get<std::string>();
        const int64_t h = e.at("height"), w = e.at("width");
        p.pred = decode_image(e.at("pred").get<std::string>(), h, w);
        p.target = decode_image(e.at("target").get<std::string>(), h, w);
        p.mse = e.at("mse");
        p.psnr = e.at("psnr").is_string() ? std::numeric_limits<double>::infinity()
                                          : e.at("psnr").get<double>();
        p.ssim = e.at("ssim");
        p.ssim_skimage = e.at("ssim_skimage");
        if (e.contains("lpips_formula"))
            p.lpips_formula = e.at("lpips_formula").get<double>();
        pairs.push_back(std::move(p));
    }
    return pairs;
}

}  // namespace radiofield::train::test
