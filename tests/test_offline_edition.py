"""The offline edition and the PDF, as `make offline` builds them (scripts/build_editions.py):
the zip opened from a folder over file:// in Chromium, the PDF read back, the online home
page linking both with their sizes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ENV, ROOT, load_hook

import build_editions  # scripts/, on the path by conftest

downloads = load_hook("downloads")

RADICALS = re.compile(r"[\u2e80-\u2eff\u2f00-\u2fdf]")  # Kangxi radicals and their supplement


@pytest.fixture(scope="session")
def editions(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("editions")
    subprocess.run([sys.executable, "scripts/build_editions.py", "--site", str(root / "site"),
                    "--offline", str(root / "site-offline"), "--dist", str(root / "dist")],
                   cwd=ROOT, env=ENV, check=True, timeout=900)
    with zipfile.ZipFile(root / "site" / "downloads" / "handbook-offline.zip") as archive:
        archive.extractall(root / "unzipped")
    return root


@pytest.fixture(scope="session")
def edition(editions) -> Path:
    """The unzipped offline edition: the folder a reader opens."""
    return editions / "unzipped" / build_editions.FOLDER


@pytest.fixture(scope="session")
def listing(editions) -> list[dict]:
    return json.loads((editions / "site" / "downloads" / "questions.json").read_text(encoding="utf-8"))


@pytest.fixture
def offline(browser):
    """A page with no server behind it; every request it makes is recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    tab = context.new_page()
    tab.requests = []
    tab.on("request", lambda request: tab.requests.append(request.url))
    yield tab
    context.close()


# The online home page --------------------------------------------------------------

def test_the_home_page_links_both_downloads_with_their_sizes(editions):
    home = (editions / "site" / "index.html").read_text(encoding="utf-8")
    for name in ("handbook-offline.zip", "handbook.pdf"):
        path = editions / "site" / "downloads" / name
        assert path.stat().st_size > 1_000_000, f"{name}: {path.stat().st_size} bytes"
        link = re.search(rf'<a href="downloads/{re.escape(name)}"[^>]*>[^<]+</a>（[^）]*?([\d.]+ MB)）', home)
        assert link, f"the home page does not link {name}"
        assert link.group(1) == downloads.megabytes(path.stat().st_size), f"{name}: the size shown is stale"


def test_a_plain_build_links_no_downloads(site):
    assert "downloads/handbook.pdf" not in (site / "index.html").read_text(encoding="utf-8")


# The zip ------------------------------------------------------------------------------

def test_the_zip_holds_the_whole_edition_in_one_folder(editions, edition):
    with zipfile.ZipFile(editions / "site" / "downloads" / "handbook-offline.zip") as archive:
        names = archive.namelist()
    assert all(n.startswith(build_editions.FOLDER + "/") for n in names)
    built = sorted(p.relative_to(editions / "site-offline").as_posix()
                   for p in (editions / "site-offline").rglob("*") if p.is_file())
    assert sorted(n.split("/", 1)[1] for n in names) == built
    for needed in ("index.html", "print.html", "search/search_index.js", "assets/javascripts/iframe-worker.js"):
        assert (edition / needed).is_file(), f"{needed} is not in the offline edition"
    home = (edition / "index.html").read_text(encoding="utf-8")
    assert "unpkg.com" not in home and "downloads/handbook.pdf" not in home


def test_every_link_of_the_edition_leads_to_a_file(edition):
    from test_links import broken_links

    broken = broken_links(edition)
    assert broken == [], "\n".join(broken)


def test_the_zip_is_the_same_for_the_same_pages(tmp_path):
    folder = tmp_path / "site"
    (folder / "a").mkdir(parents=True)
    (folder / "a" / "index.html").write_text("<p>卷积</p>", encoding="utf-8")
    build_editions.write_zip(folder, tmp_path / "one.zip")
    (folder / "a" / "index.html").touch()
    build_editions.write_zip(folder, tmp_path / "two.zip")
    assert (tmp_path / "one.zip").read_bytes() == (tmp_path / "two.zip").read_bytes()


# The edition from file:// ------------------------------------------------------------------

def search(tab, query: str) -> str:
    """The first question the search box offers for `query` (its ID in lower case)."""
    box = tab.locator("input.md-search__input")
    box.click()
    box.fill("")
    tab.keyboard.insert_text(query)
    tab.keyboard.press("End")  # the theme reacts to key events, insert_text sends none
    tab.locator(".md-search-result__item").first.wait_for(timeout=20_000)
    for href in tab.locator(".md-search-result__item a.md-search-result__link").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))"):
        found = re.search(r"#([tp]\d\d)$", href or "")
        if found:
            return found.group(1)
    return ""


@pytest.mark.parametrize("query, qid", [("混合精度训练", "t34"), ("KV cache", "t27"), ("dilated convolution", "t10")])
def test_search_works_from_a_folder(offline, edition, query, qid):
    offline.goto((edition / "index.html").as_uri())
    assert search(offline, query) == qid
    assert all(url.startswith(("file://", "data:", "blob:", "about:")) for url in offline.requests), \
        [u for u in offline.requests if not u.startswith(("file://", "data:", "blob:", "about:"))]


def test_a_page_with_math_and_a_figure_renders(offline, edition):
    offline.goto((edition / "notebooks" / "softmax-cross-entropy.html").as_uri())
    math = offline.locator("article math").first
    assert math.bounding_box()["height"] > 5, "a formula did not render"
    figure = offline.locator("article figure img").first
    figure.scroll_into_view_if_needed()  # figures load lazily
    figure.evaluate("img => img.decode()")  # rejects if the file does not load
    assert figure.evaluate("img => img.naturalWidth") > 100, "a figure did not load"
    assert all(url.startswith(("file://", "data:", "about:")) for url in offline.requests)


def test_links_lead_to_html_files_and_marks_survive_a_reload(offline, edition):
    offline.goto((edition / "index.html").as_uri())
    offline.locator(".home-topics a", has_text="卷积神经网络基础").first.click()
    offline.wait_for_url(re.compile(r"theory/cnn-basics\.html$"))
    known = offline.locator('.study-bar[data-qid="t15"] .study-mark[data-mark="known"]')
    known.click()
    assert known.get_attribute("aria-pressed") == "true"
    offline.reload()
    offline.locator('.study-bar[data-qid="t15"]').wait_for()
    assert offline.locator('.study-bar[data-qid="t15"] .study-mark[data-mark="known"]').get_attribute("aria-pressed") == "true"


def test_the_calculation_drills_work_from_a_folder(offline, edition):
    """Generated, checked and shared from file:// too: the seed goes into the file URL."""
    offline.goto((edition / "calculation-drills.html").as_uri() + "?kind=bottleneck&level=1&seed=3")
    offline.locator("#calc-answer-1").wait_for()
    params = offline.evaluate("HandbookCalc.problem('bottleneck', 1, 3).params")
    sys.path.insert(0, str(ROOT / "notebooks"))
    import formulas

    expected = formulas.bottleneck_params(params["c"], params["m"], params["k"])
    offline.fill("#calc-answer-0", str(expected["direct"]))
    offline.fill("#calc-answer-1", str(expected["bottleneck"]))
    offline.press("#calc-answer-1", "Enter")
    assert "全部正确" in offline.inner_text(".calc-feedback")
    offline.press("#calc-answer-1", "Enter")
    offline.wait_for_function("() => !/seed=3$/.test(location.search) && /seed=\\d+$/.test(location.search)")
    assert offline.url.startswith("file://")
    assert all(url.startswith(("file://", "data:", "about:")) for url in offline.requests)


def test_the_print_page_opens_from_a_folder_with_every_answer(offline, edition, listing):
    offline.goto((edition / "print.html").as_uri())
    assert offline.locator("article details.answer[open]").count() == len(listing)


# The PDF --------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def pdf(editions):
    from pypdf import PdfReader

    return PdfReader(editions / "site" / "downloads" / "handbook.pdf")


def test_the_pdf_holds_every_question_in_selectable_chinese(pdf, listing):
    text = "".join(page.extract_text() for page in pdf.pages)
    missing = [q["id"] for q in listing if q["id"] not in text]
    assert missing == [], f"IDs missing from the PDF: {missing}"
    assert "卷积神经网络" in text and "面试速答" in text
    # Noto Sans CJK shares glyphs between 一 and the radical ⼀; copied text must say 一
    assert RADICALS.findall(text) == [], f"Kangxi radicals in the PDF's text: {sorted(set(RADICALS.findall(text)))}"
    topics = len({q["topic"] for q in listing})
    assert 2 * len(listing) <= len(pdf.pages) <= 8 * len(listing) and len(pdf.pages) >= topics, \
        f"{len(pdf.pages)} A4 pages for {len(listing)} questions"
    width, height = (float(v) for v in pdf.pages[0].mediabox[2:])
    assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2, f"not A4: {width} x {height} pt"


def test_the_pdf_keeps_the_figures(pdf, editions):
    print_page = (editions / "site-offline" / "print.html").read_text(encoding="utf-8")
    figures = len(set(re.findall(r'<img class="answer-figure" src="([^"]+)"', print_page)))
    images = sum(len(page.images) for page in pdf.pages)
    assert figures > 10 and images >= figures, f"{images} images in the PDF for {figures} figures"


def test_the_pdf_numbers_its_pages(pdf):
    last = len(pdf.pages)
    for number in (1, last // 2, last):
        assert f"{number} / {last}" in pdf.pages[number - 1].extract_text(), f"no page number on page {number}"


def test_the_pdf_bookmarks_every_question_under_its_topic(pdf, listing):
    outline = {}
    topic = None
    for item in pdf.outline:
        if isinstance(item, list):
            outline.setdefault(topic, []).extend(i.title for i in item if not isinstance(i, list))
        else:
            topic = item.title
    assert set(outline) >= {q["topic"] for q in listing}, f"topics bookmarked: {sorted(outline, key=str)}"
    for q in listing:
        titles = outline.get(q["topic"], [])
        assert any(t.startswith(q["id"] + " ") for t in titles), f"{q['id']} is not bookmarked under {q['topic']}"
