"""Regeneration between screening windows: a school drifts, the roster should not.

About 10% of needs change (skill, tier or score), 5% exit and 5% are new.  The
roster solved from last window's schedule is compared with a fresh solve of the
new data: how many unchanged needs keep their group, and how many are placed.
"""

from __future__ import annotations

import random
from typing import Any

from solver.candidates import Instance
from solver.continuity import kept_groups, stayers
from solver.model import Need, School
from solver.schedule import Schedule, groups_match
from solver.solve import SolveOptions, solve


def drifted(school: School, seed: int) -> tuple[School, set[tuple[str, str]]]:
    """The school one window later, and the keys of the needs that did not change."""
    rng = random.Random(seed)
    needs = list(school.needs)
    rng.shuffle(needs)
    count = len(needs)
    exited = count // 20  # the first 5% of the shuffled needs are gone
    changing = needs[exited : exited + count // 10]
    staying = needs[exited + count // 10 :]
    changed = [_change(need, school, rng) for need in changing]
    with_needs = {n.student_id for n in school.needs}
    newcomers = [s for s in school.students if s.student_id not in with_needs]
    added = [
        _copy_need(rng.choice(school.needs), student.student_id, rng)
        for student in rng.sample(newcomers, min(len(newcomers), count // 20))
    ]
    order = {n.key: i for i, n in enumerate(school.needs)}
    new_needs = sorted(staying + changed, key=lambda n: order[n.key]) + added
    return school.model_copy(update={"needs": new_needs}), {n.key for n in staying}


def _change(need: Need, school: School, rng: random.Random) -> Need:
    skills = sorted({n.skill for n in school.needs if n.subject == need.subject} - {need.skill})
    kind = rng.choice(["skill", "tier", "score"] if skills else ["tier", "score"])
    if kind == "skill":
        return need.model_copy(update={"skill": rng.choice(skills)})
    if kind == "tier":
        return need.model_copy(update={"tier": 5 - need.tier})
    return need.model_copy(update={"score": (need.score or 30) + rng.choice([-15, 15])})


def _copy_need(template: Need, student_id: str, rng: random.Random) -> Need:
    score = None if template.score is None else template.score + rng.randint(-5, 5)
    return template.model_copy(
        update={"student_id": student_id, "score": score, "sessions_per_week": None}
    )


def run_drift(school: School, limit: float, seed: int) -> dict[str, Any]:
    """Solve last window, then this window from it and afresh; measure the change."""
    options = SolveOptions(time_limit=limit, workers=2, seed=0)
    before = solve(school, options).schedule
    new_school, unchanged = drifted(school, seed)
    regenerated = solve(new_school, options, previous=before).schedule
    fresh = solve(new_school, options).schedule
    old_groups = _group_of(before)
    new_groups = _group_of(regenerated)
    eligible = [key for key in unchanged if key in old_groups]
    possible = _still_possible(new_school, before)
    still = [key for key in eligible if key in possible]

    def kept(keys: list[tuple[str, str]]) -> int:
        return sum(
            key in new_groups and groups_match(old_groups[key], new_groups[key]) for key in keys
        )

    return {
        "needs": len(new_school.needs),
        "unchanged_placed_before": len(eligible),
        "kept": kept(eligible),
        "still_possible": len(still),
        "kept_still_possible": kept(still),
        "placed_regenerated": _placed(regenerated),
        "placed_fresh": _placed(fresh),
        "objective_regenerated": regenerated.objective,
        "objective_fresh": fresh.objective,
    }


def _still_possible(school: School, before: Schedule) -> set[tuple[str, str]]:
    """Needs whose old group can still run with them (same staff, times; rules kept)."""
    instance = Instance.of(school, before)
    return {instance.by_index[index].need.key for index in stayers(instance, kept_groups(instance))}


def _group_of(schedule: Schedule) -> dict[tuple[str, str], Any]:
    return {(s, g.subject): g for g in schedule.groups for s in g.students}


def _placed(schedule: Schedule) -> int:
    return sum(len(g.students) for g in schedule.groups)
