"""The `handbook` global of the page templates: the question and notebook models.

Page templates (overrides/*.html, chosen by a page's `template:` front matter) render
every cross-page output from it when the page is written, after every page has been
read: the question index, the topic overviews, the notebooks index, the print page, the
drill and review data, the site-wide question count. Nothing is carried through the HTML.
"""

from __future__ import annotations

import json
import re
from html import escape

import downloads
from markupsafe import Markup
from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url
from notebooks import catalogue
from print_page import rebase_url, sections, topic_pages
from question_model import registry

class Handbook:
    def __init__(self, files, nav, config):
        self.files, self.nav, self.config = files, nav, config

    def downloads(self) -> dict[str, dict]:
        """The offline edition and the PDF, with their sizes, when `make offline` built them."""
        return downloads.available(self.config)

    def questions(self, kind: str | None = None):
        return [q for q in registry.questions() if kind is None or q.kind == kind]

    def question(self, qid: str):
        """A question by its ID ("T15"), for a template that names questions in config."""
        question = registry.by_id().get(qid)
        if question is None:
            raise PluginError(f"mkdocs.yml names question {qid}, which no page has")
        return question

    def ids(self) -> list[str]:
        return [q.anchor for q in registry.questions()]

    def has_questions(self, page) -> bool:
        entry = registry.pages.get(page.file.src_uri)
        return bool(entry and entry.questions)

    @staticmethod
    def topics_of(questions) -> list[str]:
        return list(dict.fromkeys(q.page_title for q in questions))

    def answer_for(self, question, page, part: str | None = None) -> Markup:
        """A question's answer (or one part of it: "quick") as another page shows it (the
        drill card, the quick-answers print edition): links rebased.

        The parse that built the model listed every href and src in the answer, so the
        attributes are rewritten as the build wrote them, in one pass, without parsing the
        answer again (the drill holds every answer: a second parse cost about 0.25 s)."""
        rebased = {escape(v): escape(rebase_url(v, question.page_url, page.url, set())) for v in question.links}
        rebased = {old: new for old, new in rebased.items() if old != new}
        html = question.answer_html if part is None else question.parts[part]
        if not rebased:
            return Markup(html)
        pattern = re.compile(r'\b(href|src)="(' + "|".join(map(re.escape, rebased)) + r')"')
        return Markup(pattern.sub(lambda m: f'{m.group(1)}="{rebased[m.group(2)]}"', html))

    def topics(self, page):
        """The topic pages in the same nav section as `page`, each with its questions."""
        siblings = page.parent.children if page.parent else self.nav.items
        order = [p.file.src_uri for p in siblings if getattr(p, "file", None)]
        return registry.pages_with_questions(order)

    def sections(self):
        """The nav's sections that hold topic pages, each with its topics in nav order
        (the home page's start points)."""
        out = []
        for section in self.nav.items:
            order = [p.file.src_uri for p in getattr(section, "children", None) or [] if getattr(p, "file", None)]
            topics = registry.pages_with_questions(order)
            if topics:
                out.append({"title": section.title, "topics": topics})
        return out

    def notebooks(self):
        by_id = registry.by_id()
        return [(notebook, [by_id[i] for i in notebook.question_ids if i in by_id])
                for notebook in catalogue(self.files)]

    def print_topics(self):
        """Every page with questions, in nav order (the quick-answers print edition)."""
        return topic_pages(self.nav)

    def print_sections(self, page):
        return [dict(s, body=Markup(s["body"])) for s in sections(page.url, self.nav)]

    def url_of(self, src_uri: str, required: bool = True) -> str | None:
        """The site-relative URL of a documentation file (depends on use_directory_urls);
        None for a missing file that is not `required`."""
        file = self.files.get_file_from_path(src_uri)
        if file is None:
            if not required:
                return None
            raise PluginError(f"a template links to {src_uri}, which is not in the docs")
        return file.url

    @staticmethod
    def link(target_url: str, page) -> str:
        """A site-relative URL ("theory/cnn-basics/#t15") as seen from `page`."""
        path, _, fragment = target_url.partition("#")
        return get_relative_url(path or ".", page.url) + ("#" + fragment if fragment else "")

    @staticmethod
    def markup(html: str) -> Markup:
        return Markup(html)

    @staticmethod
    def json(value) -> Markup:
        """JSON for a <script type="application/json"> island: UTF-8 rather than \\u escapes
        (half the bytes for Chinese labels), with <, > and & escaped so it cannot end the script."""
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))

_state = {}

def on_nav(nav, config, files):
    _state["nav"], _state["files"] = nav, files
    return nav

def on_env(env, config, files):
    env.globals["handbook"] = Handbook(files, _state["nav"], config)
    return env

