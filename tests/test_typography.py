"""Chinese prose uses Chinese quotation marks (“…”), never ASCII "…", outside code and math."""

from __future__ import annotations

from html.parser import HTMLParser

VERBATIM = {"code", "pre", "kbd", "math", "script", "style", "textarea"}


class ArticleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.inside = False
        self.quoted: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.inside |= tag == "article"
        self.depth += tag in VERBATIM

    def handle_endtag(self, tag):
        if tag == "article":
            self.inside = False
        if tag in VERBATIM and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.inside and not self.depth and '"' in data:
            at = data.index('"')
            self.quoted.append(" ".join(data[max(0, at - 20): at + 20].split()))


def ascii_quotes(html: str) -> list[str]:
    parser = ArticleText()
    parser.feed(html)
    return parser.quoted


def test_no_ascii_quotes_in_chinese_prose(site):
    found = {}
    for page in sorted(site.rglob("*.html")):
        quoted = ascii_quotes(page.read_text(encoding="utf-8"))
        if quoted:
            found[page.relative_to(site).as_posix()] = quoted
    assert found == {}, "ASCII quotation marks in prose (write “…”):\n" + "\n".join(
        f"{page}: {snippets}" for page, snippets in found.items())


def test_the_check_sees_quotes_and_skips_code():
    html = '<article><p>点开"答案"</p><code>x = "s"</code><math><mi>"</mi></math></article><p>"外面"</p>'
    assert ascii_quotes(html) == ['点开"答案"']
