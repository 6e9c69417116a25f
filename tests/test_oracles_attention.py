"""Independent oracles for the attention notebooks (self-attention, flash-attention).

The notebooks implement attention, the online softmax, FlashAttention's tiled forward and
its recomputing backward in numpy and check themselves. Here the same inputs are rebuilt
from the recipes the notebooks publish (seed, shapes, order of the draws) and handed to
code that shares nothing with them: PyTorch's `scaled_dot_product_attention`,
`nn.MultiheadAttention` and autograd, PyTorch's FLOP counter on the meta device, and the
Hugging Face GPT-2 attention module built from `GPT2Config`'s defaults.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import notebook_results

torch = pytest.importorskip("torch", reason="PyTorch not installed: `pip install torch==2.13.0` (CPU build)")
F = torch.nn.functional


def results(name: str) -> dict:
    return notebook_results(name)


# Self-attention -------------------------------------------------------------------------

def check_against_published(out, r, tag):
    """The notebook publishes the Frobenius norm and a cosine-weighted checksum of its output."""
    weights = np.cos(np.arange(out.size)).reshape(out.shape)
    assert np.linalg.norm(out) == pytest.approx(r[f"oracle_out_{tag}_fro"], rel=1e-10)
    assert np.sum(out * weights) == pytest.approx(r[f"oracle_out_{tag}_checksum"], rel=1e-10, abs=1e-10)


def self_attention_inputs(r):
    """The notebook's recipe: seed, then X, then W_Q, W_K, W_V, W_O (each / sqrt(d))."""
    rng = np.random.default_rng(r["oracle_seed"])
    n, d = r["oracle_n"], r["oracle_d_model"]
    X = rng.standard_normal((n, d))
    W = [rng.standard_normal((d, d)) / math.sqrt(d) for _ in range(4)]
    return (torch.from_numpy(X), *(torch.from_numpy(w) for w in W))


@pytest.mark.parametrize("causal", [False, True])
def test_self_attention_matches_torch_sdpa(causal):
    r = results("self-attention")
    X, W_Q, W_K, W_V, W_O = self_attention_inputs(r)
    n, d, h = r["oracle_n"], r["oracle_d_model"], r["oracle_heads"]

    def heads(t):                                   # (n, d) -> (1, h, n, d_k)
        return t.reshape(n, h, d // h).transpose(0, 1).unsqueeze(0)

    O = F.scaled_dot_product_attention(heads(X @ W_Q), heads(X @ W_K), heads(X @ W_V), is_causal=causal)
    out = O.squeeze(0).transpose(0, 1).reshape(n, d) @ W_O
    check_against_published(out.numpy(), r, "causal" if causal else "full")


@pytest.mark.parametrize("causal", [False, True])
def test_self_attention_matches_torch_multihead_attention(causal):
    """nn.MultiheadAttention computes x @ W.T: hand it the transposed matrices, no biases."""
    r = results("self-attention")
    X, W_Q, W_K, W_V, W_O = self_attention_inputs(r)
    n, d, h = r["oracle_n"], r["oracle_d_model"], r["oracle_heads"]
    mha = torch.nn.MultiheadAttention(d, h, bias=False, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.cat([W_Q.T, W_K.T, W_V.T]))
        mha.out_proj.weight.copy_(W_O.T)
    mask = torch.triu(torch.ones(n, n, dtype=torch.bool), diagonal=1) if causal else None
    out, _ = mha(X[None], X[None], X[None], attn_mask=mask, need_weights=False)
    check_against_published(out[0].detach().numpy(), r, "causal" if causal else "full")


def test_dot_product_variance_with_torch_samples():
    """Var(q.k) = d_k for independent unit-variance components, sampled with torch's own generator."""
    r = results("self-attention")
    gen = torch.Generator().manual_seed(0)
    for d_k in (16, 64, 128, 1024):
        q = torch.randn(r["var_pairs"], d_k, generator=gen, dtype=torch.float64)
        k = torch.randn(r["var_pairs"], d_k, generator=gen, dtype=torch.float64)
        var = (q * k).sum(1).var().item()
        assert var == pytest.approx(d_k, rel=0.04)
        assert r[f"var_qk_sim_dk{d_k}"] == pytest.approx(var, rel=0.06)


def test_softmax_jacobian_and_saturation_with_torch():
    """The closed-form Jacobian against torch.func.jacrev; the saturation experiment re-run
    with torch's generator (a different random draw, so compared loosely)."""
    r = results("self-attention")
    z = torch.randn(7, dtype=torch.float64, generator=torch.Generator().manual_seed(1)) * 3
    p = torch.softmax(z, 0)
    J = torch.func.jacrev(lambda t: torch.softmax(t, 0))(z)
    torch.testing.assert_close(J, torch.diag(p) - torch.outer(p, p))

    gen = torch.Generator().manual_seed(2)
    n_keys = r["sat_keys"]
    for d_k in (64, 1024):
        # 2,000 draws in chunks, as in the notebook; the median of the unscaled max weight at
        # d_k = 64, where the spread is widest, has a standard error of about 0.01
        raw = []
        for _ in range(20):
            q = torch.randn(100, d_k, 1, generator=gen, dtype=torch.float64)
            K = torch.randn(100, n_keys, d_k, generator=gen, dtype=torch.float64)
            raw.append((K @ q).squeeze(-1))
        raw = torch.cat(raw)
        stats = {}
        for tag, tau in (("scaled", math.sqrt(d_k)), ("unscaled", 1.0)):
            p = torch.softmax(raw / tau, -1)
            jac = torch.linalg.matrix_norm(torch.diag_embed(p) - p[..., :, None] * p[..., None, :])
            stats[tag] = (p.max(-1).values.median().item(), jac.median().item())
        assert stats["scaled"][0] == pytest.approx(r[f"max_w_scaled_dk{d_k}"], abs=0.01)
        assert stats["scaled"][1] == pytest.approx(r[f"jac_scaled_dk{d_k}"], rel=0.05)
        assert stats["unscaled"][0] == pytest.approx(r[f"max_w_unscaled_dk{d_k}"], abs=0.05)
    assert stats["unscaled"][1] < 1e-2 * stats["scaled"][1]          # d_k = 1024: the Jacobian has collapsed
    assert r["jac_unscaled_dk1024"] < 1e-2 * r["jac_scaled_dk1024"]


def test_attention_layer_flops_match_torch_flop_counter_on_gpt2():
    """GPT-2 small's attention (Hugging Face, built from GPT2Config's defaults on the meta
    device), counted by torch's FlopCounterMode: 8nd^2 in the projections, 4n^2 d in QK^T and PV."""
    pytest.importorskip("transformers")
    from torch.utils.flop_counter import FlopCounterMode
    from transformers import GPT2Config
    from transformers.models.gpt2.modeling_gpt2 import GPT2Attention

    r = results("self-attention")
    cfg = GPT2Config()
    assert (cfg.n_embd, cfg.n_head, cfg.n_positions) == (r["gpt2_d"], r["gpt2_heads"], r["gpt2_n"])
    cfg._attn_implementation = "eager"
    with torch.device("meta"):
        attn = GPT2Attention(cfg, layer_idx=0)
        x = torch.empty(1, cfg.n_positions, cfg.n_embd)
        with FlopCounterMode(display=False) as counter:
            attn(x)
    per_op = {str(op): n for op, n in counter.get_flop_counts()["Global"].items()}
    assert counter.get_total_flops() == r["gpt2_flops_total"]
    assert per_op["aten.addmm"] == r["gpt2_flops_proj"] and per_op["aten.bmm"] == r["gpt2_flops_core"]


def test_score_matrix_bytes_on_the_meta_device():
    r = results("self-attention")
    n = 131072                                           # Llama 3.1's 128K context
    per_head = torch.empty(n, n, dtype=torch.bfloat16, device="meta")
    assert per_head.nbytes == r["llama_score_gib_per_head"] * 2**30
    gpt2 = torch.empty(r["gpt2_heads"], r["gpt2_n"], r["gpt2_n"], dtype=torch.float32, device="meta")
    assert gpt2.nbytes == r["gpt2_scores_mib_fp32"] * 2**20


# FlashAttention ---------------------------------------------------------------------------

@pytest.mark.parametrize("causal", [False, True])
def test_tiled_flash_attention_and_its_gradients_match_torch(causal):
    """The notebook's tiled forward and recomputing backward, published as norms and a
    weighted checksum, against torch SDPA and autograd in float64 on the same inputs."""
    r = results("flash-attention")
    rng = np.random.default_rng(r["fa_oracle_seed"])
    n, d = r["fa_oracle_n"], r["fa_oracle_d"]
    Q, K, V, dO = (torch.from_numpy(rng.standard_normal((n, d))) for _ in range(4))
    weights = torch.from_numpy(np.cos(np.arange(n * d)).reshape(n, d))
    q, k, v = (t.clone()[None, None].requires_grad_() for t in (Q, K, V))
    out = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    out.backward(dO[None, None])
    tag = "causal" if causal else "full"
    for name, t in (("o", out), ("dq", q.grad), ("dk", k.grad), ("dv", v.grad)):
        t = t.detach()[0, 0]
        assert torch.linalg.norm(t).item() == pytest.approx(r[f"fa_oracle_{name}_{tag}_fro"], rel=1e-9)
        assert (t * weights).sum().item() == pytest.approx(r[f"fa_oracle_{name}_{tag}_checksum"], rel=1e-8, abs=1e-9)


def test_attention_flops_match_torch_flop_formulas():
    """Forward 4N^2 d; the standard (math) backward 4 matmuls, counted on the meta device;
    a flash backward 5 matmuls, per torch's own formula for its flash kernel."""
    from torch.utils.flop_counter import FlopCounterMode, sdpa_backward_flop_count, sdpa_flop_count

    r = results("flash-attention")
    shape = (1, 1, r["bwd_n"], r["bwd_d"])
    assert sdpa_flop_count(shape, shape, shape) == r["flops_fwd"]
    assert sdpa_backward_flop_count(shape, shape, shape, shape) == r["flops_bwd_fa"]
    with torch.device("meta"):
        q, k, v = (torch.empty(shape, requires_grad=True) for _ in range(3))
        with FlopCounterMode(display=False) as fwd:
            out = F.scaled_dot_product_attention(q, k, v)
        with FlopCounterMode(display=False) as bwd:
            out.backward(torch.empty_like(out))
    assert fwd.get_total_flops() == r["flops_fwd"]
    assert bwd.get_total_flops() == r["flops_bwd_std"]
    assert r["train_flops_ratio"] == pytest.approx((r["flops_fwd"] + r["flops_bwd_fa"]) / (r["flops_fwd"] + r["flops_bwd_std"]), abs=1e-3)


def test_hbm_traffic_from_the_papers_algorithms():
    """Re-derived here from Algorithm 0 and Algorithm 1 of Dao et al. (2022), line by line."""
    r = results("flash-attention")
    d, M = r["d_head"], r["sram_m_elems"]
    Bc = math.ceil(M / (4 * d))
    Br = min(Bc, d)
    assert (Br, Bc) == (r["paper_br"], r["paper_bc"])
    for N in (1024, 4096, 16384, 65536):
        standard = 2 * N * d + N * N + 2 * N * N + N * N + N * d + N * d   # S = QK^T; softmax; O = PV
        Tc = -(-N // Bc)
        init = N * d + N + N                                                # O, l, m
        per_outer = 2 * N * d + 2 * N + N * d + 2 * N                       # read Q, O, l, m; write O, l, m
        flash = init + 2 * N * d + Tc * per_outer                           # K, V once
        assert standard == r[f"io_std_elems_n{N}"] and flash == r[f"io_fa1_elems_n{N}"]
    assert r["asymptotic_ratio"] == pytest.approx(M / (3 * d * d), abs=0.01)
