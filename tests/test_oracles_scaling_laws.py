"""Independent oracles for notebooks/scaling-laws.ipynb (T40).

The notebook counts FLOPs with a hand-written MLP and finds the compute-optimal split from the
closed form (checked there by a golden-section search). Here: PyTorch's FLOP counter on
`nn.Linear` layers with autograd gives the 2N / 4N split; `scipy.optimize.minimize_scalar`
minimises L(N, C/(6N)) over log N for both published fits; the Llama-3-8B parameter count the
notebook types in must equal the one `transformer-parameter-counts.ipynb` publishes (and the
one `transformers` builds on the meta device).
"""

from __future__ import annotations

import math

import pytest

from conftest import notebook_results

torch = pytest.importorskip("torch")
scipy_optimize = pytest.importorskip("scipy.optimize")

# Hoffmann et al. 2022 (approach 3, as printed); Besiroglu et al. 2024, table 1
FITS = {
    "hoffmann": (1.69, 406.4, 410.7, 0.34, 0.28),
    "besiroglu": (1.8172, 482.01, 2085.43, 0.3478, 0.3658),
}


@pytest.fixture(scope="module")
def r() -> dict:
    return notebook_results("scaling-laws")


@pytest.fixture(scope="module")
def counts() -> dict:
    return notebook_results("transformer-parameter-counts")


def scipy_optimum(fit, compute):
    E, A, B, alpha, beta = fit

    def objective(log_n):
        n = math.exp(log_n)
        return E + A / n**alpha + B / (compute / (6 * n)) ** beta

    res = scipy_optimize.minimize_scalar(objective, bounds=(math.log(1e6), math.log(1e15)), method="bounded",
                                         options={"xatol": 1e-10})
    n = math.exp(res.x)
    return n, compute / (6 * n), res.fun


def test_training_flops_are_six_per_parameter_token(r):
    from torch.utils.flop_counter import FlopCounterMode

    model = torch.nn.Sequential(torch.nn.Linear(32, 96, bias=False), torch.nn.Tanh(),
                                torch.nn.Linear(96, 64, bias=False), torch.nn.Tanh(),
                                torch.nn.Linear(64, 16, bias=False))
    n_params = sum(p.numel() for p in model.parameters())
    tokens = 10
    x = torch.randn(tokens, 32, requires_grad=True)   # input grad too, as in Kaplan's 4N
    with FlopCounterMode(display=False) as fwd:
        out = model(x)
    with FlopCounterMode(display=False) as bwd:
        out.square().sum().backward()
    assert fwd.get_total_flops() / (n_params * tokens) == r["mlp_fwd_flops_per_param_token"] == 2
    assert bwd.get_total_flops() / (n_params * tokens) == r["mlp_bwd_flops_per_param_token"] == 4
    assert r["train_flops_per_param_token"] == 6


@pytest.mark.parametrize("name", list(FITS))
def test_compute_optimum_at_chinchilla_budget_matches_scipy(r, name):
    compute = 6 * 70e9 * 1.4e12
    assert r["c_chinchilla_e23"] == pytest.approx(compute / 1e23)
    n, d, l_opt = scipy_optimum(FITS[name], compute)
    assert r[f"{name}_opt_n_billion"] == pytest.approx(n / 1e9, rel=1e-4)
    assert r[f"{name}_opt_d_trillion"] == pytest.approx(d / 1e12, rel=1e-4)
    assert r[f"{name}_opt_tokens_per_param"] == pytest.approx(d / n, rel=1e-4)
    assert r[f"{name}_loss_opt"] == pytest.approx(l_opt, abs=1e-4)
    E, A, B, alpha, beta = FITS[name]
    assert r[f"{name}_a"] == pytest.approx(beta / (alpha + beta), abs=1e-4)
    assert r[f"{name}_loss_chinchilla"] == pytest.approx(E + A / 70e9**alpha + B / 1.4e12**beta, abs=1e-4)
    assert r[f"{name}_loss_gopher"] == pytest.approx(E + A / 280e9**alpha + B / 300e9**beta, abs=1e-4)


def test_published_fit_constants(r):
    for name, fit in FITS.items():
        assert tuple(r[f"{name}_{k}"] for k in ("E", "A", "B", "alpha", "beta")) == fit


def test_exponent_from_scipy_optima(r):
    """Slope of log N_opt against log C, measured from two scipy optima, equals the closed-form a."""
    for name, fit in FITS.items():
        n1, _, _ = scipy_optimum(fit, 1e21)
        n2, _, _ = scipy_optimum(fit, 1e25)
        assert math.log(n2 / n1) / math.log(1e4) == pytest.approx(r[f"{name}_a"], abs=1e-3)


def test_llama3_8b_parameters_and_budget(r, counts):
    transformers = pytest.importorskip("transformers")
    cfg = transformers.LlamaConfig(vocab_size=128256, hidden_size=4096, intermediate_size=14336,
                                   num_hidden_layers=32, num_attention_heads=32, num_key_value_heads=8,
                                   tie_word_embeddings=False)
    with torch.device("meta"):
        model = transformers.LlamaForCausalLM(cfg)
    n_total = sum(p.numel() for p in model.parameters())
    assert n_total == counts["llama3_8b_total"] == r["llama3_8b_params"]
    assert r["llama3_8b_tokens_per_param"] == pytest.approx(15e12 / n_total, abs=0.01)
    assert r["llama3_8b_c_total_e23"] == pytest.approx(6 * n_total * 15e12 / 1e23, abs=1e-4)
    # the other notebook's 6ND uses non-embedding parameters (Kaplan's N): smaller by 2 V d
    non_embedding = n_total - 2 * counts["llama3_8b_embedding"]
    assert counts["llama3_8b_train_flops_15t_e23"] == pytest.approx(6 * non_embedding * 15e12 / 1e23, abs=0.01)
    n, d, l_opt = scipy_optimum(FITS["besiroglu"], 6 * n_total * 15e12)
    assert r["llama3_8b_opt_n_billion"] == pytest.approx(n / 1e9, rel=1e-4)
    E, A, B, alpha, beta = FITS["besiroglu"]
    gap = E + A / n_total**alpha + B / 15e12**beta - l_opt
    assert r["llama3_8b_loss_gap"] == pytest.approx(gap, abs=1e-4)
    assert r["llama3_8b_inference_saving"] == pytest.approx(n / n_total, rel=1e-4)


def test_llama3_405b_budget(r):
    assert r["llama3_405b_c_e25"] == pytest.approx(6 * 405e9 * 15.6e12 / 1e25, abs=1e-4)
    assert round(r["llama3_405b_c_e25"], 1) == 3.8          # the paper's 3.8e25 FLOPs
