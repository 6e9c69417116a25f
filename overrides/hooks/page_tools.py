"""The page tools under a topic page's title: reveal-all, progress, shortcut help.

The site-wide count is known only once every page is read, so they are written when the
page is rendered (on_page_context), from the question model, at the place study_bar.py
recorded: right after the page's <h1>.
"""

from __future__ import annotations

from mkdocs.exceptions import PluginError
from question_model import registry
from templates import render, study_labels


def on_page_context(context, page, config, nav):
    entry = registry.pages.get(page.file.src_uri)
    if entry is None or not entry.questions:
        return context
    # The search plugin has edited the content since (it drops `data-search-exclude`
    # attributes), but only after the title: the recorded place still holds
    head = entry.content[: entry.h1_end]
    if not page.content.startswith(head):
        raise PluginError(f"{page.file.src_uri}: the page's title changed after study_bar.py recorded where its tools go")
    tools = render(config, "partials/study-page.html", labels=study_labels(config),
                   count=len(entry.questions), total=len(registry.questions()))
    page.content = head + tools + page.content[entry.h1_end:]
    return context
