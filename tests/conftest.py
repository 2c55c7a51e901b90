"""Shared fixtures: the assignments built fresh from solutions/, and a sandbox."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from autograder.assignments import Assignment, load_assignment
from autograder.build import assign_all, build_zip, master_notebooks
from autograder.sandbox import Limits, Sandbox

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh ``otter assign`` of every master notebook: dist/ and assignments/ in a temp folder.

    ``AUTOGRADER_BUILT=<folder>`` reuses a folder built earlier by the same code (to save time
    while developing); CI never sets it.
    """
    reuse = os.environ.get("AUTOGRADER_BUILT")
    if reuse:
        return Path(reuse)
    base = tmp_path_factory.mktemp("built")
    assign_all(base / "dist", base / "assignments")
    for master in master_notebooks():
        build_zip(master.stem, base / "dist")
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
