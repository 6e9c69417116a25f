"""Notebook pages behave like Markdown pages: anchors, TOC, links, math, figures, weight."""

from __future__ import annotations

import base64
import re

import nbformat

from conftest import ROOT

# A 1x1 PNG
PIXEL = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)).decode()


def executed_notebook(markdown: list[str], figure_alt: str | None = "一个像素") -> str:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["handbook"] = {"summary": "演示"}
    cells = [nbformat.v4.new_markdown_cell(text) for text in markdown]
    code = nbformat.v4.new_code_cell("show()", execution_count=1)
    code.outputs = [nbformat.v4.new_output("display_data", data={"image/png": PIXEL, "text/plain": "<Figure>"})]
    if figure_alt:
        code.metadata["alt"] = figure_alt
    printed = nbformat.v4.new_code_cell("print(1)", execution_count=2)
    printed.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    nb.cells = cells + [code, printed]
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index}"
    return nbformat.writes(nb)


PAGE = ("# 问题页\n\n## T01 · 一个问题 {#t01}\n\n??? answer \"答案\"\n\n    !!! quick \"面试速答\"\n\n"
        "        见 [notebook](notebooks/demo.ipynb#卷积层的参数量_1)。\n")


def test_notebook_page_anchors_links_math_and_figures(project):
    project.write("questions.md", PAGE)
    project.write("notebooks/demo.ipynb", executed_notebook([
        "# 演示 notebook\n\n回到 [T01](../questions.md#t01)。公式 $p - y$ 与\n\n$$\\frac{a}{b}$$",
        "## 卷积层的参数量",
        "## 卷积层的参数量",
    ]))
    result = project.build()
    assert result.returncode == 0, result.output
    html = (project.site / "notebooks" / "demo" / "index.html").read_text(encoding="utf-8")
    ids = re.findall(r'<h[1-6] id="([^"]*)"', html)
    assert ids == ["演示-notebook", "卷积层的参数量", "卷积层的参数量_1"]
    assert 'href="#卷积层的参数量_1"' in html.split('class="md-content"')[0], "TOC lacks the headings"
    assert '<a href="../../questions/#t01">T01</a>' in html
    assert html.count("<math ") == 2 and "$" not in html.split("<article")[1].split("</article>")[0]
    figure = re.search(r'<img alt="一个像素"[^>]*src="(\.\./\.\./assets/figures/[0-9a-f]{16}\.png)"', html)
    assert figure, "figure not extracted to a file"
    assert (project.site / "notebooks" / "demo" / figure.group(1)).resolve().is_file()
    assert 'width="1"' in html and 'height="1"' in html
    for noise in ("<style", "<script src=\"http", "clipboard-copy", "Copied!", "jp-Cell", "data:image/png"):
        assert noise not in html.split("<article")[1].split("</article>")[0], noise


def test_anchor_into_a_notebook_is_validated(project):
    project.write("questions.md", PAGE.replace("_1)", "_9)"))
    project.write("notebooks/demo.ipynb", executed_notebook(["# 演示", "## 卷积层的参数量", "## 卷积层的参数量"]))
    result = project.build()
    assert result.returncode != 0
    assert "questions.md" in result.output and "卷积层的参数量_9" in result.output


def test_broken_link_in_a_notebook_fails_naming_it(project):
    project.write("notebooks/demo.ipynb", executed_notebook(["# 演示\n\n见 [这里](../missing.md#x)。"]))
    result = project.build()
    assert result.returncode != 0
    assert "notebooks/demo.ipynb: link '../missing.md#x'" in result.output


def test_broken_anchor_from_a_notebook_fails(project):
    project.write("questions.md", "# 问题页\n")
    project.write("notebooks/demo.ipynb", executed_notebook(["# 演示\n\n见 [T99](../questions.md#t99)。"]))
    result = project.build()
    assert result.returncode != 0
    assert "t99" in result.output


def test_figure_without_alt_text_fails(project):
    project.write("notebooks/demo.ipynb", executed_notebook(["# 演示"], figure_alt=None))
    result = project.build()
    assert result.returncode != 0
    assert "notebooks/demo.ipynb: cell 2 draws a figure but has no 'alt'" in result.output


def test_real_notebook_pages_are_light(site):
    """mkdocs-jupyter inlines ~576 KB of CSS per notebook page; ours carry none. The budget
    is split: the notebook itself (its <article>: prose, highlighted code, outputs) is the
    author's to keep small; the page around it (header, tabs, nav, table of contents)
    grows with the handbook, one nav entry per notebook."""
    for page in (site / "notebooks").glob("*/index.html"):
        html = page.read_text(encoding="utf-8")
        name = page.relative_to(site)
        article = html[html.index("<article"): html.index("</article>")]
        assert len(article.encode()) < 75_000, f"{name}: the notebook is {len(article.encode()):,} bytes"
        assert len(html.encode()) < 120_000, f"{name} is {len(html.encode()):,} bytes"
        assert "jp-" not in html and "<style" not in article


def test_notebook_sources_are_downloadable(site):
    for notebook in (ROOT / "notebooks").glob("*.ipynb"):
        assert (site / "notebooks" / notebook.stem / notebook.name).is_file(), notebook.name
