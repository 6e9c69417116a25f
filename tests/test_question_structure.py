"""The question layout: ID anchors, collapsed non-empty answers, no duplicates, the index."""

from __future__ import annotations

import re

import pytest
from mkdocs.exceptions import PluginError

from conftest import load_hook

questions = load_hook("questions")


def check_page(content: str, where: str) -> list[tuple[str, str]]:
    found, _, _ = questions.parse_page(content, where)
    return [(q.anchor, q.title) for q in found]

GOOD = """## T10 · 空洞卷积 {#t10}

??? answer "答案"

    !!! quick "面试速答"

        扩大感受野。
"""


def html(markdown_heading: str, body: str) -> str:
    return f"{markdown_heading}\n{body}"


def test_well_formed_question_is_found():
    content = (
        '<h2 id="t10">T10 · 空洞卷积<a class="headerlink" href="#t10">¶</a></h2>\n'
        '<details class="answer">\n<summary>答案</summary>\n<div class="admonition quick"><p>扩大感受野。</p></div>\n</details>'
    )
    assert check_page(content, "x.md") == [("t10", "空洞卷积")]


def test_nested_details_inside_answer_are_part_of_it():
    content = (
        '<h2 id="p04">P04 · 感受野</h2><details class="answer"><summary>答案</summary>'
        '<div class="admonition quick"><p>a</p></div><details class="note"><summary>追问</summary><p>a</p></details></details>'
    )
    assert check_page(content, "x.md") == [("p04", "感受野")]


def test_ordinary_headings_are_not_questions():
    assert check_page('<h2 id="summary">小结</h2><p>x</p>', "x.md") == []


@pytest.mark.parametrize("content, message", [
    ('<h2 id="t10">T10 · 空洞卷积</h2><p>没有答案块</p>', "T10 has no answer"),
    ('<h2 id="t10">T10 · 空洞卷积</h2><details class="answer" open><summary>答案</summary><p>x</p></details>',
     "must start collapsed"),
    ('<h2 id="t10">T10 · 空洞卷积</h2><details class="answer"><summary>答案</summary>\n</details>',
     "T10 has an empty answer"),
    ('<h2 id="t5">T5 · 空洞卷积</h2><details class="answer"><summary>答案</summary>x</details>',
     "'T5' has a malformed ID"),
    ('<h2 id="t11">T10 · 空洞卷积</h2><details class="answer"><summary>答案</summary>x</details>',
     "'T10' has a malformed ID"),
    ('<h2 id="kong-dong">T10 · 空洞卷积</h2><details class="answer"><summary>答案</summary>x</details>',
     "'T10' has a malformed ID"),
    ('<h2 id="t10">空洞卷积</h2><details class="answer"><summary>答案</summary>x</details>',
     "'t10' has a malformed ID"),
])
def test_malformed_questions_fail_naming_file_and_id(content, message):
    with pytest.raises(PluginError, match=re.escape(message)) as error:
        check_page(content, "theory/cnn.md")
    assert "theory/cnn.md" in str(error.value)


def test_question_without_answer_fails_the_build(project):
    project.write("theory/cnn.md", "# CNN\n\n## T10 · 空洞卷积 {#t10}\n\n答案忘了放进折叠块。\n")
    result = project.build()
    assert result.returncode != 0
    assert "theory/cnn.md: question T10 has no answer" in result.output


def test_duplicate_id_fails_the_build_naming_both_files(project):
    project.write("a.md", "# A\n\n" + GOOD)
    project.write("b.md", "# B\n\n" + GOOD)
    result = project.build()
    assert result.returncode != 0
    assert "b.md: duplicate question ID T10: already used in a.md" in result.output


def test_index_lists_every_question_in_id_order(site):
    page = (site / "questions" / "index.html").read_text(encoding="utf-8")
    listed = re.findall(r'<tr><td><a href="([^"]+)#([tp]\d\d)">', page)
    assert listed, "the question index is empty"
    ids = [qid for _, qid in listed]
    theory = [i for i in ids if i.startswith("t")]
    practice = [i for i in ids if i.startswith("p")]
    assert ids == theory + practice and theory == sorted(theory) and practice == sorted(practice)
    # ...and exactly the questions that exist on the pages, each linking to its page
    existing = {}
    for html_file in site.rglob("*.html"):
        if html_file.parent.name == "print":
            continue  # the print page repeats every question by design
        for qid in re.findall(r'<h2 id="([tp]\d\d)" class="question">', html_file.read_text(encoding="utf-8")):
            existing[qid] = html_file.parent.relative_to(site).as_posix()
    assert sorted(existing) == sorted(ids)
    for href, qid in listed:
        assert href.rstrip("/").endswith(existing[qid]), (qid, href)


def test_every_question_heading_is_in_its_page_toc(site):
    for html_file in site.rglob("*.html"):
        if html_file.parent.name == "print":
            continue  # one long page without a table of contents
        text = html_file.read_text(encoding="utf-8")
        for qid in re.findall(r'<h2 id="([tp]\d\d)" class="question">', text):
            assert f'href="#{qid}"' in text.split('class="md-content"')[0] or \
                re.search(rf'class="md-nav__link" href="#{qid}"', text), (html_file, qid)
