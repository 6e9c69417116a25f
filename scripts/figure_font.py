"""Subset Noto Sans SC to the Chinese characters the notebooks' figures use.

    python scripts/figure_font.py     # writes notebooks/fonts/noto-sans-sc-subset.otf

Figures on Chinese pages get Chinese axis labels, and a fresh machine has no CJK font for
matplotlib: the notebooks register this subset (SIL Open Font License) and draw Latin text
in DejaVu Sans, Chinese in the subset (matplotlib falls back per glyph). The source is
Debian's fonts-noto-cjk (`apt-get install fonts-noto-cjk`), needed only to re-subset;
tests/test_notebooks.py names any character a notebook draws that the subset lacks.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
TARGET = ROOT / "notebooks" / "fonts" / "noto-sans-sc-subset.otf"
FAMILY = "Noto Sans CJK SC"


def is_cjk(char: str) -> bool:
    return "\u2e80" <= char <= "\u9fff" or "\u3000" <= char <= "\u303f" or "\uff00" <= char <= "\uffef"


def notebook_chars(notebooks: Path = ROOT / "notebooks") -> set[str]:
    """CJK characters in the notebooks' code cells: the only text a figure can draw."""
    chars = set()
    for path in notebooks.glob("*.ipynb"):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                chars.update(c for c in "".join(cell["source"]) if is_cjk(c))
    return chars


def main() -> int:
    from fontTools import subset
    from fontTools.ttLib import TTCollection

    if not SOURCE.is_file():
        raise SystemExit(f"{SOURCE} is missing: apt-get install fonts-noto-cjk")
    font = next(f for f in TTCollection(SOURCE).fonts if f["name"].getDebugName(1) == FAMILY)
    font.recalcTimestamp = False  # the same bytes for the same characters
    chars = notebook_chars()
    options = subset.Options()
    options.name_IDs = ["*"]
    options.desubroutinize = True  # matplotlib (FreeType) draws the flattened CFF cleanly
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in chars))
    subsetter.subset(font)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    # Write beside the target and rename: a notebook running meanwhile reads the old font or
    # the new one, never half a file.
    partial = TARGET.with_suffix(".partial")
    font.save(partial)
    partial.replace(TARGET)
    print(f"{TARGET.relative_to(ROOT)}: {len(chars)} characters, {TARGET.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
