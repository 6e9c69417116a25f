"""Small hooks and tools: HTML minifying, search index spelling, notebook stream merging."""

from __future__ import annotations

import json
import sys

import nbformat

from conftest import ROOT, load_hook

minify_html = load_hook("minify_html")
search_index = load_hook("search_index")
sys.path.insert(0, str(ROOT / "scripts"))
import run_notebooks  # noqa: E402


def test_minify_drops_indentation_but_not_preformatted_text():
    page = "<div>\n    <p>a\n      b</p>\n\n\n  <pre>  keep\n    this</pre>\n  <script>\n  var x = 1;\n</script>\n</div>"
    out = minify_html.minify(page)
    assert out == "<div>\n<p>a\nb</p>\n<pre>  keep\n    this</pre>\n<script>\n  var x = 1;\n</script>\n</div>"


def test_built_pages_carry_no_template_indentation(site):
    html = (site / "theory" / "cnn-basics" / "index.html").read_text(encoding="utf-8")
    outside_pre = "".join(minify_html.VERBATIM.split(html)[::2])
    assert "\n  " not in outside_pre


def test_search_index_spells_sizes_with_an_x(tmp_path):
    path = tmp_path / "search_index.json"
    path.write_text(json.dumps({"docs": [{"title": "1×1 卷积", "text": "3 × 3 与 7×7，a×b 不变"}]}), encoding="utf-8")
    search_index.rewrite(path)
    doc = json.loads(path.read_text(encoding="utf-8"))["docs"][0]
    assert doc == {"title": "1x1 卷积", "text": "3x3 与 7x7，a×b 不变"}


def test_split_stream_writes_compare_equal():
    """ipykernel may deliver one print() as one output or as two; both are the same text."""
    one = nbformat.v4.new_code_cell("print('a')")
    one.outputs = [nbformat.v4.new_output("stream", name="stdout", text="a\nb\n")]
    two = nbformat.v4.new_code_cell("print('a')")
    two.outputs = [nbformat.v4.new_output("stream", name="stdout", text="a\n"),
                   nbformat.v4.new_output("stream", name="stdout", text="b\n")]
    stored, fresh = nbformat.v4.new_notebook(cells=[one]), nbformat.v4.new_notebook(cells=[two])
    assert run_notebooks.diff(stored, fresh, "demo.ipynb") == []
    assert len(run_notebooks.normalize(fresh).cells[0].outputs) == 1


def test_a_changed_output_is_stale():
    cell = nbformat.v4.new_code_cell("print(x)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="417792\n")]
    changed = nbformat.v4.new_code_cell("print(x)")
    changed.outputs = [nbformat.v4.new_output("stream", name="stdout", text="417793\n")]
    problems = run_notebooks.diff(nbformat.v4.new_notebook(cells=[cell]), nbformat.v4.new_notebook(cells=[changed]), "demo.ipynb")
    assert problems and "demo.ipynb: code cell 1 output is stale" in problems[0]
