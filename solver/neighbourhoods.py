"""Which groups a neighbourhood of the search frees (`solver.solve`, improving): the
groups around one centre, and a share of the others.  The rest of the schedule is held
while new groups are priced and packed around it."""

from __future__ import annotations

import random
from collections.abc import Callable

from solver.candidates import Bucket, Candidate, Instance, NeedItem

NEIGHBOURHOOD_SHARE = 0.35
"""Besides the centre's groups, this share of the others is freed.  Against 0.2, k8 at
120 s, seeds 0-3: 255.6k, 257.4k, 247.6k, 250.5k against 252.3k, 252.9k, 251.1k,
248.0k; elementary at 60 s, seeds 0-7: mean 101.4k against 101.0k.  Against 0.5,
elementary at 60 s, seeds 0-11: mean 102.52k against 102.67k (4 of 12 higher), within
the seeds' spread."""
WAITING_SHARE = 0.5
"""The share of neighbourhoods centred on needs waiting for a group (`waiting_centre`)
rather than on one staff member (`staff_centre`).  Paired by seed against staff centres
only: elementary at 60 s, seeds 8-19, mean 103.22k against 102.78k (9 of 12 higher);
k8 at 120 s, seeds 0-5, 264.3k against 263.7k (4 of 6; in an earlier session, seeds
0-7, 263.9k against 264.7k); the 900-need K-8 at 60 s, seeds 0-3 in two sessions, 0.5%
lower (3 of 8 higher), still 87-89% placed.  Taken for elementary, whose gap is nearest
its target."""

Centre = Callable[[Candidate], bool]
"""Which groups a neighbourhood frees besides its share of the others."""


def neighbourhood(instance: Instance, groups: list[Candidate], rng: random.Random) -> set[object]:
    """The keys of the groups around one centre and of a share of the others."""
    centre = waiting_centre(instance, groups, rng) if rng.random() < WAITING_SHARE else None
    if centre is None:
        centre = staff_centre(groups, rng)
    return {c.key for c in groups if centre(c) or rng.random() < NEIGHBOURHOOD_SHARE}


def staff_centre(groups: list[Candidate], rng: random.Random) -> Centre:
    """One staff member's groups."""
    staff = sorted({c.staff_id for c in groups})
    chosen = rng.choice(staff) if staff else None
    return lambda c: c.staff_id == chosen


def waiting_centre(
    instance: Instance, groups: list[Candidate], rng: random.Random
) -> Centre | None:
    """A bucket whose unplaced needs are enough for a group of their own: its groups, the
    groups of those needs' students, and one qualified staff member's groups.  The 60 s
    elementary solves that end low leave such sets out whole (one placing 137 left out
    three math problem-solving needs of one bucket, which the others place): a staff
    member chosen at random, with a share of the others, seldom frees all that holds the
    time they would share.  A need no group could hold (`Instance.options`: nobody may
    teach it, or never enough of its bucket are free with a teacher at one start time)
    waits whatever is freed, so it never counts: in a low elementary run (136 placed) one
    of the three buckets the centre was drawn from was behavior self-regulation at tier
    2, whose two waiting needs can never meet together.  Against counting every waiting
    need, elementary at 60 s, seeds 0-23 paired: mean 103.12k against 102.85k, and no
    run placing 137 or fewer against 5 (12 of 24 higher)."""
    waiting: dict[Bucket, list[NeedItem]] = {}
    for item in instance.unplaced(groups):
        if instance.options[item.index]:
            waiting.setdefault(item.bucket, []).append(item)
    enough = sorted(b for b, items in waiting.items() if len(items) >= items[0].program.min_size)
    if not enough:
        return None
    bucket = rng.choice(enough)
    chosen = rng.choice(instance.qualified_staff(bucket)).staff_id
    students = {item.student.student_id for item in waiting[bucket]}
    return lambda c: (
        c.staff_id == chosen
        or c.bucket == bucket
        or any(instance.by_index[i].student.student_id in students for i in c.members)
    )
