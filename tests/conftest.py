"""Shared fixtures: the assignments built fresh from solutions/, and a sandbox.

``make test`` runs the test files in parallel (pytest-xdist, ``--dist loadfile``: a file's tests
stay on one worker, so a module-scoped fixture is built once; ``SAME_WORKER`` keeps files that
share a per-process cache together).  The built assignments are made once per run and shared by
every worker; each worker has its own sandbox.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import torch
from filelock import FileLock

from autograder.assignments import Assignment, load_assignment
from autograder.build import assign_all, build_zip, master_notebooks
from autograder.sandbox import Limits, Sandbox

ROOT = Path(__file__).resolve().parent.parent

# Tests run torch in this process and then fork grading pools (autograder.pool), and a child
# forked after OpenMP started its threads hangs in its first parallel matrix product.  One thread
# per test process avoids that (and oversubscribing the CPUs beside the other workers).
torch.set_num_threads(1)

# Files whose tests read what another file's tests computed once per process: on the same worker.
CORPUS_FILES = ("tests/test_diagnosis_report.py", "tests/test_realworld.py", "tests/test_mistakes.py",
                "tests/test_alternatives.py")  # tests.graded.graded_corpus
SAME_WORKER = {path: CORPUS_FILES[0] for path in CORPUS_FILES}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Start the labelled corpus first (the longest chain, on one worker), then the files whose tests
    mostly need no built assignments, those tests first: they keep the other workers busy while the
    first worker builds the assignments.  A file's tests stay together, in their own order otherwise."""
    def needs_build(item: pytest.Item) -> bool:
        return "built" in getattr(item, "fixturenames", ())

    def path(item: pytest.Item) -> str:
        return item.nodeid.split("::")[0]

    counts: dict[str, list[int]] = {}
    for item in items:
        counts.setdefault(path(item), [0, 0])[needs_build(item)] += 1
    free = {name for name, (without, with_build) in counts.items() if without >= with_build}
    first = {path(item): index for index, item in reversed(list(enumerate(items)))}

    def rank(item: pytest.Item) -> tuple[int, int, bool]:
        group = 0 if path(item) in CORPUS_FILES else 1 if path(item) in free else 2
        return group, first[path(item)], needs_build(item)

    items.sort(key=rank)


@pytest.hookimpl(optionalhook=True)  # an xdist hook: nothing to do without xdist
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """``--dist loadfile``, with the files of ``SAME_WORKER`` scheduled as one."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class Scheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = super()._split_scope(nodeid)
            return SAME_WORKER.get(path, path)

    return Scheduling(config, log)


def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A temp folder of this test run that every xdist worker shares (the run's own without xdist)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh ``otter assign`` of every master notebook: dist/ and assignments/ in a temp folder,
    built by the first worker that asks while the others wait for it (a file lock), then shared.

    ``AUTOGRADER_BUILT=<folder>`` reuses a folder built earlier by the same code (to save time
    while developing); CI never sets it.
    """
    reuse = os.environ.get("AUTOGRADER_BUILT")
    if reuse:
        return Path(reuse)
    shared = run_folder(tmp_path_factory)
    base, done = shared / "built", shared / "built.done"
    with FileLock(shared / "built.lock"):
        if not done.exists():
            shutil.rmtree(base, ignore_errors=True)
            assign_all(base / "dist", base / "assignments")
            for master in master_notebooks():
                build_zip(master.stem, base / "dist")
            done.touch()
    return base


@pytest.fixture(scope="session")
def assignments(built: Path) -> dict[str, Assignment]:
    return {path.stem: load_assignment(path) for path in sorted((built / "dist").glob("*.zip"))}


@pytest.fixture(scope="session")
def sandbox() -> Sandbox:
    box = Sandbox("bwrap")
    box.start()
    yield box
    box.close()


@pytest.fixture
def limits() -> Limits:
    return Limits(notebook_seconds=60, cell_seconds=20, call_seconds=10, memory_mb=1500)


def copy_to(path: Path, folder: Path, name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(path, folder / (name or path.name)))
