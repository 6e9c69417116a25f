"""The search index: UTF-8, Chinese segmented by jieba, notebook text in, noise out."""

from __future__ import annotations

import re
import sys

import pytest

from conftest import ROOT, load_hook

search_hook = load_hook("search_index")

# Terms a reader types, and the page that must hold them as whole tokens. Chinese terms
# check jieba's segmentation (with our user dictionary); English ones the separator.
TERMS = [
    ("卷积", "theory/cnn-basics/"),
    ("参数量", "notebooks/parameter-counts/"),
    ("降维", "theory/cnn-basics/"),
    ("bottleneck_weights", "notebooks/parameter-counts/"),
    ("googlenet", "theory/cnn-basics/"),
    ("relu", "theory/cnn-basics/"),
]


def tokens(index: dict, text: str) -> set[str]:
    separator = re.compile(index["config"]["separator"])
    text = re.sub(r"<[^>]+>", " ", text)
    return {t.lower() for t in separator.split(text) if t}


def test_index_is_utf8_not_escaped(site):
    raw = (site / "search" / "search_index.json").read_text(encoding="utf-8")
    escapes = re.findall(r"(?<!\\)\\u[0-9a-fA-F]{4}", raw)  # JSON escapes, not an escaped backslash
    assert escapes == [], f"the index still escapes non-ASCII characters: {escapes[:5]}"
    assert "卷积" in raw


def test_index_keeps_segmentation_marks_in_separator(search_index):
    assert "\\u200b" in search_index["config"]["separator"]
    assert any("\u200b" in doc["text"] for doc in search_index["docs"]), "jieba did not segment anything"


@pytest.mark.parametrize("term, page", TERMS)
def test_terms_are_indexed_as_words_on_their_page(search_index, term, page):
    hits = [doc["location"] for doc in search_index["docs"]
            if term in tokens(search_index, doc["title"] + " " + doc["text"])]
    assert any(location.startswith(page) for location in hits), f"{term!r} not a token on {page}: {hits}"


def test_each_question_is_its_own_search_entry(search_index, site):
    ids = set()
    for html_file in site.rglob("*.html"):
        ids |= set(re.findall(r'<h2 id="([tp]\d\d)" class="question">', html_file.read_text(encoding="utf-8")))
    entries = {doc["location"].rsplit("#", 1)[-1] for doc in search_index["docs"] if "#" in doc["location"]}
    assert ids and ids <= entries, f"questions without their own search entry: {sorted(ids - entries)}"


def test_question_index_page_is_not_a_search_result(search_index):
    assert not any(doc["location"].startswith("questions/") for doc in search_index["docs"])


def notebook_docs(search_index):
    docs = [d for d in search_index["docs"] if d["location"].startswith("notebooks/") and d["location"] != "notebooks/"]
    assert docs, "no notebook text in the search index"
    return docs


def test_every_notebook_has_prose_and_code_in_the_index(search_index, site):
    notebooks = {p.parent.name for p in (site / "notebooks").glob("*/index.html")}
    assert notebooks
    for name in notebooks:
        text = " ".join(d["text"] for d in notebook_docs(search_index) if d["location"].startswith(f"notebooks/{name}/"))
        assert re.search(r"[\u4e00-\u9fff]", text), f"{name}: no Chinese prose indexed"
        assert "<code>" in text and "import " in text, f"{name}: no code indexed"


def test_notebook_search_text_has_no_noise(search_index):
    docs = notebook_docs(search_index)
    text = " ".join(d["title"] + " " + d["text"] for d in docs)
    for noise in ("Copied!", "In [", "Out[", "¶", "clipboard", "Copy to Clipboard"):
        assert noise not in text, f"search noise {noise!r} in notebook entries"
    # code once, not twice (mkdocs-jupyter ships a hidden copy of every cell for copying)
    page = " ".join(d["text"] for d in docs if d["location"].startswith("notebooks/parameter-counts/"))
    source = (ROOT / "notebooks" / "parameter-counts.ipynb").read_text(encoding="utf-8")
    assert page.count("def conv_params(") == source.count("def conv_params(") >= 1
    # outputs are left out: the results JSON is printed, never indexed
    assert '"direct_weights": 819' not in text


def test_formulas_stay_out_of_the_index(search_index):
    # Code may contain TeX (a matplotlib label); prose must not
    text = " ".join(re.sub(r"<pre>.*?</pre>|<code>.*?</code>", "", d["text"], flags=re.DOTALL) for d in search_index["docs"])
    assert "\\text{" not in text and "\\frac" not in text


def test_rewrite_halves_chinese_bytes(tmp_path):
    path = tmp_path / "search_index.json"
    path.write_text('{"docs": [{"location": "a/", "text": "\\u5377\\u79ef"}]}', encoding="utf-8")
    search_hook.rewrite(path)
    assert path.read_text(encoding="utf-8") == '{"docs":[{"location":"a/","text":"卷积"}]}'


def test_jieba_user_dictionary_is_used():
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "jieba_dict_user: search-dictionary.txt" in config


def test_index_is_at_most_six_tenths_of_the_stock_build(site, tmp_path):
    """Budget: the same content built by the stock stack (Material and mkdocs-jupyter at
    their defaults, no hooks: scripts/bench.py builds it the same way) writes an index at
    least 1/0.6 times bigger. Bytes, so deterministic; the benchmark reports the ratio."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import bench

    stock = bench.stock_project(bench.copy_project(tmp_path / "ours"), tmp_path / "stock")
    bench.build(stock)
    ours = (site / "search" / "search_index.json").stat().st_size
    theirs = (stock / "site" / "search" / "search_index.json").stat().st_size
    assert ours <= 0.6 * theirs, f"{ours:,} bytes against the stock {theirs:,}: {ours / theirs:.2f}"
