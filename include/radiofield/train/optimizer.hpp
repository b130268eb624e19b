#pragma once
// Parameters that change during training, with Adam's moments following them (as gsplat's
// _update_param_with_optimizer): a model's hooks replace a parameter, append rows to it or
// keep some of its rows, and the optimiser's state for that tensor is mapped alike. The
// returned tensor is the new parameter; the model keeps it in place of the old one.

#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

namespace radiofield::train {

class ParameterEditor {
public:
    // `optimizer` may be null (no training): edits then change the tensors only.
    // `group_names` names the optimiser's parameter groups in order.
    ParameterEditor(torch::optim::Adam* optimizer, std::vector<std::string> group_names);

    using MomentMap = std::function<torch::Tensor(const torch::Tensor& moment)>;
    // `value` takes `param`'s place (same group, same requires_grad); each Adam moment is
    // mapped by `moments` (unset: zeros of the new shape). The step count is kept.
    torch::Tensor replace(const torch::Tensor& param,
                          const torch::Tensor& value,
                          const MomentMap& moments = {});
    // Appends `rows` [M, ...] along dim 0; their moments start at zero.
    torch::Tensor extend(const torch::Tensor& param, const torch::Tensor& rows);
    // Keeps the rows where keep [N] (bool) is true, with their moments.
    torch::Tensor keep_rows(const torch::Tensor& param, const torch::Tensor& keep);
    // A new parameter in group `group`; the removal of one (with its state).
    void add(const std::string& group, const torch::Tensor& param);
    void remove(const torch::Tensor& param);
    // Number of edits made through this editor (the loop logs them).
    int edits() const { return m_edits; }

private:
    torch::optim::Adam* m_optimizer;
    std::vector<std::string> m_groups;
    int m_edits = 0;
};

}  // namespace radiofield::train
