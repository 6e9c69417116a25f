"""Independent oracles for position-encodings.ipynb (T28) and transformer-normalization.ipynb (T29).

The notebooks compute with numpy from first principles. These tests recompute their published
numbers with code that shares nothing with them but the inputs: RoPE as complex multiplication
the way Meta's llama reference code writes it (torch.polar, view_as_complex), the RoPE scaling
functions and the ALiBi slopes of Hugging Face `transformers`, torch.nn.LayerNorm / torch.nn.RMSNorm,
and PyTorch autograd through the same small Pre-LN / Post-LN stack.
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


# T28: RoPE --------------------------------------------------------------------------------

def precompute_freqs_cis(dim: int, positions, theta: float = 10000.0):
    """Meta's llama precompute_freqs_cis, in float64 and for arbitrary positions."""
    freqs = 1.0 / (theta ** (torch.arange(0, dim, 2, dtype=torch.float64)[: dim // 2] / dim))
    angles = torch.outer(torch.as_tensor(positions, dtype=torch.float64), freqs)
    return torch.polar(torch.ones_like(angles), angles)


def apply_rotary_emb(x, freqs_cis):
    x_ = torch.view_as_complex(x.reshape(*x.shape[:-1], -1, 2).contiguous())
    return torch.view_as_real(x_ * freqs_cis).flatten(-2)


def test_rope_scores_match_complex_multiplication():
    r = results("position-encodings")
    q = torch.tensor(r["rope_check_q"], dtype=torch.float64)
    k = torch.tensor(r["rope_check_k"], dtype=torch.float64)
    for (m, n), published in zip(r["rope_check_pairs"], r["rope_check_scores"]):
        cis = precompute_freqs_cis(q.numel(), [m, n])
        score = apply_rotary_emb(q, cis[0]) @ apply_rotary_emb(k, cis[1])
        assert score.item() == pytest.approx(published, abs=1e-12)


def test_rope_depends_only_on_the_offset_in_torch():
    """The notebook's headline claim, re-checked with the complex form at Llama's head size."""
    r = results("position-encodings")
    gen = torch.Generator().manual_seed(0)
    d = r["head_dim"]
    q, k = torch.randn(d, generator=gen, dtype=torch.float64), torch.randn(d, generator=gen, dtype=torch.float64)
    q, k = q / math.sqrt(d), k / math.sqrt(d)
    deltas = torch.arange(0, 2048)
    rows = []
    for start in [0, 1000, r["rope_offset_starts_max"]]:
        cq = precompute_freqs_cis(d, start + deltas)
        ck = precompute_freqs_cis(d, [start])[0]
        rows.append(apply_rotary_emb(q.expand(len(deltas), d), cq) @ apply_rotary_emb(k, ck))
    assert max((row - rows[0]).abs().max().item() for row in rows) < 1e-12
    # RoPE keeps the length of q, and the scores are not those of an unrotated pair
    assert apply_rotary_emb(q, precompute_freqs_cis(d, [777])[0]).norm().item() == pytest.approx(q.norm().item(), abs=1e-12)
    assert (rows[0][1:] - q @ k).abs().max().item() > 1e-3


def test_wavelength_counts():
    r = results("position-encodings")
    d = r["head_dim"]
    for base, context, key in [(r["llama2_rope_theta"], r["llama2_context"], "llama2_pairs_beyond_ctx"),
                               (r["llama3_rope_theta"], r["llama3_context"], "llama3_pairs_beyond_ctx")]:
        freqs = 1.0 / (base ** (torch.arange(0, d, 2, dtype=torch.float64) / d))
        assert int((2 * math.pi / freqs > context).sum()) == r[key]


# T28: ALiBi and context extension, against Hugging Face transformers -------------------------

def test_alibi_slopes_match_bloom():
    pytest.importorskip("transformers")
    from transformers.models.bloom.modeling_bloom import _get_alibi_slopes

    r = results("position-encodings")
    assert _get_alibi_slopes(8, torch.device("cpu")).tolist() == pytest.approx(r["alibi_slopes_8"], rel=1e-6)
    assert _get_alibi_slopes(12, torch.device("cpu")).tolist() == pytest.approx(r["alibi_slopes_12"], rel=1e-6)


def rope_init(rope_type: str, seq_len=None, **kwargs):
    from transformers import LlamaConfig
    from transformers.modeling_rope_utils import ROPE_INIT_FUNCTIONS

    max_pos = kwargs.pop("max_position_embeddings")
    config = LlamaConfig(hidden_size=4096, num_attention_heads=32, max_position_embeddings=max_pos,
                         rope_parameters={"rope_type": rope_type, **kwargs})
    inv_freq, attention_factor = ROPE_INIT_FUNCTIONS[rope_type](config, None, seq_len=seq_len)
    return inv_freq.double().numpy(), attention_factor


def test_llama31_scaling_matches_transformers():
    pytest.importorskip("transformers")
    r = results("position-encodings")
    inv_freq, _ = rope_init("llama3", rope_theta=float(r["llama3_rope_theta"]), factor=float(r["llama31_factor"]),
                            low_freq_factor=1.0, high_freq_factor=4.0,
                            original_max_position_embeddings=r["llama3_context"],
                            max_position_embeddings=r["llama31_context"])
    assert inv_freq[r["inv_freq_sample_idx"]] == pytest.approx(np.array(r["llama31_inv_freq_sample"]), rel=2e-6)
    base = 1.0 / (r["llama3_rope_theta"] ** (np.arange(0, 128, 2) / 128))
    assert int(np.isclose(inv_freq, base, rtol=1e-5).sum()) == r["llama31_kept"]
    assert int(np.isclose(inv_freq, base / r["llama31_factor"], rtol=1e-5).sum()) == r["llama31_divided"]


def test_yarn_matches_transformers():
    pytest.importorskip("transformers")
    r = results("position-encodings")
    inv_freq, attention_factor = rope_init(
        "yarn", rope_theta=float(r["llama2_rope_theta"]), factor=float(r["ext_scale"]),
        original_max_position_embeddings=r["ext_original_context"], max_position_embeddings=r["ext_target_context"])
    assert inv_freq[r["inv_freq_sample_idx"]] == pytest.approx(np.array(r["yarn_inv_freq_sample"]), rel=2e-6)
    base = 1.0 / (r["llama2_rope_theta"] ** (np.arange(0, 128, 2) / 128))
    assert int(np.isclose(inv_freq, base, rtol=1e-5).sum()) == r["yarn_kept_pairs"]
    assert int(np.isclose(inv_freq, base / r["ext_scale"], rtol=1e-5).sum()) == r["yarn_interp_pairs"]
    assert attention_factor == pytest.approx(r["yarn_sqrt_inv_t_s16"], abs=5e-5)


def test_ntk_aware_base_matches_dynamic_ntk():
    """transformers' dynamic NTK at seq_len = s * L with factor 1 is the static NTK-aware base change."""
    pytest.importorskip("transformers")
    r = results("position-encodings")
    inv_freq, _ = rope_init("dynamic", seq_len=r["ext_target_context"], rope_theta=float(r["llama2_rope_theta"]),
                            factor=1.0, max_position_embeddings=r["ext_original_context"])
    assert inv_freq[r["inv_freq_sample_idx"]] == pytest.approx(np.array(r["ntk_inv_freq_sample"]), rel=2e-6)
    # the published base reproduces the slowest frequency: theta_63 = base'^(-126/128)
    assert inv_freq[-1] == pytest.approx(r["ntk_base"] ** (-126 / 128), rel=1e-5)


def test_learned_position_table_sizes():
    pytest.importorskip("transformers")
    from transformers import BertConfig, BertModel, GPT2Config, GPT2Model

    r = results("position-encodings")
    with torch.device("meta"):
        gpt2 = GPT2Model(GPT2Config())
        bert = BertModel(BertConfig())
    assert gpt2.wpe.weight.numel() == r["gpt2_wpe_params"]
    assert bert.embeddings.position_embeddings.weight.numel() == r["bert_wpe_params"]


# T29: normalization layers ------------------------------------------------------------------

def test_layernorm_and_rmsnorm_match_torch_modules():
    r = results("transformer-normalization")
    x = torch.tensor(r["norm_check_x"], dtype=torch.float64)
    d = x.shape[-1]
    ln = torch.nn.LayerNorm(d, eps=1e-5, dtype=torch.float64)
    rms = torch.nn.RMSNorm(d, eps=1e-5, dtype=torch.float64)
    with torch.no_grad():
        ln.weight.copy_(torch.tensor(r["norm_check_gamma"], dtype=torch.float64))
        ln.bias.copy_(torch.tensor(r["norm_check_beta"], dtype=torch.float64))
        rms.weight.copy_(torch.tensor(r["norm_check_gamma"], dtype=torch.float64))
        assert ln(x).numpy() == pytest.approx(np.array(r["norm_check_ln"]), abs=1e-12)
        assert rms(x).numpy() == pytest.approx(np.array(r["norm_check_rms"]), abs=1e-12)


def test_batchnorm_cannot_normalise_a_single_token():
    """Decoding one token with batch size 1: the notebook finds BatchNorm's output collapses to beta
    (batch variance 0); PyTorch's training-mode BatchNorm refuses such a batch outright. With more
    than one token, torch agrees with the notebook's batch statistics (the output has zero mean)."""
    r = results("transformer-normalization")
    assert r["bn_single_token_max_abs"] == 0.0
    bn = torch.nn.BatchNorm1d(16, dtype=torch.float64).train()
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        bn(torch.randn(1, 16, 1, dtype=torch.float64))  # (batch, features, positions)
    out = bn(torch.randn(1, 16, 5, dtype=torch.float64))
    assert out.mean(dim=(0, 2)).abs().max().item() < 1e-12


# T29: Pre-LN vs Post-LN gradients, same construction, PyTorch autograd --------------------

def make_model(seed, n_layers, d, n_tokens, vocab):
    """Mirror of the notebook's draw order (numpy generator): inputs, targets, per layer
    Wq Wk Wv Wo W1 W2 (Xavier normal), then the output projection."""
    rng = np.random.default_rng(seed)

    def xavier(fan_in, fan_out):
        return rng.normal(0.0, math.sqrt(2.0 / (fan_in + fan_out)), (fan_in, fan_out))

    x = rng.standard_normal((n_tokens, d))
    targets = rng.integers(vocab, size=n_tokens)
    layers = []
    for _ in range(n_layers):
        layer = {}
        for name, shape in [("Wq", (d, d)), ("Wk", (d, d)), ("Wv", (d, d)), ("Wo", (d, d)),
                            ("W1", (d, 4 * d)), ("W2", (4 * d, d))]:
            layer[name] = torch.tensor(xavier(*shape), requires_grad=True)
        layers.append(layer)
    return torch.tensor(x), torch.tensor(targets), layers, torch.tensor(xavier(d, vocab))


def w2_grad_norms_torch(seed, n_layers, post_ln, d, n_tokens, vocab):
    x, targets, layers, w_out = make_model(seed, n_layers, d, n_tokens, vocab)
    ln = lambda h: F.layer_norm(h, (d,), eps=1e-5)  # noqa: E731

    def attn(h, p):
        q, k, v = h @ p["Wq"], h @ p["Wk"], h @ p["Wv"]
        return F.scaled_dot_product_attention(q[None], k[None], v[None])[0] @ p["Wo"]

    def ffn(h, p):
        return torch.relu(h @ p["W1"]) @ p["W2"]

    for p in layers:
        if post_ln:
            x = ln(x + attn(x, p))
            x = ln(x + ffn(x, p))
        else:
            x = x + attn(ln(x), p)
            x = x + ffn(ln(x), p)
    if not post_ln:
        x = ln(x)
    F.cross_entropy(x @ w_out, targets).backward()
    return np.array([p["W2"].grad.norm().item() for p in layers])


def test_pre_and_post_ln_gradients_match_autograd():
    r = results("transformer-normalization")
    cfg = {"d": r["grad_d"], "n_tokens": r["grad_n_tokens"], "vocab": r["grad_vocab"]}
    seeds, n_layers = range(r["grad_seeds"]), r["grad_n_layers"]
    post = np.median([w2_grad_norms_torch(s, n_layers, True, **cfg) for s in seeds], axis=0)
    pre = np.median([w2_grad_norms_torch(s, n_layers, False, **cfg) for s in seeds], axis=0)
    assert post == pytest.approx(np.array(r["grad_post_median"]), rel=1e-4)
    assert pre == pytest.approx(np.array(r["grad_pre_median"]), rel=1e-4)
    # the ordering the page reports
    assert post[-1] / pre[-1] == pytest.approx(r["grad_post_pre_ratio_last"], rel=1e-3)
    assert post[-1] > pre[-1] and pre[0] > pre[-1]


def test_last_layer_gradient_versus_depth_matches_autograd():
    r = results("transformer-normalization")
    cfg = {"d": r["grad_d"], "n_tokens": r["grad_n_tokens"], "vocab": r["grad_vocab"]}
    seeds = range(r["grad_seeds"])
    for n_layers, post_pub, pre_pub in zip(r["grad_depths"], r["grad_post_last_by_depth"], r["grad_pre_last_by_depth"]):
        if n_layers >= r["grad_n_layers"]:
            continue  # 24 layers is checked above; 48 only costs time
        post = np.median([w2_grad_norms_torch(s, n_layers, True, **cfg)[-1] for s in seeds])
        pre = np.median([w2_grad_norms_torch(s, n_layers, False, **cfg)[-1] for s in seeds])
        assert post == pytest.approx(post_pub, rel=1e-4)
        assert pre == pytest.approx(pre_pub, rel=1e-4)
