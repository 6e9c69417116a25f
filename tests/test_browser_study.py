"""Study mode in a real browser: marks, progress, reveal-all, shortcuts, drill, review,
copy link, error reports, instant navigation, and the print page (its PDF: test_offline_edition.py)."""

from __future__ import annotations

import io
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import ROOT

pytestmark = pytest.mark.browser

TOPIC = "theory/cnn-basics/"

# The study flow is checked on a phone and a desktop, in light and dark (issue 15)
FORMS = [("page", "light"), ("page", "dark"), ("mobile", "light"), ("mobile", "dark")]


def form_id(form) -> str:
    return ("desktop" if form[0] == "page" else "phone") + "-" + form[1]


def open_form(request):
    device, scheme = request.param
    browser_tab = request.getfixturevalue(device)
    browser_tab.emulate_media(color_scheme=scheme)
    return browser_tab


tab = pytest.fixture(params=FORMS, ids=form_id, name="tab")(open_form)
# The walk over every page is long: each device and each scheme once
walk_tab = pytest.fixture(params=[FORMS[0], FORMS[3]], ids=form_id, name="walk_tab")(open_form)


def is_phone(tab) -> bool:
    return tab.viewport_size["width"] < 600


def ready(page, path: str):
    page.goto(path)
    page.locator(".study-page, #study-drill .study-card, #study-review ul, #study-review p").first.wait_for()


def progress(page) -> str:
    return " ".join(page.locator(".study-page .study-progress").all_inner_texts())


def test_marks_survive_reload_and_update_progress(page, site):
    ready(page, TOPIC)
    total = len(json.loads((site / "downloads" / "questions.json").read_text(encoding="utf-8")))
    assert f"全站：会了 0 / {total}，" in progress(page)
    known = page.locator('.study-bar[data-qid="t15"] .study-mark[data-mark="known"]')
    known.click()
    assert known.get_attribute("aria-pressed") == "true"
    page.wait_for_function("() => [...document.querySelectorAll('.study-page .study-progress')]"
                           ".every(p => p.textContent.includes('会了 1 /'))")
    here = page.locator("article h2.question").count()
    assert f"本页：会了 1 / {here}" in progress(page) and f"全站：会了 1 / {total}" in progress(page)
    page.reload()
    page.locator(".study-page").wait_for()
    assert page.locator('.study-bar[data-qid="t15"] .study-mark[data-mark="known"]').get_attribute("aria-pressed") == "true"
    # Marking again removes the mark
    page.locator('.study-bar[data-qid="t15"] .study-mark[data-mark="known"]').click()
    assert page.locator('.study-bar[data-qid="t15"] .study-mark[data-mark="known"]').get_attribute("aria-pressed") == "false"


def test_reveal_all_opens_every_answer_and_is_kept_per_page(tab):
    page = tab
    ready(page, TOPIC)
    answers = page.locator("article details.answer")
    assert answers.count() >= 5 and all(answers.nth(i).get_attribute("open") is None for i in range(answers.count()))
    page.locator(".study-reveal").click()
    assert all(answers.nth(i).get_attribute("open") is not None for i in range(answers.count()))
    # The next topic starts closed, for self-testing; this one is still open on return
    ready(page, "theory/regularization/")
    other = page.locator("article details.answer")
    assert all(other.nth(i).get_attribute("open") is None for i in range(other.count())), "spoilt the next page"
    assert page.locator(".study-reveal").get_attribute("aria-pressed") == "false"
    ready(page, TOPIC)
    assert all(answers.nth(i).get_attribute("open") is not None for i in range(answers.count())), "not remembered"
    page.locator(".study-reveal").click()
    assert all(answers.nth(i).get_attribute("open") is None for i in range(answers.count()))


def test_keyboard_shortcuts_move_open_mark_and_explain(page):
    ready(page, TOPIC)
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("j")
    page.wait_for_url(re.compile(r"#t01$"))
    page.keyboard.press("j")
    page.wait_for_url(re.compile(r"#t07$"))
    page.keyboard.press("k")
    page.wait_for_url(re.compile(r"#t01$"))
    answer = page.locator("h2#t01 ~ details.answer").first
    page.keyboard.press("o")
    assert answer.get_attribute("open") is not None
    page.keyboard.press("o")
    assert answer.get_attribute("open") is None
    page.keyboard.press("2")
    assert page.locator('.study-bar[data-qid="t01"] .study-mark[data-mark="review"]').get_attribute("aria-pressed") == "true"
    page.keyboard.press("?")
    dialog = page.locator("dialog#study-help")
    assert dialog.is_visible() and "J / K" in dialog.inner_text()
    page.keyboard.press("Escape")
    assert not dialog.is_visible()


def topic_pages(site) -> list[str]:
    questions = json.loads((site / "downloads" / "questions.json").read_text(encoding="utf-8"))
    pages = []
    for q in questions:
        path = urlsplit(q["url"]).path.lstrip("/")
        if path not in pages:
            pages.append(path)
    return pages


def page_ids(page) -> list[str]:
    return page.eval_on_selector_all("article h2.question", "hs => hs.map(h => h.id)")


def focused_id(page) -> str:
    return page.evaluate("() => document.activeElement.id")


def header_bottom(page) -> float:
    return page.evaluate("() => document.querySelector('.md-header').getBoundingClientRect().bottom")


def test_j_and_k_reach_every_question_on_every_page(walk_tab, site):
    tab = walk_tab
    for path in topic_pages(site):
        ready(tab, path)
        ids = page_ids(tab)
        seen = []
        for _ in ids:
            tab.keyboard.press("j")
            # The focus shows the current question (the theme's toc tracking rewrites the
            # URL's fragment as the page scrolls, so the URL is not the witness)
            qid = focused_id(tab)
            seen.append(qid)
            top = tab.evaluate(f"() => document.getElementById('{qid}').getBoundingClientRect().top")
            # Below the sticky header, or as low as the page can scroll (the last questions)
            at_end = tab.evaluate("() => innerHeight + scrollY >= document.documentElement.scrollHeight - 2")
            assert top >= header_bottom(tab) - 1 or at_end, f"{path}#{qid}: heading under the header ({top:.0f}px)"
        assert seen == ids, f"{path}: J visited {seen}, the page has {ids}"
        for expected in reversed(ids[:-1]):
            tab.keyboard.press("k")
            assert focused_id(tab) == expected, f"{path}: K"


def test_marks_and_o_act_on_the_question_that_has_the_focus(tab):
    ready(tab, TOPIC)
    ids = page_ids(tab)
    for _ in range(3):
        tab.keyboard.press("j")
    assert focused_id(tab) == ids[2]
    tab.keyboard.press("1")
    assert tab.locator(f'.study-bar[data-qid="{ids[2]}"] .study-mark[data-mark="known"]').get_attribute("aria-pressed") == "true"
    for other in ids[:2]:
        assert tab.locator(f'.study-bar[data-qid="{other}"] .study-mark[data-mark="known"]').get_attribute("aria-pressed") == "false"
    tab.keyboard.press("o")
    assert tab.locator(f"h2#{ids[2]} ~ details.answer").first.get_attribute("open") is not None
    # A click on another question's bar moves the current question there
    tab.locator(f'.study-bar[data-qid="{ids[0]}"] .study-mark[data-mark="review"]').click()
    tab.keyboard.press("j")
    assert focused_id(tab) == ids[1]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_progress_and_shortcut_help_wrap_cleanly_on_a_phone(mobile, scheme):
    mobile.emulate_media(color_scheme=scheme)
    ready(mobile, TOPIC)
    lines = mobile.evaluate("""() => {
        const tops = new Map();
        for (const span of document.querySelectorAll('.study-page .study-progress')) {
            const range = document.createRange();
            range.selectNodeContents(span);
            for (const rect of range.getClientRects()) tops.set(Math.round(rect.top), true);
        }
        return [...document.querySelectorAll('.study-page .study-progress')].map(s => {
            const r = s.getBoundingClientRect(); return [Math.round(r.top), Math.round(r.bottom), s.textContent,
              getComputedStyle(s, '::before').content, getComputedStyle(s, '::after').content];
        });
    }""")
    # No line of the progress starts with the separator
    assert all(before in ("none", "normal") for _, _, _, before, _ in lines), lines
    heights = {bottom - top for top, bottom, *_ in lines}
    assert max(heights) < 30, f"a progress line wraps inside itself: {lines}"
    mobile.locator(".study-help-open").click()
    dialog = mobile.locator("dialog#study-help")
    dialog.wait_for()
    keys = dialog.locator("td:first-child kbd")
    for i in range(keys.count()):
        box = keys.nth(i).bounding_box()
        assert box["height"] < 30, f"key {keys.nth(i).inner_text()!r} wraps"
    close = dialog.locator("button", has_text="关闭")
    styles = close.evaluate("b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color]")
    assert styles[0] not in ("rgba(0, 0, 0, 0)", "transparent"), "关闭 looks like plain text"
    close.click()
    assert not dialog.is_visible()


def test_shortcuts_leave_the_search_box_alone(page):
    ready(page, TOPIC)
    page.locator("input.md-search__input").click()
    page.keyboard.type("jo")
    assert page.locator("input.md-search__input").input_value() == "jo"
    assert "#" not in page.url


def test_marks_work_from_the_keyboard_alone(page):
    ready(page, TOPIC)
    button = page.locator('.study-bar[data-qid="t09"] .study-mark[data-mark="review"]')
    button.focus()
    page.keyboard.press("Enter")
    assert button.get_attribute("aria-pressed") == "true"


def test_drill_shows_the_answer_only_when_asked(page):
    ready(page, "drill/")
    card = page.locator("#study-drill .study-card")
    title = card.locator(".study-card__title").inner_text()
    assert re.match(r"[TP]\d\d · ", title)
    answer = card.locator(".study-card__answer")
    assert answer.is_hidden()
    page.keyboard.press(" ")
    answer.locator(".admonition.quick").wait_for()
    assert answer.is_visible()
    # The next question comes with its answer hidden again
    page.keyboard.press("j")
    page.wait_for_function("t => document.querySelector('.study-card__title').textContent !== t", arg=title)
    assert card.locator(".study-card__answer").is_hidden()


def test_drill_can_be_limited_to_questions_marked_for_review(page):
    ready(page, TOPIC)
    page.locator('.study-bar[data-qid="t20"] .study-mark[data-mark="review"]').click()
    ready(page, "drill/")
    page.locator(".study-drill-scope > summary").click()
    page.locator("input[name=only-review]").check()
    for _ in range(3):
        assert page.locator(".study-card__title").inner_text().startswith("T20 ")
        page.locator(".study-card__actions .study-next").click()


def test_review_lists_marked_questions_and_clears_after_confirmation(page):
    ready(page, TOPIC)
    page.locator('.study-bar[data-qid="t15"] .study-mark[data-mark="review"]').click()
    ready(page, "review/")
    items = page.locator("#study-review .study-review-list a")
    assert items.count() == 1 and items.first.inner_text().startswith("T15 ")
    href = items.first.get_attribute("href")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.locator(".study-clear").click()
    assert page.locator("#study-review .study-review-list a").count() == 1, "cleared without confirmation"
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".study-clear").click()
    page.locator("#study-review p", has_text="还没有").wait_for()
    page.goto(href)
    assert page.url.endswith("#t15")


def test_copy_link_and_report_link(page):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    ready(page, TOPIC)
    page.locator('.study-bar[data-qid="t15"] .study-copy').click()
    page.wait_for_function("() => document.querySelector('.study-live') && document.querySelector('.study-live').textContent")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied.endswith("/theory/cnn-basics/#t15")
    report = page.locator('.study-bar[data-qid="t15"] .study-report').get_attribute("href")
    repo = re.search(r"^repo_url: (\S+)", (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), re.M).group(1)
    assert report.startswith(repo + "/issues/new?")
    query = parse_qs(urlsplit(report).query)
    assert "T15" in query["title"][0] and "cnn-basics/#t15" in query["body"][0]


def test_state_is_reapplied_after_instant_navigation(page):
    ready(page, TOPIC)
    page.locator('.study-bar[data-qid="t15"] .study-mark[data-mark="known"]').click()
    page.locator(".md-nav--primary a.md-nav__link", has_text="感受野、空洞卷积与上采样").first.click()
    page.wait_for_url(re.compile("receptive-field-upsampling"))
    page.locator('.study-bar[data-qid="t10"]').wait_for()
    assert page.evaluate("() => performance.getEntriesByType('navigation').length") == 1, "not an instant navigation"
    page.go_back()
    page.locator('.study-bar[data-qid="t15"]').wait_for()
    assert page.locator('.study-bar[data-qid="t15"] .study-mark[data-mark="known"]').get_attribute("aria-pressed") == "true"


def test_print_page_opens_every_answer_and_prints_no_chrome(page, site):
    """The page the PDF is printed from (test_offline_edition.py checks the PDF itself)."""
    listing = json.loads((site / "downloads" / "questions.json").read_text(encoding="utf-8"))
    page.goto("print/")
    page.emulate_media(media="print")
    assert page.locator("article details.answer:not([open])").count() == 0, "an answer is closed"
    assert page.locator("article details.answer").count() == len(listing)
    for hidden in (".md-header", ".md-sidebar--primary", ".study-page", ".md-footer"):
        assert page.locator(hidden).first.is_hidden(), f"{hidden} is printed"
    assert page.locator("article math").count() > 20, "formulas missing from the print page"
    # On paper a link to a notebook says where it leads
    target = page.locator("article a[data-print-target]").first
    after = target.evaluate("a => getComputedStyle(a, '::after').content")
    assert target.get_attribute("data-print-target").startswith("notebooks/") and "notebooks/" in after


def test_quick_answers_edition_is_short_and_complete(page, site):
    from pypdf import PdfReader

    listing = json.loads((site / "downloads" / "questions.json").read_text(encoding="utf-8"))
    page.goto("print-quick/")
    page.emulate_media(media="print")
    quick = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=False)))
    text = "".join(p.extract_text() for p in quick.pages)
    missing = [q["id"] for q in listing if q["id"] not in text]
    assert missing == [], f"IDs missing from the quick edition: {missing}"
    assert page.locator("article :is(.explain, .followup, .erratum, .refs)").count() == 0, "more than quick answers"
    assert page.locator("article .print-quick__answer").count() == len(listing)
    page.goto("print/")
    page.emulate_media(media="print")
    full = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=False)))
    # About ten pages for the article's 32 questions: a third of a page per question at most
    assert len(quick.pages) <= len(listing) / 3 and len(quick.pages) * 5 <= len(full.pages), \
        f"quick {len(quick.pages)} pages, full {len(full.pages)}, {len(listing)} questions"


def test_answers_are_read_at_body_size(tab):
    ready(tab, TOPIC)
    tab.locator(".study-reveal").click()
    sizes = tab.evaluate("""() => {
        const px = el => parseFloat(getComputedStyle(el).fontSize);
        const body = px(document.querySelector('article.md-typeset'));  // the text size of the page
        const quick = px(document.querySelector('details.answer .quick > p:not(.admonition-title)'));
        const explain = px(document.querySelector('details.answer .explain > p:not(.admonition-title)'));
        const code = px(document.querySelector('details.answer p code'));
        return {body, quick, explain, code};
    }""")
    assert sizes["quick"] == sizes["body"] and sizes["explain"] == sizes["body"], sizes
    assert sizes["code"] >= 0.8 * sizes["body"], sizes


def drawn(tab) -> str:
    return tab.locator(".study-card__title").inner_text().split(" · ")[0]


def test_drill_deals_a_deck_without_repeats_and_leaves_known_questions_out(tab, site):
    ready(tab, "drill/")
    tab.locator(".study-drill-scope > summary").click()
    tab.locator(".study-topics-none").click()
    tab.locator("#study-drill .study-card p", has_text="没有符合条件").wait_for()
    tab.locator("input[name=topic][value='卷积神经网络基础']").check()
    ids = [q["id"] for q in json.loads((site / "downloads" / "questions.json").read_text(encoding="utf-8"))
           if q["topic"] == "卷积神经网络基础"]
    assert f"1 / {tab.locator('input[name=topic]').count()} 个主题，{len(ids)} 题" in tab.locator(".study-drill-scope > summary").inner_text()
    seen = [drawn(tab)]
    for _ in ids[1:]:
        tab.locator(".study-card__actions .study-next").click()
        seen.append(drawn(tab))
    assert sorted(seen) == sorted(ids), f"a round repeats or skips: {seen}"
    assert f"本轮第 {len(ids)} / {len(ids)} 题" in tab.locator(".study-deck-position").inner_text()
    # Marked 会了: out of the next rounds, unless asked for
    tab.keyboard.press("1")
    known = drawn(tab)
    tab.locator(".study-card__actions .study-next").click()
    for _ in range(len(ids)):
        assert drawn(tab) != known
        tab.locator(".study-card__actions .study-next").click()
    tab.locator("input[name=include-known]").check()
    assert f"{len(ids)} 题" in tab.locator(".study-drill-scope > summary").inner_text()
    tab.locator(".study-topics-all").click()
    assert tab.locator("input[name=topic]:checked").count() == tab.locator("input[name=topic]").count()


def test_drill_card_is_on_the_first_screen_and_marks_repeat_where_the_answer_ends(tab):
    ready(tab, "drill/")
    height = tab.viewport_size["height"]
    box = tab.locator(".study-card__title").bounding_box()
    assert box["y"] + box["height"] < height, "the card starts below the first screen"
    # No focus ring on load; hints for keys only where there are keys
    assert tab.evaluate("() => !document.querySelector(':focus-visible')"), "a focus box on load"
    hint = tab.locator(".study-card__actions .study-show .study-key-hint")
    assert hint.is_visible() == (not is_phone(tab))
    assert tab.locator("#study-drill .study-help-open").is_visible()
    tab.locator(".study-card__actions .study-show").click()
    end = tab.locator(".study-card__answer .study-end")
    end.scroll_into_view_if_needed()
    first = drawn(tab)
    end.locator(".study-mark[data-mark='review']").click()
    assert tab.locator(".study-card .study-marks").first.locator("[data-mark='review']").get_attribute("aria-pressed") == "true"
    end.locator(".study-next").click()
    assert drawn(tab) != first
    top = tab.locator(".study-card").bounding_box()["y"]
    assert 0 <= top < height, f"the next card starts off screen ({top:.0f}px)"


def test_topic_pages_repeat_the_marks_at_the_end_of_each_answer(tab):
    ready(tab, TOPIC)
    ids = page_ids(tab)
    assert tab.locator("details.answer > .study-end").count() == len(ids)
    tab.locator(f"h2#{ids[1]} ~ details.answer").first.locator("summary").click()
    end = tab.locator(f'details.answer > .study-end .study-mark[data-qid="{ids[1]}"][data-mark="known"]')
    end.scroll_into_view_if_needed()
    end.click()
    assert tab.locator(f'.study-bar[data-qid="{ids[1]}"] .study-mark[data-mark="known"]').get_attribute("aria-pressed") == "true"


def test_drill_without_javascript_points_to_the_question_index(browser, served):
    context = browser.new_context(base_url=served, java_script_enabled=False, locale="zh-CN")
    tab = context.new_page()
    tab.goto("drill/")
    text = tab.locator("article").inner_text()
    context.close()
    assert "需要启用 JavaScript" in text and "题目索引" in text
    assert "](" not in text and "[题目索引]" not in text, "raw Markdown in the fallback"


def test_home_page_starts_with_where_to_start_and_shows_progress(tab, site):
    tab.goto("")
    height = tab.viewport_size["height"]
    for link in (tab.locator(".home-actions a", has_text="开始刷题"), tab.locator(".home-topics a").first):
        box = link.bounding_box()
        assert box["y"] + box["height"] <= height, f"{link.inner_text()} is below the first screen"
    questions = json.loads((site / "downloads" / "questions.json").read_text(encoding="utf-8"))
    per_topic = {}
    for q in questions:
        per_topic[q["topic"]] = per_topic.get(q["topic"], 0) + 1
    items = tab.locator(".home-topics li:has(.home-count)")
    listed = {items.nth(i).locator("a").inner_text(): items.nth(i).locator(".home-count").inner_text()
              for i in range(items.count())}
    assert listed == {topic: f"{n} 题" for topic, n in per_topic.items()}
    # A new reader sees no zeros; a reader with marks sees them per topic and site-wide
    assert tab.locator(".home-progress").is_hidden() and tab.locator(".home-topic-progress:visible").count() == 0
    ready(tab, TOPIC)
    tab.locator('.study-bar[data-qid="t15"] .study-mark[data-mark="known"]').click()
    tab.goto("")
    topic = tab.locator(".home-topics li", has=tab.locator("a", has_text="卷积神经网络基础"))
    assert topic.locator(".home-topic-progress").inner_text() == f"会了 1 / {per_topic['卷积神经网络基础']}"
    assert f"全站：会了 1 / {len(questions)}" in tab.locator(".home-progress").inner_text()


@pytest.mark.parametrize("way", ["chip", "back"])
def test_back_from_a_notebook_reopens_the_answer(tab, way):
    ready(tab, TOPIC)
    answer = tab.locator("h2#t15 ~ details.answer").first
    answer.locator("summary").click()
    link = answer.locator("a[href*='notebooks/']").first
    link.scroll_into_view_if_needed()
    link.click()
    tab.wait_for_url(re.compile(r"/notebooks/"))
    chip = tab.locator(".study-return")
    chip.wait_for()
    assert chip.inner_text() == "回到 T15 的答案" and chip.is_visible()
    if way == "chip":
        chip.click()
    else:
        tab.go_back()
    tab.wait_for_url(re.compile(r"/theory/cnn-basics/"))
    tab.locator(".study-page").wait_for()
    tab.wait_for_function("() => document.querySelector('h2#t15 ~ details.answer').open")
    others = tab.evaluate("() => [...document.querySelectorAll('details.answer')].filter(d => d.open).length")
    assert others == 1, "only the answer the reader left from is open"
