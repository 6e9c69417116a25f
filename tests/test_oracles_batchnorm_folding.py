"""Independent oracles for notebooks/batchnorm-folding.ipynb (T43).

The notebook implements BatchNorm's training and inference passes and the conv-BN folding
formula in numpy. These tests recompute its published numbers with PyTorch: nn.BatchNorm2d's
own running-statistics update (momentum 0.1, unbiased running variance), nn.Conv2d followed by
nn.BatchNorm2d in eval mode, and torch.nn.utils.fusion.fuse_conv_bn_eval. Inputs and weights
are regenerated from the seeds and shapes the notebook publishes, drawn in the order its
markdown states.
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import notebook_results

torch = pytest.importorskip("torch")
from torch.nn.utils.fusion import fuse_conv_bn_eval  # noqa: E402


@pytest.fixture(scope="module")
def r() -> dict:
    return notebook_results("batchnorm-folding")


def step_input(r) -> np.ndarray:
    rng = np.random.default_rng(r["step_seed"])
    x = rng.normal(size=tuple(r["step_shape"]))
    return x * np.array([1.0, 2.0, 0.5, 3.0])[None, :, None, None] + np.array([0.0, 1.0, -2.0, 5.0])[None, :, None, None]


def fold_setup(r):
    c_out, c_in, k = 8, 3, 3
    rng = np.random.default_rng(r["fold_seed"])
    w = rng.normal(size=(c_out, c_in, k, k))
    b = rng.normal(size=c_out)
    gamma = rng.uniform(0.5, 1.5, size=c_out)
    beta = rng.normal(size=c_out)
    mean = rng.normal(size=c_out)
    var = rng.uniform(0.5, 2.0, size=c_out)
    x = rng.normal(size=tuple(r["fold_input_shape"]))
    conv = torch.nn.Conv2d(c_in, c_out, k, padding=1, bias=True).double()
    bn = torch.nn.BatchNorm2d(c_out).double()
    with torch.no_grad():
        conv.weight.copy_(torch.from_numpy(w))
        conv.bias.copy_(torch.from_numpy(b))
        bn.weight.copy_(torch.from_numpy(gamma))
        bn.bias.copy_(torch.from_numpy(beta))
        bn.running_mean.copy_(torch.from_numpy(mean))
        bn.running_var.copy_(torch.from_numpy(var))
    return conv, bn, torch.from_numpy(x)


def test_pytorch_defaults_match_notebook_constants(r):
    bn = torch.nn.BatchNorm2d(4)
    assert bn.momentum == r["momentum_torch"]
    assert bn.eps == 1e-5
    assert torch.equal(bn.running_mean, torch.zeros(4)) and torch.equal(bn.running_var, torch.ones(4))


def test_running_stats_after_one_training_step(r):
    x = torch.from_numpy(step_input(r))
    bn = torch.nn.BatchNorm2d(x.shape[1]).double().train()
    y = bn(x)
    np.testing.assert_allclose(bn.running_mean.numpy(), r["step_running_mean"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(bn.running_var.numpy(), r["step_running_var"], rtol=0, atol=1e-9)
    # normalisation itself uses the biased variance
    var_biased = x.var(dim=(0, 2, 3), unbiased=False)
    np.testing.assert_allclose(y.detach().var(dim=(0, 2, 3), unbiased=False).numpy(),
                               (var_biased / (var_biased + bn.eps)).numpy(), rtol=1e-10)
    n = x.shape[0] * x.shape[2] * x.shape[3]
    assert n == r["step_n_per_channel"]
    assert round(n / (n - 1), 6) == r["step_unbiased_factor"]


def test_momentum_is_weight_of_new_value(r):
    x = torch.from_numpy(step_input(r))
    bn = torch.nn.BatchNorm2d(x.shape[1], momentum=1 - r["momentum_keras"]).double().train()
    bn(x)
    keras_rule = 0.0 * r["momentum_keras"] + x.mean(dim=(0, 2, 3)) * (1 - r["momentum_keras"])
    np.testing.assert_allclose(bn.running_mean.numpy(), keras_rule.numpy(), rtol=1e-12)


def test_fuse_conv_bn_eval_matches_notebook_formula(r):
    conv, bn, _ = fold_setup(r)
    fused = fuse_conv_bn_eval(conv.eval(), bn.eval())
    np.testing.assert_allclose(fused.bias.detach().numpy(), r["fold_bias"], rtol=0, atol=1e-9)
    assert torch.linalg.vector_norm(fused.weight).item() == pytest.approx(r["fold_weight_norm"], abs=1e-9)


def test_folded_conv_equals_conv_then_bn_in_eval_mode(r):
    conv, bn, x = fold_setup(r)
    conv.eval(), bn.eval()
    fused = fuse_conv_bn_eval(conv, bn)
    with torch.no_grad():
        diff = (bn(conv(x)) - fused(x)).abs().max().item()
    assert diff < 1e-12
    assert r["fold_max_abs_diff"] < 1e-12


def test_folding_is_not_valid_in_training_mode(r):
    conv, bn, x = fold_setup(r)
    fused = fuse_conv_bn_eval(conv.eval(), bn.eval())
    bn.train()
    with torch.no_grad():
        diff = (bn(conv(x)) - fused(x)).abs().max().item()
    assert diff == pytest.approx(r["train_mode_max_abs_diff"], abs=1e-4)
