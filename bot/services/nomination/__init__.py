"""Commendation nominations (đề nghị khen thưởng): a unit head nominates a person of the unit, or the unit;
the secretary nominates anyone, a unit head included (a head never nominates himself).

The rules live here; no aiogram, no wording (the texts it queues come from handlers/render/nomination.py,
handed in as `texts`, and the buttons as `markup`). A nomination is open for edits and withdrawal while the
round is in its "nominating" phase (the plan's window, or the secretary's extension, which ends before voting
opens); after that the due work locks it (`lock_due`), and until then it reads as locked. The achievement
report is written by the nominee (a linked, reachable person) or else by the unit head, and reviewed by the
unit's head, or by the secretary when it is a head's own or the unit has none. Every state change is
audited. The parts, along their seams:

- rules.py: limits, errors, checks, the draft and the view;
- core.py: the actor, the window and its locking, who writes and who reviews, the view of a row;
- submit.py: the draft's steps, submitting, editing, withdrawing, the window's extension;
- report.py: the achievement report, the copies of its requests, nominees who join later;
- reading.py: cards, lists, the preview, the reminders' audience.
"""

from __future__ import annotations

from .reading import Reading, units_to_nominate
from .report import Reporting
from .rules import (
    FILE_MAX_BYTES,
    FILE_TYPES,
    KIND,
    MANAGE,
    PAGE_SIZE,
    REASON_MAX,
    REASON_MIN,
    REPORT_MAX,
    REPORT_MIN,
    SUBMIT,
    SUMMARY_MAX,
    SUMMARY_MIN,
    AboutYou,
    AlreadyNominated,
    BadDate,
    Draft,
    FileTooLarge,
    FileTypeNotAllowed,
    NominationMarkup,
    NominationNotFound,
    NominationTexts,
    NoRoundOpen,
    NotNominator,
    NotReportWriter,
    NotReviewer,
    NotYourself,
    NotYourUnit,
    Page,
    ReasonTooLong,
    ReasonTooShort,
    ReportClosed,
    ReportTooLong,
    ReportTooShort,
    RoundClosed,
    Stale,
    SummaryTooLong,
    SummaryTooShort,
    TitleNotAllowed,
    View,
    check_file,
    check_reason,
    check_report,
    check_summary,
)


class NominationService(Reading, Reporting):
    """The face the handlers call: every part of the service in one."""


__all__ = [
    "FILE_MAX_BYTES",
    "FILE_TYPES",
    "KIND",
    "MANAGE",
    "PAGE_SIZE",
    "REASON_MAX",
    "REASON_MIN",
    "REPORT_MAX",
    "REPORT_MIN",
    "SUBMIT",
    "SUMMARY_MAX",
    "SUMMARY_MIN",
    "AboutYou",
    "AlreadyNominated",
    "BadDate",
    "Draft",
    "FileTooLarge",
    "FileTypeNotAllowed",
    "NoRoundOpen",
    "NominationMarkup",
    "NominationNotFound",
    "NominationService",
    "NominationTexts",
    "NotNominator",
    "NotReportWriter",
    "NotReviewer",
    "NotYourUnit",
    "NotYourself",
    "Page",
    "ReasonTooLong",
    "ReasonTooShort",
    "ReportClosed",
    "ReportTooLong",
    "ReportTooShort",
    "RoundClosed",
    "Stale",
    "SummaryTooLong",
    "SummaryTooShort",
    "TitleNotAllowed",
    "View",
    "check_file",
    "check_reason",
    "check_report",
    "check_summary",
    "units_to_nominate",
]
