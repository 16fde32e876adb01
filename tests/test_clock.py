"""Reproducible mode's clock: deadlines read off the work done, never off the machine."""

from __future__ import annotations

import time

import pytest

from solver.candidates import Instance
from solver.clock import WorkClock
from solver.greedy import greedy_roster
from solver.pricing import ColumnPool, generate_columns
from tests.builders import need, program, school, student, window


def test_a_work_clock_moves_only_by_the_work_spent_on_it_at_its_pace() -> None:
    clock = WorkClock(safety=60.0, pace=1.5)
    began = clock.now()
    time.sleep(0.01)
    assert clock.now() == began
    clock.spend(2.0)
    assert clock.now() == began + 3.0


def test_a_work_clock_reads_work_done_but_not_yet_spent_at_its_pace() -> None:
    """A deadline checked inside a round sees the round's work so far."""
    clock = WorkClock(safety=60.0, pace=1.5)
    began = clock.now()
    assert clock.after(2.0) == began + 3.0
    assert clock.now() == began


def test_a_work_clocks_budget_is_the_counted_work_that_reads_as_those_seconds() -> None:
    """CP-SAT is given deterministic time that, spent, brings the clock to its deadline."""
    clock = WorkClock(safety=60.0, pace=1.5)
    began = clock.now()
    clock.spend(clock.budget(4.5))
    assert clock.now() == pytest.approx(began + 4.5)


def test_past_its_safety_limit_a_work_clock_reads_later_than_any_deadline() -> None:
    """A deadline is at most the time limit away, and the safety limit a multiple of it."""
    clock = WorkClock(safety=0.01, pace=1.0)
    time.sleep(0.02)
    assert clock.now() == clock.started + 0.01
    clock.spend(5.0)
    assert clock.now() == clock.started + 5.0


def test_column_generation_spends_each_rounds_counted_work_on_the_pools_clock() -> None:
    """With the deadline a moment of work away, one round runs however fast the machine:
    the round's counted work, not the wall clock, passes it."""
    s = school(
        students=[student(i) for i in "ABCDEF"],
        needs=[need(i) for i in "ABCDEF"],
        programs=[program(2, sessions_per_week=2)],
        availability=[window(start="08:00", end="10:00")],
    )
    instance = Instance.of(s)
    clock = WorkClock(safety=60.0)
    pool = ColumnPool(instance, greedy_roster(instance), clock=clock)
    generate_columns(pool, clock.now() + 1e-9)
    assert pool.rounds == 1
    assert clock.spent > 0
    assert pool.round_seconds == pytest.approx(clock.spent)
