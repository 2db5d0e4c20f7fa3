"""Announcements (/announce): a post of commended exemplars, verified good deeds or free text, to bound chats
and staff, through the outbox at Telegram's limits, with a live progress message and a final report.

- `parts(text, photo)`: what each recipient gets: a photo with the text as its caption when the text fits
  1024 characters (counted after parsing), else the photo alone and then the text, split at 4096.
- `recipients(targets)`: chosen when the post starts (so a scheduled post reaches who is there then):
  the active bindings among those picked, every joined staff member, or one unit's. Someone known to have
  blocked the bot gets a row marked blocked at once (counted, not sent; re-sent once they write again).
- `send(draft)` / `schedule(draft, typed)`: a broadcast row; `start` queues the progress message to the
  sender and every part for every recipient in one unit of work, batch `bc:<id>:<round>`.
- The sender tells `progress` after each round (bot/services/delivery.py): the progress message is edited
  at most every 3 s, through the outbox (so the edits count against the same limits); when nothing is left
  the broadcast is done, once (a conditional UPDATE), and the message becomes the report.
- `cancel`, `resend` (the rows that failed, and those who had blocked the bot and are reachable again;
  never a part a recipient already has), `failures` (the rows of the file to download).
Due work "broadcasts" starts the scheduled ones; "broadcasts-running" follows the running ones, so that a
post whose last round was delivered just before a kill -9 still ends with its report. No aiogram here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.clock import example_when, fmt_when, parse_day
from bot.clock import parse_when as typed_when
from bot.context import Ctx
from bot.due import DueContext, due_work
from bot.errors import DomainError, NotAllowed
from bot.i18n import grouped, t
from bot.roles import Role, Scope, can, register_rules, role_name
from bot.services.announce_sources import SOURCES, Exemplar, verified_deeds
from bot.services.audit import Audit
from bot.services.delivery import Delivered, after_delivery, unit_of_work
from bot.services.name_search import LIMIT, find_people, search_words
from bot.services.outbox import Outbox
from bot.text import clip, search_key, split_message
from bot.tghtml import visible_length
from storage.models import OutboxMessage, Person
from storage.models.channels import Broadcast, ChatBinding
from storage.models.good_deed import GoodDeed
from storage.models.plan import PlanCommendation
from storage.repositories.channels import BroadcastRepo, ChannelRepo
from storage.repositories.people import to_member

ANNOUNCE = "announce"
register_rules({ANNOUNCE: {Role.UNION: Scope.ALL, Role.SECRETARY: Scope.ALL}})
KIND, PROGRESS_KIND = "broadcast", "bc-progress"
CAPTION_MAX, MESSAGE_MAX, TEXT_MAX, LINE_MAX = 1024, 4096, 12_000, 300
PROGRESS_EVERY = timedelta(seconds=3)
CB = "bcf"  # handlers.announce.BcCb: "bcf:<op>:<id>"


def bc_data(op: str, broadcast_id: int) -> str:
    return f"{CB}:{op}:{broadcast_id}"


def batch_of(broadcast_id: int, round_: int) -> str:
    return f"bc:{broadcast_id}:{round_}"


# -- errors a person can cause ---------------------------------------------------------------------------
class ScheduleInPast(DomainError):
    key = "announce-when-past"


class WhenUnclear(DomainError):
    key = "announce-when-unclear"


class DecisionUnclear(DomainError):
    key = "announce-decision-unclear"


class TextTooLong(DomainError):
    key = "announce-text-too-long"


class LineTooLong(DomainError):
    key = "announce-line-too-long"


class TargetUnbound(DomainError):
    key = "announce-target-unbound"


class NoTargets(DomainError):
    key = "announce-no-targets"


class BroadcastGone(DomainError):
    key = "announce-gone"


class NothingToResend(DomainError):
    key = "announce-nothing-to-resend"


# -- the draft ---------------------------------------------------------------------------------------------
@dataclass
class Draft:
    """What the sender is composing, kept in the conversation's data (plain JSON)."""

    source: str = "text"
    picks: list[dict[str, Any]] = field(default_factory=list)
    decision: list[str] | None = None  # [number, iso date]
    text: str = ""  # HTML
    photo: str | None = None
    chats: list[int] = field(default_factory=list)  # binding ids
    staff: bool = False
    unit: int | None = None

    @classmethod
    def from_state(cls, data: dict[str, Any]) -> Draft:
        return cls(**data.get("draft", {}))

    def as_state(self) -> dict[str, Any]:
        return {"draft": self.__dict__.copy()}

    def targets(self) -> dict[str, Any]:
        return {"chats": list(self.chats), "staff": self.staff, "unit": self.unit}


@dataclass(frozen=True)
class Part:
    method: str  # message | photo
    text: str | None
    file_id: str | None = None


@dataclass(frozen=True)
class Recipient:
    chat_id: int
    person: Person | None = None
    binding: ChatBinding | None = None


@dataclass(frozen=True)
class Progress:
    total: int
    sent: int
    failed: int
    blocked: int
    cancelled: int
    pending: int

    @property
    def done(self) -> bool:
        return self.pending == 0


@dataclass(frozen=True)
class Failure:
    name: str
    status: str  # blocked | failed | cancelled
    error: str | None


def parts(text: str, photo: str | None) -> list[Part]:
    """The messages of a post, in order."""
    if photo is not None and visible_length(text) <= CAPTION_MAX:
        return [Part("photo", text, photo)]
    texts = [Part("message", p) for p in split_message(text, MESSAGE_MAX) if p.strip()]
    return ([Part("photo", None, photo)] if photo is not None else []) + texts


def check_text(text: str) -> str:
    length = visible_length(text)  # as Telegram counts it: the text after parsing, in UTF-16 units
    if length > TEXT_MAX:
        raise TextTooLong(limit=TEXT_MAX, length=length)
    return text


def check_line(text: str) -> str:
    line = " ".join((text or "").split())
    if len(line) > LINE_MAX:
        raise LineTooLong(limit=LINE_MAX, length=len(line))
    return line


_DECISION = re.compile(r"(?P<number>.+?)[\s,]+(?:ngày\s+)?(?P<day>\d{1,2}[/.-]\d{1,2}[/.-]\d{4})$", re.I)


def parse_decision(text: str) -> tuple[str, date]:
    """ "45/QĐ-CĐKT 20/05/2026" → ("45/QĐ-CĐKT", 2026-05-20)."""
    m = _DECISION.match(" ".join((text or "").split()))
    day = parse_day(m.group("day")) if m else None
    if m is None or day is None or len(m.group("number")) > 60:
        raise DecisionUnclear()
    return m.group("number"), day


def parse_when(text: str, ctx: Ctx) -> datetime:
    """ "08:00 20/05/2026" (or "20/05/2026 08:00") on the college's clock: an aware instant, in the future."""
    local = typed_when(text, ctx.clock.tz, ctx.clock.today())
    if local is None:
        raise WhenUnclear(example=example_when(ctx.clock.now(), ctx.clock.tz))
    if local <= ctx.clock.now():
        raise ScheduleInPast(when=fmt_when(local))
    return local


class BroadcastService:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.repo = BroadcastRepo(ctx.session)
        self.channels = ChannelRepo(ctx.session)

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

    async def titles(self) -> list[PlanCommendation]:
        """The titles and award forms of the current plan's catalogue."""
        from bot.services.plan import PlanService  # the plan package is heavy: imported when needed

        period = (await PlanService(self.ctx).current()).period
        if period is None:
            return []
        stmt = (
            select(PlanCommendation)
            .where(PlanCommendation.period_id == period.id)
            .order_by(PlanCommendation.kind.desc(), PlanCommendation.position, PlanCommendation.id)
        )
        return list((await self.ctx.session.scalars(stmt)).all())

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
    async def send(self, draft: Draft, chat_id: int) -> tuple[Broadcast, Progress]:
        self._check()
        await self.check_targets(draft)
        b = self._new(draft, chat_id, "running", None)
        await self.ctx.session.flush()
        return b, await self.start(b)

    async def schedule(self, draft: Draft, typed: str, chat_id: int) -> Broadcast:
        self._check()
        when = parse_when(typed, self.ctx)
        await self.check_targets(draft)
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
        await self._queue(b, rows)
        Audit(self.ctx).record(
            "broadcast.started", "broadcast", b.id, after={"batch": b.batch, "rows": len(rows)}
        )
        return await self._after_start(b)

    async def _queue(self, b: Broadcast, rows: list[tuple[Recipient, Part]]) -> None:
        outbox = Outbox(self.ctx)
        locale = await self._sender_locale(b)
        progress = outbox.enqueue(
            b.sender_chat_id,
            self._progress_text(b, Progress(len({r.chat_id for r, _ in rows}), 0, 0, 0, 0, 1), locale),
            person_id=b.created_by,
            kind=PROGRESS_KIND,
            reply_markup=self._markup(b, locale, running=True),
        )
        for r, p in rows:
            row = outbox.enqueue(
                r.chat_id,
                p.text,
                person_id=r.person.id if r.person else None,
                kind=KIND,
                method=p.method,
                file_id=p.file_id,
                batch=b.batch,
            )
            if r.person is not None and not Outbox.reachable(r.person):
                row.status, row.error = "blocked", "forbidden"  # known to have blocked the bot: not sent
        await self.ctx.session.flush()
        b.progress_row_id, b.progress_at = progress.id, self.ctx.clock.now()

    async def _after_start(self, b: Broadcast) -> Progress:
        report = await self.progress_of(b)
        if report.done:  # nobody to send to (or only people who blocked the bot)
            await self._finish(b, report, "done")
        return report

    # -- progress ----------------------------------------------------------------------------------------
    async def progress_of(self, b: Broadcast) -> Progress:
        """Counted per recipient: sent when every part is, blocked or failed when one part is."""
        per_chat: dict[int, set[str]] = {}
        for chat, status in await self.repo.statuses(b.batch or ""):
            per_chat.setdefault(chat, set()).add(status)
        counts = {"sent": 0, "failed": 0, "blocked": 0, "cancelled": 0, "pending": 0}
        for statuses in per_chat.values():
            if statuses & {"pending", "sending"}:
                counts["pending"] += 1
            elif "blocked" in statuses:
                counts["blocked"] += 1
            elif "failed" in statuses:
                counts["failed"] += 1
            elif "cancelled" in statuses:
                counts["cancelled"] += 1
            else:
                counts["sent"] += 1
        return Progress(total=len(per_chat), **counts)

    async def tick(self, b: Broadcast) -> None:
        """After a round of the sender: the report when nothing is left, else a progress edit (every 3 s)."""
        report = await self.progress_of(b)
        if report.done:
            await self._finish(b, report, "done")
            return
        if not await self.repo.take_progress_turn(b.id, self.ctx.clock.now(), PROGRESS_EVERY):
            return  # edited less than 3 s ago, or another check (another process) took this turn
        locale = await self._sender_locale(b)
        await self._edit_progress(
            b, self._progress_text(b, report, locale), self._markup(b, locale, running=True)
        )

    async def _finish(self, b: Broadcast, report: Progress, state: str) -> bool:
        if not await self.repo.move_state(b.id, ("running",), state, finished_at=self.ctx.clock.now()):
            return False  # someone else finished it (the same round twice, a cancel meanwhile)
        locale = await self._sender_locale(b)
        key = "announce-report-cancelled" if state == "cancelled" else "announce-report"
        text = t(key, locale=locale, **self._counts(report, locale))
        await self._edit_progress(b, text, self._markup(b, locale, running=False, report=report))
        Audit(self.ctx).record(f"broadcast.{state}", "broadcast", b.id, after=report.__dict__)
        return True

    async def _edit_progress(self, b: Broadcast, text: str, markup: dict[str, Any] | None) -> None:
        """Edit the progress message through the outbox; an edit not yet out takes the newer text."""
        if b.progress_row_id is None:
            return
        waiting = await self.repo.pending_edit(b.progress_row_id)
        if waiting is not None:
            waiting.text, waiting.reply_markup = text, markup
            return
        target = await self.ctx.session.get(OutboxMessage, b.progress_row_id)
        if target is None:
            return
        Outbox(self.ctx).enqueue(
            b.sender_chat_id, text, method="edit", edit_of=target, kind=PROGRESS_KIND, reply_markup=markup
        )

    def _counts(self, p: Progress, locale: str | None) -> dict[str, str]:
        return {
            "sent": grouped(p.sent, locale),
            "total": grouped(p.total, locale),
            "failed": grouped(p.failed, locale),
            "blocked": grouped(p.blocked, locale),
            "cancelled": grouped(p.cancelled, locale),
        }

    def _progress_text(self, b: Broadcast, p: Progress, locale: str | None) -> str:
        return t("announce-progress", locale=locale, **self._counts(p, locale))

    def _markup(
        self, b: Broadcast, locale: str | None, *, running: bool, report: Progress | None = None
    ) -> dict[str, Any] | None:
        if running:
            rows = [[_button(t("announce-btn-stop", locale=locale), bc_data("x", b.id))]]
        else:
            rows = []
            if report is not None and (report.failed or report.blocked):
                rows.append([_button(t("announce-btn-failures", locale=locale), bc_data("f", b.id))])
                rows.append([_button(t("announce-btn-resend", locale=locale), bc_data("r", b.id))])
        return {"inline_keyboard": rows} if rows else None

    async def _sender_locale(self, b: Broadcast) -> str:
        person = await self.ctx.session.get(Person, b.created_by)
        return person.language if person is not None else "vi"

    # -- cancelling, re-sending, the failures ---------------------------------------------------------
    async def _mine(self, broadcast_id: int) -> Broadcast:
        self._check()
        b = await self.repo.get(broadcast_id)
        actor = self.ctx.actor
        if b is None or actor is None:
            raise BroadcastGone()
        if b.created_by != actor.person_id and not actor.has(Role.SECRETARY):
            raise NotAllowed()
        return b

    async def may_still_send(self, broadcast_id: int) -> bool:
        """A scheduled post goes only if the one who scheduled it may still announce when it is due."""
        b = await self.repo.get(broadcast_id)
        person = await self.ctx.session.get(Person, b.created_by) if b is not None else None
        return (
            person is not None and person.active and can(to_member(person, self.ctx.clock.today()), ANNOUNCE)
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
            text = t("announce-scheduled-dropped", locale=lang, when=when, role=role)
            Outbox(self.ctx).to_person(person, text, kind=KIND)

    async def cancel(self, broadcast_id: int) -> Broadcast:
        """A scheduled post before it starts, or a running one: what is not sent yet stays unsent."""
        b = await self._mine(broadcast_id)
        if await self.repo.move_state(b.id, ("scheduled",), "cancelled", finished_at=self.ctx.clock.now()):
            Audit(self.ctx).record("broadcast.cancelled", "broadcast", b.id, before={"state": "scheduled"})
            return b
        if b.state != "running":
            raise BroadcastGone()
        await Outbox(self.ctx).cancel(batch=b.batch)
        await self._finish(b, await self.progress_of(b), "cancelled")
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
        await self._queue(b, rows)
        Audit(self.ctx).record(
            "broadcast.resent", "broadcast", b.id, after={"batch": b.batch, "rows": len(rows)}
        )
        return await self._after_start(b)

    async def _to_resend(self, b: Broadcast) -> list[tuple[Recipient, Part]]:
        rows = await self.repo.rows_of(b.id)
        have = {(r.chat_id, r.method, r.text, r.file_id) for r in rows if r.status == "sent"}
        people = await self.repo.people_by_chat(r.chat_id for r in rows)
        bound = {x.chat_id: x for x in await self.channels.active()}
        out: dict[tuple[int, str, str | None, str | None], tuple[Recipient, Part]] = {}
        for r in rows:
            key = (r.chat_id, r.method, r.text, r.file_id)
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
        have = {(r.chat_id, r.method, r.text, r.file_id) for r in rows if r.status == "sent"}
        people = await self.repo.people_by_chat(r.chat_id for r in rows)
        chats = {x.chat_id: x.title for x in await self.channels.listed()}
        seen: dict[int, Failure] = {}
        for r in sorted(rows, key=lambda r: r.id):
            if (
                r.status not in ("failed", "blocked", "cancelled")
                or (r.chat_id, r.method, r.text, r.file_id) in have
            ):
                continue
            person = people.get(r.chat_id)
            name = person.full_name if person is not None else chats.get(r.chat_id, str(r.chat_id))
            seen[r.chat_id] = Failure(
                name, r.status, r.error
            )  # a later round's outcome replaces an earlier one
        return list(seen.values())

    async def scheduled(self) -> list[Broadcast]:
        """The sender's posts waiting for their time (what /announce lists, to cancel)."""
        self._check()
        actor = self.ctx.actor
        rows = await self.repo.recent(50)
        return [b for b in rows if b.state == "scheduled" and b.created_by == actor.person_id]  # type: ignore[union-attr]


def _button(text: str, data: str) -> dict[str, str]:
    return {"text": text, "callback_data": data}


@due_work("broadcasts")
async def start_due_broadcasts(due: DueContext, now: datetime) -> int:
    """Start the scheduled posts whose time has come; each in its own unit of work, once."""
    async with unit_of_work(due) as ctx:
        ids = await BroadcastRepo(ctx.session).due(now)
    started = 0
    for broadcast_id in ids:
        async with unit_of_work(due) as ctx:
            service = BroadcastService(ctx)
            if not await service.may_still_send(broadcast_id):
                await service.drop_unauthorised(broadcast_id)
                continue
            if not await service.repo.move_state(broadcast_id, ("scheduled",), "running"):
                continue  # started by another run meanwhile
            b = await service.repo.get(broadcast_id)
            assert b is not None
            await ctx.session.refresh(b)
            await service.start(b)
            started += 1
    return started


@due_work("broadcasts-running")
async def follow_running_broadcasts(due: DueContext, now: datetime) -> int:
    """The running posts, as after a round: one whose last round was delivered but never followed (the
    process died in between, a watcher failed) gets its report now, at start-up or within a minute."""
    async with unit_of_work(due) as ctx:
        service = BroadcastService(ctx)
        running = await service.repo.running()
        for b in running:
            await service.tick(b)
    return len(running)


@after_delivery("broadcasts")
async def follow_progress(due: DueContext, rows: list[Delivered]) -> None:
    batches = {r.batch for r in rows if r.batch and r.batch.startswith("bc:")}
    if not batches:
        return
    async with unit_of_work(due) as ctx:
        service = BroadcastService(ctx)
        for b in await service.repo.by_batches(batches):
            await service.tick(b)
