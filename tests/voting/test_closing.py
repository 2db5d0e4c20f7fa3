"""Closing and the tally without Telegram: early once every member has voted on everything, at the close
otherwise, once even when two processes close at the same moment; refused when VOTE_SECRET changed or a
seal was edited; the result to the secretary and the chair; a tie settled by the chair; a re-ballot."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.clock import VN_TZ
from bot.services.voting import round as voting_round
from bot.services.voting.errors import (
    AlreadyClosed,
    BadSettlement,
    DossierNotInVote,
    NoSuchTie,
    NotComplete,
    NotSecretary,
    ReasonNeeded,
    ReballotCloseBad,
    ReballotNotAllowed,
)
from storage.models import AuditEntry, OutboxMessage
from storage.models.voting import Ballot, VotingResult, VotingRound
from tests.voting.college import CLOSED, CSTD, LDTT, College, Env, college, opened


async def two_dossiers(env: Env) -> tuple[College, int, list[int]]:
    c = await college(env, 3)
    noms = [
        await env.nominate(LDTT, person=await env.person(n, "KCNTT"))
        for n in ("Nguyễn Thị Hoa", "Trần Văn Bình")
    ]
    vid = await opened(env)
    d = await env.dossiers(vid)
    return c, vid, [d[n].id for n in noms]


async def everyone(env: Env, c: College, vid: int, dossiers: list[int], choice: str = "agree") -> None:
    await env.cast(vid, {m: dict.fromkeys(dossiers, choice) for m in c.members})


async def actions(env: Env, *names: str) -> list[str]:
    return [e.action for e in await env.rows(AuditEntry, AuditEntry.action.in_(names))]


# -- closing ----------------------------------------------------------------------------------------------
async def test_the_secretary_closes_early_only_once_everyone_has_voted_on_everything(env: Env):
    c, vid, ds = await two_dossiers(env)
    await env.run(lambda s: s.cast(vid, ds[0], "agree"), c.principal)

    with pytest.raises(NotComplete) as refused:
        await env.run(lambda s: s.close_early(vid), c.secretary)
    assert "1/6" in refused.value.text("vi")
    with pytest.raises(NotSecretary):
        await env.run(lambda s: s.close_early(vid), c.principal)

    await everyone(env, c, vid, ds)
    view = await env.run(lambda s: s.close_early(vid), c.secretary)
    assert [line.outcome for t in view.titles for line in t.lines] == ["passed", "passed"]
    with pytest.raises(AlreadyClosed):
        await env.run(lambda s: s.close_early(vid), c.secretary)
    assert await env.due(CLOSED) == 0
    assert await actions(env, "voting.closed", "voting.tallied") == ["voting.closed", "voting.tallied"]


async def test_two_closings_at_once_close_and_tally_once(both_env: Env, monkeypatch: pytest.MonkeyPatch):
    """Both have read the vote (still open) before either writes: only the conditional UPDATE can tell the
    second one that it lost."""
    env = both_env
    c, vid, ds = await two_dossiers(env)
    await everyone(env, c, vid, ds)
    both_have_read = asyncio.Barrier(2)
    read = voting_round.load

    async def load_then_wait(ctx, voting_id):  # type: ignore[no-untyped-def]
        found = await read(ctx, voting_id)
        await asyncio.wait_for(both_have_read.wait(), 5)
        return found

    monkeypatch.setattr(voting_round, "load", load_then_wait)
    outcomes = await asyncio.gather(
        env.run(lambda s: s.close_early(vid), c.secretary),
        env.run(lambda s: s.close_early(vid), c.secretary),
        return_exceptions=True,
    )

    assert sorted(type(o).__name__ for o in outcomes) == ["AlreadyClosed", "ResultsView"]
    assert await actions(env, "voting.closed", "voting.tallied") == ["voting.closed", "voting.tallied"]
    assert len(await env.rows(VotingResult)) == 2
    sent = await env.rows(OutboxMessage, OutboxMessage.idempotency_key.like("vote-results:%"))
    assert sorted(o.person_id for o in sent) == sorted({c.secretary, c.principal})
    assert await env.due(CLOSED) == 0


async def test_the_due_work_of_two_processes_closes_once(both_env: Env, monkeypatch: pytest.MonkeyPatch):
    env = both_env
    c, vid, ds = await two_dossiers(env)
    await env.run(lambda s: s.cast(vid, ds[0], "agree"), c.principal)
    both_have_read = asyncio.Barrier(2)
    read = voting_round.load

    async def load_then_wait(ctx, voting_id):  # type: ignore[no-untyped-def]
        found = await read(ctx, voting_id)
        await asyncio.wait_for(both_have_read.wait(), 5)
        return found

    monkeypatch.setattr(voting_round, "load", load_then_wait)
    env.clock.set(CLOSED)
    assert sorted(await asyncio.gather(env.due(), env.due())) == [0, 1]
    assert await actions(env, "voting.closed", "voting.tallied") == ["voting.closed", "voting.tallied"]


async def test_the_result_goes_to_the_secretary_and_the_chair_after_the_quiet_hours(env: Env):
    c, vid, ds = await two_dossiers(env)
    await everyone(env, c, vid, ds[:1])
    await env.run(lambda s: s.cast(vid, ds[1], "disagree"), c.members[1])

    assert await env.due(CLOSED) == 1  # at 00:05

    [voting] = await env.rows(VotingRound)
    assert (voting.state, voting.members_count, voting.voters_count) == ("tallied", 3, 3)
    results = {r.dossier_id: r for r in await env.rows(VotingResult)}
    assert [(results[d].voters, results[d].agree, results[d].outcome) for d in ds] == [
        (3, 3, "passed"),
        (1, 0, "failed"),
    ]
    sent = await env.rows(OutboxMessage, OutboxMessage.idempotency_key.like("vote-results:%"))
    assert sorted(o.person_id for o in sent) == sorted([c.secretary, c.principal])
    assert {o.not_before.astimezone(VN_TZ).strftime("%d/%m %H:%M") for o in sent} == {"19/06 07:00"}
    text = sent[0].text
    assert "Thành viên Hội đồng: 3 · Đã bỏ phiếu: 3" in text
    assert "Nguyễn Thị Hoa (Khoa KCNTT) — Đạt · Đồng ý 3/3" in text
    assert "Số phiếu cho thấy cách bỏ phiếu của từng thành viên" in text  # a unanimous count
    assert "Trần Văn Bình (Khoa KCNTT) — Không đạt · Đồng ý 0/3" in text


async def test_a_changed_vote_secret_holds_the_tally_until_it_is_set_back(env: Env):
    c, vid, ds = await two_dossiers(env)
    await everyone(env, c, vid, ds)
    secret = env.settings.vote_secret.get_secret_value()
    env.set_settings(vote_secret="another-secret-set-by-mistake")

    assert await env.due(CLOSED) == 1  # closed, not counted
    assert await env.due(CLOSED + timedelta(minutes=1)) == 0
    told = await env.rows(OutboxMessage, OutboxMessage.idempotency_key.like("vote-untallied:%"))
    assert [o.person_id for o in told] == [c.secretary] and "đã bị đổi" in told[0].text
    assert all(b.seal for b in await env.rows(Ballot)) and await env.rows(VotingResult) == []

    env.set_settings(vote_secret=secret)
    assert await env.due(CLOSED + timedelta(minutes=2)) == 1
    assert len(await env.rows(VotingResult)) == 2


async def test_a_seal_edited_in_the_database_stops_the_tally(env: Env):
    c, vid, ds = await two_dossiers(env)
    await everyone(env, c, vid, ds)
    async with env.sessionmaker() as s:
        await s.execute(
            update(Ballot)
            .where(Ballot.member_id == c.principal, Ballot.dossier_id == ds[0])
            .values(seal="0" * 64)
        )
        await s.commit()

    await env.due(CLOSED)

    [told] = await env.rows(OutboxMessage, OutboxMessage.idempotency_key.like("vote-untallied:%"))
    assert "1 phiếu không khớp" in told.text and await env.rows(VotingResult) == []


# -- a tie ------------------------------------------------------------------------------------------------
async def tied(env: Env) -> tuple[College, int, dict[str, list[int]]]:
    """One LĐTT passes, so CSTĐ cơ sở has one place (15 %, at least one); two CSTĐ are equal: tied."""
    c = await college(env, 3)
    people = [await env.person(n, "KCNTT") for n in ("Nguyễn Thị Hoa", "Trần Văn Bình", "Lê Văn Cường")]
    ldtt = await env.nominate(LDTT, person=people[0])
    cstd = [await env.nominate(CSTD, person=p) for p in people[1:]]
    vid = await opened(env)
    d = await env.dossiers(vid)
    by_title = {LDTT: [d[ldtt].id], CSTD: [d[n].id for n in cstd]}
    await everyone(env, c, vid, by_title[LDTT] + by_title[CSTD])
    await env.due(CLOSED)
    return c, vid, by_title


async def test_a_tie_at_the_quota_waits_for_the_chair_and_the_secretary_records_it(env: Env):
    c, vid, ds = await tied(env)
    a, b = ds[CSTD]
    view = await env.run(lambda s: s.results(vid), c.secretary)
    cstd = next(t for t in view.titles if t.name_vi == "Chiến sĩ thi đua cơ sở")
    assert (cstd.quota, [line.outcome for line in cstd.lines]) == (1, ["tied", "tied"])
    before = await env.dump()

    for error, attempt, who in [
        (NoSuchTie, lambda s: s.settle_tie(vid, LDTT, ds[LDTT], "Theo ý kiến Chủ tịch"), c.secretary),
        (BadSettlement, lambda s: s.settle_tie(vid, CSTD, [a, b], "Theo ý kiến Chủ tịch"), c.secretary),
        (BadSettlement, lambda s: s.settle_tie(vid, CSTD, ds[LDTT], "Theo ý kiến Chủ tịch"), c.secretary),
        (ReasonNeeded, lambda s: s.settle_tie(vid, CSTD, [b], " ok "), c.secretary),
        (NotSecretary, lambda s: s.settle_tie(vid, CSTD, [b], "Theo ý kiến Chủ tịch"), c.principal),
    ]:
        with pytest.raises(error):
            await env.run(attempt, who)
    assert await env.dump() == before

    view = await env.run(lambda s: s.settle_tie(vid, CSTD, [b], "Thành tích nổi bật hơn"), c.secretary)
    results = {r.dossier_id: r for r in await env.rows(VotingResult)}
    assert (results[a].settled_outcome, results[b].settled_outcome) == ("over_quota", "passed")
    assert results[b].settle_reason == "Thành tích nổi bật hơn" and results[b].settled_by == c.secretary
    [entry] = await env.rows(AuditEntry, AuditEntry.action == "voting.tie_settled")
    assert entry.after == {"title": CSTD, "tied": [a, b], "chosen": [b], "reason": "Thành tích nổi bật hơn"}
    with pytest.raises(NoSuchTie):  # settled: no tie any more
        await env.run(lambda s: s.settle_tie(vid, CSTD, [a], "Theo ý kiến Chủ tịch"), c.secretary)


# -- a re-ballot ------------------------------------------------------------------------------------------
async def test_one_dossier_is_voted_again_alone_with_its_own_close_and_result(env: Env):
    c, vid, ds = await two_dossiers(env)
    with pytest.raises(ReballotNotAllowed):  # not tallied yet
        await env.run(lambda s: s.reballot(vid, ds[0], CLOSED + timedelta(days=3)), c.secretary)
    await env.run(lambda s: s.cast(vid, ds[0], "disagree"), c.principal)
    await env.due(CLOSED)
    parent = [(r.id, r.agree, r.outcome) for r in await env.rows(VotingResult)]
    with pytest.raises(ReballotCloseBad):
        await env.run(lambda s: s.reballot(vid, ds[0], CLOSED - timedelta(days=1)), c.secretary)

    again = await env.run(lambda s: s.reballot(vid, ds[0], CLOSED + timedelta(days=3)), c.secretary)
    with pytest.raises(ReballotNotAllowed):
        await env.run(lambda s: s.reballot(vid, ds[0], CLOSED + timedelta(days=3)), c.secretary)
    told = await env.rows(OutboxMessage, OutboxMessage.idempotency_key.like(f"vote-reballot:{again}:%"))
    assert sorted(o.person_id for o in told) == sorted(c.members) and "Bỏ phiếu lại" in told[0].text
    [copy] = (await env.dossiers(again)).values()
    with pytest.raises(DossierNotInVote):  # the first vote's dossier is not this vote's
        await env.run(lambda s: s.cast(again, ds[0], "agree"), c.principal)
    await env.cast(again, {m: {copy.id: "agree"} for m in c.members})
    assert await env.due(CLOSED + timedelta(days=3, minutes=1)) == 1

    [mine] = await env.rows(VotingResult, VotingResult.voting_id == again)
    assert (mine.agree, mine.outcome) == (3, "passed")
    first = await env.rows(VotingResult, VotingResult.voting_id == vid)
    assert [(r.id, r.agree, r.outcome) for r in first] == parent  # the first result stands
    assert {(b.nonce, b.seal) for b in await env.rows(Ballot)} == {(None, None)}
