"""Scripts run in a fresh Python, for what only a new process shows: the settings numpy
and OpenBLAS read when they load (vector loops, the processor's kernel)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def python_output(script: str, environment: dict[str, str]) -> str:
    """What the script prints, run from the project's root with these variables added."""
    run = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env=os.environ | environment,
    )
    return run.stdout
