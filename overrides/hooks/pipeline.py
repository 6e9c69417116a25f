"""The build pipeline: the one hook mkdocs.yml names, and the order of its steps.

Each step is a small module in this folder, named for its concern, with MkDocs event
functions (https://www.mkdocs.org/dev-guide/plugins/#events). For every event this hook
calls the steps that handle it, in the order of STEPS, passing each one's result to the
next, as MkDocs does for plugins. The order matters where a step reads what another wrote:

1. notebook_values  page Markdown: `{{ nb.<notebook>.<key> }}` becomes the notebook's result
2. figures          page Markdown: `{{ figure.<notebook>.<cell-id> }}` becomes the stored figure;
                    after the build, writes every figure (the notebook pages' too)
3. notebook_nav     nav: a page for each notebook in the Notebooks section (notebooks.py)
4. notebook_pages   notebook HTML: mkdocs-jupyter's output rebuilt into a light page
5. mathml           page HTML: LaTeX to MathML (after 4, which emits math in the same markup)
6. unresolved       page HTML: a `{{ ... }}` left in the prose fails the build (after 1, 2, 5)
7. questions        page HTML: each question read into the question model (question_model.py),
                    after 5, so titles and answers hold the math a reader sees
8. study_bar        page HTML: marks, copy link and error report under each question heading
9. page_tools       page context: reveal-all, progress and help under a topic page's title,
                    once the site-wide count is known
10. site_data       env: the `handbook` global the page templates render cross-page output from
                    (question index, topic overviews, notebooks index, print, drill, review)
11. search_index    page HTML: formulas as text for the index, 参考 lists kept out (after 5
                    and 8, before the search plugin reads the page); after the build: the
                    index rewritten and the theme's worker patched
12. exports         after the build: Anki deck, CSV and questions.json from the model
13. downloads       after the build: the offline edition and the PDF from dist/, if built
14. offline_edition after the offline edition's build: its Web Worker shim for file://
15. html_whitespace each written page: template indentation and Chinese line breaks removed

The question model is filled in step 7 and read by every later step and template.
"""

from __future__ import annotations

import downloads
import exports
import figures
import html_whitespace
import mathml
import notebook_nav
import notebook_pages
import notebook_values
import offline_edition
import page_tools
import questions
import search_index
import site_data
import study_bar
import unresolved
from question_model import registry

STEPS = [
    registry,  # keeps the question model across `mkdocs serve --dirty` rebuilds
    notebook_values,
    figures,
    notebook_nav,
    notebook_pages,
    mathml,
    unresolved,
    questions,
    study_bar,
    page_tools,
    site_data,
    search_index,
    exports,
    downloads,
    offline_edition,
    html_whitespace,
]


def _chain(event: str, value_arg: str | None):
    handlers = [getattr(step, event) for step in STEPS if hasattr(step, event)]

    def run(*args, **kwargs):
        if value_arg is None:
            for handler in handlers:
                handler(*args, **kwargs)
            return None
        value = args[0] if args else kwargs.pop(value_arg)
        rest = args[1:]
        for handler in handlers:
            result = handler(value, *rest, **kwargs)
            if result is not None:
                value = result
        return value

    run.__name__ = event
    return run


# The events the steps use: the first argument of each is the value passed along (None: no value)
_EVENTS = {
    "on_startup": None, "on_pre_build": None, "on_post_build": None,
    "on_nav": "nav", "on_page_markdown": "markdown", "on_page_content": "html",
    "on_page_context": "context", "on_env": "env", "on_post_page": "output",
}
for _event, _value in _EVENTS.items():
    globals()[_event] = _chain(_event, _value)
