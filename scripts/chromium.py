"""The headless Chromium every tool drives: the tests, the benchmark, the search recall and
the PDF. Playwright cannot download its browser here; it drives Debian's chromium (or
CHROME_PATH) with flags that keep it off the network.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
MISSING = "no Chromium found (set CHROME_PATH or install Debian's chromium)"


def path() -> str | None:
    for candidate in (os.environ.get("CHROME_PATH"), "/usr/bin/chromium", "/usr/bin/chromium-browser",
                      "/usr/bin/google-chrome"):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def required_path() -> str:
    found = path()
    if found is None:
        raise SystemExit(MISSING)
    return found


@contextmanager
def served_page(folder: Path):
    """A Chromium page beside `folder` served gzip-compressed on 127.0.0.1: (page, base URL)."""
    from playwright.sync_api import sync_playwright
    from static_server import serve

    server, url = serve(folder)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=required_path(), args=ARGS)
            try:
                yield browser.new_page(), url
            finally:
                browser.close()
    finally:
        server.shutdown()
