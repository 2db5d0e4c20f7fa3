"""The award money: factor × lương cơ sở in force on the decision's date, rounded up to a multiple of
10.000 đồng (an exact multiple stays), per award; the highest only paid; a change of lương cơ sở."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from bot.services.decisions.money import highest_paid
from bot.services.plan import MoneyService
from bot.services.plan.money import round_award
from tests.voting.college import CSTD, LDTT, TTLDTT, TTLDXS, Env, example_with


def test_the_issue_s_examples_round_up_to_ten_thousand():
    base = 2_340_000
    assert round_award(Decimal("0.3") * base, 10_000) == 710_000  # 702.000
    assert round_award(Decimal("0.8") * base, 10_000) == 1_880_000  # 1.872.000
    assert round_award(Decimal("1.0") * base, 10_000) == 2_340_000  # an exact multiple stays
    assert round_award(Decimal("0.3") * base, None) == 702_000  # no rule in the plan: to the đồng


@given(
    factor=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("20"), places=3),
    base=st.integers(min_value=1, max_value=50_000_000),
)
def test_the_amount_is_the_least_multiple_of_the_step_not_below_the_exact_value(factor: Decimal, base: int):
    exact = factor * base
    amount = round_award(exact, 10_000)
    assert isinstance(amount, int) and amount % 10_000 == 0
    assert amount >= exact > amount - 10_000


@given(st.integers(min_value=0, max_value=10**9))
def test_an_exact_multiple_stays(n: int):
    assert round_award(Decimal(n * 10_000), 10_000) == n * 10_000


@given(st.dictionaries(st.integers(1, 50), st.one_of(st.none(), st.integers(0, 10**7)), min_size=1))
def test_each_owner_is_paid_once_and_for_the_highest(amounts: dict[int, int | None]):
    owners = {n: f"p{n % 3}" for n in amounts}
    paid = highest_paid(amounts, owners)
    assert sorted(owners[n] for n in paid) == sorted(set(owners.values()))
    for n in paid:
        assert all((amounts[m] or 0) <= (amounts[n] or 0) for m in amounts if owners[m] == owners[n])


async def test_the_money_follows_the_luong_co_so_in_force_on_the_decision_date(env: Env):
    raised = example_with(
        "    - {amount: 2340000, effective_from: 2024-07-01, source: Nghị định số 73/2024/NĐ-CP}\n",
        "    - {amount: 2340000, effective_from: 2024-07-01, source: Nghị định số 73/2024/NĐ-CP}\n"
        "    - {amount: 2530000, effective_from: 2027-07-01, source: Nghị định (giả định cho kiểm thử)}\n",
    )
    await env.load(raised)

    async def amount(code: str, day: date):
        async with env.ctx() as c:
            return await MoneyService(c).award_amount(code, day)

    june, july = await amount(LDTT, date(2027, 6, 30)), await amount(LDTT, date(2027, 7, 1))
    assert (june.amount, june.provisional) == (710_000, True)  # NĐ 152/2025's rounding: to confirm
    assert (july.luong_co_so, july.amount) == (2_530_000, 760_000)  # 759.000 rounded up
    assert (await amount(TTLDTT, date(2027, 6, 30))).amount == 1_880_000
    assert (await amount(CSTD, date(2027, 6, 30))).amount == 2_340_000
    assert await amount(TTLDXS, date(2027, 6, 30)) is None  # decided upward: no school money


def test_one_achievement_proposed_for_two_award_forms_is_warned_a_title_with_cstd_never():
    from bot.services.decisions.common import Candidate
    from bot.services.decisions.money import two_award_forms

    def cand(nid: int, code: str, kind: str, person: int) -> Candidate:
        return Candidate(
            nid,
            nid,
            code,
            code,
            code,
            kind,
            1,
            "school",
            "individual",
            person,
            1,
            f"P{person}",
            "U",
            True,
            "",
        )

    ldtt, cstd = cand(1, "lao_dong_tien_tien", "title", 7), cand(2, "chien_si_thi_dua_co_so", "title", 7)
    gk, bk = cand(3, "giay_khen_hieu_truong", "award_form", 7), cand(4, "giay_khen_khac", "award_form", 7)
    other = cand(5, "giay_khen_hieu_truong", "award_form", 8)
    assert two_award_forms([ldtt, cstd]) == []  # LĐTT with CSTĐ cơ sở in one year is normal
    assert two_award_forms([ldtt, gk, other]) == []
    assert two_award_forms([ldtt, gk, cstd, bk, other]) == [(gk, bk)]
