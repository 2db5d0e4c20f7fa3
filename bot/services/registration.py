"""Start-of-year emulation registration (đăng ký thi đua đầu năm học): staff and units register, heads endorse

The rules live here; no aiogram. One registration per person (individual) or unit (collective) per school
year, whatever rounds the year holds. It goes to the unit head or the acting deputy for endorsement; a
head's own, a unit's collective one and one from a unit with no linked head go to the secretary. The first
to act wins (a conditional UPDATE on state and version); every change is audited.

`RegistrationService(ctx).window(...)` answers "is registration open for this person (or unit) now?",
honouring the secretary's extensions for the college or the unit: the reminders feature reads it too.
"""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import fmt_when
from bot.context import Ctx
from bot.errors import DomainError, NotAllowed, NotFound
from bot.i18n import t
from bot.plan.calendar import closes_at
from bot.roles import Member, Role, Scope, can, register_rules
from bot.services.audit import Audit
from bot.services.outbox import Outbox
from bot.services.plan import register_reference
from bot.services.reminder_audiences import Occurrence, Recipient, audience, people_where, unit_items
from bot.text import esc, nfc
from storage.models import OutboxMessage, Person, Unit
from storage.models.plan import PlanCommendation, PlanMovement, PlanSchoolYear
from storage.models.registration import (
    Registration,
    RegistrationExtension,
    RegistrationMovement,
    RegistrationState,
    RegistrationSubject,
    extension_scope,
    owner_key,
)
from storage.repositories.people import PeopleRepo, heads_the_unit
from storage.repositories.plan import PlanRepo
from storage.repositories.registration import RegistrationRepo
from storage.repositories.roster import RosterRepo

TEXT_MIN, TEXT_MAX = 10, 1500
REASON_MIN, REASON_MAX = 5, 500
PAGE_SIZE = 5
EDITABLE = (RegistrationState.SUBMITTED.value, RegistrationState.RETURNED.value)
KIND = "registration"  # the outbox rows of this feature

# -- authority ------------------------------------------------------------------------------------------
register_rules(
    {
        "registration_submit": {
            Role.STAFF: Scope.OWN_UNIT,
            Role.UNIT_HEAD: Scope.OWN_UNIT,
            Role.DEPUTY_HEAD: Scope.OWN_UNIT,
        },
        "registration_endorse": {Role.UNIT_HEAD: Scope.OWN_UNIT, Role.DEPUTY_HEAD: Scope.OWN_UNIT},
        "registration_manage": {Role.SECRETARY: Scope.ALL},
    }
)

# -- plan rows a registration points at: a plan reload may not drop them ---------------------------------
register_reference(Registration.title_id, "commendation", "registration-ref-label")
register_reference(Registration.school_year_id, "school_year", "registration-ref-label")
register_reference(RegistrationMovement.movement_id, "movement", "registration-ref-label")
register_reference(RegistrationExtension.school_year_id, "school_year", "registration-ext-ref-label")


# -- errors a person can cause ---------------------------------------------------------------------------
class NotLinked(NotAllowed):
    key = "registration-not-linked"


class NoSchoolYear(DomainError):
    """No school year of the loaded plans contains today."""

    key = "registration-no-year"


class WindowClosed(DomainError):
    key = "registration-window-closed"


class WindowNotOpen(DomainError):
    key = "registration-window-not-open"


class AlreadyRegistered(DomainError):
    key = "registration-already"


class AlreadyEndorsed(DomainError):
    key = "registration-already-endorsed"


class CommitmentsEmpty(DomainError):
    key = "registration-commitments-empty"


class CommitmentsTooShort(DomainError):
    key = "registration-commitments-too-short"


class CommitmentsTooLong(DomainError):
    key = "registration-commitments-too-long"


class CommitmentsOnlyEmoji(DomainError):
    key = "registration-commitments-emoji"


class ReasonTooShort(DomainError):
    key = "registration-reason-too-short"


class ReasonTooLong(DomainError):
    key = "registration-reason-too-long"


class NoMovement(DomainError):
    key = "registration-no-movement"


class BadTitle(DomainError):
    key = "registration-bad-title"


class RegistrationNotFound(NotFound):
    key = "registration-not-found"


class NotYourUnit(NotAllowed):
    key = "registration-not-your-unit"


class NotHead(NotAllowed):
    key = "registration-not-head"


class NotSecretary(NotAllowed):
    key = "registration-not-secretary"


class Stale(DomainError):
    """The button was for an earlier version, or the registration is no longer waiting."""

    key = "registration-stale"

    def __init__(self, view: View, key: str | None = None, **params: Any) -> None:
        super().__init__(key, **params)
        self.view = view


class BadDate(DomainError):
    key = "registration-ext-bad-date"


# -- checks on what a person types -------------------------------------------------------------------------
def _has_letters_or_digits(text: str) -> bool:
    return any(unicodedata.category(ch)[0] in ("L", "N") for ch in text)


def check_commitments(text: str | None) -> str:
    value = nfc(text or "").strip()
    if not value:
        raise CommitmentsEmpty()
    if not _has_letters_or_digits(value):
        raise CommitmentsOnlyEmoji()
    if len(value) < TEXT_MIN:
        raise CommitmentsTooShort(length=len(value), min=TEXT_MIN)
    if len(value) > TEXT_MAX:
        raise CommitmentsTooLong(length=len(value), max=TEXT_MAX)
    return value


def check_reason(text: str | None) -> str:
    value = nfc(text or "").strip()
    if len(value) < REASON_MIN or not _has_letters_or_digits(value):
        raise ReasonTooShort(min=REASON_MIN)
    if len(value) > REASON_MAX:
        raise ReasonTooLong(length=len(value), max=REASON_MAX)
    return value


# -- the draft kept in the conversation ------------------------------------------------------------------
@dataclass
class Draft:
    subject: str = RegistrationSubject.INDIVIDUAL.value
    unit_id: int | None = None  # the collective one: the unit
    school_year_id: int | None = None
    title_id: int | None = None
    movement_ids: list[int] = field(default_factory=list)
    commitments: str = ""
    registration_id: int | None = None  # editing or reopening this one
    version: int | None = None

    def as_state(self) -> dict[str, Any]:
        return {"draft": asdict(self)}

    @classmethod
    def from_state(cls, data: dict[str, Any]) -> Draft:
        raw = data.get("draft") or {}
        return cls(**{k: v for k, v in raw.items() if k in cls.__dataclass_fields__})

    def toggle(self, movement_id: int) -> None:
        if movement_id in self.movement_ids:
            self.movement_ids.remove(movement_id)
        else:
            self.movement_ids.append(movement_id)


# -- the window ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Window:
    school_year: PlanSchoolYear
    opens_at: datetime
    closes_at: datetime  # with the secretary's extension for the college or the unit, if later
    plan_closes_at: datetime
    now: datetime

    @property
    def open(self) -> bool:
        return self.opens_at <= self.now <= self.closes_at

    @property
    def not_yet(self) -> bool:
        return self.now < self.opens_at

    @property
    def extended(self) -> bool:
        return self.closes_at > self.plan_closes_at


# -- what the messages show ---------------------------------------------------------------------------
@dataclass
class View:
    item: Registration
    owner: str  # the person's name, or the unit's for a collective one
    unit: str
    title: str
    movements: list[str]
    decider: str | None = None
    school_year: str = ""

    def state_label(self, locale: str | None = None) -> str:
        return t(f"registration-state-{self.item.state}", locale=locale)


def _name(row: Any, locale: str | None) -> str:
    value = getattr(row, f"name_{locale or 'vi'}", None) or getattr(row, "name_vi", "")
    return str(value or "")


# -- texts and buttons on queued messages ----------------------------------------------------------------
class RegistrationTexts(Protocol):
    """The texts the service queues (handlers/render/registration.py words them)."""

    def card(self, view: View, locale: str | None = None, *, title_key: str = ...) -> str: ...

    def decided_for_owner(self, view: View, locale: str | None, *, returned: bool) -> str: ...


class RegistrationMarkup(Protocol):
    """Inline keyboards as JSON-ready dicts (handlers/registration.py implements it)."""

    def for_decider(self, registration_id: int, version: int, locale: str) -> dict[str, Any] | None: ...

    def for_owner(self, registration_id: int, locale: str) -> dict[str, Any] | None: ...


class NoMarkup:
    def for_decider(self, registration_id: int, version: int, locale: str) -> dict[str, Any] | None:
        return None

    def for_owner(self, registration_id: int, locale: str) -> dict[str, Any] | None:
        return None


@dataclass
class Page:
    items: list[View]
    total: int
    page: int
    pages: int
    title_counts: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class Start:
    """What `/register` finds: the school year, its window, and the actor's registration if any."""

    school_year: PlanSchoolYear
    window: Window
    existing: Registration | None
    subject: str
    unit_id: int


def request_key(registration_id: int, version: int, person_id: int) -> str:
    return f"reg-req:{registration_id}:v{version}:p{person_id}"


# -- the service ---------------------------------------------------------------------------------------
class RegistrationService:
    def __init__(
        self, ctx: Ctx, markup: RegistrationMarkup | None = None, texts: RegistrationTexts | None = None
    ) -> None:
        self.ctx = ctx
        self.repo = RegistrationRepo(ctx.session)
        self.plan = PlanRepo(ctx.session)
        self.people = PeopleRepo(ctx.session)
        self.roster = RosterRepo(ctx.session)
        self.markup: RegistrationMarkup = markup or NoMarkup()
        self._texts = texts

    @property
    def texts(self) -> RegistrationTexts:
        if self._texts is None:  # a caller that queues messages hands in the texts (the handlers do)
            raise RuntimeError("RegistrationService needs its texts to queue messages")
        return self._texts

    @property
    def actor(self) -> Member:
        if self.ctx.actor is None:
            raise NotLinked()
        return self.ctx.actor

    def is_secretary(self, member: Member | None = None) -> bool:
        return can(member or self.ctx.actor, "registration_manage")

    # -- the school year and its window ----------------------------------------------------------------
    async def current_year(self) -> PlanSchoolYear:
        """The school year that contains today; else NoSchoolYear naming when the last one ended and when
        the next one's registration opens (if a loaded plan has one)."""
        today = self.ctx.clock.today()
        year = await self.plan.school_year_on(today)
        if year is not None:
            return year
        years = list((await self.ctx.session.scalars(select(PlanSchoolYear))).all())
        past = sorted((y for y in years if y.end < today), key=lambda y: y.end)
        future = sorted((y for y in years if y.start > today), key=lambda y: y.start)
        raise NoSchoolYear(
            last=past[-1].code if past else "",
            ended=past[-1].end.strftime("%d/%m/%Y") if past else "",
            next=future[0].code if future else "",
            opens=future[0].registration_opens_at if future else None,
        )

    async def window(
        self,
        *,
        person_id: int | None = None,
        unit_id: int | None = None,
        school_year: PlanSchoolYear | None = None,
    ) -> Window:
        """Is registration open for this person (or unit) now? The plan's window of the current school
        year (or `school_year`), closing at the latest of the plan's end and the secretary's extensions for
        the college and for the person's unit now. Raises NoSchoolYear when no school year contains today.
        The reminders feature calls this too."""
        year = school_year or await self.current_year()
        if person_id is not None and unit_id is None:
            person = await self.people.get(person_id)
            unit_id = person.unit_id if person else None
        closes = year.registration_closes_at
        for ext in await self.repo.extensions(year.id):
            if ext.unit_id is None or ext.unit_id == unit_id:
                closes = max(closes, ext.closes_at)
        return Window(
            year, year.registration_opens_at, closes, year.registration_closes_at, self.ctx.clock.now()
        )

    def _require_open(self, window: Window) -> None:
        if window.not_yet:
            raise WindowNotOpen(year=window.school_year.code, opens=fmt_when(window.opens_at))
        if not window.open:
            raise WindowClosed(year=window.school_year.code, closed=fmt_when(window.closes_at))

    # -- who may -------------------------------------------------------------------------------------------
    async def _me(self) -> tuple[Member, Person]:
        me = self.actor
        person = await self.people.get(me.person_id)
        if person is None or not person.active or person.telegram_id is None:
            raise NotLinked()
        if person.unit_id is None:
            raise NotYourUnit()
        return me, person

    async def headed_units(self) -> list[Unit]:
        me = self.actor
        ids = sorted(
            {g.unit_id for g in me.grants if g.role in (Role.UNIT_HEAD, Role.DEPUTY_HEAD) and g.unit_id}
        )
        units = await self.repo.units(ids)
        return [units[i] for i in ids if i in units]

    # -- the plan's choices --------------------------------------------------------------------------------
    async def titles(self, school_year: PlanSchoolYear, subject: str) -> list[PlanCommendation]:
        rows = await self.plan.commendations(school_year.period_id, "title")
        return [r for r in rows if r.subject == subject and r.registration_required]

    async def movements(self, school_year: PlanSchoolYear) -> list[PlanMovement]:
        return await self.plan.movements(school_year.period_id)

    # -- starting ------------------------------------------------------------------------------------------
    async def start(self, *, collective_unit: int | None = None) -> Start:
        """What `/register` finds for the actor: raises when nothing may be done now (not linked, no school
        year, the window shut). `collective_unit`: the head's unit, for the collective registration."""
        me, person = await self._me()
        year = await self.current_year()
        if collective_unit is not None:
            if not me.heads(collective_unit):
                raise NotHead()
            subject, unit_id = RegistrationSubject.COLLECTIVE.value, collective_unit
            existing = await self.repo.by_owner(year.id, unit_id=unit_id)
        else:
            subject, unit_id = RegistrationSubject.INDIVIDUAL.value, person.unit_id or 0
            existing = await self.repo.by_owner(year.id, person_id=person.id)
        window = await self.window(unit_id=unit_id, school_year=year)
        if existing is None or existing.state in EDITABLE or existing.state == RegistrationState.WITHDRAWN:
            self._require_open(window)
        return Start(year, window, existing, subject, unit_id)

    async def new_draft(self, *, collective_unit: int | None = None) -> Draft:
        """A draft for a new registration; refused when one is already there (not withdrawn)."""
        s = await self.start(collective_unit=collective_unit)
        if s.existing is not None and s.existing.state != RegistrationState.WITHDRAWN.value:
            raise AlreadyRegistered(
                year=s.school_year.code, state=t(f"registration-state-{s.existing.state}")
            )
        draft = Draft(subject=s.subject, unit_id=s.unit_id, school_year_id=s.school_year.id)
        if s.existing is not None:  # reopening a withdrawn one: its content to start from
            self._fill(draft, s.existing)
        return draft

    @staticmethod
    def _fill(draft: Draft, row: Registration) -> None:
        draft.title_id = row.title_id
        draft.movement_ids = list(row.movement_ids)
        draft.commitments = row.commitments
        draft.registration_id = row.id
        draft.version = row.version

    async def edit_draft(self, registration_id: int) -> Draft:
        """A draft to change the actor's own registration (not yet endorsed)."""
        row = await self._own(registration_id)
        if row.state == RegistrationState.ENDORSED.value:
            raise AlreadyEndorsed()
        if row.state == RegistrationState.WITHDRAWN.value:
            return await self.new_draft(collective_unit=row.unit_id if row.subject == "collective" else None)
        await self.start(collective_unit=row.unit_id if row.subject == "collective" else None)
        draft = Draft(subject=row.subject, unit_id=row.unit_id, school_year_id=row.school_year_id)
        self._fill(draft, row)
        return draft

    async def _own(self, registration_id: int) -> Registration:
        me, person = await self._me()
        row = await self.repo.get(registration_id)
        if row is None:
            raise RegistrationNotFound()
        mine = row.person_id == person.id if row.subject == "individual" else me.heads(row.unit_id)
        if not mine:
            raise RegistrationNotFound()
        return row

    # -- the steps' checks ----------------------------------------------------------------------------------
    async def _year(self, draft: Draft) -> PlanSchoolYear:
        year = await self.ctx.session.get(PlanSchoolYear, draft.school_year_id or 0)
        if year is None:
            raise NoSchoolYear(last="", ended="", next="", opens=None)
        return year

    async def with_title(self, draft: Draft, title_id: int) -> Draft:
        year = await self._year(draft)
        if title_id not in {r.id for r in await self.titles(year, draft.subject)}:
            raise BadTitle()
        draft.title_id = title_id
        return draft

    async def with_movement_toggled(self, draft: Draft, movement_id: int) -> Draft:
        year = await self._year(draft)
        if movement_id not in {m.id for m in await self.movements(year)}:
            raise NoMovement()
        draft.toggle(movement_id)
        return draft

    @staticmethod
    def movements_chosen(draft: Draft) -> Draft:
        if not draft.movement_ids:
            raise NoMovement()
        return draft

    @staticmethod
    def with_commitments(draft: Draft, text: str | None) -> Draft:
        draft.commitments = check_commitments(text)
        return draft

    async def preview(self, draft: Draft) -> View:
        """The draft as it would be stored, for the confirmation."""
        _me, person = await self._me()
        row = Registration(
            school_year_id=draft.school_year_id or 0,
            subject=draft.subject,
            person_id=person.id if draft.subject == "individual" else None,
            unit_id=draft.unit_id if draft.subject == "collective" else person.unit_id,
            title_id=draft.title_id or 0,
            movement_ids=list(draft.movement_ids),
            commitments=draft.commitments,
            state=RegistrationState.SUBMITTED.value,
            version=draft.version or 1,
        )
        return await self._view(row)

    # -- submitting --------------------------------------------------------------------------------------
    async def submit(self, draft: Draft) -> View:
        """Store the registration (new, edited or reopened) and send it for endorsement."""
        person, year, unit_id, commitments = await self._checked(draft)
        now = self.ctx.clock.now()
        owner = owner_key(draft.subject, person.id, unit_id)
        existing = await self.repo.of_owner(year.id, owner)
        values = {
            "title_id": draft.title_id,
            "movement_ids": list(dict.fromkeys(draft.movement_ids)),
            "commitments": commitments,
            "unit_id": unit_id,
            "state": RegistrationState.SUBMITTED.value,
            "return_reason": None,
            "decided_at": None,
            "decided_by": None,
            "submitted_by": person.id,
            "submitted_at": now,
            "updated_at": now,
        }
        if existing is None:
            row = await self._add(draft, year, owner, person, values)
            before = None
            action = "registration.submitted"
        else:
            before = self._audit(existing)
            row = await self._resubmit(draft, year, existing, values)
            action = "registration.reopened" if before["state"] == "withdrawn" else "registration.resubmitted"
        await self.repo.set_movements(row.id, row.movement_ids)
        Audit(self.ctx).record(action, "registration", row.id, before=before, after=self._audit(row))
        view = await self._view(row)
        await self._send_requests(view)
        return view

    async def _checked(self, draft: Draft) -> tuple[Person, PlanSchoolYear, int, str]:
        """The draft checked again as it is sent: the submitter, the year, the unit, the commitments."""
        me, person = await self._me()
        collective = draft.subject == RegistrationSubject.COLLECTIVE.value
        if collective and not me.heads(draft.unit_id):
            raise NotHead()
        year = await self._year(draft)
        current = await self.current_year()
        if current.id != year.id:
            raise Stale(await self.preview(draft), "registration-year-changed")
        unit_id = (draft.unit_id if collective else person.unit_id) or 0
        self._require_open(await self.window(unit_id=unit_id, school_year=year))
        await self.with_title(draft, draft.title_id or 0)
        movements = {m.id for m in await self.movements(year)}
        if not draft.movement_ids or not set(draft.movement_ids) <= movements:
            raise NoMovement()
        return person, year, unit_id, check_commitments(draft.commitments)

    async def _add(
        self, draft: Draft, year: PlanSchoolYear, owner: str, person: Person, values: dict[str, Any]
    ) -> Registration:
        if draft.registration_id is not None:
            raise RegistrationNotFound()
        collective = draft.subject == RegistrationSubject.COLLECTIVE.value
        row = self.repo.add(
            Registration(
                school_year_id=year.id,
                subject=draft.subject,
                owner=owner,
                person_id=None if collective else person.id,
                version=1,
                created_at=values["submitted_at"],
                **values,
            )
        )
        await self.ctx.session.flush()
        return row

    async def _resubmit(
        self, draft: Draft, year: PlanSchoolYear, existing: Registration, values: dict[str, Any]
    ) -> Registration:
        if existing.id != draft.registration_id:
            raise AlreadyRegistered(year=year.code, state=t(f"registration-state-{existing.state}"))
        if existing.state == RegistrationState.ENDORSED.value:
            raise AlreadyEndorsed()
        allowed = (*EDITABLE, RegistrationState.WITHDRAWN.value)
        won = await self.repo.change(
            existing.id,
            states=allowed,
            version=draft.version,
            values=values | {"version": existing.version + 1},
        )
        row = await self.repo.refresh(existing)
        if not won:
            raise Stale(await self._view(row), "registration-changed-meanwhile")
        return row

    @staticmethod
    def _audit(row: Registration) -> dict[str, Any]:
        return {
            "state": row.state,
            "version": row.version,
            "subject": row.subject,
            "unit_id": row.unit_id,
            "title_id": row.title_id,
            "movement_ids": list(row.movement_ids),
            "commitments_length": len(row.commitments),
            "return_reason": row.return_reason,
            "decided_by": row.decided_by,
        }

    # -- routing -----------------------------------------------------------------------------------------
    async def deciders(self, row: Registration) -> tuple[list[Person], bool]:
        """Who endorses it now, and whether that is the secretary: the unit's head or acting deputy for a
        staff member's; the secretary for a collective one, a head's own, or a unit with no linked head."""
        today = self.ctx.clock.today()
        if row.subject == RegistrationSubject.INDIVIDUAL.value:
            heads = await self.roster.heads_of(row.unit_id, today)
            if heads and all(h.id != row.person_id for h in heads):
                return heads, False
        return await self.people.with_role(Role.SECRETARY, today), True

    async def _send_requests(self, view: View) -> None:
        row = view.item
        outbox = Outbox(self.ctx)
        deciders, _ = await self.deciders(row)
        for person in deciders:
            locale = person.language
            await outbox.to_person_once(
                request_key(row.id, row.version, person.id),
                person,
                self.texts.card(view, locale, title_key="registration-request-title"),
                kind=KIND,
                reply_markup=self.markup.for_decider(row.id, row.version, locale),
            )

    async def may_decide(self, row: Registration, member: Member | None = None) -> bool:
        member = member or self.actor
        _deciders, secretary = await self.deciders(row)
        if secretary:
            return self.is_secretary(member)
        return member.heads(row.unit_id) and member.person_id != row.person_id

    # -- deciding ----------------------------------------------------------------------------------------
    async def decidable(self, registration_id: int, version: int) -> View:
        """The registration a head (or the secretary) is about to endorse or return, as it is now."""
        self.actor  # noqa: B018 - raises when not linked
        row = await self.repo.get(registration_id)
        if row is None:
            raise RegistrationNotFound()
        if row.person_id is not None:
            owner = await self.people.get(row.person_id)
            if owner is not None and owner.unit_id is not None and owner.unit_id != row.unit_id:
                row.unit_id = owner.unit_id  # the person moved: the registration moves with them
                await self.repo.follow_person(owner.id, owner.unit_id)
        if not await self.may_decide(row):
            raise NotYourUnit()
        view = await self._view(row)
        if row.state != RegistrationState.SUBMITTED.value:
            raise Stale(view, f"registration-stale-{row.state}", name=esc(view.decider or ""))
        if row.version != version:
            raise Stale(view, "registration-stale-version")
        return view

    async def endorse(self, registration_id: int, version: int) -> View:
        return await self._decide(registration_id, version, RegistrationState.ENDORSED, None)

    async def return_(self, registration_id: int, version: int, reason: str | None) -> View:
        return await self._decide(registration_id, version, RegistrationState.RETURNED, check_reason(reason))

    async def _decide(
        self, registration_id: int, version: int, state: RegistrationState, reason: str | None
    ) -> View:
        me = self.actor
        view = await self.decidable(registration_id, version)
        row = view.item
        before = self._audit(row)
        now = self.ctx.clock.now()
        won = await self.repo.change(
            row.id,
            states=(RegistrationState.SUBMITTED.value,),
            version=version,
            values={
                "state": state.value,
                "return_reason": reason,
                "decided_at": now,
                "decided_by": me.person_id,
                "updated_at": now,
            },
        )
        await self.repo.refresh(row)
        view = await self._view(row)
        if not won:  # someone acted first, or the owner changed it in between
            if row.state == RegistrationState.SUBMITTED.value:
                raise Stale(view, "registration-stale-version")
            raise Stale(view, f"registration-stale-{row.state}", name=esc(view.decider or ""))
        Audit(self.ctx).record(
            f"registration.{state.value}", "registration", row.id, before=before, after=self._audit(row)
        )
        await self._settle_requests(view)
        owner = await self._owner_person(row)
        if owner is not None:
            returned = state is RegistrationState.RETURNED
            Outbox(self.ctx).to_person(
                owner,
                self.texts.decided_for_owner(view, owner.language, returned=returned),
                kind=KIND,
                reply_markup=self.markup.for_owner(row.id, owner.language) if returned else None,
            )
        return view

    async def _owner_person(self, row: Registration) -> Person | None:
        if row.person_id is not None:
            return await self.people.get(row.person_id)
        if row.submitted_by is not None:
            return await self.people.get(row.submitted_by)
        return None

    async def _settle_requests(self, view: View) -> None:
        """Every request message sent for this version shows the outcome, without buttons (the pressed one
        is edited by the handler as well; an edit that changes nothing counts as done)."""
        row = view.item
        prefix = f"reg-req:{row.id}:v{row.version}:p"
        sent = (
            await self.ctx.session.scalars(
                select(OutboxMessage).where(OutboxMessage.idempotency_key.like(prefix + "%"))
            )
        ).all()
        outbox = Outbox(self.ctx)
        for msg in sent:
            person = await self.people.get(msg.person_id) if msg.person_id else None
            locale = person.language if person else "vi"
            outbox.enqueue(
                msg.chat_id,
                self.texts.card(view, locale, title_key="registration-request-title"),
                kind=KIND,
                person_id=msg.person_id,
                method="edit",
                edit_of=msg,
            )

    # -- withdrawing ---------------------------------------------------------------------------------------
    async def withdraw(self, registration_id: int) -> View:
        row = await self._own(registration_id)
        if row.state == RegistrationState.ENDORSED.value:
            raise AlreadyEndorsed()
        if row.state == RegistrationState.WITHDRAWN.value:
            raise Stale(await self._view(row), "registration-stale-withdrawn", name="")
        before = self._audit(row)
        now = self.ctx.clock.now()
        won = await self.repo.change(
            row.id,
            states=EDITABLE,
            version=row.version,
            values={
                "state": RegistrationState.WITHDRAWN.value,
                "version": row.version + 1,
                "updated_at": now,
            },
        )
        await self.repo.refresh(row)
        view = await self._view(row)
        if not won:
            raise Stale(view, "registration-changed-meanwhile")
        Audit(self.ctx).record(
            "registration.withdrawn", "registration", row.id, before=before, after=self._audit(row)
        )
        return view

    # -- views ---------------------------------------------------------------------------------------------
    async def _view(self, row: Registration) -> View:
        locale = self.actor.language if self.ctx.actor else "vi"
        people = await self.repo.people([row.person_id, row.decided_by])
        owner_person = people.get(row.person_id) if row.person_id else None
        unit_id = owner_person.unit_id if owner_person and owner_person.unit_id else row.unit_id
        units = await self.repo.units([unit_id])
        unit = units.get(unit_id)
        title = await self.ctx.session.get(PlanCommendation, row.title_id) if row.title_id else None
        year = await self.ctx.session.get(PlanSchoolYear, row.school_year_id) if row.school_year_id else None
        movements = {m.id: m for m in (await self.plan.movements(year.period_id) if year else [])}
        decider = people.get(row.decided_by) if row.decided_by else None
        return View(
            row,
            owner_person.full_name if owner_person else (unit.name if unit else "?"),
            unit.name if unit else "",
            _name(title, locale) if title else "?",
            [_name(movements[m], locale) for m in row.movement_ids if m in movements],
            decider.full_name if decider else None,
            year.code if year else "",
        )

    async def view(self, registration_id: int) -> View:
        row = await self.repo.get(registration_id)
        if row is None:
            raise RegistrationNotFound()
        return await self._view(row)

    async def title_name(self, title_id: int) -> str:
        row = await self.ctx.session.get(PlanCommendation, title_id)
        return _name(row, self.actor.language) if row else "?"

    # -- lists ---------------------------------------------------------------------------------------------
    async def pending(self) -> list[View]:
        """Everything waiting for the actor: for a head, the unit's staff registrations (not the heads'
        own); for the secretary, collective ones, heads' own and those of units with no linked head."""
        me = self.actor
        year = await self.current_year()
        rows: list[Registration] = []
        today = self.ctx.clock.today()
        for unit in await self.headed_units():
            heads = [h.id for h in await self.roster.heads_of(unit.id, today)]
            rows += await self.repo.waiting(year.id, unit_id=unit.id, heads=heads)
        if self.is_secretary(me):
            for row in await self.repo.waiting(year.id, unit_id=None):
                if row not in rows and (await self.deciders(row))[1]:
                    rows.append(row)
        return [await self._view(r) for r in rows if r.person_id != me.person_id]

    async def listing(
        self,
        *,
        unit_id: int | None = None,
        title_id: int | None = None,
        state: str | None = None,
        page: int = 0,
    ) -> Page:
        if not self.is_secretary():
            raise NotSecretary()
        year = await self.current_year()
        page = max(page, 0)
        rows, total = await self.repo.page(
            year.id,
            unit_id=unit_id or None,
            title_id=title_id or None,
            states=[state] if state else None,
            offset=page * PAGE_SIZE,
            limit=PAGE_SIZE,
        )
        pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
        if not rows and page > 0 and total:
            return await self.listing(unit_id=unit_id, title_id=title_id, state=state, page=pages - 1)
        counts: dict[int, int] = {}
        for tid, st, n in await self.repo.counts_by_title(year.id):
            if st != RegistrationState.WITHDRAWN.value:
                counts[tid] = counts.get(tid, 0) + n
        titles = [(await self.title_name(tid), n) for tid, n in sorted(counts.items())]
        return Page([await self._view(r) for r in rows], total, page, pages, titles)

    async def filter_choices(self) -> tuple[list[Unit], list[PlanCommendation]]:
        if not self.is_secretary():
            raise NotSecretary()
        year = await self.current_year()
        units = await self.roster.units(active_only=True)
        titles = [
            r for r in await self.plan.commendations(year.period_id, "title") if r.registration_required
        ]
        return units, titles

    async def mine(self) -> list[View]:
        """The actor's own registrations over the years (the individual ones), newest first."""
        me = self.actor
        return [
            await self._view(r) for r in await self.repo.history(owner_key("individual", me.person_id, None))
        ]

    # -- the window's extension ----------------------------------------------------------------------------
    async def extension_target(self, unit_id: int | None) -> tuple[Window, Unit | None]:
        if not self.is_secretary():
            raise NotSecretary()
        unit = await self.roster.unit(unit_id) if unit_id else None
        if unit_id and unit is None:
            raise NotFound()
        return await self.window(unit_id=unit_id), unit

    async def extend(self, unit_id: int | None, until: date) -> Window:
        """Let registration run to the end of the local day `until`, for the college (None) or one unit."""
        me = self.actor
        window, _unit = await self.extension_target(unit_id)
        today = self.ctx.clock.today()
        year = window.school_year
        new_close = closes_at(until).astimezone(UTC)
        if until < today:
            raise BadDate("registration-ext-past", today=today.strftime("%d/%m/%Y"))
        if new_close <= window.closes_at:
            raise BadDate("registration-ext-not-later", closes=fmt_when(window.closes_at))
        if until > year.end:
            raise BadDate("registration-ext-after-year", end=year.end.strftime("%d/%m/%Y"))
        existing = await self.repo.extension(year.id, unit_id)
        before = {"closes_at": existing.closes_at.isoformat() if existing else None, "unit_id": unit_id}
        now = self.ctx.clock.now()
        if existing is None:
            row = self.repo.add_extension(
                RegistrationExtension(
                    school_year_id=year.id,
                    scope=extension_scope(unit_id),
                    unit_id=unit_id,
                    closes_at=new_close,
                    set_by=me.person_id,
                    set_at=now,
                )
            )
            await self.ctx.session.flush()
        else:
            existing.closes_at, existing.set_by, existing.set_at = new_close, me.person_id, now
            row = existing
            await self.ctx.session.flush()
        Audit(self.ctx).record(
            "registration.window_extended",
            "registration_extension",
            row.id,
            before=before,
            after={"closes_at": new_close.isoformat(), "unit_id": unit_id, "school_year": year.code},
        )
        return await self.window(unit_id=unit_id, school_year=year)


__all__ = [
    "AlreadyEndorsed",
    "AlreadyRegistered",
    "Draft",
    "NoSchoolYear",
    "RegistrationService",
    "Stale",
    "View",
    "Window",
    "check_commitments",
    "check_reason",
]


# -- the reminders' audiences (bot/services/reminder_audiences.py) -------------------------------------------
def _registered(occ: Occurrence) -> Any:
    """Has an individual registration of the occurrence's school year that counts (not withdrawn).

    An uncorrelated IN (one pass over the year's registrations), not a correlated EXISTS: SQLite would
    walk the year's registrations once per person through the (year, unit, state) index."""
    return Person.id.in_(
        select(Registration.person_id).where(
            Registration.school_year_id == occ.school_year_id,
            Registration.person_id.is_not(None),
            Registration.subject == RegistrationSubject.INDIVIDUAL.value,
            Registration.state != RegistrationState.WITHDRAWN.value,
        )
    )


@audience("registration_close", "pending")
async def not_registered(session: AsyncSession, occ: Occurrence) -> list[Recipient]:
    """Staff on a unit's roster (of this occurrence's units) with no registration for the school year."""
    return await people_where(
        session, Person.unit_id.is_not(None), occ.in_units(Person.unit_id), ~_registered(occ)
    )


@unit_items("registration_close")
async def units_not_registered(session: AsyncSession, occ: Occurrence) -> dict[int, dict[str, int]]:
    """Per unit: staff not registered, the unit's own registration missing, registrations to endorse."""
    out: dict[int, dict[str, int]] = {}
    staff = select(Person.unit_id, func.count()).where(
        Person.active.is_(True), Person.unit_id.is_not(None), occ.in_units(Person.unit_id), ~_registered(occ)
    )
    for unit_id, n in (await session.execute(staff.group_by(Person.unit_id))).all():
        out.setdefault(unit_id, {})["not_registered"] = n
    own = (
        select(Registration.id)
        .where(
            Registration.school_year_id == occ.school_year_id,
            Registration.unit_id == Unit.id,
            Registration.subject == RegistrationSubject.COLLECTIVE.value,
            Registration.state != RegistrationState.WITHDRAWN.value,
        )
        .exists()
    )
    units = select(Unit.id).where(Unit.active.is_(True), occ.in_units(Unit.id), ~own)
    for (unit_id,) in (await session.execute(units)).all():
        out.setdefault(unit_id, {})["unit_not_registered"] = 1
    for unit_id, n in await _to_endorse(session, occ):
        out.setdefault(unit_id, {})["to_endorse"] = n
    return out


async def _to_endorse(session: AsyncSession, occ: Occurrence) -> list[tuple[int, int]]:
    stmt = (
        select(Registration.unit_id, func.count())
        .where(
            Registration.school_year_id == occ.school_year_id,
            Registration.state == RegistrationState.SUBMITTED.value,
            Registration.subject == RegistrationSubject.INDIVIDUAL.value,
            occ.in_units(Registration.unit_id),
            ~heads_the_unit(
                Registration.person_id, Registration.unit_id, occ.today or date.today()
            ),  # a head's own: the secretary's
        )
        .group_by(Registration.unit_id)
    )
    return [(u, n) for u, n in (await session.execute(stmt)).all()]


@unit_items("nominations_close")
async def registrations_to_endorse(session: AsyncSession, occ: Occurrence) -> dict[int, dict[str, int]]:
    """Per unit: staff registrations still waiting for the head's endorsement."""
    return {unit_id: {"to_endorse": n} for unit_id, n in await _to_endorse(session, occ)}
