"""The rules of a nomination that need no database: limits, the errors a person can cause, the checks on
what they type or send, the draft kept in the conversation, the view a card is worded from."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bot.errors import DomainError, NotAllowed, NotFound
from bot.roles import Role, Scope, register_rules
from bot.services import checks
from bot.services.checks import sized_text
from bot.services.plan import register_reference
from bot.text import nfc
from storage.models.good_deed import GoodDeed
from storage.models.nomination import Nomination, NominationExtension
from storage.models.plan import PlanCommendation, PlanRound
from storage.models.registration import owner_key

SUMMARY_MIN, SUMMARY_MAX = 50, 3000
REPORT_MIN, REPORT_MAX = 50, 4000  # as the summary's minimum: "ok" is no report
REASON_MIN, REASON_MAX = 5, 500  # every reason of the house: at least 5 characters, with a letter or a digit
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


class AboutYou(NotAllowed):
    """The nomination is about the actor: only the secretary handles one about herself."""

    key = "nomination-about-you"


class NotYourself(NotAllowed):
    key = "nomination-not-yourself"


class TitleNotAllowed(DomainError):
    key = "nomination-title-not-allowed"


class AlreadyNominated(DomainError):
    key = "nomination-already"


class SummaryTooShort(DomainError):
    key = "nomination-summary-too-short"


class SummaryTooLong(DomainError):
    key = "nomination-summary-too-long"


class ReportTooShort(DomainError):
    key = "nomination-report-too-short"


class ReportTooLong(DomainError):
    key = "nomination-report-too-long"


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


class ReportClosed(DomainError):
    """A report press the nominee can no longer use (accepted, locked, withdrawn): words for a nominee,
    who has /status and no /nominations."""

    key = "nomination-report-closed"


class NotReportWriter(NotAllowed):
    key = "nomination-not-report-writer"


class NotReviewer(NotAllowed):
    key = "nomination-not-reviewer"


class BadDate(DomainError):
    pass


def check_summary(text: str | None) -> str:
    return sized_text(text, SUMMARY_MIN, SUMMARY_MAX, SummaryTooShort, SummaryTooLong)


def check_report(text: str | None) -> str:
    return sized_text(text, REPORT_MIN, REPORT_MAX, ReportTooShort, ReportTooLong)


def check_reason(text: str | None) -> str:
    value = sized_text(text, REASON_MIN, REASON_MAX, ReasonTooShort, ReasonTooLong)
    if not any(ch.isalnum() for ch in nfc(value)):
        raise ReasonTooShort(length=len(value), min=REASON_MIN)
    return value


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
    """A nomination with the names it is shown with, and what the actor may do with it now."""

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
    # as it stands: "draft" (a preview, not sent), "submitted", "withdrawn", "locked" (also a submitted one
    # whose window has passed before the due work locked it)
    state: str = "submitted"
    nominator: str = ""  # who nominated (the row's creator) and when
    nominated_at: datetime | None = None
    may_write: bool = False  # the actor writes the report (its window open, not accepted)
    may_review: bool = False  # the actor reviews the report waiting now

    @property
    def number(self) -> int:
        """The one number of the nomination (and of its report), wherever it is shown."""
        return self.item.id


@dataclass
class Page:
    items: list[View]
    total: int
    page: int
    pages: int


class NominationTexts(Protocol):
    """What the service queues, worded by handlers/render/nomination.py. `principal`: the nominee is the
    principal, addressed by the title ("Kính gửi Hiệu trưởng …"). `kind` of a settled request: "written",
    "reviewed" or "joined"."""

    def report_request(self, view: View, locale: str | None, *, principal: bool = False) -> str: ...

    def report_in(self, view: View, locale: str | None) -> str: ...

    def report_decided(self, view: View, locale: str | None, *, principal: bool = False) -> str: ...

    def request_settled(self, view: View, actor: str, locale: str | None, *, kind: str) -> str: ...


class NominationMarkup(Protocol):
    def for_writer(self, nomination_id: int, locale: str) -> dict[str, Any] | None: ...

    def for_reviewer(self, nomination_id: int, version: int, locale: str) -> dict[str, Any] | None: ...

    def settled(self, view: View, locale: str, *, kind: str) -> dict[str, Any] | None: ...
