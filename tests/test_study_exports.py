"""Study exports written from the question model: questions.json, the Anki deck, the CSV."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import zipfile

import genanki

from conftest import load_hook

exports = load_hook("exports")
questions = load_hook("questions")
html_tree = load_hook("html_tree")


def page_ids(site) -> set[str]:
    ids = set()
    for page in site.rglob("index.html"):
        if "print" in page.parts:
            continue
        ids |= {i.upper() for i in re.findall(r'<h2 id="([tp]\d\d)" class="question">', page.read_text(encoding="utf-8"))}
    return ids


def test_questions_json_lists_every_question_once(site):
    listing = json.loads((site / "downloads" / "questions.json").read_text(encoding="utf-8"))
    ids = [q["id"] for q in listing]
    assert len(ids) == len(set(ids)) and set(ids) == page_ids(site)
    for q in listing:
        page = site / q["url"].split("#")[0] / "index.html"
        assert page.is_file() and f'id="{q["id"].lower()}"' in page.read_text(encoding="utf-8"), q
        assert q["title"] and q["topic"]


def test_csv_has_one_row_per_question_with_its_quick_answer(site):
    rows = list(csv.DictReader(io.StringIO((site / "downloads" / "handbook-zh.csv").read_text(encoding="utf-8-sig"))))
    assert [r["id"] for r in rows] == sorted({r["id"] for r in rows}, key=lambda i: (i[0] != "T", int(i[1:])))
    assert {r["id"] for r in rows} == page_ids(site)
    for row in rows:
        assert len(row["answer"]) > 40, row["id"]
        assert not re.search(r"</?[a-z][^>]*>", row["answer"]) and "面试速答" not in row["answer"]
        assert row["link"].startswith("https://") and row["link"].endswith("#" + row["id"].lower())


def test_anki_deck_has_one_note_per_question_with_stable_guids(site, tmp_path):
    with zipfile.ZipFile(site / "downloads" / "handbook-zh.apkg") as deck:
        deck.extract("collection.anki2", tmp_path)
    db = sqlite3.connect(tmp_path / "collection.anki2")
    notes = db.execute("select guid, flds, tags from notes").fetchall()
    db.close()
    fields = {flds.split("\x1f")[0]: (guid, flds.split("\x1f")) for guid, flds, _ in notes}
    listing = {q["id"]: q for q in json.loads((site / "downloads" / "questions.json").read_text(encoding="utf-8"))}
    for _, flds, tags in notes:
        qid = flds.split("\x1f")[0]
        # Filterable by topic: the topic (spaces as _) and the ID, as Anki's space-separated tags
        assert tags.split() == ["_".join(listing[qid]["topic"].split()), qid], (qid, tags)
    assert set(fields) == page_ids(site) and len(notes) == len(fields)
    for qid, (guid, values) in fields.items():
        # Derived from the ID alone: a re-import updates the note instead of adding one
        assert guid == genanki.guid_for(exports.GUID_NAMESPACE, qid)
        assert values[1] and len(values[2]) > 40 and values[3].endswith("#" + qid.lower())


def test_questions_are_read_from_the_page_html():
    page = ('<h1>卷积</h1><h2 id="t15">T15 · 1×1 卷积<a class="headerlink" href="#t15">¶</a></h2>'
            '<details class="answer"><summary>答案</summary><div class="admonition quick">'
            '<p class="admonition-title">面试速答</p><p>逐像素的全连接。</p><div class="math-display">x</div></div>'
            '<div class="admonition explain"><p>详解</p></div></details>')
    (q,), _, _ = questions.parse_page(page, "theory/cnn.md", "theory/cnn/", "卷积")
    assert (q.id, q.title, q.url, q.page_title) == ("T15", "1×1 卷积", "theory/cnn/#t15", "卷积")
    assert q.parts["quick"] == '<p>逐像素的全连接。</p><div class="math-display">x</div>'
    assert exports.listing([q]) == [{"id": "T15", "title": "1×1 卷积", "url": "theory/cnn/#t15", "topic": "卷积"}]


def test_formulas_become_tex_in_plain_text():
    html = '<p>梯度是<math><semantics><mi>p</mi><annotation encoding="application/x-tex">p - y</annotation></semantics></math>。</p>'
    assert html_tree.plain_text(html) == "梯度是$p - y$。"
    assert html_tree.plain_text(html, math="visible") == "梯度是p。"
