"""The search: what the index holds, and how the worker cuts a query into its words.

What the index holds (on_page_content, before the theme's search plugin reads the page):
- The prose a reader searches, without the 参考 lists (paper titles would make every
  answer that cites "Attention Is All You Need" a hit for "attention"), the study bar's
  buttons or notebook code (notebook_pages.py).
- Formulas as readable text ("p_i − y_i"), so a snippet keeps them instead of "时 是，".
  The page itself keeps only its MathML: the text goes in a span that on_page_context
  removes after the search plugin has read the page (hooks run after plugins).

After the build (on_post_build):
- The index is re-serialized as UTF-8: Material escapes every Chinese character (and each
  U+200B word separator jieba adds) as six bytes instead of three.
- Sizes are spelled the way readers type them: 1×1 as 1x1, in the query and the snippet.
- Each entry gets two fields no one sees, `also` and `also_title`: the parts of its
  compound words (jieba's search mode: "混合精度" also holds "混合", "精度"), and the other
  names of the terms it uses (search-synonyms.txt: RMSE also holds 均方根误差). What a
  title says, by another name, counts as much as the title.
- On pages that hold questions the page's own entry is boosted down, below its
  questions: a reader searching for a concept wants the question, not the topic page
  (whose title, "正则化与泛化", would win for 正则化).
- The theme's worker cuts a Chinese query into words with a segmenter that never tests a
  word ending the query ("显存" becomes "显"). The worker here calls ours instead
  (docs/assets/javascripts/search-worker.js, appended to the worker): the query is cut
  into the index's own words, so query and index are segmented the same way, and
  particles are dropped. The theme's worker is minified, so the call is found by its
  shape; a theme update that changes it fails the build rather than search quietly.
"""

from __future__ import annotations

import functools
import html
import json
import re
from pathlib import Path

import jieba
from mkdocs.exceptions import PluginError
from question_model import registry

SYNONYMS = "search-synonyms.txt"  # next to mkdocs.yml, like search-dictionary.txt

# The first statement of the theme's Search.search(query):
#   e=e.replace(new RegExp("\\p{sc=Han}+","gu"),s=>[...fe(s,this.index.invertedIndex)].join("* "))
THEME_SEGMENTER = re.compile(
    r'(\w+)\.replace\(new RegExp\("\\\\p\{sc=Han\}\+","gu"\),(\w+)=>\[\.\.\.\w+\(\2,this\.index\.invertedIndex\)\]\.join\("\* "\)\)')
OUR_SEGMENTER = r"self.prepareQuery(\1,this.index.invertedIndex)"
# Appended to the worker, not loaded by importScripts: the offline edition runs the
# worker in an iframe (Material's file:// shim), where relative URLs resolve elsewhere.
# Not served on its own (exclude_docs in mkdocs.yml).
SEGMENTER = "assets/javascripts/search-worker.js"
SEGMENTER_MARK = "\n/* search-worker.js, appended by overrides/hooks/search_index.py */\n"
TIMES = re.compile(r"(?<=\d)\s?×\s?(?=\d)")
TOPIC_PAGE_BOOST = 0.01
REFS = '<div class="admonition refs">'
MATH = re.compile(r'<math\b[^>]*data-search-exclude="true"[^>]*>.*?</math>', re.DOTALL)
INDEX_ONLY = re.compile(r"<span data-search-only>[^<]*</span>")
HAN = re.compile(r"[\u4e00-\u9fff]+")
TAGS = re.compile(r"<[^>]+>")


# Formulas as text ---------------------------------------------------------------------

TOKEN = re.compile(r"<(/?)([\w:-]+)[^>]*?(/?)>|([^<]+)")


def _tree(mathml: str) -> list:
    """MathML (as latex2mathml writes it: well formed) as nested [tag, children] lists.
    A regex, not html.parser: this runs for every formula of every build."""
    root = ["math", []]
    stack = [root]
    for closing, tag, empty, text in TOKEN.findall(mathml):
        if text:
            stack[-1][1].append(html.unescape(text))
        elif closing:
            if len(stack) > 1 and stack[-1][0] == tag:
                stack.pop()
        else:
            node = [tag, []]
            stack[-1][1].append(node)
            if not empty:
                stack.append(node)
    return root


RELATIONS = set("=<>≤≥≈≠∝→←⇒∈")


def _text(node) -> str:
    if isinstance(node, str):
        return node.strip()
    tag, children = node
    if tag == "annotation":
        return ""
    if tag == "mo":
        op = "".join(_text(c) for c in children)
        return f" {op} " if op in RELATIONS else op
    parts = [_text(c) for c in children]
    if tag == "mi" and len("".join(parts)) > 1:
        return "".join(parts) + " "  # a function name: "log p", not "logp"

    def group(text: str) -> str:
        text = text.strip()
        return text if len(text) <= 1 or re.fullmatch(r"[^\W_]+|\d+\.\d+", text) else f"({text})"

    if tag == "mfrac" and len(parts) == 2:
        return f"{group(parts[0])}/{group(parts[1])}"
    # ∑_i and max_θ read as an operator: a space before what they apply to
    after = " " if tag.startswith("munder") or parts[:1] in (["∑"], ["∏"], ["∫"], ["max"], ["min"]) else ""
    if tag in ("msub", "munder") and len(parts) == 2:
        return f"{parts[0]}_{group(parts[1])}{after}"
    if tag in ("msup", "mover") and len(parts) == 2:
        return f"{parts[0]}^{group(parts[1])}"
    if tag in ("msubsup", "munderover") and len(parts) == 3:
        return f"{parts[0]}_{group(parts[1])}^{group(parts[2])}{after}"
    if tag == "msqrt":
        return f"√{group(''.join(parts))}"
    if tag == "mroot" and len(parts) == 2:
        return f"{group(parts[1])}√{group(parts[0])}"
    if tag in ("mtd", "mspace"):
        return " " + "".join(parts) + " "
    if tag == "mtr":
        return "".join(parts) + "; "
    return "".join(parts)


@functools.lru_cache(maxsize=None)
def math_text(mathml: str) -> str:
    """A formula as one line a reader can read in a search snippet: "p_i − y_i"."""
    return " ".join(_text(_tree(mathml)).split()).strip(" ;")


def on_page_content(html_content, page, config, files):
    html_content = html_content.replace(REFS, REFS[:-1] + ' data-search-exclude="true">')
    return MATH.sub(lambda m: m.group(0) + f"<span data-search-only>{html.escape(math_text(m.group(0)), quote=False)}</span>",
                    html_content)


def on_page_context(context, page, config, nav):
    page.content = INDEX_ONLY.sub("", page.content)  # the search plugin has read them
    return context


# What each entry also answers to -----------------------------------------------------

def load_synonyms(path: Path) -> list[list[str]]:
    """One group of names per line, comma-separated; the first is the one the pages use."""
    groups, seen = [], {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise PluginError(f"{path}: cannot read the search synonyms: {error}") from error
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        names = [n.strip() for n in line.split(",")]
        if len(names) < 2 or not all(names):
            raise PluginError(f"{path}:{number}: a group needs two or more comma-separated names, found {line!r}")
        for name in names:
            key = name.casefold()
            if key in seen:
                raise PluginError(f"{path}:{number}: '{name}' is already in the group on line {seen[key]}")
            seen[key] = number
        groups.append(names)
    return groups


def _pattern(name: str) -> re.Pattern:
    # Latin names match whole words ("BN" not in "BNN"); Chinese names anywhere
    edge = r"(?<![a-z0-9])" if re.match(r"[a-z0-9]", name.casefold()) else ""
    tail = r"(?![a-z0-9])" if re.search(r"[a-z0-9]$", name.casefold()) else ""
    return re.compile(edge + re.escape(name.casefold()) + tail)


def words(text: str, separator: re.Pattern) -> set[str]:
    """The index's words in a field's text, as the worker's tokenizer splits it."""
    return {w for w in separator.split(TAGS.sub(" ", text).casefold()) if w}


def aliases(text: str, groups: list[tuple[list[str], list[re.Pattern]]], separator: re.Pattern) -> set[str]:
    """The words of the other names of every synonym group a name of which is in `text`,
    cut like the text ("数据并行" as jieba cuts it in a page)."""
    plain = " ".join(TAGS.sub(" ", text).replace("\u200b", "").casefold().split())
    found = set()
    for names, patterns in groups:
        # The substring test first: a regex per name and entry would take a second a build
        present = [name for name, pattern in zip(names, patterns)
                   if name.casefold() in plain and pattern.search(plain)]
        for name in names if present else ():
            if name not in present:
                found |= words(_cut(name), separator)
    return found


@functools.lru_cache(maxsize=None)
def _cut(name: str) -> str:
    return "\u200b".join(jieba.cut(name))


def compound_parts(text: str) -> set[str]:
    """jieba's search mode on every Chinese word of three or more characters: its parts
    ("混合", "精度" for "混合精度"). The worker looks Chinese words up whole, without the
    theme's trailing wildcard (search-worker.js), so "梯度" finds "梯度消失" through its
    parts, once, and not once per compound that starts with it."""
    parts = set()
    for word in set(HAN.findall(text.replace("\u200b", " "))):
        if len(word) >= 3:
            parts.update(p for p in jieba.cut_for_search(word) if p != word and len(p) >= 2)
    return parts


def rewrite(path: Path, question_pages: frozenset[str] | set[str] = frozenset(),
            synonyms: list[list[str]] | None = None) -> None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise PluginError(f"{path}: cannot read the search index: {error}") from error
    if "fields" not in data.get("config", {}) or "docs" not in data:
        raise PluginError(f"{path}: not a search index of the theme (no config.fields or docs)")
    groups = [(names, [_pattern(n) for n in names]) for names in (synonyms or [])]
    separator = re.compile(data["config"].get("separator", r"[\s\u200b]+"))
    for doc in data["docs"]:
        for field in ("title", "text"):
            if field in doc:
                doc[field] = TIMES.sub("x", doc[field])
        if doc["location"] in question_pages:
            doc["boost"] = TOPIC_PAGE_BOOST
        title, text = doc.get("title", ""), doc.get("text", "")
        # Only words the field lacks: "online softmax" for "在线 softmax" adds "online", or
        # the title would say "softmax" three times
        also_title = (aliases(title, groups, separator) | compound_parts(title)) - words(title, separator)
        also = (aliases(text, groups, separator) | compound_parts(text)) - words(text, separator) - also_title
        if also_title:
            doc["also_title"] = " ".join(sorted(also_title))
        if also:
            doc["also"] = " ".join(sorted(also))
    fields = data["config"]["fields"]
    fields.update(also=dict(fields["text"]), also_title=dict(fields["title"]))
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def patch_worker(site_dir: Path, segmenter: Path) -> Path:
    workers = sorted((site_dir / "assets" / "javascripts" / "workers").glob("search.*.min.js"))
    if len(workers) != 1:
        raise PluginError(f"{site_dir}/assets/javascripts/workers: expected one search worker, found {len(workers)}")
    worker = workers[0]
    source = worker.read_text(encoding="utf-8")
    if SEGMENTER_MARK in source:
        source = source[: source.index(SEGMENTER_MARK)]  # `mkdocs serve --dirty`: not copied again
    else:
        found = THEME_SEGMENTER.findall(source)
        if len(found) != 1:
            raise PluginError(f"{worker}: the theme's query segmenter call was not found once "
                              f"(found {len(found)}); update THEME_SEGMENTER in {__file__}")
        source = THEME_SEGMENTER.sub(OUR_SEGMENTER, source)
    try:
        ours = segmenter.read_text(encoding="utf-8")
    except OSError as error:
        raise PluginError(f"{segmenter}: cannot read the query segmenter: {error}") from error
    worker.write_text(source + SEGMENTER_MARK + ours, encoding="utf-8")
    return worker


def on_post_build(config):
    site_dir = Path(config.site_dir)
    path = site_dir / "search" / "search_index.json"
    if path.exists():
        synonyms = load_synonyms(Path(config.config_file_path).parent / SYNONYMS)
        rewrite(path, {entry.url for entry in registry.pages.values() if entry.questions}, synonyms)
        patch_worker(site_dir, Path(config.docs_dir) / SEGMENTER)
