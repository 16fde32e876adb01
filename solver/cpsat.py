"""The search's CP-SAT runs: packing candidate groups into a schedule, and re-timing a
schedule's groups together.  Each is given seconds on the search's clock, model building
included; in reproducible mode CP-SAT's deterministic time is the budget and is spent on
the work clock (`solver.clock`)."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from ortools.sat.python import cp_model

from solver.candidates import Candidate, Instance
from solver.clock import Clock
from solver.options import SolveOptions, Stop
from solver.packing import RowsOf, build_packing_model
from solver.retiming import PART_SECONDS, Parts, SessionChoice, build_retiming_model

MIN_SOLVE = 0.5
"""The least time CP-SAT is given once its model is built, however little is left."""
MODEL_SECONDS = 4.0e-5
"""Reproducible mode: the seconds building a CP-SAT model is counted per variable (on the
benchmark's machine, 23-62 µs a group over the packings of its four schools)."""
CALL_SECONDS = 4.0e-3
"""Reproducible mode: the seconds each CP-SAT call is counted besides its deterministic
time and its model (setting up and reading back: 3.6 ms a call on the small school,
where the deterministic time is nil)."""

Report = Callable[[str, list[Candidate]], None]
"""Where each improving solution goes, with the phase that found it."""
Extract = Callable[[Callable[[cp_model.IntVar], int]], list[Candidate]]
"""Reads the groups of a CP-SAT solution, given how to read a literal's value."""


def cp_solver() -> cp_model.CpSolver:
    """A CP-SAT solver that leaves Ctrl-C to Python.  By default CP-SAT puts a SIGINT
    handler of its own in place while it solves and never gives Python's back: the CLI,
    which solves in a thread and stops the search on Ctrl-C, was killed by the signal
    instead, or aborted (std::bad_function_call) when it came between two solves, and
    wrote nothing."""
    solver = cp_model.CpSolver()
    solver.parameters.catch_sigint_signal = False
    return solver


class _SolutionReporter(cp_model.CpSolverSolutionCallback):
    """Hands every improving CP-SAT solution to the progress report."""

    def __init__(
        self,
        phase: str,
        report: Report,
        extract: Extract,
    ) -> None:
        super().__init__()
        self._phase = phase
        self._report = report
        self._extract = extract

    def on_solution_callback(self) -> None:
        self._report(self._phase, self._extract(self.boolean_value))


def pack_groups(
    instance: Instance,
    candidates: list[Candidate],
    hint: list[Candidate],
    options: SolveOptions,
    clock: Clock,
    seconds: float,
    report: Report,
    stop: Stop,
    held: frozenset[object] = frozenset(),
    rows_of: RowsOf | None = None,
) -> float:
    """CP-SAT over these candidates (every group of `hint` among them), warm-started from
    the best schedule so far, the groups whose keys are `held` running; each
    improving solution goes to `report`, which keeps the best.  Returns the seconds its
    model took to build."""

    def build() -> tuple[cp_model.CpModel, Extract]:
        model, choice = build_packing_model(instance, candidates, held, rows_of)
        hinted = {c.key for c in hint}
        choice.hint({i for i, c in enumerate(choice.candidates) if c.key in hinted})
        _count_building(model, clock)
        return model, choice.extract

    return _run(build, "search", options, clock, seconds, report, stop).building


def retime_groups(
    instance: Instance,
    groups: list[Candidate],
    options: SolveOptions,
    clock: Clock,
    seconds: float,
    report: Report,
    stop: Stop,
) -> None:
    """CP-SAT over the times of these groups (`solver.retiming`), started from their own,
    a part of them at a time (`solver.retiming.Parts`); needs they left unplaced may join
    them."""
    deadline = clock.now() + seconds
    model, choice = build_retiming_model(instance, groups)
    choice.hint()
    _count_building(model, clock)
    values = choice.hinted()
    parts = Parts(instance, groups, random.Random(options.seed))
    while not stop.is_set() and (left := deadline - clock.now()) >= MIN_SOLVE:
        part = parts.next()
        whole = len(part) == len(groups)
        build = partial(_holding, choice, part, values)
        limit = left if whole else min(PART_SECONDS, left)
        ran = _run(build, "retime", options, clock, limit, report, stop)
        values = ran.values() or values
        if whole and ran.optimal:
            return
        parts.learn(ran.optimal)


def _holding(
    choice: SessionChoice, part: set[int], values: dict[int, int]
) -> tuple[cp_model.CpModel, Extract]:
    """A part's model, for `_run` to build."""
    return choice.holding(part, values), choice.extract


def _count_building(model: cp_model.CpModel, clock: Clock) -> None:
    """Reproducible mode: building a model is counted by its size."""
    clock.spend(MODEL_SECONDS * len(model.proto.variables))


@dataclass(frozen=True)
class _Ran:
    """A finished CP-SAT run: the seconds its model took to build, whether its best
    solution is proven optimal, and the solver."""

    building: float
    optimal: bool
    solver: cp_model.CpSolver

    def values(self) -> dict[int, int]:
        """The best solution's values by variable index, none where it found none."""
        return dict(enumerate(self.solver.response_proto.solution))


def _run(
    build: Callable[[], tuple[cp_model.CpModel, Extract]],
    phase: str,
    options: SolveOptions,
    clock: Clock,
    seconds: float,
    report: Report,
    stop: Stop,
) -> _Ran:
    """Build the model and run CP-SAT on it for `seconds`, building included (on the
    900-need K-8 a packing's model took seconds to build, and a 60 s solve ended 2.3 s
    late), on `clock`; in reproducible mode CP-SAT's deterministic time is the budget,
    spent on the work clock, and the wall clock must not change it."""
    began = clock.now()
    model, extract = build()
    building = clock.now() - began
    solver = cp_solver()
    if options.reproducible:
        solver.parameters.max_deterministic_time = max(MIN_SOLVE, clock.budget(seconds))
        solver.parameters.max_time_in_seconds = options.safety_limit
    else:
        solver.parameters.max_time_in_seconds = max(MIN_SOLVE, seconds - building)
    solver.parameters.num_workers = options.packing_workers
    solver.parameters.random_seed = options.seed
    solver.parameters.linearization_level = 2
    solver.parameters.add_lp_constraints_lazily = False
    # Every packing starts again from presolve, whose probing took 2 of its 3 s over
    # elementary's 6k groups: without it, improving solutions come seconds sooner
    # (60 s, five seeds: median 99.3k against 98.9k; k8 at 120 s: 238.9k against 237.5k)
    solver.parameters.cp_model_probing_level = 0
    reporter = _SolutionReporter(phase, report, extract)
    finished = threading.Event()
    threading.Thread(target=_stop_when_asked, args=(solver, stop, finished), daemon=True).start()
    status = solver.solve(model, reporter)
    finished.set()
    clock.spend(CALL_SECONDS + solver.deterministic_time)
    return _Ran(building, status == cp_model.OPTIMAL, solver)


def _stop_when_asked(solver: cp_model.CpSolver, stop: Stop, finished: threading.Event) -> None:
    """Ctrl-C, a cancel, or a schedule proven optimal: stop the search; the best solution
    found is kept."""
    while not finished.wait(0.1):
        if stop.is_set():
            solver.stop_search()
            return
