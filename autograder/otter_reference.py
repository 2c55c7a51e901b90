"""Grade with otter's own runner, to compare its verdicts with the harness's.

``otter run`` executes a notebook and its tests in one unsandboxed kernel, with no
time limit: fine for trusted notebooks (solutions, stubs, mistakes), never for a class.
The benchmark and the tests use it as the reference the harness must agree with.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

OTTER = Path(sys.executable).parent / "otter"


def otter_zip(autograder_folder: Path, work: Path, name: str) -> Path:
    """otter's own autograder zip (``otter generate``) from the tests ``otter assign`` wrote."""
    staging = work / f"otter-generate-{name}"
    shutil.copytree(autograder_folder / "tests", staging / "tests")
    shutil.copy(autograder_folder / "otter_config.json", staging / "otter_config.json")
    target = work / f"otter-{name}.zip"
    command = [str(OTTER), "generate", "-t", "tests", "-c", "otter_config.json", "--no-requirements",
               "--no-environment", "-o", str(target)]
    subprocess.run(command, cwd=staging, check=True, capture_output=True)
    return target


def otter_run_total(autograder_zip: Path, notebook: Path, out: Path) -> float | None:
    """The total ``otter run`` gives a notebook (``None`` if it wrote no results)."""
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(OTTER), "run", "-a", str(autograder_zip), "-o", str(out), str(notebook)],
                   capture_output=True, cwd=out)
    results = out / "results.json"
    if not results.exists():
        return None
    return round(sum(float(test.get("score") or 0) for test in json.loads(results.read_text())["tests"]), 6)
