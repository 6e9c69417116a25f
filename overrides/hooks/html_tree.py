"""A small HTML parser that keeps source offsets. A helper for the pipeline's steps.

The steps read pages MkDocs has rendered and edit them in place: a study bar after a
question heading, a class on the heading, a link rebased on the print page. A parse tree
that remembers where each element starts and ends in the source lets them read the HTML
as elements and write edits as splices, without serialising the page anew (which would
re-escape every attribute and cost more than the parse). Built on the standard library's
`html.parser`, so it needs nothing beyond Python; about 20 ms for the largest topic page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser

# Elements that never have content (HTML), so never wait for an end tag
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    start: int                 # offset of "<" of the start tag
    open_end: int              # offset just after the start tag's ">"
    close_start: int = -1      # offset of "</" of the end tag (== end for void elements)
    end: int = -1              # offset just after the element
    parent: Element | None = None
    children: list[Element] = field(default_factory=list)

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def iter(self):
        """This element and every element inside it, in document order."""
        yield self
        for child in self.children:
            yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None):
        return [e for e in self.iter() if e is not self and (tag is None or e.tag == tag)
                and (cls is None or cls in e.classes)]

    def find(self, tag: str | None = None, cls: str | None = None) -> Element | None:
        found = self.find_all(tag, cls)
        return found[0] if found else None

    def next_sibling(self) -> Element | None:
        if self.parent is None:
            return None
        siblings = self.parent.children
        index = siblings.index(self)
        return siblings[index + 1] if index + 1 < len(siblings) else None


class Document:
    """A parsed HTML string: `root` holds the top-level elements."""

    def __init__(self, source: str, where: str = "<html>"):
        self.source = source
        self.where = where
        self.root = Element("#root", {}, 0, 0, len(source), len(source))
        _Builder(self).run()

    def outer(self, element: Element) -> str:
        return self.source[element.start:element.end]

    def inner(self, element: Element) -> str:
        return self.source[element.open_end:element.close_start]

    def between(self, start: int, end: int) -> str:
        return self.source[start:end]

    def text(self, element: Element | None = None, start: int | None = None, end: int | None = None,
             math: str = "tex") -> str:
        """Plain text of an element (or of a span of the source), whitespace collapsed.

        math="tex": a formula becomes its TeX source between $...$ (it stays readable in a
        CSV cell or a search snippet); math="visible": the characters the formula shows
        (1×1), for short texts such as titles.
        """
        if element is not None:
            start, end = element.open_end, element.close_start
        return plain_text(self.source[start:end], math)


class _Builder(HTMLParser):
    def __init__(self, document: Document):
        super().__init__(convert_charrefs=True)
        self.document = document
        self.stack = [document.root]
        # Offsets of the start of each line, to turn getpos() into a string offset
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", document.source)]

    def run(self) -> None:
        self.feed(self.document.source)
        self.close()
        end = len(self.document.source)
        while len(self.stack) > 1:  # unclosed at the end: close at the end of the source
            element = self.stack.pop()
            element.close_start = element.end = end

    def _at(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def _open(self, tag, attrs) -> Element:
        start = self._at()
        text = self.get_starttag_text() or ""
        element = Element(tag, dict(attrs), start, start + len(text), parent=self.stack[-1])
        self.stack[-1].children.append(element)
        return element

    def handle_starttag(self, tag, attrs):
        element = self._open(tag, attrs)
        if tag in VOID:
            element.close_start = element.end = element.open_end
        else:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        element = self._open(tag, attrs)
        element.close_start = element.end = element.open_end

    def handle_endtag(self, tag):
        if self.stack[-1].tag != tag and not any(e.tag == tag for e in self.stack[1:]):
            return  # a stray end tag: browsers ignore it too
        start = self._at()
        end = self.document.source.index(">", start) + 1
        while True:
            element = self.stack.pop()
            if element.tag == tag:
                element.close_start, element.end = start, end
                return
            element.close_start = element.end = start  # implied end (e.g. an unclosed <p>)


class _Text(HTMLParser):
    """Collects text; inside <math> keeps either the TeX annotation or the visible tokens."""

    def __init__(self, math: str):
        super().__init__(convert_charrefs=True)
        self.math = math
        self.parts: list[str] = []
        self.math_depth = 0
        self.in_annotation = False
        self.annotation: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "math":
            self.math_depth += 1
            self.annotation = []
        elif tag == "annotation":
            self.in_annotation = True
        elif tag in {"p", "li", "br", "div", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6"}:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag == "annotation":
            self.in_annotation = False
        elif tag == "math" and self.math_depth:
            self.math_depth -= 1
            if self.math == "tex":
                self.parts.append(f"${''.join(self.annotation).strip()}$")
        elif tag in {"p", "li", "div", "tr", "td", "th"}:
            self.parts.append(" ")

    def handle_data(self, data):
        if self.in_annotation:
            self.annotation.append(data)
        elif not self.math_depth or self.math == "visible":
            self.parts.append(data)


def plain_text(fragment: str, math: str = "tex") -> str:
    parser = _Text(math)
    parser.feed(fragment)
    parser.close()
    return " ".join("".join(parser.parts).split())


def start_tag(tag: str, attrs: dict[str, str | None]) -> str:
    """Serialise a start tag, for a splice that changes an element's attributes."""
    parts = [tag]
    for name, value in attrs.items():
        parts.append(name if value is None else f'{name}="{escape(value)}"')
    return "<" + " ".join(parts) + ">"


def splice(source: str, edits: list[tuple[int, int, str]]) -> str:
    """Apply (start, end, replacement) edits; they must not overlap."""
    out, last = [], 0
    for start, end, replacement in sorted(edits, key=lambda e: (e[0], e[1])):
        if start < last:
            raise ValueError(f"overlapping HTML edits at offset {start}")
        out.append(source[last:start])
        out.append(replacement)
        last = end
    out.append(source[last:])
    return "".join(out)
