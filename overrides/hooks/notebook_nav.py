"""Put every notebook into the nav's Notebooks section, after its overview page.

mkdocs.yml lists only the overview (`notebooks/index.md`) and marks the notebooks
`not_in_nav`; this step adds a page for each notebook, in the order of the notebook model
(notebooks.py), so adding a notebook is adding its file. (A project without a nav in its
config gets the notebooks at the top level of the nav MkDocs derives.)
"""

from __future__ import annotations

from mkdocs.exceptions import PluginError
from mkdocs.structure.nav import Section, _add_parent_links, _add_previous_and_next_links, _get_by_type
from mkdocs.structure.pages import Page
from notebooks import catalogue

OVERVIEW = "notebooks/index.md"


def on_nav(nav, config, files):
    section = next((item for item in _get_by_type(nav.items, Section)
                    if any(getattr(c, "file", None) and c.file.src_uri == OVERVIEW for c in item.children)), None)
    if section is None and config.nav:
        raise PluginError(f"mkdocs.yml: the nav needs a section holding {OVERVIEW}, where the notebooks go")
    children = section.children if section is not None else nav.items  # no nav in mkdocs.yml: top level
    for notebook in catalogue(files):
        file = files.get_file_from_path(notebook.src_uri)
        if file.page is not None and file.page in nav.pages:
            raise PluginError(f"mkdocs.yml: {notebook.src_uri} is listed in the nav; notebooks are added by notebook_nav.py")
        page = file.page or Page(None, file, config)
        children.append(page)
    _add_parent_links(nav.items)
    nav.pages = [p for p in _get_by_type(nav.items, Page)]
    _add_previous_and_next_links(nav.pages)
    return nav
