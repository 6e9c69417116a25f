"""What a hook gathers from every page during a build. A helper for the hooks, not a hook.

`mkdocs serve --dirty` (what `make serve` runs) rebuilds only the pages that changed. A
hook that gathers across pages (the question index, the site-wide question count, the
print page) must then keep what the other pages gave it and replace only the edited
page's entry; a full build starts from nothing.

    _pages = PageState()
    on_startup, on_pre_build = _pages.on_startup, _pages.on_pre_build
    _pages[page.file.src_uri] = ...   # in on_page_content
"""

from __future__ import annotations


class PageState(dict):
    """src_uri of a page -> what the hook found on it."""

    dirty = False

    def on_startup(self, command, dirty):
        self.dirty = dirty

    def on_pre_build(self, config):
        if not self.dirty:
            self.clear()
