"""Independent oracles for notebooks/diffusion.ipynb (T42).

The notebook builds the noise schedules, the closed-form optimal noise predictor for a 1-D
Gaussian mixture and the DDPM/DDIM samplers from first principles in numpy. These tests
recompute its published numbers with code that shares nothing with it: Hugging Face
`diffusers` schedulers (DDPMScheduler's `alphas_cumprod` and `add_noise`, DDIMScheduler.step,
DDPMScheduler.step), a noise predictor obtained by autograd through a
`torch.distributions.MixtureSameFamily`, torch's own RNG, and diffusers' AutoencoderKL and
PatchEmbed built on the meta device for the latent and token shapes. Nothing downloads.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import notebook_results

torch = pytest.importorskip("torch")
diffusers = pytest.importorskip("diffusers")

N_TEST = 5000   # samples per sampler run here (the notebook uses more); tolerances scale with it


@pytest.fixture(scope="module")
def r() -> dict:
    return notebook_results("diffusion")


def ddpm(r, schedule="linear", **kw):
    return diffusers.DDPMScheduler(num_train_timesteps=r["T"], beta_schedule=schedule,
                                   beta_start=r["beta_start"], beta_end=r["beta_end"], **kw)


# schedules -------------------------------------------------------------------------------

def test_linear_schedule_alpha_bar(r):
    assert (r["T"], r["beta_start"], r["beta_end"]) == (1000, 1e-4, 0.02)
    abar = ddpm(r).alphas_cumprod.double()          # float32 inside diffusers
    assert abar[-1].item() == pytest.approx(r["abar_T_linear"], rel=1e-4)
    assert abar[499].item() == pytest.approx(r["abar_500_linear"], rel=1e-5)
    assert math.sqrt(abar[-1].item()) == pytest.approx(r["sqrt_abar_T_linear"], abs=1e-6)
    snr = abar / (1 - abar)
    assert snr[-1].item() == pytest.approx(r["snr_T_linear"], rel=1e-4)
    assert int(torch.nonzero(abar < 0.5)[0]) + 1 == r["t_half_linear"]
    assert (snr < 0.01).double().mean().item() == pytest.approx(r["frac_low_snr_linear"], abs=2e-3)


def test_cosine_schedule_alpha_bar(r):
    sched = ddpm(r, "squaredcos_cap_v2")
    abar = sched.alphas_cumprod.double()
    assert abar[-1].item() == pytest.approx(r["abar_T_cosine"], rel=1e-3)
    assert abar[499].item() == pytest.approx(r["abar_500_cosine"], rel=1e-5)
    assert int((sched.betas >= 0.999).sum()) == r["cosine_betas_clipped"]
    assert int(torch.nonzero(abar < 0.5)[0]) + 1 == r["t_half_cosine"]
    snr = abar / (1 - abar)
    assert (snr < 0.01).double().mean().item() == pytest.approx(r["frac_low_snr_cosine"], abs=2e-3)


def test_add_noise_is_the_closed_form(r):
    sched = ddpm(r)
    g = torch.Generator().manual_seed(0)
    x0, noise = torch.randn(64, generator=g), torch.randn(64, generator=g)
    for t, abar in [(499, r["abar_500_linear"]), (999, r["abar_T_linear"])]:
        got = sched.add_noise(x0, noise, torch.tensor([t]))
        want = math.sqrt(abar) * x0 + math.sqrt(1 - abar) * noise
        assert torch.allclose(got, want, atol=1e-6)


def test_iterated_single_steps_match_closed_form_in_torch(r):
    """Iterate q(x_t | x_{t-1}) with torch's RNG; compare with N(sqrt(abar) x0, 1 - abar)."""
    betas = torch.linspace(r["beta_start"], r["beta_end"], r["T"], dtype=torch.float64)
    g = torch.Generator().manual_seed(1)
    n = r["fwd_chains"]
    x = torch.full((n,), r["fwd_x0"], dtype=torch.float64)
    for b in betas:
        x = torch.sqrt(1 - b) * x + torch.sqrt(b) * torch.randn(n, generator=g, dtype=torch.float64)
    abar = r["abar_T_linear"]
    assert abs(x.mean().item() - math.sqrt(abar) * r["fwd_x0"]) < 5 * math.sqrt((1 - abar) / n)
    assert abs(x.var().item() - (1 - abar)) < 5 * (1 - abar) * math.sqrt(2 / n)


# the closed-form optimal noise predictor, by autograd ---------------------------------------

def eps_star(r, x, abar, comps=(0, 1)):
    """E[eps | x_t] = -sqrt(1 - abar) * d/dx log p_t(x), p_t the noised mixture (torch autograd)."""
    w = torch.tensor([r["mix_weights"][k] for k in comps], dtype=torch.float64)
    mu = torch.tensor([r["mix_means"][k] for k in comps], dtype=torch.float64)
    s = torch.tensor([r["mix_stds"][k] for k in comps], dtype=torch.float64)
    p_t = torch.distributions.MixtureSameFamily(
        torch.distributions.Categorical(probs=w / w.sum()),
        torch.distributions.Normal(math.sqrt(abar) * mu, torch.sqrt(abar * s**2 + 1 - abar)))
    x = x.detach().double().requires_grad_(True)
    (score,) = torch.autograd.grad(p_t.log_prob(x).sum(), x)
    return -math.sqrt(1 - abar) * score


def sample_data(r, n, g):
    k = torch.multinomial(torch.tensor(r["mix_weights"]), n, replacement=True, generator=g)
    mu, s = torch.tensor(r["mix_means"], dtype=torch.float64), torch.tensor(r["mix_stds"], dtype=torch.float64)
    return mu[k] + s[k] * torch.randn(n, generator=g, dtype=torch.float64)


def mixture_quantile(r, q):
    """Inverse CDF of the data mixture by bisection on torch.special.ndtr."""
    w, mu, s = (torch.tensor(r[k], dtype=torch.float64) for k in ("mix_weights", "mix_means", "mix_stds"))
    lo, hi = torch.full_like(q, -10.0), torch.full_like(q, 10.0)
    for _ in range(60):
        mid = (lo + hi) / 2
        below = (w * torch.special.ndtr((mid[:, None] - mu) / s)).sum(-1) < q
        lo, hi = torch.where(below, mid, lo), torch.where(below, hi, mid)
    return (lo + hi) / 2


def w1(r, x):
    """W1 between the sample and the exact data distribution."""
    q = (torch.arange(x.numel(), dtype=torch.float64) + 0.5) / x.numel()
    return (torch.sort(x).values - mixture_quantile(r, q)).abs().mean().item()


def ddim(r, **kw):
    return diffusers.DDIMScheduler(num_train_timesteps=r["T"], beta_schedule="linear",
                                   beta_start=r["beta_start"], beta_end=r["beta_end"], clip_sample=False,
                                   set_alpha_to_one=True, timestep_spacing="trailing", **kw)


def test_ddim_step_matches_notebook_deterministic_map(r):
    sched = ddim(r)
    sched.set_timesteps(r["probe_steps"])
    assert sched.timesteps.tolist() == list(range(999, 0, -100))     # t = T, ..., T/S in the notebook
    abar = sched.alphas_cumprod.double()
    x = torch.tensor(r["probe_xT"], dtype=torch.float64)
    for t in sched.timesteps:
        eps = eps_star(r, x, abar[t].item())
        x = sched.step(eps, t, x, eta=0.0).prev_sample
    assert np.allclose(x.numpy(), r["probe_x0_ddim10"], atol=1e-4)


def test_ddpm_ancestral_sampling_reproduces_the_data(r):
    sched = ddpm(r, clip_sample=False)           # variance_type "fixed_small": sigma_t^2 = beta-tilde
    sched.set_timesteps(r["T"])
    abar = sched.alphas_cumprod.double()
    g = torch.Generator().manual_seed(2)
    n = N_TEST
    x = torch.randn(n, 1, generator=g, dtype=torch.float64)     # DDPMScheduler reads shape[1]
    for t in sched.timesteps:
        x = sched.step(eps_star(r, x, abar[t].item()), t, x, generator=g).prev_sample
    x = x[:, 0]
    floor = r["w1_data_median"] * math.sqrt(r["n_samples"] / n)   # W1 sampling error grows as 1/sqrt(n)
    assert w1(r, sample_data(r, n, g)) < 3 * floor
    assert w1(r, x) < 3 * floor
    assert (x > 0).double().mean().item() == pytest.approx(r["right_mode_frac_ddpm1000"], abs=0.025)


def test_few_step_ddim_beats_few_step_ddpm(r):
    g = torch.Generator().manual_seed(3)
    n = N_TEST
    out = {}
    for eta in (0.0, 1.0):
        sched = ddim(r)
        sched.set_timesteps(10)
        abar = sched.alphas_cumprod.double()
        x = torch.randn(n, generator=g, dtype=torch.float64)
        for t in sched.timesteps:
            x = sched.step(eps_star(r, x, abar[t].item()), t, x, eta=eta, generator=g).prev_sample
        out[eta] = w1(r, x)
    assert out[0.0] == pytest.approx(r["w1_ddim10_median"], abs=0.02)
    assert out[1.0] == pytest.approx(r["w1_ddpm10_median"], abs=0.02)
    assert out[0.0] < out[1.0]


def test_classifier_free_guidance_in_diffusers_form(r):
    """diffusers: eps_u + s (eps_c - eps_u) with s = 1 + w; the notebook: (1 + w) eps_c - w eps_u."""
    sched = ddim(r)
    sched.set_timesteps(r["T"])
    abar = sched.alphas_cumprod.double()
    g = torch.Generator().manual_seed(4)
    n = N_TEST
    for w, key in [(0.0, "cfg_std_w0"), (3.0, "cfg_std_w3")]:
        s = 1.0 + w
        x = torch.randn(n, generator=g, dtype=torch.float64)
        for t in sched.timesteps:
            ab = abar[t].item()
            eps_c, eps_u = eps_star(r, x, ab, comps=(1,)), eps_star(r, x, ab)
            x = sched.step(eps_u + s * (eps_c - eps_u), t, x, eta=0.0).prev_sample
        assert x.std().item() == pytest.approx(r[key], abs=0.015)   # about 3 standard errors
    assert r["cfg_std_w3"] < r["cfg_std_w0"] and r["cfg_mean_w3"] > r["cfg_mean_w0"]


# latent diffusion and DiT shapes -----------------------------------------------------------

def test_sd_v1_autoencoder_latent_shape(r):
    """AutoencoderKL with Stable Diffusion v1's first-stage configuration, on the meta device."""
    with torch.device("meta"):
        vae = diffusers.AutoencoderKL(
            in_channels=3, out_channels=3, latent_channels=4, layers_per_block=2,
            down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
            block_out_channels=(128, 256, 512, 512), sample_size=512)
        z = vae.encode(torch.empty(1, 3, 512, 512)).latent_dist.mean
    assert tuple(z.shape) == (1, 4, r["sd_latent_side"], r["sd_latent_side"])
    assert z[0].numel() == r["sd_latent_elems"]
    assert 3 * 512 * 512 == r["sd_pixel_elems"]
    assert r["sd_pixel_elems"] / z[0].numel() == r["sd_pixel_latent_ratio"]


@pytest.mark.parametrize("image, key", [(256, "dit_tokens_256"), (512, "dit_tokens_512")])
def test_dit_patch_tokens(r, image, key):
    from diffusers.models.embeddings import PatchEmbed

    side = image // 8
    with torch.device("meta"):
        embed = PatchEmbed(height=side, width=side, patch_size=2, in_channels=4, embed_dim=1152)
        tokens = embed(torch.empty(1, 4, side, side))
    assert tokens.shape[1] == r[key]
