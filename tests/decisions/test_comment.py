"""The public comment period without Telegram: published once through BroadcastService, only when the plan
sets one, ending before the ceremony; objections while it runs, about a name on the list, with a reason of
20–1000 characters; the secretary's answers told to the objector; nothing decided meanwhile."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from bot.clock import VN_TZ
from bot.errors import DomainError
from bot.plan.loader import parse_plan
from bot.plan.schema import PlanError
from storage.models import OutboxMessage
from storage.models.channels import Broadcast
from storage.models.decisions import CommentPeriod, Objection
from storage.models.plan import PlanRound
from storage.models.voting import VotingRound
from tests.decisions.college import AFTER, COMMENT, Round, dec, draft, tallied
from tests.decisions.test_record import refused
from tests.voting.college import EXAMPLE, Env, example_with

REASON = "Đồng chí này bị nhắc nhở vì đi muộn nhiều lần trong học kỳ II."


async def published(env: Env) -> Round:
    r = await tallied(env, comment=True)
    pub = await dec(env, lambda s: s.publication(r.round_id), r.c.secretary)
    await dec(
        env, lambda s: s.publish(r.round_id, f"Danh sách: {len(pub.listed)}", [], True, 111), r.c.secretary
    )
    return r


def test_a_comment_period_that_would_end_after_the_ceremony_is_a_plan_error():
    old, new = COMMENT
    with pytest.raises(PlanError) as caught:
        parse_plan(example_with(old, new.replace("days: 5", "days: 21")), str(EXAMPLE))
    assert "plan-comment-after-ceremony" in {i.key for i in caught.value.issues}


async def test_the_list_is_published_once_through_the_broadcast_and_the_period_runs_its_days(env: Env):
    r = await published(env)
    [period] = await env.rows(CommentPeriod)
    assert period.closes_at == datetime(2027, 6, 24, 23, 59, 59, 999999, tzinfo=VN_TZ)
    [b] = await env.rows(Broadcast)
    assert (b.id, b.source, b.targets["staff"]) == (period.broadcast_id, "comment", True)
    await refused(env, "decisions-comment-published", lambda s: s.publication(r.round_id), r.c.secretary)
    await refused(env, "decisions-not-secretary", lambda s: s.publication(r.round_id), r.hoa)
    await refused(env, "decisions-comment-running", lambda s: s.record(draft(r)), r.c.secretary)


async def test_a_round_the_plan_sets_no_period_for_is_not_published(env: Env):
    r = await tallied(env)
    await refused(env, "decisions-comment-none", lambda s: s.publication(r.round_id), r.c.secretary)


async def test_a_decision_waits_for_the_period_the_plan_requires(env: Env):
    r = await tallied(env, comment=True)
    await refused(env, "decisions-comment-not-held", lambda s: s.record(draft(r)), r.c.secretary)


async def test_bad_objections_are_refused_and_change_nothing(env: Env):
    r = await published(env)
    await refused(
        env, "decisions-object-not-listed", lambda s: s.object(r.round_id, r.noms["binh"], REASON), r.head
    )
    await refused(
        env, "decisions-reason-short", lambda s: s.object(r.round_id, r.noms["hoa"], "Không đồng ý"), r.head
    )
    await refused(
        env, "decisions-reason-long", lambda s: s.object(r.round_id, r.noms["hoa"], "x" * 1001), r.head
    )
    await dec(env, lambda s: s.object(r.round_id, r.noms["hoa"], REASON), r.head)
    await refused(
        env, "decisions-object-duplicate", lambda s: s.object(r.round_id, r.noms["hoa"], REASON), r.head
    )
    env.clock.set(datetime(2027, 6, 25, 8, 0, tzinfo=VN_TZ))
    await refused(env, "decisions-object-closed", lambda s: s.object(r.round_id, r.unit_nom, REASON), r.head)


async def test_an_unanswered_objection_holds_the_decision_and_a_dismissal_tells_the_objector(env: Env):
    r = await published(env)
    objector = r.binh
    o = await dec(env, lambda s: s.object(r.round_id, r.noms["hoa"], REASON), objector)
    told = await env.rows(OutboxMessage, OutboxMessage.idempotency_key.like(f"objection-new:{o.id}:%"))
    assert [m.person_id for m in told] == [r.c.secretary] and REASON in told[0].text
    env.clock.set(datetime(2027, 6, 25, 8, 0, tzinfo=VN_TZ))
    await refused(
        env, "decisions-objections-open", lambda s: s.record(draft(r, "1/QĐ ngày 25/06/2027")), r.c.secretary
    )
    await refused(
        env, "decisions-not-secretary", lambda s: s.dismiss(o.id, "Đã xác minh, không đúng"), r.head
    )

    await dec(env, lambda s: s.dismiss(o.id, "Đã xác minh với đơn vị, không đúng sự thật"), r.c.secretary)
    [answer] = await env.rows(OutboxMessage, OutboxMessage.idempotency_key.like(f"objection-answer:{o.id}:%"))
    assert answer.person_id == objector and "giữ nguyên danh sách" in answer.text
    await refused(
        env, "decisions-objection-answered", lambda s: s.dismiss(o.id, "Lần nữa cho chắc"), r.c.secretary
    )
    decision = await dec(env, lambda s: s.record(draft(r, "1/QĐ ngày 25/06/2027")), r.c.secretary)
    assert decision.number == "1/QĐ"


async def test_documents_are_asked_of_the_unit_head_who_never_sees_the_objector(env: Env):
    r = await published(env)
    o = await dec(env, lambda s: s.object(r.round_id, r.noms["hoa"], REASON), r.binh)
    due = AFTER + timedelta(days=3)
    await dec(env, lambda s: s.ask_documents(o.id, due), r.c.secretary)
    [asked] = await env.rows(OutboxMessage, OutboxMessage.idempotency_key.like(f"objection-docs:{o.id}:%"))
    assert asked.person_id == r.head and REASON in asked.text and "Trần Văn Bình" not in asked.text
    [(view, _unit)] = await dec(env, lambda s: s.comment.documents_asked(), r.head)
    assert view.objector == "" and view.id == o.id
    await refused(env, "decisions-not-head", lambda s: s.supply(o.id, "Đã gửi bản giải trình"), r.binh)
    await dec(env, lambda s: s.supply(o.id, "Đã gửi bản giải trình qua văn thư"), r.head)
    assert (await env.rows(Objection))[0].state == "supplied"


async def test_two_secretaries_answering_at_once_answer_once(both_env: Env):
    env = both_env
    r = await published(env)
    from bot.roles import Role

    other = await env.person("Vũ Thị Hai", "TCHC", Role.SECRETARY)
    o = await dec(env, lambda s: s.object(r.round_id, r.noms["hoa"], REASON), r.binh)
    results = await asyncio.gather(
        dec(env, lambda s: s.dismiss(o.id, "Đã xác minh, không đúng sự thật"), r.c.secretary),
        dec(env, lambda s: s.dismiss(o.id, "Không có căn cứ để xem xét lại"), other),
        return_exceptions=True,
    )
    assert sum(isinstance(x, Objection) for x in results) == 1
    assert [x.key for x in results if isinstance(x, DomainError)] == ["decisions-objection-answered"]
    answers = await env.rows(OutboxMessage, OutboxMessage.idempotency_key.like(f"objection-answer:{o.id}:%"))
    assert len(answers) == 1


async def test_reopening_votes_again_on_that_dossier_and_the_decision_waits_for_it(env: Env):
    r = await published(env)
    o = await dec(env, lambda s: s.object(r.round_id, r.noms["hoa"], REASON), r.binh)
    closes = datetime(2027, 6, 27, 17, 0, tzinfo=VN_TZ)
    await dec(env, lambda s: s.reopen(o.id, closes), r.c.secretary)
    [row] = await env.rows(Objection)
    again = await env.one(
        __import__("sqlalchemy").select(VotingRound).where(VotingRound.id == row.reballot_id)
    )
    assert (row.state, again.parent_id, again.nomination_id) == ("reopened", r.vote, r.noms["hoa"])
    env.clock.set(datetime(2027, 6, 25, 8, 0, tzinfo=VN_TZ))
    await refused(
        env, "decisions-reballot-open", lambda s: s.record(draft(r, "1/QĐ ngày 25/06/2027")), r.c.secretary
    )
    [copy] = (await env.dossiers(again.id)).values()
    await env.cast(again.id, {m: {copy.id: "disagree"} for m in r.c.members})
    await env.due(closes + timedelta(minutes=1))
    preview = await dec(env, lambda s: s.preview(draft(r, "1/QĐ ngày 27/06/2027")), r.c.secretary)
    assert [line.candidate.name for line in preview.lines] == ["Khoa KCNTT"]  # Hoa failed the second vote


async def test_a_voting_extension_leaves_the_comment_period_room_before_the_ceremony(env: Env):
    """The ceremony is on 09/07/2027 and the list is published for 5 days after the close: the vote may run
    to 03/07 at the latest; a later close is refused, naming that day, and nothing changes."""
    from datetime import date

    from bot.services.plan.windows import WindowError, WindowService
    from tests.voting.college import college, opened

    c = await college(env, 3, plan=example_with(*COMMENT))
    await opened(env)
    round_id = await env.round_id()
    before = await env.dump()
    with pytest.raises(WindowError) as caught:
        async with env.ctx(c.secretary) as ctx:
            await WindowService(ctx).extend_voting(round_id, date(2027, 7, 4))
    assert caught.value.key == "plan-extend-comment-after-ceremony"
    assert "03/07/2027" in caught.value.text() and "5 ngày" in caught.value.text()
    assert await env.dump() == before
    async with env.ctx(c.secretary) as ctx:
        await WindowService(ctx).extend_voting(round_id, date(2027, 7, 3))
    [round_] = await env.rows(PlanRound)
    assert round_.voting_extended_to is not None
