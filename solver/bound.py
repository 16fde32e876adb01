"""An upper bound on the objective that any schedule could reach (a relaxation LP).

The bound forgets which students share a group and when groups meet; it keeps
what no schedule can escape: a need is placed at most once, a group of at most
max_size members uses `sessions x minutes` of one staff member's time, and a
staff member has only so many minutes, groups and sessions.  Each placed need is
credited with its best possible pull-out minutes over every meeting pattern (not
only the one-start patterns the packing model searches), and group costs (score
spread, time changes) are left out, so the bound is valid for every schedule.
"""

from __future__ import annotations

from ortools.linear_solver import pywraplp

from solver.candidates import Instance, NeedItem
from solver.model import Staff
from solver.summary import available_minutes


def best_need_value(instance: Instance, item: NeedItem, staff: Staff) -> int | None:
    """The most this need could add with this staff member, or None if it cannot meet n times.

    Per day, the best start where the staff member is available and the student is
    free; the need is credited with its best `sessions` days.
    """
    grid = instance.grid
    minutes = item.program.minutes
    best_by_day: dict[object, int] = {}
    for day, start in grid.staff_slots(staff, minutes):
        if grid.student_is_free(item.student, day, start, minutes):
            value = grid.pull_out_value(item.student, day, start, minutes)
            best_by_day[day] = max(value, best_by_day.get(day, value))
    if len(best_by_day) < item.sessions:
        return None
    top = sorted(best_by_day.values(), reverse=True)[: item.sessions]
    return instance.school.settings.objective.serve(item.need.tier) + sum(top)


def could_form_a_group(instance: Instance, item: NeedItem) -> bool:
    """Rules 1-3 alone: enough needs of the bucket within the grade span to reach min_size."""
    program = item.program
    grade = item.student.grade
    classmates = sum(
        abs(other.student.grade - grade) <= program.max_grade_span
        for other in instance.buckets[item.bucket]
    )
    return classmates >= program.min_size


def upper_bound(instance: Instance) -> float:
    """The LP relaxation's optimum: no schedule's objective is higher."""
    solver = pywraplp.Solver.CreateSolver("GLOP")
    objective = solver.Objective()
    staff_time = {s.staff_id: available_minutes(instance.school, s) for s in instance.school.staff}
    usage: dict[str, list[tuple[pywraplp.Variable, NeedItem]]] = {s: [] for s in staff_time}
    for item in instance.needs:
        if not could_form_a_group(instance, item):
            continue
        placed_once = solver.Constraint(0.0, 1.0)
        for staff in instance.qualified_staff(item.bucket):
            value = best_need_value(instance, item, staff)
            if value is None:
                continue
            share = solver.NumVar(0.0, 1.0, "")
            placed_once.SetCoefficient(share, 1.0)
            objective.SetCoefficient(share, value)
            usage[staff.staff_id].append((share, item))
    for staff in instance.school.staff:
        _add_staff_capacity(
            solver,
            staff,
            staff_time[staff.staff_id],
            usage[staff.staff_id],
            len(instance.school.settings.days),
        )
    objective.SetMaximization()
    solver.Solve()
    return float(objective.Value())


def _add_staff_capacity(
    solver: pywraplp.Solver,
    staff: Staff,
    minutes: int,
    usage: list[tuple[pywraplp.Variable, NeedItem]],
    days: int,
) -> None:
    """A member's share of a group is at least 1/max_size of its minutes, sessions and slot."""
    time_row = solver.Constraint(0.0, float(minutes))
    group_row = solver.Constraint(0.0, float(staff.max_groups or len(usage) + 1))
    session_limit = staff.max_sessions_per_day
    session_row = solver.Constraint(0.0, float(session_limit * days if session_limit else 1e9))
    for share, item in usage:
        size = item.program.max_size
        time_row.SetCoefficient(share, item.sessions * item.program.minutes / size)
        group_row.SetCoefficient(share, 1 / size)
        session_row.SetCoefficient(share, item.sessions / size)
