"""Fail the build on a `{{ ... }}` that reached a page: a placeholder no step recognised.

`{{ nb.receptive_field.rf }}` (an underscore where the notebook's name has a hyphen)
matches neither notebook_values.py nor figures.py and would be printed verbatim. Code,
math and scripts may hold braces (Jinja, TeX); the page's prose may not.
"""

from __future__ import annotations

from html.parser import HTMLParser

from mkdocs.exceptions import PluginError

VERBATIM = {"code", "pre", "script", "style", "math", "kbd", "textarea"}


class _Prose(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in VERBATIM:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in VERBATIM and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth and "{{" in data:
            start = data.index("{{")
            self.found.append(data[start : data.find("}}", start) + 2 if "}}" in data[start:] else start + 40])


def unresolved(html: str) -> list[str]:
    parser = _Prose()
    parser.feed(html)
    parser.close()
    return parser.found


def on_page_content(html, page, config, files):
    if "{{" in html:
        found = unresolved(html)
        if found:
            raise PluginError(f"{page.file.src_uri}: placeholder not recognised: {found[0]!r} "
                              f"(write {{{{ nb.<notebook>.<key> }}}} or {{{{ figure.<notebook>.<cell-id> }}}}, "
                              f"with the notebook's file name)")
    return html
