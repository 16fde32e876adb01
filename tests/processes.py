"""Fresh Python processes, for what only a new process shows: the command line as a person
runs it, and the settings numpy and OpenBLAS read when they load (vector loops, the
processor's kernel)."""

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


def skillgroups_command(*args: str | Path) -> list[str]:
    """The `skillgroups` command line with these arguments, for `subprocess`."""
    return [sys.executable, "-m", "api.cli", *map(str, args)]


def bare_environment(hash_seed: int = 0) -> dict[str, str]:
    """An environment that leaves a command's run to its arguments and the hash seed, which
    sets iteration order over sets of strings."""
    return {"COLUMNS": "200", "PATH": "/usr/bin:/bin", "PYTHONHASHSEED": str(hash_seed)}


def skillgroups(*args: str | Path, hash_seed: int = 0) -> subprocess.CompletedProcess[str]:
    """The `skillgroups` command run to its end, in a bare environment."""
    return subprocess.run(
        skillgroups_command(*args),
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env=bare_environment(hash_seed),
    )
