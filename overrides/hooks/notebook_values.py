"""Quote notebook results in Markdown pages: `{{ nb.<notebook>.<key> }}`.

Every number on the site is computed by a notebook. A notebook publishes its numbers in
one code cell tagged `results` that prints a JSON object; this hook reads that stored
output and substitutes it into the Markdown before it is rendered, so prose can never
disagree with the notebook. `tests/test_notebooks.py` re-executes every notebook and fails
if a stored output is stale.

Syntax: `{{ nb.network-parameter-counts.vgg16_total }}` or with a format spec,
`{{ nb.mean-average-precision.voc07_map50:.3f }}`. Integers default to thousands separators;
a spec that gives scientific notation (`:.2e`, `:.3g` of a large or small number) is written
the way a reader writes it, 3.4×10³⁸.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from mkdocs.exceptions import PluginError

PLACEHOLDER = re.compile(r"\{\{\s*nb\.([a-z0-9-]+)\.([A-Za-z0-9_]+)(?::([^}\s]*))?\s*\}\}")
RESULTS_TAG = "results"

_cache: dict[Path, dict] = {}


def read_results(path: Path) -> dict:
    """The JSON object printed by the notebook's `results` cell, from its stored output."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise PluginError(f"{path}: cannot read notebook: {error}") from error
    cells = [
        cell for cell in nb.get("cells", [])
        if RESULTS_TAG in cell.get("metadata", {}).get("tags", [])
    ]
    if len(cells) != 1:
        raise PluginError(f"{path}: needs exactly one cell tagged '{RESULTS_TAG}', found {len(cells)}")
    text = "".join(
        "".join(out.get("text", ""))
        for out in cells[0].get("outputs", [])
        if out.get("output_type") == "stream" and out.get("name") == "stdout"
    )
    try:
        results = json.loads(text)
    except ValueError as error:
        raise PluginError(
            f"{path}: the '{RESULTS_TAG}' cell must print one JSON object (is it executed?): {error}"
        ) from error
    if not isinstance(results, dict):
        raise PluginError(f"{path}: the '{RESULTS_TAG}' cell printed {type(results).__name__}, not an object")
    return results


SCIENTIFIC = re.compile(r"^(-?\d+(?:\.\d+)?)e([+-])(\d+)$")
SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def readable(text: str) -> str:
    """A reader's notation, not a program's: 3.4e+38 reads as 3.4×10³⁸."""
    scientific = SCIENTIFIC.match(text)
    if not scientific:
        return text
    mantissa, sign, exponent = scientific.groups()
    power = ("-" if sign == "-" else "") + str(int(exponent))
    return f"{mantissa}×10{power.translate(SUPERSCRIPT)}"


def format_value(value, spec: str | None) -> str:
    if spec:
        return readable(format(value, spec))
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    return readable(f"{value:.4g}")


def substitute(markdown: str, notebooks_dir: Path, where: str) -> str:
    def replace(match: re.Match) -> str:
        name, key, spec = match.groups()
        path = notebooks_dir / f"{name}.ipynb"
        if path not in _cache:
            if not path.is_file():
                raise PluginError(f"{where}: {match.group(0)} names a notebook that does not exist: {path}")
            _cache[path] = read_results(path)
        results = _cache[path]
        if key not in results:
            raise PluginError(
                f"{where}: {match.group(0)}: {path.name} has no result '{key}' "
                f"(it has: {', '.join(sorted(results))})"
            )
        try:
            return format_value(results[key], spec)
        except ValueError as error:
            raise PluginError(f"{where}: {match.group(0)}: bad format spec: {error}") from error

    return PLACEHOLDER.sub(replace, markdown)


def on_pre_build(config):
    _cache.clear()


def on_page_markdown(markdown, page, config, files):
    if not page.file.src_uri.endswith(".md"):
        return markdown
    notebooks_dir = Path(config.docs_dir) / "notebooks"
    return substitute(markdown, notebooks_dir, page.file.src_uri)
