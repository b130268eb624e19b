#pragma once
// bf16 autocast on CUDA while alive (no loss scaling is needed for bf16): the training loop's
// mixed precision and GRaF's optional bf16 ray MLP. `on` = false does nothing.

#include <ATen/autocast_mode.h>

namespace radiofield::nn {

class Bf16Autocast {
public:
    explicit Bf16Autocast(bool on) : m_on(on) {
        if (!m_on)
            return;
        at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16);
        at::autocast::set_autocast_enabled(at::kCUDA, true);
    }
    ~Bf16Autocast() {
        if (!m_on)
            return;
        at::autocast::set_autocast_enabled(at::kCUDA, false);
        at::autocast::clear_cache();
    }
    Bf16Autocast(const Bf16Autocast&) = delete;
    Bf16Autocast& operator=(const Bf16Autocast&) = delete;

private:
    bool m_on;
};

}  // namespace radiofield::nn
