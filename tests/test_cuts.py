"""Member cuts: rows every schedule keeps, so the column bound may add them."""

from __future__ import annotations

from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from solver.candidates import Candidate, Instance
from solver.cuts import MemberCut, exceeded_triples, member_cuts
from solver.pricing import ColumnPool
from tests.builders import need, program, school, student, window
from tests.every_group import every_group, school_with_every_row

INSTANCE = Instance.of(school_with_every_row())
EVERY_GROUP = every_group(INSTANCE)
CUTS = member_cuts(INSTANCE)


def disjoint(picked: list[Candidate]) -> list[Candidate]:
    """The picked groups, each left out that shares a need with one before it: a
    schedule places each need at most once."""
    kept: list[Candidate] = []
    placed: set[int] = set()
    for group in picked:
        if placed.isdisjoint(group.members):
            kept.append(group)
            placed |= set(group.members)
    return kept


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(EVERY_GROUP), max_size=8))
def test_groups_that_share_no_need_never_count_more_than_a_cut_allows(
    picked: list[Candidate],
) -> None:
    groups = disjoint(picked)
    assert CUTS
    for cut in CUTS:
        assert sum(cut.coefficient(g) for g in groups) <= cut.capacity, cut


def test_three_needs_paired_up_by_halves_exceed_their_triple() -> None:
    # AB, BC and AC each run at one half: a pair and a half, where any schedule has at
    # most one group holding two of A, B and C.
    s = school(
        students=[student("A"), student("B"), student("C")],
        needs=[need("A"), need("B"), need("C")],
        programs=[program(2, min_size=2, max_size=2, sessions_per_week=1), program(3)],
        availability=[window(days="Mon", end="08:30")],
    )
    instance = Instance.of(s)
    pairs = [g for g in every_group(instance) if len(g.members) == 2]
    assert len(pairs) == 3
    (cut,) = exceeded_triples(dict.fromkeys(pairs, 0.5), known=[])
    assert cut.members == {0, 1, 2} and cut.divisor == 2 and cut.capacity == 1
    assert sum(cut.coefficient(g) * 0.5 for g in pairs) == 1.5
    assert exceeded_triples(dict.fromkeys(pairs, 0.5), known=[cut]) == []
    assert exceeded_triples(dict.fromkeys(pairs, 0.3), known=[]) == []


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(EVERY_GROUP), max_size=8))
def test_groups_that_share_no_need_keep_every_triple(picked: list[Candidate]) -> None:
    groups = disjoint(picked)
    for bucket, items in INSTANCE.buckets.items():
        for triple in combinations([item.index for item in items], 3):
            cut = MemberCut(bucket, frozenset(triple), 2)
            assert sum(cut.coefficient(g) for g in groups) <= cut.capacity, cut


def test_a_cut_joins_the_lp_once_however_often_it_is_found() -> None:
    # A grade range of three needs and the triple of the same needs are one cut: charged
    # twice, the listing would understate what a group is worth and the bound be wrong.
    pool = ColumnPool(INSTANCE, EVERY_GROUP)
    cut = CUTS[0]
    pool.add_cuts([cut, cut])
    pool.add_cuts([cut])
    assert pool.cuts == [cut]
