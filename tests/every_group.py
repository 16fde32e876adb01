"""Every group a small school allows, by brute force, independently of the solver's
pricing and listing; and a small school that uses every kind of packing row."""

from __future__ import annotations

from collections import Counter
from itertools import combinations, product
from math import comb, prod

from solver.candidates import Candidate, Instance
from solver.model import School
from tests.builders import WEEK, block, need, program, school, staff, student, window


def every_group(instance: Instance) -> list[Candidate]:
    """Every group rules 1-6 and 8 allow, by brute force: each member set of each bucket,
    with each qualified staff member, on each set of days, at each start on each day."""
    groups = []
    grid = instance.grid
    for bucket, items in instance.buckets.items():
        program = items[0].program
        for sessions in {item.sessions for item in items}:
            eligible = [item for item in items if item.sessions <= sessions]
            for size in range(program.min_size, program.max_size + 1):
                for chosen in combinations(eligible, size):
                    members = tuple(item.index for item in chosen)
                    if not allowed(instance, members, sessions):
                        continue
                    for teacher in instance.qualified_staff(bucket):
                        free = [
                            slot
                            for slot in grid.staff_slots(teacher, program.minutes)
                            if all(
                                grid.student_is_free(item.student, *slot, program.minutes)
                                for item in chosen
                            )
                        ]
                        for days in combinations(WEEK, sessions):
                            times = [[s for s in free if s[0] == day] for day in days]
                            for slots in product(*times):
                                groups.append(instance.candidate(teacher, members, slots))
    return groups


def most_groups(instance: Instance) -> int:
    """At most this many groups `every_group` lists (every member set of every size, at
    every start the staff member has on each day), without listing them: a random
    school with wide windows can allow hundreds of thousands."""
    grid = instance.grid
    total = 0
    for bucket, items in instance.buckets.items():
        program = items[0].program
        sizes = range(program.min_size, program.max_size + 1)
        member_sets = sum(comb(len(items), size) for size in sizes)
        for teacher in instance.qualified_staff(bucket):
            per_day = Counter(day for day, _ in grid.staff_slots(teacher, program.minutes))
            for sessions in {item.sessions for item in items}:
                weeks = sum(prod(per_day[d] for d in days) for days in combinations(WEEK, sessions))
                total += member_sets * weeks
    return total


def allowed(instance: Instance, members: tuple[int, ...], sessions: int) -> bool:
    """Rules 2, 3 and 8 and the session count: a member set a group meeting `sessions`
    times may hold."""
    items = [instance.by_index[i] for i in members]
    grades = [item.student.grade for item in items]
    students = [item.student.student_id for item in items]
    return (
        max(grades) - min(grades) <= items[0].program.max_grade_span
        and all(item.sessions <= sessions for item in items)
        and any(item.sessions == sessions for item in items)
        and not any(frozenset(pair) in instance.apart for pair in combinations(students, 2))
    )


def school_with_every_row() -> School:
    """Staff time with a buffer, session and group budgets, a student with two needs (so
    student minutes and week rows), prefer and avoid minutes, scores, an apart pair."""
    return school(
        settings={"day_end": "11:00"},
        students=[student("A"), student("B"), student("C"), student("D", grade="3")],
        needs=[
            need("A", score=10),
            need("B", score=14),
            need("C", score=30),
            need("D", score=12),
            need("A", subject="math"),
        ],
        programs=[program(2, sessions_per_week=3), program(2, subject="math")],
        staff=[
            staff("T1", max_sessions_per_day=2, max_groups=2, buffer_minutes=30),
            staff("T2", teaches="math"),
        ],
        availability=[window("T1", end="11:00"), window("T2", end="11:00")],
        timetable=[
            block(start="09:00", end="09:30"),
            block(days="Mon, Tue", start="10:00", end="11:00", pull_out="prefer"),
            block(days="Thu", start="08:00", end="08:30", pull_out="avoid"),
        ],
        apart=[{"student_a": "B", "student_b": "C"}],
    )
