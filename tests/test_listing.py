"""Pricing by listing: every member set of a small family, each at its best times."""

from __future__ import annotations

from random import Random

from hypothesis import given, settings
from hypothesis import strategies as st

from solver.candidates import Instance
from solver.cuts import Cut, ServedCap, member_cuts
from solver.listing import Listed, Listing
from solver.meeting import FILLED
from solver.model import School
from solver.packing import resources
from solver.values import Day
from tests.builders import WEEK, block, need, program, school, staff, student, window
from tests.every_group import every_group, school_with_every_row

FREE_MONDAY_EARLY_TUESDAY_LATE = [
    block(days="Mon", start="08:30", end="12:00"),
    block(days="Tue", start="08:00", end="11:00"),
    block(days="Tue", start="11:30", end="12:00"),
    block(days="Wed,Thu,Fri", start="08:00", end="12:00"),
]


def test_a_pair_that_meets_at_a_different_time_each_day_is_offered_at_those_times() -> None:
    # A and B are free together only Monday 08:00 and Tuesday 11:00: no single start
    # time fits both days, so only a group that changes its start can hold them.
    s = school(
        students=[student("A"), student("B")],
        needs=[need("A"), need("B")],
        programs=[program(2, min_size=2), program(3)],
        timetable=FREE_MONDAY_EARLY_TUESDAY_LATE,
    )
    instance = Instance.of(s)
    groups = Listing(instance).price(lambda resource: 0.0, deadline=float("inf")).groups
    assert {(g.members, g.slots) for g in groups} == {
        ((0, 1), ((Day.MON, 8 * 60), (Day.TUE, 11 * 60))),
    }


def test_a_group_is_offered_where_its_members_are_worth_most_to_the_lp() -> None:
    # Alone, A and B would meet at 08:00; a high price on A's 08:00-09:00 minutes
    # (other groups want A then) moves the offer to 09:00 or later.
    s = school(
        students=[student("A"), student("B")],
        needs=[need("A"), need("B", subject="reading"), need("A", subject="math")],
        programs=[program(2, min_size=2), program(3), program(2, subject="math")],
        timetable=[block(start="10:00", end="12:00")],
    )
    instance = Instance.of(s)
    busy = {("student", "A", day, t) for day in WEEK for t in (480, 510)}

    def busy_price(resource: tuple[object, ...]) -> float:
        return 500.0 if resource in busy else 0.0

    groups = Listing(instance).price(busy_price, deadline=float("inf")).groups
    reading = [g for g in groups if g.bucket[0] == "reading"]
    assert reading and all(start >= 9 * 60 for g in reading for _, start in g.slots)


INSTANCE = Instance.of(school_with_every_row())
EVERY_GROUP = [(g, g.value, [r for r, _ in resources(INSTANCE, g)]) for g in every_group(INSTANCE)]
# and a cap counting every need at a weight of its own (`solver.served`)
WEIGHTS = tuple((item.index, 1 + item.index % 3) for item in INSTANCE.needs)
CUTS: list[Cut] = [*member_cuts(INSTANCE), ServedCap("T1", WEIGHTS, 2)]


@settings(max_examples=30, deadline=None)
@given(st.randoms(use_true_random=False))
def test_no_group_is_worth_more_at_any_prices_than_its_members_shares(rng: Random) -> None:
    # The bound rests on this: at any prices, a group's value less the price of the
    # packing rows and the cuts it uses is at most the sum of its members' shares.
    rows = sorted({r for _, _, used in EVERY_GROUP for r in used}, key=repr)
    rows += [cut.row for cut in CUTS]
    prices = {r: rng.choice([0.0, rng.uniform(0, 50), rng.uniform(0, 800)]) for r in rows}
    # both with the meeting times bounded by relaxation and searched exactly
    for exact in (False, True):
        listing = Listing(INSTANCE)
        listing.exact = exact
        assert listing.complete
        shares = listing.price(lambda r: prices.get(r, 0.0), float("inf"), CUTS).shares
        assert shares is not None
        for group, value, used in EVERY_GROUP:
            reduced = value - sum(prices[r] for r in used)
            reduced -= sum(prices[cut.row] * cut.coefficient(group) for cut in CUTS)
            assert reduced <= sum(shares.get(i, 0.0) for i in group.members) + 1e-6, group


def test_a_kind_too_large_to_list_is_listed_where_a_neighbourhood_frees_few_of_its_needs() -> None:
    # 40 second graders in one bucket: millions of member sets, too many to list, so no
    # group of theirs is offered.  Once a neighbourhood's held groups place all but
    # S0, S1 and S2 (and price the needs they place at FILLED), those three are.
    ids = [f"S{n}" for n in range(40)]
    s = school(
        students=[student(i) for i in ids],
        needs=[need(i) for i in ids],
        programs=[program(2, min_size=3, max_size=6), program(3)],
    )
    instance = Instance.of(s)
    listing = Listing(instance)
    assert not listing.complete
    assert listing.price(lambda resource: 0.0, deadline=float("inf")).groups == []
    free = {("need", i) for i in (0, 1, 2)}

    def held_price(resource: tuple[object, ...]) -> float:
        return 0.0 if resource in free or resource[0] != "need" else FILLED

    groups = listing.price(held_price, deadline=float("inf")).groups
    assert groups and {g.members for g in groups} == {(0, 1, 2)}


def reading_and_math(*teachers: str) -> School:
    """Two students, each with a reading and a math need (pairs only in reading), and
    these staff members teaching both: a family per subject and staff member."""
    return school(
        students=[student("A"), student("B")],
        needs=[need("A"), need("B"), need("A", subject="math"), need("B", subject="math")],
        programs=[program(2, min_size=2), program(3), program(2, subject="math")],
        staff=[staff(t, teaches="reading;math") for t in teachers],
        availability=[window(t) for t in teachers],
    )


def sets_listed(so_far: Listed) -> float:
    """A listing's clock that reads the needs it has listed: its deadline, in those."""
    return float(so_far.size)


def test_a_listing_stops_at_its_deadline_by_the_work_it_has_done_so_far() -> None:
    """With one worker the clock moves only when a round's work is spent, at its end, so
    the listing is shown its own work: past the deadline by it, no family more is listed
    and no bound is given."""
    listing = Listing(Instance.of(reading_and_math("T1")))
    whole = listing.price(lambda resource: 0.0, float("inf"), now=sets_listed)
    stopped = listing.price(lambda resource: 0.0, 0.5, now=sets_listed)
    assert {g.bucket[0] for g in whole.groups} == {"reading", "math"}
    assert len({g.bucket[0] for g in stopped.groups}) == 1
    assert whole.shares is not None and stopped.shares is None


def test_families_are_built_as_a_listing_reaches_them_and_stopping_loses_none() -> None:
    """A listing stopped at its deadline has built only the families it reached (here two
    of four: two staff members for each of two subjects); the next listing builds the
    rest and offers what a listing never stopped offers."""
    instance = Instance.of(reading_and_math("T1", "T2"))
    stopped = Listing(instance)
    first = stopped.price(lambda resource: 0.0, 0.5, now=sets_listed)
    assert len(stopped.families) == 2 and first.shares is None
    after = stopped.price(lambda resource: 0.0, float("inf"))
    whole = Listing(instance).price(lambda resource: 0.0, float("inf"))
    assert len(stopped.families) == 4
    assert after.groups == whole.groups and after.shares == whole.shares
    assert 0 < after.built < whole.built
