"""Turn mkdocs-jupyter's notebook HTML into a page that behaves like every other page.

mkdocs-jupyter renders a notebook as a JupyterLab document: 576 KB of inline CSS, a
clipboard script, a MathJax and a mermaid loader from CDNs, every code cell twice (once
hidden, for copying), ASCII-only heading ids (Chinese headings get `id=""`), Markdown
links left pointing at `.md` files, and figures inlined as base64. This hook keeps its
rendering of cells and outputs and rebuilds the page around them:

- cells become plain blocks; code looks and copies like a Material code block, but
  its copy button is in the HTML: the theme mounts every `pre > code` one by one,
  measuring each, which was half the main-thread time of a notebook page on a phone;
  outputs are left out of the search index;
- headings get the site's unicode slugs, a permalink, and a table of contents;
- `.md` links are resolved like MkDocs resolves them, and anchors are validated;
- math is handed to `mathml.py` in the same markup arithmatex produces;
- figures become cacheable files (figures.py) with alt text from the cell's `alt` metadata;
- a stored error or stderr output, a code cell that was never executed, or a figure
  without alt text fails the build, naming the notebook and the cell.
"""

from __future__ import annotations

import base64
import html
import json
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup, NavigableString
from figures import png_size, register
from markdown.extensions.toc import nest_toc_tokens
from mkdocs.exceptions import PluginError
from mkdocs.structure.toc import get_toc
from mkdocs.utils import get_relative_url
from pymdownx.slugs import slugify

NOTEBOOK_SEARCH_BOOST = 0.1
SLUGIFY = slugify(case="lower")
MATH = re.compile(r"\$\$(.+?)\$\$|\$([^$\n]+?)\$", re.DOTALL)



def is_notebook(page) -> bool:
    return page.file.src_uri.endswith(".ipynb")


def stored_cells(path: str, where: str) -> dict[str, dict]:
    """The notebook's cells by id, after checking every code cell ran cleanly."""
    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
        cells = nb["cells"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise PluginError(f"{where}: malformed notebook: {error}") from error
    by_id = {}
    for index, cell in enumerate(cells):
        number = f"cell {index + 1}"
        if cell.get("cell_type") == "code" and "".join(cell.get("source", "")).strip():
            outputs = cell.get("outputs", [])
            for out in outputs:
                if out.get("output_type") == "error":
                    raise PluginError(
                        f"{where}: {number} raised {out.get('ename')}: {out.get('evalue')} "
                        f"(fix it and run `make notebooks`)"
                    )
                if out.get("output_type") == "stream" and out.get("name") == "stderr":
                    text = "".join(out.get("text", ""))[:200]
                    raise PluginError(f"{where}: {number} wrote to stderr: {text!r}")
            if cell.get("execution_count") is None:
                raise PluginError(f"{where}: {number} was never executed: run `make notebooks`")
        by_id[cell.get("id", f"cell-{index}")] = cell
    return by_id


# Pygments wraps every token in its own <span>: names, operators, punctuation, spaces,
# numbers, builtins. That markup was three quarters of a notebook page's bytes. Only
# keywords, strings, comments and definitions keep their colours; the rest is plain
# text, which keeps the longest notebooks under the 100 KB page budget.
PLAIN_TOKENS = {"n", "p", "o", "w", "", "mi", "mf", "mh", "mo", "il", "nb", "bp", "ow"}


PLAIN_SPAN = re.compile(
    r'<span(?: class="(?:' + "|".join(sorted(t for t in PLAIN_TOKENS if t)) + r')")?>([^<]*)</span>'
)
# What mkdocs-jupyter inlines and this page replaces: 576 KB of JupyterLab CSS, the
# clipboard script, MathJax and mermaid loaders. Cut before parsing, not after.
INLINE_ASSETS = re.compile(r"<style\b.*?</style>|<script\b.*?</script>", re.DOTALL)


def strip_assets_and_plain_tokens(content: str) -> str:
    return PLAIN_SPAN.sub(r"\1", INLINE_ASSETS.sub("", content))


def math_to_arithmatex(soup: BeautifulSoup, root) -> None:
    """`$...$` and `$$...$$` in Markdown cells, outside code, to arithmatex markup."""
    for text in list(root.find_all(string=True)):
        if "$" not in text or text.find_parent(["code", "pre"]):  # the cheap test first
            continue
        value = str(text)
        pieces, last = [], 0
        for match in MATH.finditer(value):
            pieces.append(NavigableString(value[last : match.start()]))
            if match.group(1) is not None:
                tag = soup.new_tag("div", attrs={"class": "arithmatex"})
                tag.string = f"\\[{match.group(1).strip()}\\]"
            else:
                tag = soup.new_tag("span", attrs={"class": "arithmatex"})
                tag.string = f"\\({match.group(2)}\\)"
            pieces.append(tag)
            last = match.end()
        if not pieces:
            continue
        pieces.append(NavigableString(value[last:]))
        for piece in pieces:
            text.insert_before(piece)
        text.extract()
    # A display formula alone in its paragraph: drop the paragraph around the block
    for block in root.select("p > div.arithmatex"):
        parent = block.parent
        if not parent.get_text(strip=True).replace(block.get_text(strip=True), ""):
            parent.replace_with(block)


def fix_links(root, page, files, where: str) -> None:
    """Resolve links to `.md`/`.ipynb` sources the way MkDocs does for Markdown pages."""
    base = posixpath.dirname(page.file.src_uri)
    for a in root.find_all("a", href=True):
        href = a["href"]
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or href.startswith("#") or not parts.path:
            continue
        target_uri = posixpath.normpath(posixpath.join(base, unquote(parts.path)))
        target = files.get_file_from_path(target_uri)
        if target is None:
            raise PluginError(f"{where}: link '{href}' points to '{target_uri}', which is not in the docs")
        url = get_relative_url(target.url, page.url)
        if parts.fragment:
            anchor = unquote(parts.fragment)  # nbconvert percent-encodes Chinese anchors
            url += "#" + anchor
            page.links_to_anchors.setdefault(target, {}).setdefault(anchor, href)
        a["href"] = url


def headings(soup: BeautifulSoup, root, page) -> set[str]:
    """Give headings unique unicode slugs and permalinks; set the page's TOC from them."""
    used, tokens = set(), []
    for h in root.find_all(["h1", "h2", "h3", "h4", "h5", "h6"]):
        for old in h.select("a.anchor-link"):
            old.decompose()
        name = h.get_text().strip()
        slug = base = SLUGIFY(name, "-") or "section"
        n = 1
        while slug in used:
            slug = f"{base}_{n}"
            n += 1
        used.add(slug)
        h["id"] = slug
        link = soup.new_tag("a", attrs={"class": "headerlink", "href": f"#{slug}", "title": "本节链接"})
        link.string = "¶"
        h.append(link)
        tokens.append({"level": int(h.name[1]), "id": slug, "name": html.escape(name), "html": html.escape(name), "data-toc-label": ""})
    page.toc = get_toc(nest_toc_tokens(tokens))
    return used


def figure(soup, img, cell: dict, page, where: str, number: str):
    src = img.get("src", "")
    match = re.match(r"data:image/(png|jpeg|svg\+xml);base64,(.*)", src, re.DOTALL)
    if not match:
        raise PluginError(f"{where}: {number}: unsupported image output {src[:40]!r}")
    alt = cell.get("metadata", {}).get("alt", "").strip()
    if not alt:
        raise PluginError(f"{where}: {number} draws a figure but has no 'alt' in its cell metadata")
    data = base64.b64decode(match.group(2))
    name = register(data, {"png": "png", "jpeg": "jpg", "svg+xml": "svg"}[match.group(1)])
    attrs = {"src": get_relative_url(name, page.url), "alt": alt, "loading": "lazy", "decoding": "async"}
    # Explicit sizes avoid layout shift. A retina figure carries its display size in the
    # output metadata (nbconvert writes it as attributes); otherwise use the pixel size.
    if img.get("width") and img.get("height"):
        attrs["width"], attrs["height"] = img["width"], img["height"]
    elif png_size(data):
        attrs["width"], attrs["height"] = map(str, png_size(data))
    fig = soup.new_tag("figure", attrs={"class": "nb-figure"})
    fig.append(soup.new_tag("img", attrs=attrs))
    return fig


def code_block(soup: BeautifulSoup, pre, pre_id: str, copy_label: str):
    """A code cell as the theme draws a code block, without the theme's per-block mount.

    The theme mounts `pre > code` only; here the <code> sits one level down (styled
    like the theme's in handbook.css) and the copy button is already in place. The
    theme's clipboard handler serves any `[data-clipboard-target]`, so copying works
    and shows the theme's "copied" message.
    """
    # Focusable: a wide code block scrolls, and a scroll region needs the keyboard
    code = soup.new_tag("code", attrs={"tabindex": "0"})
    for child in list(pre.contents):
        code.append(child.extract())
    source = soup.new_tag("span", attrs={"class": "nb-code"})
    source.append(code)
    # A <div>, not the theme's <nav>: the button is not a navigation landmark
    buttons = soup.new_tag("div", attrs={"class": "md-code__nav"})
    buttons.append(soup.new_tag("button", attrs={
        "class": "md-code__button", "type": "button", "title": copy_label,
        "aria-label": copy_label, "data-clipboard-target": f"#{pre_id} code", "data-md-type": "copy"}))
    # Code stays out of the search index: "KV cache" should find prose, not a variable
    new_pre = soup.new_tag("pre", attrs={"id": pre_id, "data-search-exclude": "true"})
    new_pre.append(buttons)
    new_pre.append(source)
    wrapper = soup.new_tag("div", attrs={"class": "language-python highlight"})
    wrapper.append(new_pre)
    return wrapper


def rebuild(content: str, page, files, copy_label: str) -> str:
    where = page.file.src_uri
    cells = stored_cells(page.file.abs_src_path, where)
    soup = BeautifulSoup(strip_assets_and_plain_tokens(content), "html.parser")
    out = BeautifulSoup("", "html.parser")
    root = out.new_tag("div", attrs={"class": "nb"})
    out.append(root)
    for element in soup.select('[id^="cell-id="]'):
        cell_id = element["id"].removeprefix("cell-id=")
        cell = cells.get(cell_id)
        if cell is None:
            raise PluginError(f"{where}: rendered cell {cell_id!r} is not in the notebook")
        number = f"cell {list(cells).index(cell_id) + 1}"
        classes = element.get("class", [])
        if "jp-MarkdownCell" in classes:
            # Unwrapped on purpose: the search plugin ends a section when the element
            # around its heading closes, which would file the code below under the page
            rendered = element.select_one(".jp-RenderedMarkdown")
            for child in list(rendered.contents):
                root.append(child.extract())
            continue
        if "jp-CodeCell" not in classes:
            continue
        block = out.new_tag("div", attrs={"class": "nb-cell"})
        pre = element.select_one(".highlight-ipynb pre")
        if pre is not None:
            block.append(code_block(out, pre, f"__nbcode_{cell_id}", copy_label))
        for output in element.select(".jp-OutputArea-output"):
            img = output.find("img")
            if img is not None:
                block.append(figure(out, img, cell, page, where, number))
                continue
            area = out.new_tag("div", attrs={"class": "nb-output", "data-search-exclude": "true"})
            for child in list(output.contents):
                area.append(child.extract())
            block.append(area)
        root.append(block)

    # Under the title: the notebook itself (copied next to the page by include_source)
    title = root.find("h1")
    if title is not None:
        intro = title.find_next("p")
        if intro is not None and not page.meta.get("description"):
            # The first paragraph is the notebook's summary: use it as the page description
            # Curly quotes: Material writes the description into an attribute unescaped
            text = " ".join(intro.get_text().split())
            text = re.sub(r'"([^"]*)"', "“\\1”", text).replace('"', "”")
            page.meta["description"] = text if len(text) <= 150 else text[:149] + "…"
        name = Path(page.file.src_uri).name
        source = out.new_tag("p", attrs={"class": "nb-source"})
        link = out.new_tag("a", attrs={"href": name, "download": ""})
        link.string = f"下载 {name}"
        source.append(link)
        title.insert_after(source)

    present = headings(out, root, page)
    math_to_arithmatex(out, root)
    fix_links(root, page, files, where)
    page.present_anchor_ids = present | {tag["id"] for tag in root.find_all(id=True)}
    return str(out)


def on_page_content(html_content, page, config, files):
    if not is_notebook(page):
        return html_content
    if page.links_to_anchors is None:
        page.links_to_anchors = {}
    # Readers search for questions; a notebook should come up only after the question
    # that quotes it, even when a notebook heading repeats the question's words
    page.meta.setdefault("search", {}).setdefault("boost", NOTEBOOK_SEARCH_BOOST)
    return rebuild(html_content, page, files, theme_translation(config, "clipboard.copy"))


def theme_translation(config, key: str) -> str:
    """The theme's own string for `key` in the site's language."""
    template = config.theme.get_env().from_string(
        '{% import "partials/language.html" as lang with context %}{{ lang.t(key) }}')
    return template.render(config=config, key=key).strip()
