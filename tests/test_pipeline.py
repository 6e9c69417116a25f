"""The build pipeline: one question model feeds every output, so one edit reaches all of them.

A question added to a topic page, or a notebook added to notebooks/, is a single file
edit; these tests make that edit on a copy of the project, build it, and look for the
result everywhere a reader meets it. Also: question headings either work everywhere or
fail the build, titles with math read the same in every output, and the notebook runner
leaves the process environment alone.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import sqlite3
import sys
import zipfile

import nbformat
import pytest

from conftest import ROOT, mkdocs_build

sys.path.insert(0, str(ROOT / "scripts"))
import run_notebooks  # noqa: E402


def copy_of_the_project(tmp_path):
    root = tmp_path / "project"
    for name in ("docs", "overrides", "notebooks"):
        shutil.copytree(ROOT / name, root / name, symlinks=True, ignore=shutil.ignore_patterns(".cache", "__pycache__"))
    for name in ("mkdocs.yml", "search-dictionary.txt", "search-synonyms.txt"):
        shutil.copy2(ROOT / name, root / name)
    return root


def next_id(prefix: str) -> str:
    ids = [int(m) for page in (ROOT / "docs").rglob("*.md")
           for m in re.findall(rf"\{{#{prefix}(\d+)\b", page.read_text(encoding="utf-8"))]
    return f"{prefix}{max(ids) + 1:02d}"


QUESTION = """
## {ID} · 单文件添加的测试题：$1\\times1$ 卷积还能做什么？ {{#{id}}}

??? answer "答案"

    !!! quick "面试速答"

        这是一道只改一个文件就加进来的题，用来检查流水线。

    !!! explain "详解"

        详解部分。
"""


def test_one_edit_adds_a_question_everywhere(tmp_path):
    root = copy_of_the_project(tmp_path)
    qid = next_id("t")
    page = root / "docs" / "theory" / "cnn-basics.md"
    page.write_text(page.read_text(encoding="utf-8") + QUESTION.format(ID=qid.upper(), id=qid), encoding="utf-8")
    result = mkdocs_build(root, tmp_path / "site")
    assert result.returncode == 0, result.output
    site = result.site
    title = "单文件添加的测试题：1×1 卷积还能做什么？"

    def html(path):
        return (site / path / "index.html").read_text(encoding="utf-8")

    topic = html("theory/cnn-basics")
    assert re.search(rf'<h2 id="{qid}" class="question">.*?</h2>\s*<div class="study-bar" data-qid="{qid}"', topic, re.S)
    assert f'href="cnn-basics/#{qid}"' in html("theory"), "not in the theory overview"
    index_row = re.search(rf'<a href="../theory/cnn-basics/#{qid}">{qid.upper()}</a></td><td><a [^>]*>(.*?)</a>',
                          html("questions"))
    assert index_row, "not in the index"
    sys.path.insert(0, str(ROOT / "overrides" / "hooks"))
    from html_tree import plain_text
    # The formula in the title reads the same in the index as in the exports below
    assert plain_text(index_row.group(1), math="visible") == title and "<math" in index_row.group(1)
    assert f'data-qid="{qid}" data-topic="卷积神经网络基础"' in html("drill"), "not in the drill"
    assert f'<li data-qid="{qid}">' in html("review"), "not in the review list"
    assert f'<h2 id="{qid}" class="question">' in html("print"), "not on the print page"
    assert f'"{qid}"' in html("about").split('id="__study"', 1)[1].split("</script>", 1)[0], "not in the site-wide IDs"

    listing = {q["id"]: q for q in json.loads((site / "downloads" / "questions.json").read_text(encoding="utf-8"))}
    assert listing[qid.upper()] == {"id": qid.upper(), "title": title, "url": f"theory/cnn-basics/#{qid}",
                                    "topic": "卷积神经网络基础"}
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(
        (site / "downloads" / "handbook-zh.csv").read_text(encoding="utf-8-sig")))}
    assert rows[qid.upper()]["question"] == title and "只改一个文件" in rows[qid.upper()]["answer"]
    with zipfile.ZipFile(site / "downloads" / "handbook-zh.apkg") as deck:
        deck.extract("collection.anki2", tmp_path)
    db = sqlite3.connect(tmp_path / "collection.anki2")
    fields = [f.split("\x1f") for (f,) in db.execute("select flds from notes")]
    db.close()
    assert any(f[0] == qid.upper() and "只改一个文件" in f[2] for f in fields), "not in the Anki deck"
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert any(d["location"] == f"theory/cnn-basics/#{qid}" for d in index["docs"]), "not in the search index"


def test_one_file_adds_a_notebook_everywhere(tmp_path):
    root = copy_of_the_project(tmp_path)
    nb = nbformat.v4.new_notebook()
    nb.metadata["handbook"] = {"summary": "单文件添加的测试 notebook"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# 单文件添加的 notebook\n\n服务于 [T01](../theory/cnn-basics.md#t01)。"),
        nbformat.v4.new_code_cell("import json\nprint(json.dumps({'answer': 42}))", metadata={"tags": ["results"]}),
    ]
    nb.cells[1].execution_count = 1
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text='{"answer": 42}\n')]
    nbformat.write(nb, root / "notebooks" / "zz-single-file.ipynb")
    result = mkdocs_build(root, tmp_path / "site")
    assert result.returncode == 0, result.output
    site = result.site
    page = (site / "notebooks" / "zz-single-file" / "index.html").read_text(encoding="utf-8")
    assert "单文件添加的 notebook" in page
    overview = (site / "notebooks" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<a href="zz-single-file/">单文件添加的 notebook</a></td><td>单文件添加的测试 notebook</td>'
                     r'<td><a href="../theory/cnn-basics/#t01">T01</a>', overview), "not in the notebooks index"
    # The nav of a page in the Notebooks section (navigation.prune writes only the visible part)
    nav = overview.split('md-sidebar--primary', 1)[1].split('md-sidebar--secondary', 1)[0]
    assert 'href="zz-single-file/"' in nav, "not in the nav"
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert any(d["location"].startswith("notebooks/zz-single-file/") for d in index["docs"])


def test_a_notebook_without_summary_fails_naming_it(project):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 无摘要\n\n服务于 [T01](../a.md#t01)。")]
    nbformat.write(nb, project.root / "docs" / "notebooks" / "no-summary.ipynb")
    result = project.build()
    assert result.returncode != 0 and "notebooks/no-summary.ipynb: no summary" in result.output


HEADED = """# 页

## T01 · 带额外属性的题 {#t01 .core data-level="2"}

??? answer "答案"

    !!! quick "面试速答"

        额外的属性不影响题目被识别。
"""


def test_a_question_heading_with_extra_attributes_works_everywhere(project):
    project.write("theory/a.md", HEADED)
    result = project.build()
    assert result.returncode == 0, result.output
    page = (project.site / "theory" / "a" / "index.html").read_text(encoding="utf-8")
    heading = re.search(r'<h2 ([^>]*\bid="t01"[^>]*)>.*?</h2>\s*<div class="study-bar" data-qid="t01"', page, re.S)
    assert heading and 'class="core question"' in heading.group(1) and 'data-level="2"' in heading.group(1)
    listing = json.loads((project.site / "downloads" / "questions.json").read_text(encoding="utf-8"))
    assert [q["id"] for q in listing] == ["T01"] and listing[0]["title"] == "带额外属性的题"
    assert "T01" in (project.site / "downloads" / "handbook-zh.csv").read_text(encoding="utf-8-sig")


def test_a_question_id_on_another_heading_level_fails(project):
    project.write("theory/a.md", HEADED.replace("## T01", "### T01"))
    result = project.build()
    assert result.returncode != 0 and "theory/a.md: question 'T01' is an h3" in result.output


def test_a_title_with_math_reads_the_same_in_the_index_and_the_exports(site):
    listing = {q["id"]: q["title"] for q in json.loads((site / "downloads" / "questions.json").read_text(encoding="utf-8"))}
    index = (site / "questions" / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r'<tr><td><a href="[^"]+">([TP]\d+)</a></td><td><a href="[^"]+">(.*?)</a></td>', index)
    assert rows
    sys.path.insert(0, str(ROOT / "overrides" / "hooks"))
    from html_tree import plain_text

    for qid, cell in rows:
        assert plain_text(cell, math="visible") == listing[qid], qid


def test_the_notebook_runner_leaves_the_process_environment_alone(tmp_path, monkeypatch):
    """Notebooks run in parallel threads: the pinned variables go to the kernel, not os.environ."""

    class Frozen(dict):
        def _refuse(self, *args, **kwargs):
            raise AssertionError("run_notebooks changed os.environ")
        __setitem__ = __delitem__ = update = pop = setdefault = clear = _refuse

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import os\nprint(os.environ['PYTHONHASHSEED'], os.environ['OMP_NUM_THREADS'])")]
    path = tmp_path / "env.ipynb"
    nbformat.write(nb, path)
    with monkeypatch.context() as patch:  # undone before pytest's own bookkeeping writes os.environ
        patch.setattr(os, "environ", Frozen(os.environ))
        executed = run_notebooks.execute(path)
    assert executed.cells[0].outputs[0]["text"].split() == ["0", "1"]


def test_the_offline_target_builds_pages_that_open_from_a_folder(tmp_path):
    """mkdocs.offline.yml INHERITs mkdocs.yml: links go to .html files, and the drill and
    review pages carry their data, so nothing needs fetch() (which file:// refuses)."""
    result = mkdocs_build(ROOT, tmp_path / "offline", config="mkdocs.offline.yml")
    assert result.returncode == 0, result.output
    site = result.site
    drill = (site / "drill.html").read_text(encoding="utf-8")
    assert drill.count('class="study-card-template"') >= 32 and 'href="questions.html"' in drill
    assert 'href="theory/cnn-basics.html#t01"' in (site / "questions.html").read_text(encoding="utf-8")
    assert 'href="notebooks/receptive-field.html"' in (site / "notebooks" / "index.html").read_text(encoding="utf-8") \
        or 'href="receptive-field.html"' in (site / "notebooks" / "index.html").read_text(encoding="utf-8")
    scripts = " ".join(p.read_text(encoding="utf-8") for p in (site / "assets" / "javascripts").glob("*.js")
                       if p.name != "bundle.js")
    assert "fetch(" not in scripts, "a study script fetches: it would fail from file://"
