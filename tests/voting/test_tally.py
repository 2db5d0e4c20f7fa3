"""The tally, pure (bot/services/voting/tally.py): thresholds with exact fractions, quorum, quotas ranked and
rounded as the plan says, ties left to the chair, the dependency order; and its properties (hypothesis)."""

from __future__ import annotations

import math
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.voting.tally import (
    OUTCOMES,
    DossierCount,
    Quota,
    Settlement,
    Threshold,
    TitleRules,
    count_ballots,
    tally,
)

LDTT, CSTD = "ldtt", "cstd"
HALF = Threshold(Fraction(1, 2))


def rules(ldtt: Threshold = HALF, cstd: Threshold = HALF, percent: int = 15, rounding: str = "down_min_one"):
    """LĐTT, and CSTĐ with a quota of `percent` % of the LĐTT passed (listed first: the order is found)."""
    quota = Quota(Fraction(percent), "title", LDTT, rounding)  # type: ignore[arg-type]
    return {
        CSTD: TitleRules(CSTD, cstd, quota, after=(LDTT,)),
        LDTT: TitleRules(LDTT, ldtt),
    }


def outcomes(result, title: str) -> dict[int, str]:
    found = result.title(title)
    return {d.dossier_id: d.outcome for d in found.dossiers} if found else {}


# -- thresholds -----------------------------------------------------------------------------------------
def test_two_agree_votes_of_three_meet_a_two_thirds_threshold_exactly():
    two_thirds = {LDTT: TitleRules(LDTT, Threshold(Fraction(2, 3)))}
    result = tally(two_thirds, [DossierCount(1, LDTT, 3, 2, 1), DossierCount(2, LDTT, 3, 1, 2)])
    assert outcomes(result, LDTT) == {1: "passed", 2: "failed"}
    assert result.of(1).share == Fraction(2, 3)
    assert result.of(2).reasons == ("below_threshold",)


def test_more_than_half_is_not_met_by_exactly_half():
    more_than = {LDTT: TitleRules(LDTT, Threshold(Fraction(1, 2), comparison="more_than"))}
    result = tally(more_than, [DossierCount(1, LDTT, 4, 2, 2), DossierCount(2, LDTT, 4, 3, 1)])
    assert outcomes(result, LDTT) == {1: "failed", 2: "passed"}


def test_votes_cast_base_ignores_members_who_did_not_vote_or_were_undecided():
    cast = {LDTT: TitleRules(LDTT, Threshold(Fraction(1, 2), base="votes_cast"))}
    result = tally(cast, [DossierCount(1, LDTT, 7, 2, 1)])  # 4 members did not vote
    assert result.of(1).outcome == "passed" and result.of(1).share == Fraction(2, 3)


def test_a_quorum_not_reached_fails_whatever_the_share():
    quorum = {LDTT: TitleRules(LDTT, Threshold(Fraction(1, 2), base="votes_cast", quorum=Fraction(2, 3)))}
    result = tally(quorum, [DossierCount(1, LDTT, 6, 3, 0), DossierCount(2, LDTT, 6, 4, 0)])
    assert outcomes(result, LDTT) == {1: "failed", 2: "passed"}
    assert result.of(1).reasons == ("no_quorum",)


def test_a_dossier_nobody_voted_on_fails_as_no_votes():
    result = tally({LDTT: TitleRules(LDTT, HALF)}, [DossierCount(1, LDTT, 5)])
    assert result.of(1).outcome == "failed" and result.of(1).reasons == ("no_votes",)


def test_a_count_that_reveals_every_vote_is_warned_but_a_split_one_is_not():
    counts = [DossierCount(1, LDTT, 5, 5, 0), DossierCount(2, LDTT, 5, 3, 2), DossierCount(3, LDTT, 2, 1, 1)]
    result = tally({LDTT: TitleRules(LDTT, HALF)}, counts)
    assert [result.of(i).warnings for i in (1, 2, 3)] == [
        ("reveals_every_vote",),
        (),
        ("reveals_every_vote",),
    ]


# -- quotas, ties, the dependency order -------------------------------------------------------------------
def test_the_quota_is_rounded_as_the_plan_says():
    assert [Quota(Fraction(15)).size(n) for n in (0, 3, 7, 13, 14)] == [0, 1, 1, 1, 2]
    assert [Quota(Fraction(15), rounding="down").size(n) for n in (3, 14)] == [0, 2]
    assert [Quota(Fraction(15), rounding="up").size(n) for n in (3, 14)] == [1, 3]


def test_over_the_quota_the_best_agree_shares_pass_and_cstd_comes_after_ldtt():
    ldtt = [DossierCount(i, LDTT, 5, 4, 1) for i in range(1, 8)]  # 7 pass: 15 % gives 1 place
    cstd = [DossierCount(11, CSTD, 5, 5, 0), DossierCount(12, CSTD, 5, 4, 1), DossierCount(13, CSTD, 5, 2, 3)]
    result = tally(rules(), ldtt + cstd)
    assert [t.code for t in result.titles] == [LDTT, CSTD]
    assert result.title(CSTD).quota == 1
    assert outcomes(result, CSTD) == {11: "passed", 12: "over_quota", 13: "failed"}
    assert result.of(12).reasons == ("quota",) and result.of(12).rank == 2


def test_a_tie_at_the_quota_line_is_left_to_the_chair_then_settled():
    ldtt = [DossierCount(i, LDTT, 5, 4, 1) for i in range(1, 8)]
    cstd = [DossierCount(11, CSTD, 5, 4, 1), DossierCount(12, CSTD, 5, 4, 1), DossierCount(13, CSTD, 5, 3, 2)]
    tied = tally(rules(), ldtt + cstd)
    assert outcomes(tied, CSTD) == {11: "tied", 12: "tied", 13: "over_quota"}
    assert tied.title(CSTD).tied == (11, 12) and tied.title(CSTD).open_places == 1

    settled = tally(
        rules(), ldtt + cstd, settlements=[Settlement(CSTD, frozenset({11, 12}), frozenset({12}))]
    )
    assert outcomes(settled, CSTD) == {11: "over_quota", 12: "passed", 13: "over_quota"}
    assert "settled" in settled.of(12).reasons


def test_a_quota_counted_on_a_title_with_an_unsettled_tie_or_absent_is_warned():
    chained = {
        "a": TitleRules("a", HALF),
        "b": TitleRules("b", HALF, Quota(Fraction(50), "title", "a"), after=("a",)),
        "c": TitleRules("c", HALF, Quota(Fraction(100), "title", "b"), after=("b",)),
    }
    counts = [DossierCount(1, "a", 5, 4, 1), DossierCount(2, "a", 5, 4, 1)]  # 2 pass: "b" has 1 place
    counts += [DossierCount(11, "b", 5, 4, 1), DossierCount(12, "b", 5, 4, 1), DossierCount(21, "c", 5, 4, 1)]
    result = tally(chained, counts)
    assert outcomes(result, "b") == {11: "tied", 12: "tied"}
    assert result.of(21).warnings == ("quota_base_tied",)
    without_base = tally({CSTD: rules()[CSTD]}, [DossierCount(11, CSTD, 5, 4, 1)])
    assert without_base.of(11).warnings == ("quota_base_absent",)


def test_a_quota_on_the_units_staff_counts_each_unit_apart():
    staff = {LDTT: TitleRules(LDTT, HALF, Quota(Fraction(15), "unit_staff"))}
    counts = [DossierCount(1, LDTT, 5, 5, 0, unit_id=1), DossierCount(2, LDTT, 5, 4, 1, unit_id=1)]
    counts += [DossierCount(3, LDTT, 5, 3, 2, unit_id=2), DossierCount(4, LDTT, 5, 3, 2, unit_id=2)]
    result = tally(staff, counts, unit_staff={1: 7, 2: 14})  # 1 place in unit 1, 2 in unit 2
    assert outcomes(result, LDTT) == {1: "passed", 2: "over_quota", 3: "passed", 4: "passed"}


# -- properties -------------------------------------------------------------------------------------------
def dossier_counts(title: str, first: int, size: int):
    """Up to `size` dossiers of a title, each with its council (2..9) and votes within it."""

    def one(i: int):
        return st.integers(2, 9).flatmap(
            lambda members: st.tuples(st.integers(0, members), st.integers(0, members)).map(
                lambda ad: DossierCount(
                    first + i, title, members, min(ad[0], members), min(ad[1], members - min(ad[0], members))
                )
            )
        )

    return st.integers(0, size).flatmap(lambda n: st.tuples(*(one(i) for i in range(n))).map(list))


shares = st.fractions(min_value=Fraction(1, 10), max_value=1, max_denominator=12)
thresholds = st.builds(
    Threshold,
    shares,
    st.sampled_from(["all_members", "votes_cast"]),
    st.sampled_from(["at_least", "more_than"]),
    st.one_of(st.none(), shares),
)
votes = st.tuples(dossier_counts(LDTT, 1, 12), dossier_counts(CSTD, 100, 6))
FAST = settings(max_examples=60, deadline=None)


@FAST
@given(thresholds, thresholds, votes, st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_the_order_of_the_votes(ldtt, cstd, both, rnd):
    counts = both[0] + both[1]
    ballots = [(c.dossier_id, "agree") for c in counts for _ in range(c.agree)]
    ballots += [(c.dossier_id, "disagree") for c in counts for _ in range(c.disagree)]
    info = {c.dossier_id: (c.title, c.members, None) for c in counts}
    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    assert count_ballots(shuffled, info) == count_ballots(ballots, info)
    listed = list(counts)
    rnd.shuffle(listed)
    assert tally(rules(ldtt, cstd), listed) == tally(rules(ldtt, cstd), counts)


@FAST
@given(thresholds, thresholds, votes, st.sampled_from([5, 15, 50]), st.data())
def test_passed_never_exceeds_the_quota(ldtt, cstd, both, percent, data):
    result = tally(rules(ldtt, cstd, percent), both[0] + both[1])
    title = result.title(CSTD)
    assert title.passed <= title.quota
    if title.tied:  # whatever the chair picks among the tied, for the places left
        chosen = data.draw(st.permutations(title.tied)).__getitem__(slice(title.open_places))
        settled = tally(
            rules(ldtt, cstd, percent),
            both[0] + both[1],
            settlements=[Settlement(CSTD, frozenset(title.tied), frozenset(chosen))],
        )
        assert settled.title(CSTD).passed == title.quota and not settled.title(CSTD).tied


@FAST
@given(thresholds, votes, st.data())
def test_one_more_agree_vote_never_makes_a_nominee_worse_off(cstd, both, data):
    ldtt, others = both
    if not others:
        return
    mine = data.draw(st.sampled_from(others))
    if mine.voters < mine.members:  # a member who had not voted agrees
        better = DossierCount(mine.dossier_id, CSTD, mine.members, mine.agree + 1, mine.disagree)
    elif mine.disagree:  # a member changes a disagree into an agree
        better = DossierCount(mine.dossier_id, CSTD, mine.members, mine.agree + 1, mine.disagree - 1)
    else:
        return
    before = tally(rules(HALF, cstd), ldtt + others).of(mine.dossier_id).outcome
    changed = [better if c.dossier_id == mine.dossier_id else c for c in others]
    after = tally(rules(HALF, cstd), ldtt + changed).of(mine.dossier_id).outcome
    assert OUTCOMES.index(after) >= OUTCOMES.index(before)
    assert not (before == "passed" and after == "failed")


@FAST
@given(shares, st.sampled_from(["at_least", "more_than"]), st.integers(1, 15))
def test_the_threshold_is_met_exactly_at_its_boundary_and_not_below(share, comparison, members):
    rule = {LDTT: TitleRules(LDTT, Threshold(share, "all_members", comparison))}  # type: ignore[arg-type]
    exact = share * members
    if comparison == "at_least":
        least = math.ceil(exact)
    else:
        least = math.floor(exact) + 1
    if least > members:
        return  # "more than" all members: nobody can pass
    at = tally(rule, [DossierCount(1, LDTT, members, least, members - least)])
    assert at.of(1).outcome == "passed", (share, least, members)
    below = tally(rule, [DossierCount(1, LDTT, members, least - 1, members - least + 1)])
    assert below.of(1).outcome == "failed"
