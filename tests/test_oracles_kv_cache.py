"""Independent oracles for notebooks/kv-cache.ipynb (T26, T27, P10).

The notebook counts parameters and KV-cache bytes with numpy from the configuration and a
hand-written decoder. These tests recompute its published numbers with code that shares
nothing with it: Hugging Face `transformers` (LlamaForCausalLM built on the meta device, a
real DynamicCache filled by a tiny model on CPU, DeepseekV2Config), PyTorch's FLOP counter
on scaled_dot_product_attention, and `ml_dtypes` for the size of an fp8 element.
"""

from __future__ import annotations

import math

import pytest

from conftest import notebook_results

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

GiB = 2**30


@pytest.fixture(scope="module")
def r() -> dict:
    return notebook_results("kv-cache")


def llama3_8b_config(**overrides):
    """Meta-Llama-3-8B config.json (Llama-3.1-8B differs only in context length and RoPE scaling)."""
    fields = dict(vocab_size=128256, hidden_size=4096, intermediate_size=14336, num_hidden_layers=32,
                  num_attention_heads=32, num_key_value_heads=8, tie_word_embeddings=False,
                  max_position_embeddings=8192, rope_theta=500000.0, rms_norm_eps=1e-5)
    fields.update(overrides)
    return transformers.LlamaConfig(**fields)


# T26: parameter counts of the same model with MHA, GQA and MQA --------------------------

@pytest.mark.parametrize("kv_heads, key", [(8, "llama3_8b_params"), (32, "params_mha"),
                                           (1, "params_mqa")])
def test_parameter_count_matches_transformers_on_meta_device(r, kv_heads, key):
    cfg = llama3_8b_config(num_key_value_heads=kv_heads)
    with torch.device("meta"):
        model = transformers.LlamaForCausalLM(cfg)
    assert sum(p.numel() for p in model.parameters()) == r[key]


def test_attention_parameters_per_layer(r):
    for kv_heads, key in [(32, "attn_params_per_layer_mha"), (8, "attn_params_per_layer_gqa"),
                          (1, "attn_params_per_layer_mqa")]:
        cfg = llama3_8b_config(num_key_value_heads=kv_heads)
        with torch.device("meta"):
            attn = transformers.models.llama.modeling_llama.LlamaAttention(cfg, layer_idx=0)
        assert sum(p.numel() for p in attn.parameters()) == r[key]


@pytest.mark.parametrize("kv_heads", [32, 8, 1])
def test_decode_attention_flops_do_not_depend_on_kv_heads(r, kv_heads):
    """One new query token attending to n cached positions, counted by PyTorch's FLOP counter."""
    from torch.utils.flop_counter import FlopCounterMode

    n, heads, head_dim = r["decode_context"], 32, 128
    with torch.device("meta"):
        q = torch.empty(1, heads, 1, head_dim, dtype=torch.bfloat16)
        k = torch.empty(1, kv_heads, n, head_dim, dtype=torch.bfloat16)
        v = torch.empty(1, kv_heads, n, head_dim, dtype=torch.bfloat16)
    with FlopCounterMode(display=False) as counter:
        torch.nn.functional.scaled_dot_product_attention(q, k, v, enable_gqa=kv_heads != heads)
    assert counter.get_total_flops() == r["decode_attn_flops_per_layer"]
    read = (k.numel() + v.numel()) * k.element_size()
    assert read == r[{32: "decode_kv_bytes_per_layer_mha", 8: "decode_kv_bytes_per_layer_gqa",
                      1: "decode_kv_bytes_per_layer_mqa"}[kv_heads]]


def test_mla_cache_elements_match_deepseek_v2_config(r):
    """DeepSeek-V2: 60 layers, 128 heads; kv_lora_rank (d_c) and qk_rope_head_dim are the defaults."""
    cfg = transformers.DeepseekV2Config(num_hidden_layers=60, num_attention_heads=128)
    assert (cfg.kv_lora_rank, cfg.qk_rope_head_dim, cfg.v_head_dim) == (512, 64, 128)
    per_layer = cfg.kv_lora_rank + cfg.qk_rope_head_dim
    assert per_layer == r["mla_elems_per_layer"]
    assert per_layer * cfg.num_hidden_layers == r["mla_elems_per_token"]
    assert 2 * cfg.num_attention_heads * cfg.v_head_dim * cfg.num_hidden_layers == r["dsv2_mha_elems_per_token"]
    assert per_layer / (2 * cfg.v_head_dim) == r["mla_equiv_gqa_groups"]


# T27: what the cache holds and how big it is --------------------------------------------

def test_kv_bytes_per_token_of_llama31_8b(r):
    cfg = llama3_8b_config(max_position_embeddings=131072,
                           rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                         "high_freq_factor": 4.0, "original_max_position_embeddings": 8192})
    bf16 = torch.empty(0, dtype=torch.bfloat16).element_size()
    per_token = 2 * cfg.num_hidden_layers * cfg.num_key_value_heads * cfg.head_dim * bf16
    assert per_token == r["kv_bytes_per_token_bf16"]
    assert per_token * cfg.max_position_embeddings / GiB == r["kv_gib_128k_gqa"]
    assert per_token * 8192 / GiB == r["kv_gib_8k"]
    with torch.device("meta"):
        model = transformers.LlamaForCausalLM(cfg)
    weights = sum(p.numel() * p.element_size() for p in model.to(torch.bfloat16).parameters())
    assert weights == r["weights_bytes_bf16"]


def tiny_gqa_model(dtype):
    torch.manual_seed(0)
    cfg = transformers.LlamaConfig(vocab_size=97, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                                   num_attention_heads=8, num_key_value_heads=2, max_position_embeddings=64)
    return cfg, transformers.LlamaForCausalLM(cfg).to(dtype).eval()


def cache_layers(cache):
    return [(layer.keys, layer.values) for layer in cache.layers]


def step(model, ids, cache):
    """One forward pass reusing `cache`; newer transformers call the argument `cache`."""
    import inspect

    name = "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"
    out = model(ids, use_cache=True, **{name: cache})
    return out, getattr(out, "past_key_values", None) or out.cache


def test_dynamic_cache_holds_keys_and_values_of_the_formula_size():
    """A real DynamicCache after a prompt and each decoded token: 2·L·g·d_h·b bytes per token."""
    cfg, model = tiny_gqa_model(torch.bfloat16)
    ids = torch.randint(0, cfg.vocab_size, (1, 7), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        out, cache = step(model, ids, None)
        for i in range(4):
            t = ids.shape[1] + i
            layers = cache_layers(cache)
            assert len(layers) == cfg.num_hidden_layers
            for k, v in layers:
                assert k.shape == v.shape == (1, cfg.num_key_value_heads, t, cfg.head_dim)
            nbytes = sum(k.nbytes + v.nbytes for k, v in layers)
            assert nbytes == 2 * cfg.num_hidden_layers * cfg.num_key_value_heads * cfg.head_dim * 2 * t
            out, cache = step(model, out.logits[:, -1:].argmax(-1), cache)


def test_cached_decoding_equals_full_recomputation():
    cfg, model = tiny_gqa_model(torch.float64)
    ids = torch.randint(0, cfg.vocab_size, (1, 5), generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        out, cache = step(model, ids, None)
        seq = ids
        for _ in range(6):
            nxt = out.logits[:, -1:].argmax(-1)
            seq = torch.cat([seq, nxt], dim=1)
            out, cache = step(model, nxt, cache)
            full = model(seq, use_cache=False).logits[:, -1]
            assert torch.allclose(out.logits[:, -1], full, atol=1e-10)


# P10: how many tokens fit on one 80 GB GPU ----------------------------------------------

@pytest.mark.parametrize("gpu, util, dtype", [("gib", 92, "bf16"), ("gib", 92, "fp8"), ("gib", 90, "bf16"),
                                              ("gb", 92, "bf16"), ("gb", 92, "fp8")])
def test_p10_capacity_by_vllm_style_block_accounting(r, gpu, util, dtype):
    """vLLM: budget = total·utilization − peak (weights only here); blocks = budget // page // layers,
    page = 2·block_size·kv_heads·head_size·dtype_size per layer."""
    ml_dtypes = pytest.importorskip("ml_dtypes")
    import numpy as np

    cfg = llama3_8b_config()
    itemsize = {"bf16": torch.empty(0, dtype=torch.bfloat16).element_size(),
                "fp8": np.dtype(ml_dtypes.float8_e4m3fn).itemsize}[dtype]
    total = {"gib": 80 * GiB, "gb": 80 * 10**9}[gpu]
    with torch.device("meta"):
        model = transformers.LlamaForCausalLM(cfg).to(torch.bfloat16)
    weights = sum(p.numel() * p.element_size() for p in model.parameters())
    available = int(total * util / 100) - weights
    block = r["paged_block"]
    page = 2 * block * cfg.num_key_value_heads * cfg.head_dim * itemsize
    blocks = available // page // cfg.num_hidden_layers
    tag = f"p10_{gpu}_{util}_{dtype}"
    assert blocks == r[f"{tag}_blocks"]
    assert blocks * block == r[f"{tag}_tokens"]
    assert blocks // math.ceil(4096 / block) == r[f"{tag}_req_4k"]
    assert blocks // math.ceil(32768 / block) == r[f"{tag}_req_32k"]
