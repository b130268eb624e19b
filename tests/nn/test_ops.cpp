// Custom ops: the CUDA kernel and the CPU path both match a plain per-sample reference.
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "radiofield/core/atomic_file.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/nn/device.hpp"
#include "radiofield/nn/ops.hpp"

namespace {

using radiofield::nn::minmax_normalize;

// Plain loops, independent of the implementation.
torch::Tensor reference(const torch::Tensor& x) {
    auto flat = x.reshape({x.size(0), -1}).to(torch::kFloat64).contiguous();
    auto out = torch::empty_like(flat);
    auto a = flat.accessor<double, 2>();
    auto o = out.accessor<double, 2>();
    for (int64_t i = 0; i < flat.size(0); ++i) {
        double lo = a[i][0], hi = a[i][0];
        for (int64_t j = 0; j < flat.size(1); ++j) {
            lo = std::min(lo, a[i][j]);
            hi = std::max(hi, a[i][j]);
        }
        for (int64_t j = 0; j < flat.size(1); ++j)
            o[i][j] = hi > lo ? (a[i][j] - lo) / (hi - lo) : 0.0;
    }
    return out.view(x.sizes()).to(torch::kFloat32);
}

TEST(MinmaxNormalize, CpuMatchesPlainReferenceOnSpectra) {
    torch::manual_seed(1);
    const auto x = torch::randn({7, 90, 360}) * 3.0 + 2.0;
    const auto y = minmax_normalize(x);
    EXPECT_EQ(y.sizes(), x.sizes());
    EXPECT_TRUE(torch::allclose(y, reference(x), 1e-6, 1e-6));
    EXPECT_FLOAT_EQ(y[3].min().item<float>(), 0.0f);
    EXPECT_FLOAT_EQ(y[3].max().item<float>(), 1.0f);
}

TEST(MinmaxNormalize, ConstantSampleMapsToZero) {
    const auto x = torch::full({2, 10}, 4.5f);
    EXPECT_EQ(minmax_normalize(x).abs().sum().item<float>(), 0.0f);
}

TEST(MinmaxNormalize, RejectsWrongDtype) {
    EXPECT_THROW(minmax_normalize(torch::zeros({2, 3}, torch::kFloat64)), radiofield::Error);
}

TEST(Device, ParsesNamesAndRejectsOthers) {
    using radiofield::nn::DeviceChoice;
    EXPECT_EQ(radiofield::nn::parse_device("cpu"), DeviceChoice::Cpu);
    EXPECT_EQ(radiofield::nn::parse_device("auto"), DeviceChoice::Auto);
    EXPECT_THROW(radiofield::nn::parse_device("gpu"), radiofield::Error);
    EXPECT_EQ(radiofield::nn::resolve_device(DeviceChoice::Cpu), torch::Device(torch::kCPU));
}

TEST(Device, CudaRequestFailsClearlyWithoutCuda) {
    if (radiofield::nn::cuda_available())
        GTEST_SKIP() << "CUDA present";
    try {
        radiofield::nn::resolve_device(radiofield::nn::DeviceChoice::Cuda);
        FAIL() << "expected an error";
    } catch (const radiofield::Error& e) {
        EXPECT_NE(std::string(e.what()).find("--device"), std::string::npos);
    }
}

// GPU: a LibTorch op and our kernel on the device, against the CPU reference.
TEST(Cuda, TensorOpAndCustomKernelMatchCpuReference) {
    if (!radiofield::nn::cuda_available())
        GTEST_SKIP() << "no CUDA device (or built without CUDA)";
    torch::manual_seed(2);
    const auto a = torch::randn({256, 128});
    const auto b = torch::randn({128, 64});
    const auto gpu_mm = torch::matmul(a.cuda(), b.cuda()).cpu();
    const auto ref_mm =
        torch::matmul(a.to(torch::kFloat64), b.to(torch::kFloat64)).to(torch::kFloat32);
    EXPECT_LT(((gpu_mm - ref_mm).norm() / ref_mm.norm()).item<float>(), 1e-3);

    const auto x = torch::randn({33, 90, 360}) * 5.0;
    auto y_gpu = torch::full({33, 90, 360}, std::nanf(""), torch::kFloat32).cuda();  // poisoned
    y_gpu = minmax_normalize(x.cuda());
    torch::cuda::synchronize();
    const auto y = y_gpu.cpu();
    EXPECT_FALSE(y.isnan().any().item<bool>());
    EXPECT_TRUE(torch::allclose(y, reference(x), 1e-6, 1e-6));
}

}  // namespace

// Regression: std::filesystem::remove_all segfaulted in this torch-linked test on the GPU
// machine (the PyPI libtorch_cpu.so exports its own filesystem code); outputs are cleaned
// up with radiofield::remove_tree instead, checked here inside a LibTorch program.
TEST(TorchLinking, RemoveTreeDeletesAFolderInAProgramLinkingLibTorch) {
    namespace fs = std::filesystem;
    const fs::path root =
        fs::temp_directory_path() / ("radiofield-remove-all-" + std::to_string(::getpid()));
    fs::create_directories(root / "a" / "b");
    std::ofstream(root / "a" / "b" / "file.txt") << "x";
    std::ofstream(root / "top.txt") << "y";
    fs::create_symlink(root / "a", root / "link");  // must be removed, not followed
    EXPECT_TRUE(radiofield::remove_tree(root));
    EXPECT_FALSE(fs::exists(root));
    EXPECT_TRUE(radiofield::remove_tree(root));  // already gone
}
