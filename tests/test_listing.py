"""Pricing by listing: every member set of a small family, each at its best times."""

from __future__ import annotations

from solver.candidates import Instance
from solver.listing import Listing
from solver.values import Day
from tests.builders import WEEK, block, need, program, school, student

FREE_MONDAY_EARLY_TUESDAY_LATE = [
    block(days="Mon", start="08:30", end="12:00"),
    block(days="Tue", start="08:00", end="11:00"),
    block(days="Tue", start="11:30", end="12:00"),
    block(days="Wed,Thu,Fri", start="08:00", end="12:00"),
]


def test_a_pair_that_meets_at_a_different_time_each_day_is_offered_at_those_times() -> None:
    # A and B are free together only Monday 08:00 and Tuesday 11:00: no single start
    # time fits both days, so only a group that changes its start can hold them.
    s = school(
        students=[student("A"), student("B")],
        needs=[need("A"), need("B")],
        programs=[program(2, min_size=2), program(3)],
        timetable=FREE_MONDAY_EARLY_TUESDAY_LATE,
    )
    instance = Instance.of(s)
    groups = Listing(instance).groups(lambda resource: 0.0, deadline=float("inf"))
    assert {(g.members, g.slots) for g in groups} == {
        ((0, 1), ((Day.MON, 8 * 60), (Day.TUE, 11 * 60))),
    }


def test_a_group_is_offered_where_its_members_are_worth_most_to_the_lp() -> None:
    # Alone, A and B would meet at 08:00; a high price on A's 08:00-09:00 minutes
    # (other groups want A then) moves the offer to 09:00 or later.
    s = school(
        students=[student("A"), student("B")],
        needs=[need("A"), need("B", subject="reading"), need("A", subject="math")],
        programs=[program(2, min_size=2), program(3), program(2, subject="math")],
        timetable=[block(start="10:00", end="12:00")],
    )
    instance = Instance.of(s)
    busy = {("student", "A", day, t) for day in WEEK for t in (480, 510)}
    groups = Listing(instance).groups(
        lambda resource: 500.0 if resource in busy else 0.0, deadline=float("inf")
    )
    reading = [g for g in groups if g.bucket[0] == "reading"]
    assert reading and all(start >= 9 * 60 for g in reading for _, start in g.slots)
