"""Shared fixtures: one strict build of the real site, and throwaway projects for bad input."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HOOKS = ROOT / "overrides" / "hooks"
# The tools the tests share with the benchmark: the Chromium setup, the gzip server
sys.path.insert(0, str(ROOT / "scripts"))
import chromium  # noqa: E402
# HANDBOOK_DIST: no downloads from a local `make offline` in the site under test; the
# editions' own tests (test_offline_edition.py) build them
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1",
       "HANDBOOK_DIST": "/nonexistent/handbook-dist"}


@dataclass
class Build:
    returncode: int
    output: str
    site: Path

    @property
    def warnings(self) -> list[str]:
        return [line for line in self.output.splitlines() if line.startswith(("WARNING", "ERROR"))]


def mkdocs_build(project: Path, site: Path, config: str = "mkdocs.yml") -> Build:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", config, "--site-dir", str(site)],
        cwd=project, env=ENV, capture_output=True, text=True, timeout=600,
    )
    return Build(result.returncode, result.stdout + result.stderr, site)


def load_hook(name: str):
    """Import a hook module by file, as MkDocs does."""
    spec = importlib.util.spec_from_file_location(f"hook_{name}", HOOKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    sys.path.insert(0, str(HOOKS))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(HOOKS))
    return module


def notebook_results(name: str) -> dict:
    """What a notebook's `results` cell printed: the numbers pages may quote."""
    return load_hook("notebook_values").read_results(ROOT / "notebooks" / f"{name}.ipynb")


@pytest.fixture(scope="session")
def build(tmp_path_factory) -> Build:
    """The real site, built once per test run with `mkdocs build --strict`.

    HANDBOOK_SITE=path reuses a site built beforehand (for quick iterations on tests)."""
    if os.environ.get("HANDBOOK_SITE"):
        return Build(0, "", Path(os.environ["HANDBOOK_SITE"]))
    result = mkdocs_build(ROOT, tmp_path_factory.mktemp("site") / "site")
    assert result.returncode == 0, f"strict build failed:\n{result.output}"
    return result


@pytest.fixture(scope="session")
def site(build) -> Path:
    return build.site


@pytest.fixture(scope="session")
def search_index(site) -> dict:
    return json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))


@dataclass
class Project:
    """A throwaway project with the site's config, overrides and hooks, and no content."""

    root: Path
    site: Path

    def write(self, relative: str, text: str) -> Path:
        path = self.root / "docs" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def build(self) -> Build:
        return mkdocs_build(self.root, self.site)


@pytest.fixture
def project(tmp_path) -> Project:
    """Tests write pages and notebooks into it and build it, to see how bad input fails."""
    root = tmp_path / "project"
    (root / "docs" / "notebooks").mkdir(parents=True)
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.split("# Page tree")[0]  # let MkDocs derive the nav from the files
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    (root / "overrides").symlink_to(ROOT / "overrides", target_is_directory=True)
    shutil.copytree(ROOT / "docs" / "assets", root / "docs" / "assets")
    shutil.copy2(ROOT / "search-dictionary.txt", root / "search-dictionary.txt")
    shutil.copy2(ROOT / "search-synonyms.txt", root / "search-synonyms.txt")
    (root / "docs" / "index.md").write_text("# 首页\n", encoding="utf-8")
    return Project(root, tmp_path / "site")


# Browser -------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def served(site):
    """The built site on 127.0.0.1, gzip-compressed like GitHub Pages serves it."""
    from static_server import serve

    server, url = serve(site)
    yield url
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    path = chromium.path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{chromium.MISSING}: browser tests must run under CI")
        pytest.skip(chromium.MISSING)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=path, args=chromium.ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, served):
    """A desktop page; `page.goto("theory/...")` is relative to the served site."""
    context = browser.new_context(base_url=served, viewport={"width": 1280, "height": 900}, locale="zh-CN")
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def mobile(browser, served):
    """A 412 px wide touch screen, like the Lighthouse mobile profile."""
    context = browser.new_context(base_url=served, viewport={"width": 412, "height": 823},
                                  device_scale_factor=1.75, is_mobile=True, has_touch=True, locale="zh-CN")
    tab = context.new_page()
    yield tab
    context.close()
