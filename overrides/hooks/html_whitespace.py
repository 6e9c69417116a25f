"""Whitespace in the output HTML: drop template indentation, join Chinese line breaks.

Material's templates are indented for readability; MkDocs writes them out as they are,
so a page carries thousands of lines of leading spaces. A newline followed by spaces is
collapsed to the newline, which the browser renders identically.

Writers wrap long Chinese lines in the Markdown source. A browser renders that line
break as a space, which is wrong between Chinese characters ("局部连接和 权值共享"), so
a break with Chinese text on both sides (tags in between allowed) is removed.

Preformatted content (<pre>, <textarea>, <script>) is left untouched.
"""

from __future__ import annotations

import re

VERBATIM = re.compile(r"(<pre\b.*?</pre>|<textarea\b.*?</textarea>|<script\b.*?</script>)", re.DOTALL | re.IGNORECASE)
INDENT = re.compile(r"\n[ \t]+|[ \t]+\n")
BLANK_LINES = re.compile(r"\n{2,}")
CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
CJK_BREAK = re.compile(rf"(?<=[{CJK}])((?:<[^>]+>)*)\n((?:<[^>]+>)*)(?=[{CJK}])")


def tidy(html: str) -> str:
    parts = VERBATIM.split(html)
    for index in range(0, len(parts), 2):  # even parts are outside the verbatim blocks
        text = BLANK_LINES.sub("\n", INDENT.sub("\n", parts[index]))
        parts[index] = CJK_BREAK.sub(r"\1\2", text)
    return "".join(parts)


def on_post_page(output, page, config):
    return tidy(output)
