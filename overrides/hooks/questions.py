"""Read every question of a rendered page into the question model, or fail the build.

A question is an `h2` whose text starts with its ID (`T10`, `P04`) and whose anchor is
that ID in lower case (`{#t10}`; more attributes are fine: `{#t10 .core}`). Directly
below it sits a collapsed answer block (`??? answer "答案"`) that holds a 面试速答
(`!!! quick`). Anything else fails the build, naming the file and the ID: a question
without an answer, an answer left open, an empty answer, a malformed or duplicated ID,
an ID on a heading that is not an `h2`. A heading is either a question everywhere or the
build fails: there is no half-recognised question.

Runs after math is rendered (mathml.py), so titles and answers hold MathML.
"""

from __future__ import annotations

import re

from html_tree import Document, Element, plain_text
from mkdocs.exceptions import PluginError
from question_model import PARTS, PageEntry, Question, registry

LOOKS_LIKE_ID = re.compile(r"[TtPp]\d+\b")
VALID_ID = re.compile(r"[tp](?:\d{2}|[1-9]\d{2,3})")  # t01-t99, then t100...
SEPARATOR = " ·.:：、-–—"
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


def heading_text(document: Document, heading: Element, math: str = "visible") -> str:
    """The heading's text without its permalink."""
    edits = [(e.start, e.end) for e in heading.find_all("a", "headerlink")]
    inner = document.inner(heading)
    base = heading.open_end
    for start, end in sorted(edits, reverse=True):
        inner = inner[: start - base] + inner[end - base:]
    return inner if math == "html" else plain_text(inner, math)


def answer_parts(document: Document, details: Element) -> dict[str, Element]:
    parts = {}
    for child in details.children:
        if child.tag == "div" and "admonition" in child.classes:
            kind = next((k for k in PARTS if k in child.classes), None)
            if kind:
                parts[kind] = child
    return parts


def part_content(document: Document, part: Element) -> str:
    """An admonition's content without its title paragraph."""
    title = part.find("p", "admonition-title")
    start = title.end if title is not None else part.open_end
    return document.between(start, part.close_start).strip()


def parse_page(content: str, uri: str, url: str = "", page_title: str = "") -> tuple[list[Question], dict[str, Element], Document]:
    """The questions on a rendered page, with their heading elements; raise on a malformed one."""
    document = Document(content, uri)
    found: list[Question] = []
    headings: dict[str, Element] = {}
    for heading in document.root.iter():
        if heading.tag not in HEADINGS:
            continue
        anchor = heading.attrs.get("id") or ""
        text = heading_text(document, heading)
        visible = LOOKS_LIKE_ID.match(text)
        if not visible and not LOOKS_LIKE_ID.fullmatch(anchor):
            continue  # an ordinary section heading
        label = visible.group(0) if visible else anchor
        if heading.tag != "h2":
            if VALID_ID.fullmatch(anchor):
                raise PluginError(f"{uri}: question '{label}' is an {heading.tag}: a question heading is an h2 ('## {label} ...')")
            continue  # e.g. "### T 检验" is not a question
        if not VALID_ID.fullmatch(anchor) or not visible or visible.group(0) != anchor.upper():
            raise PluginError(
                f"{uri}: question '{label}' has a malformed ID: the heading must start with "
                f"its ID (T01, T25, P104...) and carry the same ID in lower case as its anchor, "
                f"e.g. '## T10 ... {{#t10}}' (found text {text!r}, anchor '#{anchor}')"
            )
        qid = anchor.upper()
        if qid in headings:
            raise PluginError(f"{uri}: duplicate question ID {qid}: twice on this page")
        details = heading.next_sibling()
        if details is None or details.tag != "details" or "answer" not in details.classes:
            raise PluginError(
                f"{uri}: question {qid} has no answer: the line after its heading must "
                f"open a collapsed answer block, '??? answer \"答案\"'"
            )
        if "open" in details.attrs:
            raise PluginError(f"{uri}: question {qid}: the answer must start collapsed (use ???, not ???+)")
        summary = details.find("summary")
        body_start = summary.end if summary is not None and summary.parent is details else details.open_end
        answer_html = document.between(body_start, details.close_start).strip()
        if not answer_html.strip():
            raise PluginError(f"{uri}: question {qid} has an empty answer")
        title = text[len(label):].lstrip(SEPARATOR).strip()
        if not title:
            raise PluginError(f"{uri}: question {qid} has no title after its ID")
        title_html = heading_text(document, heading, "html").strip()
        prefix = re.match(rf"{re.escape(label)}[{re.escape(SEPARATOR)}\s]*", title_html)
        if not prefix:
            raise PluginError(f"{uri}: question {qid}: the ID must be plain text at the start of the heading")
        title_html = title_html[prefix.end():].strip()
        elements = answer_parts(document, details)
        if "quick" not in elements:
            raise PluginError(f"{uri}: question {qid} has no 面试速答 (admonition 'quick')")
        parts = {kind: part_content(document, element) for kind, element in elements.items()}
        links = [e.attrs[name] for e in details.find_all() for name in ("href", "src") if e.attrs.get(name)]
        found.append(Question(
            id=qid, title=title, title_html=title_html, page_uri=uri, page_url=url, page_title=page_title,
            answer_html=answer_html, parts=parts, links=links,
        ))
        headings[qid] = heading
    return found, headings, document


def on_page_content(html, page, config, files):
    uri = page.file.src_uri
    if not uri.endswith(".md"):
        return html  # questions live in Markdown pages; notebooks only link to them
    registry.pages.pop(uri, None)  # this page again: a rebuild under serve
    found, headings, document = parse_page(html, uri, page.url, page.title or "")
    elsewhere = registry.by_id()
    for question in found:
        if question.id in elsewhere:
            raise PluginError(f"{uri}: duplicate question ID {question.id}: already used in {elsewhere[question.id].page_uri}")
    entry = PageEntry(uri, page.url, page.title or "", found, content=html)
    entry.document, entry.headings = document, headings  # for study_bar.py, on this same HTML
    registry.pages[uri] = entry
    return html
