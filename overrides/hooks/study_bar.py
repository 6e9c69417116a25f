"""The study bar under each question heading: two marks, copy link, the error report; and
the two marks again at the end of the answer, where a reader finishes it (an answer can be
several screens long, and the bar is back at the top).

In the HTML at build time, so the page never shifts when the script runs (Lighthouse
measured a layout shift of 0.27 when a script added them). Rendered from
`partials/study-bar.html`; the heading gets the class `question`, so styles and scripts
need not recognise IDs. Works on the HTML questions.py has just parsed.
"""

from __future__ import annotations

from html_tree import start_tag, splice
from mkdocs.exceptions import PluginError
from question_model import registry
from templates import render, study_labels


def on_page_content(html, page, config, files):
    entry = registry.pages.get(page.file.src_uri)
    if entry is None or not entry.questions:
        return html
    if entry.content is not html:
        raise PluginError(f"{page.file.src_uri}: a step between questions.py and study_bar.py changed the page")
    labels = study_labels(config)
    edits = []
    for question in entry.questions:
        heading = entry.headings[question.id]
        attrs = dict(heading.attrs, **{"class": " ".join([*heading.classes, "question"])})
        edits.append((heading.start, heading.open_end, start_tag("h2", attrs)))
        edits.append((heading.end, heading.end, render(
            config, "partials/study-bar.html", question=question, labels=labels,
            repo=config.repo_url or "", page_url=(config.site_url or "") + page.url)))
        details = heading.next_sibling()  # questions.py checked it is the answer
        edits.append((details.close_start, details.close_start, render(
            config, "partials/study-end.html", question=question, labels=labels)))
    h1 = next((e for e in entry.document.root.children if e.tag == "h1"), None)
    content = splice(html, edits)
    # Where the page tools go (page_tools.py): after the <h1>, moved by the edits before it
    entry.h1_end = 0 if h1 is None else h1.end + sum(len(r) - (e - s) for s, e, r in edits if s < h1.end)
    entry.content = content
    del entry.document, entry.headings  # the parse described the old HTML
    return content
