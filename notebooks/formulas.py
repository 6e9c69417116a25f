"""The closed forms the handbook computes with, in one place.

The notebooks import these functions (`from formulas import conv_output_size`), and the
calculation drills (docs/calculation-drills.md) are checked against them: the drill page
generates its problems in the browser, and tests/test_calculation_drills.py draws 500
problems of every kind in Chromium and compares each answer with this module and, where
PyTorch computes the same quantity, with PyTorch.

Pure Python, no NumPy: exact integers for counts, and the same float arithmetic the
browser does for ratios. Conventions are the ones the answers use and cite:

- Convolution sizes follow `torch.nn.Conv2d` and `torch.nn.ConvTranspose2d` (floor).
- Receptive field: r_l = r_{l-1} + (k_eff - 1) j_{l-1}, j_l = j_{l-1} s_l, with
  k_eff = k + (k - 1)(d - 1) (Araujo et al., "Computing Receptive Fields of CNNs", 2019).
- Boxes are (x1, y1, x2, y2) in continuous coordinates (COCO; no VOC "+1").
- AP: VOC2010+ all-point (area under the precision envelope) and VOC2007 11-point.
- Training memory: mixed-precision Adam keeps 2 + 2 + 12 bytes per parameter, and ZeRO
  stages 1, 2, 3 shard the 12, then the 2 of gradients, then the 2 of weights (Rajbhandari
  et al., "ZeRO", 2020).
"""

from __future__ import annotations

import math

# Convolutions ---------------------------------------------------------------------------


def effective_kernel(k: int, d: int = 1) -> int:
    """The span of a dilated kernel: d - 1 holes between each pair of its k taps."""
    return k + (k - 1) * (d - 1)


def conv_output_size(n: int, k: int, s: int = 1, p: int = 0, d: int = 1, ceil: bool = False) -> int:
    """Output length of a convolution or pooling along one axis (`ceil`: Caffe-style pooling)."""
    span = n + 2 * p - effective_kernel(k, d)
    if span < 0:
        raise ValueError(f"kernel span {effective_kernel(k, d)} exceeds padded input {n + 2 * p}")
    return (-(-span // s) if ceil else span // s) + 1


def conv_params(c_in: int, c_out: int, k: int, bias: bool = True, groups: int = 1) -> int:
    """Weights of a k x k convolution with `groups` groups (groups = c_in: depthwise), plus bias."""
    if c_in % groups or c_out % groups:
        raise ValueError(f"groups={groups} must divide c_in={c_in} and c_out={c_out}")
    return c_out * (c_in // groups) * k * k + (c_out if bias else 0)


def conv_macs(c_in: int, c_out: int, k: int, h_out: int, w_out: int, groups: int = 1) -> int:
    """Multiply-accumulates: one per weight per output position (bias adds are not counted)."""
    return c_out * h_out * w_out * (c_in // groups) * k * k


def transposed_conv_output_size(n: int, k: int, s: int = 1, p: int = 0, output_padding: int = 0, d: int = 1) -> int:
    """Output length of `torch.nn.ConvTranspose2d` along one axis."""
    if output_padding >= max(s, d):
        raise ValueError(f"output_padding={output_padding} must be smaller than stride or dilation")
    return (n - 1) * s - 2 * p + d * (k - 1) + output_padding + 1


def transposed_conv_overlap(k: int, s: int) -> tuple[int, int]:
    """Most and fewest input pixels that reach one output pixel, along one axis, away from the
    borders. Unequal (a checkerboard in 2-D) exactly when s does not divide k."""
    return -(-k // s), k // s


def receptive_field(layers) -> list[dict]:
    """Per layer (k, s, d) or (k, s, d, p): its effective kernel, the jump (input pixels
    between neighbouring outputs) before and after it, and the receptive field after it;
    with paddings, also where the first output's field is centred on the input. Pooling
    layers count like convolutions."""
    r, j, c = 1, 1, 0.0
    rows = []
    for layer in layers:
        k, s, d = layer[:3]
        ke = effective_kernel(k, d)
        row = {"k": k, "s": s, "d": d, "k_eff": ke, "j_in": j, "rf": r + (ke - 1) * j, "j_out": j * s}
        if len(layer) == 4:
            c += ((ke - 1) / 2 - layer[3]) * j
            row.update(p=layer[3], center=c)
        rows.append(row)
        r, j = row["rf"], row["j_out"]
    return rows


def bottleneck_params(c: int, m: int, k: int = 3) -> dict:
    """A k x k convolution c -> c against 1x1 c -> m, k x k m -> m, 1x1 m -> c (no biases)."""
    direct = conv_params(c, c, k, bias=False)
    bottleneck = conv_params(c, m, 1, bias=False) + conv_params(m, m, k, bias=False) + conv_params(m, c, 1, bias=False)
    return {"direct": direct, "bottleneck": bottleneck, "ratio": direct / bottleneck}


# Detection ------------------------------------------------------------------------------


def iou(a, b) -> float:
    """Intersection over union of boxes (x1, y1, x2, y2)."""
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    area = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1])
    return inter / (area - inter)


def precision_recall(hits, n_gt: int) -> tuple[list[float], list[float]]:
    """Precision and recall after each detection; `hits` are 1 (TP) or 0 (FP) in score order."""
    precision, recall, tp = [], [], 0
    for rank, hit in enumerate(hits, start=1):
        tp += hit
        precision.append(tp / rank)
        recall.append(tp / n_gt)
    return precision, recall


def precision_envelope(precision) -> list[float]:
    """The best precision at each point or any later one (higher recall)."""
    best, out = 0.0, []
    for value in reversed(precision):
        best = max(best, value)
        out.append(best)
    return out[::-1]


def ap_all_point(precision, recall) -> float:
    """VOC2010+ AP: the area under the precision envelope, summed where recall rises."""
    envelope = precision_envelope(precision)
    area, previous = 0.0, 0.0
    for p, r in zip(envelope, recall):
        area += (r - previous) * p
        previous = r
    return area


def ap_11_point(precision, recall) -> float:
    """VOC2007 AP: the mean of the best precision at recall >= 0, 0.1, ..., 1 (0 where none)."""
    # 1e-12: recall 3/10 is 0.30000000000000004 in floats and must count for the point 0.3
    return sum(max((p for p, r in zip(precision, recall) if r >= t / 10 - 1e-12), default=0.0)
               for t in range(11)) / 11


# Softmax and cross-entropy --------------------------------------------------------------


def softmax(z) -> list[float]:
    m = max(z)
    e = [math.exp(v - m) for v in z]
    total = sum(e)
    return [v / total for v in e]


def cross_entropy(z, label: int) -> float:
    """-log softmax(z)[label], through log-sum-exp so large logits do not overflow."""
    m = max(z)
    return m + math.log(sum(math.exp(v - m) for v in z)) - z[label]


def cross_entropy_grad(z, label: int) -> list[float]:
    """dL/dz = softmax(z) - onehot(label)."""
    return [p - (i == label) for i, p in enumerate(softmax(z))]


# Dropout --------------------------------------------------------------------------------


def inverted_dropout(a: float, p: float) -> dict:
    """An activation a under inverted dropout with drop probability p: the value a kept unit
    takes in training, its expectation in training, and its value at test time."""
    return {"kept": a / (1 - p), "train_mean": (1 - p) * a / (1 - p), "test": a}


# Transformers ---------------------------------------------------------------------------


def transformer_block_params(d_model: int, n_heads: int, n_kv_heads: int, head_dim: int, d_ff: int,
                             mlp: str = "swiglu", bias: bool = False, norm: str = "rmsnorm") -> dict:
    """One decoder block: Q, K, V, O projections (K and V with n_kv_heads: GQA), the MLP
    (SwiGLU: gate, up, down; GELU: up, down) and two norms (RMSNorm: a gain; LayerNorm: gain and bias)."""
    if n_heads % n_kv_heads:
        raise ValueError(f"n_kv_heads={n_kv_heads} must divide n_heads={n_heads}")
    q, kv = n_heads * head_dim, n_kv_heads * head_dim
    attention = 2 * d_model * q + 2 * d_model * kv + ((q + 2 * kv + d_model) if bias else 0)
    if mlp == "swiglu":
        ffn = 3 * d_model * d_ff + ((2 * d_ff + d_model) if bias else 0)
    elif mlp == "gelu":
        ffn = 2 * d_model * d_ff + ((d_ff + d_model) if bias else 0)
    else:
        raise ValueError(f"unknown mlp {mlp!r}")
    norms = 2 * (2 * d_model if norm == "layernorm" else d_model)
    return {"attention": attention, "mlp": ffn, "norms": norms, "total": attention + ffn + norms}


def kv_cache_bytes(n_layers: int, n_kv_heads: int, head_dim: int, seq_len: int, batch: int = 1,
                   bytes_per_elem: float = 2) -> float:
    """K and V, every layer, every KV head, every token of every sequence."""
    return 2 * n_layers * n_kv_heads * head_dim * seq_len * batch * bytes_per_elem


def lora_params(shapes, r: int, n_layers: int = 1) -> int:
    """Trainable LoRA parameters: A (r x d_in) and B (d_out x r) for every adapted (d_in, d_out)."""
    return n_layers * sum(r * (d_in + d_out) for d_in, d_out in shapes)


# Mixed-precision Adam: bf16 weights and gradients, fp32 master weights, Adam's m and v
ADAM_BYTES = {"weights": 2, "grads": 2, "optimizer": 12}


def training_state_bytes(n_params: float, zero_stage: int = 0, n_gpus: int = 1) -> dict:
    """Per GPU: weights, gradients and optimizer state of mixed-precision Adam, sharded over
    n_gpus data-parallel ranks by ZeRO stage 1 (optimizer), 2 (+ gradients) or 3 (+ weights)."""
    if zero_stage not in (0, 1, 2, 3):
        raise ValueError(f"zero_stage must be 0 to 3, not {zero_stage}")
    shard = {"optimizer": zero_stage >= 1, "grads": zero_stage >= 2, "weights": zero_stage >= 3}
    parts = {name: n_params * size / (n_gpus if shard[name] else 1) for name, size in ADAM_BYTES.items()}
    return {**parts, "total": sum(parts.values())}
