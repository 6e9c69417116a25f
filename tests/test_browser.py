"""The built site in headless Chromium, used the way a reader uses it.

Served gzip-compressed on 127.0.0.1 (scripts/static_server.py). Skipped when no
Chromium is installed, except under CI where they must run (.ci/run installs it).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import ROOT

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PAGE_TYPES = {
    "home": "",
    "topic": "theory/cnn-basics/",
    "notebook": "notebooks/parameter-counts/",
    "index": "questions/",
    "404": "no-such-page/",
    "drill": "drill/",
    # A problem whose solution has a table and display math (opened for axe below)
    "calculations": "calculation-drills/?kind=average-precision&level=3&seed=5",
    "review": "review/",
    "print": "print/",
    "quick": "print-quick/",
}

# What readers type, and the question that must come first (a set where two questions
# are equally right): for every question, the concepts its title names, in Chinese and
# English. Material groups results by page; "first" is the first question of the first
# page group.
SEARCHES = [
    ("CNN特点", {'t01'}), ("权值共享", {'t01'}), ("反卷积", {'t02', 't21'}), ("转置卷积", {'t02'}),
    ("dropout", {'t03'}), ("inverted dropout", {'t03'}), ("加快收敛", {'t04'}), ("warmup", {'t04'}),
    ("过拟合", {'t05'}), ("overfitting", {'t05'}), ("梯度消失", {'t06'}), ("LSTM", {'t06'}),
    ("局部连接", {'t07', 't01'}), ("DeepFace", {'t07'}), ("初始化", {'t08'}), ("Xavier", {'t08'}),
    ("池化", {'t09'}), ("BatchNorm", {'t09', 't29', 't43'}), ("空洞卷积", {'t10', 'p04'}),
    ("dilated convolution", {'t10'}), ("生成模型", {'t11'}), ("判别模型", {'t11'}), ("收敛", {'t12'}),
    ("early stopping", {'t12', 't05'}), ("正则化", {'t13'}), ("L1", {'t13'}), ("激活函数", {'t14'}),
    ("GELU", {'t14'}), ("1x1卷积", {'t15'}), ("无监督学习", {'t16'}), ("k-means", {'t16'}),
    ("感受野", {'t17', 'p04'}), ("receptive field", {'t17', 'p04'}), ("目标检测", {'t18'}),
    ("Faster R-CNN", {'t18'}), ("MAE", {'t19'}), ("回归指标", {'t19'}), ("全连接层", {'t20'}),
    ("棋盘效应", {'t21'}), ("checkerboard", {'t21'}), ("语义分割", {'t22'}), ("FCN", {'t22'}),
    ("SSD", {'t23'}), ("YOLO", {'t23', 't18'}), ("softmax", {'t24'}), ("交叉熵", {'t24'}),
    ("xrange", {'p01'}), ("__main__", {'p02'}), ("参数量计算", {'p03'}), ("mAP", {'p05'}),
    ("tuple", {'p06'}), ("GIL", {'p07'}), ("多线程", {'p07'}), ("while_loop", {'p08'}),
    ("自注意力", {'t25'}), ("self-attention", {'t25'}), ("GQA", {'t26'}), ("MQA", {'t26'}),
    ("KV cache", {'t27', 'p10'}), ("RoPE", {'t28'}), ("位置编码", {'t28'}), ("RMSNorm", {'t29'}),
    ("Pre-LN", {'t29'}), ("FlashAttention", {'t30'}), ("top-p 采样", {'t31'}), ("投机解码", {'t31'}),
    ("量化", {'t32'}), ("INT4", {'t32'}), ("MoE", {'t33'}), ("混合专家", {'t33'}),
    ("FLOPs", {'p09', 'p03'}), ("Llama 参数量", {'p09'}), ("并发请求", {'p10'}),
    ("混合精度训练", {'t34'}), ("损失缩放", {'t34'}), ("mixed precision", {'t34'}),
    ("优化器状态", {'t35'}), ("activation checkpointing", {'t35'}),
    ("流水线并行", {'t36'}), ("ZeRO", {'t36'}), ("LoRA", {'t37'}), ("QLoRA", {'t37'}),
    ("DPO", {'t38'}), ("GRPO", {'t38'}), ("BPE", {'t39'}), ("WordPiece", {'t39'}),
    ("规模定律", {'t40'}), ("Chinchilla", {'t40'}), ("ViT", {'t41'}), ("CLIP", {'t41'}),
    ("扩散模型", {'t42'}), ("DDIM", {'t42'}), ("BN 融合", {'t43'}), ("小 batch BN", {'t43'}),
]


PALETTE_TOGGLE = "form[data-hb-palette] label:visible"


def html_pages(site: Path) -> list[str]:
    pages = []
    for path in sorted(site.rglob("*.html")):
        relative = path.relative_to(site).as_posix()
        pages.append(relative[: -len("index.html")] if relative.endswith("index.html") else relative)
    return pages


def search(page, query: str, reload: bool = True):
    if reload:
        page.goto("")
    box = page.locator("input.md-search__input")
    box.click()
    # Clear first and wait for the old results to go, so the next ones are this query's
    box.fill("")
    page.keyboard.press("End")
    page.locator(".md-search-result__item").first.wait_for(state="detached", timeout=10_000)
    # Material reacts to key events; insert_text (needed for Chinese) sends none, so
    # finish with a key press that does not change the text
    page.keyboard.insert_text(query)
    page.keyboard.press("End")
    page.locator(".md-search-result__item").first.wait_for(timeout=10_000)


def first_question(page) -> tuple[str, object]:
    """The first visible result that is a question: (its id, its link)."""
    links = page.locator(".md-search-result__item").first.locator("a.md-search-result__link:visible")
    for i in range(links.count()):
        fragment = urlsplit(links.nth(i).get_attribute("href")).fragment
        if re.fullmatch(r"[tp]\d\d", fragment):
            return fragment, links.nth(i)
    return "", None


def test_search_finds_each_question_first(page):
    misses = []
    page.goto("")
    for query, expected in SEARCHES:
        search(page, query, reload=False)
        qid, _ = first_question(page)
        if qid not in expected:
            misses.append(f"{query!r}: first question {qid or 'none'}, expected {' or '.join(sorted(expected))}")
    assert misses == [], "\n".join(misses)


# The query is cut into the index's words, and the landing page marks those words whole:
# not "混" of 混合精度 (the theme's own segmenter dropped the word's last character)
@pytest.mark.parametrize("query, qid, term", [
    ("棋盘效应", "t21", "棋盘效应"), ("dropout", "t03", "dropout"), ("1x1卷积", "t15", "卷积"),
    ("混合精度训练", "t34", "混合精度"), ("softmax梯度", "t24", "梯度"),
])
def test_clicking_a_search_result_lands_on_the_question(page, query, qid, term):
    search(page, query)
    found, link = first_question(page)
    assert found == qid
    link.click()
    page.wait_for_url(re.compile(f"#{qid}$"))
    heading = page.locator(f"h2#{qid}")
    heading.wait_for()
    assert heading.is_visible() and in_viewport(page, f"h2#{qid}")
    marks = heading.locator("mark[data-md-highlight]")
    marks.first.wait_for()
    assert term in marks.all_inner_texts(), f"marks in the heading: {marks.all_inner_texts()}"


def in_viewport(page, selector: str) -> bool:
    return page.evaluate(
        "s => { const r = document.querySelector(s).getBoundingClientRect();"
        " return r.top >= 0 && r.top < window.innerHeight; }", selector)


def test_answer_is_collapsed_and_opens_on_click(page):
    page.goto("theory/cnn-basics/")
    answer = page.locator("h2#t15 ~ details.answer").first
    assert answer.get_attribute("open") is None
    quick = answer.locator(".admonition.quick")
    assert not quick.is_visible()
    answer.locator("summary").click()
    assert answer.get_attribute("open") is not None
    assert quick.is_visible()


def test_code_in_closed_answers_is_mounted_and_the_answers_come_back(page):
    """handbook.js hides closed answers' bodies while the theme mounts the page (so its
    code-block measurements do not lay out every hidden answer), then shows them again:
    the code blocks still get the theme's copy button and find-in-page still reaches
    the answers."""
    page.goto("practice/python/")
    closed_code = page.locator("details.answer:not([open]) pre > code")
    assert closed_code.count() > 0
    page.wait_for_function("!document.querySelector('details.hb-mounting')")
    for i in range(closed_code.count()):
        nav = closed_code.nth(i).locator("xpath=..").locator("nav.md-code__nav")
        assert nav.count() == 1, f"code block {i} in a closed answer has no copy button"
    hidden = page.evaluate("""() => [...document.querySelectorAll('details.answer:not([open]) > :not(summary)')]
        .filter(el => getComputedStyle(el).display === 'none').length""")
    assert hidden == 0


def test_question_anchor_scrolls_to_the_question(page):
    page.goto("theory/cnn-basics/#t15")
    page.wait_for_timeout(300)
    assert in_viewport(page, "h2#t15")


def test_math_is_rendered_with_no_raw_tex_visible(page):
    for path in ("theory/cnn-basics/", "notebooks/parameter-counts/"):
        page.goto(path)
        page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
        boxes = page.evaluate(
            "() => [...document.querySelectorAll('article math')].map(m => { const r = m.getBoundingClientRect();"
            " return [r.width, r.height]; })")
        assert boxes, f"{path}: no math on the page"
        assert all(w > 0 and h > 0 for w, h in boxes), f"{path}: a formula renders empty"
        text = page.locator("article").inner_text()
        for raw in ("\\(", "\\[", "$$", "\\frac", "\\text{"):
            assert raw not in text, f"{path}: raw TeX {raw!r} visible"


def test_notebook_figures_load(page, site):
    notebooks = [p for p in html_pages(site) if p.startswith("notebooks/") and p != "notebooks/"]
    checked = 0
    for path in notebooks:
        page.goto(path)
        page.evaluate("() => document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading = 'eager')")
        page.wait_for_load_state("networkidle")
        sizes = page.evaluate("() => [...document.querySelectorAll('.nb-figure img')].map(i => [i.src, i.naturalWidth, i.alt])")
        for src, width, alt in sizes:
            assert width > 0, f"{path}: figure {src} did not load"
            assert alt.strip(), f"{path}: figure {src} has no alt text"
            checked += 1
    assert checked >= 1, "no notebook page has a figure"


def test_palette_toggle_switches_and_persists(page):
    page.goto("")
    scheme = lambda: page.evaluate("() => document.body.getAttribute('data-md-color-scheme')")
    seen = {scheme()}
    for _ in range(2):
        page.locator(PALETTE_TOGGLE).click()
        seen.add(scheme())
    assert {"default", "slate"} <= seen, f"palette never switched: {seen}"
    current = scheme()
    page.reload()
    assert scheme() == current, "the chosen palette is not remembered"
    assert page.locator(PALETTE_TOGGLE).count() == 1, "not exactly one palette toggle shows"


def test_palette_follows_the_system_and_the_keyboard(browser, served):
    """The handbook's palette toggle, not the theme's: what the theme's did, still done."""
    context = browser.new_context(base_url=served, color_scheme="dark")
    page = context.new_page()
    page.goto("")
    scheme = lambda: page.evaluate("() => document.body.getAttribute('data-md-color-scheme')")
    meta = lambda name: page.evaluate(f"() => document.querySelector('meta[name={name}]')?.content")
    # A first visit follows the system, and the system is dark
    page.wait_for_function("() => document.body.dataset.mdColorScheme === 'slate'")
    page.wait_for_function("() => document.querySelector('meta[name=color-scheme]')?.content === 'dark'")
    assert re.fullmatch(r"#[0-9a-f]{6}", meta("theme-color") or ""), meta("theme-color")
    page.emulate_media(color_scheme="light")
    page.wait_for_function("() => document.body.dataset.mdColorScheme === 'default'")
    assert page.locator(PALETTE_TOGGLE).count() == 1
    # Enter moves to the next palette: light, then dark
    page.focus("#__palette_0")
    page.keyboard.press("Enter")
    assert scheme() == "default"
    assert page.evaluate("() => __md_get('__palette').index") == 1
    page.keyboard.press("Enter")
    assert scheme() == "slate"
    assert page.evaluate("() => __md_get('__palette').index") == 2
    assert page.locator(PALETTE_TOGGLE).get_attribute("for") == "__palette_0"
    context.close()


# Records, after <body> is parsed, each change that restyles the whole page
LATE_RESTYLES = """
window.__late = [];
const selectors = () => [...document.styleSheets].flatMap(sheet => [...sheet.cssRules])
  .flatMap(function flat(rule) { return rule.cssRules ? [...rule.cssRules].flatMap(flat) : [rule]; })
  .map(rule => rule.selectorText || "").join(" ");
new MutationObserver(records => {
  if (!document.querySelector("footer")) return;  // <body> still being parsed: free
  for (const r of records) {
    if (r.type === "attributes" && r.target.matches("link[rel=stylesheet]"))
      __late.push(`stylesheet ${r.attributeName}`);
    // An attribute on <body> restyles the page only if a selector reads it
    if (r.type === "attributes" && r.target === document.body && selectors().includes(`[${r.attributeName}`))
      __late.push(`<body> ${r.attributeName}`);
    for (const node of r.addedNodes)
      if (node.nodeName === "META" && node.name === "color-scheme") __late.push("color-scheme meta");
  }
}).observe(document, { subtree: true, attributes: true, childList: true });
"""


@pytest.mark.parametrize("kind", ["home", "topic", "notebook"])
def test_loading_a_page_restyles_nothing_its_html_already_says(browser, served, kind):
    """Each of these, once the page is parsed, restyles all of it in the theme's longest
    task: the theme reloading the stylesheets (instant navigation makes their URLs
    absolute), and its palette writing the colour attributes <body> already has or
    adding a color-scheme meta tag. With the light palette, a load changes none of them."""
    context = browser.new_context(base_url=served, color_scheme="light")
    context.add_init_script(LATE_RESTYLES)
    page = context.new_page()
    page.goto(PAGE_TYPES[kind])
    page.wait_for_load_state("networkidle")
    page.evaluate("() => new Promise(r => setTimeout(r, 100))")  # the palette's meta tags come a task later
    assert page.evaluate("() => window.__late") == [], f"{kind}: restyled after parsing"
    assert page.evaluate("() => [...document.querySelectorAll('link[rel=stylesheet]')].every(l => /^https?:/.test(l.getAttribute('href')))")
    context.close()


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_no_horizontal_overflow_on_a_phone(mobile, kind):
    mobile.goto(PAGE_TYPES[kind])
    mobile.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    overflow = mobile.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{kind}: the page is {overflow}px wider than a 412px screen"


def test_no_page_requests_another_host(browser, served, site):
    """Every page of the site, every request recorded, in a real browser."""
    context = browser.new_context(base_url=served)
    page = context.new_page()
    host = urlsplit(served).netloc
    outside = []
    page.on("request", lambda r: outside.append(r.url)
            if urlsplit(r.url).scheme in {"http", "https", "ws", "wss"} and urlsplit(r.url).netloc != host else None)
    pages = html_pages(site)
    assert len(pages) > 5
    for path in pages:
        page.goto(path)
        page.evaluate("() => document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading = 'eager')")
        page.wait_for_load_state("networkidle")
        assert not outside, f"{path} requested {outside}"
    # Search too: the worker and the index must come from the same host
    search(page, "卷积")
    assert not outside, f"search requested {outside}"
    context.close()


def use_scheme(tab, scheme: str) -> None:
    """Switch the palette the way a reader does: the toggle, until the scheme shows."""
    for _ in range(3):
        if tab.evaluate("() => document.body.getAttribute('data-md-color-scheme')") == scheme:
            return
        tab.locator(PALETTE_TOGGLE).click()
    raise AssertionError(f"the palette toggle never reached {scheme}")


def axe_violations(tab, path: str, scheme: str) -> list[str]:
    tab.goto(path)
    use_scheme(tab, scheme)
    # Check the answers too, not only their collapsed summaries
    tab.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    tab.evaluate("() => document.querySelectorAll('.calc-show').forEach(b => b.click())")
    tab.wait_for_load_state("networkidle")
    tab.add_script_tag(path=str(AXE))
    result = tab.evaluate("async () => (await axe.run(document)).violations")
    return [f"{v['id']} ({v['impact']}): " + "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
            for v in result]


@pytest.mark.parametrize("scheme", ["default", "slate"])
@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_axe_finds_no_violations(page, mobile, kind, scheme):
    assert AXE.is_file(), "axe-core is not installed: run `make deps`"
    for label, tab in (("desktop", page), ("mobile", mobile)):
        violations = axe_violations(tab, PAGE_TYPES[kind], scheme)
        assert violations == [], f"{kind} ({label}, {scheme}): " + json.dumps(violations, ensure_ascii=False, indent=1)


def test_search_dialog_has_a_name(page):
    page.goto("")
    assert page.locator(".md-search[role=dialog]").get_attribute("aria-label")
