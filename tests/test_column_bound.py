"""The column bound: computed in its own process, never below the best schedule."""

from __future__ import annotations

import math

from ortools.sat.python import cp_model

from solver.candidates import Instance
from solver.column_bound import ColumnBound
from solver.packing import build_packing_model
from tests.every_group import every_group, school_with_every_row


def best_objective(instance: Instance) -> int:
    """The best schedule, by CP-SAT over every group the school allows."""
    model, _ = build_packing_model(instance, every_group(instance))
    solver = cp_model.CpSolver()
    assert solver.solve(model) == cp_model.OPTIMAL
    return round(solver.objective_value)


def test_the_column_bound_from_its_process_is_never_below_the_best_schedule() -> None:
    school = school_with_every_row()
    instance = Instance.of(school)
    assert ColumnBound.applies(instance)
    bound = ColumnBound()
    bound.start(school, seconds=30.0)
    bound.join(60.0)
    bound.stop()
    # column generation on a school this small converges, and its LP has a whole
    # schedule for an optimum: the bound is the best schedule's objective
    assert math.floor(bound.value + 1e-6) == best_objective(instance)
