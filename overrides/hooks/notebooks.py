"""The notebook model: each notebook's title, summary and the questions it serves. Not a hook.

Read from the notebooks themselves, once per build, so nothing about a notebook is kept
anywhere else: the title is its H1, the summary (one line for the notebooks index) is in
its metadata (`"handbook": {"summary": "..."}`, required), and the questions it serves are
the question links in its introduction (the first cell), which the house shape requires.
The nav (notebook_nav.py) and the notebooks index (partials/notebook-index.html) read it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from mkdocs.exceptions import PluginError

H1 = re.compile(r"^#\s+(.+?)\s*$", re.MULTILINE)
# A Markdown link to a question: [T10](../theory/receptive-field-upsampling.md#t10)
QUESTION_LINK = re.compile(r"\]\([^)\s]*#([tp]\d{2,4})\)")


@dataclass
class Notebook:
    name: str                 # "receptive-field"
    src_uri: str              # "notebooks/receptive-field.ipynb"
    title: str                # its H1
    summary: str              # what it computes, one line
    question_ids: list[str]   # ["T10", "T17", "P04"], in the order the intro links them

    @property
    def sort_key(self) -> tuple:
        """Notebooks are listed by the first question they serve, theory first."""
        first = min(((0 if q[0] == "T" else 1, int(q[1:])) for q in self.question_ids), default=(2, 0))
        return (first, self.name)


def read(path: Path, src_uri: str) -> Notebook:
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        first = nb["cells"][0]
        intro = "".join(first["source"])
    except (OSError, ValueError, KeyError, IndexError, TypeError) as error:
        raise PluginError(f"{src_uri}: malformed notebook: {error}") from error
    title = H1.search(intro) if first.get("cell_type") == "markdown" else None
    summary = str((nb.get("metadata", {}).get("handbook") or {}).get("summary", "")).strip()
    if not summary:
        raise PluginError(f"{src_uri}: no summary: set metadata.handbook.summary to one line on what it computes")
    ids = list(dict.fromkeys(m.upper() for m in QUESTION_LINK.findall(intro)))
    # Without an H1 the notebook is listed by its file name (test_notebooks.py checks the shape)
    return Notebook(path.stem, src_uri, title.group(1) if title else path.stem, summary, ids)


def catalogue(files) -> list[Notebook]:
    """Every notebook among the documentation files, in listing order."""
    notebooks = [read(Path(f.abs_src_path), f.src_uri) for f in files.documentation_pages()
                 if f.src_uri.startswith("notebooks/") and f.src_uri.endswith(".ipynb")]
    return sorted(notebooks, key=lambda n: n.sort_key)


def in_folder(docs_dir: Path) -> list[Notebook]:
    """The same, read from `docs_dir/notebooks` without a build (scripts/bench.py)."""
    notebooks = [read(path, f"notebooks/{path.name}") for path in (docs_dir / "notebooks").glob("*.ipynb")]
    return sorted(notebooks, key=lambda n: n.sort_key)
