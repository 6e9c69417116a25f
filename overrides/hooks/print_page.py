"""The whole handbook on one page, answers open, for printing or saving as PDF.

The page whose front matter says `print_all: true` gets the content of every page that
holds questions, in nav order, each under its own heading. Answers are opened, and links
are rebased: a link to a question goes to that question on this page, any other link to
the same place it pointed to from its own page.
"""

from __future__ import annotations

import posixpath
import re

from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url
from page_state import PageState

PLACEHOLDER = "<!-- print-all -->"
HREF_OR_SRC = re.compile(r'\b(href|src)="([^"#:]*)(#[^"]*)?"')
QUESTION_ID = re.compile(r'<h2 id="([tp]\d{2,4})" class="question">')

_pages = PageState()  # src_uri -> (page, content) of each page with questions
on_startup, on_pre_build = _pages.on_startup, _pages.on_pre_build


def on_page_content(html_content, page, config, files):
    if QUESTION_ID.search(html_content):
        _pages[page.file.src_uri] = (page, html_content)
    else:
        _pages.pop(page.file.src_uri, None)
    return html_content


def rebase(content: str, source_url: str, target_url: str, local_ids: set[str]) -> str:
    def replace(match: re.Match) -> str:
        attribute, path, fragment = match.group(1), match.group(2), match.group(3) or ""
        if fragment[1:] in local_ids:
            return f'{attribute}="{fragment}"'
        if not path:
            return match.group(0)  # an anchor within the source page that this page lacks
        absolute = posixpath.normpath(posixpath.join(posixpath.dirname(source_url.rstrip("/") + "/x"), path))
        relative = get_relative_url(absolute + ("/" if path.endswith("/") else ""), target_url)
        return f'{attribute}="{relative}{fragment}"'

    return HREF_OR_SRC.sub(replace, content)


def render(page, nav) -> str:
    order = [p.file.src_uri for p in nav.pages]
    sources = [_pages[uri] for uri in order if uri in _pages]
    local_ids = {qid for _, content in sources for qid in QUESTION_ID.findall(content)}
    parts = []
    for source, content in sources:
        slug = "print-" + re.sub(r"[^a-z0-9]+", "-", source.file.src_uri.removesuffix(".md")).strip("-")
        body = re.sub(r"<h1\b[^>]*>.*?</h1>", "", content, count=1, flags=re.DOTALL)
        # One page, one set of page tools: a topic's reveal-all and progress would repeat
        body = re.sub(r'<div class="study-page".*?</div>', "", body, count=1, flags=re.DOTALL)
        body = body.replace('<details class="answer">', '<details class="answer" open>')
        # Section headings of a topic page would collide with another page's: drop their ids
        body = re.sub(r'<h([2-6]) id="(?![tp]\d{2,4}")[^"]*"', r"<h\1", body)
        body = re.sub(r'<a class="headerlink" href="#(?![tp]\d{2,4}")[^"]*"[^>]*>.*?</a>', "", body)
        parts.append(f'<section class="print-topic" aria-labelledby="{slug}">'
                     f'<h2 class="print-topic__title" id="{slug}">{source.title}</h2>'
                     f"{rebase(body, source.url, page.url, local_ids)}</section>")
    return "\n".join(parts)


def on_page_context(context, page, config, nav):
    if page.meta.get("print_all"):
        if PLACEHOLDER not in page.content:
            raise PluginError(f"{page.file.src_uri}: print_all page lacks the placeholder {PLACEHOLDER}")
        page.content = page.content.replace(PLACEHOLDER, render(page, nav))
    return context
