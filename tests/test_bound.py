"""The bound: never below any schedule, and tight where one session at a time, or what one
group can hold, is the limit."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, assume, given, settings

from solver.bound import RelaxationLP, upper_bound
from solver.candidates import Instance
from solver.loading import load_school
from solver.solve import SolveOptions, solve
from tests.builders import (
    SMALL,
    block,
    need,
    one_full_group_a_week,
    program,
    school,
    student,
    window,
)
from tests.every_group import most_groups
from tests.test_column_bound import best_objective
from tests.test_properties import small_schools


def test_any_prices_give_a_bound_at_least_the_lp_optimum() -> None:
    lp = RelaxationLP()
    first, second = lp.variable(1.0), lp.variable(1.0)
    shared = lp.row(high=1.0)
    lp.add(shared, first, 1.0)
    lp.add(shared, second, 1.0)
    assert lp.certified_bound([1.0]) == 1.0
    assert lp.certified_bound([0.0]) == 2.0
    assert lp.certified_bound([5.0]) == 5.0
    assert lp.certified_bound([-1.0]) == 2.0  # a price on the wrong side is not used


def test_one_session_a_day_bounds_the_week_to_one_full_group() -> None:
    """Six students, one 30-minute window on two days, groups of three meeting twice:
    any schedule places three, and so does the bound."""
    schedule = solve(one_full_group_a_week(), SolveOptions(time_limit=2, workers=1)).schedule
    assert schedule.best_bound == schedule.objective == 3 * 600
    assert schedule.status == "optimal"


def test_a_need_meets_only_with_classmates_who_could_share_its_whole_week() -> None:
    """Pairs meeting twice, one 30-minute slot on Mon, Tue and Wed.  A and D are free
    Mon and Tue; B only Mon and Wed, C only Tue and Wed, so B and C share a day with
    someone but two days with nobody.  Meeting different classmates each day, the
    relaxation could place three of the four; any schedule places A and D only."""
    busy = {"A": "Wed", "B": "Tue", "C": "Mon", "D": "Wed"}
    s = school(
        students=[student(i) for i in busy],
        needs=[need(i) for i in busy],
        programs=[program(2, min_size=2, max_size=2), program(3)],
        availability=[window(days="Mon, Tue, Wed", start="08:00", end="08:30")],
        timetable=[block(i, days=day, start="08:00", end="08:30") for i, day in busy.items()],
    )
    schedule = solve(s, SolveOptions(time_limit=2, workers=1)).schedule
    assert schedule.best_bound == schedule.objective == 2 * 600
    assert schedule.status == "optimal"


def test_the_needs_in_one_session_fit_one_grade_span_and_are_never_kept_apart() -> None:
    """One 30-minute slot on Mon and Tue, so one group.  Grades 1, 2 and 3 with a span
    of 1: any group holds two of them; so does each session of the relaxation, which
    could otherwise fill it with all three.  D and E, in grade 2, are kept apart."""
    students = [student("A", "1"), student("B", "2"), student("C", "3")]
    spans = school(
        students=students,
        needs=[need(s["student_id"]) for s in students],
        availability=[window(days="Mon, Tue", start="08:00", end="08:30")],
    )
    apart = school(
        students=[student(i) for i in "DE"],
        needs=[need(i) for i in "DE"],
        availability=[window(days="Mon, Tue", start="08:00", end="08:30")],
        apart=[{"student_a": "D", "student_b": "E"}],
    )
    for s, placed in ((spans, 2), (apart, 1)):
        schedule = solve(s, SolveOptions(time_limit=2, workers=1)).schedule
        assert schedule.best_bound == schedule.objective == placed * 600
        assert schedule.status == "optimal"


def test_no_time_for_the_relaxation_gives_no_bound_rather_than_a_wrong_one() -> None:
    """A school too large for the relaxation in its time share (the 900-need K-8 at
    60 s): the bound is left out, the schedule still comes back."""
    s = school(
        students=[student(i) for i in "ABC"],
        needs=[need(i) for i in "ABC"],
        programs=[program(2), program(3)],
        availability=[window(days="Mon, Tue", start="08:00", end="09:00")],
    )
    assert upper_bound(Instance.of(s), seconds=0.0) is None
    assert upper_bound(Instance.of(s), seconds=5.0) is not None


def test_two_workers_take_the_column_bound_below_the_relaxation_worked_out_first() -> None:
    """One worker solves the session relaxation first (so nothing depends on the clock)
    and has no column bound.  Two workers, where every family is listed, take column
    generation's bound from its process, which the small school's converges to within
    a second or two (about 12.3k, against the relaxation's 13.3k)."""
    s = load_school(SMALL).school
    assert s is not None
    first = solve(s, SolveOptions(time_limit=2, workers=1)).schedule
    beside = solve(s, SolveOptions(time_limit=5, workers=2)).schedule
    assert first.best_bound is not None and beside.best_bound is not None
    assert first.objective is not None and beside.objective is not None
    assert first.best_bound >= first.objective and beside.best_bound >= beside.objective
    assert beside.best_bound < first.best_bound


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(small_schools())
def test_the_bound_is_never_below_the_best_of_every_group_a_random_school_allows(
    s: Any,
) -> None:
    """The rows that make a session one group must hold for every group: the bound is at
    least the best packing of every group, found by brute force and CP-SAT.  Schools
    whose groups are too many to list in a second are left out (about 7 in 100)."""
    instance = Instance.of(s)
    assume(most_groups(instance) <= 5_000)
    bound = upper_bound(instance)
    assert bound is not None
    assert bound >= best_objective(instance) - 1e-6
