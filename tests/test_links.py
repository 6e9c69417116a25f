"""Every internal link and anchor in the built HTML resolves, notebook pages included.

MkDocs checks links written in Markdown; it cannot see links produced by hooks (the
question index), by templates, or inside notebook pages. This reads the output instead.
"""

from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key) and (key == "id" or tag == "a"):
                self.ids.add(attrs[key])
        for key in ("href", "src"):
            if attrs.get(key) and tag != "base":
                self.refs.append((tag, attrs[key]))


def parse(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def resolve(site: Path, page: Path, url: str) -> tuple[Path, str] | None:
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith(("mailto:", "data:", "javascript:")):
        return None
    if not parts.path:
        return page, unquote(parts.fragment)
    relative = page.parent.relative_to(site).as_posix()
    target = posixpath.normpath(posixpath.join(relative, unquote(parts.path)))
    path = site / target
    if path.is_dir() or parts.path.endswith("/"):
        path = path / "index.html"
    return path, unquote(parts.fragment)


def test_internal_links_and_anchors_resolve(site):
    broken = broken_links(site)
    assert broken == [], "\n".join(broken)


def broken_links(site: Path) -> list[str]:
    """Every internal link or anchor of the built site that leads nowhere (the offline
    edition's too: test_offline_edition.py)."""
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 5, "the site has almost no pages"
    parsed = {page: parse(page) for page in pages}
    broken, checked = [], 0
    for page, links in parsed.items():
        for tag, url in links.refs:
            if page.name == "404.html" and not url.startswith("/"):
                continue  # served at any depth: only its root-absolute links are meaningful
            if url.startswith("/") and not url.startswith("//"):
                url = posixpath.relpath(url, "/" + page.parent.relative_to(site).as_posix()) + ("/" if url.endswith("/") else "")
            target = resolve(site, page, url)
            if target is None:
                continue
            path, fragment = target
            checked += 1
            where = f"{page.relative_to(site)}: <{tag}> {url}"
            if not path.exists():
                broken.append(f"{where}: no file {path.relative_to(site)}")
            elif fragment and path.suffix == ".html":
                ids = parsed[path].ids if path in parsed else parse(path).ids
                if fragment not in ids:
                    broken.append(f"{where}: no anchor #{fragment}")
    assert checked > 100
    four_oh_four = [u for tag, u in parsed[site / "404.html"].refs if tag == "a" and u.startswith("/")]
    assert four_oh_four and all(not u.startswith("//") for u in four_oh_four), four_oh_four
    return broken


def test_headings_have_unique_nonempty_ids(site):
    problems = []
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        ids = re.findall(r'<h[1-6][^>]*\bid="([^"]*)"', html)
        if "" in ids:
            problems.append(f"{page.relative_to(site)}: a heading has an empty id")
        duplicates = {i for i in ids if ids.count(i) > 1}
        if duplicates:
            problems.append(f"{page.relative_to(site)}: duplicate heading ids {sorted(duplicates)}")
    assert problems == [], "\n".join(problems)
