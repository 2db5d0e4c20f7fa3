"""Good deeds (người tốt, việc tốt): anyone linked reports one, the unit head (or the secretary) verifies it.

The rules live here; no aiogram, no wording. The texts and buttons of what is queued (the decider's card,
the album's confirmation, the outcome for the reporter and the person concerned) come from a
`GoodDeedTexts` and a `GoodDeedMarkup` the handler passes in (handlers/render/good_deed.py,
handlers/good_deed.py).

Routing: a deed about a person goes to the head (or acting deputy) of that person's unit; about a unit, to
that unit's head. It goes to the secretary instead when it is about a head, about the head's own unit (a
unit as a collective), when a head reports it, or when the unit has no linked head.

Albums arrive as separate updates sharing a `media_group_id`. No handler waits for the last one: each photo
is kept in the conversation's data, and one confirmation per album is queued in the outbox under the key
`gd-album:<person>:<group>` a couple of seconds ahead; each later photo of the album moves it on and
rewrites its count while it is still pending, so it goes out once, after the album's last photo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import fmt_date, parse_day
from bot.context import Ctx
from bot.errors import DomainError, NotAllowed
from bot.roles import Member, Role, Scope, register_rules
from bot.services.audit import Audit
from bot.services.good_deed_draft import (  # the draft's rules, re-exported for the handlers
    PHOTOS_MAX,
    AlbumStep,
    BadDay,
    DayBeforePeriod,
    DayInFuture,
    DeedNotFound,
    Draft,
    NoPeriod,
    NotYourDeed,
    check_reason,
    check_text,
)
from bot.services.name_search import find_people
from bot.services.outbox import Outbox
from bot.services.reminder_audiences import Items, Occurrence, named_per_unit, unit_items
from bot.text import esc
from storage.models import OutboxMessage, Person, Unit
from storage.models.good_deed import GoodDeed, GoodDeedFile, GoodDeedState, GoodDeedSubject
from storage.models.plan import PlanPeriod, PlanSchoolYear
from storage.repositories.good_deed import GoodDeedRepo
from storage.repositories.people import PeopleRepo, heads_the_unit
from storage.repositories.roster import RosterRepo

ALBUM_SETTLE = timedelta(seconds=2)  # the confirmation waits this long after the album's latest photo
KIND = "good_deed"
RECENT = 15

REPORT, LIST = "good_deed_report", "good_deed_list"
register_rules({REPORT: {r: Scope.ALL for r in Role}, LIST: {r: Scope.ALL for r in Role}})


class Decided(DomainError):
    """Decided already (or changed): carries the deed so that the handler can show it as it is."""

    def __init__(self, view: DeedView) -> None:
        super().__init__(f"gooddeed-stale-{view.deed.state}", name=esc(view.decider or ""))
        self.view = view


# -- what the handlers and the texts read ------
@dataclass(frozen=True)
class Match:
    id: int
    name: str
    unit: str


@dataclass
class DeedView:
    deed: GoodDeed
    about: str  # the person's name, or the unit's
    unit: str
    reporter: str
    files: list[GoodDeedFile]
    decider: str | None = None

    @property
    def photos(self) -> list[GoodDeedFile]:
        return [f for f in self.files if f.kind == "photo"]

    @property
    def document(self) -> GoodDeedFile | None:
        return next((f for f in self.files if f.kind == "document"), None)


@dataclass(frozen=True)
class Counts:
    per_person: list[tuple[str, int]]
    per_unit: list[tuple[str, int]]


class GoodDeedTexts(Protocol):
    """The wording of what the service queues (handlers/render/good_deed.py)."""

    def album_received(self, n: int, locale: str) -> str: ...

    def album_refused(self, locale: str) -> str: ...

    def request_card(self, view: DeedView, locale: str) -> str: ...

    def outcome_for_reporter(self, view: DeedView, locale: str) -> str: ...

    def recognised(self, view: DeedView, locale: str) -> str: ...


class GoodDeedMarkup(Protocol):
    """Inline keyboards as JSON-ready dicts (handlers/good_deed.py)."""

    def after_album(self, locale: str) -> dict[str, Any] | None: ...

    def for_decider(self, view: DeedView, locale: str) -> dict[str, Any] | None: ...

    def after_decision(self, view: DeedView, locale: str) -> dict[str, Any] | None: ...


def request_key(deed_id: int, person_id: int) -> str:
    return f"gd-req:{deed_id}:{person_id}"


def album_key(person_id: int, group: str) -> str:
    return f"gd-album:{person_id}:{group}"[:128]


class GoodDeedService:
    def __init__(self, ctx: Ctx, markup: GoodDeedMarkup, texts: GoodDeedTexts) -> None:
        self.ctx, self.markup, self.texts = ctx, markup, texts
        self.repo = GoodDeedRepo(ctx.session)
        self.people = PeopleRepo(ctx.session)
        self.roster = RosterRepo(ctx.session)

    @property
    def actor(self) -> Member:
        if self.ctx.actor is None:
            raise NotAllowed()
        return self.ctx.actor

    def is_secretary(self) -> bool:
        return self.actor.has(Role.SECRETARY)

    # -- whom ----------
    async def search(self, query: str) -> list[Match]:
        """People of the college matching what was typed (≥ 3 letters, ≤ 8, diacritics ignored)."""
        people = await find_people(self.ctx.session, query, Person.active.is_(True))
        names = await self._unit_names({p.unit_id for p in people if p.unit_id})
        return [Match(p.id, p.full_name, names.get(p.unit_id or 0, "")) for p in people]

    async def units(self) -> list[Unit]:
        rows = await self.ctx.session.scalars(
            select(Unit).where(Unit.active.is_(True), Unit.is_example.is_(False)).order_by(Unit.name)
        )
        return list(rows)

    async def pick_person(self, person_id: int) -> Draft:
        person = await self.people.get(person_id)
        if person is None or not person.active or person.unit_id is None:
            raise DeedNotFound()
        return Draft(GoodDeedSubject.PERSON.value, person.id, person.unit_id, person.full_name)

    async def pick_unit(self, unit_id: int) -> Draft:
        unit = await self.ctx.session.get(Unit, unit_id)
        if unit is None or not unit.active:
            raise DeedNotFound()
        return Draft(GoodDeedSubject.UNIT.value, None, unit.id, unit.name)

    # -- when ----------
    async def current_period(self) -> tuple[PlanPeriod, date]:
        """The current period and its first day (its first school year's start)."""
        from bot.services.plan import PlanService  # the plan package is heavy: imported when needed

        period = (await PlanService(self.ctx).current()).period
        if period is None:
            raise NoPeriod()
        first = await self.ctx.session.scalar(
            select(func.min(PlanSchoolYear.start)).where(PlanSchoolYear.period_id == period.id)
        )
        return period, first or date(period.start_year, 1, 1)

    async def check_day(self, text: str | None) -> date:
        today = self.ctx.clock.today()
        day = parse_day(text, today)
        if day is None:
            raise BadDay(example=fmt_date(today - timedelta(days=1)))
        if day > today:
            raise DayInFuture()
        _period, first = await self.current_period()
        if day < first:
            raise DayBeforePeriod(first=first.strftime("%d/%m/%Y"))
        return day

    # -- albums ----------
    async def album_confirmation(self, step: AlbumStep) -> None:
        """Queue the album's one confirmation a little ahead, or move it on and rewrite it while pending."""
        me = self.actor
        locale = me.language
        if step.refused:
            text, markup = self.texts.album_refused(locale), None
        else:
            text, markup = self.texts.album_received(step.count, locale), self.markup.after_album(locale)
        due = self.ctx.clock.now() + ALBUM_SETTLE
        key = album_key(me.person_id, step.group)
        outbox = Outbox(self.ctx)
        row = await outbox.enqueue_once(
            key, me.telegram_id, text, person_id=me.person_id, kind=KIND, reply_markup=markup, not_before=due
        )
        if row.text == text and row.not_before == due:
            return
        if row.status == "pending":
            await self.ctx.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id, OutboxMessage.status == "pending")
                .values(text=text, reply_markup=markup, not_before=due)
                .execution_options(synchronize_session=False)
            )
        elif step.first_refusal:  # the confirmation already went: say the album was not kept after all
            outbox.enqueue(me.telegram_id, text, person_id=me.person_id, kind=KIND)

    # -- sending ----------
    async def submit(self, draft: Draft) -> DeedView:
        me = self.actor
        period, _first = await self.current_period()
        text = check_text(draft.text)
        if not draft.happened_on or draft.unit_id is None:
            raise DeedNotFound()
        row = self.repo.add(
            GoodDeed(
                period_id=period.id,
                subject=draft.subject,
                person_id=draft.person_id,
                unit_id=draft.unit_id,
                reporter_id=me.person_id,
                anonymous=draft.anonymous,
                text=text,
                happened_on=date.fromisoformat(draft.happened_on),
                state=GoodDeedState.SUBMITTED.value,
                created_at=self.ctx.clock.now(),
                version=1,
            )
        )
        await self.ctx.session.flush()
        for i, f in enumerate(draft.files[:PHOTOS_MAX]):
            self.repo.add_file(
                GoodDeedFile(
                    good_deed_id=row.id,
                    kind=f.kind,
                    file_id=f.file_id,
                    file_unique_id=f.file_unique_id,
                    name=f.name,
                    size=f.size,
                    position=i,
                )
            )
        await self.ctx.session.flush()
        Audit(self.ctx).record(
            "good_deed.submitted", "good_deed", row.id, after=self._audit(row, len(draft.files))
        )
        view = await self.view(row)
        await self._send_requests(view)
        return view

    @staticmethod
    def _audit(row: GoodDeed, files: int | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "state": row.state,
            "version": row.version,
            "subject": row.subject,
            "person_id": row.person_id,
            "unit_id": row.unit_id,
            "anonymous": row.anonymous,
            "happened_on": row.happened_on.isoformat(),
            "text_length": len(row.text),
            "reason": row.reason,
            "decided_by": row.decided_by,
        }
        if files is not None:
            out["files"] = files
        return out

    # -- routing ----------
    async def deciders(self, row: GoodDeed) -> tuple[list[Person], bool]:
        """Who verifies it, and whether that is the secretary (see the module's docstring)."""
        today = self.ctx.clock.today()
        heads = await self.roster.heads_of(row.unit_id, today)
        head_ids = {h.id for h in heads}
        to_head = (
            heads
            and row.subject == GoodDeedSubject.PERSON.value
            and row.person_id not in head_ids
            and row.reporter_id not in head_ids
        )
        if to_head:
            return heads, False
        return await self.people.with_role(Role.SECRETARY, today), True

    async def may_decide(self, row: GoodDeed) -> bool:
        me = self.actor
        deciders, secretary = await self.deciders(row)
        if secretary:
            return me.has(Role.SECRETARY) and me.person_id not in (row.person_id, row.reporter_id)
        return any(p.id == me.person_id for p in deciders)

    async def _send_requests(self, view: DeedView) -> None:
        outbox = Outbox(self.ctx)
        deciders, _ = await self.deciders(view.deed)
        for person in deciders:
            if person.id in (view.deed.reporter_id, view.deed.person_id):  # never theirs to verify
                continue
            await outbox.to_person_once(
                request_key(view.deed.id, person.id),
                person,
                self.texts.request_card(view, person.language),
                kind=KIND,
                reply_markup=self.markup.for_decider(view, person.language),
            )

    # -- deciding ----------
    async def opened(self, deed_id: int) -> DeedView:
        """A deed as someone allowed to see it in full sees it: a decider, the secretary, its reporter."""
        row = await self.repo.get(deed_id)
        if row is None:
            raise DeedNotFound()
        me = self.actor
        if me.person_id == row.person_id and me.person_id != row.reporter_id:
            raise NotYourDeed()  # the card names the reporter: never shown to the person concerned
        if not (me.person_id == row.reporter_id or me.has(Role.SECRETARY) or await self.may_decide(row)):
            raise NotYourDeed()
        return await self.view(row)

    async def decidable(self, deed_id: int, version: int) -> DeedView:
        row = await self.repo.get(deed_id)
        if row is None:
            raise DeedNotFound()
        if not await self.may_decide(row):
            raise NotYourDeed()
        if row.state != GoodDeedState.SUBMITTED.value or row.version != version:
            raise Decided(await self.view(row))
        return await self.view(row)

    async def verify(self, deed_id: int, version: int) -> DeedView:
        return await self._decide(deed_id, version, GoodDeedState.VERIFIED, None)

    async def reject(self, deed_id: int, version: int, reason: str | None) -> DeedView:
        return await self._decide(deed_id, version, GoodDeedState.REJECTED, check_reason(reason))

    async def _decide(self, deed_id: int, version: int, state: GoodDeedState, reason: str | None) -> DeedView:
        view = await self.decidable(deed_id, version)
        row = view.deed
        before = self._audit(row)
        won = await self.repo.decide(
            row.id, version, state, self.actor.person_id, self.ctx.clock.now(), reason
        )
        await self.repo.refresh(row)
        view = await self.view(row)
        if not won:
            raise Decided(view)
        Audit(self.ctx).record(
            f"good_deed.{state.value}", "good_deed", row.id, before=before, after=self._audit(row)
        )
        await self._settle_requests(view)
        await self._tell(view)
        return view

    async def _settle_requests(self, view: DeedView) -> None:
        """Every copy of the request (the deputy's, the other secretaries') shows the outcome and keeps only
        the evidence's button (the pressed one is edited by the handler too: a same edit is done)."""
        sent = (
            await self.ctx.session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.idempotency_key.like(f"gd-req:{view.deed.id}:%"),
                    OutboxMessage.status.not_in(["cancelled", "failed"]),
                )
            )
        ).all()
        outbox = Outbox(self.ctx)
        for msg in sent:
            person = await self.people.get(msg.person_id) if msg.person_id else None
            locale = person.language if person else "vi"
            outbox.enqueue(
                msg.chat_id,
                self.texts.request_card(view, locale),
                kind=KIND,
                person_id=msg.person_id,
                method="edit",
                edit_of=msg,
                reply_markup=self.markup.after_decision(view, locale),
            )

    async def _tell(self, view: DeedView) -> None:
        outbox = Outbox(self.ctx)
        row = view.deed
        reporter = await self.people.get(row.reporter_id)
        if reporter is not None and reporter.id != self.actor.person_id:
            await outbox.to_person_once(
                f"gd-out:{row.id}:{row.state}",
                reporter,
                self.texts.outcome_for_reporter(view, reporter.language),
                kind=KIND,
            )
        if row.state == GoodDeedState.VERIFIED.value and row.person_id not in (None, row.reporter_id):
            concerned = await self.people.get(row.person_id)  # type: ignore[arg-type]
            if concerned is not None:
                await outbox.to_person_once(
                    f"gd-rec:{row.id}", concerned, self.texts.recognised(view, concerned.language), kind=KIND
                )

    # -- reading ----------
    async def _unit_names(self, ids: set[int]) -> dict[int, str]:
        if not ids:
            return {}
        rows = await self.ctx.session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids)))
        return {i: n for i, n in rows}

    async def _person_names(self, ids: set[int]) -> dict[int, str]:
        if not ids:
            return {}
        rows = await self.ctx.session.execute(select(Person.id, Person.full_name).where(Person.id.in_(ids)))
        return {i: n for i, n in rows}

    async def view(self, row: GoodDeed) -> DeedView:
        people = await self._person_names({i for i in (row.person_id, row.reporter_id, row.decided_by) if i})
        unit = (await self._unit_names({row.unit_id})).get(row.unit_id, "")
        about = people.get(row.person_id, "") if row.person_id else unit
        decider = people.get(row.decided_by) if row.decided_by else None
        files = await self.repo.files(row.id)
        return DeedView(row, about, unit, people.get(row.reporter_id, ""), files, decider)

    async def pending(self) -> list[DeedView]:
        """The deeds waiting for this person's verification (their units', or the secretary's)."""
        me = self.actor
        head_units = [
            g.unit_id for g in me.grants if g.role in (Role.UNIT_HEAD, Role.DEPUTY_HEAD) and g.unit_id
        ]
        units: list[int] | None = None if me.has(Role.SECRETARY) else head_units
        if units == []:
            return []
        out = []
        for row in await self.repo.pending(units):
            if await self.may_decide(row):
                out.append(await self.view(row))
        return out

    def _list_scope(self) -> int | None:
        """The college (None) for the secretary and the union; else one's own unit."""
        me = self.actor
        if me.has(Role.SECRETARY) or me.has(Role.UNION):
            return None
        return me.unit_id if me.unit_id is not None else -1

    async def recent(self) -> tuple[str | None, list[DeedView], Counts]:
        scope = self._list_scope()
        rows = await self.repo.recent_verified(scope, RECENT)
        views = [await self.view(r) for r in rows]
        per_person, per_unit = await self.repo.verified_counts(scope)
        pnames = await self._person_names(set(per_person))
        unames = await self._unit_names(set(per_unit))
        counts = Counts(
            sorted(((pnames.get(i, ""), n) for i, n in per_person.items()), key=lambda x: (-x[1], x[0])),
            sorted(((unames.get(i, ""), n) for i, n in per_unit.items()), key=lambda x: (-x[1], x[0])),
        )
        unit = None if scope is None else (await self._unit_names({scope})).get(scope, "")
        return unit, views, counts


# -- the reminders' audiences (bot/services/reminder_audiences.py) -------------------------------------------
@unit_items("nominations_close")
async def deeds_to_verify(session: AsyncSession, occ: Occurrence) -> dict[int, Items]:
    """Per unit: good deeds of the period still waiting to be verified, by whom they are about (never the
    reporter, who may be anonymous)."""
    stmt = (
        select(GoodDeed.unit_id, Person.full_name, Person.telegram_id.is_not(None))
        .join(Person, Person.id == GoodDeed.person_id)
        .where(
            GoodDeed.period_id == occ.period_id,
            GoodDeed.state == GoodDeedState.SUBMITTED.value,
            # those the head verifies (`deciders`): about a person, neither about a head nor by one
            GoodDeed.subject == GoodDeedSubject.PERSON.value,
            ~heads_the_unit(GoodDeed.person_id, GoodDeed.unit_id, occ.today or date.today()),
            ~heads_the_unit(GoodDeed.reporter_id, GoodDeed.unit_id, occ.today or date.today()),
        )
        .order_by(GoodDeed.id)
    )
    return named_per_unit((await session.execute(stmt)).all(), "deeds_to_verify")
