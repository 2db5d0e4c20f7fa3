"""The achievement report (báo cáo thành tích): asking its writer, writing it, reviewing it; every copy of a
request shows the outcome once someone acts; a nominee who joins later is asked then."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.services.audit import Audit
from bot.services.outbox import Outbox
from storage.models import OutboxMessage, Person
from storage.models.nomination import Nomination, NominationState, ReportState

from .core import Core
from .rules import (
    KIND,
    NominationNotFound,
    NotReportWriter,
    NotReviewer,
    ReportClosed,
    RoundClosed,
    Stale,
    View,
    check_file,
    check_reason,
    check_report,
)


def ask_key(row: Nomination, person_id: int) -> str:
    return f"nom-report:{row.id}:v{row.version}:p{person_id}"


class Reporting(Core):
    async def _ask_report(self, view: View) -> None:
        if self._texts is None:
            return
        outbox = Outbox(self.ctx)
        writers, by_nominee = await self._writers(view.item)
        for person in writers:
            principal = by_nominee and await self._is_principal(person)
            await outbox.to_person_once(
                ask_key(view.item, person.id),
                person,
                self._texts.report_request(view, person.language, principal=principal),
                kind=KIND,
                reply_markup=self._markup.for_writer(view.item.id, person.language) if self._markup else None,
            )

    async def report_target(self, nomination_id: int) -> View:
        """The nomination whose report the actor is about to write: they are its writer, the window open.
        A press that can no longer be used says so in words a nominee can act on (/status)."""
        row = await self.repo.get(nomination_id)
        if row is None:
            raise NominationNotFound()
        writers, _ = await self._writers(row)
        if self.actor.person_id not in {w.id for w in writers}:
            raise NotReportWriter()
        view = await self._view(row)
        if row.state == NominationState.WITHDRAWN.value:
            raise ReportClosed("nomination-report-closed-withdrawn")
        if row.report_state == ReportState.ACCEPTED.value:
            raise ReportClosed("nomination-report-closed-accepted")
        if not view.open:
            raise ReportClosed("nomination-report-closed", closed=view.closes_at)
        return view

    @staticmethod
    def check_report(text: str | None) -> str:
        return check_report(text)

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
            # a nominee has no /nominations: her words point to /status; a head's to /nominations
            raise Stale("nomination-report-stale") if view.writer_is_nominee else Stale()
        row = await self.repo.refresh(row)
        Audit(self.ctx).record(
            "nomination.report_submitted", "nomination", row.id, before=before, after=self._audit(row)
        )
        view = await self._view(row)
        await self._settle(view, f"nom-report:{row.id}:", "written", self.actor.full_name)
        await self._ask_review(view)
        return view

    async def _ask_review(self, view: View) -> None:
        """The report waits for its reviewers (heads, or the secretary: `_reviewers`), but the writer."""
        if self._texts is None:
            return
        row = view.item
        outbox = Outbox(self.ctx)
        reviewers, _ = await self._reviewers(row)
        for person in reviewers:
            if person.id in (self.actor.person_id, row.person_id):
                continue
            await outbox.to_person_once(
                f"nom-report-in:{row.id}:v{row.version}:p{person.id}",
                person,
                self._texts.report_in(view, person.language),
                kind=KIND,
                reply_markup=self._markup.for_reviewer(row.id, row.version, person.language)
                if self._markup
                else None,
            )

    async def reviewable(self, nomination_id: int, version: int) -> View:
        """A report the actor may review now: routed to them (never their own), waiting, the window open."""
        row = await self.repo.get(nomination_id)
        if row is None:
            raise NominationNotFound()
        if not await self._may_review(row):
            raise NotReviewer()
        view = await self._view(row)
        if not view.open or row.state != NominationState.SUBMITTED.value:
            raise RoundClosed(closed=view.closes_at)
        if row.report_state != ReportState.SUBMITTED.value or row.version != version:
            raise Stale()
        return view

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
        await self._settle(view, f"nom-report-in:{row.id}:v{version}:p", "reviewed", self.actor.full_name)
        nominee = await self._nominee(row)
        if view.writer_is_nominee and nominee is not None and self._texts is not None:
            await Outbox(self.ctx).to_person_once(
                f"nom-report-dec:{row.id}:v{row.version}",
                nominee,
                self._texts.report_decided(
                    view, nominee.language, principal=await self._is_principal(nominee)
                ),
                kind=KIND,
                reply_markup=None
                if accept or not self._markup
                else self._markup.for_writer(row.id, nominee.language),
            )
        return view

    async def _settle(self, view: View, prefix: str, kind: str, actor: str) -> None:
        """Every copy of a request (the deputy's too) queued under `prefix` and not edited yet is edited to
        show what was done, by whom and when (the pressed one too: an edit that changes nothing is done)."""
        if self._texts is None:
            return
        sent = (
            await self.ctx.session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.idempotency_key.like(prefix + "%"), OutboxMessage.method == "message"
                )
            )
        ).all()
        edited = set(
            (
                await self.ctx.session.scalars(
                    select(OutboxMessage.edit_of_id).where(OutboxMessage.edit_of_id.in_([m.id for m in sent]))
                )
            ).all()
        )
        outbox = Outbox(self.ctx)
        for msg in sent:
            if msg.id in edited or msg.status in ("cancelled", "failed"):
                continue
            person = await self.people.get(msg.person_id) if msg.person_id else None
            locale = person.language if person else "vi"
            outbox.enqueue(
                msg.chat_id,
                self._texts.request_settled(view, actor, locale, kind=kind),
                kind=KIND,
                person_id=msg.person_id,
                method="edit",
                edit_of=msg,
                reply_markup=self._markup.settled(view, locale, kind=kind) if self._markup else None,
            )

    # -- a nominee who joins after being nominated --------------------------------------------------------
    async def ask_joined_nominees(self) -> int:
        """Ask for the report the nominees who have joined (or can be reached again) since they were
        nominated, once each; their heads' copies of the request say the nominee writes it now."""
        asked = 0
        for row, person in await self.repo.reports_for_linked():
            prefix = f"nom-report:{row.id}:"
            if await self._asked(prefix, person):
                continue
            view = await self._view(row)
            if not view.open or not view.writer_is_nominee:
                continue
            await self._settle(view, prefix, "joined", person.full_name)
            await self._ask_report(view)
            asked += 1
        return asked

    async def _asked(self, prefix: str, person: Person) -> bool:
        found = await self.ctx.session.scalar(
            select(OutboxMessage.id)
            .where(OutboxMessage.idempotency_key.like(f"{prefix}%:p{person.id}"))
            .limit(1)
        )
        return found is not None
