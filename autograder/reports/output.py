"""Writing a class's output files so that one that fails never costs the others theirs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class Failures(list[str]):
    """The outputs that could not be written, one line each (what, and why)."""

    @contextmanager
    def guard(self, what: str) -> Iterator[None]:
        """Run the block; if it raises (a full disk, a path in the way, a page that does not
        render), record ``what`` failed and carry on with the next output."""
        try:
            yield
        except Exception as error:  # noqa: BLE001 - one output's failure must not lose the others
            self.append(f"{what}: {type(error).__name__}: {error}")
