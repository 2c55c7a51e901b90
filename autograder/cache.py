"""Finished results kept in ``OUT/.cache`` so that re-running ``make grade`` regrades nothing twice.

A result is reused only when everything that determines it is unchanged: the notebook's
bytes, the autograder zip, the limits, the sandbox backend and the grading code itself.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import autograder
from autograder.pipeline import Submission
from autograder.results import SubmissionResult
from autograder.sandbox import Limits

CACHE = ".cache"


def harness_version() -> str:
    """A fingerprint of the grading code, so a changed harness never reuses old results."""
    digest = hashlib.sha256(autograder.__version__.encode())
    package = Path(autograder.__file__).parent
    for path in sorted(p for p in package.rglob("*.py") if p.relative_to(package).parts[0] != "reports"):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@dataclass
class Cache:
    """Finished results in ``OUT/.cache``, keyed by what determines a grade."""

    folder: Path
    salt: str

    @classmethod
    def open(cls, out: Path, source: Path, limits: Limits, backend: str) -> Cache:
        digest = hashlib.sha256()
        for part in (zip_bytes(source), json.dumps(limits.as_dict(), sort_keys=True).encode(),
                     backend.encode(), harness_version().encode()):
            digest.update(hashlib.sha256(part).digest())
        return cls(out / CACHE, digest.hexdigest())

    def key(self, submission: Submission) -> str | None:
        """The notebook's bytes with the salt; None (never cached) if there are none to read."""
        if submission.path is None or submission.problem:
            return None
        digest = hashlib.sha256(self.salt.encode())
        try:
            with submission.path.open("rb") as handle:
                while chunk := handle.read(2**20):
                    digest.update(chunk)
        except OSError:  # unreadable: grading says so in the submission's row
            return None
        return digest.hexdigest()

    def get(self, submission: Submission) -> SubmissionResult | None:
        key = self.key(submission)
        path = self.folder / f"{key}.json"
        if key is None or not path.is_file():
            return None
        try:
            result = SubmissionResult.from_dict(json.loads(path.read_text()))
        except (ValueError, TypeError, KeyError):
            return None
        result.submission, result.student, result.email = submission.key, submission.student, submission.email
        return result

    def put(self, submission: Submission, result: SubmissionResult) -> None:
        key = self.key(submission)
        if key is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self.folder / f".{key}.{os.getpid()}.tmp"
        temporary.write_text(json.dumps(result.to_dict()))
        temporary.replace(self.folder / f"{key}.json")


def zip_bytes(source: Path) -> bytes:
    """The autograder's content, whether a zip or an unpacked folder."""
    if source.is_file():
        return source.read_bytes()
    return b"".join(p.relative_to(source).as_posix().encode() + p.read_bytes()
                    for p in sorted(source.rglob("*")) if p.is_file())
