// nn::dispatch: the implementation for the tensor's device runs; every other device gets an
// Error that names the op and the fix, also through the ops that use it.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>

#include "radiofield/core/error.hpp"
#include "radiofield/nn/device.hpp"
#include "radiofield/nn/dispatch.hpp"
#include "radiofield/nn/encoding.hpp"
#include "radiofield/nn/fused.hpp"
#include "radiofield/nn/ops.hpp"

namespace {

using radiofield::nn::dispatch;

// The message of the Error that f throws ("" when it throws none).
template <typename F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const radiofield::Error& e) {
        return e.what();
    }
    return "";
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

TEST(Dispatch, CpuTensorRunsTheCpuImplementationWithTheArguments) {
    const auto x = torch::arange(4, torch::kFloat32);
    int cpu_calls = 0, cuda_calls = 0;
    const auto y = dispatch(
        "test_op", x,
        [&](const torch::Tensor& t, float s) {
            ++cpu_calls;
            return t * s;
        },
        [&](const torch::Tensor& t, float) {
            ++cuda_calls;
            return t;
        },
        x, 2.0f);
    EXPECT_EQ(cpu_calls, 1);
    EXPECT_EQ(cuda_calls, 0);
    EXPECT_TRUE(torch::equal(y, x * 2));
}

TEST(Dispatch, CudaDeviceRunsTheCudaImplementationOrSaysHowToGetOne) {
    // A device, not a tensor: no GPU is needed to check the choice.
    const torch::Device cuda(torch::kCUDA, 0);
    int calls = 0;
    auto run = [&] {
        return dispatch(
            "test_op", cuda, [] { return 1; }, [&] { return ++calls, 2; });
    };
    if (radiofield::nn::cuda_built()) {
        EXPECT_EQ(run(), 2);
        EXPECT_EQ(calls, 1);
    } else {
        const auto message = error_of(run);
        EXPECT_TRUE(contains(message, "test_op")) << message;
        EXPECT_TRUE(contains(message, "built without CUDA")) << message;
        EXPECT_TRUE(contains(message, "preset 'cuda'")) << message;
        EXPECT_EQ(calls, 0);
    }
}

TEST(Dispatch, MetaTensorIsRejectedWithTheOpAndDeviceNamed) {
    const auto meta = torch::empty({2, 3}, torch::device(torch::kMeta));
    const auto message = error_of([&] {
        dispatch(
            "test_op", meta, [] { return 1; }, [] { return 2; });
    });
    EXPECT_TRUE(contains(message, "test_op")) << message;
    EXPECT_TRUE(contains(message, "'meta'")) << message;
    EXPECT_TRUE(contains(message, "only cpu and cuda")) << message;
}

TEST(Dispatch, EveryCustomOpNamesItselfOnAnUnsupportedDevice) {
    const auto meta = torch::empty({4, 3}, torch::device(torch::kMeta));
    const auto m1 = error_of([&] { radiofield::nn::minmax_normalize(meta); });
    EXPECT_TRUE(contains(m1, "minmax_normalize:")) << m1;
    const auto m2 = error_of([&] { radiofield::nn::positional_encoding(meta, 2); });
    EXPECT_TRUE(contains(m2, "positional_encoding:")) << m2;
    const auto m3 = error_of([&] { radiofield::nn::relu_bias_backward(meta, meta); });
    EXPECT_TRUE(contains(m3, "relu_bias_backward:")) << m3;
}

}  // namespace
