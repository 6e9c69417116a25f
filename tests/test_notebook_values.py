"""Pages quote notebook results through placeholders; T15 agrees with its notebook."""

from __future__ import annotations

import json
import re

import pytest
from mkdocs.exceptions import PluginError

from conftest import ROOT, load_hook

values = load_hook("notebook_values")


def results_notebook(tmp_path, printed: str, tag="results"):
    nb = {"cells": [{"cell_type": "code", "metadata": {"tags": [tag]}, "source": "", "execution_count": 1,
                     "outputs": [{"output_type": "stream", "name": "stdout", "text": printed}]}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "demo.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    values._cache.clear()
    return tmp_path


def test_substitutes_with_default_and_explicit_formats(tmp_path):
    folder = results_notebook(tmp_path, '{"n": 417792, "ap": 0.73456, "name": "VGG"}')
    out = values.substitute("{{ nb.demo.n }} / {{nb.demo.ap:.2f}} / {{ nb.demo.ap }} / {{ nb.demo.name }}", folder, "p.md")
    assert out == "417,792 / 0.73 / 0.7346 / VGG"


def test_scientific_notation_is_written_for_readers(tmp_path):
    folder = results_notebook(tmp_path, '{"big": 3.4028e38, "small": 5.96e-8, "err": 2.5e-06, "p": 3e-23, "d": 2.86e-06}')
    out = values.substitute("{{ nb.demo.big:.3g }} {{ nb.demo.small:.3g }} {{ nb.demo.err:.1e }} {{ nb.demo.p:.0e }} "
                            "{{ nb.demo.d }}", folder, "p.md")
    assert out == "3.4×10³⁸ 5.96×10⁻⁸ 2.5×10⁻⁶ 3×10⁻²³ 2.86×10⁻⁶"


def test_leaves_tex_braces_alone(tmp_path):
    folder = results_notebook(tmp_path, '{"n": 1}')
    assert values.substitute("$e^{{z_i}}$", folder, "p.md") == "$e^{{z_i}}$"


@pytest.mark.parametrize("markdown, printed, message", [
    ("{{ nb.missing.n }}", '{"n": 1}', "names a notebook that does not exist"),
    ("{{ nb.demo.m }}", '{"n": 1}', "has no result 'm' (it has: n)"),
    ("{{ nb.demo.n }}", "not json", "must print one JSON object"),
    ("{{ nb.demo.n }}", "[1, 2]", "printed list, not an object"),
    ("{{ nb.demo.n:q }}", '{"n": 1}', "bad format spec"),
])
def test_bad_placeholders_fail_naming_the_page(tmp_path, markdown, printed, message):
    folder = results_notebook(tmp_path, printed)
    with pytest.raises(PluginError, match=re.escape(message)) as error:
        values.substitute(markdown, folder, "theory/x.md")
    assert str(error.value).startswith("theory/x.md") or "demo.ipynb" in str(error.value)


def test_notebook_without_results_cell_fails(tmp_path):
    folder = results_notebook(tmp_path, '{"n": 1}', tag="other")
    with pytest.raises(PluginError, match="exactly one cell tagged 'results'"):
        values.substitute("{{ nb.demo.n }}", folder, "p.md")


def test_t15_prose_matches_the_parameter_count_notebook(site):
    """The first notebook's numbers, as shown in T15, are the notebook's own outputs."""
    results = values.read_results(ROOT / "notebooks" / "parameter-counts.ipynb")
    page = (site / "theory" / "cnn-basics" / "index.html").read_text(encoding="utf-8")
    answer = page.split('id="t15"', 1)[1].split('<h2', 1)[0]
    for key in ("direct_weights", "direct_total", "bottleneck_weights", "bottleneck_total"):
        assert f"{results[key]:,}" in answer, f"T15 does not show {key} = {results[key]:,}"
    # The article's counts (weights only, biases excluded) are what the notebook computes
    assert results["direct_weights"] == 128 * 5 * 5 * 256
    assert results["bottleneck_weights"] == 128 * 1 * 1 * 64 + 64 * 5 * 5 * 256
