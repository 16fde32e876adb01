"""Terminal rendering (rich) of what the CLI reports; no logic about schools here.  The
consoles read no markup (`api.cli`): styles are given as styles, never as tags."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from solver.changes import ChangeReport
from solver.model import School
from solver.problems import Problem
from solver.solve import Progress, SolveResult
from solver.summary import SchoolSummary
from solver.values import format_clock


def print_summary(console: Console, name: str, summary: SchoolSummary) -> None:
    console.print(
        Text.assemble((name, "bold"), f": {summary.students} students, {summary.needs} needs")
    )
    needs = Table("subject", "skill", "tier", "needs", title="Needs by subject, skill and tier")
    for (subject, skill, tier), count in summary.needs_by_bucket.items():
        needs.add_row(subject, skill, str(tier), str(count))
    console.print(needs)
    staff = Table("staff", "name", "teaches", "max tier", "minutes/week", title="Staff time")
    for member in summary.staff:
        staff.add_row(
            member.staff_id,
            member.name,
            member.teaches,
            str(member.max_tier),
            str(member.minutes_per_week),
        )
    console.print(staff)
    capacity = Table(
        "subject",
        "needs",
        "minutes needed",
        "minutes available",
        "load",
        "",
        title="Capacity per subject (groups filled to max size)",
    )
    for row in summary.capacity:
        load = f"{row.minutes_needed / row.minutes_available:.0%}" if row.minutes_available else "-"
        verdict = Text("fits", style="green") if row.fits else Text("short", style="red")
        capacity.add_row(
            row.subject,
            str(row.needs),
            str(row.minutes_needed),
            str(row.minutes_available),
            load,
            verdict,
        )
    console.print(capacity)


def print_problems(console: Console, problems: list[Problem]) -> None:
    for problem in problems:
        style = "yellow" if problem.severity == "warning" else "red"
        console.print(str(problem), style=style, soft_wrap=True)


def print_schedule(console: Console, school: School, result: SolveResult) -> None:
    """Groups per staff member, placement by tier, and every unplaced need with reasons."""
    schedule = result.schedule
    by_staff = Table("staff", "group", "need", "students", "sessions", title="Groups")
    for group in schedule.groups:
        staff = school.staff_by_id[group.staff_id]
        sessions = ", ".join(f"{s.day.value} {format_clock(s.start)}" for s in group.sessions)
        by_staff.add_row(
            staff.name,
            group.group_id,
            f"{group.subject}:{group.skill} T{group.tier}",
            " ".join(group.students),
            sessions,
        )
    console.print(by_staff)
    placement = Table("tier", "needs", "placed", "rate", "greedy baseline", title="Placement")
    for tier in (3, 2):
        needs = [n for n in school.needs if n.tier == tier]
        placed = sum(len(g.students) for g in schedule.groups if g.tier == tier)
        rate = f"{placed / len(needs):.0%}" if needs else "-"
        placement.add_row(str(tier), str(len(needs)), str(placed), rate, "")
    placement.add_row(
        "all", str(len(school.needs)), str(result.placed), "", str(result.greedy_placed)
    )
    console.print(placement)
    for entry in schedule.unplaced:
        console.print(
            f"Unplaced {entry.student_id} {entry.subject}:{entry.skill} tier {entry.tier}: "
            + " ".join(entry.reasons),
        )
    gap, bound = result.gap, schedule.best_bound
    console.print(
        f"Status {schedule.status}; objective {schedule.objective}, "
        + (f"bound {bound}" if bound is not None else "no bound (no time for the relaxation)")
        + (f", gap {gap:.1%}" if gap is not None else "")
        + f"; {schedule.solve_seconds:.1f} s."
    )


def progress_line(progress: Progress) -> str:
    return (
        f"{progress.phase:>8} {progress.elapsed:6.1f} s  placed {progress.placed}/{progress.needs}"
        f"  objective {progress.objective}  bound {progress.bound or '…'}"
    )


def print_changes(console: Console, report: ChangeReport) -> None:
    """Every moved or newly unplaced need, and who leaves which classroom at new times."""
    counts = ", ".join(f"{count} {change}" for change, count in sorted(report.counts().items()))
    console.print(f"Changes from the previous schedule: {counts}.")
    for change in report.needs:
        if change.change == "moved":
            line = (
                f"Moved {change.student_id} {change.subject}: {change.old_group} "
                f"({change.old_times}) -> {change.new_group} ({change.new_times})"
            )
        elif change.change == "newly unplaced":
            line = (
                f"Newly unplaced {change.student_id} {change.subject} (was {change.old_group}): "
                f"{change.reason}"
            )
        else:
            continue
        console.print(line)
    for teacher in report.teachers:
        console.print(
            f"Homeroom {teacher.homeroom}: {teacher.student_id} {teacher.subject} now "
            f"{teacher.new_times or 'no group'} (was {teacher.old_times or 'no group'})",
        )
