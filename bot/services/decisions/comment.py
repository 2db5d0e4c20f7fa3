"""The public comment period (công khai, lấy ý kiến) on a round's proposed list, and the objections to it.

- `publication(round_id)`: what the secretary publishes (the list, until when, the deep link's payload);
  `publish(...)` sends the post through the existing BroadcastService (bound chats and/or every staff
  member, with its report) and starts the period: the plan's days, to the end of the last day, before the
  ceremony. Only when the round's plan sets a period; only once per round.
- `object(round_id, nomination_id, reason)`: anyone linked, while the period runs, about one name on the
  list, with a reason of 20–1000 characters; the secretaries are told (without the objector's name going
  anywhere else).
- The secretary's answers, each a conditional UPDATE (two secretaries at once: one answer): `dismiss`
  (with a reason), `ask_documents` (the unit head, by a deadline: a part of the head's /pending), `reopen`
  (phase 1's re-ballot of that dossier); the unit head's `supply`. The objector is told each answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import fmt_when
from bot.context import Ctx
from bot.i18n import t
from bot.plan.calendar import LOCAL_TZ, closes_at
from bot.roles import Role
from bot.services.audit import Audit
from bot.services.decisions.common import (
    KIND,
    REASON_MAX,
    REASON_MIN,
    Candidate,
    after_quiet_hours,
    ensure_secretary,
    err,
    reason_of,
    round_list,
)
from bot.services.outbox import Outbox
from bot.text import clip, esc
from storage.models import Person
from storage.models.decisions import CommentPeriod, Objection
from storage.repositories.decisions import UNSETTLED, DecisionRepo
from storage.repositories.people import PeopleRepo
from storage.repositories.roster import RosterRepo

LINK_PREFIX = "obj"  # /start obj<round id>: the deep link printed in the published post


def link_payload(round_id: int) -> str:
    return f"{LINK_PREFIX}{round_id}"


@dataclass(frozen=True)
class Publication:
    round_id: int
    round_name_vi: str
    round_name_en: str
    days: int
    source: str | None
    closes: datetime
    listed: tuple[Candidate, ...]
    payload: str


@dataclass(frozen=True)
class ObjectionView:
    id: int
    round_id: int
    nominee: str
    unit: str
    title: str
    reason: str
    state: str  # open | documents | supplied | dismissed | reopened
    objector: str  # shown to the secretary only
    answer: str | None
    deadline: datetime | None
    supplied: str | None
    created_at: datetime


class CommentService:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.repo = DecisionRepo(ctx.session)

    # -- publishing -------------------------------------------------------------------------------------
    async def publication(self, round_id: int) -> Publication:
        """What would be published now (nothing is written); refused as publishing would be."""
        ensure_secretary(self.ctx)
        listing = await round_list(self.ctx, round_id)
        round_ = listing.round
        if not round_.comment_days:
            raise err("decisions-comment-none")
        listing.ensure_ready()
        if await self.repo.period(round_id) is not None:
            raise err("decisions-comment-published")
        today = self.ctx.clock.now().astimezone(LOCAL_TZ).date()
        closes = closes_at(today + timedelta(days=round_.comment_days))
        if closes >= round_.ceremony_at:
            raise err(
                "decisions-comment-after-ceremony",
                until=fmt_when(closes),
                ceremony=fmt_when(round_.ceremony_at),
            )
        return Publication(
            round_id,
            round_.name_vi,
            round_.name_en,
            round_.comment_days,
            round_.comment_source,
            closes,
            tuple(listing.passed),
            link_payload(round_id),
        )

    async def publish(
        self, round_id: int, html: str, chats: list[int], staff: bool, chat_id: int, *, quiet_ok: bool = False
    ) -> CommentPeriod:
        """Send the post (the preview's text) and start the period, in one unit of work."""
        from bot.services.announce import BroadcastService
        from bot.services.announce_draft import Draft

        pub = await self.publication(round_id)
        draft = Draft(source="comment", text=html, chats=list(chats), staff=staff)
        broadcast, _ = await BroadcastService(self.ctx).send(draft, chat_id, quiet_ok=quiet_ok)
        me = ensure_secretary(self.ctx)
        period = self.repo.add(
            CommentPeriod(
                round_id=round_id,
                days=pub.days,
                opens_at=self.ctx.clock.now(),
                closes_at=pub.closes,
                broadcast_id=broadcast.id,
                published_by=me.person_id,
            )
        )
        await self.ctx.session.flush()
        Audit(self.ctx).record(
            "comment.published",
            "plan_round",
            round_id,
            after={
                "days": pub.days,
                "closes_at": pub.closes,
                "broadcast": broadcast.id,
                "listed": len(pub.listed),
            },
        )
        return period

    async def running(self, round_id: int) -> CommentPeriod | None:
        """The round's period while it runs."""
        period = await self.repo.period(round_id)
        now = self.ctx.clock.now()
        return period if period is not None and period.opens_at <= now <= period.closes_at else None

    # -- objecting --------------------------------------------------------------------------------------
    async def listed(self, round_id: int) -> tuple[CommentPeriod, list[Candidate]]:
        """The names one may object to now (the period running)."""
        if self.ctx.actor is None:
            raise err("decisions-not-linked")
        period = await self.running(round_id)
        if period is None:
            raise err("decisions-object-closed")
        return period, (await round_list(self.ctx, round_id)).passed

    async def object(self, round_id: int, nomination_id: int, reason: str) -> Objection:
        _period, names = await self.listed(round_id)
        who = next((c for c in names if c.nomination_id == nomination_id), None)
        if who is None:
            raise err("decisions-object-not-listed")
        text = reason_of(reason, REASON_MIN, REASON_MAX)
        actor = self.ctx.actor
        assert actor is not None
        mine = [
            o
            for o in await self.repo.objections(round_id, UNSETTLED)
            if o.objector_id == actor.person_id and o.nomination_id == nomination_id
        ]
        if mine:
            raise err("decisions-object-duplicate")
        row = self.repo.add(
            Objection(
                round_id=round_id,
                nomination_id=nomination_id,
                objector_id=actor.person_id,
                reason=text,
                state="open",
                created_at=self.ctx.clock.now(),
            )
        )
        await self.ctx.session.flush()
        Audit(self.ctx).record(
            "objection.made", "objection", row.id, after={"round": round_id, "nomination": nomination_id}
        )
        for person in await PeopleRepo(self.ctx.session).with_role(Role.SECRETARY, self.ctx.clock.today()):
            await Outbox(self.ctx).to_person_once(
                f"objection-new:{row.id}:{person.id}",
                person,
                t(
                    "decisions-objection-new",
                    locale=person.language,
                    nominee=esc(who.name),
                    title=esc(who.title(person.language)),
                    reason=esc(text),
                ),
                kind=KIND,
                not_before=after_quiet_hours(self.ctx, person.id),
            )
        return row

    # -- the secretary's list and answers ---------------------------------------------------------------
    async def objections(
        self, round_id: int | None = None, *, open_only: bool = False
    ) -> list[ObjectionView]:
        ensure_secretary(self.ctx)
        rows = await self.repo.objections(round_id, UNSETTLED if open_only else ())
        return await self._views(rows, with_objector=True)

    async def _views(self, rows: list[Objection], *, with_objector: bool) -> list[ObjectionView]:
        lists: dict[int, dict[int, Candidate]] = {}
        for r in rows:
            if r.round_id not in lists:
                lists[r.round_id] = {
                    c.nomination_id: c for c in (await round_list(self.ctx, r.round_id)).candidates
                }
        people = await PeopleRepo(self.ctx.session).people_by_id(r.objector_id for r in rows)
        out = []
        for r in rows:
            c = lists[r.round_id].get(r.nomination_id)
            objector = people.get(r.objector_id)
            out.append(
                ObjectionView(
                    r.id,
                    r.round_id,
                    c.name if c else "",
                    c.unit if c else "",
                    c.title(self.ctx.actor.language if self.ctx.actor else None) if c else "",
                    r.reason,
                    r.state,
                    objector.full_name if objector is not None and with_objector else "",
                    r.answer,
                    r.deadline,
                    r.supplied,
                    r.created_at,
                )
            )
        return out

    async def _answerable(self, objection_id: int) -> Objection:
        ensure_secretary(self.ctx)
        row = await self.repo.objection(objection_id)
        if row is None:
            raise err("decisions-objection-unknown")
        if row.state not in UNSETTLED:
            raise err("decisions-objection-answered")
        if row.nomination_id in await self.repo.decided([row.nomination_id]):
            raise err("decisions-objection-decided")
        return row

    async def _moved(self, row: Objection, states: tuple[str, ...], **values: object) -> Objection:
        if not await self.repo.move(Objection, row.id, states, **values):
            raise err("decisions-objection-answered")
        return await self.repo.refresh(row)

    async def dismiss(self, objection_id: int, reason: str) -> Objection:
        row = await self._answerable(objection_id)
        text = reason_of(reason)
        me = self.ctx.actor
        assert me is not None
        before = row.state
        row = await self._moved(
            row,
            UNSETTLED,
            state="dismissed",
            answer=text,
            answered_by=me.person_id,
            answered_at=self.ctx.clock.now(),
        )
        Audit(self.ctx).record(
            "objection.dismissed", "objection", row.id, before={"state": before}, after={"reason": text}
        )
        await self._tell_objector(row, "decisions-objector-dismissed", reason=text)
        return row

    async def ask_documents(self, objection_id: int, deadline: datetime) -> Objection:
        row = await self._answerable(objection_id)
        if row.state != "open":
            raise err("decisions-objection-answered")
        if deadline <= self.ctx.clock.now():
            raise err("decisions-deadline-past", when=fmt_when(deadline))
        me = self.ctx.actor
        assert me is not None
        row = await self._moved(
            row,
            ("open",),
            state="documents",
            deadline=deadline,
            answered_by=me.person_id,
            answered_at=self.ctx.clock.now(),
        )
        Audit(self.ctx).record("objection.documents_asked", "objection", row.id, after={"deadline": deadline})
        c = (await round_list(self.ctx, row.round_id)).find(row.nomination_id)
        for head in (
            await RosterRepo(self.ctx.session).heads_of(c.unit_id, self.ctx.clock.today()) if c else []
        ):
            await Outbox(self.ctx).to_person_once(
                f"objection-docs:{row.id}:{head.id}",
                head,
                t(
                    "decisions-head-documents",
                    locale=head.language,
                    nominee=esc(c.name),
                    title=esc(c.title(head.language)),
                    reason=esc(row.reason),
                    deadline=fmt_when(deadline, head.language),
                ),
                kind=KIND,
                not_before=after_quiet_hours(self.ctx, head.id),
            )
        await self._tell_objector(row, "decisions-objector-documents", when=deadline)
        return row

    async def documents_asked(self) -> list[tuple[ObjectionView, int]]:
        """For a unit head's /pending: the objections whose documents they are asked for, and the unit."""
        actor = self.ctx.actor
        if actor is None:
            return []
        out = []
        for view in await self._views(await self.repo.objections(None, ("documents",)), with_objector=False):
            c = (await round_list(self.ctx, view.round_id)).find(
                (await self.repo.objection(view.id)).nomination_id  # type: ignore[union-attr]
            )
            if c is not None and actor.heads(c.unit_id):
                out.append((view, c.unit_id))
        return out

    async def supply(self, objection_id: int, text: str) -> Objection:
        """The unit head answers a request for documents (a text: what was sent, where)."""
        row = await self.repo.objection(objection_id)
        actor = self.ctx.actor
        c = (await round_list(self.ctx, row.round_id)).find(row.nomination_id) if row else None
        if row is None or actor is None or c is None or not actor.heads(c.unit_id):
            raise err("decisions-not-head")
        answer = reason_of(text, 5, REASON_MAX)
        if not await self.repo.move(
            Objection,
            row.id,
            ("documents",),
            state="supplied",
            supplied=answer,
            supplied_by=actor.person_id,
            supplied_at=self.ctx.clock.now(),
        ):
            raise err("decisions-objection-answered")
        await self.repo.refresh(row)
        Audit(self.ctx).record("objection.supplied", "objection", row.id, after={"by": actor.person_id})
        for person in await PeopleRepo(self.ctx.session).with_role(Role.SECRETARY, self.ctx.clock.today()):
            await Outbox(self.ctx).to_person_once(
                f"objection-supplied:{row.id}:{person.id}",
                person,
                t(
                    "decisions-objection-supplied",
                    locale=person.language,
                    nominee=esc(c.name),
                    text=esc(answer),
                ),
                kind=KIND,
                not_before=after_quiet_hours(self.ctx, person.id),
            )
        return row

    async def reopen(self, objection_id: int, closes: datetime) -> Objection:
        """Vote again on that dossier alone (phase 1's re-ballot), with its own close."""
        from bot.services.voting import VotingService

        row = await self._answerable(objection_id)
        listing = await round_list(self.ctx, row.round_id)
        c = listing.find(row.nomination_id)
        if c is None or listing.vote is None:
            raise err("decisions-objection-unknown")
        before = row.state
        row = await self._moved(
            row,
            UNSETTLED,
            state="reopened",
            answered_by=self.ctx.actor.person_id,  # type: ignore[union-attr]
            answered_at=self.ctx.clock.now(),
        )
        again = await VotingService(self.ctx).reballot(listing.vote.id, c.dossier_id, closes)
        row.reballot_id = again
        await self.ctx.session.flush()
        Audit(self.ctx).record(
            "objection.reopened", "objection", row.id, before={"state": before}, after={"reballot": again}
        )
        await self._tell_objector(row, "decisions-objector-reopened", when=closes)
        return row

    async def _tell_objector(
        self, row: Objection, key: str, *, reason: str | None = None, when: datetime | None = None
    ) -> None:
        person: Person | None = await PeopleRepo(self.ctx.session).get(row.objector_id)
        if person is None:
            return
        c = (await round_list(self.ctx, row.round_id)).find(row.nomination_id)
        params = {"reason": reason} if reason is not None else {}
        if when is not None:
            params["when"] = fmt_when(when, person.language)
        await Outbox(self.ctx).to_person_once(
            f"objection-answer:{row.id}:{row.state}",
            person,
            t(
                key,
                locale=person.language,
                nominee=esc(clip(c.name if c else "", 200)),
                **{k: esc(v) for k, v in params.items()},
            ),
            kind=KIND,
            not_before=after_quiet_hours(self.ctx, person.id),
        )
