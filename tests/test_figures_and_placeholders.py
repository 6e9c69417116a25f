"""Figures inside answers come from the notebooks' stored outputs; a placeholder the build
does not recognise fails it instead of reaching a reader."""

from __future__ import annotations

import base64
import re

import nbformat

from conftest import ROOT

PIXEL = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)).decode()


def demo_notebook(alt: str | None = "演示图：一个像素") -> str:
    nb = nbformat.v4.new_notebook()
    nb.metadata["handbook"] = {"summary": "演示"}
    intro = nbformat.v4.new_markdown_cell("# 演示\n\n服务于 [T01](../a.md#t01)。")
    code = nbformat.v4.new_code_cell("show()", execution_count=1)
    code.outputs = [nbformat.v4.new_output("display_data", data={"image/png": PIXEL, "text/plain": "<Figure>"},
                                           metadata={"image/png": {"width": 300, "height": 200}})]
    if alt:
        code.metadata["alt"] = alt
    nb.cells = [intro, code]
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index}"
    return nbformat.writes(nb)


ANSWER = """# A

## T01 · 一道题 {{#t01}}

??? answer "答案"

    !!! quick "面试速答"

        一句话。

    !!! explain "详解"

        {placeholder}
"""


def test_an_answer_shows_a_notebook_figure_from_its_stored_output(project):
    project.write("notebooks/demo.ipynb", demo_notebook())
    project.write("a.md", ANSWER.format(placeholder="{{ figure.demo.cell-1 }}"))
    result = project.build()
    assert result.returncode == 0, result.output
    page = (project.site / "a" / "index.html").read_text(encoding="utf-8")
    img = re.search(r'<img class="answer-figure" src="([^"]+)" alt="演示图：一个像素" width="300" height="200" '
                    r'loading="lazy" decoding="async">', page)
    assert img, "no figure in the answer"
    written = (project.site / "a" / img.group(1)).resolve()
    assert written.read_bytes() == base64.b64decode(PIXEL), "not the notebook's stored image"
    assert "assets/figures/" in img.group(1) and not list((ROOT / "docs" / "assets").glob("figures"))


def test_a_figure_without_alt_text_fails_naming_the_page(project):
    project.write("notebooks/demo.ipynb", demo_notebook(alt=None))
    project.write("a.md", ANSWER.format(placeholder="{{ figure.demo.cell-1 }}"))
    result = project.build()
    assert result.returncode != 0 and "a.md: demo.ipynb cell 'cell-1' draws a figure but has no 'alt'" in result.output


def test_a_figure_from_a_missing_cell_fails(project):
    project.write("notebooks/demo.ipynb", demo_notebook())
    project.write("a.md", ANSWER.format(placeholder="{{ figure.demo.cell-9 }}"))
    result = project.build()
    assert result.returncode != 0 and "a.md: demo.ipynb has no cell 'cell-9'" in result.output


def test_an_unrecognised_placeholder_fails_the_build_naming_the_file(project):
    project.write("notebooks/demo.ipynb", demo_notebook())
    # An underscore where the notebook's name has a hyphen: no step recognises it
    project.write("a.md", ANSWER.format(placeholder="感受野是 {{nb.receptive_field.rf}}。"))
    result = project.build()
    assert result.returncode != 0
    assert "a.md: placeholder not recognised: '{{nb.receptive_field.rf}}'" in result.output


def test_braces_in_code_and_math_are_not_placeholders(project):
    project.write("a.md", ANSWER.format(placeholder="`{{ jinja }}` 与 $e^{{z_i}}$ 照常显示。"))
    result = project.build()
    assert result.returncode == 0, result.output
