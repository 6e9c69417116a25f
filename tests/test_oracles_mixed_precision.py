"""Independent oracles for notebooks/mixed-precision.ipynb (T34).

The notebook derives every format's range and precision from its bit layout and rounds with a
hand-written numpy function. These tests recompute its published numbers with code that shares
nothing with it: `ml_dtypes.finfo` and `torch.finfo` for the format constants, PyTorch's own
casts (`Tensor.to(torch.float16)`, `torch.bfloat16`) and `ml_dtypes` float8 casts on the same
seeded samples, the kernel that `GradScaler.update()` calls (`torch._amp_update_scale_`) replayed
over the same toy sequence, a real `torch.amp.GradScaler("cpu")` step, and CPU autocast.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import notebook_results

torch = pytest.importorskip("torch")
ml_dtypes = pytest.importorskip("ml_dtypes")


@pytest.fixture(scope="module")
def r() -> dict:
    return notebook_results("mixed-precision")


@pytest.fixture(scope="module")
def q() -> dict:
    return notebook_results("quantization")


# Format constants ---------------------------------------------------------------------------

def test_fp32_fp16_constants_match_torch_finfo(r):
    f32, f16 = torch.finfo(torch.float32), torch.finfo(torch.float16)
    assert r["fp32_max"] == f32.max and r["fp32_min_normal"] == f32.smallest_normal
    assert r["fp32_eps"] == f32.eps
    assert r["fp16_eps"] == f16.eps and r["fp16_min_normal"] == f16.smallest_normal
    assert r["fp32_min_subnormal"] == float(ml_dtypes.finfo(np.float32).smallest_subnormal)
    assert r["fp16_min_subnormal"] == float(ml_dtypes.finfo(np.float16).smallest_subnormal)
    # the smallest subnormal is the first positive value in torch too
    assert torch.nextafter(torch.tensor(0.0, dtype=torch.float16), torch.tensor(1.0, dtype=torch.float16)).item() \
        == r["fp16_min_subnormal"]


def test_bf16_and_fp8_constants_match_ml_dtypes_and_torch(r, q):
    bf = ml_dtypes.finfo(ml_dtypes.bfloat16)
    assert r["bf16_min_subnormal"] == float(bf.smallest_subnormal)
    assert q["bf16_eps"] == float(bf.eps) == torch.finfo(torch.bfloat16).eps
    assert q["bf16_max"] == float(bf.max) == torch.finfo(torch.bfloat16).max
    assert q["fp16_max"] == torch.finfo(torch.float16).max
    for key, dt, tdt in [("e4m3", ml_dtypes.float8_e4m3fn, torch.float8_e4m3fn),
                         ("e5m2", ml_dtypes.float8_e5m2, torch.float8_e5m2)]:
        fi, ti = ml_dtypes.finfo(dt), torch.finfo(tdt)
        assert q[f"fp8_{key}_max"] == float(fi.max) == ti.max
        assert q[f"fp8_{key}_eps"] == float(fi.eps) == ti.eps
        assert q[f"fp8_{key}_min_normal"] == float(fi.smallest_normal) == ti.smallest_normal


def test_tf32_from_its_layout_by_truncating_fp32(r):
    """TF32 = fp32 with the mantissa cut to 10 bits: mask the low 13 bits of fp32 patterns."""
    big = np.array([np.finfo(np.float32).max], dtype=np.float32).view(np.uint32) & np.uint32(0xFFFFE000)
    assert float(big.view(np.float32)[0]) == r["tf32_max"]
    one_plus = np.array([1 << 13], dtype=np.uint32) | np.array([1.0], dtype=np.float32).view(np.uint32)
    assert float(one_plus.view(np.float32)[0]) - 1 == r["tf32_eps"] == r["fp16_eps"]


# Gradient underflow with PyTorch casts -------------------------------------------------------

def synthetic_gradients(r):
    rng = np.random.default_rng(r["grad_seed"])
    n = r["grad_n"]
    return rng.choice([-1.0, 1.0], n) * 10.0 ** rng.uniform(r["grad_log10_lo"], r["grad_log10_hi"], n)


def test_fp16_underflow_fractions_with_torch_casts(r):
    g = torch.from_numpy(synthetic_gradients(r))
    for k, key in [(0, "fp16_zero_frac_s1"), (8, "fp16_zero_frac_s2e8"), (16, "fp16_zero_frac_s2e16")]:
        h = (g * 2.0**k).to(torch.float16)
        assert round((h == 0).double().mean().item(), 4) == r[key]
    h = g.to(torch.float16)
    sub = ((h != 0) & (h.abs() < torch.finfo(torch.float16).smallest_normal)).double().mean().item()
    assert round(sub, 4) == r["fp16_subnormal_frac_s1"]
    assert round(torch.isinf((g * 2.0**16).to(torch.float16)).double().mean().item(), 4) == r["fp16_inf_frac_s2e16"]
    assert round(torch.isinf((g * 2.0**24).to(torch.float16)).double().mean().item(), 4) == r["fp16_inf_frac_s2e24"]
    # bf16 keeps every one of them (cast from float32, as autocast would)
    assert (g.float().to(torch.bfloat16) == 0).sum().item() == 0 == r["bf16_zero_frac_s1"]
    # closed form of the log-uniform model
    lo, hi = r["grad_log10_lo"], r["grad_log10_hi"]
    assert round((math.log10(2.0**-25) - lo) / (hi - lo), 4) == r["fp16_zero_frac_s1_closed"]


# Dynamic loss scaling -------------------------------------------------------------------------

def test_gradscaler_documented_defaults(r):
    scaler = torch.amp.GradScaler("cpu")
    assert scaler.get_scale() == r["scaler_init_scale"]
    assert scaler.get_growth_factor() == r["scaler_growth_factor"]
    assert scaler.get_backoff_factor() == r["scaler_backoff_factor"]
    assert scaler.get_growth_interval() == r["scaler_growth_interval"]


def test_dynamic_loss_scaling_replayed_with_torch_kernel(r):
    """Replay the notebook's toy sequence through torch._amp_update_scale_ (what GradScaler.update runs)."""
    rng = np.random.default_rng(r["dls_seed"])
    steps = r["dls_steps"]
    log2_amax = rng.normal(3.0, 0.3, steps)
    spikes = np.sort(rng.choice(np.arange(3000, steps), 3, replace=False))
    log2_amax[spikes] += 8
    amax = torch.from_numpy(2.0**log2_amax)
    scale = torch.tensor([r["scaler_init_scale"]], dtype=torch.float32)
    tracker = torch.zeros(1, dtype=torch.int32)
    skipped, scales = [], []
    for t in range(steps):
        scales.append(scale.item())
        found_inf = torch.isinf((amax[t] * scale.double()).to(torch.float16)).float().reshape(1)
        if found_inf.item():
            skipped.append(t)
        torch._amp_update_scale_(scale, tracker, found_inf, r["scaler_growth_factor"],
                                 r["scaler_backoff_factor"], r["scaler_growth_interval"])
    assert len(skipped) == r["dls_skipped"]
    assert sum(t < 100 for t in skipped) == r["dls_skipped_first100"]
    assert math.log2(scale.item()) == r["dls_final_scale_log2"]
    assert math.log2(min(scales)) == r["dls_min_scale_log2"] and math.log2(max(scales)) == r["dls_max_scale_log2"]


def test_real_gradscaler_skips_the_step_on_inf_and_backs_off():
    p = torch.nn.Parameter(torch.ones(1))
    opt = torch.optim.SGD([p], lr=0.1)
    scaler = torch.amp.GradScaler("cpu", init_scale=4.0, growth_interval=2)
    for grad, expect_p, expect_scale in [(float("inf"), 1.0, 2.0), (1.0, 0.9, 2.0), (1.0, 0.8, 4.0)]:
        opt.zero_grad()
        loss = scaler.scale((p * grad).sum())
        loss.backward()
        scaler.step(opt)
        scaler.update()
        assert p.item() == pytest.approx(expect_p) and scaler.get_scale() == expect_scale


# fp32 master weights --------------------------------------------------------------------------

def test_small_updates_lost_in_low_precision_with_torch(r):
    for dt, key in [(torch.bfloat16, "w_after_bf16"), (torch.float16, "w_after_fp16"), (torch.float32, "w_after_fp32")]:
        w = torch.ones(1, dtype=dt)
        for _ in range(r["update_steps"]):
            w = w + torch.tensor(r["update_delta"], dtype=dt)
        assert round(w.item(), 6) == r[key]
    assert (torch.tensor(1.0, dtype=torch.bfloat16) + 1e-4).item() == 1.0
    assert r["bf16_half_ulp_at_1"] == torch.finfo(torch.bfloat16).eps / 2
    assert r["fp16_half_ulp_at_1"] == torch.finfo(torch.float16).eps / 2


# Matmul with rounded inputs -------------------------------------------------------------------

def test_matmul_errors_with_torch_casts(r):
    rng = np.random.default_rng(3)
    A = torch.from_numpy(rng.standard_normal((256, r["mm_k"])).astype(np.float32))
    B = torch.from_numpy(rng.standard_normal((r["mm_k"], 256)).astype(np.float32))
    ref = A.double() @ B.double()

    def err(a, b):
        out = (a.float() @ b.float()).double()
        return float(f"{((out - ref).abs().max() / ref.abs().mean()).item():.2g}")

    assert 1 / 3 < err(A, B) / r["mm_relerr_fp32"] < 3        # fp32 rounding error depends on the BLAS summation order
    assert err(A.half(), B.half()) == pytest.approx(r["mm_relerr_fp16"], rel=0.1)
    assert err(A.bfloat16(), B.bfloat16()) == pytest.approx(r["mm_relerr_bf16"], rel=0.1)


# FP8 scaling granularity ----------------------------------------------------------------------

def test_fp8_scaling_with_ml_dtypes_casts(r):
    rng = np.random.default_rng(r["fp8_seed"])
    row_scale = 10.0 ** rng.uniform(-8, -2, 256)
    G = rng.standard_normal((256, 1024)) * row_scale[:, None]

    def quant(x, dt, tile=None):
        fmax = float(ml_dtypes.finfo(dt).max)
        if tile is None:
            s = np.abs(x).max() / fmax
            return (x / s).astype(dt).astype(np.float64) * s
        xt = x.reshape(x.shape[0], -1, tile)
        s = np.abs(xt).max(axis=2, keepdims=True) / fmax
        return ((xt / s).astype(dt).astype(np.float64) * s).reshape(x.shape)

    for key, dt, tile in [("e4m3_tensor", ml_dtypes.float8_e4m3fn, None), ("e5m2_tensor", ml_dtypes.float8_e5m2, None),
                          ("e4m3_tile", ml_dtypes.float8_e4m3fn, r["fp8_tile"])]:
        Gq = quant(G, dt, tile)
        assert round(float(np.mean((Gq == 0) & (G != 0))), 4) == r[f"fp8_zero_{key}"]
        row_err = np.mean(np.linalg.norm(Gq - G, axis=1) / np.linalg.norm(G, axis=1))
        assert round(float(row_err), 4) == r[f"fp8_rowerr_{key}"]


# Autocast -------------------------------------------------------------------------------------

def test_cpu_autocast_bf16_matmul_and_fp32_loss():
    a = torch.randn(8, 8, generator=torch.Generator().manual_seed(0))
    with torch.autocast("cpu", dtype=torch.bfloat16):
        y = a @ a
        loss = torch.nn.functional.mse_loss(y, torch.zeros_like(y))
        ce = torch.nn.functional.cross_entropy(y, torch.arange(8))
    assert a.dtype == torch.float32 and y.dtype == torch.bfloat16
    assert loss.dtype == torch.float32 and ce.dtype == torch.float32
