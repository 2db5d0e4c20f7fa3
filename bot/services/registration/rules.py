"""The registration's limits, authority, errors, checks of what is typed, the draft, the window and the
view (no aiogram, no wording).
"""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bot.errors import DomainError, NotAllowed, NotFound
from bot.i18n import t
from bot.roles import Role, Scope, register_rules
from bot.services.plan import register_reference
from bot.text import nfc
from storage.models.plan import PlanSchoolYear
from storage.models.registration import (
    Registration,
    RegistrationExtension,
    RegistrationMovement,
    RegistrationState,
    RegistrationSubject,
)

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


class NotYoursToReturn(NotAllowed):
    key = "registration-not-yours-to-return"


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
    return_reason: str | None = None  # why it was returned: in sight while it is edited (issue 18, D23)

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
    draft: bool = False  # the review before sending: not stored, or not yet sent again (issue 18, D23)

    def state_label(self, locale: str | None = None) -> str:
        if self.draft:
            return t("registration-state-draft", locale=locale)
        return t(f"registration-state-{self.item.state}", locale=locale)


def plan_name(row: Any, locale: str | None) -> str:
    value = getattr(row, f"name_{locale or 'vi'}", None) or getattr(row, "name_vi", "")
    return str(value or "")


# -- texts and buttons on queued messages ----------------------------------------------------------------
class RegistrationTexts(Protocol):
    """The texts the service queues (handlers/render/registration.py words them)."""

    def card(self, view: View, locale: str | None = None, *, title_key: str = ...) -> str: ...

    def decided_for_owner(self, view: View, locale: str | None, *, returned: bool) -> str: ...

    def extension_told(
        self, name: str, year: str, closes: datetime, locale: str | None, *, principal: bool = False
    ) -> str: ...


class RegistrationMarkup(Protocol):
    """Inline keyboards as JSON-ready dicts (handlers/registration.py implements it)."""

    def for_decider(self, registration_id: int, version: int, locale: str) -> dict[str, Any] | None: ...

    def for_owner(self, registration_id: int, locale: str) -> dict[str, Any] | None: ...

    def for_endorsed(self, registration_id: int, version: int, locale: str) -> dict[str, Any] | None: ...


class NoMarkup:
    def for_decider(self, registration_id: int, version: int, locale: str) -> dict[str, Any] | None:
        return None

    def for_owner(self, registration_id: int, locale: str) -> dict[str, Any] | None:
        return None

    def for_endorsed(self, registration_id: int, version: int, locale: str) -> dict[str, Any] | None:
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
