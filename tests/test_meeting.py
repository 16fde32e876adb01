"""A member set's best weekly meeting times: bounded by relaxation, or searched exactly."""

from __future__ import annotations

import platform
from itertools import combinations, product

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solver.meeting import NEVER, Array, Week, best_times, descending
from tests.processes import python_output

DAYS, STARTS, POINTS = 5, 4, 6
MOST = DAYS // 2 + 1
COVER = np.array([[float(s <= t < s + 2) for t in range(POINTS)] for s in range(STARTS)])
"""Start s holds grid points s and s + 1: neighbouring starts overlap."""
STAFF_COVER = np.array([[float(s <= t < s + 3) for t in range(POINTS)] for s in range(STARTS)])
"""The staff member's sessions hold one more point, the buffer."""


def brute_force(together: Array, sessions: int, week: Week, time_changes: int) -> Array:
    """Every pattern of every row, worked out the long way."""
    best = np.full(len(together), NEVER)
    for row in range(len(together)):
        for days in combinations(range(DAYS), sessions):
            for starts in product(range(STARTS), repeat=sessions):
                worth = sum(together[row, d, s] for d, s in zip(days, starts, strict=True))
                if worth < NEVER / 2:
                    continue
                worth -= time_changes * (len(set(starts)) - 1)
                held = COVER[list(starts)].sum(axis=0) >= MOST
                staff_held = STAFF_COVER[list(starts)].sum(axis=0) >= MOST
                worth -= week.students[row] @ held + week.staff @ staff_held
                best[row] = max(best[row], worth)
    return best


@st.composite
def weeks(draw: st.DrawFn) -> tuple[Array, int, Week, int]:
    rows = 3
    worth = st.sampled_from([NEVER, 0.0, 3.0, 10.0, 25.0])
    together = np.array(
        draw(st.lists(worth, min_size=rows * DAYS * STARTS, max_size=rows * DAYS * STARTS))
    )
    price = st.sampled_from([0.0, 2.0, 7.0, 30.0])
    students = np.array(draw(st.lists(price, min_size=rows * POINTS, max_size=rows * POINTS)))
    staff = np.array(draw(st.lists(price, min_size=POINTS, max_size=POINTS)))
    week = Week(students.reshape(rows, POINTS), staff, COVER, STAFF_COVER, MOST)
    sessions = draw(st.integers(MOST, DAYS))
    time_changes = draw(st.sampled_from([0, 4, 20]))
    return together.reshape(rows, DAYS, STARTS), sessions, week, time_changes


@settings(max_examples=60, deadline=None)
@given(weeks())
def test_the_exact_search_finds_each_rows_best_pattern_and_the_relaxation_bounds_it(
    case: tuple[Array, int, Week, int],
) -> None:
    together, sessions, week, time_changes = case
    truth = brute_force(together, sessions, week, time_changes)
    floor = np.full(len(together), -1e6)
    relaxed = best_times(together, sessions, week, time_changes, floor).upper
    exact = best_times(together, sessions, week, time_changes, floor, exact=True).upper
    meets = truth > NEVER / 2
    assert np.all(relaxed[meets] >= truth[meets] - 1e-6)
    assert np.allclose(exact[meets], truth[meets])
    assert np.all(exact[~meets] < NEVER / 2)


def test_a_set_free_at_a_different_time_each_day_pays_each_time_change_exactly() -> None:
    # Free only at start 3 on Mon and Tue, 1 on Wed and 0 on Thu, a set meeting four
    # times holds three start times: worth 4 x 5 less two time changes of 5, 10.  The
    # relaxation charges one change at most, 15; the exact search finds 10.
    together = np.full((1, DAYS, STARTS), NEVER)
    for day, start in [(0, 3), (1, 3), (2, 1), (3, 0)]:
        together[0, day, start] = 5.0
    week = Week(np.zeros((1, POINTS)), np.zeros(POINTS), COVER, STAFF_COVER, MOST)
    floor = np.array([-1e6])
    assert best_times(together, 4, week, 5, floor).upper[0] == 15.0
    exact = best_times(together, 4, week, 5, floor, exact=True)
    assert exact.upper[0] == 10.0
    assert {(int(d), int(s)) for d, s in exact.patterns[-1][0]} == {(0, 3), (1, 3), (2, 1), (3, 0)}


def test_descending_orders_values_and_scrambles_ties_by_salt_alone() -> None:
    values = np.array([1.0, 3.0, 0.0, 3.0, 2.0] + [0.0] * 30)
    for salt in range(4):
        order = descending(values, salt).tolist()
        assert order[:4] in ([1, 3, 4, 0], [3, 1, 4, 0])
        assert sorted(order[4:]) == [2, *range(5, 35)]
        assert order == descending(values.copy(), salt).tolist()
    ties = {tuple(descending(np.zeros(35), salt).tolist()) for salt in range(4)}
    assert len(ties) == 4


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.sampled_from([0.0, 1.0, 2.0]), min_size=1, max_size=40),
    st.integers(0, 2**20),
    st.data(),
)
def test_descending_over_some_positions_keeps_their_order_among_all(
    values: list[float], salt: int, data: st.DataObject
) -> None:
    """The listing orders only the member sets of a chunk it prices, by their positions in
    the chunk: their order must be the one they have among all of the chunk's."""
    everything = np.array(values)
    kept = sorted(data.draw(st.sets(st.integers(0, len(values) - 1), min_size=1)))
    among_all = [p for p in descending(everything, salt).tolist() if p in kept]
    positions = np.array(kept)
    alone = descending(everything[positions], salt, positions)
    assert positions[alone].tolist() == among_all


CHARGES = """
import hashlib
import numpy as np
from solver.meeting import Week
rng = np.random.default_rng(7)
found = []
for rows, points, starts in ((1, 13, 7), (3, 60, 40), (17, 83, 61)):
    cover = np.array([[float(s <= t < s + 6) for t in range(points)] for s in range(starts)])
    staff_cover = np.array([[float(s <= t < s + 8) for t in range(points)] for s in range(starts)])
    week = Week(rng.random((rows, points)), rng.random(points), cover, staff_cover, 3)
    found.append(week.one_start_price())
    found.append(week.charged(rng.random((rows, points)), rng.random((rows, points))))
    found.append(np.array([week.pattern_price(0, [0, 1, 1, 2])]))
print(hashlib.sha256(b"".join(a.tobytes() for a in found)).hexdigest())
"""


@pytest.mark.skipif(platform.machine() != "x86_64", reason="OpenBLAS's x86-64 kernels")
def test_week_charges_are_the_same_bits_whichever_blas_kernel_the_processor_gets() -> None:
    """With one worker the schedule must be the same on any machine.  Taken as matrix
    products, the week rows' charges were summed by OpenBLAS in the order of the kernel it
    picks for the processor, and a one-worker elementary solve (60 s, seed 0) gave 102,395
    with one kernel and 102,835 with another; the same inputs here gave different bits."""
    digests = {
        python_output(CHARGES, {"OPENBLAS_CORETYPE": kernel})
        for kernel in ("Prescott", "Nehalem", "")
    }
    assert len(digests) == 1
