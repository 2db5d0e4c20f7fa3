"""Commendation nominations (đề nghị khen thưởng): a unit head nominates a person of the unit, or the unit.

The rules live here; no aiogram, no wording (the texts it queues come from handlers/render/nomination.py,
handed in as `texts`, and the buttons as `markup`). A nomination is open for edits and withdrawal while the
round is in its "nominating" phase (the plan's window, or the secretary's extension, which ends before voting
opens); after that it is locked (`lock_due`). The achievement report is written by the nominee (a linked,
reachable person) or else by the unit head, and the head accepts it or returns it with a reason. Every state
change is audited.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Ctx
from bot.errors import DomainError, NotAllowed, NotFound
from bot.plan.calendar import closes_at
from bot.roles import Member, Role, Scope, can, register_rules
from bot.services import checks
from bot.services.audit import Audit
from bot.services.checks import sized_text
from bot.services.name_search import find_people
from bot.services.outbox import Outbox
from bot.services.plan import register_reference
from bot.services.reminder_audiences import Occurrence, unit_items
from bot.text import nfc
from storage.models import Person, Unit
from storage.models.good_deed import GoodDeed
from storage.models.nomination import (
    Nomination,
    NominationExtension,
    NominationState,
    ReportState,
)
from storage.models.plan import PlanCommendation, PlanPeriod, PlanRound
from storage.models.registration import owner_key
from storage.repositories.good_deed import GoodDeedRepo
from storage.repositories.nomination import NominationRepo
from storage.repositories.people import PeopleRepo, heads_the_unit
from storage.repositories.plan import PlanRepo
from storage.repositories.registration import RegistrationRepo
from storage.repositories.roster import RosterRepo

SUMMARY_MIN, SUMMARY_MAX = 50, 3000
REPORT_MAX = 4000
REASON_MIN, REASON_MAX = 5, 500
FILE_MAX_BYTES = 20 * 1024 * 1024
FILE_TYPES = {
    "pdf": {"application/pdf"},
    "doc": {"application/msword"},
    "docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    "xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
}
PAGE_SIZE = 5
KIND = "nomination"  # the outbox rows of this feature
SUBMIT, MANAGE = "nomination_submit", "nomination_manage"

register_rules(
    {
        SUBMIT: {Role.UNIT_HEAD: Scope.OWN_UNIT, Role.DEPUTY_HEAD: Scope.OWN_UNIT, Role.SECRETARY: Scope.ALL},
        MANAGE: {Role.SECRETARY: Scope.ALL},
    }
)
register_reference(Nomination.commendation_id, "commendation", "nomination-ref-label")
register_reference(Nomination.round_id, "round", "nomination-ref-label")
register_reference(NominationExtension.round_id, "round", "nomination-ext-ref-label")


# -- errors a person can cause ---------------------------------------------------------------------------
class NotNominator(NotAllowed):
    key = "nomination-not-nominator"


class NoRoundOpen(DomainError):
    key = "nomination-no-round"


class RoundClosed(DomainError):
    key = "nomination-round-closed"


class NotYourUnit(NotAllowed):
    key = "nomination-not-your-unit"


class TitleNotAllowed(DomainError):
    key = "nomination-title-not-allowed"


class AlreadyNominated(DomainError):
    key = "nomination-already"


class SummaryTooShort(DomainError):
    key = "nomination-summary-too-short"


class SummaryTooLong(DomainError):
    key = "nomination-summary-too-long"


class ReportTooLong(DomainError):
    key = "nomination-report-too-long"


class ReportEmpty(DomainError):
    key = "nomination-report-empty"


class ReasonTooShort(DomainError):
    key = "nomination-reason-too-short"


class ReasonTooLong(DomainError):
    key = "nomination-reason-too-long"


class FileTooLarge(DomainError):
    key = "nomination-file-too-large"


class FileTypeNotAllowed(DomainError):
    key = "nomination-file-type"


class NominationNotFound(NotFound):
    key = "nomination-not-found"


class Stale(DomainError):
    key = "nomination-stale"


class NotReportWriter(NotAllowed):
    key = "nomination-not-report-writer"


class BadDate(DomainError):
    pass


def check_summary(text: str | None) -> str:
    return sized_text(text, SUMMARY_MIN, SUMMARY_MAX, SummaryTooShort, SummaryTooLong)


def check_report(text: str | None) -> str:
    value = nfc(text or "").strip()
    if not value:
        raise ReportEmpty()
    return sized_text(value, 1, REPORT_MAX, ReportEmpty, ReportTooLong)


def check_reason(text: str | None) -> str:
    return sized_text(text, REASON_MIN, REASON_MAX, ReasonTooShort, ReasonTooLong)


def check_file(file_name: str | None, mime_type: str | None, size: int | None) -> None:
    """PDF, DOC, DOCX or XLSX, at most 20 MB; the extension and the MIME type must agree."""
    checks.check_file(
        file_name,
        mime_type,
        size,
        types=FILE_TYPES,
        max_bytes=FILE_MAX_BYTES,
        wrong_type=FileTypeNotAllowed,
        too_large=FileTooLarge,
    )


# -- the draft kept in the conversation ----------------------------------------------------------------------
@dataclass
class Draft:
    round_id: int | None = None
    subject: str = "individual"
    person_id: int | None = None
    unit_id: int | None = None
    commendation_id: int | None = None
    summary: str = ""
    deed_ids: list[int] = field(default_factory=list)
    file_id: str | None = None
    file_name: str | None = None
    file_size: int | None = None
    nomination_id: int | None = None
    version: int = 0

    def as_state(self) -> dict[str, Any]:
        return {"draft": asdict(self)}

    @classmethod
    def from_state(cls, data: dict[str, Any]) -> Draft:
        return cls(**(data.get("draft") or {}))

    @property
    def owner(self) -> str:
        return owner_key(self.subject, self.person_id, self.unit_id)


@dataclass
class View:
    """A nomination with the names it is shown with."""

    item: Nomination
    nominee: str
    unit: str
    title: PlanCommendation
    round: PlanRound
    closes_at: datetime
    deeds: list[GoodDeed]
    open: bool  # the nomination window is open: it may be edited or withdrawn
    registration_missing: bool = False
    nominee_can_read_summary: bool = False
    writer_is_nominee: bool = False


@dataclass
class Page:
    items: list[View]
    total: int
    page: int
    pages: int


class NominationTexts(Protocol):
    def report_request(self, view: View, locale: str | None) -> str: ...

    def report_in(self, view: View, locale: str | None) -> str: ...

    def report_decided(self, view: View, locale: str | None) -> str: ...


class NominationMarkup(Protocol):
    def for_writer(self, nomination_id: int, locale: str) -> dict[str, Any] | None: ...

    def for_reviewer(self, nomination_id: int, version: int, locale: str) -> dict[str, Any] | None: ...


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is None else value.astimezone(UTC)


# -- the service ---------------------------------------------------------------------------------------
class NominationService:
    def __init__(
        self, ctx: Ctx, texts: NominationTexts | None = None, markup: NominationMarkup | None = None
    ):
        self.ctx = ctx
        self.repo = NominationRepo(ctx.session)
        self.plan = PlanRepo(ctx.session)
        self.people = PeopleRepo(ctx.session)
        self.roster = RosterRepo(ctx.session)
        self._texts, self._markup = texts, markup

    @property
    def actor(self) -> Member:
        if self.ctx.actor is None:
            raise NotNominator()
        return self.ctx.actor

    def is_secretary(self, member: Member | None = None) -> bool:
        return can(member or self.ctx.actor, MANAGE)

    def may_nominate_for(self, unit_id: int | None) -> bool:
        return self.is_secretary() or self.actor.heads(unit_id)

    # -- the window ----------------------------------------------------------------------------------------
    async def closes(self, round_: PlanRound) -> datetime:
        """When the round's nominations close: the plan's date, or the secretary's later extension."""
        ext = await self.repo.extension(round_.id)
        return max(round_.nominations_close_at, ext.closes_at) if ext else round_.nominations_close_at

    async def is_open(self, round_: PlanRound) -> bool:
        now = self.ctx.clock.now()
        voting = round_.voting_opened_early_at or round_.voting_open_at
        return round_.nominations_open_at <= now <= await self.closes(round_) and now < voting

    async def open_rounds(self) -> list[PlanRound]:
        rounds = await self.plan.rounds_around(self.ctx.clock.now())
        return [r for r in rounds if await self.is_open(r)]

    async def _round(self, round_id: int | None, *, open_: bool = True) -> PlanRound:
        round_ = await self.plan.round(round_id or 0)
        if round_ is None:
            raise NoRoundOpen()
        if open_ and not await self.is_open(round_):
            raise RoundClosed(closed=await self.closes(round_))
        return round_

    # -- starting ------------------------------------------------------------------------------------------
    async def headed_units(self) -> list[Unit]:
        if self.is_secretary():
            return await self.roster.units(active_only=True)
        ids = sorted({g.unit_id for g in self.actor.grants if g.role in (Role.UNIT_HEAD, Role.DEPUTY_HEAD)})
        return [u for u in [await self.roster.unit(i) for i in ids if i] if u is not None]

    async def start(self) -> list[PlanRound]:
        """The rounds open for nominations now; raises when the actor may not nominate or none is open."""
        if not can(self.ctx.actor, SUBMIT):
            raise NotNominator()
        rounds = await self.open_rounds()
        if not rounds:
            raise NoRoundOpen()
        return rounds

    async def with_round(self, draft: Draft, round_id: int) -> Draft:
        await self._round(round_id)
        draft.round_id = round_id
        return draft

    async def find_nominees(self, unit_id: int, query: str) -> list[Person]:
        """People of the unit whose name matches (≥ 3 letters, at most 8); the secretary: the college."""
        if not self.may_nominate_for(unit_id):
            raise NotYourUnit()
        where = [Person.active.is_(True)]
        if not self.is_secretary():
            where.append(Person.unit_id == unit_id)
        return await find_people(self.ctx.session, query, *where)

    async def with_person(self, draft: Draft, person_id: int) -> Draft:
        person = await self.people.get(person_id)
        if person is None or not person.active or person.unit_id is None:
            raise NotYourUnit()
        if not self.may_nominate_for(person.unit_id):
            raise NotYourUnit()
        draft.subject, draft.person_id, draft.unit_id = "individual", person.id, person.unit_id
        return draft

    def with_unit(self, draft: Draft, unit_id: int) -> Draft:
        if not self.may_nominate_for(unit_id):
            raise NotYourUnit()
        draft.subject, draft.person_id, draft.unit_id = "collective", None, unit_id
        return draft

    async def titles(self, draft: Draft) -> list[PlanCommendation]:
        """The titles and award forms the round allows for this kind of nominee."""
        round_ = await self._round(draft.round_id)
        rows = await self.plan.commendations(round_.period_id)
        return [
            r for r in rows if r.code in round_.nominable and draft.subject in (r.subjects or [r.subject])
        ]

    async def with_title(self, draft: Draft, commendation_id: int) -> Draft:
        allowed = {r.id for r in await self.titles(draft)}
        if commendation_id not in allowed:
            raise TitleNotAllowed()
        existing = await self.repo.of_owner(draft.round_id or 0, draft.owner, commendation_id)
        if existing is not None and existing.id != draft.nomination_id:
            if existing.state != NominationState.WITHDRAWN.value:
                raise AlreadyNominated(name=await self._nominee_name(existing))
        draft.commendation_id = commendation_id
        return draft

    @staticmethod
    def with_summary(draft: Draft, text: str | None) -> Draft:
        draft.summary = check_summary(text)
        return draft

    @staticmethod
    def with_file(draft: Draft, file_id: str, name: str | None, mime: str | None, size: int | None) -> Draft:
        check_file(name, mime, size)
        draft.file_id, draft.file_name, draft.file_size = file_id, name, size
        return draft

    async def deeds(self, draft: Draft) -> list[GoodDeed]:
        """The verified good deeds of the nominee, to attach."""
        if draft.person_id is not None:
            return await GoodDeedRepo(self.ctx.session).verified_for(person_id=draft.person_id)
        return await GoodDeedRepo(self.ctx.session).verified_for(unit_id=draft.unit_id)

    async def toggle_deed(self, draft: Draft, deed_id: int) -> Draft:
        if deed_id not in {d.id for d in await self.deeds(draft)}:
            raise NominationNotFound()
        if deed_id in draft.deed_ids:
            draft.deed_ids.remove(deed_id)
        else:
            draft.deed_ids.append(deed_id)
        return draft

    async def registration_missing(self, draft: Draft) -> bool:
        """The plan asks for a registration for this title and the nominee has no endorsed one this year."""
        title = await self.plan_row(draft.commendation_id)
        round_ = await self._round(draft.round_id, open_=False)
        if title is None or not title.registration_required:
            return False
        reg = await RegistrationRepo(self.ctx.session).of_owner(round_.school_year_id, draft.owner)
        return reg is None or reg.state != "endorsed" or reg.title_id != title.id

    async def plan_row(self, commendation_id: int | None) -> PlanCommendation | None:
        return await self.ctx.session.get(PlanCommendation, commendation_id or 0)

    # -- submitting, editing, withdrawing --------------------------------------------------------------------
    async def submit(self, draft: Draft) -> View:
        """Store the nomination (new, edited, or again after a withdrawal); ask for the report."""
        me = self.actor
        round_ = await self._round(draft.round_id)
        if not self.may_nominate_for(draft.unit_id):
            raise NotYourUnit()
        await self.with_title(draft, draft.commendation_id or 0)
        summary = check_summary(draft.summary)
        deeds = {d.id for d in await self.deeds(draft)}
        deed_ids = [d for d in draft.deed_ids if d in deeds]
        now = self.ctx.clock.now()
        values = {
            "commendation_id": draft.commendation_id,
            "summary": summary,
            "file_id": draft.file_id,
            "file_name": draft.file_name,
            "file_size": draft.file_size,
            "state": NominationState.SUBMITTED.value,
            "updated_at": now,
        }
        existing = await self.repo.of_owner(round_.id, draft.owner, draft.commendation_id or 0)
        if draft.nomination_id is not None and (existing is None or existing.id != draft.nomination_id):
            existing = await self.repo.get(draft.nomination_id)
        if existing is None:
            row = self.repo.add(
                Nomination(
                    round_id=round_.id,
                    subject=draft.subject,
                    owner=draft.owner,
                    person_id=draft.person_id,
                    unit_id=draft.unit_id,
                    report_state=ReportState.MISSING.value,
                    version=1,
                    created_by=me.person_id,
                    created_at=now,
                    **values,
                )
            )
            await self.ctx.session.flush()
            before, action = None, "nomination.submitted"
        else:
            before = self._audit(existing)
            version = draft.version if existing.id == draft.nomination_id else existing.version
            states = (NominationState.SUBMITTED.value, NominationState.WITHDRAWN.value)
            if not await self.repo.change(existing.id, version=version, states=states, values=values):
                raise Stale()
            row = await self.repo.refresh(existing)
            action = "nomination.resubmitted" if before["state"] == "withdrawn" else "nomination.edited"
        await self.repo.set_deeds(row.id, deed_ids)
        Audit(self.ctx).record(action, "nomination", row.id, before=before, after=self._audit(row))
        view = await self._view(row)
        if before is None or before["state"] == "withdrawn":
            await self._ask_report(view)
        return view

    @staticmethod
    def _audit(row: Nomination) -> dict[str, Any]:
        return {
            "state": row.state,
            "version": row.version,
            "subject": row.subject,
            "person_id": row.person_id,
            "unit_id": row.unit_id,
            "commendation_id": row.commendation_id,
            "summary_length": len(row.summary or ""),
            "file": row.file_name,
            "report_state": row.report_state,
            "report_reason": row.report_reason,
        }

    async def _own(self, nomination_id: int, *, open_: bool = True) -> Nomination:
        """A nomination the actor may act on as a nominator (the head of its unit, or the secretary)."""
        await self.lock_due()
        row = await self.repo.get(nomination_id)
        if row is None:
            raise NominationNotFound()
        if not self.may_nominate_for(row.unit_id):
            raise NotYourUnit()
        round_ = await self._round_of(row)
        if open_ and (row.state == NominationState.LOCKED.value or not await self.is_open(round_)):
            raise RoundClosed(closed=await self.closes(round_))
        return row

    async def _round_of(self, row: Nomination) -> PlanRound:
        round_ = await self.plan.round(row.round_id)
        assert round_ is not None
        return round_

    async def edit_draft(self, nomination_id: int) -> Draft:
        row = await self._own(nomination_id)
        return Draft(
            round_id=row.round_id,
            subject=row.subject,
            person_id=row.person_id,
            unit_id=row.unit_id,
            commendation_id=row.commendation_id,
            summary=row.summary,
            deed_ids=await self.repo.deed_ids(row.id),
            file_id=row.file_id,
            file_name=row.file_name,
            file_size=row.file_size,
            nomination_id=row.id,
            version=row.version,
        )

    async def withdraw(self, nomination_id: int, version: int) -> View:
        row = await self._own(nomination_id)
        if row.state != NominationState.SUBMITTED.value or row.version != version:
            raise Stale()
        before = self._audit(row)
        values = {"state": NominationState.WITHDRAWN.value, "updated_at": self.ctx.clock.now()}
        if not await self.repo.change(row.id, version=version, states=("submitted",), values=values):
            raise Stale()
        row = await self.repo.refresh(row)
        Audit(self.ctx).record(
            "nomination.withdrawn", "nomination", row.id, before=before, after=self._audit(row)
        )
        return await self._view(row)

    async def lock_due(self) -> int:
        """Lock the nominations of rounds whose window has passed (audited once each); how many."""
        now = self.ctx.clock.now()
        count = 0
        for round_id in await self.repo.rounds_with_submitted():
            round_ = await self.plan.round(round_id)
            if round_ is None or now <= await self.closes(round_):
                continue
            for nomination_id in await self.repo.lock_round(round_.id, now):
                Audit(self.ctx).record(
                    "nomination.locked",
                    "nomination",
                    nomination_id,
                    before={"state": "submitted"},
                    after={"state": "locked"},
                )
                count += 1
        return count

    # -- the achievement report ------------------------------------------------------------------------------
    async def _nominee(self, row: Nomination) -> Person | None:
        return await self.people.get(row.person_id) if row.person_id else None

    async def _heads(self, row: Nomination) -> list[Person]:
        heads = await self.roster.heads_of(row.unit_id, self.ctx.clock.today())
        return [h for h in heads if h.id != row.person_id] or await self.people.with_role(
            Role.SECRETARY, self.ctx.clock.today()
        )

    async def _writers(self, row: Nomination) -> tuple[list[Person], bool]:
        """Who writes the report: the nominee when linked and reachable, else the unit's head(s)."""
        nominee = await self._nominee(row)
        if nominee is not None and Outbox.reachable(nominee):
            return [nominee], True
        return await self._heads(row), False

    async def _ask_report(self, view: View) -> None:
        if self._texts is None:
            return
        outbox = Outbox(self.ctx)
        writers, _ = await self._writers(view.item)
        for person in writers:
            await outbox.to_person_once(
                f"nom-report:{view.item.id}:v{view.item.version}:p{person.id}",
                person,
                self._texts.report_request(view, person.language),
                kind=KIND,
                reply_markup=self._markup.for_writer(view.item.id, person.language) if self._markup else None,
            )

    async def report_target(self, nomination_id: int) -> View:
        """The nomination whose report the actor is about to write: they are its writer, the window open."""
        await self.lock_due()
        row = await self.repo.get(nomination_id)
        if row is None:
            raise NominationNotFound()
        writers, _ = await self._writers(row)
        if self.actor.person_id not in {w.id for w in writers}:
            raise NotReportWriter()
        round_ = await self._round_of(row)
        if row.state != NominationState.SUBMITTED.value or not await self.is_open(round_):
            raise RoundClosed(closed=await self.closes(round_))
        if row.report_state == ReportState.ACCEPTED.value:
            raise Stale()
        return await self._view(row)

    async def submit_report(
        self,
        nomination_id: int,
        *,
        text: str | None = None,
        file_id: str | None = None,
        file_name: str | None = None,
        mime: str | None = None,
        size: int | None = None,
    ) -> View:
        view = await self.report_target(nomination_id)
        row = view.item
        if file_id is not None:
            check_file(file_name, mime, size)
            values: dict[str, Any] = {"report_file_id": file_id, "report_text": None}
        else:
            values = {"report_text": check_report(text), "report_file_id": None}
        before = self._audit(row)
        values |= {
            "report_state": ReportState.SUBMITTED.value,
            "report_reason": None,
            "updated_at": self.ctx.clock.now(),
        }
        if not await self.repo.change(row.id, version=row.version, states=("submitted",), values=values):
            raise Stale()
        row = await self.repo.refresh(row)
        Audit(self.ctx).record(
            "nomination.report_submitted", "nomination", row.id, before=before, after=self._audit(row)
        )
        view = await self._view(row)
        if view.writer_is_nominee and self._texts is not None:
            outbox = Outbox(self.ctx)
            for head in await self._heads(row):
                await outbox.to_person_once(
                    f"nom-report-in:{row.id}:v{row.version}:p{head.id}",
                    head,
                    self._texts.report_in(view, head.language),
                    kind=KIND,
                    reply_markup=self._markup.for_reviewer(row.id, row.version, head.language)
                    if self._markup
                    else None,
                )
        return view

    async def reviewable(self, nomination_id: int, version: int) -> View:
        row = await self._own(nomination_id)
        if row.report_state != ReportState.SUBMITTED.value or row.version != version:
            raise Stale()
        if row.person_id == self.actor.person_id:
            raise NotYourUnit()
        return await self._view(row)

    async def review(
        self, nomination_id: int, version: int, *, accept: bool, reason: str | None = None
    ) -> View:
        view = await self.reviewable(nomination_id, version)
        row = view.item
        before = self._audit(row)
        values = {
            "report_state": (ReportState.ACCEPTED if accept else ReportState.RETURNED).value,
            "report_reason": None if accept else check_reason(reason),
            "updated_at": self.ctx.clock.now(),
        }
        if not await self.repo.change(row.id, version=version, states=("submitted",), values=values):
            raise Stale()
        row = await self.repo.refresh(row)
        action = "nomination.report_accepted" if accept else "nomination.report_returned"
        Audit(self.ctx).record(action, "nomination", row.id, before=before, after=self._audit(row))
        view = await self._view(row)
        nominee = await self._nominee(row)
        if view.writer_is_nominee and nominee is not None and self._texts is not None:
            await Outbox(self.ctx).to_person_once(
                f"nom-report-dec:{row.id}:v{row.version}",
                nominee,
                self._texts.report_decided(view, nominee.language),
                kind=KIND,
                reply_markup=None
                if accept or not self._markup
                else self._markup.for_writer(row.id, nominee.language),
            )
        return view

    # -- reading ---------------------------------------------------------------------------------------------
    async def _nominee_name(self, row: Nomination) -> str:
        if row.person_id is not None:
            person = await self.people.get(row.person_id)
            return person.full_name if person else "?"
        unit = await self.roster.unit(row.unit_id)
        return unit.name if unit else "?"

    async def _view(self, row: Nomination) -> View:
        round_ = await self._round_of(row)
        unit = await self.roster.unit(row.unit_id)
        title = await self.plan_row(row.commendation_id)
        assert title is not None
        period = await self.ctx.session.get(PlanPeriod, round_.period_id)
        deed_ids = await self.repo.deed_ids(row.id)
        deeds = [d for d in [await self.ctx.session.get(GoodDeed, i) for i in deed_ids] if d is not None]
        _writers, by_nominee = await self._writers(row)
        draft = Draft(
            round_id=row.round_id,
            subject=row.subject,
            person_id=row.person_id,
            unit_id=row.unit_id,
            commendation_id=row.commendation_id,
        )
        return View(
            item=row,
            nominee=await self._nominee_name(row),
            unit=unit.name if unit else "",
            title=title,
            round=round_,
            closes_at=await self.closes(round_),
            deeds=deeds,
            open=row.state != NominationState.LOCKED.value and await self.is_open(round_),
            registration_missing=await self.registration_missing(draft),
            nominee_can_read_summary=bool(period and period.nominee_can_read_summary),
            writer_is_nominee=by_nominee,
        )

    async def preview(self, draft: Draft) -> View:
        """The draft as it will be stored (nothing is written)."""
        row = Nomination(
            id=draft.nomination_id or 0,
            round_id=draft.round_id,
            subject=draft.subject,
            owner=draft.owner,
            person_id=draft.person_id,
            unit_id=draft.unit_id,
            commendation_id=draft.commendation_id,
            summary=draft.summary,
            file_name=draft.file_name,
            state="submitted",
            report_state="missing",
            version=draft.version,
        )
        view = await self._view_of_draft(row)
        view.deeds = [d for d in await self.deeds(draft) if d.id in draft.deed_ids]
        return view

    async def _view_of_draft(self, row: Nomination) -> View:
        round_ = await self._round_of(row)
        unit = await self.roster.unit(row.unit_id)
        title = await self.plan_row(row.commendation_id)
        assert title is not None
        name = (
            (await self.people.get(row.person_id)).full_name if row.person_id else (unit.name if unit else "")
        )  # type: ignore[union-attr]
        draft = Draft(
            round_id=row.round_id,
            subject=row.subject,
            person_id=row.person_id,
            unit_id=row.unit_id,
            commendation_id=row.commendation_id,
        )
        return View(
            row,
            name,
            unit.name if unit else "",
            title,
            round_,
            await self.closes(round_),
            [],
            True,
            registration_missing=await self.registration_missing(draft),
        )

    async def view(self, nomination_id: int) -> View:
        """A nomination the actor may see: a nominator of its unit, or the secretary."""
        await self.lock_due()
        row = await self.repo.get(nomination_id)
        if row is None:
            raise NominationNotFound()
        if not self.may_nominate_for(row.unit_id):
            raise NotYourUnit()
        return await self._view(row)

    async def listing(
        self, *, round_id: int = 0, commendation_id: int = 0, state: str = "", page: int = 0
    ) -> Page:
        """A head sees the unit's nominations, the secretary all of them."""
        if not can(self.ctx.actor, SUBMIT):
            raise NotNominator()
        await self.lock_due()
        units = [None] if self.is_secretary() else [u.id for u in await self.headed_units()]
        rows: list[Nomination] = []
        total = 0
        for unit_id in units:
            found, n = await self.repo.page(
                unit_id=unit_id,
                round_id=round_id,
                commendation_id=commendation_id,
                state=state,
                offset=0,
                limit=1000,
            )
            rows += found
            total += n
        page = max(page, 0)
        pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
        page = min(page, pages - 1)
        chosen = rows[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        return Page([await self._view(r) for r in chosen], total, page, pages)

    async def filter_choices(self) -> tuple[list[PlanRound], list[PlanCommendation]]:
        rounds = await self.plan.rounds_around(self.ctx.clock.now())
        titles: list[PlanCommendation] = []
        for r in rounds:
            titles += [
                c
                for c in await self.plan.commendations(r.period_id)
                if c.code in r.nominable and c not in titles
            ]
        return rounds, titles

    async def pending_reports(self) -> list[View]:
        """Reports waiting for the actor's review: of the units they head (not their own)."""
        if self.ctx.actor is None:
            return []
        await self.lock_due()
        ids = (
            [u.id for u in await self.headed_units()]
            if not self.is_secretary()
            else [g.unit_id for g in self.actor.grants if g.unit_id and self.actor.heads(g.unit_id)]
        )
        rows = await self.repo.reports_waiting(ids)
        return [await self._view(r) for r in rows if r.person_id != self.actor.person_id]

    async def of_nominee(self, person_id: int) -> list[View]:
        """The nominations of a person (not withdrawn), for their /status."""
        await self.lock_due()
        return [await self._view(r) for r in await self.repo.of_person(person_id)]

    # -- the window's extension ----------------------------------------------------------------------------
    async def extend(self, round_id: int, until: date) -> datetime:
        """Let nominations run to the end of the local day `until` (audited), ending before voting opens."""
        if not self.is_secretary():
            raise NotAllowed()
        round_ = await self._round(round_id, open_=False)
        new_close = closes_at(until).astimezone(UTC)
        voting = round_.voting_opened_early_at or round_.voting_open_at
        if until < self.ctx.clock.today():
            raise BadDate("nomination-ext-past")
        if new_close <= await self.closes(round_):
            raise BadDate("nomination-ext-not-later", closes=await self.closes(round_))
        if new_close >= voting:
            raise BadDate("nomination-ext-after-voting", voting=voting)
        existing = await self.repo.extension(round_.id)
        before = {"closes_at": (await self.closes(round_)).isoformat()}
        now = self.ctx.clock.now()
        if existing is None:
            row = self.repo.add_extension(
                NominationExtension(
                    round_id=round_.id, closes_at=new_close, set_by=self.actor.person_id, set_at=now
                )
            )
        else:
            existing.closes_at, existing.set_by, existing.set_at = new_close, self.actor.person_id, now
            row = existing
        await self.ctx.session.flush()
        Audit(self.ctx).record(
            "nomination.window_extended",
            "nomination_extension",
            row.id,
            before=before,
            after={"closes_at": new_close.isoformat(), "round": round_.code},
        )
        return new_close


# -- the reminders' audiences (bot/services/reminder_audiences.py) -------------------------------------------
@unit_items("nominations_close")
async def units_to_nominate(session: AsyncSession, occ: Occurrence) -> dict[int, dict[str, int]]:
    """Per unit: nominated nobody in the round yet; achievement reports waiting to be reviewed."""
    out: dict[int, dict[str, int]] = {}
    nominated = (
        select(Nomination.id)
        .where(
            Nomination.round_id == occ.round_id,
            Nomination.unit_id == Unit.id,
            Nomination.state != NominationState.WITHDRAWN.value,
        )
        .exists()
    )
    staffed = select(Person.id).where(Person.unit_id == Unit.id, Person.active.is_(True)).exists()
    for (unit_id,) in (
        await session.execute(select(Unit.id).where(Unit.active.is_(True), staffed, ~nominated))
    ).all():
        out.setdefault(unit_id, {})["nominated_nobody"] = 1
    reports = (
        select(Nomination.unit_id, func.count())
        .where(
            Nomination.round_id == occ.round_id,
            Nomination.state != NominationState.WITHDRAWN.value,
            Nomination.report_state == ReportState.SUBMITTED.value,
            # a head's own report is the secretary's to review (`reviewable`)
            ~heads_the_unit(Nomination.person_id, Nomination.unit_id, occ.today or date.today()),
        )
        .group_by(Nomination.unit_id)
    )
    for unit_id, n in (await session.execute(reports)).all():
        out.setdefault(unit_id, {})["reports_to_review"] = n
    return out
