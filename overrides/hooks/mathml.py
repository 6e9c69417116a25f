"""Render LaTeX math to MathML at build time.

`pymdownx.arithmatex` (generic mode) wraps math as `<span class="arithmatex">\\(...\\)</span>`
and `<div class="arithmatex">\\[...\\]</div>`; `notebook_pages.py` emits the same markup for
notebook Markdown cells. This hook replaces both with MathML, which browsers draw natively:
no JavaScript, no CDN, readable by screen readers. The TeX source stays in an annotation,
so copy-paste and the tests can still see it.

A macro latex2mathml does not know would silently render as its own name, so every
formula is checked and an unknown one fails the build, naming the page and the formula.
"""

from __future__ import annotations

import html
import re

from latex2mathml.converter import convert
from mkdocs.exceptions import PluginError

ARITHMATEX = re.compile(
    r'<span class="arithmatex">\\\((?P<inline>.*?)\\\)</span>'
    r'|<div class="arithmatex">\\\[(?P<block>.*?)\\\]</div>',
    re.DOTALL,
)
# What latex2mathml cannot parse it leaves as a backslash inside a token (an unknown
# macro, or an escape inside \text), a bare '&' (an environment it does not know), or an
# empty operator (\operatorname with anything but plain letters inside)
UNKNOWN = re.compile(r"<(m[ion]|mtext)\b[^>]*>([^<]*\\[^<]*|&amp;|&)</\1>|<mo />")
CHAR_REF = re.compile(r"&#x([0-9A-Fa-f]+);")
KEEP_ESCAPED = {"0003C", "0003E", "00026", "3C", "3E", "26"}
# Standard operator names latex2mathml lacks, spelled the way it understands
REWRITES = {r"\arg": r"\operatorname{arg}", r"\operatorname*": r"\operatorname"}
REWRITE = re.compile("|".join(re.escape(k) + r"(?![A-Za-z])" for k in REWRITES))


def to_mathml(tex: str, display: bool, where: str) -> str:
    try:
        source = REWRITE.sub(lambda m: REWRITES[m.group(0)], tex)
        mathml = convert(source, display="block" if display else "inline")
    except Exception as error:  # latex2mathml raises its own hierarchy and plain ones
        raise PluginError(f"{where}: cannot render math `{tex}`: {error}") from error
    unknown = UNKNOWN.search(mathml)
    if unknown:
        token = unknown.group(2)
        if token is None:
            what, hint = "\\operatorname{...}", " (only plain letters inside: \\operatorname{argmax})"
        else:
            what = html.unescape(token)
            hint = " (use align* instead of aligned)" if "&" in token else ""
        raise PluginError(f"{where}: math `{tex}` uses `{what}`, which latex2mathml cannot render{hint}")
    # latex2mathml writes every operator as a numeric reference (&#x000D7; for ×): nine
    # bytes where UTF-8 needs two or three. Only <, > and & must stay escaped.
    mathml = CHAR_REF.sub(lambda m: m.group(0) if m.group(1) in KEEP_ESCAPED else chr(int(m.group(1), 16)), mathml)
    inner = mathml[mathml.index(">") + 1 : mathml.rindex("</math>")]
    annotation = f'<annotation encoding="application/x-tex">{html.escape(tex, quote=False)}</annotation>'
    # The search index gets a readable line instead of symbol soup plus TeX source
    # (search_index.py writes it beside each formula marked here).
    # No xmlns: in HTML the parser puts <math> in the MathML namespace by itself.
    head = mathml[: mathml.index(">")].replace(' xmlns="http://www.w3.org/1998/Math/MathML"', "")
    head += ' data-search-exclude="true">'
    return f"{head}<semantics>{inner}{annotation}</semantics></math>"


def render(content: str, where: str) -> str:
    def replace(match: re.Match) -> str:
        block = match.group("block")
        tex = html.unescape(block if block is not None else match.group("inline")).strip()
        mathml = to_mathml(tex, block is not None, where)
        if block is not None:
            # Focusable: a long formula scrolls sideways on a phone, and a scroll region
            # must be reachable by keyboard
            return f'<div class="math-display" tabindex="0">{mathml}</div>'
        return mathml

    return ARITHMATEX.sub(replace, content)


def on_page_content(html_content, page, config, files):
    return render(html_content, page.file.src_uri)
