"""A second bound on every schedule, from column generation's prices, in its own process.

The session relaxation (`solver.bound`) forgets that a group's sessions share their
members and times, and stays well above the schedules (elementary: 111.2k against
about 100k).  The LP over groups does not forget it: where every family can be listed
(`solver.listing`), the listing bounds the reduced cost of every group, so any prices
give a bound (`Listed.bound`), and it falls as column generation converges.  That takes
column generation with listing in every round, from scratch, for most of a minute
(elementary, alone on one core, with cuts (`solver.cuts`): 107.9k after 12 s, 106.27k
after 19 s, 106,035 after 35 s, then with exact meeting times below 105.9k); the search
could not spare that time, so it runs in a process of its own, on the machine's other
core, and reports each lower bound as it finds it.
"""

from __future__ import annotations

import math
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from typing import IO

from solver.alone import lone_groups
from solver.bound import upper_bound
from solver.candidates import Instance
from solver.cuts import MemberCut, exceeded_triples, member_cuts, violated
from solver.greedy import greedy_roster
from solver.listing import Listing
from solver.model import School
from solver.pricing import ColumnPool, generate_columns
from solver.served import CAPS_SHARE, served_caps

RELAXATION_BEFORE = 20.0
"""Given fewer seconds than this, the process first works out the session relaxation's
bound (`solver.bound`, 2.3 s on elementary), which column generation's would not pass
in the time: alone on one core, elementary's column bound was 108.8k after 20.7 s and
108.2k after 21.5 s, against the relaxation's 108.0k, and elementary solved for 10 s
reported 120,995 where it now reports 108,029 (20 s: 108,815 against 108,029).  Given
more, column generation starts at once: after the relaxation its bound came about 3 s
later (alone, 106.1k after 30 s against 105.7k)."""
TIGHT_TOLERANCE = 1e-4
"""PDLP's tolerance once column generation has converged at the search's
(`solver.pricing.PDLP_TOLERANCE`): the bound needs its prices closer."""
FINAL_TOLERANCE = 1e-5
"""PDLP's tolerance once column generation has converged with exact times, for the time
left: the bound falls a little further (elementary, alone on one core, when each round
added the best 400 groups: from 105,160 after 50 s to 105,135 after 60 s and 105,119
after 73 s)."""


class ColumnBound:
    """The lowest bound the process has reported so far (inf before the first).

    The process is `python -m solver.column_bound`, handed the school on its standard
    input: unlike multiprocessing's spawn, it never imports the caller's main module,
    so a script calling `solve()` needs no `__main__` guard.  Its standard input stays
    open while it runs, and it ends when that closes (`_end_with_parent`), so it ends
    with the caller however the caller ends.  A caller stopped by SIGTERM (a batch
    system, `timeout`, a container stopping) or SIGKILL used to leave it running on a
    core until it next had a better bound to write to the closed pipe (0.3-4.5 s after
    a solve of elementary), or to its time limit where none came.
    """

    def __init__(self) -> None:
        self.value = math.inf
        self._process: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None

    @staticmethod
    def applies(instance: Instance) -> bool:
        """Only where every family is listed: elsewhere no bound comes of it."""
        return Listing(instance).complete

    def start(self, school: School, seconds: float) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "solver.column_bound"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            # numpy's BLAS would take a thread per core, and the search needs them
            env=os.environ | {"OPENBLAS_NUM_THREADS": "1"},
        )
        assert self._process.stdin is not None and self._process.stdout is not None
        pickle.dump((school, seconds), self._process.stdin)
        self._process.stdin.flush()
        self._reader = threading.Thread(
            target=self._read, args=(self._process.stdout,), daemon=True
        )
        self._reader.start()

    @property
    def running(self) -> bool:
        """The process was started and not yet stopped: it keeps a core busy."""
        return self._process is not None

    def _read(self, reports: IO[bytes]) -> None:
        for line in reports:
            self.value = min(self.value, float(line))

    def join(self, seconds: float) -> None:
        """Wait until the process has converged or run out of time, and its last bound is in."""
        if self._reader is not None:
            self._reader.join(seconds)

    def stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            assert self._process.stdin is not None
            self._process.stdin.close()
            self._process = None


def report_bounds(school: School, seconds: float) -> None:
    """Column generation priced by listing alone, until converged or out of time; each
    lower bound goes to standard output as it is found.  Without `solver.pricing`'s
    heuristic a round is cheaper and the bound falls sooner (elementary, 57 s on one
    core: 106.7k against 107.2k).  Its LPs are solved as roughly as the search's until
    column generation converges, then to `TIGHT_TOLERANCE`: elementary, alone on one
    core, before PDLP was warm-started and without triples, 106.60k after 30 s, 106.22k
    after 58 s, 106.15k after 145 s (tightened at 92 s), against 107.62k, 106.35k and
    106.19k at 1e-4 throughout; at 5e-4 throughout it stalled at 106.20k.
    Converged once more, the listing searches the member sets still worth something for
    their exact best times (`Listing.exact`), which a round's listing takes about twice
    as long: elementary, alone on one core of a machine at half the bench's speed, went
    from 106,035 (converged after 56 s) to 105,867 in the next round and converged at
    105,808 after 73 s; exact from the first round, it converged at 105,816 after 85 s.
    First, the caps on what each sole teacher's buckets can serve join the LP
    (`solver.served`, a few seconds): elementary's then converged at 105,160 after 47 s
    (alone on one core), where it had converged at 105,808 after 50 s.  Converged with
    exact times, it solves its LPs to `FINAL_TOLERANCE` for the time left.
    Given little time, it reports the session relaxation's bound first
    (`RELAXATION_BEFORE`)."""
    deadline = time.monotonic() + seconds
    instance = Instance.of(school)
    if seconds < RELAXATION_BEFORE:
        relaxed = upper_bound(instance, seconds)
        if relaxed is not None:
            print(repr(relaxed), flush=True)
    listing = Listing(instance)
    pool = ColumnPool(instance, greedy_roster(instance) + lone_groups(instance), warm_start=True)
    pool.add_cuts(served_caps(instance, time.monotonic() + CAPS_SHARE * seconds))
    cuts = Cuts(member_cuts(instance))
    reported = math.inf
    while time.monotonic() < deadline:
        done = generate_columns(
            pool, deadline, cuts.separate, None, pool.rounds + 1, listing, listing_only=True
        )
        if pool.bound < reported:
            reported = pool.bound
            print(repr(reported), flush=True)
        if done and not cuts.added:
            if pool.tolerance > TIGHT_TOLERANCE:
                pool.solve_to(TIGHT_TOLERANCE)
            elif not listing.exact:
                listing.exact = True
            elif pool.tolerance > FINAL_TOLERANCE:
                pool.solve_to(FINAL_TOLERANCE)
            else:
                break


class Cuts:
    """The cuts not yet in the LP (`solver.cuts`); each round adds those its solution
    exceeds, and the triples it exceeds most.  Alone on one core, elementary's bound
    converged at 106,035 after 35 s with triples from the first round (after 41 s with
    triples once converged without them), against 106,183 after 20 s without; member cuts
    over grade ranges alone had taken it from 106.48k to 106.35k after 55 s."""

    def __init__(self, cuts: list[MemberCut]) -> None:
        self.waiting = cuts
        self.added = False
        """Whether the last round added any: its LP then changed, though no group did."""

    def separate(self, pool: ColumnPool) -> None:
        running = pool.running()
        found = violated(self.waiting, running)
        self.waiting = [cut for cut in self.waiting if cut not in found]
        found += exceeded_triples(running, set(pool.cuts))
        pool.add_cuts(found)
        self.added = bool(found)


def _end_with_parent(parent: IO[bytes]) -> None:
    """Read the parent's end of the pipe until it closes, then end at once: whether the
    parent stopped the process or ended itself, its bound is no longer wanted."""
    parent.read()
    os._exit(0)


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    handed = pickle.load(sys.stdin.buffer)
    threading.Thread(target=_end_with_parent, args=(sys.stdin.buffer,), daemon=True).start()
    report_bounds(*handed)
