"""The site builds in strict mode with zero warnings, and bad links fail the build by name."""

from pathlib import Path

from conftest import ROOT


def test_strict_build_has_no_warnings(build):
    assert build.warnings == [], "\n".join(build.warnings)


def test_every_nav_page_is_built(site):
    for page in ["index.html", "questions/index.html", "about/index.html", "404.html",
                 "theory/cnn-basics/index.html", "notebooks/parameter-counts/index.html"]:
        assert (site / page).is_file(), page


def test_config_fails_on_broken_links_and_anchors():
    """strict + validation: a dead link or anchor is a warning, and strict makes it fatal."""
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "strict: true" in config
    for setting in ["not_found: warn", "anchors: warn", "unrecognized_links: warn"]:
        assert setting in config, setting


def test_broken_link_fails_naming_the_file(project):
    project.write("page.md", "# 页面\n\n见[不存在的页面](missing.md)。\n")
    result = project.build()
    assert result.returncode != 0
    assert "page.md" in result.output and "missing.md" in result.output


def test_broken_anchor_fails_naming_the_file(project):
    project.write("page.md", "# 页面\n\n## 小节 {#section}\n\n见[本页](#no-such-anchor)。\n")
    result = project.build()
    assert result.returncode != 0
    assert "page.md" in result.output and "no-such-anchor" in result.output


def test_palette_partial_is_the_themes_but_for_who_mounts_it():
    """overrides/partials/palette.html: the theme's form, with handbook.js mounting it."""
    import material

    theirs = (Path(material.__file__).parent / "templates" / "partials" / "palette.html").read_text(encoding="utf-8")
    ours = (ROOT / "overrides" / "partials" / "palette.html").read_text(encoding="utf-8")
    body = lambda template: template.split("-#}", 1)[1].strip()
    assert 'data-md-component="palette"' in theirs
    assert body(ours) == body(theirs).replace('data-md-component="palette"', "data-hb-palette")
