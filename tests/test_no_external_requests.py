"""The built HTML loads nothing from another host: no fonts, CDNs, scripts or frames.

Links a reader clicks (`<a href>`, rel=canonical/alternate) are fine; anything the
browser fetches by itself is not. The browser tests prove the same at run time.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

FETCHED = {
    "script": ["src"], "link": ["href"], "img": ["src", "srcset"], "iframe": ["src"],
    "source": ["src", "srcset"], "video": ["src", "poster"], "audio": ["src"],
    "embed": ["src"], "object": ["data"], "track": ["src"], "image": ["href"], "use": ["href"],
}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)""")
IMPORT = re.compile(r"""@import\s+['"]([^'"]+)""")


def external(url: str) -> bool:
    parts = urlsplit(url.strip())
    return bool(parts.netloc) or parts.scheme in {"http", "https"}


class Fetches(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and (attrs.get("rel") or "") in {"canonical", "alternate"}:
            return
        for key in FETCHED.get(tag, []):
            value = attrs.get(key) or ""
            self.urls.extend(part.split()[0] for part in value.split(",") if part.strip())
        if attrs.get("style"):
            self.urls.extend(CSS_URL.findall(attrs["style"]))

    def handle_data(self, data):
        if self.lasttag == "style":
            self.urls.extend(CSS_URL.findall(data) + IMPORT.findall(data))


def test_no_page_fetches_from_another_host(site):
    offenders = []
    pages = list(site.rglob("*.html"))
    assert len(pages) > 5
    for page in pages:
        parser = Fetches()
        parser.feed(page.read_text(encoding="utf-8"))
        offenders += [f"{page.relative_to(site)}: {u}" for u in parser.urls if external(u)]
    assert offenders == [], "\n".join(offenders)


def test_no_stylesheet_or_script_fetches_from_another_host(site):
    offenders = []
    for path in list(site.rglob("*.css")) + list(site.rglob("*.js")):
        text = path.read_text(encoding="utf-8", errors="replace")
        urls = CSS_URL.findall(text) + IMPORT.findall(text) if path.suffix == ".css" else \
            re.findall(r"""(?:importScripts|import)\(\s*['"](https?://[^'"]+)""", text)
        offenders += [f"{path.relative_to(site)}: {u}" for u in urls if external(u)]
    assert offenders == [], "\n".join(offenders)


def test_theme_fonts_are_off(site):
    html = (site / "index.html").read_text(encoding="utf-8")
    assert "fonts.googleapis.com" not in html and "fonts.gstatic.com" not in html
