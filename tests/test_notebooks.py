"""Notebooks: each runs clean in a fresh kernel, its stored outputs are current, and a
broken notebook fails the build by name."""

from __future__ import annotations

import json
import re
import sys

import nbformat
import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import run_notebooks  # noqa: E402

NOTEBOOKS = run_notebooks.notebook_paths()


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_and_stored_outputs_are_current(path):
    """Re-execute in a fresh kernel; every text output must equal the stored one.

    The stored outputs come from an earlier run, so this also proves the outputs are
    deterministic (fixed seeds, no timings printed unrounded)."""
    fresh = run_notebooks.execute(path)
    problems = run_notebooks.diff(run_notebooks.read(path), fresh, path.name)
    assert problems == [], "\n".join(problems) + "\nRun `make notebooks` to refresh."


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_shape(path):
    """One shape for all (as in d2l): title, links back to questions, summary, exercises,
    and one `results` cell that publishes the numbers the pages quote."""
    nb = nbformat.read(path, as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert re.match(r"# \S", nb.cells[0].source), f"{path.name}: must open with an H1 title"
    assert re.search(r"\]\([^)]*\.md#[tp]\d\d\)", markdown), f"{path.name}: must link to a question"
    for section in ("## 小结", "## 练习"):
        assert section in markdown, f"{path.name}: lacks '{section}'"
    tagged = [c for c in nb.cells if "results" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: needs exactly one cell tagged 'results'"
    for cell in nb.cells:
        if cell.cell_type == "code":
            for out in cell.outputs:
                if out.output_type == "display_data" and any(m.startswith("image/") for m in out.data):
                    assert cell.metadata.get("alt"), f"{path.name}: a figure cell lacks 'alt' metadata"


def notebook(cells) -> str:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["handbook"] = {"summary": "演示"}
    nb.cells = cells
    return nbformat.writes(nb)


def test_raising_notebook_fails_execution_by_name(tmp_path):
    path = tmp_path / "broken-demo.ipynb"
    path.write_text(notebook([nbformat.v4.new_code_cell("1 / 0")]), encoding="utf-8")
    with pytest.raises(run_notebooks.NotebookFailed, match=r"(?s)broken-demo\.ipynb: a cell raised.*ZeroDivisionError"):
        run_notebooks.execute(path)


def test_stored_error_output_fails_the_build_by_name(project):
    cell = nbformat.v4.new_code_cell("1 / 0", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("error", ename="ZeroDivisionError", evalue="division by zero", traceback=[])]
    project.write("notebooks/broken-demo.ipynb", notebook([nbformat.v4.new_markdown_cell("# 演示"), cell]))
    result = project.build()
    assert result.returncode != 0
    assert "notebooks/broken-demo.ipynb: cell 2 raised ZeroDivisionError" in result.output


def test_unexecuted_notebook_fails_the_build_by_name(project):
    project.write("notebooks/stale-demo.ipynb", notebook([nbformat.v4.new_code_cell("print(1)")]))
    result = project.build()
    assert result.returncode != 0
    assert "notebooks/stale-demo.ipynb: cell 1 was never executed" in result.output


def test_malformed_notebook_fails_the_build_by_name(project):
    project.write("notebooks/malformed-demo.ipynb", '{"cells": [ {"cell_type": "code", ')
    result = project.build()
    assert result.returncode != 0
    assert "malformed-demo.ipynb" in result.output


def test_malformed_notebook_fails_execution_by_name(tmp_path):
    path = tmp_path / "malformed-demo.ipynb"
    path.write_text(json.dumps({"cells": "not a list"}), encoding="utf-8")
    with pytest.raises(run_notebooks.NotebookFailed, match=r"malformed-demo\.ipynb: malformed notebook"):
        run_notebooks.execute(path)


def test_the_figure_font_covers_every_chinese_character_a_notebook_draws():
    """Chinese labels need the committed subset (scripts/figure_font.py): a character it
    lacks would draw as a box and warn, which the freshness check above turns into a failure."""
    fontTools = pytest.importorskip("fontTools.ttLib")
    import figure_font

    cmap = fontTools.TTFont(figure_font.TARGET).getBestCmap()
    missing = sorted(c for c in figure_font.notebook_chars() if ord(c) not in cmap)
    assert missing == [], f"the figure font lacks {''.join(missing)!r}: run scripts/figure_font.py"
