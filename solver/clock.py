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

PACE = 1.3
"""Reproducible mode: the wall-clock seconds each counted second is taken to last.  The
work was counted in seconds of the benchmark's machine on 2026-12-02, whose loop (the sum
of ten million squares) took 0.36 s; it has taken 0.42-0.52 s since, and one-worker
solves came back late: on 2026-12-06, the loop at 0.50-0.52 s, elementary after 80 s of
60, k8 150 s of 120, the 900-need K-8 89 s of 60, the small school 8 s of 10 (all wall
time over all work counted: 0.85-1.43, 1.23-1.34 on k8 and elementary).  Counts fitted
since are wall time over this pace (`solver.pricing.RoundWork`)."""


class Clock:
    """The wall clock; the search spends nothing on it, time passes by itself."""

    def now(self) -> float:
        return time.monotonic()

    def spend(self, seconds: float) -> None:
        """Work of about this many seconds was done (only a work clock counts it)."""

    def budget(self, seconds: float) -> float:
        """The counted work that reads as these seconds on this clock (CP-SAT's
        deterministic time, for a work clock)."""
        return seconds

    def after(self, seconds: float) -> float:
        """What the clock will read once work of about this many seconds, done but not yet
        spent, is counted: a deadline checked inside a round must see the round's work so
        far, which a work clock is given only at its end."""
        return self.now()


class WorkClock(Clock):
    """The seconds of work done since it was made, counted rather than timed; on a
    machine like the benchmark's they track the wall clock roughly.  Past `safety`
    wall-clock seconds it reads at least `safety`, later than any deadline, so a school
    whose work is underestimated still ends (the schedule then depends on the clock)."""

    def __init__(self, safety: float, pace: float = PACE) -> None:
        self.started = time.monotonic()
        self.spent = 0.0
        self.safety = safety
        self.pace = pace

    def now(self) -> float:
        if time.monotonic() > self.started + self.safety:
            return self.started + max(self.spent, self.safety)
        return self.started + self.spent

    def spend(self, seconds: float) -> None:
        self.spent += self.pace * seconds

    def budget(self, seconds: float) -> float:
        return seconds / self.pace

    def after(self, seconds: float) -> float:
        return self.now() + self.pace * seconds
