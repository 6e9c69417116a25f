"""Math and tables render everywhere: aligned equations line up, the math font loads,
no table hides a column at 1280 px, and at 412 px nothing but a table or a formula scrolls."""

from __future__ import annotations

import pytest

from test_browser import html_pages

pytestmark = pytest.mark.browser

def open_all(page):
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")


def aligned_pages(site) -> list[str]:
    return [path for path in html_pages(site) if 'columnalign="left"' in
            (site / (path + "index.html" if path.endswith("/") or not path else path)).read_text(encoding="utf-8")]


def test_aligned_equations_line_up_on_the_equals_sign(page, site):
    pages = aligned_pages(site)
    assert pages, "no page has an aligned block"
    for path in pages:
        page.goto(path)
        open_all(page)
        page.evaluate("() => document.fonts.ready")
        blocks = page.evaluate("""() => [...document.querySelectorAll('article mtable')]
          .map(t => [...t.querySelectorAll(':scope > mtr > mtd[columnalign="left"]')]
            .map(td => [...td.querySelectorAll(':scope > mo')].find(mo => mo.textContent === '='))
            .filter(Boolean).map(mo => Math.round(mo.getBoundingClientRect().left * 10) / 10))
          .filter(xs => xs.length > 1)""")
        for xs in blocks:
            assert max(xs) - min(xs) <= 1, f"{path}: '=' signs at {xs}"


def test_the_math_font_loads(page):
    page.goto("theory/training/")
    open_all(page)
    loaded = page.evaluate("""async () => { await document.fonts.load('16px "Handbook Math"', '∑');
      return document.fonts.check('16px "Handbook Math"', '∑'); }""")
    assert loaded


def every_page_opened(tab, site):
    """Each page of the site in `tab`, every answer open."""
    for path in html_pages(site):
        if path.startswith(("assets/", "search/")) or path.endswith(".ipynb"):
            continue
        tab.goto(path)
        open_all(tab)
        yield path


def test_no_table_is_wider_than_its_column_at_desktop_width(page, site):
    wide = []
    for path in every_page_opened(page, site):
        wide += page.evaluate("""p => [...document.querySelectorAll('article table')]
          .filter(t => t.getBoundingClientRect().width > document.querySelector('article').clientWidth + 1)
          .map(t => p + ': ' + t.innerText.slice(0, 40).replace(/\\s+/g, ' '))""", path)
    assert wide == [], "tables wider than the text column at 1280 px:\n" + "\n".join(wide)


def test_only_tables_and_formulas_scroll_on_a_phone(mobile, site):
    overflowing = []
    for path in every_page_opened(mobile, site):
        width = mobile.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        if width > 0:
            overflowing.append(f"{path}: page scrolls sideways by {width}px")
    assert overflowing == [], "\n".join(overflowing)
