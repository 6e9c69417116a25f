"""Independent oracles for the numbers the notebooks publish.

The notebooks compute everything with numpy from first principles and check themselves.
These tests recompute a sample of their published results with code that shares
nothing with them: scikit-learn's average precision, SciPy's softmax, and PyTorch's own
layers (parameter counts, autograd through real dilated convolutions). PyTorch is
optional: without it those tests skip (CI installs the CPU build).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import notebook_results


def results(name: str) -> dict:
    return notebook_results(name)


# Average precision: scikit-learn --------------------------------------------------------

def test_ap_matches_scikit_learn():
    """sklearn's average_precision_score is the uninterpolated step sum Σ(Rn − Rn−1)·Pn
    over the scored detections it is given. It has no notion of ground truth nobody
    detected, so its recall is relative to the true positives found; scaled by
    TP/GT it is the same step sum relative to all ground truth. VOC07, VOC all-point and
    COCO interpolate and have no sklearn equivalent (their own cross-checks are in the
    notebook)."""
    from sklearn.metrics import average_precision_score

    r = results("mean-average-precision")
    tp, scores = np.array(r["person_tp"]), np.array(r["person_scores"])
    assert len(set(scores)) == len(scores), "ties would make the orders differ"
    ap = average_precision_score(tp, scores)
    assert ap == pytest.approx(r["sklearn_style_ap50_person"], abs=5e-5)
    assert ap * tp.sum() / r["person_num_gt"] == pytest.approx(r["step_ap50_person"], abs=5e-5)


def test_all_point_ap_matches_the_envelope_of_sklearns_curve():
    from sklearn.metrics import precision_recall_curve

    r = results("mean-average-precision")
    tp, scores = np.array(r["person_tp"]), np.array(r["person_scores"])
    precision, recall, _ = precision_recall_curve(tp, scores)
    recall = recall * tp.sum() / r["person_num_gt"]          # relative to all ground truth
    order = np.argsort(recall)
    recall, precision = recall[order], precision[order]
    envelope = np.maximum.accumulate(precision[::-1])[::-1]  # best precision at any higher recall
    ap = float(np.sum(np.diff(recall) * envelope[1:]))
    assert ap == pytest.approx(r["all_point_ap50_person"], abs=5e-5)


# Softmax and cross-entropy: SciPy and finite differences --------------------------------

def test_stable_softmax_matches_scipy():
    from scipy.special import log_softmax, softmax

    r = results("softmax-cross-entropy")
    expected = softmax(np.array([1000.0, 1001.0, 1002.0]))
    published = [r["stable_softmax_big_0"], r["stable_softmax_big_1"], r["stable_softmax_big_2"]]
    assert published == pytest.approx(expected.tolist(), abs=5e-4)
    assert r["stable_log_softmax_small"] == pytest.approx(log_softmax(np.array([-1000.0, 0.0]))[0], rel=1e-9)


def test_softmax_cross_entropy_gradient_by_finite_differences():
    """∂L/∂z = softmax(z) − y, checked here independently of the notebook."""
    from scipy.special import logsumexp, softmax

    rng = np.random.default_rng(1)
    for _ in range(20):
        z, y = rng.normal(size=7), np.eye(7)[rng.integers(7)]
        eps = 1e-6
        loss = lambda v, y=y: logsumexp(v) - v @ y  # noqa: E731
        numeric = np.array([(loss(z + eps * e) - loss(z - eps * e)) / (2 * eps) for e in np.eye(7)])
        np.testing.assert_allclose(numeric, softmax(z) - y, atol=1e-8)
    assert results("softmax-cross-entropy")["fd_max_err_bound"] <= 1e-8


def test_regression_metrics_match_scikit_learn():
    from sklearn.metrics import mean_absolute_error, mean_squared_error

    r = results("softmax-cross-entropy")
    assert r["rmse_clean"] == pytest.approx(math.sqrt(r["mse_clean"]), rel=1e-3)
    assert r["rmse_outlier"] == pytest.approx(math.sqrt(r["mse_outlier"]), rel=1e-3)
    # The identities sklearn implements, on a case with a known answer
    assert mean_absolute_error([0, 0], [1, 3]) == 2 and mean_squared_error([0, 0], [1, 3]) == 5


# PyTorch ------------------------------------------------------------------------------

torch = pytest.importorskip("torch", reason="PyTorch not installed: `pip install torch==2.13.0` (CPU build)")
nn = torch.nn


def count(module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_layer_parameter_counts_match_pytorch():
    r = results("parameter-counts")
    assert count(nn.Conv2d(128, 256, 5, bias=False)) == r["direct_weights"]
    assert count(nn.Conv2d(128, 256, 5)) == r["direct_total"]
    assert count(nn.Conv2d(128, 64, 1, bias=False)) + count(nn.Conv2d(64, 256, 5, bias=False)) == r["bottleneck_weights"]
    assert count(nn.Conv2d(128, 64, 1)) + count(nn.Conv2d(64, 256, 5)) == r["bottleneck_total"]
    assert count(nn.Conv2d(128, 1, 1, bias=False)) == r["one_by_one_weights_per_output_channel"]
    assert count(nn.Conv2d(256, 256, 3, bias=False)) == r["ds_standard_weights"]
    separable = nn.Sequential(nn.Conv2d(256, 256, 3, groups=256, bias=False), nn.Conv2d(256, 256, 1, bias=False))
    assert count(separable) == r["ds_separable_weights"]
    assert count(nn.Conv2d(128, 128, 3, groups=32, bias=False)) == r["grouped_conv_weights"]
    assert count(nn.BatchNorm2d(r["bn_example_channels"])) == r["bn_example_trainable"]
    assert count(nn.LSTM(128, 256)) == r["lstm_example_params"]
    assert count(nn.GRU(128, 256)) == r["gru_example_params"]
    assert count(nn.MultiheadAttention(512, 8)) == r["mha_example_params"]
    assert count(nn.Embedding(30522, 768)) == r["embedding_example_params"]  # BERT-base vocabulary


def vgg16() -> nn.Module:
    layers, channels = [], 3
    for v in [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]:
        if v == "M":
            layers.append(nn.MaxPool2d(2))
        else:
            layers += [nn.Conv2d(channels, v, 3, padding=1), nn.ReLU()]
            channels = v
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(512 * 7 * 7, 4096), nn.ReLU(),
                         nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, 1000))


def alexnet() -> nn.Module:  # torchvision's variant (one GPU, 64-192-384-256-256)
    return nn.Sequential(
        nn.Conv2d(3, 64, 11, 4, 2), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(), nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(),
        nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2), nn.AdaptiveAvgPool2d(6), nn.Flatten(),
        nn.Linear(256 * 36, 4096), nn.ReLU(), nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, 1000))


class Bottleneck(nn.Module):
    def __init__(self, c_in, width, stride):
        super().__init__()
        c_out = width * 4
        self.body = nn.Sequential(
            nn.Conv2d(c_in, width, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
            nn.Conv2d(width, width, 3, stride, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
            nn.Conv2d(width, c_out, 1, bias=False), nn.BatchNorm2d(c_out))
        self.skip = (nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride, bias=False), nn.BatchNorm2d(c_out))
                     if stride != 1 or c_in != c_out else nn.Identity())

    def forward(self, x):
        return torch.relu(self.body(x) + self.skip(x))


def resnet50() -> nn.Module:
    layers, c_in = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1)], 64
    for width, blocks, stride in [(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)]:
        for i in range(blocks):
            layers.append(Bottleneck(c_in, width, stride if i == 0 else 1))
            c_in = width * 4
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2048, 1000))


@pytest.mark.parametrize("name, build", [("vgg16", vgg16), ("alexnet", alexnet), ("resnet50", resnet50)])
def test_network_totals_match_pytorch_models(name, build):
    model = build()
    assert count(model) == results("network-parameter-counts")[f"{name}_total"]
    assert model(torch.zeros(1, 3, 224, 224)).shape == (1, 1000)  # the configuration is a working network


def test_transformer_block_matches_pytorch():
    block = nn.TransformerEncoderLayer(d_model=512, nhead=8, dim_feedforward=2048)
    assert count(block) == results("network-parameter-counts")["transformer_block_total"]


def measured_receptive_field(layers: list[tuple[int, int, int]], size: int = 257) -> int:
    """Width of the input region that one output unit depends on, by autograd through
    real convolutions (kernel, stride, dilation per layer; weights all ones)."""
    convs = []
    for k, s, d in layers:
        conv = nn.Conv2d(1, 1, k, stride=s, dilation=d, bias=False)
        nn.init.ones_(conv.weight)
        convs.append(conv)
    x = torch.zeros(1, 1, size, size, requires_grad=True)
    y = nn.Sequential(*convs)(x)
    y[0, 0, y.shape[2] // 2, y.shape[3] // 2].backward()
    rows = torch.nonzero(x.grad[0, 0].abs().sum(dim=1)).flatten()
    return int(rows.max() - rows.min() + 1)


@pytest.mark.parametrize("key, layers", [
    ("rf_three_3x3", [(3, 1, 1)] * 3),
    ("rf_one_7x7", [(7, 1, 1)]),
    ("rf_dilated_124", [(3, 1, 1), (3, 1, 2), (3, 1, 4)]),
    ("rf_dilated_222", [(3, 1, 2)] * 3),
    ("rf_hybrid_125", [(3, 1, 1), (3, 1, 2), (3, 1, 5)]),
])
def test_receptive_fields_match_pytorch_autograd(key, layers):
    assert measured_receptive_field(layers) == results("receptive-field")[key]


def test_gridding_fraction_matches_pytorch_autograd():
    """With dilation 2-2-2 only some inputs inside the receptive field reach the output."""
    convs = []
    for _ in range(3):
        conv = nn.Conv2d(1, 1, 3, dilation=2, bias=False)
        nn.init.ones_(conv.weight)
        convs.append(conv)
    x = torch.zeros(1, 1, 41, 41, requires_grad=True)
    y = nn.Sequential(*convs)(x)
    y[0, 0, y.shape[2] // 2, y.shape[3] // 2].backward()
    touched = int((x.grad != 0).sum())
    area = results("receptive-field")["rf_dilated_222"] ** 2
    assert touched / area == pytest.approx(results("receptive-field")["gridding_touched_fraction_222"], abs=5e-5)


def test_pytorch_dropout_p_is_the_drop_probability_and_inverted():
    """T03's correction: nn.Dropout(p) zeroes with probability p and scales by 1/(1-p)
    in training, and is the identity in eval mode."""
    torch.manual_seed(0)
    p = results("dropout")["demo_drop_p"]
    layer = nn.Dropout(p)
    out = layer(torch.ones(200_000))
    assert (out == 0).float().mean().item() == pytest.approx(p, abs=0.005)
    kept = out.unique().tolist()
    assert len(kept) == 2 and kept[0] == 0.0 and kept[1] == pytest.approx(1 / (1 - p))
    assert out.mean().item() == pytest.approx(1.0, abs=0.01)
    layer.eval()
    assert torch.equal(layer(torch.ones(10)), torch.ones(10))
