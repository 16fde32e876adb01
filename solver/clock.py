"""The search's two clocks: the wall clock, and reproducible mode's count of work done.

With one worker a schedule must not depend on how fast the machine runs or how busy it
is, so the search's deadlines are read off `WorkClock`: it advances only by what the
search did, counted: CP-SAT's deterministic time and its models' size, each
column-generation round's estimated seconds (`solver.pricing.RoundWork`), and the
bound's expected time.  Both clocks read in seconds since the
same origin, so the search sets its deadlines the same way with either.
"""

from __future__ import annotations

import time


class Clock:
    """The wall clock; the search spends nothing on it, time passes by itself."""

    def now(self) -> float:
        return time.monotonic()

    def spend(self, seconds: float) -> None:
        """Work of about this many seconds was done (only a work clock counts it)."""


class WorkClock(Clock):
    """The seconds of work done since it was made, counted rather than timed; on a
    machine like the benchmark's they track the wall clock roughly.  Past `safety`
    wall-clock seconds it reads at least `safety`, later than any deadline, so a school
    whose work is underestimated still ends (the schedule then depends on the clock)."""

    def __init__(self, safety: float) -> None:
        self.started = time.monotonic()
        self.spent = 0.0
        self.safety = safety

    def now(self) -> float:
        if time.monotonic() > self.started + self.safety:
            return self.started + max(self.spent, self.safety)
        return self.started + self.spent

    def spend(self, seconds: float) -> None:
        self.spent += seconds
