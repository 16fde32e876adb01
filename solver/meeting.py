"""The best weekly meeting times of many member sets at once, and what they can be worth.

Listing (`solver.listing`) prices thousands of member sets of one family (staff member,
bucket, session count) together: `together[row, day, start]` is what set `row` gains by
meeting that day at that start, less the price of the minutes it takes that day.  A
group picks `sessions` days and a start on each.  Were that all, each day's best start
would do; but `solver.packing` also prices a person's time of day across most of the
week (its week rows), and a group pays for a time only when it holds it on most days.
Choosing the times is then a small combinatorial problem per set, solved here in two
parts:

- meeting at one start time, exactly;
- with two or more start times, an upper bound by Lagrangian relaxation: a price on
  each time of day, paid by every day that holds it, with (most - 1) of them given
  back, makes the days independent again; a few subgradient steps lower those prices.

The upper bound lets column generation's prices bound every schedule
(`solver.listing.Listed.bound`); the times each step picks are offered as groups.
Without it, on elementary at the converged prices, groups meeting at a common start on
most days escaped the week rows and the bound stayed at 121.8k; with it, 106.4k.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
Pattern = npt.NDArray[np.int64]
"""Per row, `sessions` pairs (day position, start position)."""

NEVER = -1e9
"""The value of a time a member cannot meet."""
STEPS = 12
"""Subgradient steps on the week rows' prices (on elementary the bound stops improving
after about ten)."""


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

    def one_start_price(self) -> Array:
        """Per row and start, the week rows paid by meeting at that start on most days."""
        result: Array = self.students @ self.cover.T + self.staff @ self.staff_cover.T
        return result


@dataclass
class Times:
    """The outcome for one chunk of member sets."""

    upper: Array
    """Per row, no meeting pattern is worth more (below NEVER / 2: the set cannot meet)."""
    patterns: list[Pattern]
    """The patterns the search looked at, best guesses first."""


def best_times(
    together: Array, sessions: int, week: Week | None, time_changes: int, floor: Array
) -> Times:
    """The worth of each row's best meeting pattern, bounded from above.

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
    relaxed, patterns = _relaxed(together, sessions, week, floor, upper[live], pattern[live])
    # two or more start times cost at least one time change
    upper[live] = np.maximum(one_value, relaxed - time_changes)
    return Times(upper, [_rows(pattern, live, p) for p in [one_pattern, *patterns]])


def _rows(every: Pattern, live: npt.NDArray[np.bool_], some: Pattern) -> Pattern:
    """The live rows' patterns in place of theirs in `every`."""
    result = every.copy()
    result[live] = some
    return result


def _one_start(together: Array, sessions: int, charge: Array) -> tuple[Array, Pattern]:
    """Meeting at one start on its best days, week rows paid in full."""
    order = np.argsort(-together, axis=1)[:, :sessions, :]
    value = np.take_along_axis(together, order, axis=1).sum(axis=1) - charge
    start = value.argmax(axis=1)
    days = np.take_along_axis(order, start[:, None, None], axis=2)[:, :, 0]
    return value.max(axis=1), np.stack([days, np.broadcast_to(start[:, None], days.shape)], 2)


def _relaxed(
    together: Array,
    sessions: int,
    week: Week | None,
    floor: Array,
    unpriced: Array,
    unpriced_pattern: Pattern,
) -> tuple[Array, list[Pattern]]:
    """Upper bounds for any pattern, by Lagrangian relaxation of the week rows, from
    each day's best start with the week rows unpaid (`unpriced`, the first step).

    A time of day held on c of the group's days pays its price w when c >= most.  For
    any 0 <= p <= w / (sessions - most + 1), w * [c >= most] >= p * (c - (most - 1)), so
    charging p on every day that holds the time and giving back (most - 1) * p never
    understates what a pattern is worth, and the days are chosen independently.  Any
    such p gives a bound; the steps move p towards the lowest.
    """
    if week is None:
        return unpriced, [unpriced_pattern]
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
        charged = students @ week.cover.T + staff @ week.staff_cover.T
        value, pattern = _each_day(together[live] - charged[:, None, :], sessions)
        given_back = (week.most - 1) * (students.sum(axis=1) + staff.sum(axis=1))
        best[live] = np.minimum(best[live], value + given_back)
        latest = patterns[-1].copy()
        latest[live] = pattern
        patterns.append(latest)
    return best, patterns


def _step(prices: Array, cap: Array, held: Array, most: int, size: float) -> Array:
    """Raise the price of times held on most days, lower it elsewhere (a subgradient step
    of `size` times the cap), within [0, cap]."""
    result: Array = np.clip(prices + size * cap * (held - (most - 1)), 0.0, cap)
    return result


def _each_day(adjusted: Array, sessions: int) -> tuple[Array, Pattern]:
    """Each day's best start, on the best `sessions` days."""
    starts = adjusted.argmax(axis=2)
    per_day = np.take_along_axis(adjusted, starts[:, :, None], axis=2)[:, :, 0]
    days = np.argsort(-per_day, axis=1)[:, :sessions]
    value = np.take_along_axis(per_day, days, axis=1).sum(axis=1)
    return value, np.stack([days, np.take_along_axis(starts, days, axis=1)], axis=2)
