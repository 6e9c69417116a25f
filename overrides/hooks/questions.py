"""Question layout: lint every question, and build the question index from the pages.

A question is an `h2` whose text starts with its ID (`T10`, `P04`) and whose anchor is
that ID in lower case (`{#t10}`). Directly below it sits a collapsed answer block
(`??? answer "答案"`), which must not be empty. Anything else fails the build, naming the
file and the ID: a question without an answer, an answer left open, an empty answer, a
malformed ID, a duplicated ID.

The page whose front matter says `question_index: true` gets a table of every question
found on every page, in ID order, so the index can neither miss a question nor list one
that does not exist.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url
from page_state import PageState

H2 = re.compile(r'<h2(?P<attrs>[^>]*)>(?P<inner>.*?)</h2>', re.DOTALL)
ID_ATTR = re.compile(r'\bid="([^"]*)"')
LOOKS_LIKE_ID = re.compile(r"[TtPp]\d+\b")
VALID_ID = re.compile(r"[tp](?:\d{2}|[1-9]\d{2,3})")  # t01-t99, then t100...
DETAILS = re.compile(r"<(/?)details\b[^>]*>")
TAG = re.compile(r"<[^>]+>")
HEADERLINK = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.DOTALL)
PLACEHOLDER = "<!-- question-index -->"


@dataclass
class Question:
    qid: str          # "t10"
    title: str        # the heading text after the ID
    page: object      # mkdocs Page

    @property
    def label(self) -> str:
        return self.qid.upper()


_pages = PageState()  # src_uri -> the questions on that page
on_startup, on_pre_build = _pages.on_startup, _pages.on_pre_build


def all_questions() -> dict[str, Question]:
    return {q.qid: q for questions in _pages.values() for q in questions}


def text_of(fragment: str) -> str:
    return html.unescape(TAG.sub("", HEADERLINK.sub("", fragment))).strip()


def answer_block(content: str, start: int) -> str | None:
    """The `<details class="answer">` element right after position `start`, or None."""
    head = re.compile(r'\s*(<details class="answer"(?: open)?>)').match(content, start)
    if not head:
        return None
    depth = 0
    for tag in DETAILS.finditer(content, head.start(1)):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return content[head.start(1) : tag.end()]
    return None


def check_page(content: str, where: str) -> list[tuple[str, str]]:
    """Return (id, title) of each question on the page; raise on a malformed one."""
    found = []
    for h2 in H2.finditer(content):
        anchor = ID_ATTR.search(h2.group("attrs"))
        anchor = anchor.group(1) if anchor else ""
        text = text_of(h2.group("inner"))
        visible = LOOKS_LIKE_ID.match(text)
        if not visible and not LOOKS_LIKE_ID.fullmatch(anchor):
            continue  # an ordinary section heading
        label = visible.group(0) if visible else anchor
        if not VALID_ID.fullmatch(anchor) or not visible or visible.group(0) != anchor.upper():
            raise PluginError(
                f"{where}: question '{label}' has a malformed ID: the heading must start with "
                f"its ID (T01, T25, P104...) and carry the same ID in lower case as its anchor, "
                f"e.g. '## T10 ... {{#t10}}' (found text {text!r}, anchor '#{anchor}')"
            )
        block = answer_block(content, h2.end())
        if block is None:
            raise PluginError(
                f"{where}: question {label} has no answer: the line after its heading must "
                f"open a collapsed answer block, '??? answer \"答案\"'"
            )
        if block.startswith('<details class="answer" open>'):
            raise PluginError(f"{where}: question {label}: the answer must start collapsed (use ???, not ???+)")
        body = re.sub(r"<summary>.*?</summary>", "", block, count=1, flags=re.DOTALL)
        if not text_of(body):
            raise PluginError(f"{where}: question {label} has an empty answer")
        title = text[len(label):].lstrip(" ·.:：、-–—").strip()
        if not title:
            raise PluginError(f"{where}: question {label} has no title after its ID")
        found.append((anchor, title))
    return found


def on_page_content(html_content, page, config, files):
    where = page.file.src_uri
    if not where.endswith(".md"):
        return html_content  # questions live in Markdown pages; notebooks only link to them
    _pages.pop(where, None)  # this page again: a rebuild under serve
    elsewhere = all_questions()
    found = []
    for qid, title in check_page(html_content, where):
        if qid in elsewhere:
            other = elsewhere[qid].page.file.src_uri
            raise PluginError(f"{where}: duplicate question ID {qid.upper()}: already used in {other}")
        if qid in {q.qid for q in found}:
            raise PluginError(f"{where}: duplicate question ID {qid.upper()}: twice on this page")
        found.append(Question(qid, title, page))
    _pages[where] = found
    ids = {q.qid for q in found}
    # Mark question headings so styles and scripts need not re-parse IDs
    return re.sub(
        r'<h2 id="([tp]\d{2,4})">',
        lambda m: f'<h2 id="{m.group(1)}" class="question">' if m.group(1) in ids else m.group(0),
        html_content,
    )


def render_index(page) -> str:
    def row(q: Question) -> str:
        href = get_relative_url(q.page.url, page.url) + "#" + q.qid
        section = html.escape(q.page.title or "")
        return (
            f'<tr><td><a href="{href}">{q.label}</a></td>'
            f'<td><a href="{href}">{html.escape(q.title)}</a></td><td>{section}</td></tr>'
        )

    parts = []
    for prefix, heading, anchor in (("t", "理论题", "theory"), ("p", "实践题", "practice")):
        items = sorted((q for q in all_questions().values() if q.qid.startswith(prefix)), key=lambda q: int(q.qid[1:]))
        if not items:
            continue
        parts.append(f'<h2 id="{anchor}">{heading}（{len(items)} 题）</h2>')
        parts.append('<table class="question-index"><thead><tr><th>ID</th><th>题目</th><th>所在页面</th></tr></thead><tbody>')
        parts.extend(row(q) for q in items)
        parts.append("</tbody></table>")
    return "\n".join(parts)


def on_page_context(context, page, config, nav):
    if page.meta.get("question_index"):
        if PLACEHOLDER not in page.content:
            raise PluginError(f"{page.file.src_uri}: question_index page lacks the placeholder {PLACEHOLDER}")
        page.content = page.content.replace(PLACEHOLDER, render_index(page))
    return context
