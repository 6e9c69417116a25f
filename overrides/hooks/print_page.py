"""The whole handbook on one page, answers open, for printing or saving as PDF.

`docs/print.md` uses the template `print.html`, which asks this module for the content of
every page that holds questions, in nav order, each under its own heading. The HTML is
read with a parser (html_tree.py) and edited in place: the page title goes (the section
heading replaces it), answers open, section anchors that would collide across pages go,
and links are rebased: a link to a question goes to that question on this page, any other
link to the same place it pointed to from its own page.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import urlsplit

from html_tree import Document, start_tag, splice
from mkdocs.utils import get_relative_url
from question_model import registry

QUESTION_ANCHOR = re.compile(r"[tp]\d{2,4}")


def rebase_url(value: str, source_url: str, target_url: str, local_ids: set[str]) -> str:
    """A link written on the page at `source_url`, as seen from the page at `target_url`."""
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or value.startswith(("mailto:", "data:")):
        return value
    fragment = "#" + parts.fragment if parts.fragment or value.endswith("#") else ""
    if parts.fragment in local_ids:
        return fragment
    if not parts.path:  # an anchor on the source page that this page lacks: link to it there
        return get_relative_url(source_url or ".", target_url) + fragment
    relative = get_relative_url(site_path(parts.path, source_url), target_url)
    return relative + fragment


def site_path(path: str, source_url: str) -> str:
    """A relative link's path, written on the page at `source_url`, from the site root.
    The page is a folder ("theory/cnn-basics/") or, in the offline edition, a file
    ("theory/cnn-basics.html", whose links are relative to "theory/")."""
    folder = source_url.rstrip("/") if source_url.endswith("/") else posixpath.dirname(source_url)
    absolute = posixpath.normpath(posixpath.join(folder, path))
    return absolute + ("/" if path.endswith("/") else "")


def topic_body(content: str, source_url: str, target_url: str, local_ids: set[str], where: str) -> str:
    """A page's content for the print page: without its title, answers open, section
    anchors dropped, links rebased."""
    document = Document(content, where)
    edits = []
    h1 = next((e for e in document.root.children if e.tag == "h1"), None)
    if h1 is not None:
        edits.append((h1.start, h1.end, ""))
    for element in document.root.iter():
        if element is document.root or (h1 is not None and h1.start <= element.start < h1.end):
            continue
        attrs = dict(element.attrs)
        if element.tag == "a" and "headerlink" in element.classes and \
                not QUESTION_ANCHOR.fullmatch(attrs.get("href", "").lstrip("#")):
            edits.append((element.start, element.end, ""))  # the permalink of a dropped anchor
            continue
        if element.tag in {"h2", "h3", "h4", "h5", "h6"} and "id" in attrs and \
                not QUESTION_ANCHOR.fullmatch(attrs["id"]):
            del attrs["id"]  # a topic's section anchors would collide with another topic's
        if element.tag == "details" and "answer" in element.classes:
            attrs["open"] = None
        href = urlsplit(attrs.get("href") or "")
        if element.tag == "a" and href.path and not href.scheme:
            # On paper a link to a notebook says where it leads (handbook.css prints it)
            target = site_path(href.path, source_url)
            if target.startswith("notebooks/"):
                attrs["data-print-target"] = target
        for name in ("href", "src"):
            if attrs.get(name) is not None:
                attrs[name] = rebase_url(attrs[name], source_url, target_url, local_ids)
        if attrs != element.attrs:
            edits.append((element.start, element.open_end, start_tag(element.tag, attrs)))
    # Edits inside a removed permalink are dropped: the removal covers them
    removed = [(s, e) for s, e, r in edits if r == "" and e > s]
    edits = [edit for edit in edits if edit[2] == "" or not any(s <= edit[0] < e for s, e in removed)]
    return splice(content, edits)


def topic_pages(nav) -> list:
    """Every page that holds questions, in nav order (both print editions)."""
    return registry.pages_with_questions([p.file.src_uri for p in nav.pages])


def sections(target_url: str, nav) -> list[dict]:
    """Each page with questions, in nav order: its slug, title and printable body."""
    entries = topic_pages(nav)
    local_ids = {q.anchor for entry in entries for q in entry.questions}
    return [{
        "slug": "print-" + re.sub(r"[^a-z0-9]+", "-", entry.uri.removesuffix(".md")).strip("-"),
        "title": entry.title,
        "body": topic_body(entry.content, entry.url, target_url, local_ids, entry.uri),
    } for entry in entries]
