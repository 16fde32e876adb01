"""The column bound: computed in its own process, never below the best schedule."""

from __future__ import annotations

import math
import pickle
import subprocess
import sys

import pytest
from ortools.sat.python import cp_model

from solver.bound import upper_bound
from solver.candidates import Instance
from solver.column_bound import RELAXATION_BEFORE, ColumnBound, report_bounds
from solver.loading import load_school
from solver.model import School
from solver.packing import build_packing_model
from solver.pricing import ColumnPool
from tests.builders import FIXTURES, SMALL, need, program, school, student, window
from tests.every_group import every_group, school_with_every_row


def best_objective(instance: Instance) -> int:
    """The best schedule, by CP-SAT over every group the school allows."""
    model, _ = build_packing_model(instance, every_group(instance))
    solver = cp_model.CpSolver()
    assert solver.solve(model) == cp_model.OPTIMAL
    return round(solver.objective_value)


def process_bound(school: School) -> int:
    """The column bound's process, given time to converge on a small school."""
    bound = ColumnBound()
    bound.start(school, seconds=30.0)
    bound.join(60.0)
    bound.stop()
    return math.floor(bound.value + 1e-6)


def lp_over_every_group(instance: Instance) -> float:
    """The LP over every group the school allows, without cuts."""
    pool = ColumnPool(instance, every_group(instance))
    pool.solve()
    return pool.value


def test_the_column_bound_from_its_process_is_never_below_the_best_schedule() -> None:
    school = school_with_every_row()
    instance = Instance.of(school)
    assert ColumnBound.applies(instance)
    # column generation on a school this small converges, and its LP has a whole
    # schedule for an optimum: the bound is the best schedule's objective
    assert process_bound(school) == best_objective(instance)


def test_three_needs_that_can_only_pair_up_are_bounded_at_one_pair() -> None:
    # A, B and C need pairs, and T1 has one half hour on Monday and one on Tuesday: one
    # pair runs and the third need waits.  The LP over groups runs AB and BC on Monday
    # and AC on Tuesday at one half each, a pair and a half; the cut on {A, B, C} (at
    # most one group holds two of them) brings the bound down to the one pair.
    s = school(
        students=[student("A"), student("B"), student("C")],
        needs=[need("A"), need("B"), need("C")],
        programs=[program(2, min_size=2, max_size=2, sessions_per_week=1), program(3)],
        availability=[window(days="Mon", end="08:30"), window(days="Tue", end="08:30")],
    )
    instance = Instance.of(s)
    best = best_objective(instance)
    assert lp_over_every_group(instance) > best + 100
    assert process_bound(s) == best


def test_given_little_time_the_process_reports_the_session_relaxation_first(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Column generation's bound starts far above the relaxation's and passes it only
    after about 20 s on elementary, so a short solve reports the relaxation's first;
    the small school's column generation still converges below it."""
    s = load_school(SMALL).school
    assert s is not None
    seconds = RELAXATION_BEFORE / 2
    report_bounds(s, seconds)
    reported = [float(line) for line in capsys.readouterr().out.split()]
    assert reported[0] == upper_bound(Instance.of(s), seconds)
    assert min(reported) < reported[0]


def test_the_process_ends_as_soon_as_its_caller_is_gone() -> None:
    """However the caller ends, its end of the pipe to the process closes.  The process
    used to run on until it next had a better bound to report (0.3-4.5 s after a solve
    of elementary was stopped), or to its time limit where none came."""
    process = subprocess.Popen(
        [sys.executable, "-m", "solver.column_bound"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        pickle.dump((load_school(FIXTURES / "elementary").school, 120.0), process.stdin)
        process.stdin.flush()
        process.stdout.readline()  # its first bound: it is at work
        process.stdin.close()
        assert process.wait(timeout=30) == 0
    finally:
        process.kill()
