"""Announcements (/announce): a post of commended exemplars, verified good deeds or free text, to bound chats
and staff, through the outbox at Telegram's limits, with a live progress message and a final report.

The rooms: bot/services/announce_draft.py (the draft, its parts, what is checked as it is typed),
bot/services/announce_progress.py (the rows queued, the progress message and the report, the watchers),
bot/services/announce_sources.py (where exemplars come from), and this one, the face the handlers call:
- `recipients(targets)`: chosen when the post starts (so a scheduled post reaches who is there then):
  the active bindings among those picked, every joined staff member, or one unit's.
- `send(draft)` / `schedule(draft, when)`: a broadcast row; in the quiet hours only once the sender has
  confirmed (`QuietTime`). `start` queues every part for every recipient, in one unit of work.
- `cancel`, `resend` (the rows that failed, and those who had blocked the bot and are reachable again;
  never a part a recipient already has), `failures` (the rows of the file to download): the sender's own
  broadcasts only, whoever else may announce.
Due work "broadcasts" starts the scheduled ones; one more than an hour late (the bot was down) is not sent
late but asks its sender ("overdue": send now, or cancel). No aiogram here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.clock import fmt_when
from bot.context import Ctx
from bot.due import DueContext, due_work
from bot.errors import DomainError, NotAllowed
from bot.i18n import t
from bot.roles import Role, Scope, can, register_rules, role_name
from bot.services.announce_draft import (
    KIND,
    Draft,
    Part,
    ScheduleInPast,
    batch_of,
    bc_data,
    check_quiet,
    check_text,
    parts,
    quiet_window,
)
from bot.services.announce_progress import Progress, Recipient, Tracker
from bot.services.announce_sources import SOURCES, Exemplar, verified_deeds
from bot.services.audit import Audit
from bot.services.delivery import unit_of_work
from bot.services.name_search import LIMIT, find_people, search_words
from bot.services.outbox import Outbox
from bot.text import clip, search_key
from storage.models import Person
from storage.models.channels import Broadcast, ChatBinding
from storage.models.good_deed import GoodDeed
from storage.models.plan import PlanCommendation
from storage.repositories.channels import BroadcastRepo, ChannelRepo
from storage.repositories.people import to_member

ANNOUNCE = "announce"
register_rules({ANNOUNCE: {Role.UNION: Scope.ALL, Role.SECRETARY: Scope.ALL}})
OVERDUE = timedelta(hours=1)  # a scheduled post later than this asks its sender instead of going late
WAITING = ("scheduled", "overdue")  # not started: listed in /announce, to send or cancel
SUBJECTS = {"p": "individual", "u": "collective"}  # whom a title is given to, by what was picked


class TargetUnbound(DomainError):
    key = "announce-target-unbound"


class NoTargets(DomainError):
    key = "announce-no-targets"


class BroadcastGone(DomainError):
    key = "announce-gone"


class NothingToResend(DomainError):
    key = "announce-nothing-to-resend"


@dataclass(frozen=True)
class Failure:
    name: str
    status: str  # blocked | failed | cancelled
    error: str | None


def _key(r: Any) -> tuple[int, str, str | None, str | None]:
    """A part as a recipient has it: a re-send never sends the same one twice."""
    return (r.chat_id, r.method, r.text, r.file_id)


class BroadcastService:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.repo = BroadcastRepo(ctx.session)
        self.channels = ChannelRepo(ctx.session)
        self.tracker = Tracker(ctx)

    def _check(self) -> None:
        if not can(self.ctx.actor, ANNOUNCE):
            raise NotAllowed()

    async def search(self, query: str) -> list[tuple[str, int, str]]:
        """("p" or "u", id, name) of the people and units whose name matches (the rule of every search)."""
        self._check()
        words = search_words(query)
        people = await find_people(self.ctx.session, query, Person.active.is_(True))
        units = [u for u in await self.channels.units() if all(w in search_key(u.name) for w in words)]
        return [("p", p.id, p.full_name) for p in people] + [("u", u.id, u.name) for u in units[:LIMIT]]

    async def name_of(self, kind: str, ident: int) -> str | None:
        """The name of a person (active) or unit picked from a search; None when there is none."""
        if kind == "p":
            person = await self.ctx.session.get(Person, ident)
            return person.full_name if person is not None and person.active else None
        unit = await self.channels.unit(ident)
        return unit.name if unit is not None and unit.active else None

    async def deeds(self) -> list[tuple[GoodDeed, str]]:
        """The latest verified good deeds, with whom each is about."""
        self._check()
        return await verified_deeds(self.ctx)

    async def titles(self, kind: str) -> list[PlanCommendation]:
        """The titles and award forms of the current plan's catalogue given to a person ("p") or a unit
        ("u"): a unit is never offered an individual title, nor a person a collective one."""
        from bot.services.plan import PlanService  # the plan package is heavy: imported when needed

        period = (await PlanService(self.ctx).current()).period
        if period is None or kind not in SUBJECTS:
            return []
        stmt = (
            select(PlanCommendation)
            .where(PlanCommendation.period_id == period.id)
            .order_by(PlanCommendation.kind.desc(), PlanCommendation.position, PlanCommendation.id)
        )
        rows = (await self.ctx.session.scalars(stmt)).all()
        return [c for c in rows if SUBJECTS[kind] in (c.subjects or [c.subject])]

    async def exemplars(self, draft: Draft, locale: str | None = None) -> list[Exemplar]:
        source = SOURCES.get(draft.source)
        return await source.exemplars(self.ctx, draft.picks, locale) if source is not None else []

    # -- recipients --------------------------------------------------------------------------------------
    async def check_targets(self, draft: Draft) -> list[ChatBinding]:
        """The bound chats picked, every one still bound; at least one target."""
        bindings = await self.channels.active(draft.chats) if draft.chats else []
        if len(bindings) != len(set(draft.chats)):
            gone = [i for i in draft.chats if i not in {b.id for b in bindings}]
            row = await self.channels.get(gone[0])
            raise TargetUnbound(title=clip(row.title if row else "?", 80))  # an alert holds 200
        if not (draft.chats or draft.staff or draft.unit):
            raise NoTargets()
        return bindings

    async def recipients(self, targets: dict[str, Any]) -> list[Recipient]:
        out: dict[int, Recipient] = {}
        for b in await self.channels.active(targets.get("chats") or []) if targets.get("chats") else []:
            out.setdefault(b.chat_id, Recipient(b.chat_id, binding=b))
        people: list[Person] = []
        if targets.get("staff"):
            people = await self.repo.joined_people()
        elif targets.get("unit"):
            people = await self.repo.joined_people(targets["unit"])
        for p in people:
            out.setdefault(p.telegram_id, Recipient(p.telegram_id, person=p))  # type: ignore[arg-type]
        return list(out.values())

    # -- sending now, or later -------------------------------------------------------------------------
    def _locale(self) -> str | None:
        return self.ctx.actor.language if self.ctx.actor is not None else None

    async def send(self, draft: Draft, chat_id: int, *, quiet_ok: bool = False) -> tuple[Broadcast, Progress]:
        """Now; in the quiet hours only once the sender confirmed it (else `QuietTime`)."""
        self._check()
        await self.check_targets(draft)
        if not quiet_ok:
            check_quiet(self.ctx, None, self._locale())
        b = self._new(draft, chat_id, "running", None)
        await self.ctx.session.flush()
        return b, await self.start(b)

    async def schedule(
        self, draft: Draft, when: datetime, chat_id: int, *, quiet_ok: bool = False
    ) -> Broadcast:
        """At `when`, in the future; in the quiet hours only once the sender confirmed it."""
        self._check()
        if when <= self.ctx.clock.now():  # typed earlier, confirmed now
            raise ScheduleInPast(when=fmt_when(when, self._locale()))
        await self.check_targets(draft)
        if not quiet_ok:
            check_quiet(self.ctx, when, self._locale())
        b = self._new(draft, chat_id, "scheduled", when)
        await self.ctx.session.flush()
        Audit(self.ctx).record("broadcast.scheduled", "broadcast", b.id, after={"at": when})
        return b

    def _new(self, draft: Draft, chat_id: int, state: str, when: datetime | None) -> Broadcast:
        actor = self.ctx.actor
        assert actor is not None
        check_text(draft.text)
        return self.repo.add(
            Broadcast(
                created_by=actor.person_id,
                sender_chat_id=chat_id,
                source=draft.source,
                text=draft.text,
                photo_file_id=draft.photo,
                targets=draft.targets(),
                state=state,
                scheduled_at=when,
                round=0,
                created_at=self.ctx.clock.now(),
            )
        )

    async def start(self, b: Broadcast) -> Progress:
        """Queue the progress message and every part for every recipient (chosen now)."""
        now = self.ctx.clock.now()
        b.state, b.started_at, b.batch = "running", now, batch_of(b.id, b.round)
        rows = [(r, p) for r in await self.recipients(b.targets) for p in parts(b.text, b.photo_file_id)]
        await self.tracker.queue(b, rows)
        Audit(self.ctx).record(
            "broadcast.started", "broadcast", b.id, after={"batch": b.batch, "rows": len(rows)}
        )
        return await self.tracker.after_start(b)

    # -- the sender's own broadcasts: cancelling, re-sending, the failures --------------------------------
    async def _mine(self, broadcast_id: int) -> Broadcast:
        """A broadcast its sender acts on: nobody else's, whatever their role (no one else has its
        buttons, so any other press is forged)."""
        self._check()
        b = await self.repo.get(broadcast_id)
        actor = self.ctx.actor
        if b is None or actor is None:
            raise BroadcastGone()
        if b.created_by != actor.person_id:
            raise NotAllowed()
        return b

    async def cancel(self, broadcast_id: int) -> Broadcast:
        """A post waiting for its time (or asking, overdue), or a running one: what is not sent stays so."""
        b = await self._mine(broadcast_id)
        before = b.state
        if await self.repo.move_state(b.id, WAITING, "cancelled", finished_at=self.ctx.clock.now()):
            Audit(self.ctx).record("broadcast.cancelled", "broadcast", b.id, before={"state": before})
            return b
        if b.state != "running":
            raise BroadcastGone()
        await Outbox(self.ctx).cancel(batch=b.batch)
        await self.tracker.finish(b, await self.tracker.progress_of(b), "cancelled")
        return b

    async def resend(self, broadcast_id: int) -> Progress:
        """A new round to the rows that failed and to those who blocked the bot and can be reached again."""
        b = await self._mine(broadcast_id)
        if b.state not in ("done", "cancelled"):
            raise BroadcastGone()
        rows = await self._to_resend(b)
        if not rows:
            raise NothingToResend()
        b.round += 1
        b.state, b.batch, b.finished_at = "running", batch_of(b.id, b.round), None
        await self.tracker.queue(b, rows)
        Audit(self.ctx).record(
            "broadcast.resent", "broadcast", b.id, after={"batch": b.batch, "rows": len(rows)}
        )
        return await self.tracker.after_start(b)

    async def _to_resend(self, b: Broadcast) -> list[tuple[Recipient, Part]]:
        rows = await self.repo.rows_of(b.id)
        have = {_key(r) for r in rows if r.status == "sent"}
        people = await self.repo.people_by_chat(r.chat_id for r in rows)
        bound = {x.chat_id: x for x in await self.channels.active()}
        out: dict[tuple[int, str, str | None, str | None], tuple[Recipient, Part]] = {}
        for r in rows:
            key = _key(r)
            if key in have or r.status not in ("failed", "blocked"):
                continue
            person = people.get(r.chat_id)
            if r.chat_id < 0 and r.chat_id in bound:
                out[key] = (Recipient(r.chat_id, binding=bound[r.chat_id]), Part(r.method, r.text, r.file_id))
            elif person is not None and Outbox.reachable(person):
                out[key] = (Recipient(r.chat_id, person=person), Part(r.method, r.text, r.file_id))
        return list(out.values())

    async def failures(self, broadcast_id: int) -> list[Failure]:
        """Who still has not got some part of the post, over every round (one line per recipient, with the
        latest outcome): a re-send that reached only some leaves the others on the list."""
        b = await self._mine(broadcast_id)
        rows = await self.repo.rows_of(b.id)
        have = {_key(r) for r in rows if r.status == "sent"}
        people = await self.repo.people_by_chat(r.chat_id for r in rows)
        chats = {x.chat_id: x.title for x in await self.channels.listed()}
        seen: dict[int, Failure] = {}
        for r in sorted(rows, key=lambda r: r.id):
            if r.status not in ("failed", "blocked", "cancelled") or _key(r) in have:
                continue
            person = people.get(r.chat_id)
            name = person.full_name if person is not None else chats.get(r.chat_id, str(r.chat_id))
            seen[r.chat_id] = Failure(name, r.status, r.error)  # a later round's outcome replaces an earlier
        return list(seen.values())

    async def waiting(self) -> list[Broadcast]:
        """The sender's posts not started yet: waiting for their time, or overdue and asking (what
        /announce lists, to cancel or send)."""
        self._check()
        actor = self.ctx.actor
        rows = await self.repo.recent(50)
        return [b for b in rows if b.state in WAITING and b.created_by == actor.person_id]  # type: ignore[union-attr]

    # -- scheduled posts when they are due ------------------------------------------------------------------
    async def may_still_send(self, broadcast_id: int) -> bool:
        """A scheduled post goes only if the one who scheduled it may still announce when it is due."""
        b = await self.repo.get(broadcast_id)
        person = await self.ctx.session.get(Person, b.created_by) if b is not None else None
        return (
            person is not None and person.active and can(to_member(person, self.ctx.clock.today()), ANNOUNCE)
        )

    def _tell_sender(self, person: Person, text: str, markup: dict[str, Any] | None = None) -> None:
        """The sender did not just act: what the bot tells them waits for the end of the quiet hours."""
        window = quiet_window(self.ctx, self.ctx.clock.now())
        Outbox(self.ctx).to_person(
            person, text, kind=KIND, reply_markup=markup, not_before=window[1] if window else None
        )

    async def drop_unauthorised(self, broadcast_id: int) -> None:
        """Cancel a scheduled post whose sender lost the right to announce; tell them, if they can be told."""
        now = self.ctx.clock.now()
        if not await self.repo.move_state(broadcast_id, ("scheduled",), "cancelled", finished_at=now):
            return
        Audit(self.ctx).record(
            "broadcast.cancelled", "broadcast", broadcast_id, before={"state": "scheduled"},
            after={"state": "cancelled", "reason": "sender_not_allowed"},
        )  # fmt: skip
        b = await self.repo.get(broadcast_id)
        person = await self.ctx.session.get(Person, b.created_by) if b is not None else None
        if person is not None and b is not None:
            lang = person.language
            when, role = fmt_when(b.scheduled_at, lang), role_name(Role.SECRETARY, lang)
            self._tell_sender(person, t("announce-scheduled-dropped", locale=lang, when=when, role=role))

    async def ask_overdue(self, broadcast_id: int) -> bool:
        """A scheduled post far past its time (the bot was down): not sent late, its sender is asked."""
        if not await self.repo.move_state(broadcast_id, ("scheduled",), "overdue"):
            return False  # another run asked, or it was cancelled meanwhile
        b = await self.repo.get(broadcast_id)
        assert b is not None
        await self.ctx.session.refresh(b)
        Audit(self.ctx).record(
            "broadcast.overdue", "broadcast", b.id, before={"state": "scheduled"}, after={"state": "overdue"}
        )
        person = await self.ctx.session.get(Person, b.created_by)
        if person is not None:
            lang = person.language
            text = t("announce-overdue", locale=lang, when=fmt_when(b.scheduled_at, lang))  # type: ignore[arg-type]
            rows = [
                [{"text": t("announce-btn-now", locale=lang), "callback_data": bc_data("s", b.id)}],
                [{"text": t("announce-btn-drop", locale=lang), "callback_data": bc_data("x", b.id)}],
            ]
            self._tell_sender(person, text, {"inline_keyboard": rows})
        return True

    async def send_overdue(self, broadcast_id: int) -> Progress:
        """The sender answered an overdue post with "send now": it starts, its recipients chosen now."""
        b = await self._mine(broadcast_id)
        if not await self.repo.move_state(b.id, ("overdue",), "running"):
            raise BroadcastGone()  # sent or cancelled meanwhile (a second press)
        await self.ctx.session.refresh(b)
        return await self.start(b)


@due_work("broadcasts")
async def start_due_broadcasts(due: DueContext, now: datetime) -> int:
    """Start the scheduled posts whose time has come, each in its own unit of work, once; one more than an
    hour late asks its sender instead."""
    async with unit_of_work(due) as ctx:
        due_rows = await BroadcastRepo(ctx.session).due(now)
    started = 0
    for broadcast_id, at in due_rows:
        async with unit_of_work(due) as ctx:
            service = BroadcastService(ctx)
            if not await service.may_still_send(broadcast_id):
                await service.drop_unauthorised(broadcast_id)
                continue
            if now - at > OVERDUE:
                await service.ask_overdue(broadcast_id)
                continue
            if not await service.repo.move_state(broadcast_id, ("scheduled",), "running"):
                continue  # started by another run meanwhile
            b = await service.repo.get(broadcast_id)
            assert b is not None
            await ctx.session.refresh(b)
            await service.start(b)
            started += 1
    return started
