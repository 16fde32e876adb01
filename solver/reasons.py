"""Why a student-need is unplaced, in sentences a person can act on.

Checked from the most specific to the most general: nobody may teach it; no
qualified staff member is free when the student is; too few classmates to form a
group; several rules that together leave no group (found with CP-SAT assumptions,
`solver.alone`); and otherwise capacity, naming whose time would place the student.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from solver.alone import Rule, fits_a_group_quickly, group_alone, largest_group
from solver.candidates import Instance, NeedItem
from solver.model import Staff
from solver.schedule import Group
from solver.values import Day, format_clock


@dataclass(frozen=True)
class _ShortOfTime:
    """A need some group could hold, had its staff the time."""

    free_with: list[Staff]
    """The qualified staff free with the student on enough days."""
    windows: list[str]
    """When the student and the first of them are both free: 'Mon 09:50-11:00'."""


class Reasons:
    """Why needs are unplaced, in one school.

    Only the capacity reason's groups depend on the schedule; the rest is worked out once
    a need, as it takes time: at the end of a 60 s elementary solve the reasons took
    0.6 s, 0.45 s of it asking CP-SAT whether any group could hold a need at all, and on
    the 900-need K-8 2.1 s, half of it finding when students and staff are both free.
    `solve()` asks early, while the time it takes still counts against the limit.
    """

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self._known: dict[int, list[str] | _ShortOfTime] = {}

    def prepare(self, items: Iterable[NeedItem]) -> None:
        """Work out now what the reasons of these needs will not need to work out later."""
        for item in items:
            self._settled(item)

    def of(self, item: NeedItem, groups: list[Group]) -> list[str]:
        """Every reason that applies, most specific first; never empty.

        `groups` is the chosen roster, so a capacity reason can name the groups that
        hold the qualified staff when the student is free.
        """
        found = self._settled(item)
        if isinstance(found, list):
            return found
        return [_capacity(self.instance, item, found, groups)]

    def _settled(self, item: NeedItem) -> list[str] | _ShortOfTime:
        """The reasons that do not depend on the schedule, or what a capacity reason
        needs to know about the need."""
        if item.index not in self._known:
            self._known[item.index] = _independent_reasons(self.instance, item)
        return self._known[item.index]


def _independent_reasons(instance: Instance, item: NeedItem) -> list[str] | _ShortOfTime:
    qualified = instance.qualified_staff(item.bucket)
    if not qualified:
        return [_nobody_teaches(instance, item)]
    free_with = [s for s in qualified if len(_free_days(instance, item, s)) >= item.sessions]
    if not free_with:
        return [_no_common_time(instance, item, s) for s in qualified]
    too_few = _too_few_classmates(instance, item)
    if too_few:
        return [too_few]
    if not fits_a_group_quickly(instance, item):
        rules = group_alone(instance, item)
        if isinstance(rules, list) and rules:
            return [_no_group(instance, item, rules)]
    return _ShortOfTime(free_with, _common_windows(instance, item, free_with[0]))


def _label(item: NeedItem) -> str:
    need = item.need
    return f"{need.subject}:{need.skill} at tier {need.tier}"


def _nobody_teaches(instance: Instance, item: NeedItem) -> str:
    subject, skill, tier = item.bucket
    lower = [s.name for s in instance.school.staff if s.can_teach(subject, skill, 2)]
    message = f"No interventionist delivers {_label(item)}."
    if tier == 3 and lower:
        message += f" {', '.join(lower)} may deliver it at tier 2 only (max_tier in staff.csv)."
    return message


def _free_days(instance: Instance, item: NeedItem, staff: Staff) -> set[Day]:
    """Days with a start where both the staff member and the student are free."""
    grid = instance.grid
    minutes = item.program.minutes
    days: set[Day] = set()
    for day, start in grid.staff_slots(staff, minutes):
        if day not in days and grid.student_is_free(item.student, day, start, minutes):
            days.add(day)
    return days


def _no_common_time(instance: Instance, item: NeedItem, staff: Staff) -> str:
    grid = instance.grid
    minutes = item.program.minutes
    free_days = sorted(_free_days(instance, item, staff), key=lambda d: d.order)
    windows = grid.windows_of(staff)
    blocking = sorted(
        {
            f"{b.activity} {format_clock(b.start)}-{format_clock(b.end)}"
            for b in grid.blocks_of(item.student)
            if any(d in b.days and b.start < end and start < b.end for d, start, end in windows)
        }
    )
    owner = f"homeroom {item.student.homeroom}"
    days_text = ", ".join(d.value for d in free_days) or "no day"
    return (
        f"No common free time with {staff.name}: a {minutes}-minute session fits on "
        f"{days_text}, {item.sessions} days are needed; the student's "
        f"{' and '.join(blocking) or 'timetable'} ({owner}) cover {staff.name}'s "
        "available windows."
    )


def _too_few_classmates(instance: Instance, item: NeedItem) -> str | None:
    program = item.program
    if program.min_size <= 1:
        return None
    sharing = {
        index
        for (bucket, _), patterns in instance.patterns.items()
        if bucket == item.bucket
        for p in patterns
        if item.index in p.free_set
        for index in p.free
    }
    others = [
        other
        for other in instance.buckets[item.bucket]
        if other.index != item.index
        and other.index in sharing
        and abs(other.student.grade - item.student.grade) <= program.max_grade_span
        and frozenset((other.student.student_id, item.student.student_id)) not in instance.apart
    ]
    if len(others) + 1 >= program.min_size:
        return None
    return (
        f"A {_label(item)} group needs at least {program.min_size} students, but only "
        f"{len(others)} other student(s) within {program.max_grade_span} grade(s) "
        "(and not kept apart) share a free time with this student."
    )


def _no_group(instance: Instance, item: NeedItem, rules: list[Rule]) -> str:
    """Rules that together leave no group: how large a group could be, and what limits it."""
    opening = f"No {_label(item)} group can hold this student, even with all staff time free"
    largest = largest_group(instance, item) if Rule.SIZE in rules else None
    if largest is None:
        text = f"{opening}: {_and(r.value for r in rules)} together rule it out."
    else:
        limits = _and(r.value for r in rules if r is not Rule.SIZE)
        under = f"under {limits}, " if limits else ""
        students = "1 student" if largest == 1 else f"{largest} students"
        text = (
            f"{opening}: {under}at most {students} with this need can meet together, "
            f"and a group needs at least {item.program.min_size} (min_size in programs.csv)."
        )
    details = [_rule_detail(instance, item, rule) for rule in rules]
    return " ".join([text, *(d for d in details if d)])


def _and(parts: Iterable[str]) -> str:
    listed = list(parts)
    return ", ".join(listed[:-1]) + " and " + listed[-1] if len(listed) > 1 else "".join(listed)


def _rule_detail(instance: Instance, item: NeedItem, rule: Rule) -> str:
    """What a person would change for this rule, naming the student's side of it."""
    if rule is Rule.GRADE_SPAN:
        span = item.program.max_grade_span
        grade = item.student.grade
        return f"Grades in a group differ by at most {span}; this student is in grade {grade}."
    if rule is Rule.STAFF_LIMITS:
        names = ", ".join(
            s.name for s in instance.qualified_staff(item.bucket) if s.max_groups == 0
        )
        return f"{names} may run no groups."
    if rule is Rule.APART:
        partners = sorted(
            other
            for pair in instance.apart
            if item.student.student_id in pair
            for other in pair - {item.student.student_id}
        )
        return f"This student is kept apart from {', '.join(partners)}." if partners else ""
    if rule is Rule.TIMETABLES:
        return " ".join(
            _free_with(instance, item, s) for s in instance.qualified_staff(item.bucket)
        )
    return ""


def _free_with(instance: Instance, item: NeedItem, staff: Staff) -> str:
    windows = _common_windows(instance, item, staff)
    shown = ", ".join(windows[:4]) + (f" and {len(windows) - 4} more" if len(windows) > 4 else "")
    return f"This student and {staff.name} are both free {shown or 'at no time'}."


def _common_windows(instance: Instance, item: NeedItem, staff: Staff) -> list[str]:
    """When the student and the staff member are both free for a session: 'Mon 09:50-11:00'."""
    grid = instance.grid
    minutes = item.program.minutes
    starts = [
        (day, start)
        for day, start in grid.staff_slots(staff, minutes)
        if grid.student_is_free(item.student, day, start, minutes)
    ]
    return _windows_text(starts, minutes, grid.step)


def _windows_text(starts: list[tuple[Day, int]], minutes: int, step: int) -> list[str]:
    """Consecutive possible starts merged into windows: 'Mon 09:50-11:00'."""
    windows: list[tuple[Day, int, int]] = []
    for day, start in starts:
        if windows and windows[-1][0] == day and windows[-1][2] == start - step + minutes:
            windows[-1] = (day, windows[-1][1], start + minutes)
        else:
            windows.append((day, start, start + minutes))
    return [f"{d.value} {format_clock(a)}-{format_clock(b)}" for d, a, b in windows]


def _capacity(instance: Instance, item: NeedItem, short: _ShortOfTime, groups: list[Group]) -> str:
    minutes = item.program.minutes
    staff = short.free_with[0]
    free_days = short.windows
    names = ", ".join(s.name for s in short.free_with)
    busy = _groups_in_the_way(instance, item, short.free_with, groups)
    return (
        f"Capacity: when the student is free, the time of {names} goes to other groups"
        f"{' (' + '; '.join(busy[:4]) + ')' if busy else ''}. "
        f"About {item.sessions * minutes} more minutes a week of {staff.name}'s time at a "
        f"time the student is free (such as {', '.join(free_days[:3])}) would place the student."
    )


def _groups_in_the_way(
    instance: Instance, item: NeedItem, free_with: list[Staff], groups: list[Group]
) -> list[str]:
    """Groups of the qualified staff meeting at a time this student could have met."""
    grid = instance.grid
    minutes = item.program.minutes
    qualified = {s.staff_id: s for s in free_with}
    found = []
    for group in groups:
        if group.staff_id not in qualified:
            continue
        clash = [
            session
            for session in group.sessions
            if grid.student_is_free(item.student, session.day, session.start, minutes)
        ]
        if clash:
            found.append(
                f"{group.group_id} of {qualified[group.staff_id].name} on {clash[0].day.value} "
                f"{format_clock(clash[0].start)}"
            )
    return found
