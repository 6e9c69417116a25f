"""Subset STIX Two Math to the characters the site's formulas use: docs/assets/fonts/stix-two-math.woff2.

    python scripts/math_font.py               # build the site into a temporary folder, then subset
    python scripts/math_font.py --site site   # subset for an already built site

Formulas are MathML drawn by the browser, which needs an OpenType math font: with only the
generic `math` family, Chromium draws √ without its bar and a display ∑ at text size. STIX
Two Math (SIL Open Font License, npm @fontsource/stix-two-math, installed by `make deps`)
is 400 KB; the characters the site uses, with the MATH table's size variants and stretchy
assemblies they need, are about 25 KB. tests/test_math.py fails, naming the characters,
when a formula uses one the subset lacks: then run `make math-font`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "node_modules" / "@fontsource" / "stix-two-math" / "files" / "stix-two-math-latin-400-normal.woff2"
TARGET = ROOT / "docs" / "assets" / "fonts" / "stix-two-math.woff2"
# The calculation drills write their formulas in the browser; their symbol tables
# (from `var SYMBOL` to `var TOKEN`) hold every non-ASCII character those formulas use
DRILLS = ROOT / "docs" / "assets" / "javascripts" / "calculation-drills.js"


class MathText(HTMLParser):
    """The characters inside <math>, without the TeX annotation."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.annotation = False
        self.chars: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.depth += tag == "math"
        self.annotation |= tag == "annotation"

    def handle_endtag(self, tag):
        if tag == "math" and self.depth:
            self.depth -= 1
        elif tag == "annotation":
            self.annotation = False

    def handle_data(self, data):
        if self.depth and not self.annotation:
            self.chars.update(data)


def is_cjk(char: str) -> bool:
    """Chinese inside \\text{} is drawn in the page's own font, not the math font."""
    return "\u2e80" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" or "\uff00" <= char <= "\uffef"


def math_chars(site: Path) -> set[str]:
    parser = MathText()
    for page in site.rglob("*.html"):
        parser.feed(page.read_text(encoding="utf-8"))
    return {c for c in parser.chars if not c.isspace() and not is_cjk(c)}


def drill_chars(script: Path = DRILLS) -> set[str]:
    text = script.read_text(encoding="utf-8")
    tables = text[text.index("var SYMBOL = {") : text.index("var TOKEN")]
    return {c for c in tables if ord(c) > 127}


def subset(chars: set[str], source: Path = SOURCE, target: Path = TARGET) -> int:
    from fontTools import subset as ftsubset
    from fontTools.ttLib import TTFont

    font = TTFont(source, recalcTimestamp=False)  # the same bytes for the same characters
    options = ftsubset.Options()
    options.layout_features = ["*"]  # keep the ssty, dtls... features MathML rendering uses
    options.flavor = "woff2"
    subsetter = ftsubset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in chars))
    subsetter.subset(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    font.flavor = "woff2"
    font.save(target)
    return target.stat().st_size


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="a built site (default: build one)")
    args = parser.parse_args(argv)
    if not SOURCE.is_file():
        raise SystemExit(f"{SOURCE} is missing: run `make deps` (npm installs @fontsource/stix-two-math)")
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site
        if site is None:
            site = Path(tmp) / "site"
            subprocess.run([sys.executable, "-m", "mkdocs", "build", "--quiet", "--site-dir", str(site)], cwd=ROOT, check=True)
        chars = math_chars(site) | drill_chars()
        size = subset(chars)
    print(f"{TARGET.relative_to(ROOT)}: {len(chars)} characters, {size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
