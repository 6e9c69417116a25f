"""Benchmark the site against the same content built by the stock stack, in one run.

    make bench                   # everything, results written into README.md
    python scripts/bench.py --no-lighthouse --no-write   # quick: builds and sizes only

Baseline ("stock"): the same docs and notebooks, Material with the same plugins (search,
mkdocs-jupyter) at their default options, the same Markdown extensions so the pages
render, and none of our hooks, overrides, CSS or JavaScript. Both sites are served
gzip-compressed from 127.0.0.1, as a real host serves them. Timing figures vary with the
machine and its load; every figure is printed next to the baseline measured in the same
run, and the ratio is what to compare.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import chromium  # noqa: E402
from static_server import serve  # noqa: E402

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
# Lighthouse will not audit a response with status 404, so the not-found page is loaded
# by its file name: the same HTML a reader gets at any missing URL, with status 200.
# "topic" and "notebook" are the heaviest page of their kind (see heaviest_pages).
PAGE_TYPES = {"home": "", "topic": None, "notebook": None, "index": "questions/", "404": "404.html",
              "calculations": "calculation-drills/"}
README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"


def largest_page(site: Path, *patterns: str) -> Path:
    """The biggest index.html among `patterns`: a budget holds for all pages of a kind
    only if it holds for the heaviest one."""
    return max((p for pattern in patterns for p in site.glob(pattern)), key=lambda p: p.stat().st_size)


def heaviest_pages(site: Path) -> dict[str, str]:
    """The largest topic page and the largest notebook page, as paths to audit."""
    pages = {"topic": largest_page(site, "theory/*/index.html", "practice/*/index.html"),
             "notebook": largest_page(site, "notebooks/*/index.html")}
    return {kind: page.parent.relative_to(site).as_posix() + "/" for kind, page in pages.items()}


# Projects ------------------------------------------------------------------------------

def copy_project(dest: Path) -> Path:
    """Our project, copied so its caches start empty and the repo is not touched."""
    dest.mkdir(parents=True)
    for name in ("mkdocs.yml", "search-dictionary.txt", "search-synonyms.txt"):
        shutil.copy2(ROOT / name, dest / name)
    for name in ("overrides", "notebooks"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    shutil.copytree(ROOT / "docs", dest / "docs", symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


class Loader(yaml.SafeLoader):
    pass


Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def stock_nav(nav: list, docs_dir: Path) -> list:
    """Our nav with the notebooks written out, as hooks/notebook_nav.py adds them."""
    sys.path.insert(0, str(ROOT / "overrides" / "hooks"))
    from notebooks import in_folder

    def expand(items):
        out = []
        for item in items:
            (title, value), = item.items()
            if isinstance(value, list):
                value = expand(value)
                if any(next(iter(child.values())) == "notebooks/index.md" for child in value):
                    value += [{n.title: n.src_uri} for n in in_folder(docs_dir)]
            out.append({title: value})
        return out

    return expand(nav)


def stock_project(ours: Path, dest: Path) -> Path:
    """The same content with the stock stack: default plugin options, no hooks or overrides."""
    shutil.copytree(ours, dest, symlinks=True, ignore=shutil.ignore_patterns(".cache", "site"))
    config = yaml.load((ours / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)
    extensions = []
    for ext in config["markdown_extensions"]:
        name = ext if isinstance(ext, str) else next(iter(ext))
        extensions.append("toc" if name == "toc" else ext)  # default slugs, like a stock site
    stock = {
        "site_name": config["site_name"], "site_url": config["site_url"],
        "site_description": config["site_description"], "repo_url": config["repo_url"],
        "theme": {"name": "material", "language": "zh"},
        "plugins": ["search", "mkdocs-jupyter"],
        "markdown_extensions": extensions,
        "nav": stock_nav(config["nav"], ours / "docs"),
    }
    (dest / "mkdocs.yml").write_text(yaml.safe_dump(stock, allow_unicode=True, sort_keys=False), encoding="utf-8")
    # Our page templates (overrides/*.html) are not there: the pages use the theme's own
    for page in [*(dest / "docs").rglob("*.md"), *(dest / "notebooks").glob("*.md")]:  # docs/notebooks links there
        text = page.read_text(encoding="utf-8")
        page.write_text(re.sub(r"(?m)^template: .*\n", "", text, count=1), encoding="utf-8")
    return dest


def build(project: Path) -> float:
    # Not --strict: with --quiet MkDocs hides warnings and strict then passes anyway;
    # strictness is the tests' job, this only times the build
    command = [sys.executable, "-m", "mkdocs", "build", "--quiet"]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=project, env=ENV, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"build failed in {project}:\n{result.stdout}{result.stderr}")
    return seconds


def build_times(project: Path, warm_runs: int) -> tuple[float, float]:
    shutil.rmtree(project / ".cache", ignore_errors=True)
    cold = build(project)
    warm = statistics.median(build(project) for _ in range(warm_runs))
    return cold, warm


# Measurements --------------------------------------------------------------------------

def sizes(site: Path) -> dict:
    index = (site / "search" / "search_index.json").read_bytes()
    largest = largest_page(site, "notebooks/*/index.html")
    return {
        "index_raw": len(index),
        "index_gzip": len(gzip.compress(index, 6)),
        "largest_notebook_html": largest.stat().st_size,
        "largest_notebook": largest.parent.name,
    }


def search_recall(site: Path) -> dict:
    """Recall of the site's own search over the readers' queries (scripts/search_recall.py)."""
    import search_recall as recall

    report = recall.measure(site, recall.load_queries())
    return {"queries": len(report.queries), "recall_at_1": report.recall(1), "recall_at_3": report.recall(3)}


def editions(workdir: Path) -> dict:
    """`make offline` into `workdir`: the offline zip and the PDF, their sizes and pages."""
    from pypdf import PdfReader

    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_editions.py"), "--site", str(workdir / "site"),
                    "--offline", str(workdir / "site-offline"), "--dist", str(workdir / "dist")],
                   cwd=ROOT, env=ENV, check=True, capture_output=True)
    zipped, pdf = workdir / "dist" / "handbook-offline.zip", workdir / "dist" / "handbook.pdf"
    unzipped = sum(p.stat().st_size for p in (workdir / "site-offline").rglob("*") if p.is_file())
    return {"zip": zipped.stat().st_size, "unzipped": unzipped, "pdf": pdf.stat().st_size,
            "pdf_pages": len(PdfReader(pdf).pages)}


def lighthouse(url: str, desktop: bool, workdir: Path) -> dict:
    cli = ROOT / "node_modules" / "lighthouse" / "cli" / "index.js"
    out = workdir / f"lh-{time.monotonic_ns()}.json"
    command = ["node", str(cli), url, "--quiet", "--output=json", f"--output-path={out}",
               f"--chrome-flags={' '.join(chromium.ARGS)}",
               "--only-categories=performance,accessibility,best-practices,seo"]
    if desktop:
        command.append("--preset=desktop")
    env = {**ENV, "CHROME_PATH": chromium.required_path()}
    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=240)
    if not out.exists():
        return {"scores": ["–"] * 4, "bytes": 0, "requests": 0, "error": run.stderr[-300:]}
    report = json.loads(out.read_text(encoding="utf-8"))
    if report.get("runtimeError") or "details" not in report["audits"]["network-requests"]:
        error = (report.get("runtimeError") or {}).get("message", "no network data")
        return {"scores": ["–"] * 4, "bytes": 0, "requests": 0, "error": error}
    requests = report["audits"]["network-requests"]["details"]["items"]
    return {
        "scores": [round(report["categories"][c]["score"] * 100) for c in
                   ("performance", "accessibility", "best-practices", "seo")],
        "bytes": sum(item.get("transferSize", 0) for item in requests),
        "requests": len(requests),
    }


def lighthouse_median(url: str, desktop: bool, workdir: Path, runs: int) -> dict:
    """Lighthouse `runs` times; the run with the median performance score, and the range.

    One run's performance score moves by a few points with the machine's load (the
    blocking time is simulated from the measured tasks), so a single run can't tell a
    98 from a 100.
    """
    reports = [lighthouse(url, desktop, workdir) for _ in range(runs)]
    scored = sorted((r for r in reports if isinstance(r["scores"][0], int)), key=lambda r: r["scores"][0])
    if not scored:
        return reports[0]
    median = dict(scored[len(scored) // 2])
    median["performance_runs"] = [r["scores"][0] for r in scored]
    return median


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_latency(project: Path, dirty: bool) -> float:
    """Seconds from saving a Markdown page to the new text showing in the browser."""
    from playwright.sync_api import sync_playwright

    page_file = project / "docs" / "about.md"
    original = page_file.read_text(encoding="utf-8")
    port = free_port()
    command = [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"] + (["--dirty", "--no-strict"] if dirty else [])
    server = subprocess.Popen(command, cwd=project, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while True:  # the first build runs before the server answers
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/about/", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit(f"mkdocs serve did not come up:\n{server.stderr.read() if server.poll() is not None else ''}")
                time.sleep(0.5)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium.required_path(), args=chromium.ARGS)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/about/")  # livereload long-polls: never network-idle
            page.wait_for_timeout(1000)
            marker = f"bench-{time.monotonic_ns()}"
            start = time.perf_counter()
            page_file.write_text(original + f"\n{marker}\n", encoding="utf-8")
            page.get_by_text(marker).wait_for(timeout=60_000)
            seconds = time.perf_counter() - start
            browser.close()
        return seconds
    finally:
        page_file.write_text(original, encoding="utf-8")
        server.terminate()
        server.wait()


def synthetic(ours: Path, dest: Path, questions: int) -> dict:
    """A handbook of N generated questions (25 a page), built with our config."""
    dest.mkdir(parents=True)
    config = (ours / "mkdocs.yml").read_text(encoding="utf-8").split("# Page tree")[0]
    (dest / "mkdocs.yml").write_text(config, encoding="utf-8")
    (dest / "overrides").symlink_to(ours / "overrides", target_is_directory=True)
    shutil.copy2(ours / "search-dictionary.txt", dest / "search-dictionary.txt")
    shutil.copy2(ours / "search-synonyms.txt", dest / "search-synonyms.txt")
    shutil.copytree(ours / "docs" / "assets", dest / "docs" / "assets")
    (dest / "docs" / "notebooks").mkdir()
    (dest / "docs" / "index.md").write_text("# 合成手册\n", encoding="utf-8")
    # Real sentences from the handbook's own pages, drawn in a seeded order, so the index
    # grows and compresses like real content rather than one repeated paragraph
    sentences = [s for page in sorted((ours / "docs" / "theory").glob("*.md"))
                 for s in re.findall(r"[^\s$|{}*#!?>-][^。\n$|{}]{12,80}。", page.read_text(encoding="utf-8"))]
    rng = random.Random(0)
    for start in range(0, questions, 25):
        lines = [f"# 合成主题 {start // 25 + 1}\n"]
        for n in range(start, min(start + 25, questions)):
            qid = f"T{n + 1:02d}" if n < 99 else None
            anchor = f"{{#t{n + 1:02d}}}" if qid else f"{{#q{n + 1}}}"
            title = f"{qid} · 合成问题 {n + 1}" if qid else f"合成问题 {n + 1}"
            quick = "".join(rng.sample(sentences, 3))
            explain = "".join(rng.sample(sentences, 12))
            lines.append(f"## {title} {anchor}\n\n??? answer \"答案\"\n\n"
                         f"    !!! quick \"面试速答\"\n\n        {quick}\n\n"
                         f"    !!! explain \"详解\"\n\n        {explain} $r_l = r_{{l-1}} + (k-1)\\prod s_i$\n")
        (dest / "docs" / f"topic-{start // 25 + 1:03d}.md").write_text("\n".join(lines), encoding="utf-8")
    seconds = build(dest)
    index = (dest / "site" / "search" / "search_index.json").read_bytes()
    return {"questions": questions, "build": seconds, "index_raw": len(index), "index_gzip": len(gzip.compress(index, 6))}


def notebook_execution() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "scripts" / "run_notebooks.py"), "--check"],
                   env=ENV, capture_output=True, text=True)
    return time.perf_counter() - start


# Report --------------------------------------------------------------------------------

def kb(n: float) -> str:
    return f"{n / 1024:,.1f} KB"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "–"


def report(r: dict) -> str:
    lines = [f"Measured {r['date']} on {r['machine']} (ours vs. the stock stack, same run).", ""]
    lines += ["| build and index | ours | stock | ratio |", "|---|---:|---:|---:|"]
    o, s = r["ours"], r["stock"]
    lines.append(f"| cold build (no caches) | {o['cold']:.1f} s | {s['cold']:.1f} s | {ratio(o['cold'], s['cold'])} |")
    lines.append(f"| warm build (median of {r['warm_runs']}) | {o['warm']:.1f} s | {s['warm']:.1f} s | {ratio(o['warm'], s['warm'])} |")
    lines.append(f"| largest notebook page, HTML | {kb(o['largest_notebook_html'])} | {kb(s['largest_notebook_html'])} | "
                 f"{ratio(o['largest_notebook_html'], s['largest_notebook_html'])} |")
    lines.append(f"| search_index.json, raw | {kb(o['index_raw'])} | {kb(s['index_raw'])} | {ratio(o['index_raw'], s['index_raw'])} |")
    lines.append(f"| search_index.json, gzip | {kb(o['index_gzip'])} | {kb(s['index_gzip'])} | {ratio(o['index_gzip'], s['index_gzip'])} |")
    if "search" in o:
        n = o["search"]["queries"]
        for k in (1, 3):
            a, b = o["search"][f"recall_at_{k}"], s["search"][f"recall_at_{k}"]
            lines.append(f"| search recall@{k} ({n} readers' queries) | {a:.3f} | {b:.3f} | {ratio(a, b)} |")
    if "editions" in r:
        e = r["editions"]
        lines += ["", "| offline editions (`make offline`) | size |", "|---|---:|",
                  f"| offline edition, zip | {e['zip'] / 1e6:.1f} MB ({e['unzipped'] / 1e6:.1f} MB unzipped) |",
                  f"| PDF | {e['pdf'] / 1e6:.1f} MB, {e['pdf_pages']} A4 pages |"]
    if "lighthouse" in r:
        runs = r.get("lighthouse_runs", 1)
        lines += ["", f"Lighthouse: the median of {runs} runs by performance score; the range is the performance score over those runs. Topic and notebook: the heaviest page of each.", "",
                  "| page | form | Lighthouse ours (perf/a11y/bp/seo) | perf range | stock | perf range | transferred ours | stock | requests ours | stock |",
                  "|---|---|---|---|---|---|---:|---:|---:|---:|"]

        def spread(result: dict) -> str:
            scores = result.get("performance_runs") or [result["scores"][0]]
            return f"{min(scores)}–{max(scores)}" if min(scores) != max(scores) else f"{scores[0]}"

        for key, value in r["lighthouse"].items():
            kind, form = key.split("/")
            a, b = value["ours"], value["stock"]
            path = r.get("pages", {}).get(kind)
            if path is not None:
                kind = f"{kind} (`/{path}`)"
            lines.append(f"| {kind} | {form} | {'/'.join(map(str, a['scores']))} | {spread(a)} | {'/'.join(map(str, b['scores']))} | {spread(b)} | "
                         f"{kb(a['bytes'])} | {kb(b['bytes'])} | {a['requests']} | {b['requests']} |")
    if "scaling" in r:
        lines += ["", "| synthetic questions | build | index raw | index gzip |", "|---:|---:|---:|---:|"]
        for row in r["scaling"]:
            lines.append(f"| {row['questions']:,} | {row['build']:.1f} s | {kb(row['index_raw'])} | {kb(row['index_gzip'])} |")
    extra = []
    if "serve_latency" in r:
        extra.append(f"edit → browser under `make serve` (`--dirty`): {r['serve_latency']:.2f} s; "
                     f"with a full rebuild per edit: {r['serve_latency_full']:.2f} s")
    if "notebooks" in r:
        extra.append(f"all notebooks re-executed in fresh kernels (`run_notebooks.py --check`): {r['notebooks']:.1f} s")
    if extra:
        lines += [""] + [f"- {e}" for e in extra]
    return "\n".join(lines)


def write_readme(text: str) -> None:
    readme = ROOT / "README.md"
    content = readme.read_text(encoding="utf-8")
    if README_START not in content:
        raise SystemExit("README.md lacks the bench markers")
    head, rest = content.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    readme.write_text(f"{head}{README_START}\n{text}\n{README_END}{tail}", encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-lighthouse", action="store_true", help="skip Lighthouse and page weight")
    parser.add_argument("--no-scaling", action="store_true", help="skip the synthetic handbooks")
    parser.add_argument("--no-write", action="store_true", help="print only; do not update README.md")
    parser.add_argument("--warm-runs", type=int, default=3)
    parser.add_argument("--lighthouse-runs", type=int, default=3, help="Lighthouse runs per page and form; the median is reported")
    args = parser.parse_args(argv)

    results: dict = {"date": time.strftime("%Y-%m-%d"), "warm_runs": args.warm_runs, "lighthouse_runs": args.lighthouse_runs,
                     "machine": f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        tmp = Path(tmp)
        ours = copy_project(tmp / "ours")
        stock = stock_project(ours, tmp / "stock")
        for name, project in (("ours", ours), ("stock", stock)):
            print(f"building {name}...", flush=True)
            cold, warm = build_times(project, args.warm_runs)
            results[name] = {"cold": cold, "warm": warm, **sizes(project / "site")}
            print(f"search recall, {name}...", flush=True)
            results[name]["search"] = search_recall(project / "site")
        print("offline editions...", flush=True)
        results["editions"] = editions(tmp / "editions")

        if not args.no_lighthouse:
            servers = {name: serve(project / "site") for name, project in (("ours", ours), ("stock", stock))}
            results["lighthouse"] = {}
            pages = {**PAGE_TYPES, **heaviest_pages(ours / "site")}
            results["pages"] = pages
            for kind, path in pages.items():
                for form in ("mobile", "desktop"):
                    print(f"lighthouse {kind} {form}...", flush=True)
                    results["lighthouse"][f"{kind}/{form}"] = {
                        name: lighthouse_median(url + path, form == "desktop", tmp, args.lighthouse_runs)
                        for name, (_, url) in servers.items()}
            for server, _ in servers.values():
                server.shutdown()
            print("serve latency...", flush=True)
            results["serve_latency"] = serve_latency(ours, dirty=True)       # what `make serve` runs
            results["serve_latency_full"] = serve_latency(ours, dirty=False)

        if not args.no_scaling:
            results["scaling"] = []
            for n in (50, 500, 2000):
                print(f"synthetic handbook, {n} questions...", flush=True)
                results["scaling"].append(synthetic(ours, tmp / f"synthetic-{n}", n))

    print("notebooks...", flush=True)
    results["notebooks"] = notebook_execution()
    text = report(results)
    print("\n" + text)
    (ROOT / "bench-results").mkdir(exist_ok=True)
    (ROOT / "bench-results" / "latest.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    if not args.no_write:
        write_readme(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
