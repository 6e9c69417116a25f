"""Drop the template indentation from every page.

Material's templates are indented for readability; MkDocs writes them out as they are,
so a page carries thousands of lines of leading spaces. A newline followed by spaces is
collapsed to the newline, which the browser renders identically (both are one space).
Preformatted content (<pre>, <textarea>, <script>) is left untouched.
"""

from __future__ import annotations

import re

VERBATIM = re.compile(r"(<pre\b.*?</pre>|<textarea\b.*?</textarea>|<script\b.*?</script>)", re.DOTALL | re.IGNORECASE)
INDENT = re.compile(r"\n[ \t]+|[ \t]+\n")
BLANK_LINES = re.compile(r"\n{2,}")


def minify(html: str) -> str:
    parts = VERBATIM.split(html)
    for index in range(0, len(parts), 2):  # even parts are outside the verbatim blocks
        parts[index] = BLANK_LINES.sub("\n", INDENT.sub("\n", parts[index]))
    return "".join(parts)


def on_post_page(output, page, config):
    return minify(output)
