"""Study exports, written from the question model after the build: an Anki deck and a CSV.

They go to `downloads/`, one set per site language:

- `handbook-<lang>.apkg`: an Anki deck, one note per question, made with genanki, tagged
  with its topic and ID. Each note's GUID derives from the question ID alone, so
  re-importing a new edition updates the notes instead of duplicating them;
- `handbook-<lang>.csv`: the same notes for spreadsheets and other flashcard tools;
- `questions.json`: ID, title, URL and topic of every question, for other tools (the
  site's own pages get the same list inside the page, so they work from `file://`).
"""

from __future__ import annotations

import csv
import html
import io
import json
from pathlib import Path

import genanki
from question_model import Question, registry

DOWNLOADS = "downloads"
# Anki needs fixed IDs for the note type and the deck, or every import makes new ones
MODEL_ID = 1_607_392_319
DECK_ID = 2_059_400_110
GUID_NAMESPACE = "dl-interview-handbook"


def listing(questions: list[Question]) -> list[dict]:
    """What questions.json holds of each question."""
    return [{"id": q.id, "title": q.title, "url": q.url, "topic": q.page_title} for q in questions]


def anki_tags(q: Question) -> list[str]:
    """The topic and the ID, so a deck can be filtered or studied one topic at a time.
    Anki splits tags at spaces: a topic's spaces become underscores."""
    return ["_".join(q.page_title.split()), q.id]


def anki_deck(questions: list[Question], site_url: str, name: str) -> genanki.Package:
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
    for q in questions:
        deck.add_note(genanki.Note(
            model=model,
            fields=[q.id, html.escape(q.title), q.parts["quick"], site_url + q.url],
            guid=genanki.guid_for(GUID_NAMESPACE, q.id),
            sort_field=q.id,
            tags=anki_tags(q),
        ))
    return genanki.Package(deck)


def csv_text(questions: list[Question], site_url: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "question", "answer", "link", "topic"])
    for q in questions:
        writer.writerow([q.id, q.title, q.text("quick"), site_url + q.url, q.page_title])
    return buffer.getvalue()


def on_post_build(config):
    questions = registry.questions()
    if not questions:
        return
    language = config.theme.get("language", "en")
    site_url = config.site_url or ""
    out = Path(config.site_dir) / DOWNLOADS
    out.mkdir(exist_ok=True)
    (out / "questions.json").write_text(json.dumps(listing(questions), ensure_ascii=False, separators=(",", ":")),
                                        encoding="utf-8")
    # utf-8-sig: Excel opens a CSV with Chinese text correctly only with the BOM
    (out / f"handbook-{language}.csv").write_text(csv_text(questions, site_url), encoding="utf-8-sig")
    anki_deck(questions, site_url, config.site_name).write_to_file(str(out / f"handbook-{language}.apkg"))
