"""Every question has a complete answer on the built site.

Read from the HTML a reader gets, not from the Markdown: every ID (the article's 32 and
the supplement's, none skipped), each with its
面试速答, 详解, 追问 (two to four), 参考 (with a link); the corrections CONTENT.md lists,
each under its question; the cross-links between related questions; and answers that
quote a notebook link to it, and the notebook back to them.
"""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

from conftest import ROOT, load_hook

# The same parser the build reads pages with
html_tree = load_hook("html_tree")

# The article's questions, 24 theory (T01-T24) and 8 practice (P01-P08): the floor. The
# IDs under test are the ones on the site (questions.json), so a new question is checked
# without editing this file, and a gap in the numbering fails below.
ARTICLE = [f"t{i:02d}" for i in range(1, 25)] + [f"p{i:02d}" for i in range(1, 9)]
PARTS = {"quick": "面试速答", "explain": "详解", "followup": "追问", "refs": "参考"}

# The article's errors (CONTENT.md), and words the correction must contain to show it
# addresses that error rather than some other one
ERRATA = {
    "t03": ["反向", "丢弃概率"],
    "t10": ["填充", "卷积核"],
    "t15": ["输入通道", "偏置"],
    "t16": ["强化学习"],
    "p01": ["xrange", "Python 2", "Python 3"],
    "p02": ["类体", "__main__"],
    "p08": ["while_loop", "展开"],
}
CROSS_LINKS = [("t10", "t17"), ("t17", "p04"), ("t10", "p04"), ("t15", "p03"), ("t21", "t02"), ("t24", "t14")]

DIV = re.compile(r"<(/?)div\b[^>]*>")
TAG = re.compile(r"<[^>]+>")


def text(fragment: str) -> str:
    fragment = re.sub(r"<annotation\b.*?</annotation>", "", fragment, flags=re.DOTALL)
    return " ".join(unescape(TAG.sub(" ", fragment)).split())


@pytest.fixture(scope="module")
def answers(site) -> dict[str, dict]:
    found = {}
    for page in site.rglob("index.html"):
        if page.parent.name in {"print", "drill"}:
            continue
        document = html_tree.Document(page.read_text(encoding="utf-8"), str(page))
        for heading in document.root.find_all("h2", "question"):
            details = heading.next_sibling()
            while details is not None and details.tag != "details":
                details = details.next_sibling()  # the study bar sits in between
            parts = {kind: document.outer(part) for part in details.children if part.tag == "div"
                     for kind in list(PARTS) + ["erratum"] if kind in part.classes}
            found[heading.attrs["id"]] = {"page": page.parent.relative_to(site).as_posix(),
                                          "html": document.outer(details), "parts": parts}
    return found


@pytest.fixture(scope="module")
def ids(site) -> list[str]:
    return [q["id"].lower() for q in json.loads((site / "downloads" / "questions.json").read_text(encoding="utf-8"))]


def test_every_question_of_the_article_is_answered(answers, ids):
    missing = [qid.upper() for qid in ARTICLE if qid not in answers]
    assert missing == [], f"questions missing from the site: {missing}"
    assert sorted(ids) == sorted(answers), "questions.json and the pages disagree"


def test_numbering_has_no_gaps(ids):
    for prefix in "tp":
        numbers = sorted(int(i[1:]) for i in ids if i[0] == prefix)
        assert numbers == list(range(1, len(numbers) + 1)), f"{prefix.upper()} IDs skip a number: {numbers}"


def test_every_answer_has_every_part(answers, ids):
    for qid in ids:
        check_parts(answers, qid)


def check_parts(answers, qid):
    answer = answers.get(qid)
    assert answer, f"{qid.upper()} is not on the site"
    for kind, label in PARTS.items():
        part = answer["parts"].get(kind)
        assert part, f"{qid.upper()} lacks {label}"
        body = text(part).removeprefix(label).strip()
        assert len(body) > 20, f"{qid.upper()}: {label} is empty"
    quick = text(answer["parts"]["quick"]).removeprefix("面试速答")
    sentences = len(re.findall(r"[。！？]", quick))
    assert 1 <= sentences <= 6, f"{qid.upper()}: 面试速答 should be a few sentences, has {sentences}"
    followups = re.findall(r"<li>\s*<strong>", answer["parts"]["followup"])
    assert 2 <= len(followups) <= 4, f"{qid.upper()}: 追问 should hold two to four questions, has {len(followups)}"
    document = html_tree.Document(answer["parts"]["refs"])
    unlinked = [document.text(li)[:60] for li in document.root.find_all("li")
                if not any((a.attrs.get("href") or "").startswith(("http://", "https://")) for a in li.find_all("a"))]
    assert document.root.find("li") and unlinked == [], f"{qid.upper()}: 参考 without a link: {unlinked}"


@pytest.mark.parametrize("qid, evidence", ERRATA.items())
def test_listed_corrections_stand_under_their_question(answers, qid, evidence):
    erratum = answers[qid]["parts"].get("erratum")
    assert erratum, f"{qid.upper()}: the article's error is not corrected in a 勘误"
    body = text(erratum)
    for word in evidence:
        assert word in body, f"{qid.upper()}: the 勘误 does not mention {word!r}"


def test_parts_come_in_order(answers):
    for qid, answer in answers.items():
        positions = [answer["html"].find(f'<div class="admonition {k}">') for k in ["quick", "explain", "followup", "erratum", "refs"]]
        present = [p for p in positions if p >= 0]
        assert present == sorted(present), f"{qid.upper()}: parts out of order"


@pytest.mark.parametrize("a, b", CROSS_LINKS)
def test_related_questions_link_to_each_other(answers, a, b):
    for source, target in ((a, b), (b, a)):
        assert re.search(rf'href="[^"]*#{target}"', answers[source]["html"]), \
            f"{source.upper()} does not link to {target.upper()}"


def placeholders_by_question() -> dict[str, set[str]]:
    """Which notebooks each question's answer quotes, from the Markdown source."""
    quoted = {}
    for source in (ROOT / "docs").rglob("*.md"):
        markdown = source.read_text(encoding="utf-8")
        for section in re.split(r"(?m)^## ", markdown)[1:]:
            heading = re.match(r".*\{#([tp]\d\d)\}", section.splitlines()[0])
            if heading:
                quoted[heading.group(1)] = set(re.findall(r"\{\{\s*nb\.([a-z0-9-]+)\.", section))
    return quoted


def test_answers_link_to_the_notebooks_they_quote_and_back(answers, site):
    problems = []
    for qid, notebooks in placeholders_by_question().items():
        for name in notebooks:
            if not re.search(rf'href="[^"]*notebooks/{name}/', answers[qid]["html"]):
                problems.append(f"{qid.upper()} quotes {name} but does not link to it")
            notebook_page = (site / "notebooks" / name / "index.html").read_text(encoding="utf-8")
            article = notebook_page.split("<article", 1)[1]
            if not re.search(rf'href="[^"]*/#{qid}"', article):
                problems.append(f"notebook {name} does not link back to {qid.upper()}")
    assert problems == [], "\n".join(problems)


def visible_length(part_html: str) -> int:
    """Characters a reader sees, without whitespace or the part's title: Latin counts,
    a formula counts as the symbols it shows (not its TeX source)."""
    body = re.sub(r'<p class="admonition-title">.*?</p>', "", part_html, count=1, flags=re.DOTALL)
    return len(re.sub(r"\s+", "", html_tree.plain_text(body, math="visible")))


QUICK_MAX, QUICK_MEDIAN_MAX, EXPLAIN_MAX = 200, 170, 2500


def test_quick_answers_can_be_said_in_a_minute(answers):
    """Spoken Chinese runs 200-250 characters a minute: the quick answer is what comes first."""
    lengths = {qid: visible_length(a["parts"]["quick"]) for qid, a in answers.items()}
    too_long = {qid.upper(): n for qid, n in lengths.items() if n > QUICK_MAX}
    assert too_long == {}, f"面试速答 over {QUICK_MAX} characters: {too_long}"
    ordered = sorted(lengths.values())
    median = ordered[len(ordered) // 2]
    assert median <= QUICK_MEDIAN_MAX, f"面试速答 median {median} > {QUICK_MEDIAN_MAX}"


def test_explanations_stay_within_their_limit(answers):
    too_long = {qid.upper(): n for qid, a in answers.items() if (n := visible_length(a["parts"]["explain"])) > EXPLAIN_MAX}
    assert too_long == {}, f"详解 over {EXPLAIN_MAX} characters (move experiment narration to the notebook): {too_long}"


def test_the_length_measure_counts_what_a_reader_sees():
    part = ('<div class="admonition quick"><p class="admonition-title">面试速答</p><p>梯度是 '
            '<math><semantics><mi>p</mi><mo>−</mo><mi>y</mi><annotation encoding="application/x-tex">p - y</annotation>'
            '</semantics></math>，ok。</p></div>')
    assert visible_length(part) == len("梯度是p−y，ok。")
