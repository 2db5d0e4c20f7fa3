"""Ballots without Telegram: sealed, changed, taken back ("Chưa quyết" is not a vote), written by the
secretary for an absent member; and the bad inputs the issue lists, each refused with nothing changed."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from bot.services.voting import ballot
from bot.services.voting.errors import (
    AlreadyVoted,
    BadChoice,
    DossierNotInVote,
    DossierWithdrawn,
    NotMember,
    NotSecretary,
    VotingClosed,
    VotingNotFound,
    VotingNotOpen,
)
from storage.models import AuditEntry
from storage.models.nomination import Nomination
from storage.models.voting import Ballot, VotingResult, VotingRound
from tests.voting.college import CLOSED, LDTT, Env, college, opened


async def one_dossier(env: Env, council: int = 3):
    c = await college(env, council)
    hoa = await env.person("Nguyễn Thị Hoa", "KCNTT")
    nomination = await env.nominate(LDTT, person=hoa)
    vid = await opened(env)
    return c, vid, (await env.dossiers(vid))[nomination]


async def key_of(env: Env, vid: int) -> bytes:
    [voting] = await env.rows(VotingRound, VotingRound.id == vid)
    return ballot.key_of(env.settings, voting)


async def test_a_ballot_holds_a_seal_of_the_choice_never_the_choice_and_a_change_reseals_it(env: Env):
    c, vid, d = await one_dossier(env)
    a = c.members[1]

    first = await env.run(lambda s: s.cast(vid, d.id, "agree"), a)
    [sealed] = await env.rows(Ballot)
    changed = await env.run(lambda s: s.cast(vid, d.id, "disagree"), a)
    [resealed] = await env.rows(Ballot)

    key = await key_of(env, vid)
    assert ballot.unseal(key, sealed.nonce, d.id, a, sealed.seal) == "agree"
    assert ballot.unseal(key, resealed.nonce, d.id, a, resealed.seal) == "disagree"
    assert resealed.nonce != sealed.nonce and resealed.id == sealed.id
    assert (first.voted, first.again, changed.again) == (True, False, True)
    assert (changed.progress.done, changed.progress.total) == (1, 1)
    entries = await env.rows(AuditEntry, AuditEntry.object_type == "ballot")
    assert [(e.action, e.after) for e in entries] == [
        ("ballot.cast", {"vote": vid, "dossier": d.id, "member": a}),
        ("ballot.recast", {"vote": vid, "dossier": d.id, "member": a}),
    ]


async def test_undecided_is_not_a_vote_and_takes_a_ballot_back(env: Env):
    c, vid, d = await one_dossier(env)
    a, b = c.members[1:]

    await env.run(lambda s: s.cast(vid, d.id, "undecided"), b)  # nothing to take back: nothing recorded
    await env.run(lambda s: s.cast(vid, d.id, "agree"), a)
    receipt = await env.run(lambda s: s.cast(vid, d.id, "undecided"), a)
    await env.run(lambda s: s.cast(vid, d.id, "disagree"), c.principal)

    assert (receipt.voted, receipt.progress.done) == (False, 0)
    assert [b.member_id for b in await env.rows(Ballot)] == [c.principal]
    assert await env.run(lambda s: s.pending_members(vid)) == [a, b]
    await env.due(CLOSED)
    [result] = await env.rows(VotingResult)
    assert (result.voters, result.agree, result.disagree, result.outcome) == (1, 0, 1, "failed")


async def test_the_secretary_enters_an_absent_members_written_vote_marked_and_audited_without_it(env: Env):
    c, vid, d = await one_dossier(env)
    a, b = c.members[1:]
    outsider = await env.person("Phạm Khách Mời", "KCNTT")
    await env.run(lambda s: s.cast(vid, d.id, "agree"), a)
    before = await env.dump()

    with pytest.raises(NotMember):
        await env.run(lambda s: s.enter_written(vid, d.id, outsider, "agree"), c.secretary)
    with pytest.raises(AlreadyVoted):
        await env.run(lambda s: s.enter_written(vid, d.id, a, "disagree"), c.secretary)
    with pytest.raises(BadChoice):
        await env.run(lambda s: s.enter_written(vid, d.id, b, "undecided"), c.secretary)
    with pytest.raises(NotSecretary):
        await env.run(lambda s: s.enter_written(vid, d.id, b, "agree"), a)
    assert await env.dump() == before

    receipt = await env.run(lambda s: s.enter_written(vid, d.id, b, "disagree"), c.secretary)
    written = next(x for x in await env.rows(Ballot) if x.member_id == b)
    assert receipt.written and (written.written, written.entered_by) == (True, c.secretary)
    assert ballot.unseal(await key_of(env, vid), written.nonce, d.id, b, written.seal) == "disagree"
    [entry] = await env.rows(AuditEntry, AuditEntry.action == "ballot.written")
    assert (entry.actor_id, entry.after) == (c.secretary, {"vote": vid, "dossier": d.id, "member": b})


async def test_the_same_press_twice_leaves_one_ballot(env: Env):
    c, vid, d = await one_dossier(env)
    for _ in range(2):
        await env.run(lambda s: s.cast(vid, d.id, "agree"), c.principal)
    assert len(await env.rows(Ballot)) == 1


async def test_bad_votes_are_refused_and_change_nothing(env: Env):
    c = await college(env, 3)
    a = c.members[1]
    outsider = await env.person("Phạm Khách Mời", "KCNTT")
    n1 = await env.nominate(LDTT, person=await env.person("Nguyễn Thị Hoa", "KCNTT"))
    n2 = await env.nominate(LDTT, person=await env.person("Trần Văn Bình", "KCNTT"))
    with pytest.raises(VotingNotFound):  # before there is a vote at all
        await env.run(lambda s: s.cast(1, 1, "agree"), a)
    await env.run(lambda s: s.council(1), c.secretary)  # the vote, preparing
    with pytest.raises(VotingNotOpen):
        await env.run(lambda s: s.cast(1, 1, "agree"), a)
    vid = await opened(env)
    d = await env.dossiers(vid)
    async with env.sessionmaker() as s:  # a nomination withdrawn behind the vote's back
        await s.execute(update(Nomination).where(Nomination.id == n2).values(state="withdrawn"))
        await s.commit()
    before = await env.dump()

    cases = [
        (NotMember, lambda s: s.cast(vid, d[n1].id, "agree"), outsider),
        (DossierNotInVote, lambda s: s.cast(vid, 999, "agree"), a),
        (DossierWithdrawn, lambda s: s.cast(vid, d[n2].id, "agree"), a),
        (BadChoice, lambda s: s.cast(vid, d[n1].id, "y"), a),
        (VotingNotFound, lambda s: s.cast(vid + 99, d[n1].id, "agree"), a),
    ]
    for error, attempt, who in cases:
        with pytest.raises(error) as refused:
            await env.run(attempt, who)
        assert refused.value.text("vi") and refused.value.text("en")
    assert await env.dump() == before

    await env.due(CLOSED)
    closed = await env.dump()
    with pytest.raises(VotingClosed):
        await env.run(lambda s: s.cast(vid, d[n1].id, "agree"), a)
    assert await env.dump() == closed
