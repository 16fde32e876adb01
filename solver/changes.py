"""What changed between last window's roster and this one, for the people it affects.

The interventionist wants to know which students moved and why; every classroom
teacher wants to know who now leaves their room at a different time.  Matching
follows the contract: two groups match when they have the same group_id, or the
same staff member, subject, skill and sessions.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from solver.model import School
from solver.schedule import Group, Schedule, groups_match
from solver.values import format_clock

NeedKey = tuple[str, str]


@dataclass(frozen=True)
class NeedChange:
    """One student-need: kept, moved, newly placed, exited, newly unplaced or unplaced."""

    student_id: str
    subject: str
    change: str
    old_group: str
    old_times: str
    new_group: str
    new_times: str
    reason: str


@dataclass(frozen=True)
class GroupChange:
    """One group: kept (same members), changed, new or dissolved."""

    group_id: str
    change: str
    staff_id: str
    need: str
    times: str
    joined: str
    left: str


@dataclass(frozen=True)
class TeacherChange:
    """A student of this homeroom who now leaves class at different times."""

    homeroom: str
    student_id: str
    subject: str
    old_times: str
    new_times: str


@dataclass(frozen=True)
class ChangeReport:
    needs: list[NeedChange]
    groups: list[GroupChange]
    teachers: list[TeacherChange]

    def counts(self) -> dict[str, int]:
        result: dict[str, int] = defaultdict(int)
        for change in self.needs:
            result[change.change] += 1
        return dict(result)

    def as_json(self) -> dict[str, object]:
        """Each change as its fields; they are all text, so `dataclasses.asdict`'s deep
        copy would only cost time (seconds, for a report of 100,000 rows)."""
        return {
            "counts": self.counts(),
            "needs": [dict(vars(c)) for c in self.needs],
            "groups": [dict(vars(c)) for c in self.groups],
            "teachers": [dict(vars(c)) for c in self.teachers],
        }


def times_of(group: Group | None) -> str:
    if group is None:
        return ""
    return ", ".join(
        f"{s.day.value} {format_clock(s.start)}-{format_clock(s.end)}" for s in group.sessions
    )


def _placed(schedule: Schedule) -> dict[NeedKey, Group]:
    return {(s, g.subject): g for g in schedule.groups for s in g.students}


def compare(school: School, previous: Schedule, schedule: Schedule) -> ChangeReport:
    """The change report from `previous` to `schedule` for this school."""
    return ChangeReport(
        _need_changes(school, previous, schedule),
        _group_changes(previous, schedule),
        _teacher_changes(school, previous, schedule),
    )


def _need_changes(school: School, previous: Schedule, schedule: Schedule) -> list[NeedChange]:
    before, now = _placed(previous), _placed(schedule)
    reasons = {(u.student_id, u.subject): " ".join(u.reasons) for u in schedule.unplaced}
    current = {n.key for n in school.needs}
    known_before = set(before) | {(u.student_id, u.subject) for u in previous.unplaced}
    changes = []
    for key in sorted(current | known_before):
        old, new = before.get(key), now.get(key)
        if key not in current:
            change = "exited"
        elif old is not None and new is not None:
            change = "kept" if groups_match(old, new) else "moved"
        elif new is not None:
            change = "newly placed"
        elif old is not None:
            change = "newly unplaced"
        else:
            change = "unplaced"
        changes.append(
            NeedChange(
                key[0], key[1], change,
                old.group_id if old else "", times_of(old),
                new.group_id if new else "", times_of(new),
                reasons.get(key, ""),
            )
        )  # fmt: skip
    return changes


def _group_changes(previous: Schedule, schedule: Schedule) -> list[GroupChange]:
    changes = []
    matched: set[str] = set()
    for group in schedule.groups:
        old = next((g for g in previous.groups if groups_match(g, group)), None)
        if old is None:
            change, joined, left = "new", group.students, []
        else:
            matched.add(old.group_id)
            joined = sorted(set(group.students) - set(old.students))
            left = sorted(set(old.students) - set(group.students))
            change = "changed" if joined or left else "kept"
        changes.append(_group_change(group, change, joined, left))
    for old in previous.groups:
        if old.group_id not in matched:
            changes.append(_group_change(old, "dissolved", [], old.students))
    return changes


def _group_change(group: Group, change: str, joined: list[str], left: list[str]) -> GroupChange:
    need = f"{group.subject}:{group.skill} tier {group.tier}"
    return GroupChange(
        group.group_id, change, group.staff_id, need, times_of(group),
        " ".join(joined), " ".join(left),
    )  # fmt: skip


def _teacher_changes(school: School, previous: Schedule, schedule: Schedule) -> list[TeacherChange]:
    before, now = _placed(previous), _placed(schedule)
    changes = []
    for key in sorted(set(before) | set(now)):
        student = school.student_by_id.get(key[0])
        old_times, new_times = times_of(before.get(key)), times_of(now.get(key))
        if student is not None and old_times != new_times:
            changes.append(TeacherChange(student.homeroom, key[0], key[1], old_times, new_times))
    return sorted(changes, key=lambda c: (c.homeroom, c.student_id, c.subject))
