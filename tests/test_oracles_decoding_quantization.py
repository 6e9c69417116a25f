"""Independent oracles for notebooks/decoding.ipynb (T31) and notebooks/quantization.ipynb (T32).

The notebooks use numpy only. Here the same published inputs are recomputed with code that
shares nothing with them: PyTorch (sort + cumsum truncation, torch.quantize_per_tensor /
quantize_per_channel, torch's own RNG), Hugging Face transformers' logits warpers and Llama
model built on the meta device, and ml_dtypes' float8 types. Tests skip when a package is absent.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import notebook_results

torch = pytest.importorskip("torch")



def at_every_granularity(quantize, x, n, c, g):
    """`quantize(v, dim)` with one scale per tensor, per token, per channel and per group of
    `g` channels; works on numpy arrays and torch tensors alike."""
    return {
        "tensor": quantize(x, None),
        "token": quantize(x, 1),
        "channel": quantize(x, 0),
        "group": quantize(x.reshape(n, c // g, g), 2).reshape(n, c),
    }

def results(name: str) -> dict:
    return notebook_results(name)


# T31 · decoding ------------------------------------------------------------------------

TEMPS = {"t05": 0.5, "t1": 1.0, "t15": 1.5}


def torch_kept_sets(logits: torch.Tensor, t: float, k: int, top_p: float, min_p: float) -> dict:
    """Truncation sets by sort + cumsum in torch (no sampling, no multinomial)."""
    probs = torch.softmax(logits / t, dim=-1)
    sorted_p, order = torch.sort(probs, descending=True)
    cum = torch.cumsum(sorted_p, dim=-1)
    keep_sorted = (cum - sorted_p) < top_p          # mass strictly before this token is still short of p
    top_p_keep = torch.zeros_like(probs, dtype=torch.bool).scatter(0, order, keep_sorted)
    top_k_keep = torch.zeros_like(probs, dtype=torch.bool)
    top_k_keep[torch.topk(probs, k).indices] = True
    min_p_keep = probs >= min_p * probs.max()
    return {"top_k": top_k_keep, "top_p": top_p_keep, "min_p": min_p_keep}


def test_truncation_sets_match_torch_sort_cumsum():
    r = results("decoding")
    logits = torch.tensor(r["logits"], dtype=torch.float64)
    for tag, t in TEMPS.items():
        kept = torch_kept_sets(logits, t, r["top_k"], r["top_p"], r["min_p"])
        for name, keep in kept.items():
            assert int(keep.sum()) == r[f"kept_{name}_{tag}"], (name, tag)
    kept = torch_kept_sets(logits, 1.0, r["top_k"], r["top_p"], r["min_p"])
    for name, keep in kept.items():
        assert [w for w, k in zip(r["tokens"], keep.tolist()) if k] == r[f"kept_tokens_{name}_t1"]
        probs = torch.softmax(logits, dim=-1)
        renorm = torch.where(keep, probs, torch.zeros_like(probs))
        renorm = renorm / renorm.sum()
        assert float(renorm[0]) == pytest.approx(r[f"renorm_top1_{name}_t1"], abs=5e-5)
    probs = torch.softmax(logits, dim=-1)
    for i, w in enumerate(r["tokens"]):
        assert float(probs[i]) == pytest.approx(r["p_t1"][i], abs=5e-5)


def test_truncation_sets_match_transformers_warpers():
    pytest.importorskip("transformers")
    from transformers.generation.logits_process import (
        MinPLogitsWarper,
        TemperatureLogitsWarper,
        TopKLogitsWarper,
        TopPLogitsWarper,
    )

    r = results("decoding")
    scores = torch.tensor([r["logits"]], dtype=torch.float32)
    ids = torch.zeros((1, 1), dtype=torch.long)
    warpers = {
        "top_k": TopKLogitsWarper(top_k=r["top_k"]),
        "top_p": TopPLogitsWarper(top_p=r["top_p"]),
        "min_p": MinPLogitsWarper(min_p=r["min_p"]),
    }
    for tag, t in TEMPS.items():
        tempered = TemperatureLogitsWarper(t)(ids, scores.clone())
        for name, warper in warpers.items():
            keep = torch.isfinite(warper(ids, tempered.clone()))[0]
            assert int(keep.sum()) == r[f"kept_{name}_{tag}"], (name, tag)
            if tag == "t1":
                assert [w for w, k in zip(r["tokens"], keep.tolist()) if k] == r[f"kept_tokens_{name}_t1"]


def test_speculative_acceptance_rate_and_exactness_in_torch():
    r = results("decoding")
    p = torch.softmax(torch.tensor(r["logits"], dtype=torch.float64), dim=-1)
    q = torch.softmax(torch.tensor(r["draft_logits"], dtype=torch.float64), dim=-1)
    beta = torch.minimum(p, q).sum()
    assert float(beta) == pytest.approx(r["spec_beta"], abs=5e-5)
    # sample the accept/reject rule with torch's own generator and compare to p
    g = torch.Generator().manual_seed(123)
    n = 1_000_000
    x = torch.multinomial(q, n, replacement=True, generator=g)
    accept = torch.rand(n, generator=g, dtype=torch.float64) < p[x] / q[x]
    residual = torch.clamp(p - q, min=0)
    resampled = torch.multinomial(residual / residual.sum(), n, replacement=True, generator=g)
    out = torch.where(accept, x, resampled)
    freq = torch.bincount(out, minlength=len(p)).double() / n
    chi2 = float((n * (freq - p) ** 2 / p).sum())
    dof = len(p) - 1
    assert chi2 < dof + 5 * math.sqrt(2 * dof)
    assert float(accept.double().mean()) == pytest.approx(float(beta), abs=5 * math.sqrt(0.25 / n))


def test_tokens_per_target_call_by_torch_simulation():
    """Rounds of gamma drafts, each accepted independently with probability alpha: tokens = accepted prefix + 1."""
    r = results("decoding")
    g = torch.Generator().manual_seed(7)
    n, gamma = 400_000, 4
    for tag in ["05", "06", "07", "08", "09"]:
        alpha = int(tag) / 10
        closed = (1 - alpha ** (gamma + 1)) / (1 - alpha)
        assert closed == pytest.approx(r[f"e_a{tag}_g4"], abs=5e-4)
        acc = torch.rand((n, gamma), generator=g) < alpha
        prefix = torch.cumprod(acc.int(), dim=1).sum(dim=1)       # number of leading acceptances
        mean = float((prefix + 1).double().mean())
        assert mean == pytest.approx(closed, rel=0.01)
        assert r[f"sim_a{tag}_g4"] == pytest.approx(closed, rel=0.01)


def test_speedup_optimum_by_brute_force():
    r = results("decoding")
    c = r["c_draft"]
    for tag in ["06", "08", "09"]:
        alpha = int(tag) / 10
        s = {g: (1 - alpha ** (g + 1)) / ((1 - alpha) * (g * c + 1)) for g in range(1, 200)}
        best = max(s, key=s.get)
        assert best == r[f"best_gamma_a{tag}"]
        assert s[best] == pytest.approx(r[f"best_speedup_a{tag}"], abs=5e-4)


# T32 · quantization --------------------------------------------------------------------

def synthetic_activations(r: dict) -> np.ndarray:
    """The notebook's matrix, regenerated from its published recipe and checked by checksum."""
    rng = np.random.default_rng(42)
    x = rng.normal(size=(r["n_tokens"], r["n_channels"]))
    outliers = np.sort(rng.choice(r["n_channels"], r["n_outlier_channels"], replace=False))
    assert outliers.tolist() == r["outlier_channels"]
    x[:, outliers] *= r["outlier_scale"]
    assert float(np.abs(x).sum()) == pytest.approx(r["x_checksum"], rel=1e-12)
    return x


def normal_mask(r: dict) -> np.ndarray:
    mask = np.ones(r["n_channels"], bool)
    mask[r["outlier_channels"]] = False
    return mask


def per_channel_rel_err(xhat, x):
    return np.sqrt(((xhat - x) ** 2).mean(axis=0)) / np.sqrt((x**2).mean(axis=0))


def test_fp8_formats_match_ml_dtypes():
    ml_dtypes = pytest.importorskip("ml_dtypes")
    r = results("quantization")
    for name, dtype in [("fp8_e4m3", ml_dtypes.float8_e4m3fn), ("fp8_e5m2", ml_dtypes.float8_e5m2)]:
        info = ml_dtypes.finfo(dtype)
        assert float(info.max) == r[f"{name}_max"]
        assert float(info.eps) == r[f"{name}_eps"]
        assert float(info.smallest_normal) == r[f"{name}_min_normal"]
        assert float(info.smallest_subnormal) == r[f"{name}_min_subnormal"]
        every_code = np.arange(256, dtype=np.uint8).view(dtype).astype(np.float64)
        assert int(np.isfinite(every_code).sum()) == r[f"{name}_finite_values"]
    assert r["fp16_max"] == float(torch.finfo(torch.float16).max)
    assert r["bf16_max"] == float(torch.finfo(torch.bfloat16).max)
    assert r["bf16_eps"] == float(torch.finfo(torch.bfloat16).eps)
    assert r["bf16_min_normal"] == float(torch.finfo(torch.bfloat16).smallest_normal)


def test_fp8_quantization_errors_match_ml_dtypes_casts():
    ml_dtypes = pytest.importorskip("ml_dtypes")
    r = results("quantization")
    x, normal = synthetic_activations(r), normal_mask(r)
    fp8 = ml_dtypes.float8_e4m3fn

    def cast(v, axis):
        amax = np.abs(v).max(axis=axis, keepdims=axis is not None)
        s = amax / 448.0
        scaled = np.clip(v / s, -448.0, 448.0)        # guard one-ulp overshoot; ml_dtypes overflows to NaN
        return scaled.astype(fp8).astype(np.float64) * s

    n, c, g = r["n_tokens"], r["n_channels"], r["group_size"]
    quantized = at_every_granularity(cast, x, n, c, g)
    for gran, xhat in quantized.items():
        err = per_channel_rel_err(xhat, x)
        assert float(np.median(err[normal])) == pytest.approx(r[f"err_fp8_e4m3_{gran}_normal"], abs=1e-4)
        assert float(np.median(err[~normal])) == pytest.approx(r[f"err_fp8_e4m3_{gran}_outlier"], abs=1e-4)


@pytest.mark.filterwarnings("ignore:torch.quantize_per_tensor.*deprecated:UserWarning")
def test_int8_errors_match_torch_quantize():
    r = results("quantization")
    x, normal = synthetic_activations(r), normal_mask(r)
    t = torch.from_numpy(x).float()
    n, c, g = r["n_tokens"], r["n_channels"], r["group_size"]

    def per_channel(v, axis):
        scales = v.abs().amax(dim=1 - axis).double() / 127
        zeros = torch.zeros(v.shape[axis], dtype=torch.long)
        return torch.quantize_per_channel(v, scales, zeros, axis, torch.qint8).dequantize()

    scale = float(t.abs().max()) / 127
    assert scale == pytest.approx(r["int8_tensor_scale"], abs=5e-5)
    groups = t.reshape(n * c // g, g)
    quantized = {
        "tensor": torch.quantize_per_tensor(t, scale, 0, torch.qint8).dequantize(),
        "token": per_channel(t, 0),
        "channel": per_channel(t, 1),
        "group": per_channel(groups, 0).reshape(n, c),
    }
    for gran, xhat in quantized.items():
        err = per_channel_rel_err(xhat.double().numpy(), t.double().numpy())
        # float32 inputs: compare to 2e-4, well below the differences between granularities
        assert float(np.median(err[normal])) == pytest.approx(r[f"err_int8_{gran}_normal"], abs=2e-4)
    ints = torch.quantize_per_tensor(t, scale, 0, torch.qint8).int_repr()
    zero_frac = float((ints[:, torch.from_numpy(normal)] == 0).double().mean())
    assert zero_frac == pytest.approx(r["int8_tensor_zero_frac"], abs=1e-3)


def test_int4_errors_by_plain_torch():
    """torch has no qint4: round-to-nearest-even with clamp to [-7, 7], written directly."""
    r = results("quantization")
    x = torch.from_numpy(synthetic_activations(r))
    normal = torch.from_numpy(normal_mask(r))
    n, c, g = r["n_tokens"], r["n_channels"], r["group_size"]

    def q4(v, dim):
        amax = v.abs().amax() if dim is None else v.abs().amax(dim=dim, keepdim=True)
        s = amax / 7
        return torch.clamp(torch.round(v / s), -7, 7) * s

    quantized = at_every_granularity(q4, x, n, c, g)
    for gran, xhat in quantized.items():
        err = ((xhat - x) ** 2).mean(dim=0).sqrt() / (x**2).mean(dim=0).sqrt()
        assert float(err[normal].median()) == pytest.approx(r[f"err_int4_{gran}_normal"], abs=1e-4)


def test_w8a8_and_smoothquant_output_errors_in_torch():
    r = results("quantization")
    x = torch.from_numpy(synthetic_activations(r))
    c = r["n_channels"]
    w = torch.from_numpy(np.random.default_rng(7).normal(scale=1 / math.sqrt(c), size=(c, 1024)))
    y = x @ w

    def sym8(v, dim):
        s = v.abs().amax(dim=dim, keepdim=True) / 127
        return torch.clamp(torch.round(v / s), -127, 127) * s

    def rel(yhat):
        return float(torch.linalg.norm(yhat - y) / torch.linalg.norm(y))

    w8 = sym8(w, 0)                                     # per output column
    assert rel(x @ w8) == pytest.approx(r["matmul_err_W8A16"], abs=1e-4)
    assert rel(sym8(x, 1) @ w8) == pytest.approx(r["matmul_err_W8A8_token"], abs=1e-4)
    a = r["smoothquant_alpha"]
    s = x.abs().amax(dim=0) ** a / w.abs().amax(dim=1) ** (1 - a)
    assert rel(sym8(x / s, 1) @ sym8(w * s[:, None], 0)) == pytest.approx(r["matmul_err_SmoothQuant_W8A8"], abs=1e-4)
    cols = x.abs().amax(dim=0) >= r["llm_int8_threshold"]
    assert int(cols.sum()) == r["llm_int8_decomposed_cols"]
    xo, xr = torch.where(cols, x, 0.0), torch.where(cols, 0.0, x)
    assert rel(xo @ w + sym8(xr, 1) @ w8) == pytest.approx(r["matmul_err_LLMint8_W8A8"], abs=1e-4)


def test_llama3_8b_parameters_from_transformers_on_meta_device():
    pytest.importorskip("transformers")
    from transformers import AutoModelForCausalLM, LlamaConfig

    r = results("quantization")
    cfg = LlamaConfig(
        hidden_size=4096, num_hidden_layers=32, num_attention_heads=32, num_key_value_heads=8,
        intermediate_size=14336, vocab_size=128256, tie_word_embeddings=False,
    )
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(cfg)
    total = sum(p.numel() for p in model.parameters())
    assert total == r["llama3_8b_params"]
    linear = sum(m.weight.numel() for m in model.model.layers.modules() if isinstance(m, torch.nn.Linear))
    assert linear == r["llama3_8b_block_linear_params"]
    assert model.model.embed_tokens.weight.numel() == r["llama3_8b_embed_params"]
    # weight memory in GB (1e9 bytes)
    assert total * 2 / 1e9 == pytest.approx(r["mem_bf16_gb"], abs=0.005)
    assert total * 4.125 / 8 / 1e9 == pytest.approx(r["mem_int4_g128_all_gb"], abs=0.005)
    rest = total - linear
    assert (linear * 4.125 / 8 + rest * 2) / 1e9 == pytest.approx(r["mem_int4_g128_linear_only_gb"], abs=0.005)
