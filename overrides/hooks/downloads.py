"""The downloads the online home page links: the offline edition (a zip) and the PDF.

`make offline` (scripts/build_editions.py) writes them into dist/ (or the folder in
HANDBOOK_DIST, for the tests) and then builds the online site; this step copies them
into the site's downloads/ and gives the home page their sizes (`handbook.downloads()`).
A plain `make build` finds no dist/ and the home page links none. The offline edition
itself (extra.edition: offline) links none: it is the download.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from mkdocs.exceptions import PluginError

DIST = "dist"
FILES = {"offline": "handbook-offline.zip", "pdf": "handbook.pdf"}


def megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def available(config) -> dict[str, dict]:
    """What dist/ holds for this build: {"offline": {"url", "size", "path"}, "pdf": ...}."""
    if config.extra.get("edition") == "offline":
        return {}
    dist = Path(config.config_file_path).parent / os.environ.get("HANDBOOK_DIST", DIST)
    found = {}
    for kind, name in FILES.items():
        path = dist / name
        if path.is_file():
            found[kind] = {"url": f"downloads/{name}", "size": megabytes(path.stat().st_size), "path": path}
    return found


def on_post_build(config):
    target = Path(config.site_dir) / "downloads"
    for item in available(config).values():
        if item["path"].stat().st_size == 0:
            raise PluginError(f"{item['path']}: empty; run `make offline` again")
        target.mkdir(exist_ok=True)
        shutil.copyfile(item["path"], target / item["path"].name)
