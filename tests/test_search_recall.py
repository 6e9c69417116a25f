"""Search finds a question the way candidates type it (tests/search_queries.tsv).

The query set was written from the question list alone, without looking at the index:
the bare term, a compound typed whole, a phrase with 的/和/是/为什么, an English term or
abbreviation, a synonym, Chinese and English run together. It runs through the worker
the site ships (scripts/search_recall.py); a miss names the query, its line and what
came first instead.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from conftest import ROOT

import search_recall  # scripts/, on the path by conftest

RECALL_AT_1 = 0.90
RECALL_AT_3 = 0.97
PER_QUESTION = 5


@pytest.fixture(scope="module")
def queries():
    return search_recall.load_queries()


@pytest.fixture(scope="module")
def report(browser, served, queries):
    context = browser.new_context(base_url=served)
    page = context.new_page()
    page.goto("")
    result = search_recall.evaluate(page, queries)
    context.close()
    return result


def test_every_question_has_its_queries(queries, search_index):
    ids = {m.group(1).upper() for doc in search_index["docs"]
           if (m := re.search(r"#([tp]\d\d)$", doc["location"]))}
    counts = Counter(q.expected[0] for q in queries)
    unknown = sorted({i for q in queries for i in q.expected} - ids)
    assert unknown == [], f"tests/search_queries.tsv names questions the site does not have: {unknown}"
    thin = sorted(i for i in ids if counts[i] < PER_QUESTION)
    assert thin == [], f"questions with fewer than {PER_QUESTION} queries: {thin}"


def test_recall_at_3(report):
    assert report.recall(3) >= RECALL_AT_3, (
        f"recall@3 {report.recall(3):.3f} < {RECALL_AT_3}; misses:\n" + "\n".join(report.misses(3)))


def test_recall_at_1(report):
    assert report.recall(1) >= RECALL_AT_1, (
        f"recall@1 {report.recall(1):.3f} < {RECALL_AT_1}; misses:\n" + "\n".join(report.misses(1)))


def test_a_malformed_query_file_fails_naming_the_line(tmp_path):
    bad = tmp_path / "queries.tsv"
    bad.write_text("# comment\nT01\tCNN特点\nT01 权值共享\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"queries.tsv:3: expected 'ID<TAB>query'"):
        search_recall.load_queries(bad)
    bad.write_text("T01\tCNN特点\nT02\tcnn特点\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"queries.tsv:2: query 'cnn特点' already on line 1"):
        search_recall.load_queries(bad)


def test_ranking_follows_what_the_reader_sees():
    """One group per page; sections scoring below the page's best are folded, and rank
    after every visible result; a topic page's header is not a result."""
    groups = [
        [("theory/a/#t05", 9.0), ("theory/a/#t03", 8.0), ("theory/a/", 0.0)],
        [("notebooks/x/#s", 5.0)],
        [("theory/b/#t07", 4.0), ("theory/b/#t07", 4.0)],
    ]
    order = search_recall.ranked(groups, {"theory/a/", "theory/b/"})
    assert order == ["T05", "notebooks/x/#s", "T07", "T03"]
