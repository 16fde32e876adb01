"""The greedy roster: how a careful person builds groups by hand in a spreadsheet.

Hardest students first (tier 3, then fewest possible times): each joins an open
group that fits, or opens a new group at the time that suits them best with the
qualified staff member who has the most time left.  Groups that never reach their
minimum size are dissolved at the end.  It is the benchmark's baseline and the
packing model's warm start.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from solver.candidates import Candidate, Instance, NeedItem, Pattern
from solver.model import Staff
from solver.timegrid import Slot
from solver.values import Day


@dataclass
class _OpenGroup:
    staff: Staff
    pattern_slots: tuple[Slot, ...]
    sessions: int
    members: list[NeedItem] = field(default_factory=list)


class _Week:
    """Who is busy when, as the greedy fills the roster."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.staff: dict[str, dict[Day, list[tuple[int, int]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self.students: dict[str, dict[Day, list[tuple[int, int]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self.groups_of: dict[str, int] = defaultdict(int)

    def staff_can_take(self, staff: Staff, slots: tuple[Slot, ...], minutes: int) -> bool:
        if staff.max_groups is not None and self.groups_of[staff.staff_id] >= staff.max_groups:
            return False
        busy = self.staff[staff.staff_id]
        for day, start in slots:
            if staff.max_sessions_per_day is not None and (
                len(busy[day]) >= staff.max_sessions_per_day
            ):
                return False
            if _overlaps(busy[day], start, start + minutes + staff.buffer_minutes):
                return False
        return True

    def student_can_take(self, item: NeedItem, slots: tuple[Slot, ...]) -> bool:
        busy = self.students[item.student.student_id]
        minutes = item.program.minutes
        return not any(_overlaps(busy[day], start, start + minutes) for day, start in slots)

    def book_staff(self, staff: Staff, slots: tuple[Slot, ...], minutes: int, sign: int) -> None:
        self.groups_of[staff.staff_id] += sign
        for day, start in slots:
            interval = (start, start + minutes + staff.buffer_minutes)
            _book(self.staff[staff.staff_id][day], interval, sign)

    def book_student(self, item: NeedItem, slots: tuple[Slot, ...], sign: int) -> None:
        for day, start in slots:
            interval = (start, start + item.program.minutes)
            _book(self.students[item.student.student_id][day], interval, sign)


def _overlaps(intervals: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in intervals)


def _book(intervals: list[tuple[int, int]], interval: tuple[int, int], sign: int) -> None:
    if sign > 0:
        intervals.append(interval)
    else:
        intervals.remove(interval)


def greedy_roster(instance: Instance, keep: list[Candidate] | None = None) -> list[Candidate]:
    """Groups built by hand-style greedy placement; every one keeps the hard rules.

    Groups in `keep` (last window's groups that still work) go in first, as a person
    would start from last window's roster, when they fit beside those already in.
    """
    week = _Week(instance)
    groups = _keep_groups(instance, week, keep or [])
    placed = {m.index for g in groups for m in g.members}
    options = instance.options
    order = sorted(instance.needs, key=lambda n: (-n.need.tier, options[n.index], n.index))
    for item in (n for n in order if n.index not in placed):
        if not _join(instance, week, groups, item):
            _open(instance, week, groups, item)
    for group in [g for g in groups if len(g.members) < g.members[0].program.min_size]:
        groups.remove(group)
        week.book_staff(group.staff, group.pattern_slots, group.members[0].program.minutes, -1)
        for member in group.members:
            week.book_student(member, group.pattern_slots, -1)
    return [
        instance.candidate(g.staff, tuple(m.index for m in g.members), g.pattern_slots)
        for g in groups
    ]


def _keep_groups(instance: Instance, week: _Week, keep: list[Candidate]) -> list[_OpenGroup]:
    groups: list[_OpenGroup] = []
    placed: set[int] = set()
    for candidate in keep:
        staff = instance.school.staff_by_id[candidate.staff_id]
        members = [instance.by_index[i] for i in candidate.members]
        fits = (
            placed.isdisjoint(candidate.members)
            and week.staff_can_take(staff, candidate.slots, candidate.minutes)
            and all(week.student_can_take(m, candidate.slots) for m in members)
        )
        if fits:
            sessions = max(m.sessions for m in members)
            groups.append(_OpenGroup(staff, candidate.slots, sessions, members))
            placed.update(candidate.members)
            week.book_staff(staff, candidate.slots, candidate.minutes, +1)
            for member in members:
                week.book_student(member, candidate.slots, +1)
    return groups


def _fits(instance: Instance, group: _OpenGroup, item: NeedItem) -> bool:
    program = item.program
    members = group.members
    if members[0].bucket != item.bucket or len(members) >= program.max_size:
        return False
    if item.sessions > group.sessions:
        return False
    grades = [m.student.grade for m in members] + [item.student.grade]
    if max(grades) - min(grades) > program.max_grade_span:
        return False
    pair_ids = {frozenset((item.student.student_id, m.student.student_id)) for m in members}
    if pair_ids & instance.apart:
        return False
    return all(
        instance.grid.student_is_free(item.student, day, start, program.minutes)
        for day, start in group.pattern_slots
    )


def _join(instance: Instance, week: _Week, groups: list[_OpenGroup], item: NeedItem) -> bool:
    """Into the fullest open group that fits, the first opened of those."""
    fitting = [
        position
        for position, group in enumerate(groups)
        if _fits(instance, group, item) and week.student_can_take(item, group.pattern_slots)
    ]
    if not fitting:
        return False
    group = groups[max(fitting, key=lambda position: (len(groups[position].members), -position))]
    group.members.append(item)
    week.book_student(item, group.pattern_slots, +1)
    return True


def _open(instance: Instance, week: _Week, groups: list[_OpenGroup], item: NeedItem) -> None:
    """A new group at the pattern worth most to the student that a qualified staff member is
    free for (on a tie, the first staff member).  What depends on the student alone is
    worked out once for all staff members: which patterns they can take, and their worth."""
    minutes = item.program.minutes
    takes = [
        pattern
        for pattern in instance.patterns.get((item.bucket, item.sessions), [])
        if item.index in pattern.free_set and week.student_can_take(item, pattern.slots)
    ]
    worth: dict[int, int] = {}
    best: tuple[int, Staff, Pattern] | None = None
    for staff in instance.qualified_staff(item.bucket):
        slots = instance.staff_slots(staff, minutes)
        for position, pattern in enumerate(takes):
            if not slots.issuperset(pattern.slots):
                continue
            if not week.staff_can_take(staff, pattern.slots, minutes):
                continue
            if position not in worth:
                value = instance.member_value(item.index, pattern.slots)
                worth[position] = value + 50 * len(pattern.free)
            if best is None or worth[position] > best[0]:
                best = (worth[position], staff, pattern)
    if best is not None:
        _, staff, pattern = best
        group = _OpenGroup(staff, pattern.slots, item.sessions, [item])
        groups.append(group)
        week.book_staff(staff, pattern.slots, minutes, +1)
        week.book_student(item, pattern.slots, +1)
