"""Checks across records and files: the one place the contract's references are enforced.

Row models already check single cells.  Here each check looks at the school as a
whole (ids that must exist, rows that must be unique, times inside the day) and
names the file, row and column of the offending cell.  Errors stop a school from
loading; warnings are told and do not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from solver.model import School
from solver.problems import Problem, Severity
from solver.values import format_clock


class Origin(Protocol):
    """Where the records of one table came from (a file label and spreadsheet rows)."""

    source: str
    rows: list[int]
    rejected: set[str]


@dataclass
class _DefaultOrigin:
    source: str
    rows: list[int]
    rejected: set[str] = field(default_factory=set)


@dataclass
class _Context:
    school: School
    origins: Mapping[str, Origin]
    problems: list[Problem] = field(default_factory=list)

    def report(
        self,
        table: str,
        index: int | None,
        column: str | None,
        message: str,
        value: object = None,
        severity: Severity = "error",
    ) -> None:
        origin = self.origins[table]
        row = origin.rows[index] if index is not None else None
        shown = None if value is None else str(value)
        self.problems.append(Problem(origin.source, message, row, column, shown, severity))

    def rejected(self, table: str) -> set[str]:
        return self.origins[table].rejected


Check = Callable[[_Context], None]


def check_school(school: School, origins: Mapping[str, Origin] | None = None) -> list[Problem]:
    """Every cross-record problem of the school, errors and warnings."""
    if origins is None:
        origins = {
            name: _DefaultOrigin(f"{name}.csv", list(range(2, len(getattr(school, name)) + 2)))
            for name, _, _ in School.tables()
        }
    context = _Context(school, origins)
    for check in CHECKS:
        check(context)
    return context.problems


def _duplicates(keys: list[object]) -> Iterator[tuple[int, int]]:
    """(index, index of first occurrence) of every repeated key."""
    first: dict[object, int] = {}
    for index, key in enumerate(keys):
        if key in first:
            yield index, first[key]
        else:
            first[key] = index


def check_unique_ids(c: _Context) -> None:
    for table, column in (("students", "student_id"), ("staff", "staff_id")):
        records = getattr(c.school, table)
        keys = [getattr(r, column) for r in records]
        for index, first in _duplicates(keys):
            row = c.origins[table].rows[first]
            c.report(table, index, column, f"this id is already used on row {row}", keys[index])


def check_needs(c: _Context) -> None:
    students = c.school.student_by_id
    known = set(students) | c.rejected("students")
    for index, need in enumerate(c.school.needs):
        if need.student_id not in known:
            c.report(
                "needs", index, "student_id", "no such student in students.csv", need.student_id
            )
    for index, first in _duplicates([n.key for n in c.school.needs]):
        row = c.origins["needs"].rows[first]
        message = f"this student already has a {c.school.needs[index].subject} need on row {row}"
        c.report("needs", index, "subject", message, c.school.needs[index].subject)


def check_needs_have_programs(c: _Context) -> None:
    seen: set[tuple[str, str, int]] = set()
    for index, need in enumerate(c.school.needs):
        bucket = (need.subject, need.skill, need.tier)
        if bucket in seen or need.subject in c.rejected("programs"):
            continue
        if c.school.program_for(*bucket):
            continue
        seen.add(bucket)
        count = sum((n.subject, n.skill, n.tier) == bucket for n in c.school.needs)
        message = (
            f"no row in programs.csv for {need.subject} / {need.skill} at tier {need.tier} "
            f"({count} need(s)); add that row or a '{need.subject},*,{need.tier}' row"
        )
        c.report("needs", index, "skill", message, need.skill)


def check_need_sessions(c: _Context) -> None:
    days = len(c.school.settings.days)
    for index, need in enumerate(c.school.needs):
        if need.sessions_per_week is not None and need.sessions_per_week > days:
            message = f"more sessions than the {days} school days; {days} will be used"
            c.report(
                "needs", index, "sessions_per_week", message, need.sessions_per_week, "warning"
            )


def check_homerooms_have_timetables(c: _Context) -> None:
    owners = {b.owner for b in c.school.timetable} | c.rejected("timetable")
    reported: set[str] = set()
    for index, student in enumerate(c.school.students):
        if student.homeroom not in owners and student.homeroom not in reported:
            reported.add(student.homeroom)
            message = "this homeroom has no blocks in timetable.csv"
            c.report("students", index, "homeroom", message, student.homeroom)


def check_programs(c: _Context) -> None:
    programs = c.school.programs
    settings = c.school.settings
    for index, first in _duplicates([(p.subject, p.skill, p.tier) for p in programs]):
        row = c.origins["programs"].rows[first]
        c.report(
            "programs",
            index,
            "skill",
            f"the same program is already on row {row}",
            programs[index].skill,
        )
    for index, program in enumerate(programs):
        if program.minutes > settings.day_minutes:
            message = f"a session is longer than the school day ({settings.day_minutes} minutes)"
            c.report("programs", index, "minutes", message, program.minutes)
        if program.sessions_per_week > len(settings.days):
            message = f"more sessions per week than school days ({len(settings.days)})"
            c.report("programs", index, "sessions_per_week", message, program.sessions_per_week)


def _check_times_and_days(c: _Context, table: str) -> None:
    settings = c.school.settings
    for index, record in enumerate(getattr(c.school, table)):
        if record.start < settings.day_start:
            message = f"starts before the school day ({format_clock(settings.day_start)})"
            c.report(table, index, "start", message, format_clock(record.start))
        if record.end > settings.day_end:
            message = f"ends after the school day ({format_clock(settings.day_end)})"
            c.report(table, index, "end", message, format_clock(record.end))
        other_days = [d.value for d in record.days if d not in settings.days]
        if other_days:
            message = "not a school day in school.toml; ignored"
            c.report(table, index, "days", message, ";".join(other_days), "warning")


def check_availability(c: _Context) -> None:
    known = set(c.school.staff_by_id) | c.rejected("staff")
    for index, window in enumerate(c.school.availability):
        if window.staff_id not in known:
            c.report(
                "availability",
                index,
                "staff_id",
                "no such staff member in staff.csv",
                window.staff_id,
            )
    _check_times_and_days(c, "availability")


def check_timetable(c: _Context) -> None:
    homerooms = {s.homeroom for s in c.school.students}
    students = set(c.school.student_by_id) | c.rejected("students")
    for index, block in enumerate(c.school.timetable):
        if block.owner not in homerooms and block.owner not in students:
            message = "no student has this homeroom or id; the block is ignored"
            c.report("timetable", index, "owner", message, block.owner, "warning")
    _check_times_and_days(c, "timetable")


def check_apart_pairs(c: _Context) -> None:
    known = set(c.school.student_by_id) | c.rejected("students")
    for index, pair in enumerate(c.school.apart):
        for column in ("student_a", "student_b"):
            if getattr(pair, column) not in known:
                c.report(
                    "apart", index, column, "no such student in students.csv", getattr(pair, column)
                )
        if pair.student_a == pair.student_b:
            c.report(
                "apart",
                index,
                "student_b",
                "a student cannot be kept apart from themself",
                pair.student_b,
            )


def check_pins(c: _Context) -> None:
    needs = {n.key for n in c.school.needs}
    for index, pin in enumerate(c.school.pins):
        if (pin.student_id, pin.subject) not in needs:
            message = f"this student has no {pin.subject} need in needs.csv"
            c.report("pins", index, "student_id", message, pin.student_id)


def warn_about_staff(c: _Context) -> None:
    subjects_needed = {n.subject for n in c.school.needs}
    available = {w.staff_id for w in c.school.availability}
    for index, staff in enumerate(c.school.staff):
        for entry in staff.teaches:
            if entry.split(":")[0] not in subjects_needed:
                message = "nobody needs this subject in needs.csv"
                c.report("staff", index, "teaches", message, entry, "warning")
        if staff.staff_id not in available:
            message = "this staff member has no rows in availability.csv"
            c.report("staff", index, "staff_id", message, staff.staff_id, "warning")


def warn_about_needs_nobody_teaches(c: _Context) -> None:
    seen: set[tuple[str, str, int]] = set()
    for index, need in enumerate(c.school.needs):
        bucket = (need.subject, need.skill, need.tier)
        if bucket in seen:
            continue
        seen.add(bucket)
        if not any(s.can_teach(*bucket) for s in c.school.staff):
            count = sum((n.subject, n.skill, n.tier) == bucket for n in c.school.needs)
            message = (
                f"nobody in staff.csv delivers {need.subject}:{need.skill} at tier {need.tier}; "
                f"{count} need(s) will stay unplaced"
            )
            c.report("needs", index, "skill", message, need.skill, "warning")


def warn_about_students_without_needs(c: _Context) -> None:
    with_needs = Counter(n.student_id for n in c.school.needs)
    without = [s for s in c.school.students if s.student_id not in with_needs]
    if without:
        message = (
            f"{len(without)} of {len(c.school.students)} students have no needs "
            "and are not scheduled"
        )
        c.problems.append(Problem(c.origins["students"].source, message, severity="warning"))


CHECKS: list[Check] = [
    check_unique_ids,
    check_needs,
    check_needs_have_programs,
    check_need_sessions,
    check_homerooms_have_timetables,
    check_programs,
    check_availability,
    check_timetable,
    check_apart_pairs,
    check_pins,
    warn_about_staff,
    warn_about_needs_nobody_teaches,
    warn_about_students_without_needs,
]
