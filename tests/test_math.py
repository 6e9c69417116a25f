"""Math renders to MathML at build time; nothing is left for a script to typeset."""

from __future__ import annotations

import re

import pytest
from mkdocs.exceptions import PluginError

from conftest import load_hook

mathml = load_hook("mathml")


def test_inline_and_display_math_become_mathml():
    html = ('<p><span class="arithmatex">\\(p_i - y_i\\)</span></p>'
            '<div class="arithmatex">\\[\\frac{\\partial L}{\\partial z_i}\\]</div>')
    out = mathml.render(html, "x.md")
    assert '<math display="inline"' in out
    assert '<div class="math-display" tabindex="0"><math display="block"' in out
    assert "<mfrac>" in out and "arithmatex" not in out
    assert '<annotation encoding="application/x-tex">p_i - y_i</annotation>' in out


def test_standard_operators_latex2mathml_lacks_are_spelled_for_it():
    out = mathml.render('<span class="arithmatex">\\(\\arg\\max_x f + \\operatorname*{argmin}_y g\\)</span>', "x.md")
    assert "<mo>arg</mo>" in out and "<mo>argmin</mo>" in out


def test_html_entities_in_tex_are_decoded_once():
    out = mathml.render('<span class="arithmatex">\\(a &lt; b\\)</span>', "x.md")
    assert "<mo>&#x0003C;</mo>" in out  # < stays escaped; other operators become characters


@pytest.mark.parametrize("tex, message", [
    ("\\foo{x}", "uses `\\\\foo`"),
    ("\\begin{aligned} a &= b \\end{aligned}", "\\(use align\\* instead of aligned\\)"),
    ("\\operatorname{arg\\,max}_x", "only plain letters inside"),
    ("\\operatorname*{arg\\,max}", "only plain letters inside"),
    ("\\text{a\\_b}", "uses `a\\\\_b`"),
])
def test_unsupported_math_fails_naming_page_and_formula(tex, message):
    with pytest.raises(PluginError, match=f"theory/x.md: math .*{message}"):
        mathml.render(f'<span class="arithmatex">\\({tex}\\)</span>', "theory/x.md")


def test_bad_math_fails_the_build_naming_the_file(project):
    project.write("page.md", "# 页面\n\n公式 $\\foo{x}$。\n")
    result = project.build()
    assert result.returncode != 0
    assert "page.md: math" in result.output and "foo" in result.output


def test_built_pages_have_mathml_and_no_raw_tex(site):
    pages = {p: p.read_text(encoding="utf-8") for p in site.rglob("*.html")}
    assert sum("<math " in text for text in pages.values()) >= 2
    for page, text in pages.items():
        body = re.sub(r"<annotation[^>]*>.*?</annotation>|<pre.*?</pre>|<code.*?</code>", "", text, flags=re.S)
        article = body.split('<article', 1)[-1].split('</article>', 1)[0]
        for raw in ("\\(", "\\[", "$$", 'class="arithmatex"'):
            assert raw not in article, f"{page.relative_to(site)}: raw math {raw!r} left in the page"
        assert not re.search(r"\$[^$<>\s][^$<>]*\$", article), f"{page.relative_to(site)}: $...$ left unrendered"


def test_no_math_script_is_loaded(site):
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "mathjax" not in text.lower() and "katex" not in text.lower(), page


def test_the_math_font_covers_every_character_the_formulas_use(site):
    """The subset (scripts/math_font.py) must hold every glyph the site's <math> shows,
    or the browser falls back to a font without math metrics for that character."""
    fontTools = pytest.importorskip("fontTools.ttLib")
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "scripts"))
    import math_font

    font = fontTools.TTFont(ROOT / "docs" / "assets" / "fonts" / "stix-two-math.woff2")
    assert "MATH" in font, "the subset lost its MATH table (size variants, stretchy assemblies)"
    cmap = font.getBestCmap()
    missing = sorted(c for c in math_font.math_chars(site) if ord(c) not in cmap)
    assert missing == [], f"the math font lacks {''.join(missing)!r}: run `make math-font`"
    assert (site / "assets" / "fonts" / "stix-two-math.woff2").is_file()
