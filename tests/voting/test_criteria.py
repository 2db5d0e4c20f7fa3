"""The criteria checks, pure (bot/services/voting/criteria.py): the shipped plans' rules against what is known
of a nominee; a failed check warns and never blocks; missing data says "chưa có dữ liệu"."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.plan.loader import parse_plan
from bot.services.voting.criteria import Facts, evaluate, warnings

ROOT = Path(__file__).resolve().parents[2]
LDTT, CSTD = "lao_dong_tien_tien", "chien_si_thi_dua_co_so"


def shipped_rules(plan: str, code: str) -> list[dict]:
    parsed = parse_plan((ROOT / "plans" / plan).read_text(encoding="utf-8"), plan)
    item = next(t for t in parsed.titles if t.code == code)
    return [{"kind": r.kind, "params": r.params} for r in item.criteria_rules]


def statuses(rules: list[dict], facts: Facts, registration: bool = False) -> list[str]:
    return [c.status for c in evaluate(rules, facts, registration_required=registration)]


def person(rating: str | None = None, *, ldtt: bool | None = None, works=(), **known: bool) -> Facts:
    titles = {} if ldtt is None else {(LDTT, 0): ldtt}
    return Facts(
        rating=rating,
        ratings_known=known.get("ratings", rating is not None),
        initiatives=tuple(works),
        initiatives_known=known.get("initiatives", True),
        discipline_known=True,
        titles=titles,
    )


@pytest.mark.parametrize("plan", ["2021-2025.yaml", "2026-2030.example.yaml"])
def test_cstd_co_so_is_ldtt_and_one_of_excellent_grade_initiative_or_research(plan: str):
    rules = shipped_rules(plan, CSTD)
    any_of = next(i for i, r in enumerate(rules) if r["kind"] == "any_of")

    excellent = statuses(rules, person("hoan_thanh_xuat_sac", ldtt=True))
    research = statuses(rules, person("hoan_thanh_tot", ldtt=True, works=[("de_tai", "co_so")]))
    neither = statuses(rules, person("hoan_thanh_tot", ldtt=True))
    not_ldtt = statuses(rules, person("hoan_thanh_xuat_sac", ldtt=False))

    assert excellent[any_of] == research[any_of] == "met"
    assert neither[any_of] == "unmet"
    assert not_ldtt[0] == "unmet" and not_ldtt[any_of] == "met"


def test_an_any_of_without_any_data_says_no_data_not_failed():
    rules = shipped_rules("2026-2030.example.yaml", CSTD)
    found = statuses(rules, person(None, ldtt=True, ratings=False, initiatives=False))
    assert found == ["met", "no_data"]


def members(ratings: list[str | None], titles: list[set[str]]) -> tuple[Facts, ...]:
    return tuple(
        Facts(
            rating=r,
            ratings_known=True,
            titles={(LDTT, 0): LDTT in held, (CSTD, 0): CSTD in held},
        )
        for r, held in zip(ratings, titles, strict=True)
    )


def unit(ratings: list[str | None], titles: list[set[str]], registration: str | None = "endorsed") -> Facts:
    return Facts(members=members(ratings, titles), registration=registration)


OK, GOOD = "hoan_thanh_nhiem_vu", "hoan_thanh_tot"


def test_collective_ldxs_needs_all_complete_seventy_percent_ldtt_and_one_cstd():
    rules = shipped_rules("2026-2030.example.yaml", "tap_the_lao_dong_xuat_sac")
    seven_of_ten = [{LDTT, CSTD}] + [{LDTT}] * 6 + [set()] * 3
    assert statuses(rules, unit([OK] * 10, seven_of_ten), True) == ["met", "met", "met", "met"]

    one_failed = [OK] * 9 + ["khong_hoan_thanh"]
    six_of_ten = [{LDTT, CSTD}] + [{LDTT}] * 5 + [set()] * 4
    no_cstd = [{LDTT}] * 10
    assert statuses(rules, unit(one_failed, seven_of_ten), True)[1] == "unmet"
    assert statuses(rules, unit([OK] * 10, six_of_ten), True)[2] == "unmet"
    assert statuses(rules, unit([OK] * 10, no_cstd), True)[3] == "unmet"


def test_collective_ldtt_needs_more_than_half_ldtt():
    rules = shipped_rules("2026-2030.example.yaml", "tap_the_lao_dong_tien_tien")
    half = [{LDTT}] * 2 + [set()] * 2
    more = [{LDTT}] * 3 + [set()]
    assert statuses(rules, unit([GOOD] * 4, half)) == ["unmet"]
    assert statuses(rules, unit([GOOD] * 4, more)) == ["met"]


def test_grades_missing_for_a_member_say_no_data():
    rules = shipped_rules("2026-2030.example.yaml", "tap_the_lao_dong_xuat_sac")
    assert statuses(rules, unit([OK, None], [{LDTT, CSTD}, {LDTT}]))[0] == "no_data"


def test_a_title_this_vote_decides_is_pending_until_the_tally():
    rules = shipped_rules("2026-2030.example.yaml", CSTD)
    facts = Facts(rating="hoan_thanh_xuat_sac", ratings_known=True, pending=frozenset({LDTT}))
    assert statuses(rules, facts)[0] == "pending"


@pytest.mark.parametrize(
    ("state", "status"), [("endorsed", "met"), ("submitted", "unmet"), ("returned", "unmet"), (None, "unmet")]
)
def test_a_title_requiring_a_registration_needs_an_endorsed_one(state: str | None, status: str):
    checks = evaluate([], Facts(registration=state), registration_required=True)
    assert [c.status for c in checks] == [status]
    assert checks[0].detail == {"state": state or "none"}


def test_checks_that_fail_or_lack_data_become_warnings_and_the_others_do_not():
    rules = [
        {"kind": "task_rating", "params": {"min": GOOD}},
        {"kind": "initiative", "params": {"scope": "co_so"}},
        {"kind": "text", "params": {"vi": "Có uy tín"}},
        {"kind": "no_discipline", "params": {}},
    ]
    facts = Facts(rating=OK, ratings_known=True, initiatives_known=False, discipline_known=True)
    found = warnings(evaluate(rules, facts, registration_required=False))
    assert [(w["rule"]["kind"], w["status"]) for w in found] == [
        ("task_rating", "unmet"),
        ("initiative", "no_data"),
    ]
    assert found[0]["detail"] == {"rating": OK}


def test_discipline_counts_from_the_plans_lightest_measure():
    rule = [{"kind": "no_discipline", "params": {"from": "canh_cao"}}]
    reprimand = Facts(discipline=("khien_trach",), discipline_known=True)
    warning = Facts(discipline=("canh_cao",), discipline_known=True)
    assert statuses(rule, reprimand) == ["met"] and statuses(rule, warning) == ["unmet"]
    assert statuses(rule, Facts()) == ["no_data"]
