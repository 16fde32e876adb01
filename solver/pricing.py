"""Column generation: the LP over candidate groups says which new groups are worth adding.

The LP relaxation of the packing model prices every resource: a need, a staff
member's minute, a student's minute.  A candidate group is worth adding when its
value exceeds the price of what it uses (a positive reduced cost); PDLP solves it
(`solver.group_lp`).
Pricing enumerates every one-start meeting pattern of every bucket and qualified
staff member, and picks members heuristically (`best_members`), so the loop
stops when no such group prices out, or at its deadline.  In the neighbourhoods,
`solver.listing` also offers what that heuristic misses.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from itertools import repeat

from ortools.pdlp import solvers_pb2

from solver.candidates import (
    Bucket,
    Candidate,
    Instance,
    Pattern,
    best_members,
    signature_of,
)
from solver.clock import Clock
from solver.cuts import Cut
from solver.group_lp import GroupLP, Solved
from solver.listing import Listed, Listing
from solver.meeting import FILLED
from solver.model import Staff
from solver.options import Stop
from solver.packing import (
    Resource,
    filled,
    fits,
    left_beside,
    member_resources,
    resources,
    staff_resources,
)
from solver.timegrid import Slot

ADD_PER_ROUND = 400
"""Candidate groups added per round, at least; large schools add two per need."""
EPSILON = 1e-6
PDLP_TOLERANCE = 5e-4
"""PDLP's relative and absolute tolerance: pricing needs prices roughly right, and
sooner.  Elementary at 60 s over ten seeds (5-14): median 100.6k (99.3-102.2k) against
99.8k (98.0-100.7k) at 1e-4."""
PROMISING_SHARE = 0.45
"""Share of the pool a neighbourhood's packing considers (`ColumnPool.promising`)."""
PROMISING_LEAST = 2000
"""A neighbourhood's packing considers at least this many groups."""


@dataclass
class RoundWork:
    """What a column-generation round did, counted: reproducible mode's clock advances by
    its `seconds` (`solver.clock.WorkClock`), which never depend on the machine."""

    lp: int = 0
    """PDLP's iterations times the LP's nonzeros."""
    priced: int = 0
    """Needs priced, summed over meeting patterns."""
    listed: int = 0
    """Needs in the member sets listed."""
    chunks: int = 0
    """Chunks of member sets listed."""
    searched: int = 0
    """Member sets listed whose times were searched past the day-by-day bound."""
    built: int = 0
    """(need, slot) pairs of the families the listing built (each once, when first reached)."""
    added: int = 0
    """Groups added to the pool."""

    def add_listing(self, listed: Listed) -> None:
        """The work of this listing, so far or whole."""
        self.listed += listed.size
        self.chunks += listed.chunks
        self.searched += listed.searched
        self.built += listed.built

    def seconds(self) -> float:
        """About the seconds the round took, at the pace of `solver.clock`: non-negative
        least squares over the 530 rounds of one-worker solves of the benchmark's schools
        (small at 10 s, elementary at 60 s, k8 at 120 s, the 900-need K-8 at 60 s) on a
        machine whose loop took 0.48-0.50 s, each round's wall time over
        `solver.clock.PACE`.  Their rounds took 5.2, 30.2, 50.8 and 59.6 s; estimated
        6.0, 28.7, 51.6 and 59.3 s (a round's median error 11-24%).  The weights fitted
        on 2026-12-02, without the listing's searched sets and built families, counted
        them as 6.6, 34.2, 55.3 and 44.6 s: the 900-need K-8's four listings took 4-12 s
        each, and a one-worker solve of it returned after 78 s of 60."""
        return (
            LP_SECONDS * self.lp
            + PRICED_SECONDS * self.priced
            + LISTED_SECONDS * self.listed
            + CHUNK_SECONDS * self.chunks
            + SEARCHED_SECONDS * self.searched
            + BUILT_SECONDS * self.built
            + ADDED_SECONDS * self.added
        )


LP_SECONDS = 1.09e-9
PRICED_SECONDS = 1.2e-5
LISTED_SECONDS = 8.15e-7
CHUNK_SECONDS = 8.68e-4
SEARCHED_SECONDS = 3.45e-5
BUILT_SECONDS = 8.85e-7
ADDED_SECONDS = 1.87e-4
SCANNED_SECONDS = 5e-6
"""Reproducible mode: the seconds `ColumnPool.fix` is counted for each group of the pool,
which it asks whether the group fits beside the held ones.  That scan, not the groups
entering the LP, is most of its time: one-worker solves on a machine whose loop took
0.50 s spent 6.1-10.6 µs a group of the pool (small, elementary, k8, the 900-need K-8),
where a group entering took 10.6-107 µs; so about 5 µs at the pace of `solver.clock`."""


@dataclass
class ColumnPool:
    """The candidate groups found so far and the LP over them."""

    instance: Instance
    candidates: list[Candidate]
    rounds: int = 0
    tolerance: float = PDLP_TOLERANCE
    clock: Clock = field(default_factory=Clock)
    """The search's clock (`solver.clock`): deadlines are read off it, and a round's work
    is spent on it."""
    round_seconds: float = 0.0
    """How long the last column-generation round took, on `clock`: a round cannot stop
    part-way."""
    warm_start: bool = False
    """Whether PDLP starts the whole pool's LP from its last solution (a neighbourhood's
    rounds always do: `solve`).  The column bound's process does; the search does not:
    started from a solution at PDLP's tolerance, its phases' column generation finds
    nothing priced out too soon (elementary at 60 s, seed 3: after 6 rounds and 1.0k
    groups, against 16 rounds and 3.0k cold), and did worse on k8 at 120 s, seed 1
    (247.5k against 260.3k cold; seed 0 259.2k against 259.4k)."""

    def __post_init__(self) -> None:
        self.lp = GroupLP()
        """The LP over every group of the pool, grown as groups join."""
        self.held: list[Candidate] = []
        """The groups `fix` runs: the search's neighbourhood holds them."""
        self.left: dict[Resource, int] = {}
        """What the held groups leave of each row they use (`left_beside`)."""
        self.full: set[Resource] = set()
        """The rows the held groups fill (`filled`)."""
        self.beside: GroupLP | None = None
        """While groups are held, the LP over the others that fit beside them (`fix`)."""
        self.solved = Solved()
        """The last LP's solution."""
        self.value = 0.0
        """The last LP's objective, with the held groups'."""
        self.solve_to(self.tolerance)
        self.keys: set[object] = set()
        self.member_values: dict[tuple[int, tuple[Slot, ...]], int] = {}
        self.ceilings: dict[tuple[int, tuple[Slot, ...]], float] = {}
        self.prices: dict[Resource, float] = {}
        self.member_prices: dict[tuple[int, tuple[Slot, ...]], float] = {}
        self.used: dict[tuple[object, ...], tuple[Resource, ...]] = {}
        """The rows a staff member's or a need's part of a group uses, by staff member or
        need, times and length: they never change, so they are found once for the pool's
        life (in a 60 s elementary solve, a round's pricing took 1.06 s finding them every
        round, and takes 0.84 s; the groups offered are the same)."""
        self.interned: dict[Resource, Resource] = {}
        """One copy of each row's name, however many groups use the row."""
        self.group_rows: dict[object, tuple[tuple[Resource, int], ...]] = {}
        """Each group's rows (`rows_of`)."""
        self.reduced: dict[object, float] = {}
        """Each group's reduced cost at the prices of the last LP solved."""
        self.bucket_cuts: dict[Bucket | None, list[Cut]] = {}
        """Rows beyond the packing model's (`solver.cuts`), by the bucket whose groups they
        count (`cuts_of`); only the column bound adds them."""
        self.bound = math.inf
        """The lowest bound on every schedule the listing has given at the pool's prices."""
        existing, self.candidates = self.candidates, []
        self.add(existing)

    def add(self, new: list[Candidate]) -> int:
        added = 0
        for candidate in new:
            if candidate.key in self.keys:
                continue
            self.keys.add(candidate.key)
            self.candidates.append(candidate)
            self.group_rows[candidate.key] = tuple(
                (self.interned.setdefault(r, r), capacity)
                for r, capacity in resources(self.instance, candidate)
            )
            self._enter(self.lp, candidate, {})
            if self.beside is not None and fits(candidate, self.full, self.rows_of):
                self._enter(self.beside, candidate, self.left)
            added += 1
        return added

    def _enter(self, program: GroupLP, candidate: Candidate, left: dict[Resource, int]) -> None:
        """The group joins the LP, each row at what `left` says is left of it."""
        program.add(candidate, self.instance.search_value(candidate))
        rows = self.group_rows[candidate.key]
        entries = [(r, left.get(r, capacity), 1) for r, capacity in rows]
        entries += self._cut_entries(cuts_of(self.bucket_cuts, candidate), candidate, left)
        program.enter(candidate, entries)

    def add_cuts(self, cuts: Sequence[Cut]) -> None:
        """These rows join the LP, for the groups in the pool and those added later.  A cut
        the pool has already is left out: the listing charges each cut of `cuts` its
        price, so one twice would be charged twice and the bound would be wrong."""
        present = set(self.cuts)
        new = [cut for cut in dict.fromkeys(cuts) if cut not in present]
        added: dict[Bucket | None, list[Cut]] = {}
        for cut in new:
            added.setdefault(cut.bucket, []).append(cut)
            self.bucket_cuts.setdefault(cut.bucket, []).append(cut)
        for candidate in self.candidates:
            self.lp.enter(candidate, self._cut_entries(cuts_of(added, candidate), candidate, {}))

    @staticmethod
    def _cut_entries(
        cuts: list[Cut], candidate: Candidate, left: dict[Resource, int]
    ) -> list[tuple[Resource, int, int]]:
        """The group's entries in the cuts it counts in, each row at what `left` says is
        left of it."""
        entries = []
        for cut in cuts:
            coefficient = cut.coefficient(candidate)
            if coefficient:
                entries.append((cut.row, left.get(cut.row, cut.capacity), coefficient))
        return entries

    @property
    def cuts(self) -> list[Cut]:
        return [cut for cuts in self.bucket_cuts.values() for cut in cuts]

    def running(self) -> dict[Candidate, float]:
        """The groups the LP last solved runs, and in what fraction."""
        solved = self.solved
        return {c: x for c, x in zip(solved.columns, solved.primal, strict=True) if x > EPSILON}

    def solve_to(self, tolerance: float) -> None:
        """PDLP's relative and absolute tolerance for the LPs from now on."""
        self.tolerance = tolerance
        self.parameters = solvers_pb2.PrimalDualHybridGradientParams(num_threads=1)
        optimality = self.parameters.termination_criteria.simple_optimality_criteria
        optimality.eps_optimal_relative = tolerance
        optimality.eps_optimal_absolute = tolerance

    def fix(self, groups: list[Candidate]) -> None:
        """These groups run: the LP is then over the groups that fit beside them, with what
        the held groups leave of each row, so its prices say what is worth adding around
        them.  A row they fill is priced at `FILLED` (no group using it could run).  Held
        as fixed columns of the whole LP instead, six neighbourhood LPs of a 40 s elementary
        solve had 5.7-6.6k groups, and reading and solving each took PDLP 0.26-0.43 s;
        beside the held groups, 0.3-1.9k groups and 0.01-0.10 s.  Elementary at 60 s,
        seeds 0-11 paired: mean 102.82k against 102.40k, 9 of 12 higher."""
        self.add(groups)
        self.held = list(groups)
        self.left = left_beside(groups, self.rows_of)
        for cut in self.cuts:
            used = sum(cut.coefficient(c) for c in groups)
            if used:
                self.left[cut.row] = cut.capacity - used
        self.full = filled(self.left)
        held = {c.key for c in groups}
        self.beside = GroupLP()
        for candidate in self.candidates:
            if candidate.key not in held and fits(candidate, self.full, self.rows_of):
                self._enter(self.beside, candidate, self.left)
        self.clock.spend(SCANNED_SECONDS * len(self.candidates))

    def release(self) -> None:
        self.held, self.left, self.full, self.beside = [], {}, set(), None

    def solve(self) -> int:
        """Solve the LP (beside the held groups, while there are) and read its prices;
        returns PDLP's work, its iterations times the LP's nonzeros (`RoundWork.lp`).
        A neighbourhood's rounds after its first start from the round before, whose LP
        differs only by the groups that round added: PDLP then took 296 iterations
        where it had taken 559 (elementary at 60 s, seed 3: 0.038 s a solve against
        0.127 s).  Seeds 1-12 paired: mean 103,283 against 103,176, 8 of 12 higher,
        within the seeds' spread (9 of 12 within 2% either way); k8 at 120 s, seeds 0-3:
        mean 264,519 against 262,862, 3 of 4 higher.  One worker's clock, which counts
        iterations, still tracks the wall: run back to back, elementary returned after
        70.5 s against 71.1 s, k8 after 127.0 s against 121.8 s."""
        if self.beside is None:
            self.solved = self.lp.solve(self.parameters, self.warm_start)
            self.reduced = self.solved.reduced
        else:
            self.solved = self.beside.solve(self.parameters, warm_start=True)
            self.solved.prices |= {row: FILLED for row in self.left if row in self.full}
            # a group not in this LP cannot run beside the held ones (or is one of them)
            self.reduced = dict.fromkeys(self.keys, -math.inf) | self.solved.reduced
        self.value = self.solved.value + sum(self.instance.search_value(c) for c in self.held)
        self.prices = self.solved.prices
        self.member_prices = {}
        return self.solved.work

    def promising(
        self,
        schedule: list[Candidate],
        share: float = PROMISING_SHARE,
        least: int = PROMISING_LEAST,
    ) -> list[Candidate]:
        """The groups of highest reduced cost (those added since the LP was solved priced
        out, so they count as highest), `share` of the pool and at least `least`, and the
        schedule's groups.  A group the LP prices far below its value seldom belongs to a
        good schedule, and CP-SAT packs the rest much sooner.  Over the 7.3k groups left
        after a 60 s elementary solve, started from its 99.0k schedule, the best 3,000
        gave 99.8k within 6 s (proven optimal in 4 s, two CP-SAT seeds of three), where
        the whole pool found nothing better in 6 s.  After another solve (6.7k groups)
        both found 98.6k: the best 3,000 proved it in 1.4 s, the whole pool ran 6.4 s.
        """
        count = max(least, round(share * len(self.candidates)))
        if count >= len(self.candidates):
            return list(self.candidates)
        ranked = sorted(self.candidates, key=lambda c: -self.reduced.get(c.key, math.inf))
        keep = {c.key for c in schedule}
        return ranked[:count] + [c for c in ranked[count:] if c.key in keep]

    def rows_of(self, candidate: Candidate) -> Sequence[tuple[Resource, int]]:
        """A pool group's rows (`resources`), kept from when it joined the pool: every
        packing reads them for thousands of groups (all of them the pool's), and finding
        them again took 4.2 of a 60 s elementary solve's 45.6 s of neighbourhoods."""
        return self.group_rows[candidate.key]

    def price(self, resource: Resource) -> float:
        return self.prices.get(resource, 0.0)

    def cut_price(self, group: Candidate) -> float:
        """The price of the cuts a group counts in, which `resources` does not name."""
        cuts = cuts_of(self.bucket_cuts, group)
        return sum(self.price(cut.row) * cut.coefficient(group) for cut in cuts)

    def priced_capacity(self) -> float:
        """Each row's price times its capacity, summed: the prices' share of a bound."""
        rows = self.lp.rows
        return float(sum(p * rows[resource].capacity for resource, p in self.prices.items()))

    def member_value(self, index: int, slots: tuple[Slot, ...]) -> int:
        """A need's share of the objective at these times; it never changes, so it is
        computed once for the pool's life."""
        key = (index, slots)
        if key not in self.member_values:
            self.member_values[key] = self.instance.member_value(index, slots)
        return self.member_values[key]

    def ceiling(self, pattern: Pattern) -> float:
        """The most a group of these times could be worth before any price: its best
        members' values, with what keeping their old groups adds.  No price is negative, so
        no group of these times prices out with a staff member whose time costs this much."""
        key = (pattern.free[0], pattern.slots)  # a need's bucket and the times: one pattern
        if key not in self.ceilings:
            instance = self.instance
            size = instance.by_index[pattern.free[0]].program.max_size
            most: dict[int, float] = {
                index: self.member_value(index, pattern.slots) + instance.most_stay_bonus(index)
                for index in pattern.free
            }
            self.ceilings[key] = _most(most, size)
        return self.ceilings[key]

    def member_price(self, index: int, group: Candidate) -> float:
        """The price of what a need uses in a group: itself and its student's minutes (the
        same for every staff member offering these times, so asked once a round)."""
        key = (index, group.slots)
        price = self.member_prices.get(key)
        if price is None:
            used = self._rows(("need", *key), lambda: member_resources(self.instance, index, group))
            price = self.member_prices[key] = self.total_price(used)
        return price

    def staff_price(self, group: Candidate) -> float:
        """The price of what the staff member uses in a group (`staff_resources`)."""
        key = ("staff", group.staff_id, group.slots, group.minutes)
        used = self._rows(key, lambda: [r for r, _ in staff_resources(self.instance, group)])
        return self.total_price(used)

    def total_price(self, rows: Iterable[Resource]) -> float:
        """The rows' prices summed; pricing asks this millions of times a round, so it
        reads the prices without a call per row."""
        return sum(map(self.prices.get, rows, repeat(0.0)))

    def _rows(
        self, key: tuple[object, ...], find: Callable[[], list[Resource]]
    ) -> tuple[Resource, ...]:
        used = self.used.get(key)
        if used is None:
            used = self.used[key] = tuple(self.interned.setdefault(r, r) for r in find())
        return used


def cuts_of(by_bucket: dict[Bucket | None, list[Cut]], group: Candidate) -> list[Cut]:
    """The cuts a group may count in: its bucket's, and those of no one bucket.  The
    column bound's LP gathers thousands of member cuts, and asking every one of them
    about every group offered took about 2 of the 52 s elementary's took to converge."""
    return by_bucket.get(group.bucket, []) + by_bucket.get(None, [])


def generate_columns(
    pool: ColumnPool,
    deadline: float,
    on_round: Callable[[ColumnPool], None] | None = None,
    stop: Stop | None = None,
    max_rounds: int | None = None,
    listing: Listing | None = None,
    listing_only: bool = False,
) -> bool:
    """Add priced-out candidate groups until the deadline, max_rounds (counted over the
    pool's life) or stop; True when none is left to add.  With `listing`, its groups are
    priced too; `listing_only` where it lists every family, and so prices every group.
    The search adds the best `ADD_PER_ROUND` a round (more did no better); listing only,
    every group offered joins, and the column bound falls sooner: elementary, alone on
    one core, 105,134 after 48 s and 105,116 after 68 s, against 105,160 after 50 s and
    105,119 after 73 s when it added the best 400; elementary-seed2 106,739 after 47 s
    against 106,752 after 54 s."""
    while pool.clock.now() < deadline and not (stop and stop.is_set()):
        if max_rounds is not None and pool.rounds >= max_rounds:
            break
        began = pool.clock.now()
        work = RoundWork(lp=pool.solve())
        pool.rounds += 1
        if on_round is not None:
            on_round(pool)
        found = [] if listing_only else _priced_candidates(pool, deadline, work)
        if listing is not None:
            found += _listed_candidates(pool, listing, deadline, work)
        found.sort(key=lambda offer: -offer[0])
        count = len(found) if listing_only else max(ADD_PER_ROUND, 2 * len(pool.instance.needs))
        best = [instance_candidate(pool.instance, offer) for offer in found[:count]]
        work.added = pool.add(best)
        pool.clock.spend(work.seconds())
        pool.round_seconds = pool.clock.now() - began
        if work.added == 0:
            return True
    return False


Offer = tuple[float, Staff, tuple[int, ...], tuple[Slot, ...]]
"""A priced group not yet built: reduced cost, staff member, members, slots."""


def instance_candidate(instance: Instance, offer: Offer) -> Candidate:
    _, staff, members, slots = offer
    return instance.candidate(staff, members, slots)


def _priced_candidates(pool: ColumnPool, deadline: float, work: RoundWork) -> list[Offer]:
    instance = pool.instance
    found: list[Offer] = []
    for (bucket, sessions), patterns in instance.patterns.items():
        minutes = instance.buckets[bucket][0].program.minutes
        offering = [
            (staff, instance.staff_slots(staff, minutes))
            for staff in instance.qualified_staff(bucket)
        ]
        for pattern in patterns:
            free = [staff for staff, slots in offering if slots.issuperset(pattern.slots)]
            if free:
                found += _price_pattern(pool, free, pattern, sessions, work)
        if pool.clock.after(work.seconds()) > deadline:
            break
    return found


def _listed_candidates(
    pool: ColumnPool, listing: Listing, deadline: float, work: RoundWork
) -> list[Offer]:
    """The listing's groups whose exact reduced cost is positive; the bound its prices
    give lowers the pool's."""
    instance = pool.instance

    def now(so_far: Listed) -> float:
        with_listing = replace(work)
        with_listing.add_listing(so_far)
        return pool.clock.after(with_listing.seconds())

    listed = listing.price(pool.price, deadline, pool.cuts, now)
    work.add_listing(listed)
    bound = listed.bound(pool.priced_capacity())
    if bound is not None:
        pool.bound = min(pool.bound, bound)
    offers = []
    for group in listed.groups:
        used = resources(instance, group)
        reduced = instance.search_value(group) - pool.total_price(r for r, _ in used)
        reduced -= pool.cut_price(group)
        if reduced > EPSILON:
            staff = instance.school.staff_by_id[group.staff_id]
            offers.append((reduced, staff, group.members, group.slots))
    return offers


def _price_pattern(
    pool: ColumnPool, free_staff: list[Staff], pattern: Pattern, sessions: int, work: RoundWork
) -> list[Offer]:
    """The best groups of these times for each staff member free then.

    What a member is worth, and so the best member sets, do not depend on who teaches,
    except for needs whose old group this would be: they are worked out once, and not at
    all where every staff member's time costs more than the pattern's `ceiling` (in a
    neighbourhood, mostly time the held groups fill: pricing took 0.35 s a round on k8
    rather than 0.46 s).
    """
    instance = pool.instance
    probe = Candidate("", ("", "", 2), (), pattern.slots, _minutes(pool, pattern), 0)
    ceiling = pool.ceiling(pattern)
    offering = []
    for staff in free_staff:
        staffed = Candidate(staff.staff_id, probe.bucket, (), probe.slots, probe.minutes, 0)
        staff_price = pool.staff_price(staffed)
        if ceiling - staff_price > EPSILON:
            offering.append((staff, staffed, staff_price))
    if not offering:
        return []
    base = {
        index: pool.member_value(index, pattern.slots) - pool.member_price(index, probe)
        for index in pattern.free
    }
    work.priced += len(base)
    max_size = instance.by_index[pattern.free[0]].program.max_size
    most_of_base = _most(base, max_size)
    shared: list[tuple[int, ...]] | None = None
    result: list[Offer] = []
    for staff, staffed, staff_price in offering:
        worth = _with_history(instance, base, staffed)
        most = most_of_base if worth is base else _most(worth, max_size)
        if most - staff_price <= EPSILON:
            continue  # no group of these times can price out with this staff member
        if worth is not base:
            member_sets = best_members(instance, pattern, sessions, worth)[:2]
        else:
            if shared is None:
                shared = best_members(instance, pattern, sessions, base)[:2]
            member_sets = shared
        for members in member_sets:
            reduced = sum(worth[i] for i in members) - instance.spread_cost(members) - staff_price
            if reduced > EPSILON:
                result.append((reduced, staff, members, pattern.slots))
    return result


def _most(worth: dict[int, float], size: int) -> float:
    """The most any `size` members could be worth together."""
    return sum(sorted((w for w in worth.values() if w > 0), reverse=True)[:size])


def _with_history(instance: Instance, base: dict[int, float], group: Candidate) -> dict[int, float]:
    """Members' worth with what keeping or moving them from last window's group adds."""
    if not instance.old_signature:
        return base
    bucket = instance.by_index[next(iter(base))].bucket
    signature = signature_of(group.staff_id, bucket[0], bucket[1], group.slots, group.minutes)
    changes = {
        index: instance.stay_bonus(index, signature) - instance.moved_cost(index, signature)
        for index in base
        if index in instance.old_signature
    }
    if not any(changes.values()):
        return base
    return {index: worth + changes.get(index, 0) for index, worth in base.items()}


def _minutes(pool: ColumnPool, pattern: Pattern) -> int:
    return pool.instance.by_index[pattern.free[0]].program.minutes
