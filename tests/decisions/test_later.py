"""What follows a decision without Telegram: corrections told again, a revocation marked to recover (and
recovered), a proposal upward approved later as a commendation at that level, /history by who asks, the
principal's /summary, the announce room's "decision" source."""

from __future__ import annotations

from datetime import date

import pytest

from bot.errors import DomainError
from bot.services.announce_draft import Draft
from bot.services.announce_sources import SOURCES
from storage.models import AuditEntry, OutboxMessage
from storage.models.decisions import Commendation, Proposal
from tests.decisions.college import AFTER, Round, dec, draft, tallied
from tests.decisions.test_record import refused
from tests.voting.college import CLOSED, LDTT, TTLDTT, TTLDXS, College, Env, college, opened


async def agreed_and_recorded(env: Env, c: College) -> Round:
    """The vote opened, every member agreeing to every dossier, closed; then the decision recorded."""
    vid = await opened(env)
    await env.cast(
        vid,
        {m: dict.fromkeys([d.id for d in (await env.dossiers(vid)).values()], "agree") for m in c.members},
    )
    await env.due(CLOSED)
    env.clock.set(AFTER)
    r = Round(c, vid, await env.round_id())
    await dec(env, lambda s: s.record(draft(r)), c.secretary)
    return r


async def test_a_mistyped_number_is_corrected_and_the_commended_told_again(env: Env):
    r = await tallied(env)
    d = await dec(env, lambda s: s.record(draft(r)), r.c.secretary)
    await refused(
        env,
        "decisions-reason-short",
        lambda s: s.correct(d.id, "132/QĐ-CĐKTCN 19/06/2027", None, ""),
        r.c.secretary,
    )
    await refused(
        env,
        "decisions-not-secretary",
        lambda s: s.correct(d.id, "132/QĐ-CĐKTCN 19/06/2027", None, "Gõ nhầm số"),
        r.head,
    )
    await dec(env, lambda s: s.correct(d.id, "132/QĐ-CĐKTCN 19/06/2027", None, "Gõ nhầm số"), r.c.secretary)
    hoa = next(c for c in await env.rows(Commendation) if c.person_id == r.hoa)
    assert hoa.decision_number == "132/QĐ-CĐKTCN"
    again = await env.rows(OutboxMessage, OutboxMessage.idempotency_key == f"dec-told:{hoa.id}:2")
    assert "Đính chính" in again[0].text and "132/QĐ-CĐKTCN" in again[0].text
    [entry] = await env.rows(AuditEntry, AuditEntry.action == "decision.corrected")
    assert entry.before["number"] == "123/QĐ-CĐKTCN" and entry.after["reason"] == "Gõ nhầm số"


async def test_a_commendation_is_revoked_once_its_money_marked_to_recover_then_recovered(env: Env):
    r = await tallied(env)
    await dec(env, lambda s: s.record(draft(r)), r.c.secretary)
    hoa = next(c for c in await env.rows(Commendation) if c.person_id == r.hoa)
    await refused(env, "decisions-nothing-to-recover", lambda s: s.recovered(hoa.id), r.c.secretary)
    await dec(env, lambda s: s.revoke(hoa.id, "Hồ sơ kê khai không trung thực"), r.c.secretary)
    await refused(
        env,
        "decisions-revoked-already",
        lambda s: s.revoke(hoa.id, "Hồ sơ kê khai không trung thực"),
        r.c.secretary,
    )
    [row] = await env.rows(Commendation, Commendation.id == hoa.id)
    assert (row.state, row.recovery, row.amount) == ("revoked", "to_recover", 710_000)
    await dec(env, lambda s: s.recovered(hoa.id), r.c.secretary)
    [row] = await env.rows(Commendation, Commendation.id == hoa.id)
    assert row.recovery == "recovered"
    lines = await dec(env, lambda s: s.history(r.hoa), r.hoa)
    assert [x.kind for x in lines] == ["revoked"]


async def test_a_units_commendation_revoked_is_told_to_its_heads_with_the_reason(env: Env):
    from bot.roles import Role

    c = await college(env, 3)
    head = await env.person("Phạm Văn Khoa", "KCNTT", Role.UNIT_HEAD)
    await env.nominate(TTLDTT, unit="KCNTT")
    await agreed_and_recorded(env, c)
    [made] = await env.rows(Commendation, Commendation.unit_id.is_not(None))
    await dec(env, lambda s: s.revoke(made.id, "Số liệu báo cáo không trung thực"), c.secretary)
    told = await env.rows(OutboxMessage, OutboxMessage.idempotency_key.like(f"dec-revoked:{made.id}:%"))
    assert [m.person_id for m in told] == [head]
    assert "Số liệu báo cáo không trung thực" in told[0].text and "đã được thu hồi" in told[0].text


async def test_a_proposal_upward_is_sent_and_approved_later_and_the_unit_told(env: Env):
    c = await college(env, 3)
    head = await env.person("Phạm Văn Khoa", "KCNTT", __import__("bot.roles").roles.Role.UNIT_HEAD)
    hoa = await env.person("Nguyễn Thị Hoa", "KCNTT")
    await env.nominate(LDTT, person=hoa)
    await env.nominate(TTLDTT, unit="KCNTT")
    await env.nominate(TTLDXS, unit="KCNTT")
    await agreed_and_recorded(env, c)
    [p] = await env.rows(Proposal)
    await refused(
        env,
        "decisions-proposal-moved",
        lambda s: s.move_proposal(p.id, "approve", "5/QĐ-UBND 01/07/2027"),
        c.secretary,
    )
    await dec(env, lambda s: s.move_proposal(p.id, "send"), c.secretary)
    env.clock.set(AFTER.replace(month=7, day=20))
    await dec(env, lambda s: s.move_proposal(p.id, "approve", "1234/QĐ-UBND ngày 15/07/2027"), c.secretary)
    upward = [x for x in await env.rows(Commendation) if x.level == "upward"]
    assert [(x.code, x.decision_number, x.decision_date, x.amount) for x in upward] == [
        (TTLDXS, "1234/QĐ-UBND", date(2027, 7, 15), None)
    ]
    told = await env.rows(OutboxMessage, OutboxMessage.idempotency_key.like(f"proposal-approved:{p.id}:%"))
    assert [m.person_id for m in told] == [head] and "1234/QĐ-UBND" in told[0].text
    s = await dec(env, lambda s: s.summary(), c.principal)
    assert s.proposals == {} and s.rounds[0].decisions == 1


async def test_history_shows_each_their_own_and_failed_nominations_only_to_those_concerned(env: Env):
    r = await tallied(env)
    await dec(env, lambda s: s.record(draft(r)), r.c.secretary)
    mine = await dec(env, lambda s: s.history(), r.hoa)
    assert [(x.kind, x.title, x.number) for x in mine] == [
        ("commendation", "Lao động tiên tiến", "123/QĐ-CĐKTCN")
    ]
    failed = await dec(env, lambda s: s.history(r.binh), r.head)  # the head sees the unit's people
    assert [x.kind for x in failed] == ["failed"]
    assert [x.kind for x in await dec(env, lambda s: s.history(r.binh), r.c.secretary)] == ["failed"]
    with pytest.raises(DomainError):
        await dec(env, lambda s: s.history(r.binh), r.hoa)  # not a colleague's
    unit = await env.unit("KCNTT")
    assert [x.kind for x in await dec(env, lambda s: s.history(None, unit), r.head)] == ["commendation"]
    await refused(env, "decisions-history-not-yours", lambda s: s.history(None, unit), r.hoa)


async def test_the_announce_source_offers_only_the_decision_s_commended(env: Env):
    r = await tallied(env)
    d = await dec(env, lambda s: s.record(draft(r)), r.c.secretary)
    async with env.ctx(r.c.secretary) as c:
        found = await SOURCES["decision"].exemplars(
            c, Draft(source="decision", picks=[{"d": d.id}]).picks, "vi"
        )
    assert [(e.name, e.title) for e in found] == [
        ("Nguyễn Thị Hoa", "Lao động tiên tiến"),
        ("Khoa KCNTT", "Tập thể lao động tiên tiến"),
    ]
    assert all("123/QĐ-CĐKTCN" in e.achievement and "19/06/2027" in e.achievement for e in found)
    assert "Trần Văn Bình" not in {e.name for e in found}


async def test_the_summary_is_the_principal_s(env: Env):
    r = await tallied(env)
    s = await dec(env, lambda s: s.summary(), r.c.principal)
    assert s.rounds[0].waiting and s.rounds[0].passed == {
        "Lao động tiên tiến": 1,
        "Tập thể lao động tiên tiến": 1,
    }
    await refused(env, "decisions-not-principal", lambda s: s.summary(), r.hoa)


async def test_two_secretaries_revoking_or_moving_a_proposal_at_once_act_once(both_env: Env):
    import asyncio

    from bot.roles import Role

    env = both_env
    c = await college(env, 3)
    hoa = await env.person("Nguyễn Thị Hoa", "KCNTT")
    await env.nominate(LDTT, person=hoa)
    await env.nominate(TTLDXS, unit="KCNTT")
    await agreed_and_recorded(env, c)
    other = await env.person("Vũ Thị Hai", "TCHC", Role.SECRETARY)
    [made] = await env.rows(Commendation)
    [p] = await env.rows(Proposal)
    reason = "Hồ sơ kê khai không trung thực"
    results = await asyncio.gather(
        dec(env, lambda s: s.revoke(made.id, reason), c.secretary),
        dec(env, lambda s: s.revoke(made.id, reason), other),
        dec(env, lambda s: s.move_proposal(p.id, "send"), c.secretary),
        dec(env, lambda s: s.move_proposal(p.id, "send"), other),
        return_exceptions=True,
    )
    assert [isinstance(x, DomainError) for x in results].count(True) == 2, results
    assert {x.key for x in results if isinstance(x, DomainError)} == {
        "decisions-revoked-already",
        "decisions-proposal-moved",
    }
    revoked = await env.rows(AuditEntry, AuditEntry.action == "commendation.revoked")
    sent = await env.rows(AuditEntry, AuditEntry.action == "proposal.sent")
    assert len(revoked) == 1 and len(sent) == 1
    told = await env.rows(OutboxMessage, OutboxMessage.idempotency_key.like(f"dec-revoked:{made.id}:%"))
    assert [m.person_id for m in told] == [hoa]  # the one it concerns, told once
    [made] = await env.rows(Commendation, Commendation.id == made.id)
    assert made.recovery == "to_recover"  # its money was paid: repaid once
    results = await asyncio.gather(
        dec(env, lambda s: s.recovered(made.id), c.secretary),
        dec(env, lambda s: s.recovered(made.id), other),
        return_exceptions=True,
    )
    assert [isinstance(x, DomainError) for x in results].count(True) == 1, results
    assert len(await env.rows(AuditEntry, AuditEntry.action == "commendation.recovered")) == 1


async def test_two_secretaries_correcting_one_decision_at_once_correct_it_once(both_env: Env):
    import asyncio

    from bot.roles import Role
    from storage.models.decisions import Decision

    env = both_env
    r = await tallied(env)
    d = await dec(env, lambda s: s.record(draft(r)), r.c.secretary)
    other = await env.person("Vũ Thị Hai", "TCHC", Role.SECRETARY)
    results = await asyncio.gather(
        dec(env, lambda s: s.correct(d.id, "124/QĐ-CĐKTCN 19/06/2027", None, "Gõ nhầm số"), r.c.secretary),
        dec(env, lambda s: s.correct(d.id, "125/QĐ-CĐKTCN 19/06/2027", None, "Gõ nhầm số"), other),
        return_exceptions=True,
    )
    errors = [x for x in results if isinstance(x, DomainError)]
    assert len(errors) == 1 and errors[0].key in ("decisions-corrected-meanwhile", "decisions-number-used")
    [row] = await env.rows(Decision)
    assert row.version == 2 and row.number in ("124/QĐ-CĐKTCN", "125/QĐ-CĐKTCN")
    assert {c.decision_number for c in await env.rows(Commendation)} == {row.number}
    assert len(await env.rows(AuditEntry, AuditEntry.action == "decision.corrected")) == 1
