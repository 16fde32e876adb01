"""Last window's roster in this window: which old groups can still run, and pins.

Interventionists regroup three times a year and want the smallest good change.
A previous group that still fits (same staff member, need and times; its members
still free then) is offered to the solver as it was, and a need kept in a group
of its old signature costs nothing; every other placement of a previously placed
need costs `moved_student` (see `Instance.moved_cost`).
"""

from __future__ import annotations

from solver.candidates import Candidate, Instance, Signature, group_signature
from solver.problems import Problem
from solver.schedule import Group, Schedule


class PinError(ValueError):
    """A pin in pins.csv cannot hold; the message says which and why."""


def kept_groups(instance: Instance) -> list[Candidate]:
    """Previous groups that can run again as they were, and the same minus one member.

    Pinned needs join the group they are pinned to.  The variants let the solver
    drop one member (who now has a clash) and keep the rest of the group together.
    """
    if instance.previous is None:
        return []
    pinned = _pinned_members(instance)
    pinned_anywhere = set().union(*pinned.values()) if pinned else set()
    result: list[Candidate] = []
    for group in instance.previous.groups:
        here = pinned.get(group.group_id, set())
        members = (_still_members(instance, group) - pinned_anywhere) | here
        whole = _as_candidate(instance, group, tuple(sorted(members)))
        if whole is None:
            continue
        result.append(whole)
        for member in whole.members:
            if member not in pinned.get(group.group_id, set()):
                smaller = tuple(i for i in whole.members if i != member)
                variant = _as_candidate(instance, group, smaller)
                if variant is not None:
                    result.append(variant)
    return result


def stayers(instance: Instance, kept: list[Candidate]) -> dict[int, Signature]:
    """Needs whose previous group can run again with them, and that group's signature."""
    return {
        index: candidate.signature
        for candidate in kept
        for index in candidate.members
        if instance.old_signature.get(index) == candidate.signature
    }


def _still_members(instance: Instance, group: Group) -> set[int]:
    bucket = (group.subject, group.skill, group.tier)
    members = set()
    for student_id in group.students:
        index = instance.index_of.get((student_id, group.subject))
        if index is not None and instance.by_index[index].bucket == bucket:
            members.add(index)
    return members


def _pinned_members(instance: Instance) -> dict[str, set[int]]:
    result: dict[str, set[int]] = {}
    for pin in instance.school.pins:
        index = instance.index_of.get((pin.student_id, pin.subject))
        if index is not None:
            result.setdefault(pin.group_id, set()).add(index)
    return result


def _as_candidate(instance: Instance, group: Group, members: tuple[int, ...]) -> Candidate | None:
    """The group with these members, if it keeps every rule about a single group."""
    staff = instance.school.staff_by_id.get(group.staff_id)
    if staff is None or not members:
        return None
    items = [instance.by_index[i] for i in members]
    program = items[0].program
    slots = tuple((s.day, s.start) for s in group.sessions)
    grades = [item.student.grade for item in items]
    students = {item.student.student_id for item in items}
    fits = (
        staff.can_teach(group.subject, group.skill, group.tier)
        and all(s.end - s.start == program.minutes for s in group.sessions)
        and instance.staff_slots(staff, program.minutes).issuperset(slots)
        and len({day for day, _ in slots}) == len(slots) == max(i.sessions for i in items)
        and program.min_size <= len(items) <= program.max_size
        and max(grades) - min(grades) <= program.max_grade_span
        and not any(pair <= students for pair in instance.apart)
        and all(
            instance.grid.student_is_free(item.student, day, start, program.minutes)
            for item in items
            for day, start in slots
        )
    )
    return instance.candidate(staff, members, slots) if fits else None


def pin_targets(instance: Instance, kept: list[Candidate]) -> dict[int, Signature]:
    """For each pinned need, the signature of the group it must be in.

    Raises PinError when a pin cannot hold, naming the pin and the reason.
    """
    if not instance.school.pins:
        return {}
    if instance.previous is None:
        raise PinError("pins.csv names groups of a previous schedule; give it with --previous")
    known = {g.group_id for g in instance.previous.groups}
    for pin in instance.school.pins:
        if pin.group_id not in known:
            raise PinError(f"pins.csv: group {pin.group_id} is not in the previous schedule.")
        index = instance.index_of[(pin.student_id, pin.subject)]
        signature = instance.pinned[index]
        if not any(c.signature == signature and index in c.members for c in kept):
            raise PinError(
                f"pins.csv: student {pin.student_id}'s {pin.subject} need cannot stay in "
                f"{pin.group_id}: the group no longer fits the staff member's availability, "
                "the need, the size limits or the student's timetable."
            )
    return instance.pinned


def previous_warnings(instance: Instance) -> list[Problem]:
    """Students, needs and staff of the previous schedule that are gone now."""
    previous = instance.previous
    if previous is None:
        return []
    school = instance.school
    source = "previous schedule"
    gone_students = sorted(
        {s for g in previous.groups for s in g.students} - set(school.student_by_id)
    )
    gone_staff = sorted({g.staff_id for g in previous.groups} - set(school.staff_by_id))
    problems = []
    if gone_students:
        message = f"{len(gone_students)} student(s) are no longer in students.csv; ignored"
        problems.append(Problem(source, message, value=", ".join(gone_students[:10]),
                                severity="warning"))  # fmt: skip
    for staff_id in gone_staff:
        message = "this staff member is no longer in staff.csv; their groups are regrouped"
        problems.append(Problem(source, message, value=staff_id, severity="warning"))
    return problems


def group_ids(chosen: list[Candidate], previous: Schedule | None) -> list[str]:
    """Ids for the chosen groups: a group matching a previous one keeps its id."""
    old = {group_signature(g): g.group_id for g in previous.groups} if previous else {}
    taken = set(old.values())
    width = max(2, len(str(len(chosen) + len(taken))))
    ids = []
    counter = 0
    for candidate in chosen:
        if candidate.signature in old:
            ids.append(old[candidate.signature])
            continue
        counter += 1
        while f"G{counter:0{width}d}" in taken:
            counter += 1
        ids.append(f"G{counter:0{width}d}")
    return ids


__all__ = [
    "PinError",
    "group_ids",
    "kept_groups",
    "pin_targets",
    "previous_warnings",
    "stayers",
]
