"""Study controls written at build time, and the one-page print edition."""

from __future__ import annotations

import re

from conftest import load_hook

controls = load_hook("study_controls")
print_page = load_hook("print_page")

LABELS = {
    "known": "会了", "review": "再复习", "marksFor": "{id} 的掌握程度", "copyLink": "复制链接", "report": "报错",
    "reportTitle": "[{id}] 答案有误：", "reportBody": "题目：{id} {title}\n页面：{url}\n", "pageTools": "本页学习工具",
    "revealAll": "展开全部答案", "pageProgress": "本页：会了 {known} / {total}，再复习 {review}",
    "siteProgress": "全站：会了 {known} / {total}，再复习 {review}", "shortcuts": "快捷键",
}
PAGE = ('<h1 id="cnn">CNN</h1><p>intro</p>'
        '<h2 id="t15" class="question">T15 · 1×1 卷积<a class="headerlink" href="#t15">¶</a></h2>'
        '<details class="answer"><summary>答案</summary><p>x</p></details>'
        '<h2 id="t20" class="question">T20 · 卷积层与全连接层</h2>'
        '<details class="answer"><summary>答案</summary><p>y</p></details>')


def test_each_question_gets_its_controls_and_the_page_its_tools():
    out = controls.add_controls(PAGE, "https://example.org/theory/cnn/", LABELS, "https://github.com/o/r")
    assert out.count('class="study-bar"') == 2 and out.count('class="study-page"') == 1
    assert re.search(r'</h1><div class="study-page"', out), "page tools go right under the title"
    bar = out.split('<h2 id="t15" class="question">', 1)[1].split("</h2>", 1)[1]
    assert bar.startswith('<div class="study-bar" data-qid="t15"')
    report = re.search(r'class="study-report" href="([^"]+)"', bar).group(1)
    assert report.startswith("https://github.com/o/r/issues/new?title=%5BT15%5D")
    assert "theory%2Fcnn%2F%23t15" in report and "1%C3%971+%E5%8D%B7%E7%A7%AF" in report  # page and title
    assert "本页：会了 0 / 2，再复习 0" in out and controls.SITE_TOTAL in out


def test_pages_without_questions_are_left_alone():
    assert controls.add_controls("<h1>关于</h1><p>x</p>", "u", LABELS, "r") == "<h1>关于</h1><p>x</p>"


def test_print_links_go_to_questions_on_the_print_page_or_back_to_their_pages():
    content = ('<a href="../receptive-field/#t17">T17</a> <a href="#t20">T20</a> '
               '<a href="../../notebooks/parameter-counts/#sec">nb</a> <a href="#local-section">x</a> '
               '<img src="../../assets/figures/abc.png">')
    out = print_page.rebase(content, "theory/cnn-basics/", "print/", {"t17", "t20"})
    assert '<a href="#t17">' in out and '<a href="#t20">' in out
    assert '<a href="../notebooks/parameter-counts/#sec">' in out
    assert '<img src="../assets/figures/abc.png">' in out
    assert '<a href="#local-section">' in out  # left as is; the link test checks it resolves
