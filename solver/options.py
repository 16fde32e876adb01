"""How a solve may spend its time and the machine's cores."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

MOST_SEED = 2**31 - 1
"""CP-SAT's seed is a 32-bit integer."""
MOST_SECONDS = 7 * 24 * 3600.0
"""The command line's longest time limit: a week, far past any school's need."""
SAFETY = 3.0
"""Reproducible mode: wall-clock limit as a multiple of the time limit, so a school whose
work is underestimated still ends (`solver.clock.WorkClock`)."""


class Stop(Protocol):
    """What asks a solve to stop: a `threading.Event` (Ctrl-C, a cancel), or the search's
    own once it has nothing left to find.  It is only ever asked whether it is set."""

    def is_set(self) -> bool: ...


@dataclass(frozen=True)
class SolveOptions:
    """With one worker the search is reproducible: the time limit is then spent on a
    count of the work done (`solver.clock.WorkClock`), which tracks seconds only
    roughly."""

    time_limit: float = 30.0
    workers: int = 2
    seed: int = 0

    def __post_init__(self) -> None:
        """Checked for every caller, not only the command line's: CP-SAT takes a 32-bit
        seed (a larger one raised inside it), and an infinite time limit left no time
        for anything (the solve returned the greedy roster after 0.2 s)."""
        if not (math.isfinite(self.time_limit) and self.time_limit > 0):
            raise ValueError(f"time_limit must be a positive number, not {self.time_limit}")
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, not {self.workers}")
        if not 0 <= self.seed <= MOST_SEED:
            raise ValueError(f"seed must be from 0 to {MOST_SEED}, not {self.seed}")

    @property
    def reproducible(self) -> bool:
        return self.workers == 1

    @property
    def packing_workers(self) -> int:
        """CP-SAT's workers: one core goes to column generation or the column bound's
        process, CP-SAT has the rest.  With two cores CP-SAT then packs with one worker,
        which does better than two even where the other core is idle: k8 at 120 s, seeds
        0-7 paired, mean 261.2k against 258.2k (7 of 8 higher); the 900-need K-8 at 60 s,
        seeds 0-3, mean 554.4k against 551.4k; elementary, beside the column bound, seeds
        4-7, 102.6k against 102.2k."""
        return max(1, self.workers - 1)

    @property
    def safety_limit(self) -> float:
        """Reproducible mode's wall-clock limit (`SAFETY`)."""
        return SAFETY * self.time_limit
