"""Recall of the site's search over the queries readers type (tests/search_queries.tsv).

Runs the search the site ships (the theme's worker, as the build patched it) in Chromium
on the built index, one query at a time, and ranks what a reader sees (ranked() below):
a question counted once however many of its sections matched, the header of a topic
page skipped (a reader clicks the question under it).

    python scripts/search_recall.py site [tests/search_queries.tsv]

The tests hold recall@1 and recall@3 above their floors (tests/test_search_recall.py);
`make bench` prints both. A query is a hit at k when one of its expected questions is
among the first k results.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "tests" / "search_queries.tsv"
ID = re.compile(r"[TP]\d{2,4}")
QUESTION_ANCHOR = re.compile(r"#([tp]\d{2,4})$")


@dataclass(frozen=True)
class Query:
    expected: tuple[str, ...]   # ("T02", "T21"): either is right; usually one
    text: str
    line: int


def load_queries(path: Path = QUERIES) -> list[Query]:
    """`ID<TAB>query` lines (IDs joined by commas where two questions are equally right)."""
    queries, seen = [], {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        ids, tab, text = line.partition("\t")
        expected = tuple(i.strip() for i in ids.split(","))
        if not tab or not text.strip() or not all(ID.fullmatch(i) for i in expected):
            raise ValueError(f"{path}:{number}: expected 'ID<TAB>query', found {line!r}")
        key = text.strip().casefold()
        if key in seen:
            raise ValueError(f"{path}:{number}: query {text!r} already on line {seen[key]}")
        seen[key] = number
        queries.append(Query(expected, text.strip(), number))
    return queries


# The worker's protocol (Material's SearchMessageType): SETUP 0, READY 1, QUERY 2, RESULT 3.
# Every query gets its own round trip, as when a reader types it.
RUN = r"""async ([queries]) => {
  const config = JSON.parse(document.getElementById("__config").textContent);
  const base = new URL(config.base + "/", location.href);
  const index = await (await fetch(new URL("search/search_index.json", base))).json();
  const worker = new Worker(new URL(config.search, location.href));
  const next = () => new Promise(resolve =>
    worker.addEventListener("message", ev => resolve(ev.data), { once: true }));
  let reply = next();
  // the theme adds its options, as its own client does (search.suggest is on)
  worker.postMessage({ type: 0, data: { ...index, options: { suggest: true } } });
  while ((await reply).type !== 1) reply = next();
  const out = [];
  for (const query of queries) {
    reply = next();
    worker.postMessage({ type: 2, data: query });
    const result = await reply;
    out.push(result.data.items.map(group => group.map(item => [item.location, item.score])));
  }
  worker.terminate();
  const pages = index.docs.map(d => d.location).filter(l => /#[tp]\d+$/.test(l)).map(l => l.split("#")[0]);
  return { results: out, questionPages: [...new Set(pages)] };
}"""


def ranked(groups: list[list[tuple[str, float]]], question_pages: set[str]) -> list[str]:
    """What a reader sees, in order: question IDs, and other pages or sections.

    The theme shows one group per page, in the order of each page's best result; in a
    group, the sections that score as well as the best one, the others folded under
    "more results". Folded results rank after every visible one."""
    visible: list[str] = []
    folded: list[str] = []
    for group in groups:
        best = group[0][1]
        for location, score in group:
            anchor = QUESTION_ANCHOR.search(location)
            if anchor:
                target = anchor.group(1).upper()
            elif "#" not in location and location in question_pages:
                continue  # a topic page's header: its questions are the results
            else:
                target = location
            (visible if score >= best else folded).append(target)
    seen: list[str] = []
    for target in visible + folded:
        if target not in seen:
            seen.append(target)
    return seen


@dataclass
class Report:
    queries: list[Query]
    ranks: list[int | None]          # 1-based rank of the first expected question, or None
    top: list[list[str]]             # the first three results of each query

    def recall(self, k: int) -> float:
        return sum(1 for r in self.ranks if r is not None and r <= k) / len(self.ranks)

    def misses(self, k: int) -> list[str]:
        return [f"{q.text!r} (line {q.line}): expected {'/'.join(q.expected)}, "
                f"rank {r or 'none'}; first {', '.join(t) or 'nothing'}"
                for q, r, t in zip(self.queries, self.ranks, self.top) if r is None or r > k]


def evaluate(page, queries: list[Query]) -> Report:
    """`page` is a Playwright page already showing any page of the built site."""
    answer = page.evaluate(RUN, [[q.text for q in queries]])
    groups, question_pages = answer["results"], set(answer["questionPages"])
    ranks, top = [], []
    for query, result in zip(queries, groups):
        order = ranked(result, question_pages)
        hit = next((i + 1 for i, target in enumerate(order) if target in query.expected), None)
        ranks.append(hit)
        top.append(order[:3])
    return Report(queries, ranks, top)


def measure(site: Path, queries: list[Query]) -> Report:
    from chromium import served_page

    with served_page(site) as (page, url):
        page.goto(url)
        return evaluate(page, queries)


def main(argv: list[str]) -> int:
    site = Path(argv[0] if argv else "site")
    report = measure(site, load_queries(Path(argv[1]) if len(argv) > 1 else QUERIES))
    for line in report.misses(1):
        print("miss@1", line)
    print(f"{len(report.queries)} queries: recall@1 {report.recall(1):.3f}, recall@3 {report.recall(3):.3f}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    raise SystemExit(main(sys.argv[1:]))
