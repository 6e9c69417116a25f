"""Every computed number on a page comes from a notebook.

Pages quote notebook results with `{{ nb.<notebook>.<key> }}` (overrides/hooks/notebook_values.py).
This test reads each built page and finds every number that looks computed: five or
more digits, thousands separators, or three or more significant decimals. Each must be
the rendering of a placeholder in that page's source. Code, links and the 参考 part are
skipped (arXiv ids, versions); definitions such as 3×3 or 1000 classes are too small to
look computed and need no source.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from conftest import ROOT, load_hook

values = load_hook("notebook_values")

NUMBER = re.compile(r"(?<![\w.,])\d[\d,]*(?:\.\d+)?(?![\w])")
DOCS = ROOT / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md") if "notebooks" not in p.relative_to(DOCS).parts)


def looks_computed(number: str) -> bool:
    digits = number.replace(",", "")
    whole, _, decimals = digits.partition(".")
    significant_decimals = len(decimals.lstrip("0")) if whole.strip("0") == "" else len(decimals)
    return "," in number or len(whole) >= 5 or significant_decimals >= 3


class ProseText(HTMLParser):
    """Text of the article body, without code, links shown as URLs, or references."""

    SKIP = {"code", "pre", "script", "style", "kbd"}

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.chunks: list[str] = []
        self.inside_article = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "article":
            self.inside_article = True
        skip = tag in self.SKIP or "refs" in classes or (tag == "a" and "headerlink" in classes)
        if tag not in {"br", "img", "hr", "input", "meta", "link", "mspace", "mprescripts", "none"}:
            self.stack.append((tag, skip))

    def handle_endtag(self, tag):
        while self.stack:
            name, _ = self.stack.pop()
            if name == tag:
                break
        if tag == "article":
            self.inside_article = False

    def handle_data(self, data):
        if self.inside_article and not any(skip for _, skip in self.stack):
            if not re.match(r"https?://", data.strip()):
                self.chunks.append(data)


def built_page(site, source):
    relative = source.relative_to(DOCS).with_suffix("")
    if relative.name == "index":
        return site / relative.parent / "index.html"
    return site / relative / "index.html"


def quoted_values(source) -> set[str]:
    markdown = source.read_text(encoding="utf-8")
    rendered = values.substitute(markdown, DOCS / "notebooks", str(source))
    return set(NUMBER.findall(rendered)) - set(NUMBER.findall(values.PLACEHOLDER.sub("", markdown)))


@pytest.mark.parametrize("source", PAGES, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_computed_numbers_come_from_notebooks(site, source):
    parser = ProseText()
    parser.feed(built_page(site, source).read_text(encoding="utf-8"))
    shown = {n for n in NUMBER.findall(" ".join(parser.chunks)) if looks_computed(n)}
    # The print page and the drill hold every answer at once: they may show what any page quotes
    every_answer = re.search(r"^template: (print|drill)\.html$", source.read_text(encoding="utf-8"), re.M)
    allowed = set().union(*map(quoted_values, PAGES)) if every_answer else quoted_values(source)
    untied = sorted(shown - allowed)
    assert untied == [], (
        f"{source.relative_to(ROOT)} shows computed-looking numbers that no notebook published: "
        f"{untied}. Quote them with {{{{ nb.<notebook>.<key> }}}}."
    )


def test_the_check_sees_numbers_at_all(site):
    """Guard against a parser that silently skips everything."""
    parser = ProseText()
    parser.feed(built_page(site, DOCS / "theory" / "cnn-basics.md").read_text(encoding="utf-8"))
    assert any(looks_computed(n) for n in NUMBER.findall(" ".join(parser.chunks)))


@pytest.mark.parametrize("number, computed", [
    ("417,792", True), ("819200", True), ("0.510", True), ("0.00123", True), ("3.14159", True),
    ("3", False), ("224", False), ("2015", False), ("1000", False), ("0.5", False), ("0.95", False),
    ("0.001", False), ("1e", False),
])
def test_looks_computed(number, computed):
    assert looks_computed(number) is computed
