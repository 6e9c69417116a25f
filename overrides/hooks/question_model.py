"""The question model: every question of the handbook, read once per build. Not a hook.

`questions.py` fills the registry from each rendered page (after math is rendered), and
every output reads it: the study bar, the page tools, the question index, the topic
overviews, the print page, the drill and review data, the exports (JSON, Anki, CSV) and
the search ranking. None of them looks at a heading again.

`mkdocs serve --dirty` rebuilds only the pages that changed: the registry then keeps what
the other pages gave it and replaces only the rebuilt pages' entries; a full build starts
from nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from html_tree import plain_text

PARTS = ("quick", "explain", "followup", "erratum", "refs")


@dataclass
class Question:
    id: str                  # "T15"
    title: str               # plain text after the ID: "1×1 卷积有什么作用？"
    title_html: str          # the same as HTML (MathML kept), for pages
    page_uri: str            # "theory/cnn-basics.md"
    page_url: str            # "theory/cnn-basics/"
    page_title: str          # "卷积神经网络基础"
    answer_html: str         # the answer block's content, without its <summary>
    parts: dict[str, str]    # "quick", "explain", ... -> the part's content, without its title
    links: list[str] = field(default_factory=list)            # href and src values inside the answer

    def text(self, part: str) -> str:
        """A part as plain text, formulas as $TeX$ (for the CSV)."""
        return plain_text(self.parts[part])

    @property
    def anchor(self) -> str:
        return self.id.lower()

    @property
    def url(self) -> str:
        """Site-relative URL of the question: "theory/cnn-basics/#t15"."""
        return f"{self.page_url}#{self.anchor}"

    @property
    def kind(self) -> str:
        return "theory" if self.id[0] == "T" else "practice"

    @property
    def sort_key(self) -> tuple[int, int]:
        return (0 if self.id[0] == "T" else 1, int(self.id[1:]))


@dataclass
class PageEntry:
    """What one page contributes: its questions, and its content as the pipeline left it."""

    uri: str
    url: str
    title: str
    questions: list[Question]
    content: str = ""        # the page's HTML after on_page_content (for the print page)
    h1_end: int = -1         # offset just after the page's <h1> in `content` (page tools go there)


class Registry:
    def __init__(self):
        self.pages: dict[str, PageEntry] = {}
        self.dirty = False

    # MkDocs events, forwarded by pipeline.py
    def on_startup(self, command, dirty):
        self.dirty = dirty

    def on_pre_build(self, config):
        if not self.dirty:
            self.pages.clear()

    def questions(self) -> list[Question]:
        """Every question, theory first, in ID order."""
        return sorted((q for entry in self.pages.values() for q in entry.questions), key=lambda q: q.sort_key)

    def by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions()}

    def pages_with_questions(self, order: list[str]) -> list[PageEntry]:
        """The pages that hold questions, in the given order of src_uris (the nav's)."""
        return [self.pages[uri] for uri in order if uri in self.pages and self.pages[uri].questions]


registry = Registry()
