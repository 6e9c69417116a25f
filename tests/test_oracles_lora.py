"""Independent oracles for notebooks/lora.ipynb (T37).

The notebook counts LoRA parameters from a hand-typed table of Llama-3-8B's linear layers, builds a
numpy LoRA layer, constructs the NF4 code book with the standard library's inverse normal CDF and
sums the memory of full fine-tuning, LoRA and QLoRA by hand. These tests recompute the published
numbers with code that shares nothing with it: Hugging Face `peft` (LoraConfig, get_peft_model,
merge_and_unload) on `transformers` Llama models (on the meta device for the 8B counts, a tiny
real-weight one for merging), SciPy's `norm.ppf` for the NF4 table, the table hard-coded in
bitsandbytes' source, and `torch.optim.AdamW` for the optimizer state per parameter.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from conftest import notebook_results

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
peft = pytest.importorskip("peft")

# raised inside transformers when PEFT inspects the model; not about anything tested here
pytestmark = pytest.mark.filterwarnings("ignore:.*is_gradient_checkpointing.*:FutureWarning")
GB = 10**9
TARGETS = {
    "qv": ["q_proj", "v_proj"],
    "qkvo": ["q_proj", "k_proj", "v_proj", "o_proj"],
    "all_linear": "all-linear",
}


@pytest.fixture(scope="module")
def r() -> dict:
    return notebook_results("lora")


def llama3_8b_config():
    """Meta-Llama-3-8B config.json."""
    return transformers.LlamaConfig(
        vocab_size=128256, hidden_size=4096, intermediate_size=14336, num_hidden_layers=32,
        num_attention_heads=32, num_key_value_heads=8, tie_word_embeddings=False,
        max_position_embeddings=8192, rope_theta=500000.0, rms_norm_eps=1e-5)


def meta_llama3_8b():
    with torch.device("meta"):
        return transformers.LlamaForCausalLM(llama3_8b_config())


def trainable_lora_params(targets, rank):
    model = meta_llama3_8b()
    cfg = peft.LoraConfig(r=rank, lora_alpha=2 * rank, target_modules=targets, task_type="CAUSAL_LM")
    with torch.device("meta"):
        pm = peft.get_peft_model(model, cfg)
    trainable = sum(p.numel() for p in pm.parameters() if p.requires_grad)
    total = sum(p.numel() for p in pm.parameters() if not p.requires_grad)
    return trainable, total


# Trainable parameter counts, counted by PEFT on the real module tree -----------------------

@pytest.mark.parametrize("name, rank", [("qv", 16), ("qkvo", 16), ("all_linear", 16),
                                        ("all_linear", 8), ("all_linear", 64)])
def test_trainable_parameters_match_peft(r, name, rank):
    trainable, frozen = trainable_lora_params(TARGETS[name], rank)
    assert trainable == r[f"lora_{name}_r{rank}"]
    if rank == 16:
        assert round(trainable / frozen, 6) == r[f"lora_{name}_r16_share"]


def test_all_linear_excludes_lm_head_and_touches_seven_projections(r):
    model = meta_llama3_8b()
    with torch.device("meta"):
        pm = peft.get_peft_model(model, peft.LoraConfig(r=16, target_modules="all-linear"))
    adapted = {n.rsplit(".", 1)[-1] for n, m in pm.named_modules() if hasattr(m, "lora_A")}
    assert adapted == {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"}
    per_layer = sum(p.numel() for n, p in pm.named_parameters() if ".layers.0." in n and "lora_" in n)
    assert per_layer == r["lora_all_linear_r16_per_layer"]


# Scaling, initialization and merging, with PEFT on a tiny real-weight model ------------------

def tiny_llama():
    torch.manual_seed(0)
    cfg = transformers.LlamaConfig(vocab_size=128, hidden_size=64, intermediate_size=96,
                                   num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                                   max_position_embeddings=64)
    return transformers.LlamaForCausalLM(cfg).eval()


def test_scaling_is_alpha_over_r_and_rslora_alpha_over_sqrt_r(r):
    rank, alpha = r["toy_r"], r["toy_alpha"]
    for rs, key in [(False, "toy_scaling"), (True, "rslora_scaling_toy")]:
        pm = peft.get_peft_model(tiny_llama(), peft.LoraConfig(r=rank, lora_alpha=alpha, use_rslora=rs,
                                                               target_modules=["q_proj"]))
        layer = pm.base_model.model.model.layers[0].self_attn.q_proj
        assert layer.scaling["default"] == pytest.approx(r[key])


def test_default_init_zero_b_kaiming_a_and_identical_output(r):
    base = tiny_llama()
    ids = torch.arange(16).reshape(2, 8)
    with torch.no_grad():
        ref = base(ids).logits
    pm = peft.get_peft_model(base, peft.LoraConfig(r=4, lora_alpha=8, target_modules="all-linear"))
    for m in pm.modules():
        if hasattr(m, "lora_A") and "default" in m.lora_A:
            a, b = m.lora_A["default"].weight, m.lora_B["default"].weight
            assert torch.count_nonzero(b) == 0
            assert a.abs().max() <= 1 / math.sqrt(a.shape[1])      # kaiming_uniform_(a=sqrt(5))
    with torch.no_grad():
        out = pm(ids).logits
    assert (out - ref).abs().max().item() == r["step0_max_abs_diff"] == 0.0


def test_merge_and_unload_equals_base_plus_scaled_ba_and_unmerged_output(r):
    base = tiny_llama()
    w0 = {n: p.detach().clone() for n, p in base.named_parameters()}
    pm = peft.get_peft_model(base, peft.LoraConfig(r=r["toy_r"], lora_alpha=r["toy_alpha"],
                                                   target_modules="all-linear", init_lora_weights=False))
    ids = torch.arange(16).reshape(2, 8)
    expected = {}
    for name, m in pm.named_modules():
        if hasattr(m, "lora_A") and "default" in m.lora_A:
            key = name.replace("base_model.model.", "", 1) + ".weight"
            ba = m.lora_B["default"].weight @ m.lora_A["default"].weight
            expected[key] = w0[key] + m.scaling["default"] * ba
    assert len(expected) == 2 * 7
    with torch.no_grad():
        unmerged = pm(ids).logits
    merged_model = pm.merge_and_unload()
    params = dict(merged_model.named_parameters())
    for key, w in expected.items():
        assert torch.allclose(params[key], w, atol=1e-6)
    with torch.no_grad():
        merged = merged_model(ids).logits
    diff = (merged - unmerged).abs().max().item()
    scale = unmerged.abs().max().item()
    # the notebook's float32 bound (relative to the output scale) holds for PEFT's merge as well
    assert diff <= 1e-5 * scale
    assert r["merge_max_abs_diff_fp32"] <= 1e-5 * r["toy_output_max"]


# NF4 code book ---------------------------------------------------------------------------

# bitsandbytes-foundation/bitsandbytes, bitsandbytes/functional.py, get_4bit_type("nf4")
NF4_BITSANDBYTES = [
    -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
    -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
    0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
    0.7229568362236023, 1.0,
]


def test_nf4_codes_match_scipy_recomputation_and_bitsandbytes_table(r):
    np = pytest.importorskip("numpy")
    norm = pytest.importorskip("scipy.stats").norm
    offset = r["nf4_offset"]
    pos = norm.ppf(np.linspace(offset, 0.5, 9)[:-1])
    neg = -norm.ppf(np.linspace(offset, 0.5, 8)[:-1])
    codes = np.sort(np.concatenate([pos, [0.0], neg]))
    codes /= codes.max()
    published = np.array(r["nf4_codes"])
    assert published.shape == (16,)
    assert np.abs(codes - published).max() < 1e-6
    assert np.abs(np.array(NF4_BITSANDBYTES) - published).max() < 1e-6
    assert r["nf4_offset_sd"] == pytest.approx(norm.ppf(offset), abs=5e-4)


def test_nf4_codes_carry_equal_probability_mass_per_half(r):
    """Consecutive positive codes (in units of the outermost quantile) are equally spaced in probability."""
    np = pytest.importorskip("numpy")
    norm = pytest.importorskip("scipy.stats").norm
    sd = norm.ppf(r["nf4_offset"])
    pos = np.array(r["nf4_codes"][8:]) * sd
    steps = np.diff(norm.cdf(pos))
    assert np.allclose(steps, steps[0], rtol=1e-5)


# Double quantization and the memory ledger ------------------------------------------------

def test_double_quantization_bits(r):
    before = Fraction(32, r["nf4_block"])
    after = Fraction(8, r["nf4_block"]) + Fraction(32, r["nf4_block"] * r["dq_block"])
    assert float(before) == r["bits_const"]
    assert round(float(after), 6) == r["bits_const_dq"]
    assert round(float(before - after), 6) == r["bits_saved_dq"]


def test_adamw_state_is_two_fp32_tensors_per_parameter():
    p = torch.nn.Parameter(torch.zeros(1000, dtype=torch.float32))
    opt = torch.optim.AdamW([p], lr=1e-3)
    p.grad = torch.ones_like(p)
    opt.step()
    state = opt.state[p]
    state_bytes = sum(t.numel() * t.element_size() for t in (state["exp_avg"], state["exp_avg_sq"]))
    assert state_bytes == 8 * p.numel()


def test_memory_ledger_from_the_meta_model(r):
    model = meta_llama3_8b()
    total = sum(p.numel() for p in model.parameters())
    assert total == r["llama3_8b_total"]
    # what transformers' bitsandbytes integration converts: nn.Linear, minus get_keys_to_not_convert
    skip = set(transformers.quantizers.base.get_keys_to_not_convert(model))
    linear = sum(m.weight.numel() for n, m in model.named_modules()
                 if isinstance(m, torch.nn.Linear) and n not in skip)
    assert "lm_head" in skip
    trainable, _ = trainable_lora_params("all-linear", 16)
    adapter = trainable * 16                                   # fp32 weight, grad, two Adam moments
    bits_nf4 = 4 + float(Fraction(8, 64) + Fraction(32, 64 * 256))
    qlora_base = linear * bits_nf4 / 8 + (total - linear) * 2
    assert round(16 * total / GB, 2) == r["mem_full_ft_gb"]
    assert round((2 * total + adapter) / GB, 2) == r["mem_lora_gb"]
    assert round(qlora_base / GB, 2) == r["base_qlora_gb"]
    assert round((qlora_base + adapter) / GB, 2) == r["mem_qlora_gb"]
    assert round(adapter / GB, 3) == r["adapter_state_gb"]
    assert round(linear * (0.5 - bits_nf4 + 4) / 8 / GB, 3) == r["dq_saving_gb"]
