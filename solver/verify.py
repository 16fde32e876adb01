"""An independent check of a schedule against the contract's ten hard rules.

Written apart from the model on purpose: it reads only the domain objects and
never imports the candidate generator, the packing model or the time grid, so a
bug there cannot hide itself here.  Every schedule `solve()` returns passes
`assert_valid` first; a violation is a bug and fails loudly.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from solver.model import Block, Need, Program, School
from solver.schedule import Group, Schedule, Session, groups_match
from solver.values import Day, PullOut, format_clock


@dataclass(frozen=True)
class Violation:
    """A broken rule (1-10; 0 is completeness), said the way a person would say it."""

    rule: int
    message: str

    def __str__(self) -> str:
        return f"rule {self.rule}: {self.message}" if self.rule else self.message


class ScheduleViolation(Exception):
    """A schedule broke a hard rule: always a bug in the solver."""


def _when(session: Session) -> str:
    return f"{session.day.value} {format_clock(session.start)}-{format_clock(session.end)}"


def _program(school: School, group: Group) -> Program | None:
    return school.program_for(group.subject, group.skill, group.tier)


def _needs_by_key(school: School) -> dict[tuple[str, str], Need]:
    return {(n.student_id, n.subject): n for n in school.needs}


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _name(school: School, staff_id: str) -> str:
    staff = school.staff_by_id.get(staff_id)
    return staff.name if staff else staff_id


def check_group_size(school: School, schedule: Schedule) -> list[Violation]:
    """Rule 1: a group's size is within its program's min_size..max_size."""
    found = []
    for group in schedule.groups:
        program = _program(school, group)
        if program is None:
            message = f"Group {group.group_id} has no program for {group.subject}:{group.skill}."
            found.append(Violation(1, message))
        elif not program.min_size <= len(group.students) <= program.max_size:
            message = (
                f"Group {group.group_id} has {len(group.students)} students; its program "
                f"allows {program.min_size} to {program.max_size}."
            )
            found.append(Violation(1, message))
    return found


def check_members_share_the_need(school: School, schedule: Schedule) -> list[Violation]:
    """Rule 2: every member has a need with the group's subject, skill and tier."""
    needs = _needs_by_key(school)
    found = []
    for group in schedule.groups:
        for student_id in group.students:
            need = needs.get((student_id, group.subject))
            if need is None or (need.skill, need.tier) != (group.skill, group.tier):
                message = (
                    f"Student {student_id} in {group.group_id} has no {group.subject}:"
                    f"{group.skill} tier {group.tier} need."
                )
                found.append(Violation(2, message))
    return found


def check_grade_span(school: School, schedule: Schedule) -> list[Violation]:
    """Rule 3: grades inside a group differ by at most max_grade_span."""
    found = []
    for group in schedule.groups:
        program = _program(school, group)
        grades = [
            school.student_by_id[s].grade for s in group.students if s in school.student_by_id
        ]
        if program and grades and max(grades) - min(grades) > program.max_grade_span:
            message = (
                f"Group {group.group_id} mixes grades {min(grades)} to {max(grades)}; at most "
                f"{program.max_grade_span} apart is allowed."
            )
            found.append(Violation(3, message))
    return found


def _sessions_required(school: School, group: Group, program: Program) -> int:
    needs = _needs_by_key(school)
    overrides = [
        needs[(s, group.subject)].sessions_per_week or 0
        for s in group.students
        if (s, group.subject) in needs
    ]
    return min(max([program.sessions_per_week, *overrides]), len(school.settings.days))


def check_session_pattern(school: School, schedule: Schedule) -> list[Violation]:
    """Rule 4: n sessions of `minutes` on distinct school days, on the grid, by day_end."""
    settings = school.settings
    found = []
    for group in schedule.groups:
        program = _program(school, group)
        if program is None:
            continue
        required = _sessions_required(school, group, program)
        days = [s.day for s in group.sessions]
        if len(days) != required or len(set(days)) != len(days):
            message = (
                f"Group {group.group_id} meets on {', '.join(d.value for d in days)}; it needs "
                f"{required} sessions on distinct days."
            )
            found.append(Violation(4, message))
        for session in group.sessions:
            on_grid = (session.start - settings.day_start) % settings.start_step_minutes == 0
            if (
                session.day not in settings.days
                or session.end - session.start != program.minutes
                or session.start < settings.day_start
                or session.end > settings.day_end
                or not on_grid
            ):
                message = (
                    f"Group {group.group_id}'s session {_when(session)} is not a "
                    f"{program.minutes}-minute session on the school's start grid inside the day."
                )
                found.append(Violation(4, message))
    return found


def check_staff_qualified(school: School, schedule: Schedule) -> list[Violation]:
    """Rule 5: the staff member teaches the subject (or subject:skill) up to the tier."""
    found = []
    for group in schedule.groups:
        staff = school.staff_by_id.get(group.staff_id)
        if staff is None or not staff.can_teach(group.subject, group.skill, group.tier):
            message = (
                f"{_name(school, group.staff_id)} may not deliver {group.subject}:{group.skill} "
                f"at tier {group.tier} (group {group.group_id})."
            )
            found.append(Violation(5, message))
    return found


def check_within_availability(school: School, schedule: Schedule) -> list[Violation]:
    """Rule 6: every session lies inside one of the staff member's availability windows."""
    windows: dict[tuple[str, Day], list[tuple[int, int]]] = defaultdict(list)
    for row in school.availability:
        for day in row.days:
            windows[(row.staff_id, day)].append((row.start, row.end))
    found = []
    for group in schedule.groups:
        for session in group.sessions:
            inside = any(
                start <= session.start and session.end <= end
                for start, end in windows[(group.staff_id, session.day)]
            )
            if not inside:
                message = (
                    f"{_name(school, group.staff_id)} is not available for {group.group_id} on "
                    f"{_when(session)}."
                )
                found.append(Violation(6, message))
    return found


def check_staff_double_booking(school: School, schedule: Schedule) -> list[Violation]:
    """Rule 7: no overlap, buffer_minutes between sessions, daily and group limits."""
    found = []
    by_staff: dict[str, list[tuple[Session, Group]]] = defaultdict(list)
    for group in schedule.groups:
        by_staff[group.staff_id] += [(s, group) for s in group.sessions]
    for staff_id, sessions in by_staff.items():
        staff = school.staff_by_id.get(staff_id)
        buffer = staff.buffer_minutes if staff else 0
        for (a, group_a), (b, group_b) in _pairs(sessions):
            if a.day == b.day and _overlap((a.start, a.end + buffer), (b.start, b.end + buffer)):
                message = (
                    f"{_name(school, staff_id)} has {group_a.group_id} {_when(a)} and "
                    f"{group_b.group_id} {_when(b)} overlapping or closer than {buffer} minutes."
                )
                found.append(Violation(7, message))
        if staff is None:
            continue
        per_day = Counter(s.day for s, _ in sessions)
        limit = staff.max_sessions_per_day
        for day, count in per_day.items():
            if limit is not None and count > limit:
                message = f"{staff.name} has {count} sessions on {day.value}; at most {limit}."
                found.append(Violation(7, message))
        groups = len({g.group_id for _, g in sessions})
        if staff.max_groups is not None and groups > staff.max_groups:
            message = f"{staff.name} runs {groups} groups; at most {staff.max_groups}."
            found.append(Violation(7, message))
    return found


def _pairs(items: list[tuple[Session, Group]]) -> Iterator[tuple[tuple[Session, Group], ...]]:
    for i, first in enumerate(items):
        for second in items[i + 1 :]:
            yield first, second


def check_never_blocks(school: School, schedule: Schedule) -> list[Violation]:
    """Rule 8: no session overlaps a `never` block of a member's homeroom or of the member."""
    never: dict[str, list[Block]] = defaultdict(list)
    for block in school.timetable:
        if block.pull_out is PullOut.NEVER:
            never[block.owner].append(block)
    found = []
    for group in schedule.groups:
        for student_id in group.students:
            student = school.student_by_id.get(student_id)
            if student is None:
                continue
            blocks = never[student.homeroom] + never[student_id]
            for session in group.sessions:
                for block in blocks:
                    if session.day in block.days and _overlap(
                        (session.start, session.end), (block.start, block.end)
                    ):
                        found.append(Violation(8, _leaves_block(student_id, group, block, session)))
    return found


def _leaves_block(student_id: str, group: Group, block: Block, session: Session) -> str:
    during = f"{format_clock(block.start)}-{format_clock(block.end)}"
    return (
        f"Student {student_id} in {group.group_id} would leave {block.activity} {during} "
        f"({block.owner}) on {_when(session)}."
    )


def check_student_double_booking(school: School, schedule: Schedule) -> list[Violation]:
    """Rule 9: a student's sessions (one group per subject) never overlap each other."""
    by_student: dict[str, list[tuple[Session, Group]]] = defaultdict(list)
    for group in schedule.groups:
        for student_id in group.students:
            by_student[student_id] += [(s, group) for s in group.sessions]
    found = []
    for student_id, sessions in by_student.items():
        for (a, group_a), (b, group_b) in _pairs(sessions):
            if (
                group_a is not group_b
                and a.day == b.day
                and _overlap((a.start, a.end), (b.start, b.end))
            ):
                message = (
                    f"Student {student_id} is in {group_a.group_id} {_when(a)} and "
                    f"{group_b.group_id} {_when(b)} at once."
                )
                found.append(Violation(9, message))
    return found


def check_placement(school: School, schedule: Schedule) -> list[Violation]:
    """Rule 10: a need is in at most one group; apart pairs never share one; pins hold."""
    found = []
    placements = Counter((s, g.subject) for g in schedule.groups for s in g.students)
    for (student_id, subject), count in placements.items():
        if count > 1:
            message = f"Student {student_id}'s {subject} need is in {count} groups."
            found.append(Violation(10, message))
    for group in schedule.groups:
        members = set(group.students)
        for pair in school.apart:
            if {pair.student_a, pair.student_b} <= members:
                message = (
                    f"Students {pair.student_a} and {pair.student_b} are kept apart but share "
                    f"{group.group_id}."
                )
                found.append(Violation(10, message))
    group_of = {(s, g.subject): g.group_id for g in schedule.groups for s in g.students}
    for pin in school.pins:
        if group_of.get((pin.student_id, pin.subject)) != pin.group_id:
            message = (
                f"Student {pin.student_id}'s {pin.subject} need is pinned to {pin.group_id} "
                "but placed elsewhere or not at all."
            )
            found.append(Violation(10, message))
    return found


def check_completeness(school: School, schedule: Schedule) -> list[Violation]:
    """Every need appears exactly once: in a group, or unplaced with at least one reason."""
    needs = _needs_by_key(school)
    seen = Counter((s, g.subject) for g in schedule.groups for s in g.students)
    found = []
    for entry in schedule.unplaced:
        key = (entry.student_id, entry.subject)
        seen[key] += 1
        need = needs.get(key)
        if need is not None and (need.skill, need.tier) != (entry.skill, entry.tier):
            found.append(Violation(0, f"Unplaced {key} does not match its need's skill and tier."))
        if not any(reason.strip() for reason in entry.reasons):
            found.append(Violation(0, f"Unplaced need {key} has no reason."))
    for key in needs:
        if seen[key] != 1:
            found.append(Violation(0, f"Need {key} appears {seen[key]} times in the schedule."))
    found += [
        Violation(0, f"{key} is not a need in needs.csv.") for key in seen if key not in needs
    ]
    group_ids = Counter(g.group_id for g in schedule.groups)
    found += [Violation(0, f"Group id {i} is used twice.") for i, n in group_ids.items() if n > 1]
    return found


CHECKS: list[Callable[[School, Schedule], list[Violation]]] = [
    check_group_size,
    check_members_share_the_need,
    check_grade_span,
    check_session_pattern,
    check_staff_qualified,
    check_within_availability,
    check_staff_double_booking,
    check_never_blocks,
    check_student_double_booking,
    check_placement,
    check_completeness,
]


def verify(school: School, schedule: Schedule) -> list[Violation]:
    """Every violation of the hard rules and of completeness; empty means valid."""
    return [violation for check in CHECKS for violation in check(school, schedule)]


def assert_valid(school: School, schedule: Schedule) -> None:
    violations = verify(school, schedule)
    if violations:
        raise ScheduleViolation("\n".join(str(v) for v in violations))


def _pull_out_minutes(
    school: School, by_owner: dict[str, list[Block]], student_id: str, session: Session
) -> Counter[PullOut]:
    """Per level, the minutes of one session for one member; strictest block wins."""
    student = school.student_by_id[student_id]
    blocks = [b for b in by_owner[student.homeroom] + by_owner[student_id] if session.day in b.days]
    minutes: Counter[PullOut] = Counter()
    for minute in range(session.start, session.end):
        covering = [b.pull_out for b in blocks if b.start <= minute < b.end]
        minutes[max(covering, key=lambda p: p.strictness) if covering else PullOut.OK] += 1
    return minutes


def objective_of(school: School, schedule: Schedule, previous: Schedule | None = None) -> int:
    """The contract's objective, recomputed from the schedule alone.

    Score spread is summed over groups in points and multiplied once:
    `round(score_spread * total_spread)`, so the objective is an integer.
    """
    weights = school.settings.objective
    needs = _needs_by_key(school)
    by_owner: dict[str, list[Block]] = defaultdict(list)
    for block in school.timetable:
        by_owner[block.owner].append(block)
    total = 0
    spread = 0.0
    for group in schedule.groups:
        total += len(group.students) * weights.serve(group.tier)
        for student_id in group.students:
            for session in group.sessions:
                minutes = _pull_out_minutes(school, by_owner, student_id, session)
                total += weights.prefer_minutes * minutes[PullOut.PREFER]
                total -= weights.avoid_minutes * minutes[PullOut.AVOID]
        scores = [
            score
            for s in group.students
            if (score := needs[(s, group.subject)].score if (s, group.subject) in needs else None)
            is not None
        ]
        spread += max(scores) - min(scores) if scores else 0.0
        total -= weights.time_changes * (len({s.start for s in group.sessions}) - 1)
    total -= round(weights.score_spread * spread)
    if previous is not None:
        total -= weights.moved_student * _moved(schedule, previous)
    return total


def _moved(schedule: Schedule, previous: Schedule) -> int:
    now = {(s, g.subject): g for g in schedule.groups for s in g.students}
    before = {(s, g.subject): g for g in previous.groups for s in g.students}
    return sum(1 for key, old in before.items() if key in now and not groups_match(now[key], old))
