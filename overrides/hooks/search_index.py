"""Write the search index as UTF-8, and spell sizes the way readers type them.

Material serializes `search/search_index.json` with `json.dumps` defaults, which escape
every non-ASCII character: each Chinese character (and each U+200B word separator jieba
adds) costs six bytes instead of three. Re-serializing the same data halves that.

Pages write kernel sizes with a multiplication sign (1×1, 3×3); readers search for "1x1".
The index spells them with an x, so both the query and the result snippet match.

A reader searching for a concept wants the question, not the topic page that holds it.
Material shows a page's best entry first and folds the rest under "more results", and a
topic page's own entry wins on its title ("正则化与泛化" for 正则化). So on pages that hold
questions the page's own entry is boosted down, below its questions.
Runs after the search plugin has written the file (hooks run after plugins).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from mkdocs.exceptions import PluginError
from question_model import registry

TIMES = re.compile(r"(?<=\d)\s?×\s?(?=\d)")
TOPIC_PAGE_BOOST = 0.01


def rewrite(path: Path, question_pages: frozenset[str] | set[str] = frozenset()) -> None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise PluginError(f"{path}: cannot read the search index: {error}") from error
    docs = data.get("docs", [])
    for doc in docs:
        for field in ("title", "text"):
            if field in doc:
                doc[field] = TIMES.sub("x", doc[field])
        if doc["location"] in question_pages:
            doc["boost"] = TOPIC_PAGE_BOOST
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def on_post_build(config):
    path = Path(config.site_dir) / "search" / "search_index.json"
    if path.exists():
        rewrite(path, {entry.url for entry in registry.pages.values() if entry.questions})
