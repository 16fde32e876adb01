"""Terminal rendering (rich) of what the CLI reports; no logic about schools here."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from solver.problems import Problem
from solver.summary import SchoolSummary


def print_summary(console: Console, name: str, summary: SchoolSummary) -> None:
    console.print(f"[bold]{name}[/bold]: {summary.students} students, {summary.needs} needs")
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
        "subject", "needs", "minutes needed", "minutes available", "load", "",
        title="Capacity per subject (groups filled to max size)",
    )  # fmt: skip
    for row in summary.capacity:
        load = f"{row.minutes_needed / row.minutes_available:.0%}" if row.minutes_available else "-"
        verdict = "[green]fits[/green]" if row.fits else "[red]short[/red]"
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
        console.print(str(problem), style=style, markup=False, highlight=False, soft_wrap=True)
