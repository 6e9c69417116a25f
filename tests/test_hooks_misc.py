"""Small hooks and tools: HTML whitespace, search index spelling, notebook stream merging."""

from __future__ import annotations

import json
import sys

import nbformat

from conftest import ROOT, load_hook

html_whitespace = load_hook("html_whitespace")
search_index = load_hook("search_index")
sys.path.insert(0, str(ROOT / "scripts"))
import run_notebooks  # noqa: E402


def test_indentation_goes_but_preformatted_text_stays():
    page = "<div>\n    <p>a\n      b</p>\n\n\n  <pre>  keep\n    this</pre>\n  <script>\n  var x = 1;\n</script>\n</div>"
    out = html_whitespace.tidy(page)
    assert out == "<div>\n<p>a\nb</p>\n<pre>  keep\n    this</pre>\n<script>\n  var x = 1;\n</script>\n</div>"


def test_built_pages_carry_no_template_indentation(site):
    html = (site / "theory" / "cnn-basics" / "index.html").read_text(encoding="utf-8")
    outside_pre = "".join(html_whitespace.VERBATIM.split(html)[::2])
    assert "\n  " not in outside_pre


def test_line_breaks_between_chinese_characters_are_joined():
    page = "<p>局部连接和\n<strong>权值共享</strong>。\n下一句 English\nwords 与\n中文</p><pre>代码\n换行</pre>"
    assert html_whitespace.tidy(page) == "<p>局部连接和<strong>权值共享</strong>。下一句 English\nwords 与中文</p><pre>代码\n换行</pre>"


CONFIG = {"separator": r"[\s\u200b]+", "fields": {"title": {"boost": 4}, "text": {"boost": 1}}}


def test_search_index_spells_sizes_with_an_x(tmp_path):
    path = tmp_path / "search_index.json"
    path.write_text(json.dumps({"config": CONFIG, "docs": [{"location": "a/", "title": "1×1 卷积", "text": "3 × 3 与 7×7，a×b 不变"}]}), encoding="utf-8")
    search_index.rewrite(path)
    doc = json.loads(path.read_text(encoding="utf-8"))["docs"][0]
    assert doc == {"location": "a/", "title": "1x1 卷积", "text": "3x3 与 7x7，a×b 不变"}


def test_topic_pages_rank_below_their_questions(tmp_path):
    path = tmp_path / "search_index.json"
    docs = [{"location": "theory/reg/", "title": "正则化与泛化", "text": ""},
            {"location": "theory/reg/#t13", "title": "T13 · 正则化", "text": "x"},
            {"location": "about/", "title": "关于", "text": "y"}]
    path.write_text(json.dumps({"config": CONFIG, "docs": docs}), encoding="utf-8")
    search_index.rewrite(path, {"theory/reg/"})
    boosts = {d["location"]: d.get("boost") for d in json.loads(path.read_text(encoding="utf-8"))["docs"]}
    assert boosts == {"theory/reg/": search_index.TOPIC_PAGE_BOOST, "theory/reg/#t13": None, "about/": None}


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
