"""The search index: UTF-8, Chinese segmented by jieba, prose in (formulas as text), code,
reference lists and buttons out; the worker that cuts queries the same way."""

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


def test_notebooks_are_indexed_by_their_prose_not_their_code(search_index, site):
    """"KV cache" should find a sentence about it, not a variable named kv_cache."""
    notebooks = {p.parent.name for p in (site / "notebooks").glob("*/index.html")}
    assert notebooks
    for name in notebooks:
        text = " ".join(d["text"] for d in notebook_docs(search_index) if d["location"].startswith(f"notebooks/{name}/"))
        assert re.search(r"[\u4e00-\u9fff]", text), f"{name}: no Chinese prose indexed"
        assert "import " not in text and "def " not in text, f"{name}: code indexed"
    page = (site / "notebooks" / "parameter-counts" / "index.html").read_text(encoding="utf-8")
    assert "conv_params" in page, "the code must still be on the page"


def test_notebook_search_text_has_no_noise(search_index):
    docs = notebook_docs(search_index)
    text = " ".join(d["title"] + " " + d["text"] for d in docs)
    for noise in ("Copied!", "In [", "Out[", "¶", "clipboard", "Copy to Clipboard"):
        assert noise not in text, f"search noise {noise!r} in notebook entries"
    # outputs are left out: the results JSON is printed, never indexed
    assert '"direct_weights": 819' not in text


def question_entries(search_index) -> dict[str, dict]:
    entries = {doc["location"].rsplit("#", 1)[1]: doc for doc in search_index["docs"]
               if re.search(r"#[tp]\d\d$", doc["location"])}
    assert len(entries) >= 50
    return entries


def test_question_entries_hold_no_buttons_and_no_reference_lists(search_index, site):
    entries = question_entries(search_index)
    page = (site / "theory" / "attention" / "index.html").read_text(encoding="utf-8")
    # The first reference of T25, as the page shows it
    refs = re.search(r'<div class="admonition refs">.*?<li>(.*?)</li>', page[page.index('id="t25"'):], re.DOTALL)
    first_ref = " ".join(re.sub(r"<[^>]+>", " ", refs.group(1)).split())[:40]
    assert first_ref, "T25 has no reference list to check against"
    text = entries["t25"]["text"].replace("\u200b", "")
    assert first_ref not in " ".join(re.sub(r"<[^>]+>", " ", text).split()), "the 参考 list is in the index"
    for doc in entries.values():
        for label in ("复制链接", "再复习"):  # "报错" and "会了" are words prose uses too
            assert label not in doc["text"].replace("\u200b", ""), f"{doc['location']}: button {label!r} indexed"


def test_formulas_are_indexed_as_readable_text(search_index, site):
    """A snippet shows "p_j−y_j", not a gap; no TeX source, and no extra bytes on the page."""
    text = " ".join(d["text"] for d in search_index["docs"])
    assert "\\text{" not in text and "\\frac" not in text
    t24 = question_entries(search_index)["t24"]["text"].replace("\u200b", "")
    assert "p_j−y_j" in t24.replace(" ", "")
    t25 = question_entries(search_index)["t25"]["title"].replace("\u200b", "")
    assert "√d_k" in t25 or "√(d_k)" in t25
    for page in site.rglob("*.html"):
        assert "data-search-only" not in page.read_text(encoding="utf-8"), f"{page}: index-only text left on the page"


def test_math_text_reads_like_a_formula():
    from conftest import load_hook
    mathml = load_hook("mathml")
    read = lambda tex: search_hook.math_text(mathml.to_mathml(tex, False, "test"))  # noqa: E731
    assert read(r"\frac{1}{1+e^{-z}}") == "1/(1+e^(−z))"
    assert read(r"p_i = \frac{e^{z_i}}{\sum_j e^{z_j}}") == "p_i = (e^(z_i))/(∑_j e^(z_j))"
    assert read(r"\sqrt{d_k}") == "√(d_k)"


def test_rewrite_halves_chinese_bytes(tmp_path):
    path = tmp_path / "search_index.json"
    path.write_text('{"config": {"fields": {"title": {}, "text": {}}}, '
                    '"docs": [{"location": "a/", "text": "\\u5377\\u79ef"}]}', encoding="utf-8")
    search_hook.rewrite(path)
    assert '"text":"卷积"' in path.read_text(encoding="utf-8")
    path.write_text('{"docs": []}', encoding="utf-8")
    with pytest.raises(Exception, match=r"search_index.json: not a search index"):
        search_hook.rewrite(path)


def test_an_entry_answers_to_the_other_names_of_its_terms(tmp_path):
    path = tmp_path / "search_index.json"
    path.write_text('{"config": {"fields": {"title": {"boost": 4}, "text": {"boost": 1}}}, "docs": ['
                    '{"location": "a/#t19", "title": "RMSE 是什么", "text": "均方误差开根号"},'
                    '{"location": "a/#t20", "title": "混合精度", "text": "BNN 不是 BN"}]}', encoding="utf-8")
    search_hook.rewrite(path, synonyms=[["均方根误差", "RMSE"], ["批归一化", "BN"], ["均方误差", "MSE"]])
    data = __import__("json").loads(path.read_text(encoding="utf-8"))
    t19, t20 = data["docs"]
    assert "误差" in t19["also_title"].split(), "RMSE in a title: its Chinese name, as title words"
    assert "mse" in t19["also"].split() and "rmse" not in t19["also"].split(), "only words the field lacks"
    assert "精度" in t20["also_title"].split(), "the parts of a compound"
    assert "批归一化" in t20["also"].replace("\u200b", "") or "归一化" in t20["also"].split()
    assert "bnn" not in t20["also"].split(), "a Latin name matches whole words only"
    assert data["config"]["fields"]["also_title"] == {"boost": 4}, "other names of a title weigh as the title"


def test_every_synonym_group_names_a_term_the_site_uses(search_index):
    groups = search_hook.load_synonyms(ROOT / "search-synonyms.txt")
    text = " ".join(d.get("title", "") + " " + d.get("text", "") for d in search_index["docs"]).replace("\u200b", "")
    plain = " ".join(re.sub(r"<[^>]+>", " ", text).casefold().split())
    unused = [names for names in groups if not any(search_hook._pattern(n).search(plain) for n in names)]
    assert unused == [], f"synonym groups no page uses (search-synonyms.txt): {unused}"


def test_a_bad_synonyms_file_fails_naming_the_line(tmp_path):
    bad = tmp_path / "search-synonyms.txt"
    bad.write_text("# ok\nRMSE, 均方根误差\nlonely\n", encoding="utf-8")
    with pytest.raises(Exception, match=r"search-synonyms.txt:3"):
        search_hook.load_synonyms(bad)
    bad.write_text("RMSE, 均方根误差\nrmse, root mean square error\n", encoding="utf-8")
    with pytest.raises(Exception, match=r"search-synonyms.txt:2: 'rmse' is already"):
        search_hook.load_synonyms(bad)


def test_the_search_worker_cuts_queries_with_ours(site):
    worker = next((site / "assets" / "javascripts" / "workers").glob("search.*.min.js")).read_text(encoding="utf-8")
    assert "self.prepareQuery(" in worker and search_hook.SEGMENTER_MARK in worker
    assert not search_hook.THEME_SEGMENTER.search(worker), "the theme's segmenter is still called"
    assert not (site / search_hook.SEGMENTER).exists(), "the segmenter is part of the worker, not a page script"


def test_a_theme_worker_of_another_shape_fails_the_build(tmp_path):
    workers = tmp_path / "assets" / "javascripts" / "workers"
    workers.mkdir(parents=True)
    (workers / "search.0.min.js").write_text('"use strict";search(e){return e}', encoding="utf-8")
    segmenter = tmp_path / "segment.js"
    segmenter.write_text("self.prepareQuery = q => q", encoding="utf-8")
    with pytest.raises(Exception, match=r"search\.0\.min\.js: the theme's query segmenter call was not found"):
        search_hook.patch_worker(tmp_path, segmenter)


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
