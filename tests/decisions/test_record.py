"""Recording a round's decision without Telegram: refused while it may not be (ties, the comment period,
objections, a future date, a number used that year, a signer without the right, not the secretary), each
passed nomination a commendation with its money, the notices, the audit with its Decimal."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date, timedelta

import pytest

from bot.errors import DomainError
from bot.roles import Role
from storage.models import AuditEntry, OutboxMessage
from storage.models.decisions import Commendation, Decision, DecisionItem, Proposal
from tests.decisions.college import AFTER, dec, draft, tallied
from tests.voting.college import Env
from tests.voting.test_closing import tied


async def keys(env: Env, like: str) -> list[OutboxMessage]:
    return await env.rows(OutboxMessage, OutboxMessage.idempotency_key.like(like))


async def refused(env: Env, key: str, fn, actor: int) -> None:
    before = await env.dump()
    with pytest.raises(DomainError) as caught:
        await dec(env, fn, actor)
    assert caught.value.key == key, caught.value.key
    assert await env.dump() == before


async def test_a_decision_makes_each_passed_nomination_a_commendation_with_its_money(env: Env):
    r = await tallied(env)
    preview = await dec(env, lambda s: s.preview(draft(r)), r.c.secretary)
    shown = {line.candidate.name: (line.amount, line.money.provisional) for line in preview.lines}
    assert shown == {"Nguyễn Thị Hoa": (710_000, True), "Khoa KCNTT": (1_880_000, True)}
    assert preview.provisional  # NĐ 152/2025's rounding is to confirm: "tạm tính"

    decision = await dec(env, lambda s: s.record(draft(r)), r.c.secretary)

    made = {c.person_id or c.unit_id: c for c in await env.rows(Commendation)}
    unit = await env.unit("KCNTT")
    assert set(made) == {r.hoa, unit}
    hoa = made[r.hoa]
    assert (hoa.code, hoa.school_year, hoa.decision_number, hoa.decision_date) == (
        "lao_dong_tien_tien",
        "2026-2027",
        "123/QĐ-CĐKTCN",
        date(2027, 6, 19),
    )
    assert (hoa.amount, hoa.factor, made[unit].amount) == (710_000, "0.3", 1_880_000)
    assert (decision.year, decision.number_key, decision.signed_as) == (2027, "123/QĐ-CĐKTCN", "principal")
    audit = {e.action: e for e in await env.rows(AuditEntry, AuditEntry.action.like("%.%"))}
    assert audit["decision.recorded"].after["commended"] == [r.noms["hoa"], r.unit_nom]
    confirmed = await env.rows(AuditEntry, AuditEntry.action == "commendation.amount_confirmed")
    assert {e.after["factor"] for e in confirmed} == {"0.3", "0.8"}  # the Decimal as its string


async def test_the_commended_and_those_not_commended_are_told_without_any_count(env: Env):
    r = await tallied(env)
    await dec(env, lambda s: s.record(draft(r)), r.c.secretary)

    [hoa] = [m for m in await keys(env, "dec-told:%") if m.person_id == r.hoa]
    assert "Lao động tiên tiến" in hoa.text and "2026-2027" in hoa.text
    assert "123/QĐ-CĐKTCN" in hoa.text and "19/06/2027" in hoa.text and "710.000 đ" in hoa.text
    [binh] = await keys(env, "dec-not:%")
    assert binh.person_id == r.binh and "chưa được khen thưởng" in binh.text
    assert not any(ch.isdigit() for ch in binh.text.replace("2026-2027", ""))  # no count, no votes
    [head] = await keys(env, "dec-unit:%")
    assert head.person_id == r.head
    assert "Nguyễn Thị Hoa" in head.text and "Trần Văn Bình" in head.text and "1.880.000 đ" in head.text


async def test_a_provisional_amount_is_confirmed_or_edited_before_it_is_recorded(env: Env):
    r = await tallied(env)
    await refused(
        env,
        "decisions-amount-unconfirmed",
        lambda s: s.record(replace(draft(r), confirmed=False)),
        r.c.secretary,
    )
    edited = replace(draft(r), amounts={str(r.noms["hoa"]): 700_000})
    await dec(env, lambda s: s.record(edited), r.c.secretary)
    hoa = next(c for c in await env.rows(Commendation) if c.person_id == r.hoa)
    assert hoa.amount == 700_000
    [entry] = [
        e
        for e in await env.rows(AuditEntry, AuditEntry.action == "commendation.amount_confirmed")
        if e.after["nomination"] == r.noms["hoa"]
    ]
    assert (entry.after["computed"], entry.after["confirmed"]) == (710_000, 700_000)


async def test_bad_decisions_are_refused_and_change_nothing(env: Env):
    r = await tallied(env)
    s_ = r.c.secretary
    await refused(env, "decisions-not-secretary", lambda s: s.record(draft(r)), r.c.principal)
    await refused(
        env, "announce-decision-future", lambda s: s.record(draft(r, "1/QĐ-CĐKTCN ngày 20/06/2027")), s_
    )
    await refused(env, "decisions-signer-not-allowed", lambda s: s.record(draft(r, signer=r.hoa)), s_)
    left_all = replace(
        draft(r), left_out={str(r.noms["hoa"]): "Hồ sơ chưa đủ", str(r.unit_nom): "Hồ sơ chưa đủ"}
    )
    await refused(env, "decisions-nothing-left", lambda s: s.record(left_all), s_)
    await dec(env, lambda s: s.record(draft(r)), s_)
    # the same number that year, however it is typed, is used
    await refused(
        env,
        "decisions-nothing-to-decide",
        lambda s: s.record(draft(r, "0123 / qđ–cđktcn ngày 19/06/2027")),
        s_,
    )
    with pytest.raises(DomainError) as caught:
        async with env.ctx(s_) as c:
            from bot.services.decisions.record import Recorder

            await Recorder(c).with_number(draft(r), "0123/qđ-cđktcn ngày 10/06/2027")
    assert caught.value.key == "decisions-number-used"


async def test_no_decision_while_a_tie_waits_for_the_chair(env: Env):
    c, _vid, _ds = await tied(env)
    env.clock.set(AFTER)
    round_id = await env.round_id()
    from bot.services.decisions import DecisionDraft

    await refused(
        env,
        "decisions-ties-open",
        lambda s: s.record(DecisionDraft(round_id, "5/QĐ", "2027-06-19", c.principal)),
        c.secretary,
    )


async def test_one_left_out_with_a_reason_is_listed_not_commended(env: Env):
    r = await tallied(env)
    await refused(
        env, "decisions-reason-short", lambda s: s.leave_out(draft(r), r.unit_nom, " x "), r.c.secretary
    )
    await refused(
        env,
        "decisions-not-on-list",
        lambda s: s.leave_out(draft(r), r.noms["binh"], "Không đủ"),
        r.c.secretary,
    )
    forged = replace(draft(r), left_out={str(r.unit_nom): "x"})  # a draft that skipped the step
    await refused(env, "decisions-reason-short", lambda s: s.record(forged), r.c.secretary)
    left = replace(draft(r), left_out={str(r.unit_nom): "Đơn vị chưa nộp báo cáo tổng kết"})
    decision = await dec(env, lambda s: s.record(left), r.c.secretary)
    items = {i.nomination_id: i for i in await env.rows(DecisionItem)}
    assert items[r.unit_nom].left_out and items[r.unit_nom].reason == "Đơn vị chưa nộp báo cáo tổng kết"
    assert [c.person_id for c in await env.rows(Commendation, Commendation.decision_id == decision.id)] == [
        r.hoa
    ]


async def test_a_deputy_signs_for_the_principal_only_under_a_dated_delegation(env: Env):
    r = await tallied(env)
    deputy = await env.person("Đỗ Thị Phó", "BGH")
    await refused(
        env, "decisions-signer-not-allowed", lambda s: s.record(draft(r, signer=deputy)), r.c.secretary
    )
    await dec(env, lambda s: s.delegate(deputy, date(2027, 6, 15), date(2027, 6, 30)), r.c.principal)
    await refused(
        env,
        "decisions-signer-not-allowed",
        lambda s: s.record(draft(r, "9/QĐ ngày 14/06/2027", deputy)),
        r.c.secretary,
    )
    decision = await dec(env, lambda s: s.record(draft(r, signer=deputy)), r.c.secretary)
    assert (decision.signer_id, decision.signed_as) == (deputy, "deputy")


async def test_two_secretaries_recording_at_once_record_one_decision(both_env: Env):
    env = both_env
    r = await tallied(env)
    other = await env.person("Vũ Thị Hai", "TCHC", Role.SECRETARY)
    results = await asyncio.gather(
        dec(env, lambda s: s.record(draft(r)), r.c.secretary),
        dec(env, lambda s: s.record(draft(r, "124/QĐ-CĐKTCN ngày 19/06/2027")), other),
        return_exceptions=True,
    )
    assert sum(isinstance(x, Decision) for x in results) == 1
    assert all(isinstance(x, Decision) or isinstance(x, DomainError) for x in results)
    assert len(await env.rows(Decision)) == 1 and len(await env.rows(Commendation)) == 2


async def test_upward_passes_become_proposals_approved_later_as_commendations(env: Env):
    r = await tallied(env)
    await dec(env, lambda s: s.record(draft(r)), r.c.secretary)
    assert await env.rows(Proposal) == []  # nothing of this round is decided upward
    assert AFTER - timedelta(days=1) < AFTER
