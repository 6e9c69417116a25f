"""Independent oracles for notebooks/preference-optimization.ipynb (T38).

The notebook derives everything with numpy by hand: the Bradley-Terry and DPO losses and
their gradients, the closed-form optimum of the KL-regularised objective (checked there by
its own gradient ascent), the population DPO optimum, GRPO's group-normalised advantages
and the k3 KL estimator. These tests recompute the published numbers with code that shares
nothing with it: PyTorch autograd and `torch.nn.functional` losses, `torch.std` with an
explicit Bessel correction, `torch.distributions.kl_divergence`, and SciPy's optimisers.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import notebook_results

torch = pytest.importorskip("torch")
optimize = pytest.importorskip("scipy.optimize")
F = torch.nn.functional


@pytest.fixture(scope="module")
def r() -> dict:
    return notebook_results("preference-optimization")


# Reward model and PPO -------------------------------------------------------------------

def test_bradley_terry_loss_is_binary_cross_entropy_on_the_margin(r):
    margins = torch.tensor([0.0, 2.0], dtype=torch.float64)
    bce = F.binary_cross_entropy_with_logits(margins, torch.ones(2, dtype=torch.float64), reduction="none")
    assert bce[0].item() == pytest.approx(r["rm_loss_margin0"], abs=1e-6)
    assert bce[1].item() == pytest.approx(r["rm_loss_margin2"], abs=1e-6)


@pytest.mark.parametrize("advantage, key", [(1.0, "ppo_grad_A_pos_rho_1_5"), (-1.0, "ppo_grad_A_neg_rho_1_5")])
def test_ppo_clipped_surrogate_gradient_by_autograd(r, advantage, key):
    eps = r["ppo_eps"]
    rho = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
    a = torch.tensor(advantage, dtype=torch.float64)
    objective = torch.minimum(rho * a, torch.clamp(rho, 1 - eps, 1 + eps) * a)
    objective.backward()
    assert rho.grad.item() == pytest.approx(r[key], abs=1e-6)


# DPO loss and gradient at the notebook's log-probabilities -----------------------------

def test_dpo_loss_and_gradient_by_autograd(r):
    beta = r["dpo_beta"]
    lw = torch.tensor(r["dpo_logp_w"], dtype=torch.float64, requires_grad=True)
    ll = torch.tensor(r["dpo_logp_l"], dtype=torch.float64, requires_grad=True)
    rw = torch.tensor(r["dpo_ref_w"], dtype=torch.float64)
    rl = torch.tensor(r["dpo_ref_l"], dtype=torch.float64)
    loss = -F.logsigmoid(beta * ((lw - rw) - (ll - rl)))
    loss.backward()
    assert loss.item() == pytest.approx(r["dpo_loss"], abs=1e-6)
    assert lw.grad.item() == pytest.approx(r["dpo_grad_w"], abs=1e-8)
    assert ll.grad.item() == pytest.approx(r["dpo_grad_l"], abs=1e-8)
    assert (ll.grad / beta).item() == pytest.approx(r["dpo_weight"], abs=1e-6)


def test_dpo_loss_equals_log_two_when_policy_is_the_reference(r):
    zero = torch.zeros((), dtype=torch.float64)
    assert (-F.logsigmoid(zero)).item() == pytest.approx(r["dpo_loss_at_ref"], abs=1e-6)


# The KL-regularised optimum -------------------------------------------------------------

def _objective(logits, reward, ref, beta):
    pi = np.exp(logits - logits.max())
    pi /= pi.sum()
    return float(pi @ reward - beta * np.sum(pi * np.log(pi / ref)))


@pytest.mark.parametrize("beta_key", ["10", "1", "0.5", "0.2"])
def test_kl_regularised_optimum_by_scipy(r, beta_key):
    beta = float(beta_key)
    ref = np.array(r["toy_pi_ref"])
    reward = np.array(r["toy_r_proxy"])
    best = optimize.minimize(lambda z: -_objective(z, reward, ref, beta), np.zeros(5), method="BFGS",
                             options={"gtol": 1e-12, "maxiter": 10000})
    pi = np.exp(best.x - best.x.max())
    pi /= pi.sum()
    np.testing.assert_allclose(pi, r["toy_pi_star"][beta_key], atol=2e-5)


def test_kl_regularised_optimum_by_torch_gradient_ascent(r):
    ref = torch.tensor(r["toy_pi_ref"], dtype=torch.float64)
    reward = torch.tensor(r["toy_r_proxy"], dtype=torch.float64)
    beta = 0.5
    z = torch.zeros(5, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([z], lr=0.05)
    for _ in range(4000):
        opt.zero_grad()
        pi = torch.softmax(z, 0)
        objective = pi @ reward - beta * torch.sum(pi * (torch.log(pi) - torch.log(ref)))
        (-objective).backward()
        opt.step()
    np.testing.assert_allclose(torch.softmax(z, 0).detach().numpy(), r["toy_pi_star"]["0.5"], atol=1e-6)


def test_beta_that_maximises_true_reward(r):
    ref = np.array(r["toy_pi_ref"])
    proxy, true = np.array(r["toy_r_proxy"]), np.array(r["toy_r_true"])

    def neg_true(log_beta):
        w = np.log(ref) + proxy / math.exp(log_beta)
        pi = np.exp(w - w.max())
        return -float(pi @ true / pi.sum())

    best = optimize.minimize_scalar(neg_true, bounds=(math.log(0.05), math.log(20.0)), method="bounded",
                                    options={"xatol": 1e-10})
    assert math.exp(best.x) == pytest.approx(r["toy_best_beta"], abs=1e-3)
    assert -best.fun == pytest.approx(r["toy_best_true"], abs=1e-4)


def test_population_dpo_optimum_by_torch_lbfgs(r):
    """Expected DPO loss over all pairs with Bradley-Terry labels; minimised by torch."""
    ref = torch.tensor(r["toy_pi_ref"], dtype=torch.float64)
    reward = torch.tensor(r["toy_r_proxy"], dtype=torch.float64)
    beta = r["dpo_toy_beta"]
    i, j = torch.triu_indices(5, 5, offset=1)
    p = torch.sigmoid(reward[i] - reward[j])
    z = torch.zeros(5, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([z], max_iter=500, tolerance_grad=1e-14, tolerance_change=1e-16,
                            line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        h = torch.log_softmax(z, 0) - torch.log(ref)
        m = beta * (h[i] - h[j])
        loss = F.binary_cross_entropy_with_logits(m, p, reduction="sum")
        loss.backward()
        return loss

    opt.step(closure)
    assert beta == 0.5 and r["dpo_toy_max_diff"] < 1e-8   # the notebook's DPO optimum equals its closed form
    np.testing.assert_allclose(torch.softmax(z, 0).detach().numpy(), r["toy_pi_star"]["0.5"], atol=1e-6)


# GRPO -----------------------------------------------------------------------------------

def test_grpo_advantages_with_torch_std(r):
    rewards = torch.tensor(r["grpo_rewards"], dtype=torch.float64)
    mean = rewards.mean()
    sample = torch.std(rewards, correction=1)      # what TRL's nanstd computes (Bessel)
    population = torch.std(rewards, correction=0)
    assert sample.item() == pytest.approx(r["grpo_std_sample"], abs=1e-6)
    assert population.item() == pytest.approx(r["grpo_std_pop"], abs=1e-6)
    adv_trl = (rewards - mean) / (sample + 1e-4)
    assert adv_trl.max().item() == pytest.approx(r["grpo_adv_right_trl"], abs=1e-4)
    assert adv_trl.min().item() == pytest.approx(r["grpo_adv_wrong_trl"], abs=1e-4)
    assert adv_trl.sum().item() == pytest.approx(0.0, abs=1e-12)
    adv_pop = (rewards - mean) / population
    assert adv_pop.max().item() == pytest.approx(r["grpo_adv_right_pop"], abs=1e-4)
    assert adv_pop.min().item() == pytest.approx(r["grpo_adv_wrong_pop"], abs=1e-4)


def test_k3_estimator_expectation_is_the_exact_kl(r):
    pi = torch.tensor(r["toy_pi_star"]["0.5"], dtype=torch.float64)
    ref = torch.tensor(r["toy_pi_ref"], dtype=torch.float64)
    exact = torch.distributions.kl_divergence(torch.distributions.Categorical(probs=pi),
                                              torch.distributions.Categorical(probs=ref))
    assert exact.item() == pytest.approx(r["kl_toy_exact"], abs=1e-6)
    u = ref / pi
    k3 = u - torch.log(u) - 1
    assert (pi @ k3).item() == pytest.approx(exact.item(), abs=1e-9)
    assert bool((k3 >= 0).all())
