"""Independent oracles for notebooks/parallel-training.ipynb (T36).

The notebook derives the ZeRO stage memory from one function and checks pipeline bubbles with a
fixed-order list scheduler. These tests recompute the published numbers differently: the ZeRO
memory from a per-component table of bytes (fractions via `fractions.Fraction`, exact), the
pipeline makespan with a priority-queue discrete-event simulation (`heapq`, events are
completions, stages pull work from inboxes), and ring all-reduce traffic with PyTorch tensors.
"""

from __future__ import annotations

import heapq
from fractions import Fraction

import pytest

from conftest import notebook_results

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def r() -> dict:
    return notebook_results("parallel-training")


# ZeRO (Rajbhandari et al. 2020, sec. 5 and fig. 1) -------------------------------------

BYTES = {"fp16 params": 2, "fp16 grads": 2, "fp32 master": 4, "adam m": 4, "adam v": 4}
SHARDED_FROM_STAGE = {"fp16 params": 3, "fp16 grads": 2, "fp32 master": 1, "adam m": 1, "adam v": 1}
PAPER_FIG1_GB = {"baseline": 120, "zero1": 31.4, "zero2": 16.6, "zero3": 1.9}


def zero_gb(psi_billion: Fraction, nd: int, stage: int) -> Fraction:
    total = Fraction(0)
    for part, nbytes in BYTES.items():
        share = Fraction(1, nd) if stage >= SHARDED_FROM_STAGE[part] else Fraction(1)
        total += nbytes * share
    return total * psi_billion            # psi in billions -> GB (1e9 bytes)


def test_zero_inputs_are_the_papers_example(r):
    assert (r["zero_psi_billion"], r["zero_nd"], r["zero_k"]) == (7.5, 64, 12)
    assert sum(v for k, v in BYTES.items() if k not in ("fp16 params", "fp16 grads")) == r["zero_k"]


@pytest.mark.parametrize("stage, name", [(0, "baseline"), (1, "zero1"), (2, "zero2"), (3, "zero3")])
def test_zero_memory_per_gpu(r, stage, name):
    exact = zero_gb(Fraction(15, 2), 64, stage)
    assert r[f"zero_gb_{name}"] == pytest.approx(float(exact), abs=1e-4)
    assert float(exact) == pytest.approx(PAPER_FIG1_GB[name], abs=0.05)   # the paper prints one decimal
    if name != "baseline":
        assert r[f"zero_reduction_{name}"] == pytest.approx(float(zero_gb(Fraction(15, 2), 64, 0) / exact), abs=1e-4)


def test_zero_communication_volume(r):
    # elements sent per rank per step, in units of psi: reduce-scatter grads, all-gather params (x2 for ZeRO-3)
    dp = Fraction(1) + Fraction(1)
    zero3 = Fraction(1) + Fraction(1) + Fraction(1)
    assert r["zero3_comm_ratio"] == float(zero3 / dp)


# ring all-reduce -----------------------------------------------------------------------

def test_ring_all_reduce_traffic_with_torch(r):
    n, size = r["ring_n"], 1024
    gen = torch.Generator().manual_seed(0)
    data = [torch.randn(size, generator=gen, dtype=torch.float64) for _ in range(n)]
    chunks = [list(torch.chunk(x.clone(), n)) for x in data]
    sent = [0] * n
    for phase in ("reduce_scatter", "all_gather"):
        for step in range(n - 1):
            outgoing = []
            for rank in range(n):
                idx = (rank - step + (1 if phase == "all_gather" else 0)) % n
                outgoing.append((rank, idx, chunks[rank][idx].clone()))
                sent[rank] += chunks[rank][idx].numel()
            for rank, idx, t in outgoing:
                dst = (rank + 1) % n
                chunks[dst][idx] = chunks[dst][idx] + t if phase == "reduce_scatter" else t
    total = torch.stack(data).sum(0)
    for rank in range(n):
        assert torch.allclose(torch.cat(chunks[rank]), total)
    assert max(sent) / size == pytest.approx(r["ring_sent_fraction"], abs=1e-4)
    assert r["ring_sent_fraction"] == pytest.approx(2 * (n - 1) / n)


# tensor parallelism: column- then row-parallel MLP, with autograd ---------------------

def test_megatron_mlp_split_matches_unsplit_forward_and_backward(r):
    gen = torch.Generator().manual_seed(1)
    t, d = 4, 8
    x = torch.randn(5, d, generator=gen, dtype=torch.float64, requires_grad=True)
    a = torch.randn(d, 4 * d, generator=gen, dtype=torch.float64)
    b = torch.randn(4 * d, d, generator=gen, dtype=torch.float64)
    y_full = torch.nn.functional.gelu(x @ a) @ b
    (gx_full,) = torch.autograd.grad(y_full.square().sum(), x)
    partials = [torch.nn.functional.gelu(x @ aj) @ bj for aj, bj in zip(a.chunk(t, 1), b.chunk(t, 0))]
    y_split = sum(partials)                      # the forward all-reduce
    (gx_split,) = torch.autograd.grad(y_split.square().sum(), x)
    assert torch.allclose(y_full, y_split) and torch.allclose(gx_full, gx_split)
    assert (r["tp_allreduce_per_layer_fwd"], r["tp_allreduce_per_layer_bwd"]) == (2, 2)


# pipeline: event-driven simulation ------------------------------------------------------

def event_sim(p: int, m: int, v: int, schedule: str, tf: float = 1.0, tb: float = 2.0):
    """Stages pull from inboxes; a device picks the next op by its schedule's rule when idle.

    Virtual stage s lives on device s % p. 'gpipe': forwards first (lowest (stage-chunk, microbatch)),
    then backwards. '1f1b': Megatron's rule, implemented as a per-device quota of warm-up forwards,
    then strict alternation, whichever op of the required kind is ready first by microbatch order.
    """
    stages = p * v
    ready_f = {s: set() for s in range(stages)}
    ready_b = {s: set() for s in range(stages)}
    ready_f[0] = set(range(m))
    busy_until = [0.0] * p
    idle = [True] * p
    events: list = []
    n_f = [0] * p
    n_b = [0] * p
    per_dev = m * v
    now = 0.0
    done_ops = 0
    inflight = 0
    peak = 0

    def warmup(d):
        if v == 1:
            return min(p - d - 1, m)
        return min((p - d - 1) * 2 + (v - 1) * p, per_dev)

    def forward_target(d, k):      # Megatron order of the k-th forward on device d
        chunk = (k // p) % v
        return (k // (p * v)) * p + k % p, chunk * p + d

    def backward_target(d, k):
        chunk = v - 1 - (k // p) % v
        return (k // (p * v)) * p + k % p, chunk * p + d

    def want(d):
        if schedule == "gpipe":
            return "F" if n_f[d] < per_dev else "B"
        w = warmup(d)
        if n_f[d] < w:
            return "F"
        if n_f[d] == per_dev:
            return "B"
        return "F" if n_f[d] - w == n_b[d] else "B"

    def try_start(d):
        nonlocal inflight, peak
        if not idle[d] or n_f[d] + n_b[d] == 2 * per_dev:
            return
        kind = want(d)
        if kind == "F":
            mb, s = forward_target(d, n_f[d])
            if mb not in ready_f[s]:
                return
            ready_f[s].discard(mb)
            n_f[d] += 1
            dur = tf / v
        else:
            mb, s = backward_target(d, n_b[d])
            if mb not in ready_b[s]:
                return
            ready_b[s].discard(mb)
            n_b[d] += 1
            dur = tb / v
        idle[d] = False
        heapq.heappush(events, (now + dur, d, kind, mb, s))

    for d in range(p):
        try_start(d)
    while events:
        now, d, kind, mb, s = heapq.heappop(events)
        idle[d] = True
        busy_until[d] = now
        done_ops += 1
        if kind == "F":
            if d == 0:
                inflight += 1
                peak = max(peak, inflight)
            if s + 1 < stages:
                ready_f[s + 1].add(mb)
            else:
                ready_b[s].add(mb)
        else:
            if d == 0:
                inflight -= 1
            if s > 0:
                ready_b[s - 1].add(mb)
        for dev in range(p):
            try_start(dev)
    assert done_ops == 2 * m * stages
    makespan = max(busy_until)
    return 1 - m * (tf + tb) / makespan, peak


def test_bubble_for_published_schedules(r):
    p, m = r["pp_p"], r["pp_m"]
    bubble_gpipe, peak_gpipe = event_sim(p, m, 1, "gpipe")
    bubble_1f1b, peak_1f1b = event_sim(p, m, 1, "1f1b")
    bubble_v2, _ = event_sim(p, m, 2, "1f1b")
    assert r["pp_bubble_gpipe"] == pytest.approx(bubble_gpipe, abs=1e-4)
    assert r["pp_bubble_1f1b"] == pytest.approx(bubble_1f1b, abs=1e-4)
    assert r["pp_bubble_interleaved_v2"] == pytest.approx(bubble_v2, abs=1e-4)
    assert (r["pp_peak_inflight_gpipe"], r["pp_peak_inflight_1f1b"]) == (peak_gpipe, peak_1f1b)
    assert bubble_1f1b == pytest.approx((p - 1) / (m + p - 1))


@pytest.mark.parametrize("v, key", [(1, "bubble_p8_m64_v1"), (4, "bubble_p8_m64_v4")])
def test_bubble_p8_m64(r, v, key):
    bubble, _ = event_sim(8, 64, v, "1f1b")
    assert r[key] == pytest.approx(bubble, abs=1e-4)
    assert bubble == pytest.approx(7 / (v * 64 + 7))
