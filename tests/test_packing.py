"""The packing rows: what the LP of column generation and CP-SAT may choose together."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from solver.candidates import Candidate, Instance
from solver.meeting import FILLED
from solver.model import School
from solver.packing import build_packing_model, resources
from solver.pricing import ColumnPool, generate_columns
from solver.values import Day
from tests.builders import WEEK, need, program, school, staff, student, window

WEEKS = [(Day.MON, Day.TUE, Day.WED), (Day.WED, Day.THU, Day.FRI), (Day.MON, Day.THU, Day.FRI)]
"""Any two share a day, yet no day is in all three: halves of all three fit day by day."""


def one_teacher_three_students() -> School:
    return school(
        students=[student(i) for i in "ABC"],
        needs=[need(i) for i in "ABC"],
        programs=[program(2, sessions_per_week=3)],
        availability=[window(start="08:00", end="08:30")],
    )


def one_student_three_teachers() -> School:
    subjects = ["reading", "math", "writing"]
    return school(
        students=[student("A")],
        needs=[need("A", subject=subject) for subject in subjects],
        programs=[program(2, subject=subject, sessions_per_week=3) for subject in subjects],
        staff=[staff(f"T{n}", teaches=subject) for n, subject in enumerate(subjects)],
        availability=[window(f"T{n}", start="08:00", end="08:30") for n in range(3)],
    )


@pytest.mark.parametrize("build", [one_teacher_three_students, one_student_three_teachers])
def test_the_lp_runs_one_of_three_groups_sharing_a_time_on_most_days(
    build: Callable[[], School],
) -> None:
    """Three three-day groups at 08:00, each pair sharing a person on a common day: the
    LP of column generation runs one of them, not half of each (1.5 groups)."""
    s = build()
    instance = Instance.of(s)
    groups = [
        instance.candidate(s.staff[n % len(s.staff)], (n,), tuple((day, 480) for day in days))
        for n, days in enumerate(WEEKS)
    ]
    pool = ColumnPool(instance, groups)
    pool.solve()
    assert pool.value == pytest.approx(groups[0].value, rel=1e-3)


@st.composite
def weeks(draw: st.DrawFn) -> tuple[tuple[Day, int], ...]:
    """A group's sessions: distinct days, each at any start (changes allowed)."""
    days = draw(st.lists(st.sampled_from(WEEK), min_size=1, max_size=5, unique=True))
    starts = [draw(st.sampled_from([480, 510, 540])) for _ in days]
    return tuple(sorted(zip(days, starts, strict=True), key=lambda slot: slot[0].order))


@given(first=weeks(), second=weeks())
def test_two_groups_sharing_a_time_across_the_week_clash_on_some_day(
    first: tuple[tuple[Day, int], ...], second: tuple[tuple[Day, int], ...]
) -> None:
    """The week rows forbid no pair of groups the day-by-day rows allow, so they never
    cut off a schedule: they only stop fractions of groups from filling a week."""
    s = school(
        students=[student(i) for i in "AB"],
        needs=[need("A"), need("A", subject="math"), need("B")],
        programs=[program(2, subject=subject) for subject in ("reading", "math")],
        staff=[staff("T1", teaches="reading, math")],
        availability=[window()],
    )
    instance = Instance.of(s)
    for members in [((0,), (2,)), ((0,), (1,))]:  # one teacher; one student in two subjects
        groups = [
            instance.candidate(s.staff[0], m, slots)
            for m, slots in zip(members, (first, second), strict=True)
        ]
        used = [{r for r, _ in resources(instance, g)} for g in groups]
        shared = used[0] & used[1]
        if any(r[0] in ("staff-week", "student-week") for r in shared):
            assert any(r[0] in ("staff", "student") for r in shared)


def test_a_neighbourhood_packs_the_groups_the_lp_rates_highest_and_the_schedule() -> None:
    """Four one-student groups at one teacher's only time: the LP runs the tier-3 group,
    so the tier-2 groups price below their value.  Half the pool is packed: the group
    added since the LP (it priced out) and the tier-3 group, and the kept schedule's."""
    s = school(
        students=[student(i) for i in "ABCD"],
        needs=[need("A", tier=3), need("B"), need("C"), need("D")],
        programs=[program(3), program(2)],
        availability=[window(start="08:00", end="08:30")],
    )
    instance = Instance.of(s)
    week = tuple((day, 480) for day in WEEKS[0][:2])
    tier3, kept, other, new = (instance.candidate(s.staff[0], (n,), week) for n in range(4))
    pool = ColumnPool(instance, [tier3, kept, other])
    pool.solve()
    pool.add([new])
    promising = pool.promising([kept], share=0.5, least=0)
    assert {c.key for c in promising} == {new.key, tier3.key, kept.key}


def test_a_held_group_runs_though_another_at_its_time_is_worth_more() -> None:
    """A neighbourhood repacks the part of the schedule it frees: the groups it holds run
    whatever else CP-SAT could put in their place."""
    s = school(
        students=[student(i) for i in "AB"],
        needs=[need("A", tier=3), need("B")],
        programs=[program(3), program(2)],
        availability=[window(start="08:00", end="08:30")],
    )
    instance = Instance.of(s)
    week = tuple((day, 480) for day in WEEKS[0][:2])
    tier3, tier2 = (instance.candidate(s.staff[0], (n,), week) for n in range(2))
    assert tier3.value > tier2.value
    for held, runs in [(frozenset(), tier3), (frozenset({tier2.key}), tier2)]:
        model, choice = build_packing_model(instance, [tier3, tier2], held)
        solver = cp_model.CpSolver()
        assert solver.solve(model) == cp_model.OPTIMAL
        assert choice.extract(solver.boolean_value) == [runs]


def two_times_of_one_teacher() -> tuple[Instance, list[Candidate]]:
    """A tier-3 group and a tier-2 one at the teacher's 08:00, another tier-2 at 09:00."""
    s = school(
        students=[student(i) for i in "ABC"],
        needs=[need("A", tier=3), need("B"), need("C")],
        programs=[program(3), program(2)],
        availability=[window(start="08:00", end="09:30")],
    )
    instance = Instance.of(s)
    early, late = (tuple((day, start) for day in WEEKS[0][:2]) for start in (480, 540))
    weeks = [early, early, late]
    return instance, [instance.candidate(s.staff[0], (n,), weeks[n]) for n in range(3)]


def test_a_packing_leaves_out_the_groups_that_clash_with_held_ones() -> None:
    """A group using a row the held groups fill (here the staff member's time) could never
    run beside them, so the model is built without it; a group at another time stays.  The
    pool's rows of a group are the ones `resources` finds."""
    instance, [tier3, held, later] = two_times_of_one_teacher()
    pool = ColumnPool(instance, [tier3, held, later])
    assert all(list(pool.rows_of(c)) == resources(instance, c) for c in pool.candidates)
    _, choice = build_packing_model(instance, pool.candidates, frozenset({held.key}), pool.rows_of)
    assert choice.candidates == [held, later]


def test_a_neighbourhood_lp_holds_only_the_groups_that_fit_beside_the_held_ones() -> None:
    """Holding a group, the LP is over the groups that could still run: one sharing the
    held group's time is out of it, priced below anything (the rows the held group fills
    cost `FILLED`), and one at another time runs beside it.  Released, the LP is the
    whole pool's again and runs the tier-3 group."""
    instance, [tier3, held, later] = two_times_of_one_teacher()
    pool = ColumnPool(instance, [tier3, held, later])
    pool.fix([held])
    pool.solve()
    assert pool.value == pytest.approx(held.value + later.value, rel=1e-3)
    assert pool.reduced[tier3.key] == -math.inf
    assert any(pool.price(row) == FILLED for row, _ in resources(instance, tier3))
    pool.release()
    pool.solve()
    assert pool.value == pytest.approx(tier3.value + later.value, rel=1e-3)


def test_pricing_skips_only_the_times_where_no_group_could_price_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where a staff member's time costs more than any group of a meeting pattern could be
    worth (`ColumnPool.ceiling`; here the 08:00 the held group fills), the pattern's members
    are not priced.  The groups a round adds are those it adds pricing every pattern."""

    def added_beside_held(pool: ColumnPool) -> list[object]:
        pool.fix([held])
        generate_columns(pool, math.inf, max_rounds=1)
        return [c.key for c in pool.candidates]

    instance, [tier3, held, later] = two_times_of_one_teacher()
    pool = ColumnPool(instance, [tier3, held, later])
    skipped = [p for ps in instance.patterns.values() for p in ps if p.slots == held.slots]
    assert skipped and all(pool.ceiling(p) < FILLED for p in skipped)
    with_ceiling = added_beside_held(pool)
    assert len(with_ceiling) > 3  # the round added groups
    monkeypatch.setattr(ColumnPool, "ceiling", lambda _, __: math.inf)
    assert added_beside_held(ColumnPool(instance, [tier3, held, later])) == with_ceiling
