"""On a school small enough to list every group, the solver's roster is the best one.

Every one-start group of the small fixture (each qualified staff member, each start
on n free days, each member set the program allows) is listed here by brute force,
independently of column generation, and CP-SAT proves the best packing of them.
The solver, which only ever sees the groups its pricing generates, must reach that
optimum.  (Its reported gap on this school is then all the bound's.)
"""

from __future__ import annotations

from itertools import combinations

import pytest
from ortools.sat.python import cp_model

from solver.candidates import Candidate, Instance
from solver.loading import load_school
from solver.packing import build_packing_model
from solver.solve import SolveOptions, solve
from tests.builders import SMALL
from tests.every_group import allowed


def every_one_start_group(instance: Instance) -> list[Candidate]:
    groups = []
    for (bucket, sessions), patterns in instance.patterns.items():
        program = instance.buckets[bucket][0].program
        for staff in instance.qualified_staff(bucket):
            free_slots = instance.staff_slots(staff, program.minutes)
            for pattern in (p for p in patterns if free_slots.issuperset(p.slots)):
                for size in range(program.min_size, program.max_size + 1):
                    for members in combinations(pattern.free, size):
                        if allowed(instance, members, sessions):
                            groups.append(instance.candidate(staff, members, pattern.slots))
    return groups


@pytest.mark.parametrize(
    "options",
    [
        SolveOptions(time_limit=5, workers=1, seed=0),
        # two workers spend the time left after packing the pool on neighbourhoods
        SolveOptions(time_limit=4, workers=2, seed=0),
    ],
    ids=["reproducible", "two-workers"],
)
def test_the_small_school_gets_the_best_roster_of_all_one_start_groups(
    options: SolveOptions,
) -> None:
    school = load_school(SMALL).school
    assert school is not None
    instance = Instance.of(school)
    model, _ = build_packing_model(instance, every_one_start_group(instance))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 60
    assert solver.solve(model) == cp_model.OPTIMAL
    schedule = solve(school, options).schedule
    assert schedule.objective is not None
    assert schedule.objective >= round(solver.objective_value)
