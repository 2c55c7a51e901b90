"""``python -m autograder``."""

import os
import sys

from autograder.cli import main

status = main()
# Every output file is closed by now: skip the interpreter's teardown, which takes most of
# a second once torch and matplotlib are loaded (and is paid by every run and every Gradescope submission).
sys.stdout.flush()
sys.stderr.flush()
os._exit(status)
