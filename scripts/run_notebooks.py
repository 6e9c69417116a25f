"""Execute the notebooks in a fresh kernel and store them executed, or check they are fresh.

    python scripts/run_notebooks.py            # execute all, write outputs into the .ipynb files
    python scripts/run_notebooks.py --check    # execute all, fail if a stored output is stale
    python scripts/run_notebooks.py receptive-field   # only the named notebooks

Notebooks are stored executed so the site builds fast and GitHub shows the outputs. The
stored outputs are trusted only because `--check` (run by `make test`) re-executes every
notebook and compares: a changed number, a new error or a missing figure fails.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
TIMEOUT = 300  # seconds per cell; a notebook that needs more is too slow for the site
PINNED = {"PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


class NotebookFailed(Exception):
    pass


def notebook_paths(names=()) -> list[Path]:
    paths = sorted(NOTEBOOKS.glob("*.ipynb"))
    if names:
        wanted = {n.removesuffix(".ipynb") for n in names}
        paths = [p for p in paths if p.stem in wanted]
        missing = wanted - {p.stem for p in paths}
        if missing:
            raise NotebookFailed(f"no such notebook: {', '.join(sorted(missing))}")
    return paths


def read(path: Path):
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    except Exception as error:  # nbformat raises several unrelated types
        raise NotebookFailed(f"{path.name}: malformed notebook: {error}") from error
    return nb


def execute(path: Path):
    """Run a notebook top to bottom in a fresh kernel; return the executed notebook."""
    nb = read(path)
    # Fixed hash seed: set/dict order must not change printed output. One BLAS thread
    # per kernel: notebooks run in parallel, and kernels whose BLAS each start a thread
    # per core fight for the cores (on 2 cores: 56 s instead of 4.5 s for one notebook).
    # Given to the kernel as its environment, never written into os.environ: notebooks
    # run in parallel threads, and one thread restoring os.environ while another's
    # kernel starts would start that kernel without the pinned values.
    env = {**os.environ, **PINNED}
    try:
        client = NotebookClient(
            nb,
            kernel_name="python3",
            timeout=TIMEOUT,
            resources={"metadata": {"path": str(path.parent)}},
        )
        client.execute(env=env)
    except CellExecutionError as error:
        message = re.sub(r"\x1b\[[0-9;]*m", "", str(error))  # drop the traceback's colours
        raise NotebookFailed(f"{path.name}: a cell raised:\n{message}") from error
    return normalize(nb)


def normalize(nb):
    """Drop what changes between identical runs (timings, kernel versions).

    Execution counts stay: in a fresh kernel they are 1, 2, 3... and they prove to the
    build (`overrides/hooks/notebook_pages.py`) that every code cell ran."""
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    for index, cell in enumerate(nb.cells):
        cell.metadata.pop("execution", None)
        cell["id"] = f"cell-{index}"
        if cell.cell_type == "code":
            cell.outputs = merge_streams(cell.outputs)
    return nb


def merge_streams(outputs):
    """Join consecutive writes to the same stream into one output.

    The kernel flushes stdout on a timer, so one print() can arrive as one output or as
    two, depending on timing; the text is the same either way."""
    merged = []
    for out in outputs:
        previous = merged[-1] if merged else None
        if (out.output_type == "stream" and previous is not None
                and previous.output_type == "stream" and previous.name == out.name):
            previous.text += out.text
        else:
            merged.append(out)
    return merged


def text_outputs(nb) -> list[list[str]]:
    """Per code cell, the text a reader sees, with each figure reduced to a placeholder."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        seen = []
        for out in merge_streams(copy.deepcopy(cell.outputs)):
            if out.output_type == "stream":
                seen.append(f"{out.name}: {out.text}")
            elif out.output_type == "error":
                seen.append(f"error: {out.ename}: {out.evalue}")
            else:
                data = out.get("data", {})
                for mime in sorted(data):
                    if mime.startswith("image/"):
                        seen.append(f"figure {mime}")
                    elif mime == "text/plain" and any(m.startswith("image/") for m in data):
                        continue  # "<Figure size ...>" repr of a figure
                    else:
                        value = data[mime]
                        seen.append(f"{mime}: {value if isinstance(value, str) else json.dumps(value)}")
        cells.append(seen)
    return cells


def diff(stored, fresh, name: str) -> list[str]:
    problems = []
    a, b = text_outputs(stored), text_outputs(fresh)
    if len(a) != len(b):
        return [f"{name}: {len(a)} code cells stored, {len(b)} after execution"]
    for index, (old, new) in enumerate(zip(a, b)):
        if old != new:
            problems.append(
                f"{name}: code cell {index + 1} output is stale.\n  stored: {old!r}\n  fresh:  {new!r}"
            )
    if [c.source for c in stored.cells] != [c.source for c in fresh.cells]:
        problems.append(f"{name}: cell sources changed during execution")
    return problems


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="notebook names (default: all)")
    parser.add_argument("--check", action="store_true", help="do not write; fail if stored outputs are stale")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)

    try:
        paths = notebook_paths(args.names)
    except NotebookFailed as error:
        print(error, file=sys.stderr)
        return 2

    def run(path):
        start = time.perf_counter()
        try:
            fresh = execute(path)
        except NotebookFailed as error:
            return path, [str(error)], time.perf_counter() - start
        seconds = time.perf_counter() - start
        if args.check:
            return path, diff(read(path), fresh, path.name), seconds
        nbformat.write(fresh, path)
        return path, [], seconds

    total = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(run, paths))
    failed = False
    for path, problems, seconds in results:
        status = "FAIL" if problems else ("fresh" if args.check else "written")
        print(f"{status:8} {seconds:6.1f} s  {path.name}")
        for problem in problems:
            failed = True
            print(problem, file=sys.stderr)
    print(f"{len(results)} notebooks in {time.perf_counter() - total:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
