"""The round's vote without Telegram: the council (snapshot at opening, the secretary's changes, the chair),
recusal, opening (timed and early) with the nominations locked and one message per member, the rules frozen
at opening, and no extension once the vote is over."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.clock import VN_TZ
from bot.plan import PlanError
from bot.roles import Role
from bot.services.plan import WindowError
from bot.services.voting.errors import (
    ChairNotMember,
    NotSecretary,
    Recused,
    VoteSecretMissing,
    VotingAlreadyOpen,
)
from storage.models import AuditEntry, OutboxMessage
from storage.models.nomination import Nomination, NominationExtension
from storage.models.plan import PlanCommendation
from storage.models.voting import VotingResult, VotingRound
from tests.voting.college import (
    CLOSED,
    LDTT,
    OPENS,
    REVIEWING,
    TTLDTT,
    Env,
    college,
    example_with,
    opened,
)


async def audited(env: Env, prefix: str) -> list[tuple[str, dict | None]]:
    return [(e.action, e.after) for e in await env.rows(AuditEntry, AuditEntry.action.like(f"{prefix}%"))]


# -- the council ------------------------------------------------------------------------------------------
async def test_the_council_is_who_holds_the_role_at_opening_with_the_secretarys_changes(env: Env):
    c = await college(env, 3)
    a, b = c.members[1:]
    guest = await env.person("Phạm Khách Mời", "KCNTT")
    rid = await env.round_id()

    await env.run(lambda s: s.add_member(rid, guest), c.secretary)
    view = await env.run(lambda s: s.remove_member(rid, b), c.secretary)
    again = await env.run(lambda s: s.remove_member(rid, b), c.secretary)  # a double tap records nothing
    assert (
        {m.person_id for m in view.active} == {m.person_id for m in again.active} == {c.principal, a, guest}
    )
    late = await env.person("Vũ Thị Muộn", "HDTD", Role.COUNCIL)  # holds the role before opening: a member
    await opened(env)
    after = await env.person("Đỗ Văn Sau", "HDTD", Role.COUNCIL)  # only after the opening: not

    view = await env.run(lambda s: s.council(rid), c.secretary)
    assert {m.person_id for m in view.active} == {c.principal, a, guest, late}
    assert view.chair_id == c.principal and [m.removed for m in view.members if m.person_id == b] == [True]
    assert await audited(env, "voting.member") == [
        ("voting.member_added", {"person": guest}),
        ("voting.member_removed", {"person": b}),
    ]
    keys = {o.idempotency_key for o in await env.rows(OutboxMessage, OutboxMessage.kind == "voting")}
    assert keys == {f"vote-open:{rid}:{p}" for p in (c.principal, a, guest, late)}
    with pytest.raises(VotingAlreadyOpen):
        await env.run(lambda s: s.add_member(rid, after), c.secretary)


async def test_the_secretary_may_name_another_member_chair_but_not_an_outsider(env: Env):
    c = await college(env, 3)
    rid, outsider = await env.round_id(), await env.person("Phạm Khách Mời", "KCNTT")

    with pytest.raises(ChairNotMember):
        await env.run(lambda s: s.name_chair(rid, outsider), c.secretary)
    view = await env.run(lambda s: s.name_chair(rid, c.members[1]), c.secretary)
    vid = await opened(env)

    assert view.chair_id == c.members[1]
    assert await env.one(select(VotingRound.chair_id).where(VotingRound.id == vid)) == c.members[1]
    assert await audited(env, "voting.chair") == [("voting.chair_named", {"chair": c.members[1]})]


async def test_only_the_secretary_changes_the_council_and_a_refusal_changes_nothing(env: Env):
    c = await college(env, 3)
    rid = await env.round_id()
    await env.run(lambda s: s.council(rid), c.secretary)
    before = await env.dump()

    for attempt in (
        lambda s: s.add_member(rid, c.members[1]),
        lambda s: s.remove_member(rid, c.members[2]),
        lambda s: s.name_chair(rid, c.members[1]),
        lambda s: s.council(rid),
    ):
        with pytest.raises(NotSecretary):
            await env.run(attempt, c.members[1])

    assert await env.dump() == before


# -- recusal ----------------------------------------------------------------------------------------------
COUNTED = "\ncouncil:\n  recusal: {base: counted, source: Quy chế của Nhà trường, to_confirm: true}\n"


@pytest.mark.parametrize(("plan_tail", "base"), [("", 3), (COUNTED, 4)])
async def test_a_nominee_and_the_head_of_a_nominated_unit_sit_out_their_dossier(env: Env, plan_tail, base):
    plan = None if not plan_tail else example_with("\nreminder_rules:", plan_tail + "\nreminder_rules:")
    c = await college(env, 3, plan=plan)
    a = c.members[1]
    head = await env.person("Ngô Trưởng Khoa", "KCNTT", Role.UNIT_HEAD, Role.COUNCIL)
    own = await env.nominate(LDTT, person=a)
    collective = await env.nominate(TTLDTT, unit="KCNTT")
    other = await env.nominate(LDTT, person=await env.person("Nguyễn Thị Hoa", "KCNTT"))
    vid = await opened(env)
    d = await env.dossiers(vid)
    assert (d[own].recused, d[collective].recused, d[other].recused) == ([a], [head], [])

    with pytest.raises(Recused):
        await env.run(lambda s: s.cast(vid, d[own].id, "agree"), a)
    sheet = await env.run(lambda s: s.sheet(vid), a)
    card = next(x for x in sheet.dossiers if x.dossier_id == d[own].id)
    assert card.recused and card.summary is None and card.title_vi == "Lao động tiên tiến"
    assert (sheet.progress.done, sheet.progress.total) == (0, 2)

    members = [*c.members, head]
    await env.cast(vid, {m: {x.id: "agree" for x in d.values() if m not in x.recused} for m in members})
    await env.due(CLOSED)
    results = {r.dossier_id: r for r in await env.rows(VotingResult)}
    assert (results[d[own].id].members, results[d[own].id].agree) == (base, 3)
    assert (results[d[collective].id].members, results[d[other].id].members) == (base, 4)


# -- opening ----------------------------------------------------------------------------------------------
async def test_opening_at_the_plans_date_ends_nominations_and_tells_each_member_once(env: Env):
    c = await college(env, 3)
    rid = await env.round_id()
    noms = [await env.nominate(LDTT, person=await env.person(f"Nguyễn Văn {x}", "KCNTT")) for x in "AB"]
    async with env.sessionmaker() as s:  # the secretary's extension still running past the opening
        s.add(NominationExtension(round_id=rid, closes_at=OPENS + timedelta(days=2), set_at=REVIEWING))
        await s.commit()

    assert await env.due(OPENS) == 1
    assert await env.due(OPENS + timedelta(minutes=1)) == 0

    assert {n.state for n in await env.rows(Nomination)} == {"locked"}
    assert (await env.rows(NominationExtension))[0].closes_at == OPENS
    assert [a for a, _ in await audited(env, "nomination.")] == [
        "nomination.extension_ended",
        "nomination.locked",
        "nomination.locked",
    ]
    voting = (await env.rows(VotingRound))[0]
    assert voting.state == "open" and not voting.opened_early and voting.key_check
    assert voting.rules["titles"][LDTT]["threshold"] == {
        "share": [1, 2],
        "base": "votes_cast",
        "comparison": "at_least",
        "quorum": None,
        "tie": "chair",
    }
    assert len(await env.dossiers()) == len(noms)
    sent = await env.rows(OutboxMessage, OutboxMessage.kind == "voting")
    assert sorted(o.person_id for o in sent) == sorted(c.members)
    assert all(o.not_before.astimezone(VN_TZ).hour == 7 for o in sent)  # opened at 00:00: after quiet hours
    assert "hết ngày 18/06/2027" in sent[0].text and "Lao động tiên tiến: 2" in sent[0].text


async def test_the_secretary_opening_early_opens_the_vote_at_once(env: Env):
    c = await college(env, 3)
    rid = await env.round_id()
    await env.nominate(LDTT, person=await env.person("Nguyễn Thị Hoa", "KCNTT"))

    await env.plan(lambda p: p.open_voting_early(rid), c.secretary)
    assert await env.due() == 0

    voting = (await env.rows(VotingRound))[0]
    assert (voting.state, voting.opened_early, voting.opened_at) == ("open", True, REVIEWING)
    assert await env.due(OPENS) == 0
    assert {n.state for n in await env.rows(Nomination)} == {"locked"}
    sent = await env.rows(OutboxMessage, OutboxMessage.kind == "voting")
    assert len(sent) == 3 and {o.not_before for o in sent} == {REVIEWING}
    assert [a for a, _ in await audited(env, "voting.opened")] == ["voting.opened"]


async def test_without_vote_secret_voting_does_not_open_and_the_secretary_is_told_once(env: Env):
    c = await college(env, 3)
    rid = await env.round_id()
    env.set_settings(vote_secret=None)
    before = await env.dump()

    with pytest.raises(VoteSecretMissing) as refused:
        await env.plan(lambda p: p.open_voting_early(rid), c.secretary)
    assert await env.dump() == before
    assert "VOTE_SECRET" in refused.value.text("vi")

    assert await env.due(OPENS) == 0
    assert await env.due(OPENS + timedelta(minutes=1)) == 0
    told = await env.rows(OutboxMessage)
    assert [o.person_id for o in told] == [c.secretary] and "VOTE_SECRET" in told[0].text
    assert await env.one(select(VotingRound.state)) in (None, "preparing")


# -- the rules frozen, the extension ------------------------------------------------------------------------
TWO_THIRDS = ("share: 0.5\n      base: votes_cast", "share: 2/3\n      base: votes_cast")


async def test_a_reload_changing_a_frozen_rule_is_refused_whole_naming_the_round_and_the_value(env: Env):
    await college(env, 3)
    await opened(env)
    changed = example_with(*TWO_THIRDS).replace(
        "Đổi mới, sáng tạo trong quản lý giảng dạy và học tập", "Đổi mới sáng tạo"
    )

    with pytest.raises(PlanError) as refused:
        await env.load(changed)
    report = refused.value.report("vi")
    assert "yearly-2026-2027" in report and "(1/2 → 2/3)" in report and "tỷ lệ đồng ý" in report
    assert await env.one(select(PlanCommendation.threshold_den).where(PlanCommendation.code == LDTT)) == 2
    await env.load()  # the same rules: loads

    await env.due(CLOSED)  # tallied: the rules are free again
    await env.load(changed)
    assert await env.one(select(PlanCommendation.threshold_den).where(PlanCommendation.code == LDTT)) == 3


async def test_an_extension_moves_the_close_but_none_is_taken_once_the_vote_is_over(env: Env):
    c = await college(env, 3)
    rid = await env.round_id()
    await opened(env)

    await env.plan(lambda p: p.extend_voting(rid, date(2027, 6, 20)), c.secretary)
    assert await env.due(CLOSED) == 0  # still open until the end of 20/06
    assert await env.due(CLOSED + timedelta(days=2)) == 1
    assert await env.one(select(VotingRound.state)) == "tallied"

    with pytest.raises(WindowError) as refused:
        await env.plan(lambda p: p.extend_voting(rid, date(2027, 6, 25)), c.secretary)
    assert refused.value.key == "plan-extend-after-tally"
