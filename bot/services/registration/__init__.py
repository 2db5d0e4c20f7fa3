"""Start-of-year emulation registration (đăng ký thi đua đầu năm học): staff and units register, heads endorse

The rules live here; no aiogram. One registration per person (individual) or unit (collective) per school
year, whatever rounds the year holds. It goes to the unit head or the acting deputy for endorsement; a
head's own, a unit's collective one and one from a unit with no linked head go to the secretary. The first
to act wins (a conditional UPDATE on state and version); every change is audited.

`RegistrationService(ctx).window(...)` answers "is registration open for this person (or unit) now?",
honouring the secretary's extensions for the college or the unit: the reminders feature reads it too.
The parts, along their seams:

- rules.py: limits, authority, errors, checks, the draft, the window and the view;
- core.py: the actor, the school year and its window, who decides, the view of a row;
- submit.py: starting, the draft's steps, the preview, submitting, withdrawing;
- deciding.py: endorsing and returning (a submitted one, or an endorsed one while the window is open);
- reading.py: /pending's part, the secretary's list, one's own;
- window.py: the secretary's extension and who is told of it;
- audiences.py: the reminders' audiences (not registered, to endorse).
"""

from __future__ import annotations

from bot.clock import fmt_when

from . import audiences
from .audiences import not_registered
from .deciding import Deciding
from .reading import Reading
from .rules import (
    EDITABLE,
    KIND,
    PAGE_SIZE,
    REASON_MAX,
    REASON_MIN,
    TEXT_MAX,
    TEXT_MIN,
    AlreadyEndorsed,
    AlreadyRegistered,
    BadDate,
    BadTitle,
    CommitmentsEmpty,
    CommitmentsOnlyEmoji,
    CommitmentsTooLong,
    CommitmentsTooShort,
    Draft,
    NoMarkup,
    NoMovement,
    NoSchoolYear,
    NotHead,
    NotLinked,
    NotSecretary,
    NotYoursToReturn,
    NotYourUnit,
    Page,
    ReasonTooLong,
    ReasonTooShort,
    RegistrationMarkup,
    RegistrationNotFound,
    RegistrationTexts,
    Stale,
    Start,
    View,
    Window,
    WindowClosed,
    WindowNotOpen,
    check_commitments,
    check_reason,
    request_key,
)
from .submit import Submitting
from .window import Windows


class RegistrationService(Submitting, Deciding, Reading, Windows):
    """The face the handlers call: `RegistrationService(ctx, markup, texts)`."""


__all__ = [
    "EDITABLE",
    "KIND",
    "PAGE_SIZE",
    "REASON_MAX",
    "REASON_MIN",
    "TEXT_MAX",
    "TEXT_MIN",
    "AlreadyEndorsed",
    "AlreadyRegistered",
    "BadDate",
    "BadTitle",
    "CommitmentsEmpty",
    "CommitmentsOnlyEmoji",
    "CommitmentsTooLong",
    "CommitmentsTooShort",
    "Draft",
    "NoMarkup",
    "NoMovement",
    "NoSchoolYear",
    "NotHead",
    "NotLinked",
    "NotSecretary",
    "NotYourUnit",
    "NotYoursToReturn",
    "Page",
    "ReasonTooLong",
    "ReasonTooShort",
    "RegistrationMarkup",
    "RegistrationNotFound",
    "RegistrationService",
    "RegistrationTexts",
    "Stale",
    "Start",
    "View",
    "Window",
    "WindowClosed",
    "WindowNotOpen",
    "audiences",
    "check_commitments",
    "check_reason",
    "fmt_when",
    "not_registered",
    "request_key",
]
