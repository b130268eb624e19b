// ParameterEditor: parameters that change shape during training, Adam's state following.
#include "radiofield/train/optimizer.hpp"

#include "radiofield/core/error.hpp"

namespace radiofield::train {
namespace {

torch::Tensor as_leaf(const torch::Tensor& value, bool requires_grad) {
    return value.detach().clone().set_requires_grad(requires_grad);
}

}  // namespace

ParameterEditor::ParameterEditor(torch::optim::Adam* optimizer,
                                 std::vector<std::string> group_names)
    : m_optimizer(optimizer), m_groups(std::move(group_names)) {}

torch::Tensor ParameterEditor::replace(const torch::Tensor& param,
                                       const torch::Tensor& value,
                                       const MomentMap& moments) {
    auto fresh = as_leaf(value, param.requires_grad());
    ++m_edits;
    if (!m_optimizer)
        return fresh;
    bool found = false;
    for (auto& group : m_optimizer->param_groups()) {
        for (auto& p : group.params()) {
            if (!p.is_same(param))
                continue;
            p = fresh;
            found = true;
        }
    }
    if (!found)
        fail("parameter editor: the tensor to replace is not a parameter of the optimiser");
    auto& state = m_optimizer->state();
    const auto it = state.find(param.unsafeGetTensorImpl());
    if (it == state.end())
        return fresh;  // no step taken yet: no moments to carry
    auto& old = static_cast<torch::optim::AdamParamState&>(*it->second);
    auto next = std::make_unique<torch::optim::AdamParamState>();
    next->step(old.step());
    auto map = [&](const torch::Tensor& m) {
        if (!m.defined())
            return m;
        auto t = moments ? moments(m) : torch::zeros_like(fresh);
        if (!t.sizes().equals(fresh.sizes())) {
            fail("parameter editor: a mapped moment has shape {} but the parameter {}",
                 c10::str(t.sizes()), c10::str(fresh.sizes()));
        }
        return t.detach().contiguous();
    };
    next->exp_avg(map(old.exp_avg()));
    next->exp_avg_sq(map(old.exp_avg_sq()));
    if (old.max_exp_avg_sq().defined())
        next->max_exp_avg_sq(map(old.max_exp_avg_sq()));
    state.erase(it);
    state[fresh.unsafeGetTensorImpl()] = std::move(next);
    return fresh;
}

torch::Tensor ParameterEditor::extend(const torch::Tensor& param, const torch::Tensor& rows) {
    if (rows.dim() != param.dim() || !rows.sizes().slice(1).equals(param.sizes().slice(1))) {
        fail("parameter editor: rows of shape {} cannot extend a parameter of shape {}",
             c10::str(rows.sizes()), c10::str(param.sizes()));
    }
    const auto added = rows.size(0);
    return replace(param, torch::cat({param.detach(), rows.to(param.options()).detach()}),
                   [added](const torch::Tensor& m) {
                       auto shape = m.sizes().vec();
                       shape[0] = added;
                       return torch::cat({m, torch::zeros(shape, m.options())});
                   });
}

torch::Tensor ParameterEditor::keep_rows(const torch::Tensor& param, const torch::Tensor& keep) {
    if (keep.dim() != 1 || keep.size(0) != param.size(0) || keep.scalar_type() != torch::kBool) {
        fail("parameter editor: keep must be a bool mask of {} rows, got {} {}", param.size(0),
             c10::str(keep.sizes()), c10::toString(keep.scalar_type()));
    }
    const auto index = keep.to(param.device()).nonzero().squeeze(1);  // [M]
    return replace(param, param.detach().index_select(0, index),
                   [index](const torch::Tensor& m) { return m.index_select(0, index); });
}

void ParameterEditor::add(const std::string& group, const torch::Tensor& param) {
    ++m_edits;
    if (!m_optimizer)
        return;
    const auto it = std::find(m_groups.begin(), m_groups.end(), group);
    if (it == m_groups.end())
        fail("parameter editor: no parameter group '{}'", group);
    m_optimizer->param_groups()[static_cast<std::size_t>(it - m_groups.begin())].params().push_back(
        param);
}

void ParameterEditor::remove(const torch::Tensor& param) {
    ++m_edits;
    if (!m_optimizer)
        return;
    for (auto& group : m_optimizer->param_groups()) {
        auto& ps = group.params();
        ps.erase(std::remove_if(ps.begin(), ps.end(),
                                [&](const torch::Tensor& p) { return p.is_same(param); }),
                 ps.end());
    }
    m_optimizer->state().erase(param.unsafeGetTensorImpl());
}

}  // namespace radiofield::train
