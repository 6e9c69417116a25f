"""Independent oracles for notebooks/training-memory.ipynb (T35).

The notebook does its byte accounting with plain arithmetic. These tests measure the same
quantities on real PyTorch objects: the state tensors of a `torch.optim.AdamW` step, the
tensors autograd saves for backward (captured with `torch.autograd.graph.saved_tensors_hooks`
and deduplicated by storage) in a bf16 GPT-2-style block, in Llama-style sub-blocks and under
`torch.utils.checkpoint`, the saved tensors of `scaled_dot_product_attention`, and the
Llama-2-7B parameter count from `transformers` on the meta device.

What PyTorch saves differs from Korthikanti et al. in two implementation details, both
asserted exactly below: on CPU `F.dropout` multiplies by a noise tensor of the input dtype
(2-byte masks; CUDA dispatches to the fused `native_dropout`, which keeps 1-byte bool masks,
so the GPT test uses `torch.native_dropout`); and LayerNorm keeps per-token mean/rstd, which
the paper neglects (4sb elements against 34sbh bytes).
"""

from __future__ import annotations

import math

import pytest

from conftest import notebook_results

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
nn, F = torch.nn, torch.nn.functional

GiB = 2**30
S, B, H, A, FFN = 128, 2, 256, 4, 704       # small shapes: 5as/h = 10, f/h = 2.75


@pytest.fixture(scope="module")
def r() -> dict:
    return notebook_results("training-memory")


def saved_storages(fn, exclude, *inputs):
    """Run fn under saved-tensor hooks; return {storage ptr: (nbytes, dtype, shape)} minus `exclude`."""
    saved = []

    def pack(t):
        saved.append(t)
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = fn(*inputs)
    skip = {t.untyped_storage().data_ptr() for t in exclude}
    seen = {}
    for t in saved:
        st = t.untyped_storage()
        if st.data_ptr() not in skip:
            seen[st.data_ptr()] = (st.nbytes(), t.dtype, tuple(t.shape))
    return out, seen


# --- static memory: parameters, gradients, AdamW state -------------------------------------

def test_llama2_7b_parameter_count_matches_transformers(r):
    cfg = transformers.LlamaConfig(vocab_size=r["llama2_7b_vocab"], hidden_size=4096,
                                   intermediate_size=r["llama2_7b_ffn"], num_hidden_layers=32,
                                   num_attention_heads=32, num_key_value_heads=32, tie_word_embeddings=False)
    with torch.device("meta"):
        model = transformers.LlamaForCausalLM(cfg)
    assert sum(p.numel() for p in model.parameters()) == r["llama2_7b_params"]


def test_adamw_state_is_two_fp32_values_per_parameter(r):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 128), nn.GELU(), nn.Linear(128, 10))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    model(torch.randn(8, 64)).square().mean().backward()
    opt.step()
    n = sum(p.numel() for p in model.parameters())
    state = [s for p in model.parameters() for s in (opt.state[p]["exp_avg"], opt.state[p]["exp_avg_sq"])]
    assert all(s.dtype == torch.float32 for s in state)
    assert sum(s.numel() for s in state) == 2 * n
    assert sum(s.numel() * s.element_size() for s in state) == r["adam_state_bytes_per_param"] * n


def test_mixed_precision_adam_is_16_bytes_per_parameter(r):
    """bf16 working copy + bf16 grads, fp32 master copy stepped by AdamW: count every byte held."""
    torch.manual_seed(0)
    master = nn.Sequential(nn.Linear(64, 128), nn.GELU(), nn.Linear(128, 10))       # fp32
    work = nn.Sequential(nn.Linear(64, 128), nn.GELU(), nn.Linear(128, 10)).to(torch.bfloat16)
    work.load_state_dict(master.state_dict())
    opt = torch.optim.AdamW(master.parameters(), lr=1e-3)
    work(torch.randn(8, 64, dtype=torch.bfloat16)).float().square().mean().backward()
    for pm, pw in zip(master.parameters(), work.parameters()):
        pm.grad = pw.grad.float()            # transient fp32 copy of the gradient, freed after the step
    opt.step()
    for pm in master.parameters():
        pm.grad = None
    n = sum(p.numel() for p in master.parameters())
    held = sum(p.numel() * p.element_size() for p in work.parameters())              # bf16 weights
    held += sum(p.grad.numel() * p.grad.element_size() for p in work.parameters())   # bf16 grads
    held += sum(p.numel() * p.element_size() for p in master.parameters())           # fp32 master
    held += sum(s.numel() * s.element_size() for p in master.parameters()
                for k, s in opt.state[p].items() if k != "step")                      # m, v
    assert held == r["mp_adam_bytes_per_param"] * n
    assert r["zero_k"] == r["mp_adam_bytes_per_param"] - 4


# --- activations of a GPT-2-style block -----------------------------------------------------

class GPTBlock(nn.Module):
    """Pre-LN GPT-2 block: MHA with causal softmax, 4h GeLU MLP, dropout on attention and residuals."""

    def __init__(self, h, a, p=0.1, fused_dropout=True):
        super().__init__()
        self.a, self.p, self.fused = a, p, fused_dropout
        self.ln1, self.ln2 = nn.LayerNorm(h), nn.LayerNorm(h)
        self.qkv, self.proj = nn.Linear(h, 3 * h), nn.Linear(h, h)
        self.fc1, self.fc2 = nn.Linear(h, 4 * h), nn.Linear(4 * h, h)

    def drop(self, x):
        return torch.native_dropout(x, self.p, True)[0] if self.fused else F.dropout(x, self.p, True)

    def forward(self, x, mask):
        b, s, h = x.shape
        d = h // self.a
        q, k, v = (t.view(b, s, self.a, d).transpose(1, 2) for t in self.qkv(self.ln1(x)).split(h, -1))
        scores = (q @ k.transpose(-2, -1)) * (1 / math.sqrt(d))
        probs = self.drop(scores.masked_fill(mask, float("-inf")).softmax(-1))
        x = x + self.drop(self.proj((probs @ v).transpose(1, 2).reshape(b, s, h)))
        return x + self.drop(self.fc2(F.gelu(self.fc1(self.ln2(x)))))


def gpt_block_saved(fused_dropout):
    torch.manual_seed(0)
    blk = GPTBlock(H, A, fused_dropout=fused_dropout).to(torch.bfloat16).train()
    mask = torch.ones(S, S, dtype=torch.bool).triu(1)
    x = torch.randn(B, S, H, dtype=torch.bfloat16, requires_grad=True)
    _, seen = saved_storages(lambda x: blk(x, mask), [*blk.parameters(), mask], x)
    stats = [v for v in seen.values() if v[2][-1] == 1]            # LayerNorm per-token mean / rstd
    acts = [v for v in seen.values() if v[2][-1] != 1]
    assert len(stats) == 4 and all(math.prod(v[2]) == S * B for v in stats)
    return sum(v[0] for v in acts), sum(v[0] for v in stats), acts


def test_gpt_block_saved_bytes_equal_korthikanti_formula(r):
    """With 1-byte dropout masks (the fused kernel CUDA uses) the block saves exactly sbh(34 + 5as/h)."""
    act_bytes, stat_bytes, acts = gpt_block_saved(fused_dropout=True)
    assert sum(1 for v in acts if v[1] == torch.bool) == 3                # three dropout masks
    formula = S * B * H * (r["gpt_sbh_coef"] + r["gpt_as2b_coef"] * A * S / H)
    assert act_bytes == formula
    assert stat_bytes < 0.01 * formula


def test_gpt_block_cpu_dropout_keeps_2_byte_masks(r):
    """F.dropout on CPU saves its noise in the input dtype: every mask costs 2 bytes, not 1."""
    act_bytes, _, acts = gpt_block_saved(fused_dropout=False)
    assert not any(v[1] == torch.bool for v in acts)
    assert act_bytes == S * B * H * ((r["gpt_sbh_coef"] + 2) + (r["gpt_as2b_coef"] + 1) * A * S / H)


def test_checkpoint_keeps_only_the_block_input_and_same_gradients():
    torch.manual_seed(0)
    blk = GPTBlock(H, A).to(torch.bfloat16).train()
    mask = torch.ones(S, S, dtype=torch.bool).triu(1)
    x = torch.randn(B, S, H, dtype=torch.bfloat16, requires_grad=True)
    ckpt = lambda x: torch.utils.checkpoint.checkpoint(blk, x, mask, use_reentrant=False)  # noqa: E731
    torch.manual_seed(1)
    y, seen = saved_storages(ckpt, [*blk.parameters(), mask], x)
    assert [v[0] for v in seen.values()] == [2 * S * B * H]              # only the bf16 input: 2sbh
    y.float().sum().backward()
    g_ckpt = x.grad.clone()
    x.grad = None
    torch.manual_seed(1)                                                 # same dropout draws
    blk(x, mask).float().sum().backward()
    assert torch.equal(g_ckpt, x.grad)


# --- Llama-style sub-blocks: the constant 16 + 8f/h + 2as/h --------------------------------

def rope(x, cos, sin):
    x1, x2 = x.chunk(2, -1)
    return x * cos + torch.cat((-x2, x1), -1) * sin


def test_llama_attention_and_swiglu_saved_bytes(r):
    torch.manual_seed(0)
    d = H // A
    wq, wk, wv, wo = (nn.Linear(H, H, bias=False).to(torch.bfloat16) for _ in range(4))
    gate, up = (nn.Linear(H, FFN, bias=False).to(torch.bfloat16) for _ in range(2))
    down = nn.Linear(FFN, H, bias=False).to(torch.bfloat16)
    ang = torch.arange(S)[:, None] * (10000 ** (-torch.arange(0, d, 2) / d))[None]
    cos, sin = (torch.cat((f(ang), f(ang)), -1).to(torch.bfloat16) for f in (torch.cos, torch.sin))
    mask = torch.ones(S, S, dtype=torch.bool).triu(1)
    consts = [*wq.parameters(), *wk.parameters(), *wv.parameters(), *wo.parameters(),
              *gate.parameters(), *up.parameters(), *down.parameters(), cos, sin, mask]

    def attention(x):                     # x is the (already normalised) input; no dropout in Llama
        heads = lambda t: t.view(B, S, A, d).transpose(1, 2)  # noqa: E731
        q, k, v = rope(heads(wq(x)), cos, sin), rope(heads(wk(x)), cos, sin), heads(wv(x))
        p = ((q @ k.transpose(-2, -1)) / math.sqrt(d)).masked_fill(mask, float("-inf")).softmax(-1)
        return wo((p @ v).transpose(1, 2).reshape(B, S, H))

    def swiglu(x):
        return down(F.silu(gate(x)) * up(x))

    x = torch.randn(B, S, H, dtype=torch.bfloat16, requires_grad=True)
    _, att = saved_storages(attention, consts, x)
    _, mlp = saved_storages(swiglu, consts, x)
    att_bytes, mlp_bytes = sum(v[0] for v in att.values()), sum(v[0] for v in mlp.values())
    sbh, sbf = S * B * H, S * B * FFN
    assert mlp_bytes == 2 * sbh + r["llama_ffn_sbf_coef"] * sbf
    assert att_bytes == 10 * sbh + r["llama_as2b_coef"] * A * S * S * B
    # plus two norms that keep only their 16-bit input (2sbh each): the notebook's 16 + 8f/h + 2as/h
    assert att_bytes + mlp_bytes + 2 * 2 * sbh == sbh * (
        r["llama_norm_attn_sbh_coef"] + r["llama_ffn_sbf_coef"] * FFN / H + r["llama_as2b_coef"] * A * S / H)


def test_unfused_rms_norm_saves_fp32_copies():
    """The norm terms above assume a fused kernel that keeps only its 16-bit input (2sbh). PyTorch's
    composite F.rms_norm (what runs on CPU) upcasts to fp32 and keeps fp32 tensors of the full size."""
    x = torch.randn(B, S, H, dtype=torch.bfloat16, requires_grad=True)
    w = torch.ones(H, dtype=torch.bfloat16, requires_grad=True)
    _, seen = saved_storages(lambda x: F.rms_norm(x, (H,), w, 1e-5), [w], x)
    assert any(dtype == torch.float32 and math.prod(shape) == S * B * H for _, dtype, shape in seen.values())
    assert sum(nbytes for nbytes, _, _ in seen.values()) > 2 * S * B * H


def test_fused_attention_never_saves_the_score_matrix():
    """scaled_dot_product_attention saves Q, K, V, the output and a per-row logsumexp: nothing of size s²."""
    torch.manual_seed(0)
    q, k, v = (torch.randn(B, A, S, H // A, dtype=torch.bfloat16, requires_grad=True) for _ in range(3))
    _, seen = saved_storages(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True), [], q, k, v)
    assert not any(shape[-2:] == (S, S) for _, _, shape in seen.values())
    total = sum(nbytes for nbytes, _, _ in seen.values())
    assert total == 4 * 2 * S * B * H + 4 * A * S * B                    # Q, K, V, O (bf16) + fp32 logsumexp


def test_notebook_totals_are_consistent(r):
    sbh = r["seq_len"] * r["micro_batch"] * 4096
    layer = sbh * r["llama2_7b_sbh_coef"]
    assert math.isclose(r["act_layer_flash_gib"], layer / GiB, abs_tol=1e-3)
    assert math.isclose(r["act_layer_eager_gib"], sbh * (r["llama2_7b_sbh_coef"] + r["llama2_7b_attn_term"]) / GiB,
                        abs_tol=1e-3)
    ckpt = 32 * 2 * sbh + layer + 4 * 32 * r["seq_len"] * r["micro_batch"] + r["out_layer_gib"] * GiB
    assert math.isclose(r["act_full_ckpt_gib"], ckpt / GiB, abs_tol=0.01)
    assert math.isclose(r["static_gib"], r["mp_adam_bytes_per_param"] * r["llama2_7b_params"] / GiB, abs_tol=0.01)
