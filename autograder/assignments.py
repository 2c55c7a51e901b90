"""An assignment's hidden and public tests and its reference answers, read from its autograder zip."""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from otter.test_files import OKTestFile

from autograder.checks import references

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DIST = PROJECT_ROOT / "autograder" / "dist"


@dataclass
class Assignment:
    """Everything the judge needs: the name, the otter test files in order, and the reference answers.

    ``references`` is the source of the module ``autograder.build`` extracted from the master
    notebook's solution code (``references.py``); the checks compare students' answers with it.
    """

    name: str
    tests: list[Any]
    references: str = ""

    @property
    def questions(self) -> list[str]:
        return [test.name for test in self.tests]

    @property
    def max_score(self) -> float:
        return sum(case.points or 0 for test in self.tests for case in test.test_cases)


def load_assignment(source: Path) -> Assignment:
    """Load an assignment from an autograder zip or an unpacked autograder folder.

    Its reference answers become those the checks use (``references.install``).
    """
    if source.is_dir():
        config = json.loads((source / "otter_config.json").read_text())
        paths = sorted((source / "tests").glob("*.py"))
        tests = [OKTestFile.from_spec(exec_test(path.read_text()), path=str(path)) for path in paths]
        reference = source / references.FILE_NAME
        code = reference.read_text() if reference.is_file() else None
    else:
        with zipfile.ZipFile(source) as archive:
            config = json.loads(archive.read("otter_config.json"))
            names = sorted(n for n in archive.namelist() if n.startswith("tests/") and n.endswith(".py"))
            tests = [OKTestFile.from_spec(exec_test(archive.read(name).decode()), path=name) for name in names]
            listed = references.FILE_NAME in archive.namelist()
            code = archive.read(references.FILE_NAME).decode() if listed else None
    if code is None:  # built before references.py existed: the master notebook, where there is one
        try:
            code = references.from_master(config["assignment_name"])
        except references.ReferencesError as error:
            raise ValueError(str(error)) from error
    references.install(config["assignment_name"], code)
    return Assignment(config["assignment_name"], tests, code)


def exec_test(text: str) -> dict[str, Any]:
    """The ``test`` dictionary of an OK-format test file (instructor-written, trusted)."""
    namespace: dict[str, Any] = {}
    exec(compile(text, "<test>", "exec"), namespace)
    return namespace["test"]


def default_zip(name: str) -> Path:
    """Where ``make autograder`` puts an assignment's zip."""
    return DIST / f"{name}.zip"


def available() -> list[str]:
    """Names of the assignments whose zips have been built."""
    return sorted(path.stem for path in DIST.glob("*.zip"))
