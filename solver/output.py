"""The search's groups as the contract's schedule: every need not in them unplaced with
its reasons, last window's ids kept, and the whole checked by `solver.verify`."""

from __future__ import annotations

from solver.candidates import Candidate, Instance
from solver.continuity import group_ids
from solver.model import Need
from solver.reasons import Reasons
from solver.schedule import Group, Schedule, Session, Status, Unplaced
from solver.timegrid import in_week
from solver.verify import assert_valid, objective_of


def as_schedule(
    instance: Instance,
    chosen: list[Candidate],
    bound: int | None,
    seconds: float,
    reasons: Reasons | None = None,
) -> Schedule:
    """These groups as the contract's schedule, every need not in them unplaced with its
    reasons; it must pass `solver.verify` (a violation is a bug, and raises)."""
    school = instance.school
    reasons = reasons or Reasons(instance)
    groups = _as_groups(instance, chosen)
    unplaced = [
        _unplaced(
            need,
            [
                f"No program in programs.csv for {need.subject}:"
                f"{need.skill} at tier {need.tier}, or no such student."
            ],
        )
        for need in instance.unschedulable.values()
    ] + [_unplaced(item.need, reasons.of(item, groups)) for item in instance.unplaced(chosen)]
    draft = Schedule(
        school=school.settings.name,
        window=school.settings.window,
        status="feasible",
        groups=groups,
        unplaced=unplaced,
    )
    objective = objective_of(school, draft, instance.previous)
    status: Status = "optimal" if bound is not None and objective >= bound else "feasible"
    schedule = draft.model_copy(
        update={
            "objective": objective,
            "best_bound": bound,
            "status": status,
            "solve_seconds": round(seconds, 2),
        }
    )
    assert_valid(school, schedule)
    return schedule


def _as_groups(instance: Instance, chosen: list[Candidate]) -> list[Group]:
    """The contract's groups, by staff member, need and week, with their ids (last
    window's where a group matches one of its own)."""
    ordered = sorted(
        chosen, key=lambda c: (c.staff_id, c.bucket, [in_week(slot) for slot in c.slots])
    )
    return [
        Group(
            group_id=group_id,
            staff_id=c.staff_id,
            subject=c.bucket[0],
            skill=c.bucket[1],
            tier=c.bucket[2],
            students=[instance.by_index[i].student.student_id for i in c.members],
            sessions=[Session(day=d, start=s, end=s + c.minutes) for d, s in c.slots],
        )
        for group_id, c in zip(group_ids(ordered, instance.previous), ordered, strict=True)
    ]


def _unplaced(need: Need, reasons: list[str]) -> Unplaced:
    return Unplaced(
        student_id=need.student_id,
        subject=need.subject,
        skill=need.skill,
        tier=need.tier,
        reasons=reasons,
    )
