"""What search engines and link previews read: description, canonical URL, language,
Open Graph, sitemap and robots.txt."""

from __future__ import annotations

import re
from html import unescape

import yaml

from conftest import ROOT


def site_url() -> str:
    for line in (ROOT / "mkdocs.yml").read_text(encoding="utf-8").splitlines():
        if line.startswith("site_url:"):
            return yaml.safe_load(line)["site_url"]
    raise AssertionError("mkdocs.yml has no site_url")


def meta(html: str, attr: str, name: str) -> str | None:
    match = re.search(rf'<meta {attr}="{re.escape(name)}" content="([^"]*)"', html)
    return unescape(match.group(1)) if match else None


def content_pages(site):
    return [p for p in site.rglob("index.html")]


def test_every_page_has_its_own_description_and_social_tags(site):
    generic = meta((site / "index.html").read_text(encoding="utf-8"), "name", "description")
    seen = {}
    for page in content_pages(site):
        html = page.read_text(encoding="utf-8")
        where = page.relative_to(site).as_posix()
        assert re.search(r'<meta name="description" content="[^"<>]*">', html), \
            f"{where}: the description is not a well-formed attribute (a stray quote?)"
        description = meta(html, "name", "description")
        assert description and len(description) >= 20, f"{where}: no meaningful description"
        if page != site / "index.html":
            assert description != generic, f"{where}: uses the site-wide description"
        seen.setdefault(description, []).append(where)
        assert re.search(r'<html lang="zh"', html), f"{where}: no lang"
        for prop in ("og:title", "og:description", "og:url", "og:type", "og:site_name"):
            assert meta(html, "property", prop), f"{where}: no {prop}"
        canonical = re.search(r'<link rel="canonical" href="([^"]+)"', html)
        assert canonical and canonical.group(1).startswith(site_url()), f"{where}: no canonical URL"
        assert meta(html, "property", "og:url") == canonical.group(1)
    duplicates = {d: w for d, w in seen.items() if len(w) > 1}
    assert not duplicates, f"pages sharing one description: {duplicates}"


def test_sitemap_lists_every_page_by_canonical_url(site):
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    locations = set(re.findall(r"<loc>([^<]+)</loc>", sitemap))
    for page in content_pages(site):
        url = site_url() + page.parent.relative_to(site).as_posix() + "/"
        url = url.replace("/./", "/")
        assert url in locations, f"{url} missing from sitemap.xml"


def test_robots_txt_allows_crawling_and_points_to_the_sitemap(site):
    robots = (site / "robots.txt").read_text(encoding="utf-8")
    assert "User-agent: *" in robots and "Disallow: /\n" not in robots
    assert f"Sitemap: {site_url()}sitemap.xml" in robots
