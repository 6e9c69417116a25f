"""Notebook figures, on the notebook pages and inside answers, from the stored outputs.

Every figure is a file `assets/figures/<content hash>.png`, written once however many
pages show it, never copied into the repository: the notebook's stored output is the
only source. notebook_pages.py registers the figures of the notebook pages; an answer
shows a notebook's figure with

    {{ figure.<notebook>.<cell-id> }}

on a line of its own, replaced before Markdown is rendered by an <img> with the cell's
`alt` metadata as alt text, its display size (half the pixels of a retina figure) and
lazy loading, so it costs nothing until the reader opens the answer. An unknown notebook
or cell, a cell without an image or without alt text fails the build, naming the page.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import struct
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url

FIGURES = "assets/figures"
PLACEHOLDER = re.compile(r"\{\{\s*figure\.([a-z0-9-]+)\.([A-Za-z0-9_-]+)\s*\}\}")
TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/svg+xml": "svg"}

_store: dict[str, bytes] = {}


def register(data: bytes, ext: str) -> str:
    """Keep a figure for writing after the build; return its site-relative path."""
    name = f"{FIGURES}/{hashlib.sha256(data).hexdigest()[:16]}.{ext}"
    _store[name] = data
    return name


def png_size(data: bytes) -> tuple[int, int] | None:
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return struct.unpack(">II", data[16:24])
    return None


def stored_figure(path: Path, cell_id: str, where: str) -> dict:
    """The image a notebook cell stored: its bytes, type, alt text and display size."""
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise PluginError(f"{where}: figure from {path.name}: cannot read the notebook: {error}") from error
    cell = next((c for c in cells if c.get("id") == cell_id), None)
    if cell is None:
        raise PluginError(f"{where}: {path.name} has no cell '{cell_id}'")
    for output in cell.get("outputs", []):
        for mime, ext in TYPES.items():
            if mime in output.get("data", {}):
                alt = cell.get("metadata", {}).get("alt", "").strip()
                if not alt:
                    raise PluginError(f"{where}: {path.name} cell '{cell_id}' draws a figure but has no 'alt' metadata")
                raw = output["data"][mime]
                raw = "".join(raw) if isinstance(raw, list) else raw
                data = raw.encode() if mime == "image/svg+xml" else base64.b64decode(raw)
                size = output.get("metadata", {}).get(mime, {})
                width, height = size.get("width"), size.get("height")
                if not (width and height) and png_size(data):
                    width, height = png_size(data)
                return {"data": data, "ext": ext, "alt": alt, "width": width, "height": height}
    raise PluginError(f"{where}: {path.name} cell '{cell_id}' has no stored image output (run `make notebooks`)")


def substitute(markdown: str, notebooks_dir: Path, page_url: str, where: str) -> str:
    def replace(match: re.Match) -> str:
        name, cell_id = match.groups()
        path = notebooks_dir / f"{name}.ipynb"
        if not path.is_file():
            raise PluginError(f"{where}: {match.group(0)} names a notebook that does not exist: {path.name}")
        figure = stored_figure(path, cell_id, where)
        src = get_relative_url(register(figure["data"], figure["ext"]), page_url)
        size = f' width="{figure["width"]}" height="{figure["height"]}"' if figure["width"] else ""
        return (f'<img class="answer-figure" src="{src}" alt="{html.escape(figure["alt"])}"{size} '
                f'loading="lazy" decoding="async">')

    return PLACEHOLDER.sub(replace, markdown)


def on_pre_build(config):
    _store.clear()


def on_page_markdown(markdown, page, config, files):
    if not page.file.src_uri.endswith(".md") or "figure." not in markdown:
        return markdown
    return substitute(markdown, Path(config.docs_dir) / "notebooks", page.url, page.file.src_uri)


def on_post_build(config):
    for name, data in _store.items():
        path = Path(config.site_dir) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
