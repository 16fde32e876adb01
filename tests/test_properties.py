"""Property: every random small valid school yields a verified, complete schedule."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver.checks import check_school
from solver.problems import errors
from solver.solve import SolveOptions, solve
from solver.verify import verify
from tests.builders import block, need, program, school, staff, student, window

TIMES = ["08:00", "08:30", "09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00"]


@st.composite
def intervals(draw: st.DrawFn) -> tuple[str, str]:
    start, end = sorted(draw(st.lists(st.sampled_from(TIMES), min_size=2, max_size=2, unique=True)))
    return start, end


@st.composite
def small_schools(draw: st.DrawFn) -> Any:
    count = draw(st.integers(1, 6))
    ids = [f"S{i}" for i in range(count)]
    students = [
        student(i, draw(st.sampled_from(["K", "1", "2"])), draw(st.sampled_from(["H1", "H2"])))
        for i in ids
    ]
    needs = []
    for i in ids:
        for subject in draw(st.sets(st.sampled_from(["reading", "math"]), min_size=1)):
            needs.append(
                need(
                    i,
                    draw(st.sampled_from(["a", "b"])),
                    draw(st.sampled_from([2, 3])),
                    subject=subject,
                    score=draw(st.none() | st.integers(0, 50)),
                )
            )
    programs = [
        program(
            tier,
            subject=subject,
            min_size=draw(st.integers(1, 2)),
            max_size=3,
            sessions_per_week=draw(st.integers(1, 3)),
            max_grade_span=draw(st.integers(0, 2)),
        )
        for subject in ("reading", "math")
        for tier in (2, 3)
    ]
    staff_rows = [
        staff("T1", "reading;math", 3, buffer_minutes=draw(st.sampled_from([0, 10]))),
        staff(
            "T2",
            draw(st.sampled_from(["reading", "math:a"])),
            2,
            max_sessions_per_day=draw(st.none() | st.integers(1, 3)),
        ),
    ]
    windows = [
        window(t, draw(st.sampled_from(["all", "Mon-Wed", "Tue;Thu"])), *draw(intervals()))
        for t in ("T1", "T1", "T2")
    ]
    blocks = [
        block(
            draw(st.sampled_from(["H1", "H2", *ids])),
            "all",
            *draw(intervals()),
            "Class",
            draw(st.sampled_from(["never", "avoid", "prefer", "ok"])),
        )
        for _ in range(draw(st.integers(1, 4)))
    ]
    blocks += [block("H1", start="11:30", end="12:00"), block("H2", start="11:30", end="12:00")]
    apart = [{"student_a": ids[0], "student_b": ids[-1]}] if count > 2 else []
    return school(
        students=students,
        needs=needs,
        programs=programs,
        staff=staff_rows,
        availability=windows,
        timetable=blocks,
        apart=apart,
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_schools())
def test_random_small_schools_get_verified_complete_schedules(s: Any) -> None:
    assert errors(check_school(s)) == []
    schedule = solve(s, SolveOptions(time_limit=1, workers=1, seed=0)).schedule
    assert verify(s, schedule) == []
    placed = sum(len(g.students) for g in schedule.groups)
    assert placed + len(schedule.unplaced) == len(s.needs)
    assert all(u.reasons for u in schedule.unplaced)
    assert schedule.objective is not None and schedule.best_bound is not None
    assert schedule.objective <= schedule.best_bound
    again = solve(s, SolveOptions(time_limit=1, workers=1, seed=0), previous=schedule).schedule
    assert verify(s, again) == []
