"""Independent oracles for transformer-parameter-counts.ipynb and mixture-of-experts.ipynb.

The notebooks count parameters from their own list of tensor shapes and a closed form, and simulate
MoE routing in numpy. Here the same numbers come from code that shares nothing with them:
Hugging Face `transformers` models built from `GPT2Config`, `LlamaConfig` and `MixtralConfig` on
PyTorch's meta device (full size, no memory), PyTorch's `FlopCounterMode` for the forward FLOPs,
the Mixtral load-balancing loss of `transformers`, and a cumsum-based capacity dispatch in torch.
"""

from __future__ import annotations

import pytest

from conftest import notebook_results

torch = pytest.importorskip("torch", reason="PyTorch not installed: `pip install torch==2.13.0` (CPU build)")
transformers = pytest.importorskip("transformers", reason="transformers not installed")


def results(name: str) -> dict:
    return notebook_results(name)


COUNTS = "transformer-parameter-counts"
MOE = "mixture-of-experts"


def gpt2_config():
    return transformers.GPT2Config()                  # the defaults are GPT-2 small


def llama3_8b_config():                               # meta-llama/Meta-Llama-3-8B config.json
    return transformers.LlamaConfig(
        hidden_size=4096, intermediate_size=14336, num_hidden_layers=32, num_attention_heads=32,
        num_key_value_heads=8, vocab_size=128256, max_position_embeddings=8192, rope_theta=500000.0,
        rms_norm_eps=1e-5, tie_word_embeddings=False, attention_bias=False, mlp_bias=False)


def mixtral_config():                                 # mistralai/Mixtral-8x7B-v0.1 config.json
    return transformers.MixtralConfig(
        hidden_size=4096, intermediate_size=14336, num_hidden_layers=32, num_attention_heads=32,
        num_key_value_heads=8, vocab_size=32000, num_local_experts=8, num_experts_per_tok=2,
        max_position_embeddings=32768, rope_theta=1e6, rms_norm_eps=1e-5, tie_word_embeddings=False)


def build(config):
    with torch.device("meta"):
        return transformers.AutoModelForCausalLM.from_config(config)


def category(name: str) -> str:
    if any(key in name for key in ("wte", "wpe", "embed_tokens", "lm_head")):
        return "embedding"
    if any(key in name for key in ("ln_", "norm")):
        return "norm"
    if any(key in name for key in ("attn", "self_attn")):
        return "attention"
    if "mlp" in name or "experts" in name or "gate" in name:
        return "mlp"
    raise AssertionError(f"unclassified parameter {name}")


def breakdown(model) -> dict:
    out = {"embedding": 0, "attention": 0, "mlp": 0, "norm": 0}
    for name, p in model.named_parameters():          # tied tensors are listed once
        out[category(name)] += p.numel()
    return out


@pytest.mark.parametrize("prefix, make", [("gpt2", gpt2_config), ("llama3_8b", llama3_8b_config)])
def test_dense_totals_and_breakdown_match_transformers(prefix, make):
    r = results(COUNTS)
    model = build(make())
    parts = breakdown(model)
    assert sum(p.numel() for p in model.parameters()) == sum(parts.values()) == r[f"{prefix}_total"]
    for cat in ("attention", "mlp", "norm"):
        assert parts[cat] == r[f"{prefix}_{cat}"], cat
    if prefix == "gpt2":
        assert model.lm_head.weight is model.transformer.wte.weight          # tied: counted once
        assert parts["embedding"] == r["gpt2_token_embedding"] + r["gpt2_position_embedding"]
    else:
        assert model.lm_head.weight is not model.model.embed_tokens.weight  # untied: two V x d matrices
        assert parts["embedding"] == 2 * r["llama3_8b_embedding"]
        layer = model.model.layers[0]
        assert sum(p.numel() for p in layer.self_attn.parameters()) == r["llama3_8b_attn_per_layer"]
        assert sum(p.numel() for p in layer.mlp.parameters()) == r["llama3_8b_mlp_per_layer"]
        assert sum(p.numel() for p in layer.parameters()) == r["llama3_8b_per_layer"]


def expert_params(moe_block, n_experts: int) -> int:
    """Parameters of one expert, read from the module's tensors (fused 3-D or a list of modules)."""
    experts = moe_block.experts
    if isinstance(experts, torch.nn.ModuleList):
        sizes = {sum(p.numel() for p in e.parameters()) for e in experts}
        assert len(sizes) == 1
        return sizes.pop()
    total = 0
    for p in experts.parameters():
        assert p.shape[0] == n_experts              # one slice per expert
        total += p[0].numel()
    return total


def test_mixtral_total_and_active_match_transformers():
    r = results(COUNTS)
    config = mixtral_config()
    model = build(config)
    total = sum(p.numel() for p in model.parameters())
    assert total == r["mixtral_total"]
    block = model.model.layers[0].mlp
    per_expert = expert_params(block, config.num_local_experts)
    assert per_expert == r["mixtral_expert_params"] == 3 * config.hidden_size * config.intermediate_size
    idle = config.num_local_experts - config.num_experts_per_tok
    active = total - idle * per_expert * config.num_hidden_layers
    assert active == r["mixtral_active"]
    # Mistral reports 46.7B total and 12.9B active
    assert round(total / 1e9, 1) == 46.7 and round(active / 1e9, 1) == 12.9


def test_forward_flops_match_pytorch_flop_counter():
    """FlopCounterMode counts every matmul of one forward pass. It counts the full n x n attention
    scores (QK^T and AV); with a causal mask a token attends on average to (n + 1) / 2 positions,
    so the notebook's exact count keeps (n + 1) / 2n of that part."""
    from torch.utils.flop_counter import FlopCounterMode

    r = results(COUNTS)
    for prefix, make, n in (("gpt2", gpt2_config, 1024), ("llama3_8b", llama3_8b_config, 8192)):
        model = build(make()).eval()
        with torch.device("meta"):
            ids = torch.zeros((1, n), dtype=torch.long)
        with torch.no_grad(), FlopCounterMode(display=False) as counter:
            model(input_ids=ids)
        counts = {str(k): v for k, v in counter.get_flop_counts()["Global"].items()}
        attention = counts.pop("aten.bmm", 0) + counts.pop("aten._scaled_dot_product_flash_attention", 0) \
            + counts.pop("aten._scaled_dot_product_efficient_attention", 0)
        matmul = sum(counts.values())                 # linear layers and the LM head
        assert matmul == n * r[f"{prefix}_fwd_flops_matmul"]
        causal = attention * (n + 1)
        assert causal % (2 * n) == 0
        assert matmul + causal // (2 * n) == n * r[f"{prefix}_fwd_flops_exact"]


def test_switch_aux_loss_matches_transformers():
    """transformers' load_balancing_loss_func is N * sum_i f_i P_i with f_i the share of tokens
    routed to expert i; for top-k it counts k assignments per token, so it equals k at balance."""
    from transformers.models.mixtral.modeling_mixtral import load_balancing_loss_func

    r = results(MOE)
    logits = torch.tensor(r["small_logits"], dtype=torch.float64)
    n_experts = logits.shape[1]
    top1 = load_balancing_loss_func((logits,), n_experts, top_k=1)
    top2 = load_balancing_loss_func((logits,), n_experts, top_k=2)
    assert float(top1) == pytest.approx(r["small_aux_top1"], abs=1e-6)
    assert float(top2) / 2 == pytest.approx(r["small_aux_top2"], abs=1e-6)
    balanced = torch.eye(n_experts, dtype=torch.float64).repeat(4, 1) * 4.0
    assert float(load_balancing_loss_func((balanced,), n_experts, top_k=1)) == pytest.approx(r["aux_balanced"])


def test_capacity_drops_match_cumsum_dispatch():
    """Switch-style dispatch: a token's position in its expert's queue is a cumulative sum over the
    one-hot assignments; it is dropped when that position reaches the capacity."""
    r = results(MOE)
    logits = torch.tensor(r["small_logits"])
    n_tokens, n_experts = logits.shape
    assignment = torch.nn.functional.one_hot(torch.softmax(logits, dim=-1).argmax(dim=-1), n_experts)
    position = torch.cumsum(assignment, dim=0) * assignment - 1          # -1 where not assigned
    capacity = int(n_tokens / n_experts * 1.0)
    kept = ((position >= 0) & (position < capacity)).sum()
    assert n_tokens - int(kept) == r["small_dropped_cf1"]
