"""The best weekly meeting times of many member sets at once, and what they can be worth.

Listing (`solver.listing`) prices thousands of member sets of one family (staff member,
bucket, session count) together: `together[row, day, start]` is what set `row` gains by
meeting that day at that start, less the price of the minutes it takes that day.  A
group picks `sessions` days and a start on each.  Were that all, each day's best start
would do; but `solver.packing` also prices a person's time of day across most of the
week (its week rows), and a group pays for a time only when it holds it on most days.
Choosing the times is then a small combinatorial problem per set, solved here in
three ways:

- meeting at one start time, exactly;
- with two or more start times, an upper bound by Lagrangian relaxation: a price on
  each time of day, paid by every day that holds it, with (most - 1) of them given
  back, makes the days independent again; a few subgradient steps lower those prices;
- where asked (`exact`), the rows still worth something are searched pattern by pattern,
  branch and bound under those prices, for the exact best.  The relaxation misses what
  does not decompose by day: a time change for each start beyond the second, a time
  held on most days by some of the group's sessions only.

The upper bound lets column generation's prices bound every schedule
(`solver.listing.Listed.bound`); the times each step picks are offered as groups.
Without it, on elementary at the converged prices, groups meeting at a common start on
most days escaped the week rows and the bound stayed at 121.8k; with it, 106.4k.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from itertools import combinations

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
Pattern = npt.NDArray[np.int64]
"""Per row, `sessions` pairs (day position, start position)."""

NEVER = -1e9
"""The value of a time a member cannot meet."""
FILLED = -NEVER
"""The price of a row the held groups fill (`solver.pricing.ColumnPool.fix`): like a time
nobody is free, no group using it is worth offering."""
STEPS = 12
"""Subgradient steps on the week rows' prices (on elementary the bound stops improving
after about ten)."""
GOLDEN = 0x9E3779B97F4A7C15
"""splitmix64's increment: spreads `descending`'s salts over the 64 bits."""
MAX_NODES = 20_000
"""The exact search gives up on a row after this many partial patterns, keeping its
Lagrangian bound."""


def descending(values: Array, salt: int, positions: Pattern | None = None) -> Pattern:
    """Indices of `values` from the highest value to the lowest, ties in an order
    scrambled by `salt` and each value's position (`positions`; by default its index),
    the same on every processor.  numpy's default sort leaves ties in an order that
    depends on its vector instructions, and with one worker the schedule must not:
    elementary at 60 s gave 102,838 here and 103,585 with numpy's AVX-512 off; now
    103,400 both ways.  In position order a chunk's first member sets, which share most
    of their members, would be offered each time: in 60 s elementary solves the column
    bound's process then stopped at 105,195, against 105,150."""
    where = np.arange(len(values)) if positions is None else positions
    mixed = where.astype(np.uint64) ^ np.uint64(salt * GOLDEN % 2**64)
    for shift, factor in ((30, 0xBF58476D1CE4E5B9), (27, 0x94D049BB133111EB)):
        mixed = (mixed ^ (mixed >> np.uint64(shift))) * np.uint64(factor)
    order: Pattern = np.lexsort((mixed, -values))
    return order


@dataclass
class Week:
    """The week rows one chunk of member sets meets, by time of day (grid point)."""

    students: Array
    """Per row, the members' week-row prices at each grid point, summed."""
    staff: Array
    """The staff member's week-row price at each grid point."""
    cover: Array
    """Per start, the grid points a session starting then holds (1.0) for its members."""
    staff_cover: Array
    """The same for the staff member, whose sessions also hold the buffer after them."""
    most: int
    """A time of day held on this many days or more pays its week rows."""
    paid: dict[tuple[int, tuple[int, ...]], float] = field(default_factory=dict, init=False)
    """`pattern_price` by row and starts: the exact search meets one row's starts again on
    other days, and working them out at each of its leaves took a third of a listing with
    exact times (elementary's, after 25 rounds of the column bound)."""

    def one_start_price(self) -> Array:
        """Per row and start, the week rows paid by meeting at that start on most days."""
        return self.charged(self.students, self.staff)

    def charged(self, students: Array, staff: Array) -> Array:
        """Per row and start, the prices (by grid point) of the points a session starting
        then holds, the members' and the staff member's, summed.  Summed by numpy, point by
        point, rather than as `students @ cover.T`: BLAS sums in an order its kernel for
        the processor picks, and with one worker the schedule must not depend on it
        (elementary, one worker at 60 s, seed 0: 102,395 with OpenBLAS's Haswell kernel,
        102,835 with its Sandybridge or Nehalem kernels, the same machine and code)."""
        return _summed(students, self._points[0]) + _summed(staff, self._points[1])

    @cached_property
    def _points(self) -> tuple[PointsByStart, PointsByStart]:
        return _points_by_start(self.cover), _points_by_start(self.staff_cover)

    def pattern_price(self, row: int, starts: list[int]) -> float:
        """The week rows one row pays meeting at these starts, a session each: those of
        every time of day held on most days."""
        held = sorted(starts)
        key = (row, tuple(held))
        if key not in self.paid:
            students = self.cover[held].sum(axis=0) >= self.most
            staff = self.staff_cover[held].sum(axis=0) >= self.most
            self.paid[key] = float(self.students[row][students].sum() + self.staff[staff].sum())
        return self.paid[key]


PointsByStart = tuple[Pattern, Pattern]
"""The grid points each start holds (positions in a week's points), start after start,
and where each start's points begin among them."""


def _points_by_start(cover: Array) -> PointsByStart:
    """Every start holds its own grid point, so none is missing from `np.nonzero`."""
    starts, points = np.nonzero(cover)
    return points, np.searchsorted(starts, np.arange(len(cover)))


def _summed(prices: Array, points_by_start: PointsByStart) -> Array:
    """Per start, `prices` (by grid point, on the last axis) summed over its points."""
    points, begin = points_by_start
    result: Array = np.add.reduceat(prices[..., points], begin, axis=-1)
    return result


@dataclass
class Times:
    """The outcome for one chunk of member sets."""

    upper: Array
    """Per row, no meeting pattern is worth more (below NEVER / 2: the set cannot meet)."""
    patterns: list[Pattern]
    """The patterns the search looked at, best guesses first."""
    searched: int = 0
    """Rows whose day-by-day bound left them worth a closer look: most of the work."""


def best_times(
    together: Array,
    sessions: int,
    week: Week | None,
    time_changes: int,
    floor: Array,
    exact: bool = False,
) -> Times:
    """The worth of each row's best meeting pattern, bounded from above; with `exact`,
    the rows still above `floor` are searched for their exact best (`_exact`).

    `together` has at least `sessions` days.  `week` is None when no group of this size
    holds a time on most days.  Rows whose bound is already at most `floor` are not worth
    a tighter one.
    """
    # each day's best start, week rows unpaid, bounds every pattern: most rows stop here
    upper, pattern = _each_day(together, sessions)
    live = upper > floor
    if not live.any():
        return Times(upper, [pattern])
    together, floor = together[live], floor[live]
    if week is not None:
        week = replace(week, students=week.students[live])
    charge = week.one_start_price() if week is not None else np.zeros(together.shape[::2])
    one_value, one_pattern = _one_start(together, sessions, charge)
    relaxed = _relaxed(together, sessions, week, floor, upper[live], pattern[live])
    # two or more start times cost at least one time change
    bound = np.maximum(one_value, relaxed.best - time_changes)
    patterns = [one_pattern, *relaxed.patterns]
    if exact:
        searched = _exact(together, sessions, week, time_changes, floor, bound, relaxed)
        bound = np.minimum(bound, searched.upper)
        patterns.append(np.where(searched.found[:, None, None], searched.pattern, one_pattern))
    upper[live] = bound
    return Times(upper, [_rows(pattern, live, p) for p in patterns], int(live.sum()))


def _rows(every: Pattern, live: npt.NDArray[np.bool_], some: Pattern) -> Pattern:
    """The live rows' patterns in place of theirs in `every`."""
    result = every.copy()
    result[live] = some
    return result


def _one_start(together: Array, sessions: int, charge: Array) -> tuple[Array, Pattern]:
    """Meeting at one start on its best days, week rows paid in full."""
    # ties in day order on every processor (`descending`)
    order = np.argsort(-together, axis=1, kind="stable")[:, :sessions, :]
    value = np.take_along_axis(together, order, axis=1).sum(axis=1) - charge
    start = value.argmax(axis=1)
    days = np.take_along_axis(order, start[:, None, None], axis=2)[:, :, 0]
    return value.max(axis=1), np.stack([days, np.broadcast_to(start[:, None], days.shape)], 2)


@dataclass
class Relaxed:
    """What the Lagrangian steps found, per row."""

    best: Array
    """No pattern is worth more, time changes left out."""
    patterns: list[Pattern]
    """Each step's choice of days and starts."""
    charged: Array
    """The prices of the step that gave `best`, per (row, start)..."""
    given_back: Array
    """...and what that step gave back."""


def _relaxed(
    together: Array,
    sessions: int,
    week: Week | None,
    floor: Array,
    unpriced: Array,
    unpriced_pattern: Pattern,
) -> Relaxed:
    """Upper bounds for any pattern, by Lagrangian relaxation of the week rows, from
    each day's best start with the week rows unpaid (`unpriced`, the first step).

    A time of day held on c of the group's days pays its price w when c >= most.  For
    any 0 <= p <= w / (sessions - most + 1), w * [c >= most] >= p * (c - (most - 1)), so
    charging p on every day that holds the time and giving back (most - 1) * p never
    understates what a pattern is worth, and the days are chosen independently.  Any
    such p gives a bound; the steps move p towards the lowest.
    """
    best_charged = np.zeros((len(together), together.shape[2]))
    best_given_back = np.zeros(len(together))
    if week is None:
        return Relaxed(unpriced, [unpriced_pattern], best_charged, best_given_back)
    share = 1.0 / (sessions - week.most + 1)
    students_cap = week.students * share
    staff_cap = np.broadcast_to(week.staff * share, students_cap.shape)
    students, staff = np.zeros_like(students_cap), np.zeros_like(staff_cap)
    best = unpriced.copy()
    live = np.arange(len(together))
    patterns = [unpriced_pattern]
    for step in range(STEPS - 1):
        # only rows that may still be worth something need a tighter bound
        keep = best[live] > floor[live]
        if not keep.any():
            break
        live, students, staff = live[keep], students[keep], staff[keep]
        students_cap, staff_cap = students_cap[keep], staff_cap[keep]
        held = patterns[-1][live, :, 1]
        size = 1.0 / (1 + step)
        students = _step(students, students_cap, week.cover[held].sum(axis=1), week.most, size)
        staff = _step(staff, staff_cap, week.staff_cover[held].sum(axis=1), week.most, size)
        charged = week.charged(students, staff)
        value, pattern = _each_day(together[live] - charged[:, None, :], sessions)
        given_back = (week.most - 1) * (students.sum(axis=1) + staff.sum(axis=1))
        lower = value + given_back < best[live]
        best[live[lower]] = value[lower] + given_back[lower]
        best_charged[live[lower]] = charged[lower]
        best_given_back[live[lower]] = given_back[lower]
        latest = patterns[-1].copy()
        latest[live] = pattern
        patterns.append(latest)
    return Relaxed(best, patterns, best_charged, best_given_back)


def _step(prices: Array, cap: Array, held: Array, most: int, size: float) -> Array:
    """Raise the price of times held on most days, lower it elsewhere (a subgradient step
    of `size` times the cap), within [0, cap]."""
    result: Array = np.clip(prices + size * cap * (held - (most - 1)), 0.0, cap)
    return result


def _each_day(adjusted: Array, sessions: int) -> tuple[Array, Pattern]:
    """Each day's best start, on the best `sessions` days."""
    starts = adjusted.argmax(axis=2)
    per_day = np.take_along_axis(adjusted, starts[:, :, None], axis=2)[:, :, 0]
    days = np.argsort(-per_day, axis=1, kind="stable")[:, :sessions]  # as in `_one_start`
    value = np.take_along_axis(per_day, days, axis=1).sum(axis=1)
    return value, np.stack([days, np.take_along_axis(starts, days, axis=1)], axis=2)


@dataclass
class Searched:
    """What the exact search found, per row."""

    upper: Array
    """Per row, the exact best pattern's worth, or the row's floor when none is worth
    more (inf where the search gave up)."""
    found: npt.NDArray[np.bool_]
    """The rows where a pattern worth more than the floor was found..."""
    pattern: Pattern
    """...and that pattern."""


def _exact(
    together: Array,
    sessions: int,
    week: Week | None,
    time_changes: int,
    floor: Array,
    bound: Array,
    relaxed: Relaxed,
) -> Searched:
    """The exact best pattern of each row whose bound is above its floor: depth first over
    its days' starts, each day's in order of worth under the Lagrangian prices of its
    best step, a branch dropped once those prices say it cannot beat the best so far.  At
    elementary's converged column bound, 318 rows are left above their floor, and their
    exact patterns take the bound from 106,041 to 105,867."""
    upper = np.full(len(together), np.inf)
    found = np.zeros(len(together), dtype=bool)
    pattern = np.zeros((len(together), sessions, 2), dtype=np.int64)
    for row in np.nonzero(bound > floor)[0].tolist():
        adjusted = together[row] - relaxed.charged[row][None, :]
        search = _RowSearch(together[row], adjusted, sessions, week, row, time_changes)
        best, chosen = search.run(float(floor[row]), float(relaxed.given_back[row]))
        if best is None:
            continue
        upper[row] = best
        if chosen is not None:
            found[row] = True
            pattern[row] = chosen
    return Searched(upper, found, pattern)


class _RowSearch:
    """Branch and bound over one row's patterns.  Any pattern is worth at most its days'
    `adjusted` worths plus what the prices give back: the bound that prunes."""

    def __init__(
        self,
        together: Array,
        adjusted: Array,
        sessions: int,
        week: Week | None,
        row: int,
        time_changes: int,
    ) -> None:
        self.together, self.sessions, self.week, self.row = together, sessions, week, row
        self.time_changes = time_changes
        # starts in numpy's order, unlike `descending`: only the column bound's process
        # searches them, and one worker never starts it.  Scrambled, 60 s elementary
        # solves (seeds 7-12) averaged 102,948 against 103,137, though that process's
        # bound stopped a little lower (105,150 against 105,155).
        self.order = [
            [
                (float(adjusted[d, s]), s)
                for s in np.argsort(-adjusted[d]).tolist()
                if together[d, s] > NEVER / 2
            ]
            for d in range(len(together))
        ]
        self.nodes = 0

    def run(self, floor: float, given_back: float) -> tuple[float | None, Pattern | None]:
        """(worth, pattern) of the best pattern worth more than `floor`, (floor, None)
        when there is none, (None, None) when the search gave up."""
        self.best, self.given_back = floor, given_back
        self.chosen: Pattern | None = None
        options = []
        for days in combinations(range(len(self.together)), self.sessions):
            if any(not self.order[d] for d in days):
                continue
            rest = [0.0] * (len(days) + 1)
            for position in range(len(days) - 1, -1, -1):
                rest[position] = rest[position + 1] + self.order[days[position]][0][0]
            options.append((rest, days))
        # the most promising days first: a good pattern found early prunes the rest
        for rest, days in sorted(options, key=lambda option: -option[0][0]):
            if rest[0] + self.given_back <= self.best:
                break
            if not self._branch(days, rest, 0, 0.0, []):
                return None, None
        return self.best, self.chosen

    def _branch(
        self,
        days: tuple[int, ...],
        rest: list[float],
        position: int,
        worth: float,
        starts: list[int],
    ) -> bool:
        """False once the search has gone on too long."""
        self.nodes += 1
        if self.nodes > MAX_NODES:
            return False
        if position == len(days):
            self._leaf(days, starts)
            return True
        # time changes only grow as the pattern does
        changes = self.time_changes * max(0, len(set(starts)) - 1)
        for value, start in self.order[days[position]]:
            ceiling = worth + value + rest[position + 1] + self.given_back - changes
            if ceiling <= self.best:
                break
            if starts and start not in starts and ceiling - self.time_changes <= self.best:
                continue
            if not self._branch(days, rest, position + 1, worth + value, [*starts, start]):
                return False
        return True

    def _leaf(self, days: tuple[int, ...], starts: list[int]) -> None:
        worth = sum(float(self.together[d, s]) for d, s in zip(days, starts, strict=True))
        worth -= self.time_changes * (len(set(starts)) - 1)
        if self.week is not None:
            worth -= self.week.pattern_price(self.row, starts)
        if worth > self.best:
            self.best = worth
            self.chosen = np.array(list(zip(days, starts, strict=True)), dtype=np.int64)
