"""Write study mode's controls into the page at build time, so they never shift it.

assets/javascripts/study.js makes the controls work; if it had to create them after the
page was drawn, every question would jump down by a toolbar's height (Lighthouse
measured a layout shift of 0.27 on a topic page). So they are part of the HTML: under
the page title, the reveal-all button, the progress line and the shortcut help; under
each question, the two marks, copy link and the prefilled error report. Labels come
from `extra.study.labels`, the same ones the script uses. Without JavaScript a <noscript>
style in overrides/main.html hides them. They stay out of the search index.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlencode

from mkdocs.exceptions import PluginError
from page_state import PageState

QUESTION = re.compile(r'(<h2 id="([tp]\d{2,4})" class="question">(.*?)</h2>)', re.DOTALL)
H1 = re.compile(r"(<h1\b[^>]*>.*?</h1>)", re.DOTALL)
TAG = re.compile(r"<[^>]+>")
# The site-wide count is known only once every page is read: filled in on_page_context
SITE_TOTAL = "\u2063site-total\u2063"

_question_ids = PageState()  # src_uri -> the IDs of its questions
on_startup, on_pre_build = _question_ids.on_startup, _question_ids.on_pre_build


def fill(template: str, **values: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], template)


def question_bar(qid: str, title: str, url: str, labels: dict, repo: str) -> str:
    label = qid.upper()
    report = repo + "/issues/new?" + urlencode({
        "title": fill(labels["reportTitle"], id=label),
        "body": fill(labels["reportBody"], id=label, title=title, url=url),
    })
    e = html.escape
    return (
        f'<div class="study-bar" data-qid="{qid}" data-search-exclude="true">'
        f'<div class="study-marks" role="group" aria-label="{e(fill(labels["marksFor"], id=label))}">'
        f'<button type="button" class="study-mark" data-mark="known" data-qid="{qid}" aria-pressed="false">{e(labels["known"])}</button>'
        f'<button type="button" class="study-mark" data-mark="review" data-qid="{qid}" aria-pressed="false">{e(labels["review"])}</button>'
        f'</div>'
        f'<button type="button" class="study-copy" data-qid="{qid}">{e(labels["copyLink"])}</button>'
        f'<a class="study-report" href="{e(report)}" target="_blank" rel="noopener">{e(labels["report"])}</a>'
        f"</div>"
    )


def page_bar(count: int, labels: dict) -> str:
    e = html.escape
    page = fill(labels["pageProgress"], known="0", review="0", total=str(count))
    site = fill(labels["siteProgress"], known="0", review="0", total=SITE_TOTAL)
    return (
        f'<div class="study-page" role="region" aria-label="{e(labels["pageTools"])}" data-search-exclude="true">'
        f'<button type="button" class="study-reveal md-button" aria-pressed="false">{e(labels["revealAll"])}</button>'
        f'<span class="study-progress" data-scope="page">{e(page)}</span>'
        f'<span class="study-progress" data-scope="site">{e(site)}</span>'
        f'<button type="button" class="study-help-open md-button" aria-haspopup="dialog">{e(labels["shortcuts"])}</button>'
        f"</div>"
    )


def add_controls(content: str, page_url: str, labels: dict, repo: str) -> str:
    questions = QUESTION.findall(content)
    if not questions:
        return content

    def bar(match: re.Match) -> str:
        heading, qid, inner = match.groups()
        title = " ".join(html.unescape(TAG.sub("", re.sub(r'<a class="headerlink".*?</a>', "", inner))).split())
        return heading + question_bar(qid, title, f"{page_url}#{qid}", labels, repo)

    content = QUESTION.sub(bar, content)
    if H1.search(content):
        return H1.sub(lambda m: m.group(1) + page_bar(len(questions), labels), content, count=1)
    return page_bar(len(questions), labels) + content


def on_page_context(context, page, config, nav):
    if SITE_TOTAL in (page.content or ""):
        total = len(set().union(*_question_ids.values()))
        page.content = page.content.replace(SITE_TOTAL, str(total))
    return context


def on_page_content(html_content, page, config, files):
    _question_ids[page.file.src_uri] = {qid for _, qid, _ in QUESTION.findall(html_content)}
    study = config.extra.get("study") or {}
    labels = study.get("labels")
    if not labels:
        raise PluginError("mkdocs.yml: extra.study.labels is missing (study mode's labels)")
    return add_controls(html_content, (config.site_url or "") + page.url, labels, config.repo_url or "")
