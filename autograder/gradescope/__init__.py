"""Everything the Gradescope autograder zip needs: its results, its entry point, its files.

This module stays light (no torch): the command-line parser imports it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from autograder.sandbox import Limits

GRADESCOPE_MEMORY_MB = 256  # memory for student code, on top of the ~460 MB the grader and the warm worker use (768 MB machine)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``python -m autograder gradescope``."""
    parser.add_argument("--root", type=Path, default=Path("/autograder"), help="Gradescope's folder (default: %(default)s)")
    parser.add_argument("--sandbox", choices=("auto", "bwrap", "setpriv"), default="auto",
                        help="auto: bubblewrap where it works, else run student code as 'nobody' (setpriv)")
    parser.add_argument("--timeout", type=float, default=Limits.notebook_seconds,
                        help="seconds per notebook (default: %(default)s)")
    parser.add_argument("--memory", type=int, default=GRADESCOPE_MEMORY_MB,
                        help="memory for student code in MB (default: %(default)s)")
