"""Study exports, made from the built pages: questions.json, an Anki deck and a CSV.

After the build, every question is read back from the HTML a reader gets (its ID, title,
page, topic and 面试速答), so the exports can never disagree with the site. They go to
`downloads/`, one set per site language:

- `questions.json`: ID, title, URL and topic of every question, for the drill and review
  pages and the progress counts (assets/javascripts/study.js);
- `handbook-<lang>.apkg`: an Anki deck, one note per question, made with genanki. Each
  note's GUID derives from the question ID alone, so re-importing a new edition updates
  the notes instead of duplicating them;
- `handbook-<lang>.csv`: the same notes for spreadsheets and other flashcard tools.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import genanki
from mkdocs.exceptions import PluginError

DOWNLOADS = "downloads"
QUESTION = re.compile(r'<h2 id="([tp]\d{2,4})" class="question">(.*?)</h2>', re.DOTALL)
TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL)
TAG = re.compile(r"<[^>]+>")
# Anki needs fixed IDs for the note type and the deck, or every import makes new ones
MODEL_ID = 1_607_392_319
DECK_ID = 2_059_400_110
GUID_NAMESPACE = "dl-interview-handbook"


@dataclass
class Card:
    id: str        # "T15"
    title: str     # heading text without the ID
    url: str       # site-relative URL with the anchor, e.g. "theory/cnn-basics/#t15"
    topic: str     # the page title
    quick: str     # the 面试速答, as HTML (MathML included)


MATH = re.compile(r"<math\b.*?<annotation[^>]*>(.*?)</annotation>.*?</math>", re.DOTALL)
BLOCK = re.compile(r"</?(?:p|li|ul|ol|div|br|tr|table|h\d)\b[^>]*>")


def text(fragment: str) -> str:
    """Plain text of an HTML fragment; formulas become their TeX source between $...$."""
    fragment = MATH.sub(lambda m: f"${m.group(1)}$", fragment)
    return " ".join(html.unescape(TAG.sub("", BLOCK.sub(" ", fragment))).split())


def block(content: str, start: int, tag: str = "div") -> str:
    """The `tag` element opening at `start`, nested elements of the same tag included."""
    depth = 0
    for match in re.compile(rf"<(/?){tag}\b[^>]*>").finditer(content, start):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return content[start : match.end()]
    raise ValueError(f"unbalanced <{tag}>")


def cards_from_page(page_html: str, url: str) -> list[Card]:
    topic = text(TITLE.search(page_html).group(1)).split(" - ")[0] if TITLE.search(page_html) else ""
    cards = []
    for match in QUESTION.finditer(page_html):
        qid, heading = match.group(1), re.sub(r'<a class="headerlink".*?</a>', "", match.group(2), flags=re.DOTALL)
        label = text(heading)
        end = page_html.find("</details>", match.end())
        answer = page_html[match.end() : end]
        quick_start = answer.find('<div class="admonition quick">')
        if quick_start < 0:
            raise PluginError(f"{url}: question {qid.upper()} has no 面试速答 (admonition 'quick')")
        quick = block(answer, quick_start)
        quick = re.sub(r'^<div class="admonition quick">\s*<p class="admonition-title">.*?</p>', "", quick, flags=re.DOTALL)
        quick = re.sub(r"</div>$", "", quick).strip()
        title = label[len(qid):].lstrip(" ·") if label.upper().startswith(qid.upper()) else label
        cards.append(Card(qid.upper(), title, f"{url}#{qid}", topic, quick))
    return cards


def collect(site_dir: Path) -> list[Card]:
    cards = []
    for path in sorted(site_dir.rglob("index.html")):
        relative = path.parent.relative_to(site_dir).as_posix()
        url = "" if relative == "." else relative + "/"
        if url.startswith(("print/", DOWNLOADS)):
            continue
        cards += cards_from_page(path.read_text(encoding="utf-8"), url)
    ids = [c.id for c in cards]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise PluginError(f"study exports: question IDs on more than one page: {sorted(duplicates)}")
    return sorted(cards, key=lambda c: (c.id[0] != "T", int(c.id[1:])))


def anki_deck(cards: list[Card], site_url: str, name: str) -> genanki.Package:
    model = genanki.Model(
        MODEL_ID, "深度学习面试题",
        fields=[{"name": "ID"}, {"name": "Question"}, {"name": "Answer"}, {"name": "Link"}],
        templates=[{
            "name": "面试题",
            "qfmt": '<div class="id">{{ID}}</div><div class="q">{{Question}}</div>',
            "afmt": '{{FrontSide}}<hr id="answer"><div class="a">{{Answer}}</div>'
                    '<p class="link"><a href="{{Link}}">{{Link}}</a></p>',
        }],
        css=".card{font-family:sans-serif;font-size:18px;text-align:left;line-height:1.6}"
            ".id{color:#888;font-size:14px}.q{font-weight:bold}.link{font-size:13px}",
    )
    deck = genanki.Deck(DECK_ID, name)
    for card in cards:
        deck.add_note(genanki.Note(
            model=model,
            fields=[card.id, html.escape(card.title), card.quick, site_url + card.url],
            guid=genanki.guid_for(GUID_NAMESPACE, card.id),
            sort_field=card.id,
        ))
    return genanki.Package(deck)


def csv_text(cards: list[Card], site_url: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "question", "answer", "link", "topic"])
    for card in cards:
        writer.writerow([card.id, card.title, text(card.quick), site_url + card.url, card.topic])
    return buffer.getvalue()


def on_post_build(config):
    site_dir = Path(config.site_dir)
    cards = collect(site_dir)
    if not cards:
        return
    language = config.theme.get("language", "en")
    site_url = config.site_url or ""
    out = site_dir / DOWNLOADS
    out.mkdir(exist_ok=True)
    # The drill and review pages need the list, not the answers (drill fetches the page)
    listing = [{k: v for k, v in asdict(c).items() if k != "quick"} for c in cards]
    (out / "questions.json").write_text(json.dumps(listing, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    # utf-8-sig: Excel opens a CSV with Chinese text correctly only with the BOM
    (out / f"handbook-{language}.csv").write_text(csv_text(cards, site_url), encoding="utf-8-sig")
    anki_deck(cards, site_url, config.site_name).write_to_file(str(out / f"handbook-{language}.apkg"))
