"""Study controls written at build time, and the one-page print edition."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from conftest import load_hook

print_page = load_hook("print_page")

PAGE = """# CNN

intro

## T15 · $1\\times1$ 卷积 {#t15}

??? answer "答案"

    !!! quick "面试速答"

        逐像素的全连接。

## T20 · 卷积层与全连接层 {#t20}

??? answer "答案"

    !!! quick "面试速答"

        全连接层不共享权值。
"""


def test_each_question_gets_its_controls_and_the_page_its_tools(project):
    project.write("theory/cnn.md", PAGE)
    result = project.build()
    assert result.returncode == 0, result.output
    out = (project.site / "theory" / "cnn" / "index.html").read_text(encoding="utf-8")
    assert out.count('class="study-bar"') == 2 and out.count('class="study-page"') == 1
    assert re.search(r'</h1>\s*<div class="study-page"', out), "page tools go right under the title"
    bar = out.split('<h2 id="t15" class="question">', 1)[1].split("</h2>", 1)[1]
    assert bar.lstrip().startswith('<div class="study-bar" data-qid="t15"')
    report = re.search(r'class="study-report" href="([^"]+)"', bar).group(1).replace("&amp;", "&")
    assert report.startswith("https://github.com/dl-interview-handbook/dl-interview-handbook.github.io/issues/new?title=%5BT15%5D")
    body = parse_qs(urlsplit(report).query)["body"][0]
    # The ID once, then the title as the index shows it (the formula's characters)
    assert body.startswith("题目：T15 1×1 卷积\n") and "theory/cnn/#t15" in body
    assert "本页：会了 0 / 2，再复习 0" in out and "全站：会了 0 / 2，再复习 0" in out


def test_pages_without_questions_are_left_alone(project):
    project.write("about.md", "# 关于\n\nx\n")
    assert project.build().returncode == 0
    out = (project.site / "about" / "index.html").read_text(encoding="utf-8")
    assert 'class="study-bar"' not in out and 'class="study-page"' not in out and "study-bar.js" not in out


def test_print_links_go_to_questions_on_the_print_page_or_back_to_their_pages():
    content = ('<a href="../receptive-field/#t17">T17</a> <a href="#t20">T20</a> '
               '<a href="../../notebooks/parameter-counts/#sec">nb</a> <a href="#local-section">x</a> '
               '<img src="../../assets/figures/abc.png">')
    out = print_page.topic_body(content, "theory/cnn-basics/", "print/", {"t17", "t20"}, "x.md")
    assert '<a href="#t17">' in out and '<a href="#t20">' in out
    # On paper a notebook link says where it leads (the site path, printed by handbook.css)
    assert '<a href="../notebooks/parameter-counts/#sec" data-print-target="notebooks/parameter-counts/">' in out
    assert '<img src="../assets/figures/abc.png">' in out
    # An anchor this page lacks (sections lose theirs on the print page) points to its page
    assert '<a href="../theory/cnn-basics/#local-section">' in out


def test_print_body_drops_the_title_and_section_anchors_and_opens_answers():
    content = ('<h1 id="cnn">CNN<a class="headerlink" href="#cnn">¶</a></h1><h2 id="intro">引言'
               '<a class="headerlink" href="#intro">¶</a></h2><h2 id="t15" class="question">T15'
               '<a class="headerlink" href="#t15">¶</a></h2><details class="answer"><summary>答案</summary></details>')
    out = print_page.topic_body(content, "theory/cnn/", "print/", {"t15"}, "x.md")
    assert out == ('<h2>引言</h2><h2 id="t15" class="question">T15<a class="headerlink" href="#t15">¶</a></h2>'
                   '<details class="answer" open><summary>答案</summary></details>')
