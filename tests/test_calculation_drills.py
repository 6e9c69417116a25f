"""The calculation drills (docs/calculation-drills.md) agree with the notebooks and PyTorch.

The page generates its problems in the browser (docs/assets/javascripts/calculation-drills.js).
These tests draw 500 seeded problems of every kind at every level in Chromium and compare
each answer with notebooks/formulas.py, the module the notebooks import, and, where PyTorch
computes the same quantity, with PyTorch: `Conv2d` and `ConvTranspose2d` shapes and
parameters, FLOPs by `FlopCounterMode`, receptive fields by autograd, overlaps by an actual
transposed convolution, cross-entropy gradients by autograd, Transformer blocks built by
transformers. IoU and AP, which PyTorch does not compute, are checked against a pixel count
and an exact-fraction AP written here. A disagreement names the kind, level and seed.
"""

from __future__ import annotations

import math
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "notebooks"))
import formulas as F  # noqa: E402

SEEDS = range(1, 501)
LEVELS = (1, 2, 3)
PAGE = "calculation-drills/"


def _kv(p):
    total = F.kv_cache_bytes(**p)
    return {"gib": total / 2**30, "kib_per_token": total / (p["seq_len"] * p["batch"]) / 1024}


def _conv_cost(p):
    out = F.conv_output_size(p["n"], p["k"], p["s"], p["p"])
    return {"params": F.conv_params(p["c_in"], p["c_out"], p["k"], p["bias"], p["groups"]),
            "macs": F.conv_macs(p["c_in"], p["c_out"], p["k"], out, out, p["groups"])}


def _checkerboard(p):
    most, least = F.transposed_conv_overlap(p["k"], p["s"])
    return {"most": most**2, "least": least**2}


def _ap(p):
    precision, recall = F.precision_recall(p["hits"], p["n_gt"])
    return {"all_point": F.ap_all_point(precision, recall), "eleven_point": F.ap_11_point(precision, recall)}


def _softmax_ce(p):
    grad = F.cross_entropy_grad(p["z"], p["label"])
    return {"loss": F.cross_entropy(p["z"], p["label"]), "grad1": grad[0], "grad2": grad[1], "grad3": grad[2]}


# Each kind's answers from formulas.py, keyed as the page keys them
REFERENCE = {
    "conv-output": lambda p: {"out": F.conv_output_size(p["n"], p["k"], p["s"], p["p"], p["d"])},
    "conv-cost": _conv_cost,
    "bottleneck": lambda p: F.bottleneck_params(p["c"], p["m"], p["k"]),
    "receptive-field": lambda p: (lambda last: {"rf": last["rf"], "jump": last["j_out"]})(F.receptive_field(p["layers"])[-1]),
    "transposed-output": lambda p: {"out": F.transposed_conv_output_size(**p)},
    "checkerboard": _checkerboard,
    "iou": lambda p: {"iou": F.iou(p["a"], p["b"])},
    "average-precision": _ap,
    "softmax-cross-entropy": _softmax_ce,
    "dropout": lambda p: F.inverted_dropout(p["a"], p["p"]),
    "transformer-block": lambda p: F.transformer_block_params(**p),
    "kv-cache": _kv,
    "lora": lambda p: {"params": F.lora_params(**p)},
    "training-memory": lambda p: {"total_gb": F.training_state_bytes(**p)["total"] / 1e9},
}

# The characters of the worked solutions' formulas, gathered while the problems are drawn
DRAW = """([kinds, levels, seeds]) => {
  const out = {}, chars = new Set();
  for (const kind of kinds) {
    out[kind] = [];
    for (const level of levels) for (const seed of seeds) {
      const p = HandbookCalc.problem(kind, level, seed);
      out[kind].push({level, seed, params: p.params,
        answers: p.answers.map(a => ({key: a.key, value: a.value, tol: a.tol}))});
      for (const html of p.steps.concat([p.prompt])) {
        const doc = new DOMParser().parseFromString(html, "text/html");
        for (const node of doc.querySelectorAll("math semantics > :not(annotation)")) for (const c of node.textContent) chars.add(c);
      }
    }
  }
  return {problems: out, chars: [...chars].join("")};
}"""


@pytest.fixture(scope="module")
def drawn(browser, served):
    """Every kind, level and seed, drawn once in Chromium."""
    context = browser.new_context(base_url=served)
    page = context.new_page()
    page.goto(PAGE)
    page.wait_for_function("window.HandbookCalc !== undefined")
    kinds = page.evaluate("HandbookCalc.kinds")
    result = page.evaluate(DRAW, [kinds, list(LEVELS), list(SEEDS)])
    options = page.eval_on_selector_all("select[name=kind] option", "els => els.map(e => e.value)")
    context.close()
    return {"kinds": kinds, "options": options, **result}


def problems(drawn, kind):
    assert kind in drawn["problems"], f"the drill page has no kind {kind}"
    return drawn["problems"][kind]


def where(kind, problem) -> str:
    return f"{kind}, level {problem['level']}, seed {problem['seed']} ({problem['params']})"


# The page and the list --------------------------------------------------------------------


def test_every_kind_in_the_config_is_generated_and_checked(drawn):
    """mkdocs.yml lists the kinds the page offers; the script generates them; this file
    checks them. A kind added to one and not the others fails here."""
    assert drawn["options"] == drawn["kinds"], "mkdocs.yml `extra.calculations` and calculation-drills.js disagree"
    assert sorted(REFERENCE) == sorted(drawn["kinds"])
    for kind in drawn["kinds"]:
        assert len(problems(drawn, kind)) >= 500 * len(LEVELS)


@pytest.mark.parametrize("kind", sorted(REFERENCE))
def test_answers_agree_with_formulas_py(drawn, kind):
    checked = 0
    for problem in problems(drawn, kind):
        expected = REFERENCE[kind](problem["params"])
        for answer in problem["answers"]:
            assert answer["key"] in expected, f"{where(kind, problem)}: formulas.py has no {answer['key']}"
            want = expected[answer["key"]]
            if answer["tol"] == {"abs": 0}:
                assert answer["value"] == want, f"{where(kind, problem)}: {answer['key']} {answer['value']} != {want}"
            else:
                assert math.isclose(answer["value"], want, rel_tol=1e-9, abs_tol=1e-12), \
                    f"{where(kind, problem)}: {answer['key']} {answer['value']} != {want}"
            checked += 1
    assert checked >= 500 * len(LEVELS)


def test_problems_vary_with_the_seed(drawn):
    """The seed drives every choice: 500 seeds give each kind at least 100 distinct problems,
    and every level several (a basic level may have few: 12 kernel and stride pairs)."""
    for kind in drawn["kinds"]:
        distinct = {(p["level"], repr(p["params"])) for p in problems(drawn, kind)}
        assert len(distinct) >= 100, f"{kind}: only {len(distinct)} distinct problems in {len(SEEDS)} seeds per level"
        for level in LEVELS:
            assert sum(1 for lv, _ in distinct if lv == level) >= 8, f"{kind} level {level}: fewer than 8 distinct problems"


def test_the_math_font_covers_the_worked_solutions(drawn):
    """The solutions are MathML written by the script, not by the build: their characters
    must be in the subset font too (scripts/math_font.py adds the script's symbol tables)."""
    from fontTools.ttLib import TTFont

    cmap = TTFont(ROOT / "docs" / "assets" / "fonts" / "stix-two-math.woff2").getBestCmap()
    cjk = lambda c: "\u2e80" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef"  # noqa: E731
    missing = sorted(c for c in drawn["chars"] if not cjk(c) and not c.isspace() and ord(c) not in cmap)
    assert not missing, f"the math font lacks {missing}: run `make math-font`"


# PyTorch and independent oracles ------------------------------------------------------------

torch = pytest.importorskip("torch")
nn = torch.nn


def meta_shape(module, *shape):
    return tuple(module(torch.empty(*shape, device="meta")).shape)


def test_conv_output_size_agrees_with_conv2d(drawn):
    for problem in problems(drawn, "conv-output"):
        p = problem["params"]
        conv = nn.Conv2d(1, 1, p["k"], stride=p["s"], padding=p["p"], dilation=p["d"], device="meta")
        out = meta_shape(conv, 1, 1, p["n"], p["n"])[-1]
        assert out == problem["answers"][0]["value"], where("conv-output", problem)


def test_conv_parameters_and_macs_agree_with_pytorch(drawn):
    from torch.utils.flop_counter import FlopCounterMode

    for problem in problems(drawn, "conv-cost"):
        p = problem["params"]
        conv = nn.Conv2d(p["c_in"], p["c_out"], p["k"], stride=p["s"], padding=p["p"], groups=p["groups"],
                         bias=p["bias"], device="meta")
        with FlopCounterMode(display=False) as counter:
            conv(torch.empty(1, p["c_in"], p["n"], p["n"], device="meta"))
        answers = {a["key"]: a["value"] for a in problem["answers"]}
        assert answers["params"] == sum(t.numel() for t in conv.parameters()), where("conv-cost", problem)
        # FlopCounterMode counts a multiply-accumulate as two FLOPs
        assert 2 * answers["macs"] == counter.get_total_flops(), where("conv-cost", problem)


def test_bottleneck_parameters_agree_with_pytorch(drawn):
    for problem in problems(drawn, "bottleneck"):
        p = problem["params"]
        c, m, k = p["c"], p["m"], p["k"]
        direct = nn.Conv2d(c, c, k, bias=False, device="meta")
        block = nn.Sequential(nn.Conv2d(c, m, 1, bias=False), nn.Conv2d(m, m, k, bias=False),
                              nn.Conv2d(m, c, 1, bias=False)).to("meta")
        answers = {a["key"]: a["value"] for a in problem["answers"]}
        assert answers["direct"] == sum(t.numel() for t in direct.parameters()), where("bottleneck", problem)
        assert answers["bottleneck"] == sum(t.numel() for t in block.parameters()), where("bottleneck", problem)


def test_receptive_field_and_jump_agree_with_autograd(drawn):
    """All-ones kernels along one axis, no padding: the input positions that reach an output
    are where its gradient is non-zero, and two neighbouring outputs' fields are a jump apart."""
    for problem in problems(drawn, "receptive-field"):
        layers = problem["params"]["layers"]
        answers = {a["key"]: a["value"] for a in problem["answers"]}
        length = answers["rf"] + 4 * answers["jump"] + 8
        x = torch.ones(1, 1, length, dtype=torch.float64, requires_grad=True)
        y = x
        for k, s, d in layers:
            y = torch.nn.functional.conv1d(y, torch.ones(1, 1, k, dtype=torch.float64), stride=s, dilation=d)
        assert y.shape[-1] >= 2, where("receptive-field", problem)
        support = []
        for index in (0, 1):
            (grad,) = torch.autograd.grad(y[0, 0, index], x, retain_graph=True)
            nonzero = torch.nonzero(grad[0, 0]).flatten()
            support.append((int(nonzero.min()), int(nonzero.max())))
        assert support[0][1] - support[0][0] + 1 == answers["rf"], where("receptive-field", problem)
        assert support[1][0] - support[0][0] == answers["jump"], where("receptive-field", problem)


def test_transposed_conv_output_size_agrees_with_convtranspose2d(drawn):
    for problem in problems(drawn, "transposed-output"):
        p = problem["params"]
        deconv = nn.ConvTranspose2d(1, 1, p["k"], stride=p["s"], padding=p["p"], output_padding=p["output_padding"],
                                    device="meta")
        out = meta_shape(deconv, 1, 1, p["n"], p["n"])[-1]
        assert out == problem["answers"][0]["value"], where("transposed-output", problem)


def test_overlap_agrees_with_an_actual_transposed_convolution(drawn):
    seen = {}
    for problem in problems(drawn, "checkerboard"):
        k, s = problem["params"]["k"], problem["params"]["s"]
        if (k, s) not in seen:
            x = torch.ones(1, 1, 12, 12, dtype=torch.float64)
            y = torch.nn.functional.conv_transpose2d(x, torch.ones(1, 1, k, k, dtype=torch.float64), stride=s)
            inner = y[0, 0, k:-k, k:-k]
            seen[(k, s)] = (int(inner.max()), int(inner.min()))
        answers = {a["key"]: a["value"] for a in problem["answers"]}
        assert (answers["most"], answers["least"]) == seen[(k, s)], where("checkerboard", problem)


def test_iou_agrees_with_a_pixel_count(drawn):
    """Integer boxes drawn on a pixel grid: intersection and union are pixel counts."""
    for problem in problems(drawn, "iou"):
        a, b = problem["params"]["a"], problem["params"]["b"]
        size = max(a[2], a[3], b[2], b[3])
        grid_a = np.zeros((size, size), bool)
        grid_b = np.zeros((size, size), bool)
        grid_a[a[1]:a[3], a[0]:a[2]] = True
        grid_b[b[1]:b[3], b[0]:b[2]] = True
        exact = (grid_a & grid_b).sum() / (grid_a | grid_b).sum()
        assert math.isclose(problem["answers"][0]["value"], exact, rel_tol=1e-12), where("iou", problem)


def exact_ap(hits, n_gt):
    """AP in exact fractions, from the definitions rather than formulas.py's sums: the
    interpolated precision at recall r is the best precision at any recall >= r."""
    points = []
    tp = 0
    for rank, hit in enumerate(hits, start=1):
        tp += hit
        points.append((Fraction(tp, n_gt), Fraction(tp, rank)))

    def interpolated(r):
        return max((p for rec, p in points if rec >= r), default=Fraction(0))

    recalls = sorted({rec for rec, _ in points if rec > 0})
    all_point = sum((r - prev) * interpolated(r) for prev, r in zip([Fraction(0)] + recalls, recalls))
    eleven = sum(interpolated(Fraction(t, 10)) for t in range(11)) / 11
    return float(all_point), float(eleven)


def test_ap_agrees_with_exact_fractions(drawn):
    for problem in problems(drawn, "average-precision"):
        all_point, eleven = exact_ap(problem["params"]["hits"], problem["params"]["n_gt"])
        answers = {a["key"]: a["value"] for a in problem["answers"]}
        assert math.isclose(answers["all_point"], all_point, rel_tol=1e-12, abs_tol=1e-12), where("average-precision", problem)
        assert math.isclose(answers["eleven_point"], eleven, rel_tol=1e-12, abs_tol=1e-12), where("average-precision", problem)


def test_cross_entropy_and_its_gradient_agree_with_autograd(drawn):
    for problem in problems(drawn, "softmax-cross-entropy"):
        z = torch.tensor([problem["params"]["z"]], dtype=torch.float64, requires_grad=True)
        loss = torch.nn.functional.cross_entropy(z, torch.tensor([problem["params"]["label"]]))
        (grad,) = torch.autograd.grad(loss, z)
        answers = {a["key"]: a["value"] for a in problem["answers"]}
        assert math.isclose(answers["loss"], loss.item(), rel_tol=1e-9, abs_tol=1e-12), where("softmax-cross-entropy", problem)
        for i in range(3):
            assert math.isclose(answers[f"grad{i + 1}"], grad[0, i].item(), rel_tol=1e-9, abs_tol=1e-12), \
                where("softmax-cross-entropy", problem)


def test_dropout_agrees_with_torch_dropout(drawn):
    """Kept units of torch's dropout carry a / (1 - p); in eval mode it is the identity; the
    training mean over a million units is a within five standard errors."""
    torch.manual_seed(0)
    for problem in problems(drawn, "dropout")[::10]:
        a, p = problem["params"]["a"], problem["params"]["p"]
        x = torch.full((1_000_000,), a, dtype=torch.float64)
        y = torch.nn.functional.dropout(x, p, training=True)
        answers = {ans["key"]: ans["value"] for ans in problem["answers"]}
        kept = y[y != 0]
        assert torch.allclose(kept, torch.tensor(answers["kept"], dtype=torch.float64)), where("dropout", problem)
        assert torch.nn.functional.dropout(x, p, training=False).equal(x) and answers["test"] == a
        error = 5 * (a / (1 - p)) * math.sqrt(p * (1 - p) / x.numel())
        assert abs(y.mean().item() - answers["train_mean"]) < error, where("dropout", problem)


def test_transformer_block_agrees_with_transformers(drawn):
    """Llama's decoder layer and GPT-2's block, built by transformers on the meta device."""
    transformers = pytest.importorskip("transformers")
    from transformers.models.gpt2.modeling_gpt2 import GPT2Block
    from transformers.models.llama.modeling_llama import LlamaDecoderLayer

    built = {}
    for problem in problems(drawn, "transformer-block"):
        p = problem["params"]
        key = tuple(sorted(p.items()))
        if key not in built:
            with torch.device("meta"):
                if p["mlp"] == "swiglu":
                    block = LlamaDecoderLayer(transformers.LlamaConfig(
                        hidden_size=p["d_model"], intermediate_size=p["d_ff"], num_attention_heads=p["n_heads"],
                        num_key_value_heads=p["n_kv_heads"], head_dim=p["head_dim"]), 0)
                    attention, mlp = block.self_attn, block.mlp
                else:
                    assert p["n_kv_heads"] == p["n_heads"] and p["head_dim"] * p["n_heads"] == p["d_model"]
                    block = GPT2Block(transformers.GPT2Config(n_embd=p["d_model"], n_head=p["n_heads"], n_inner=p["d_ff"]))
                    attention, mlp = block.attn, block.mlp
            count = lambda m: sum(t.numel() for t in m.parameters())  # noqa: E731
            built[key] = {"attention": count(attention), "mlp": count(mlp), "total": count(block)}
        answers = {a["key"]: a["value"] for a in problem["answers"]}
        assert answers == built[key], where("transformer-block", problem)


def test_kv_cache_agrees_with_the_tensors_it_holds(drawn):
    dtypes = {1: torch.float8_e4m3fn, 2: torch.bfloat16, 4: torch.float32}
    for problem in problems(drawn, "kv-cache"):
        p = problem["params"]
        layer = torch.empty(p["batch"], p["n_kv_heads"], p["seq_len"], p["head_dim"],
                            dtype=dtypes[p["bytes_per_elem"]], device="meta")
        total = 2 * p["n_layers"] * layer.numel() * layer.element_size()
        answers = {a["key"]: a["value"] for a in problem["answers"]}
        assert math.isclose(answers["gib"], total / 2**30, rel_tol=1e-12), where("kv-cache", problem)


def test_lora_parameters_agree_with_pytorch_modules(drawn):
    for problem in problems(drawn, "lora"):
        p = problem["params"]
        with torch.device("meta"):
            adapters = [nn.Sequential(nn.Linear(d_in, p["r"], bias=False), nn.Linear(p["r"], d_out, bias=False))
                        for d_in, d_out in p["shapes"]]
        per_layer = sum(t.numel() for adapter in adapters for t in adapter.parameters())
        assert problem["answers"][0]["value"] == p["n_layers"] * per_layer, where("lora", problem)


def test_adam_state_bytes_agree_with_torch_adam():
    """bf16 weights and gradients, an fp32 master copy, and torch.optim.Adam's m and v:
    the bytes per parameter formulas.ADAM_BYTES (and so every training-memory answer) uses."""
    model = nn.Linear(64, 32).to(torch.bfloat16)
    master = [t.detach().float().requires_grad_() for t in model.parameters()]
    optimizer = torch.optim.Adam(master)
    model(torch.ones(4, 64, dtype=torch.bfloat16)).sum().backward()
    for m, t in zip(master, model.parameters()):
        m.grad = t.grad.float()
    optimizer.step()
    n = sum(t.numel() for t in model.parameters())
    weights = sum(t.numel() * t.element_size() for t in model.parameters())
    grads = sum(t.grad.numel() * t.grad.element_size() for t in model.parameters())
    state = sum(v.numel() * v.element_size() for s in optimizer.state.values() for v in s.values() if v.dim())
    state += sum(t.numel() * t.element_size() for t in master)
    assert {"weights": weights / n, "grads": grads / n, "optimizer": state / n} == F.ADAM_BYTES


# The page in use ----------------------------------------------------------------------------

ONE = PAGE + "?kind=conv-output&level=1&seed=42"


def open_drill(page, path=ONE):
    page.goto(path)
    page.locator(".calc-fields input").first.wait_for()


def shown_params(page) -> dict:
    return page.evaluate("""() => { const q = new URLSearchParams(location.search);
      return HandbookCalc.problem(q.get('kind'), Number(q.get('level')), Number(q.get('seed'))).params; }""")


def test_a_seeded_url_is_one_problem_for_everyone(browser, served):
    prompts = []
    for _ in range(2):
        context = browser.new_context(base_url=served)
        page = context.new_page()
        open_drill(page)
        prompts.append(page.inner_text(".calc-prompt"))
        context.close()
    assert prompts[0] == prompts[1] and "×" in prompts[0]


def test_check_show_next_by_keyboard_and_results_reach_the_review_page(page):
    open_drill(page)
    p = shown_params(page)
    right = F.conv_output_size(p["n"], p["k"], p["s"], p["p"], p["d"])
    field = page.locator("#calc-answer-0")

    # A right answer, typed as a reader may ("1,234" style), checked with Enter
    field.fill(f"{right:,}")
    field.press("Enter")
    assert "全部正确" in page.inner_text(".calc-feedback")
    assert field.get_attribute("aria-invalid") == "false"
    assert "答对 1 / 1，连对 1" in page.inner_text(".calc-stats")

    # Enter again: a new problem of the same kind and level, with its own seed in the URL
    field.press("Enter")
    page.wait_for_function("() => !location.search.includes('seed=42')")
    assert "kind=conv-output&level=1" in page.url
    p = shown_params(page)
    wrong = F.conv_output_size(p["n"], p["k"], p["s"], p["p"], p["d"]) + 1
    field.fill(str(wrong))
    field.press("Enter")
    assert field.get_attribute("aria-invalid") == "true"
    assert "1 项不对" in page.inner_text(".calc-feedback")

    # Space (outside a field) shows the worked solution, with rendered math
    page.locator("h1").click()
    assert page.locator(".calc-solution").is_hidden()
    page.keyboard.press(" ")
    solution = page.locator(".calc-solution")
    assert solution.is_visible()
    assert solution.locator("math").count() >= 1
    assert solution.locator("math").first.bounding_box()["height"] > 5
    assert "答对 1 / 2，连对 0（最好 1）" in page.inner_text(".calc-stats")

    # J draws another
    seed = page.url
    page.keyboard.press("j")
    page.wait_for_function(f"() => location.href !== {seed!r}")
    assert page.locator(".calc-solution").is_hidden()

    # The review page lists the kind: 2 tried, 50%, streak 0, best 1; and clears it
    page.goto("review/")
    row = page.locator('#calc-progress tr[data-kind="conv-output"]')
    row.wait_for()
    assert row.locator("td").all_inner_texts() == ["2", "50%", "0", "1"]
    assert page.locator('#calc-progress tr[data-kind="lora"]').is_hidden()
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".calc-clear").click()
    assert row.is_hidden() and page.locator(".calc-progress-empty").is_visible()


def test_showing_the_solution_first_counts_as_a_miss(page):
    open_drill(page, PAGE + "?kind=lora&level=3&seed=7")
    page.locator(".calc-show").click()
    assert "答对 0 / 1，连对 0" in page.inner_text(".calc-stats")
    page.locator(".calc-show").click(force=True)  # disabled now: no second record
    assert "答对 0 / 1" in page.inner_text(".calc-stats")


def test_kind_and_level_controls_draw_a_problem_of_that_kind(page):
    open_drill(page)
    page.select_option("select[name=kind]", "kv-cache")
    page.wait_for_function("() => location.search.includes('kind=kv-cache')")
    page.locator("input[name=level][value='3']").check()
    page.wait_for_function("() => location.search.includes('level=3')")
    assert page.locator(".calc-fields input").count() == 2
    assert "T27" in page.inner_text(".calc-related-links")
    links = page.locator(".calc-related-links a")
    assert links.count() == 2 and links.first.get_attribute("href").endswith("#t27")


def test_the_page_works_after_instant_navigation(page):
    """The theme swaps pages in without a reload: the script must draw a problem on arrival,
    and again after leaving and coming back."""
    page.goto("")
    page.locator(".home-actions a", has_text="练计算题").click()
    page.locator(".calc-fields input").first.wait_for()
    assert page.evaluate("() => performance.getEntriesByType('navigation').length") == 1
    assert page.locator(".calc-problem").evaluate("el => !el.hasAttribute('data-pending')")
    page.locator(".md-footer__link--next").click()
    page.wait_for_url("**/review/")
    page.go_back()
    page.locator(".calc-fields input").first.wait_for()
    assert page.locator(".calc-prompt").inner_text().strip()


def test_answers_are_read_the_way_readers_write_them(page):
    open_drill(page)
    parsed = page.evaluate("""() => ['2,359,296', '2 359 296', '1.5e6', '3/7', '37.5%', '−0.25', 'abc', '']
      .map(HandbookCalc.parseAnswer)""")
    assert parsed[:6] == [2359296, 2359296, 1.5e6, 3 / 7, 0.375, -0.25]
    assert all(v is None or math.isnan(v) for v in parsed[6:])
    within = page.evaluate("""() => [
      HandbookCalc.within({value: 0.25, tol: {abs: 0.001}}, 0.251),
      HandbookCalc.within({value: 0.25, tol: {abs: 0.001}}, 0.2515),
      HandbookCalc.within({value: 100, tol: {rel: 0.005}}, 100.4),
      HandbookCalc.within({value: 100, tol: {rel: 0.005}}, 100.6),
      HandbookCalc.within({value: 7, tol: {abs: 0}}, 7),
      HandbookCalc.within({value: 7, tol: {abs: 0}}, 7.01),
      HandbookCalc.within({value: 118013952000, tol: {abs: 0}}, 118013952001)]""")
    assert within == [True, False, True, False, True, False, False]


def test_the_script_is_only_on_the_drill_page(site):
    pages = [p.relative_to(site).as_posix() for p in site.rglob("*.html")
             if "calculation-drills.js" in p.read_text(encoding="utf-8")]
    assert pages == ["calculation-drills/index.html"]


def test_the_home_page_and_the_readme_point_to_the_drills(site):
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="calculation-drills/"' in home
    assert "calculation-drills/" in (ROOT / "README.md").read_text(encoding="utf-8")
    # The count of problems checked, as the home page says it
    assert f"每个难度各抽 {len(SEEDS)} 道" in (ROOT / "docs" / "index.md").read_text(encoding="utf-8")


def test_without_javascript_the_page_says_why(browser, served):
    context = browser.new_context(base_url=served, java_script_enabled=False)
    page = context.new_page()
    page.goto(PAGE)
    assert "需要启用 JavaScript" in page.inner_text("article")
    assert page.locator("#calc-drill").is_hidden()
    context.close()
