"""Independent oracles for notebooks/vit-clip.ipynb (T41).

The notebook counts ViT-B/16's tokens and parameters by hand and computes CLIP's symmetric
cross-entropy and SigLIP's sigmoid loss in numpy. These tests recompute the published numbers
with Hugging Face `transformers` (ViTConfig defaults, ViTModel / ViTForImageClassification built
on the meta device, the CLIP loss function in modeling_clip, CLIPConfig's initial logit scale) and
PyTorch (cross_entropy, logsigmoid, Conv2d). The toy embeddings are regenerated from the seed,
shapes and noise scale the notebook publishes.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import notebook_results

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
F = torch.nn.functional


@pytest.fixture(scope="module")
def r() -> dict:
    return notebook_results("vit-clip")


@pytest.fixture(scope="module")
def net() -> dict:
    return notebook_results("network-parameter-counts")


def n_params(module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_vit_config_defaults_are_vit_b16(r):
    cfg = transformers.ViTConfig()
    assert (cfg.hidden_size, cfg.num_hidden_layers, cfg.num_attention_heads, cfg.intermediate_size) == (768, 12, 12, 3072)
    assert (cfg.image_size, cfg.patch_size, cfg.num_channels) == (r["vit_image"], r["vit_patch"], 3)


def test_token_count_from_model_embeddings(r):
    with torch.device("meta"):
        model = transformers.ViTModel(transformers.ViTConfig(), add_pooling_layer=False)
    emb = model.embeddings
    assert emb.patch_embeddings.num_patches == r["vit_patches"]
    assert emb.position_embeddings.shape[1] == r["vit_tokens"] == emb.patch_embeddings.num_patches + 1
    assert n_params(emb.patch_embeddings) == r["vit_patch_embed_params"]
    assert emb.position_embeddings.numel() == r["vit_pos_embed_params"]
    encoder = getattr(model, "encoder", None) or model.layers   # transformers 5 renamed encoder.layer -> layers
    assert n_params(encoder) == r["vit_encoder_params"]
    cfg384 = transformers.ViTConfig(image_size=384)
    with torch.device("meta"):
        m384 = transformers.ViTModel(cfg384, add_pooling_layer=False)
    assert m384.embeddings.position_embeddings.shape[1] == r["vit_tokens_384"]


def test_classifier_parameter_count_matches_torchvision_total(r, net):
    """ViTForImageClassification has no pooler (add_pooling_layer=False) and a 1000-way head on the
    final CLS token, the same structure as torchvision's vit_b_16 whose total network-parameter-counts
    publishes. ViTModel with its default pooler adds a 768x768 dense layer instead of the head."""
    cfg = transformers.ViTConfig(num_labels=1000)
    with torch.device("meta"):
        clf = transformers.ViTForImageClassification(cfg)
        base = transformers.ViTModel(transformers.ViTConfig())
    assert n_params(clf) == net["vit_b16_total"]
    assert n_params(clf.classifier) == r["vit_head_params"]
    assert n_params(base) == net["vit_b16_total"] - r["vit_head_params"] + 768 * 768 + 768
    assert round(r["vit_patch_embed_params"] / net["vit_b16_total"], 4) == r["vit_patch_embed_share"]


def test_patch_embedding_conv_equals_linear_on_flattened_patches(r):
    torch.manual_seed(0)
    p, d = r["vit_patch"], 32
    conv = torch.nn.Conv2d(3, d, kernel_size=p, stride=p).double()
    x = torch.randn(2, 3, r["vit_image"], r["vit_image"], dtype=torch.float64)
    out_conv = conv(x).flatten(2).transpose(1, 2)
    patches = F.unfold(x, kernel_size=p, stride=p).transpose(1, 2)            # (B, 196, 3*p*p)
    out_lin = patches @ conv.weight.reshape(d, -1).T + conv.bias
    assert out_conv.shape[1] == r["vit_patches"]
    assert (out_conv - out_lin).abs().max().item() < 1e-10


def toy_similarity(r) -> torch.Tensor:
    rng = np.random.default_rng(r["clip_seed"])
    img = rng.normal(size=(r["clip_n"], r["clip_dim"]))
    txt = img + r["clip_text_noise"] * rng.normal(size=(r["clip_n"], r["clip_dim"]))
    u = F.normalize(torch.from_numpy(img), dim=-1)
    v = F.normalize(torch.from_numpy(txt), dim=-1)
    return u @ v.T


def test_clip_initial_logit_scale(r):
    assert transformers.CLIPConfig().logit_scale_init_value == pytest.approx(r["clip_logit_scale_init"], abs=2e-4)  # config stores 2.6592
    assert math.exp(r["clip_logit_scale_init"]) == pytest.approx(1 / 0.07, rel=1e-4)
    assert r["clip_log_scale_cap"] == pytest.approx(math.log(r["clip_scale_cap"]), abs=1e-4)


@pytest.mark.parametrize("scale_key, loss_key", [("clip_scale_init", "clip_loss_init"),
                                                 ("clip_scale_cap", "clip_loss_cap")])
def test_clip_loss_with_torch_cross_entropy(r, scale_key, loss_key):
    scale = 1 / 0.07 if scale_key == "clip_scale_init" else r[scale_key]
    logits_per_image = scale * toy_similarity(r)
    labels = torch.arange(r["clip_n"])
    i2t = F.cross_entropy(logits_per_image, labels)
    t2i = F.cross_entropy(logits_per_image.T, labels)
    assert ((i2t + t2i) / 2).item() == pytest.approx(r[loss_key], abs=1e-9)
    if loss_key == "clip_loss_init":
        assert i2t.item() == pytest.approx(r["clip_loss_i2t_init"], abs=1e-9)
        assert t2i.item() == pytest.approx(r["clip_loss_t2i_init"], abs=1e-9)


def test_clip_loss_with_transformers_function(r):
    clip = transformers.models.clip.modeling_clip
    fn = getattr(clip, "clip_loss", None) or getattr(clip, "image_text_contrastive_loss")
    # transformers passes logits_per_text (text rows) to its loss; the mean of both directions is symmetric
    logits_per_text = (1 / 0.07) * toy_similarity(r).T
    assert fn(logits_per_text).item() == pytest.approx(r["clip_loss_init"], abs=1e-9)
    assert fn(torch.zeros(r["clip_n"], r["clip_n"])).item() == pytest.approx(r["clip_chance_loss"], abs=1e-4)


def test_retrieval_accuracy(r):
    sim = toy_similarity(r)
    labels = torch.arange(r["clip_n"])
    assert (sim.argmax(dim=1) == labels).double().mean().item() == r["clip_acc_i2t"]
    assert (sim.argmax(dim=0) == labels).double().mean().item() == r["clip_acc_t2i"]


def test_siglip_loss_with_torch_logsigmoid(r):
    """Same form as SiglipModel's loss in transformers: -sum(logsigmoid(z * logits)) / N."""
    logits = r["siglip_t_init"] * toy_similarity(r) + r["siglip_b_init"]
    z = 2 * torch.eye(r["clip_n"], dtype=torch.float64) - 1
    loss = -F.logsigmoid(z * logits).sum(dim=-1).mean()
    assert loss.item() == pytest.approx(r["siglip_loss_init"], abs=1e-9)
