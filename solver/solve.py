"""`solve()`: from a school to a verified schedule, with progress and a result object.

The phases, each keeping the best schedule so far: the greedy roster (a first
schedule in well under a second), column generation (which candidate groups are
worth considering; where no column-bound process takes the other core, CP-SAT packs the
pool beside it with one worker), CP-SAT over the candidates, warm-started from the
greedy, and, with the time left, neighbourhoods: part of the schedule held while new
groups are priced around it and CP-SAT repacks the part freed, begun twice from the same
schedule before going on from the better.  In the last share of
the time the best schedule's groups are re-timed (a large roster a part at a time,
`solver.retiming`), and the greedy fills what that frees.
Regenerating from last window's schedule, the search also values keeping needs in their
old groups (`Instance.stay_bonus`).  Whatever is returned has passed `solver.verify` first.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from solver.alone import lone_groups
from solver.bound import expected_seconds, upper_bound
from solver.candidates import Candidate, Instance, Signature
from solver.clock import Clock, WorkClock
from solver.column_bound import ColumnBound
from solver.continuity import (
    PinError,
    kept_groups,
    pin_targets,
    previous_warnings,
    stayers,
)
from solver.cpsat import MIN_SOLVE, pack_groups, retime_groups
from solver.greedy import greedy_roster
from solver.listing import Listing
from solver.model import School
from solver.neighbourhoods import neighbourhood
from solver.options import SolveOptions, Stop
from solver.output import as_schedule
from solver.pricing import ColumnPool, generate_columns
from solver.problems import Problem
from solver.reasons import Reasons
from solver.schedule import Schedule

BOUND_SHARE = 0.5
"""Share of the time limit the bound's relaxation may take beside the search.  A school
whose relaxation is not expected to be solved in it is not tried: building it is Python
work that slows the search (on the 900-need K-8 at 60 s, trying took 6% of the placed
needs, and the bound still did not come)."""
PHASES = (0.05, 0.15)
"""Column generation runs until these shares of the phases' time (`PHASED_SECONDS`);
CP-SAT packs after each for `PACK_SHARE`, and the neighbourhoods (`improve`) take the
time after the last, or after the first where no group prices out.  That packing once
had the rest of the time, to pack the whole pool: on k8 at 120 s, where column
generation sometimes ends in the second phase, it then ran 94 s without proving, and
the solve ended near 245k with 330 needs placed, where others reach 263k (seed 4:
246.2k; packing for its share, 266.1k).  A third phase, to 0.3, gained little once the
neighbourhoods listed the large kinds' free parts (`solver.listing`): traced on k8 at
120 s, its 18 s took the schedule from 234,458 to 234,534, where each neighbourhood
after it gained 2-5k in 3 s.  Without it, k8 at 120 s, seeds 0-11 paired: mean 264.06k
against 263.50k (8 of 12 higher, within the seeds' spread); the 900-need K-8 at 60 s,
seeds 0-3: 570.7k against 563.6k (3 of 4 higher; 799 placed against 788 on average).
Elementary's column generation ends in the second phase either way."""
PHASED_SECONDS = 120.0
"""The phases share the time limit, or this much of it where it is longer
(`_Search.paced`): what a longer limit adds goes to the neighbourhoods
(`NEIGHBOURHOOD_SECONDS`).  Phased over the whole limit, k8 at 600 s (seed 0) gave
249.6k, less than at 120 s (252.9-254.7k): column generation ran to 390 s, and its pool
was too large to pack well; phased over 120 s, 264.2k (359 needs placed against 331),
and seed 1 265.6k.  k8 at 300 s (seed 1): 260.0k against 248.3k.  Elementary at 300 s,
whose column generation ends early either way: 103.1k against 102.9k (seed 0).  Until the
twenty-fourth session the neighbourhoods' shares were of the whole limit: at 1,200 s
k8's first neighbourhood then listed and packed for 228 s, and its schedule was 261.7k
after 460 s, below its 120 s runs.  Paced, k8 at 600 s, seeds 1-2: 269,282 and 267,971
against 268,256 and 266,759; elementary at 300 s, seeds 1-3: mean 103,728 against
103,622 (2 of 3 higher)."""
NEIGHBOURHOOD_SECONDS = 30.0
"""The neighbourhoods' branches, listings and packings take their shares of the time limit,
or of this much of it where it is longer (`_Search.stepped`): a longer limit gives more
neighbourhoods of the same size, not longer ones.  Until the thirty-third session they
took their shares of `PHASED_SECONDS`, so a 60 s solve's were twice a 30 s solve's: one
of its packings might take 6 s and each branch 9 s.  One-worker elementary at 60 s,
seeds 0-23 paired: mean 103,074 against 102,804 (17 of 24 higher, standard deviation 485
against 626), 12 of 24 reaching 103,027 (2% under the column bound) as before, and 1 run
placing 136-137 against 7 (in 72 runs of three searches of the old length, 16).  k8 at
120 s, seeds 0-1: 265,538 and 263,618 against 264,969 and 261,191; the 900-need K-8 at
60 s, seed 0: 578,329 (798 placed) against 559,387 (769).  At 90 s paced as at 60 s,
more neighbourhoods of the 60 s length had freed most runs that placed 136-137 at 60 s
(thirty-second session); these are more of them, sooner."""
PACK_SHARE = 0.1
"""Share of the phases' time each phase's CP-SAT packing may take (of
`NEIGHBOURHOOD_SECONDS` for a neighbourhood's)."""
NEIGHBOURHOOD_ROUNDS = 3
"""Improving: column-generation rounds around each neighbourhood, the listing's first.
Two or five did no better on elementary at 60 s: two, seeds 0-11, mean 102.82k against
102.69k (5 of 12 higher); five, seeds 0-5, 102.61k against 102.54k."""
BRANCHES = 2
"""Improving: the neighbourhoods begin this many times from the schedule the phases leave,
each branch for `BRANCH_SHARE` of `NEIGHBOURHOOD_SECONDS`, and then go on from the best
schedule any branch found.  Where a run ends is settled in its first neighbourhoods:
traced at 60 s, elementary seeds 2-4 placed 131-134 needs after the phases; two of them placed 138
within 8 s, and seed 3 stayed at 133-134 for the rest of the minute (135 placed, 101,046;
run again, 140).  A second start from the same schedule, with the pool the first has
grown, is a second draw of those first neighbourhoods.  Against one start, elementary at
60 s, seeds 1-10 paired: mean 103,055 against 102,813, 7 of 10 higher, 6 of 10 within 2%
against 3, no run placing fewer than 138 (against one at 136); low runs still come (in
a later pairing, on a slower moment of the machine, two of seven placed 136 and 137);
k8 at 120 s, seeds 1-4: mean 262,230 against 261,269, 3 of 4 higher; the 900-need K-8 at
60 s, seeds 0-3: mean 553.6k against 550.6k, 3 of 4 higher.  Three branches of 10% each
gave elementary the same mean and a narrower spread, with no run within 2% (seeds 1-7:
102,676 against 102,651, none within 2% against 2 of 7)."""
BRANCH_SHARE = 0.15
"""Each branch's share of `NEIGHBOURHOOD_SECONDS` (`BRANCHES`): 4.5 s (a 60 s solve's took
9 s until the thirty-third session).  When they took 9 s, two branches of 20% did worse
(elementary at 60 s, seeds 5-10 alternated: mean 102,873 against 103,189, 2 of 6
higher), as did three of 10%."""
LISTING_SHARE = 0.1
"""Improving: the share of `NEIGHBOURHOOD_SECONDS` a neighbourhood's first round,
the one that lists, may take at most.  The listing builds each family when it first
reaches it and keeps it, so where the share runs out the next neighbourhoods reach the
families it left.
On a K-8 of 4,500 students (1,925 needs) the first listing built families for 15-22 s
of a 60 s solve and left time for no other neighbourhood: 1,465-1,497 needs placed
against the greedy's 1,438.  Capped, 1,697-1,698 (seeds 0-1; with no listing in the
neighbourhoods at all, 1,712-1,724, but the 900-need K-8 then lost 2%).  Where listings
are quick the cap never binds: one-worker elementary at 60 s and k8 at 120 s gave the
same schedules as without it, when it was 6 s and 12 s (before `NEIGHBOURHOOD_SECONDS`).
The 900-need K-8 at 60 s, seeds 0-7 paired: mean 566.1k
against 563.1k (4 higher, 1 the same); a 3,000-student K-8 (1,283 needs), seed 0: 1,142
placed against 1,111; the 4,500-student school at 120 s: 1,787 against 1,742."""
RETIME_SHARE = 0.05
"""The last share of the time limit (`RETIME_MOST` at most): the best schedule is re-timed
(`solver.retiming`).
Over ten seeds of elementary at 60 s: mean 100.9k against 100.6k without (6 seeds of 10
higher); k8 at 120 s, three seeds: 239.6k, 246.2k, 246.5k against 240.7k, 237.5k,
237.8k.  Re-timing after every neighbourhood as well did worse on elementary (mean 99.9k
against 100.3k, fewer needs placed), and so did re-timing also at half and three quarters
of the search (seeds 0-3, 4 of 4 lower).  On elementary 15% or 25% of the time gave
means of 102.91k and 103.12k against 102.97k (seeds 0-3): most of what re-timing gains
comes in its first second or two.  On k8 at 120 s it gains 3-4k but finds its first
better solution 3-4 s into its 6 s; 10% (twenty-fifth session) gave k8 a mean of 262,660
against 261,469 (seeds 1-4, 3 higher) and elementary 103,167 against 102,573 (seeds
1-4, 3 higher), but the 900-need K-8, whose search still places needs at the end, 543.7k
against 549.8k (seeds 0-2, all lower), as in the seventh session.  With the re-timing by
parts (twenty-seventh session) the 900-need K-8 gained from 10% (3 of 4 seeds higher), but
k8 lost (seeds 1-4, all lower; 6 s more of parts gained about 190 offline) and elementary,
re-timed whole to optimality within 3 s, lost the 3 s (seeds 1-8, mean 103,134 against
103,191)."""
RETIME_MOST = 30.0
"""The most seconds the re-timing may take, whatever the limit (a week's limit gave it up to
8.4 hours): beyond 600 s the rest goes to the neighbourhoods.  Its gains come in its first
seconds: k8 at 600 s (seeds 1-2) gained 1,945 and 1,205, all but 10 within 7 s of its
30 s; at 1,200 s (seed 1) 540 of 545 within 6 s of its 60 s, and held to 30 s, 1,930,
all but 5 within 7 s (269,868, against 269,979 with 60 s).  Its share of the paced
time (6 s at 600 s) was too little: the re-timing gained 445 and 532, and the 24 s it
gave the neighbourhoods about 150 (269,688 and 267,474 against 270,378 and 265,976)."""

ROSTER_SECONDS = 1.8e-6
"""Reproducible mode: the seconds the first roster is counted for each (need, day, start)
its patterns ask about (`Instance.checked`).  On a machine whose loop took 0.50 s it
took 2.3-2.4 µs each (0.18 s on elementary, 0.59 s on k8, 1.64 s on the 900-need K-8,
which one-worker solves had not counted), so about 1.8 µs at the pace of
`solver.clock`."""


@dataclass(frozen=True)
class Progress:
    """What a progress line shows; objective and bound in the contract's units."""

    phase: str
    elapsed: float
    placed: int
    needs: int
    objective: int
    bound: int | None
    """None until the relaxation LP has been solved, just after the first schedule."""


@dataclass(frozen=True)
class SolveResult:
    schedule: Schedule
    greedy_placed: int
    warnings: list[Problem] = field(default_factory=list)

    @property
    def placed(self) -> int:
        return sum(len(g.students) for g in self.schedule.groups)

    @property
    def gap(self) -> float | None:
        """(best_bound - objective) / best_bound: the most any schedule could still gain."""
        objective, bound = self.schedule.objective, self.schedule.best_bound
        if objective is None or not bound:
            return None
        return max(0.0, (bound - objective) / abs(bound))


ProgressCallback = Callable[[Progress], None]


def solve(
    school: School,
    options: SolveOptions | None = None,
    on_progress: ProgressCallback | None = None,
    stop: Stop | None = None,
    previous: Schedule | None = None,
) -> SolveResult:
    """The best schedule found within the time limit; never raises for a hard school.

    With `previous` (last window's schedule) its groups are kept where they still
    work and each moved need costs `moved_student`.  A pin that cannot hold is bad
    input: `PinError` says which and why.  A schedule whose objective meets the bound is
    returned at once: no other is worth more.
    """
    search = _Search(school, options or SolveOptions(), on_progress, stop, previous)
    search.generate_and_pack()
    search.improve()
    search.retime()
    return search.result()


def greedy_schedule(school: School) -> Schedule:
    """The benchmark's baseline: the hand-style greedy roster alone, verified; it carries no
    bound (the benchmark reads the bound of the solve it compares with)."""
    started = time.monotonic()
    instance = Instance.of(school)
    chosen = greedy_roster(instance)
    return as_schedule(instance, chosen, None, time.monotonic() - started)


class _Search:
    """One solve: the best groups so far, and what its phases share (the clock, the pool of
    candidate groups, the time the ending must keep).  Each phase reports what it finds,
    and the best stays."""

    def __init__(
        self,
        school: School,
        options: SolveOptions,
        on_progress: ProgressCallback | None,
        stop: Stop | None,
        previous: Schedule | None,
    ) -> None:
        self.started = time.monotonic()
        self.options = options
        self.on_progress = on_progress
        self.stop = _Halt(stop)
        self.clock: Clock = WorkClock(options.safety_limit) if options.reproducible else Clock()
        begun = self.clock.now()
        self.instance = instance = Instance.of(school, previous)
        self.best, kept = _first_roster(instance)
        self.base = self.best
        """The schedule the search works from: the best so far, but for a branch of the
        neighbourhoods (`improve`), that branch's best."""
        self.clock.spend(ROSTER_SECONDS * instance.checked)
        self.most_kept = sum(instance.most_stay_bonus(index) for index in instance.stays)
        """The most keeping needs in last window's groups can add to the search's value
        (nothing, unless regenerating); the bound leaves it out."""
        self.greedy_placed = _placed(self.best)
        self.keeping = threading.Lock()
        """A packing beside column generation reports from its own thread."""
        self.bound = _Bound()
        self.report("greedy", self.best)
        self.bound.start(instance, options, self.started, self.clock)
        self.report("bound", self.best)
        self.search_started = self.clock.now()
        self.remaining = _remaining(options, self.search_started - begun)
        """The options for what the first schedule and the bound left of the time limit."""
        # regenerating, a roster built without last window's groups joins the pool too, so
        # keeping them never hides a better arrangement from the search
        fresh = greedy_roster(instance) if kept else []
        candidates = self.best + kept + fresh + lone_groups(instance)
        self.pool = ColumnPool(instance, candidates, clock=self.clock)
        self.ending = _Ending(
            self.search_started + self.remaining.time_limit,
            min(self.remaining.time_limit * RETIME_SHARE, RETIME_MOST),
        )
        self.reasons = Reasons(instance)

    @property
    def paced(self) -> float:
        """The seconds the phases' shares are taken of: what the first schedule left of the
        time limit, or `PHASED_SECONDS` where that is longer."""
        return min(self.remaining.time_limit, PHASED_SECONDS)

    @property
    def stepped(self) -> float:
        """The seconds the neighbourhoods' shares are taken of: what the first schedule
        left of the time limit, or `NEIGHBOURHOOD_SECONDS` where that is longer."""
        return min(self.remaining.time_limit, NEIGHBOURHOOD_SECONDS)

    @property
    def stopped(self) -> bool:
        return self.stop.is_set()

    def report(self, phase: str, groups: list[Candidate]) -> None:
        with self.keeping:
            value = _search_value(self.instance, groups)
            if value > _search_value(self.instance, self.base):
                self.base = groups
            if value > _search_value(self.instance, self.best):
                self.best = groups
            if self.proven():
                self.stop.proven = True
        if self.on_progress is not None:
            elapsed = time.monotonic() - self.started
            needs = len(self.instance.school.needs)
            best = self.best
            self.on_progress(
                Progress(phase, elapsed, _placed(best), needs, _value(best), self.bound.value)
            )

    def proven(self) -> bool:
        """No schedule is worth more to the search than the best: its value meets the bound
        and the most that keeping needs in last window's groups could add."""
        bound = self.bound.value
        return (
            bound is not None and _search_value(self.instance, self.best) >= bound + self.most_kept
        )

    def fill(self) -> None:
        """`_fill`, timed: the last fill comes after the re-timing and must end within the
        limit too (twice its time is kept for it, fills vary)."""
        began = self.clock.now()
        self.report("fill", _fill(self.instance, self.pool, self.base))
        self.ending.filling = 2 * (self.clock.now() - began)

    def pack(
        self, candidates: list[Candidate], seconds: float, held: frozenset[object] = frozenset()
    ) -> None:
        built = self._packing(candidates, seconds, self.stop, held)
        self.ending.building = max(self.ending.building, built)

    def _packing(
        self,
        candidates: list[Candidate],
        seconds: float,
        stop: Stop,
        held: frozenset[object] = frozenset(),
    ) -> float:
        """CP-SAT packs these candidates, started from the base groups, reporting what it
        finds; returns the seconds its model took to build."""
        return pack_groups(
            self.instance,
            candidates,
            self.base,
            self.remaining,
            self.clock,
            seconds,
            self.report,
            stop,
            held,
            self.pool.rows_of,
        )

    def generate_and_pack(self) -> None:
        """Column generation in `PHASES`, CP-SAT packing the pool after each."""
        for share in PHASES:
            if self.stopped:
                return
            deadline = self.search_started + share * self.paced
            done = self._generate(deadline, first=share == PHASES[0])
            if self.stopped:
                return
            pack_seconds = min(
                self.search_started + (share + PACK_SHARE) * self.paced - self.clock.now(),
                self.ending.polish() - self.clock.now(),
            )
            self.pack(self.pool.candidates, pack_seconds)
            self.fill()
            if share == PHASES[0]:
                self.ending.explaining = _explain(
                    self.instance, self.best, self.reasons, self.clock
                )
            if done:
                return

    def _generate(self, deadline: float, first: bool) -> bool:
        """Column generation until `deadline`; whether no group priced out.

        Column generation (Python and PDLP) keeps one core busy; after the first phase,
        where no column-bound process takes the other, CP-SAT packs the pool as it stands
        there, with one worker.  On k8 at 120 s, eight seeds (0-7) paired: mean 244.9k
        against 243.6k without (6 of 8 higher); the 900-need K-8 at 60 s, seeds 0-1:
        504.5k and 501.9k against 503.2k and 510.2k."""
        halt = threading.Event()
        beside = None
        if not first and not self.remaining.reproducible and not self.bound.column.running:
            arguments = (list(self.pool.candidates), deadline - self.clock.now(), halt)
            beside = threading.Thread(target=self._packing, args=arguments, daemon=True)
            beside.start()
        done = generate_columns(
            self.pool, deadline, lambda _: self.report("columns", self.best), self.stop
        )
        if beside is not None:
            halt.set()
            beside.join()
        return done

    def improve(self) -> None:
        """Use the time left once CP-SAT has packed the pool as well as it can (on a typical
        school it proves that within seconds, and most of the limit went unused): free the
        groups of a neighbourhood (`solver.neighbourhoods`), price new groups with the rest
        held (the LP over the groups that fit beside them: `ColumnPool.fix`), so the prices
        say what fits around them, and repack the freed part from the groups those prices
        rate highest (`ColumnPool.promising`), the rest held.
        Packing the promising groups, rather than the whole pool, gave a median of 99.5k
        against 99.1k over ten seeds of elementary at 60 s.  Holding the rest, CP-SAT
        settles a neighbourhood in about a second rather than running its 6 s, so there are
        more of them: elementary at 60 s, eight seeds (0-7) paired, mean 101.5k against
        101.2k (5 of 8 higher); and k8, whose last phase now packs for its share like the
        others and leaves time for them, at 120 s, seeds 0-3: 250.1k, 247.1k, 253.3k,
        253.0k against 247.0k, 243.7k, 245.8k, 250.6k; the 900-need K-8 at 60 s, seeds
        0-1: 530.8k and 526.1k against 522.5k and 522.3k.
        Each neighbourhood's first round also prices by listing (`solver.listing`), which
        finds what pricing's heuristic misses; listing in every round did worse on elementary
        (98.4-98.8k against 98.9-100.1k over three seeds at 60 s).  That round ends by
        `LISTING_SHARE` of `NEIGHBOURHOOD_SECONDS`, where a large school's listing would take
        it all.
        None starts unless two rounds as long as the last fit before the re-timing (on the
        search's clock, `ColumnPool.clock`): its first round also lists, and one that cannot
        go on to pack gains nothing (on the 900-need K-8 one began 5 s before the re-timing,
        took 8 s, and the solve ran 1-2 s over).
        The neighbourhoods start more than once from the schedule the phases leave
        (`BRANCHES`), and go on from the best."""
        rng = random.Random(self.remaining.seed)
        listing = Listing(self.instance)
        start = self.best
        for _ in range(BRANCHES):
            self.base = start
            branch_end = self.clock.now() + BRANCH_SHARE * self.stepped
            self._neighbourhoods(rng, listing, branch_end)
        self.base = self.best
        self._neighbourhoods(rng, listing, math.inf)

    def _neighbourhoods(self, rng: random.Random, listing: Listing, until: float) -> None:
        """Neighbourhoods of the base schedule, one after another, until `until` or the
        re-timing."""
        pool, clock = self.pool, self.clock
        while clock.now() < min(until, self.ending.polish()) and not self.stopped:
            deadline = self.ending.polish()
            if clock.now() + 2 * pool.round_seconds > deadline:
                return
            freed = neighbourhood(self.instance, self.base, rng)
            held = [c for c in self.base if c.key not in freed]
            pool.fix(held)
            listed_by = min(deadline, clock.now() + LISTING_SHARE * self.stepped)
            generate_columns(pool, listed_by, None, self.stop, pool.rounds + 1, listing)
            generate_columns(
                pool, deadline, None, self.stop, pool.rounds + NEIGHBOURHOOD_ROUNDS - 1
            )
            pool.release()
            seconds = min(deadline - clock.now(), PACK_SHARE * self.stepped)
            if self.stopped:
                return
            if seconds > 0:  # a round may end past the deadline (the 900-need K-8: 1 s)
                self.pack(pool.promising(self.base), seconds, frozenset(c.key for c in held))
            self.fill()

    def retime(self) -> None:
        """The last share of the time: the best groups re-timed, then filled."""
        if self.stopped:
            return
        ending = self.ending
        seconds = ending.end - self.clock.now() - ending.filling - ending.explaining
        # once its model is built CP-SAT runs at least MIN_SOLVE: where that would pass
        # the time limit, the schedule is not re-timed
        if seconds > ending.building + MIN_SOLVE:
            retime_groups(
                self.instance,
                self.best,
                self.remaining,
                self.clock,
                seconds,
                self.report,
                self.stop,
            )
        self.fill()

    def result(self) -> SolveResult:
        """The best groups as a verified schedule, once the bound is in or the time is up."""
        waited = 0.0
        if not self.stopped:
            waited = self.started + self.options.time_limit - time.monotonic()
        value = self.bound.wait(waited)
        seconds = time.monotonic() - self.started
        schedule = as_schedule(self.instance, self.best, value, seconds, self.reasons)
        return SolveResult(schedule, self.greedy_placed, previous_warnings(self.instance))


def _first_roster(instance: Instance) -> tuple[list[Candidate], list[Candidate]]:
    """The greedy roster around last window's groups that still work, and those groups;
    pins that clash with each other are bad input."""
    kept = kept_groups(instance)
    instance.stays = stayers(instance, kept)
    roster = greedy_roster(instance, kept)
    if not _pins_hold(roster, pin_targets(instance, kept)):
        raise PinError("pins.csv: the pinned groups clash with each other (staff or student).")
    return roster, kept


@dataclass
class _Ending:
    """What must fit between the search and the time limit: the re-timing (its share of
    the time, and building its model, taken to be as long as the largest packing model
    took), then the last fill, and turning the groups into a verified schedule with
    reasons.  On the 900-need K-8 at 60 s the re-timing model took 1.3 s to build and
    the last packing's 1.9 s; left only its 5%, the re-timing had 0.2 s after building,
    and the solve returned after 61.7 s.  All are read on the search's clock, so a work
    clock, which counts none of them, keeps only the re-timing's share."""

    end: float
    retiming: float
    building: float = 0.0
    filling: float = 0.0
    explaining: float = 0.0
    """Known after the first packing (`_explain`)."""

    def polish(self) -> float:
        """When the search must stop for the re-timing to begin."""
        return self.end - self.retiming - self.building - self.filling - self.explaining


def _explain(instance: Instance, groups: list[Candidate], reasons: Reasons, clock: Clock) -> float:
    """About the seconds the schedule will take to verify and explain at the end, found
    by doing it for these groups; what the reasons need that does not depend on the
    schedule is then known for the needs they leave unplaced (`Reasons`), most of those
    left at the end."""
    reasons.prepare(instance.unplaced(groups))
    began = clock.now()
    as_schedule(instance, groups, None, 0.0, reasons)
    return clock.now() - began


def _remaining(options: SolveOptions, spent: float) -> SolveOptions:
    """The phases share what the first schedule (and, with one worker, the bound) left of
    the time limit."""
    return replace(options, time_limit=max(1.0, options.time_limit - spent))


def _fill(instance: Instance, pool: ColumnPool, groups: list[Candidate]) -> list[Candidate]:
    """The hand-style greedy, started from the schedule: unplaced needs join groups that
    already meet when they are free, or open groups in time nobody uses.  CP-SAT only
    chooses among candidates, and these groups are often not among them yet."""
    filled = greedy_roster(instance, groups)
    pool.add(filled)
    return filled


class _Halt:
    """The search's stop: set by the caller's `stop` (Ctrl-C, a cancel), or once the best
    schedule is proven optimal (`_Search.proven`), when more search would find nothing
    better: a small school whose first schedule was already the best used to run to its
    time limit anyway (six students, 30 s: 28 s with two workers, now 0.6 s)."""

    def __init__(self, asked: Stop | None) -> None:
        self.asked = asked
        self.proven = False

    def is_set(self) -> bool:
        return self.proven or (self.asked is not None and self.asked.is_set())


class _Bound:
    """A bound on every schedule, worked out beside the search.  Where every family is
    listed and the search may use the clock, column generation's, in a process
    (`solver.column_bound`).  Elsewhere the session relaxation's: in a thread, since
    PDLP lets go of Python while it solves and the search need not wait for it (on k8
    it waited 10-20 s); with one worker it is worked out first, so that nothing in the
    result depends on the clock, and the work clock is charged the time it is expected
    to take.

    Beside column generation's process the relaxation is not worked out: its thread
    took Python and a core from the search in the first seconds, which settle where a
    run ends, and column generation's bound passes it within 20 s (elementary: 105.7k at
    30 s against its 108.0k).  Elementary at 60 s, seeds 1-16 paired: mean 103,325
    against 103,101 with the thread (10 of 16 higher), no run placing fewer than 139
    needs (against three), 11 of 16 within 2% (against 9).  Given less time than that,
    the process works out the relaxation itself, first
    (`solver.column_bound.RELAXATION_BEFORE`)."""

    def __init__(self) -> None:
        self.session: float | None = None
        self.column = ColumnBound()
        self._thread: threading.Thread | None = None

    @property
    def value(self) -> int | None:
        # objectives are whole numbers, so a bound rounds down
        known = [b for b in (self.session, self.column.value) if b is not None and math.isfinite(b)]
        return math.floor(min(known) + 1e-6) if known else None

    def start(
        self, instance: Instance, options: SolveOptions, started: float, clock: Clock
    ) -> None:
        if options.reproducible:
            seconds = BOUND_SHARE * options.time_limit
            self.session = upper_bound(instance, seconds, options.safety_limit)
            expected = expected_seconds(instance)
            clock.spend(expected if expected <= seconds else 0.0)
            return
        if ColumnBound.applies(instance):
            self.column.start(instance.school, started + options.time_limit - time.monotonic())
            return
        seconds = started + BOUND_SHARE * options.time_limit - time.monotonic()
        self._thread = threading.Thread(target=self._work, args=(instance, seconds), daemon=True)
        self._thread.start()

    def _work(self, instance: Instance, seconds: float) -> None:
        self.session = upper_bound(instance, seconds)

    def wait(self, seconds: float) -> int | None:
        """The bound, once the relaxation is done or `seconds` have passed."""
        if self._thread is not None:
            self._thread.join(max(0.0, seconds))
        value = self.value
        self.column.stop()
        return value


def _pins_hold(groups: list[Candidate], targets: dict[int, Signature]) -> bool:
    placed_in = {i: c.signature for c in groups for i in c.members}
    return all(placed_in.get(index) == target for index, target in targets.items())


def _value(groups: list[Candidate]) -> int:
    return sum(c.value for c in groups)


def _search_value(instance: Instance, groups: list[Candidate]) -> int:
    return sum(instance.search_value(c) for c in groups)


def _placed(groups: list[Candidate]) -> int:
    return sum(len(c.members) for c in groups)
