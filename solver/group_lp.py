"""The LP over candidate groups that column generation solves (`GroupLP`), with PDLP.

PDLP rather than GLOP: its prices lie inside the optimal face rather than at a vertex,
which steadies column generation, and it stays fast as the pool grows (900 needs, 9,000
groups: 2.7 s a round against GLOP's 10.6 s, and the LP after six rounds 9% higher).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from ortools.linear_solver import linear_solver_pb2
from ortools.pdlp import solvers_pb2
from ortools.pdlp.python import pdlp

from solver.candidates import Candidate
from solver.meeting import Array
from solver.packing import Resource


@dataclass
class Solved:
    """What PDLP found for one LP: its objective, the prices of its rows, each group's
    reduced cost, the fraction each of its columns runs, and PDLP's work (`RoundWork.lp`)."""

    value: float = 0.0
    prices: dict[Resource, float] = field(default_factory=dict)
    reduced: dict[object, float] = field(default_factory=dict)
    columns: list[Candidate] = field(default_factory=list)
    primal: list[float] = field(default_factory=list)
    work: int = 0


@dataclass
class _Row:
    """One resource's row in the model: its capacity, and the entries (columns and their
    coefficients) not yet written to it."""

    capacity: int
    constraint: linear_solver_pb2.MPConstraintProto
    columns: list[int] = field(default_factory=list)
    coefficients: list[float] = field(default_factory=list)


class GroupLP:
    """An LP over groups, grown a group at a time: a column per group, run from 0 to 1 at
    its value, and a row per resource at its capacity.  Entries are kept in lists and
    written to the model, a row at a time, when it is next solved: entering them in
    pywraplp one call each took six times as long (240k entries: 0.67 s against 0.11 s),
    and a neighbourhood enters thousands of groups afresh.  The model is kept between
    solves, and only what was entered since is written: written afresh each round, it
    took 3.3 s of the column bound's 50 s (elementary, alone on one core), and 0.2 s
    now."""

    def __init__(self) -> None:
        self.model = linear_solver_pb2.MPModelProto(maximize=True)
        self.rows: dict[Resource, _Row] = {}
        self.unwritten: dict[Resource, _Row] = {}
        """The rows with entries the model lacks."""
        self.columns: list[Candidate] = []
        self.values: list[float] = []
        self.index: dict[object, int] = {}
        """Each group's column, by key."""
        self.nonzeros = 0
        """A round's PDLP work grows with them."""
        self.last: tuple[Array, Array] | None = None
        """The last solution, primal and dual, for a warm start."""

    def add(self, candidate: Candidate, value: float) -> None:
        self.index[candidate.key] = len(self.columns)
        self.columns.append(candidate)
        self.values.append(value)

    def enter(self, candidate: Candidate, entries: list[tuple[Resource, int, int]]) -> None:
        """The group uses these rows, each (row, capacity, coefficient); a row is made, at
        this capacity, when first used (so the model's constraints come in the order of
        `rows`).  A neighbourhood enters thousands of groups, so a group's rows go in one
        call: with `fits` asking a set of the filled rows too, a one-worker elementary
        solve held its 36 neighbourhoods (`ColumnPool.fix`) in 2.6 s rather than 3.2 s, its
        schedule unchanged."""
        column = self.index[candidate.key]
        for row, capacity, coefficient in entries:
            entry = self.rows.get(row)
            if entry is None:
                constraint = self.model.constraint.add(lower_bound=0.0, upper_bound=float(capacity))
                entry = self.rows[row] = _Row(capacity, constraint)
            entry.columns.append(column)
            entry.coefficients.append(coefficient)
            self.unwritten[row] = entry
        self.nonzeros += len(entries)

    def _model(self) -> linear_solver_pb2.MPModelProto:
        """The model, with what was entered since it was last written."""
        model = self.model
        for value in self.values[len(model.variable) :]:
            model.variable.add(lower_bound=0.0, upper_bound=1.0, objective_coefficient=value)
        for row in self.unwritten.values():
            row.constraint.var_index.extend(row.columns)
            row.constraint.coefficient.extend(row.coefficients)
            row.columns, row.coefficients = [], []
        self.unwritten = {}
        return model

    def solve(
        self, parameters: solvers_pb2.PrimalDualHybridGradientParams, warm_start: bool
    ) -> Solved:
        """Warm-started, PDLP starts from the last solution (the groups added since at zero,
        new cuts unpriced): column generation changes the LP a little each round, and a
        cold start spent most of the column bound's time re-solving it (elementary, alone
        on one core, before triples: converged after 20 s, against 32 s cold)."""
        if not self.columns:  # PDLP does not solve an empty LP
            return Solved()
        program = pdlp.qp_from_mpmodel_proto(self._model(), relax_integer_variables=True)
        start = self._start(len(self.columns), len(self.rows)) if warm_start else None
        result = pdlp.primal_dual_hybrid_gradient(program, parameters, start)
        primal = result.primal_solution
        self.last = primal, result.dual_solution
        # PDLP minimises the objective negated: its prices are that problem's
        sign = program.objective_scaling_factor
        duals = zip(self.rows, (sign * result.dual_solution).tolist(), strict=True)
        reduced = (sign * result.reduced_costs).tolist()
        return Solved(
            sign * (float(program.objective_vector @ primal) + program.objective_offset),
            {row: dual for row, dual in duals if dual > 0},
            {c.key: cost for c, cost in zip(self.columns, reduced, strict=True)},
            list(self.columns),
            primal.tolist(),
            int(result.solve_log.iteration_count) * self.nonzeros,
        )

    def _start(self, columns: int, rows: int) -> pdlp.PrimalAndDualSolution | None:
        """The last solution, padded with zeros for the columns and rows added since."""
        if self.last is None:
            return None
        primal, dual = self.last
        start = pdlp.PrimalAndDualSolution()
        start.primal_solution = np.pad(primal, (0, columns - len(primal)))
        start.dual_solution = np.pad(dual, (0, rows - len(dual)))
        return start
