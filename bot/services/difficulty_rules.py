"""Difficulties: what the service speaks in. The limits, the errors a person can cause, the checks on what
they type or send, the draft kept in the conversation, the topics, the views and pages the service returns,
and the protocols of the texts and buttons it queues. `bot.services.difficulty` holds the rules that act.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from bot.clock import fmt_date, fmt_when
from bot.errors import DomainError, NotAllowed, NotFound
from bot.i18n import t
from bot.services import checks
from bot.services.checks import sized_text
from bot.text import clip, esc
from storage.models.difficulty import Difficulty, DifficultyState
from storage.repositories.difficulty import UNANSWERED

TEXT_MIN, TEXT_MAX = 10, 2000
REPLY_MIN, REPLY_MAX = 2, 2000
FILE_MAX_BYTES = 10 * 1024 * 1024
# extension -> the MIME types Telegram reports for it
FILE_TYPES: dict[str, frozenset[str]] = {
    "pdf": frozenset({"application/pdf"}),
    "doc": frozenset({"application/msword"}),
    "docx": frozenset({"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}),
    "xls": frozenset({"application/vnd.ms-excel"}),
    "xlsx": frozenset({"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
    "jpg": frozenset({"image/jpeg"}),
    "jpeg": frozenset({"image/jpeg"}),
    "png": frozenset({"image/png"}),
}
# what some clients report for DOCX/XLSX files
PAGE_SIZE = 5
TOPICS_MAX = 12  # movements, and rounds, offered as buttons
MESSAGE_BUDGET = 4000  # under Telegram's 4096, leaving room for the lines around the parts
CAPTION_MAX = 1024


# -- errors a person can cause -------------------------------------------------------------------------------
class TextTooShort(DomainError):
    key = "difficulty-text-too-short"


class TextTooLong(DomainError):
    key = "difficulty-text-too-long"


class ReplyTooShort(DomainError):
    key = "difficulty-reply-too-short"


class ReplyTooLong(DomainError):
    key = "difficulty-reply-too-long"


class FileTypeNotAllowed(DomainError):
    key = "difficulty-file-type"


class FileTooLarge(DomainError):
    key = "difficulty-file-too-large"


class DifficultyNotFound(NotFound):
    key = "difficulty-not-found"


class NotSecretary(NotAllowed):
    key = "difficulty-not-secretary"


class NotPrincipal(NotAllowed):
    key = "difficulty-not-principal"


class NotYourUnit(NotAllowed):
    key = "difficulty-not-your-unit"


class Settled(DomainError):
    """Someone came first: carries the item so that the handler can show what came of it."""

    alert_key: str  # the short form for a button's alert

    def __init__(self, view: ItemView, **params: Any) -> None:
        super().__init__(id=view.item.id, **params)
        self.view = view

    def alert(self) -> str:
        return t(self.alert_key, id=self.view.item.id)


class AlreadyAnswered(Settled):
    key = "difficulty-already-answered"
    alert_key = "difficulty-already-answered-alert"

    def __init__(self, view: ItemView) -> None:
        item = view.item
        super().__init__(
            view,
            name=esc(view.answerer or ""),
            at=fmt_when(item.answered_at) if item.answered_at else "",
            answer=clip(item.answer or "", 3000),
        )


class AlreadyForwarded(Settled):
    key = alert_key = "difficulty-already-forwarded"

    def __init__(self, view: ItemView) -> None:
        super().__init__(view, date=fmt_date(view.item.forwarded_at or view.item.created_at))

    def alert(self) -> str:
        return self.text()


class NotForwarded(DomainError):
    key = "difficulty-not-forwarded"


class AlreadyReplied(Settled):
    key = "difficulty-already-replied"
    alert_key = "difficulty-already-replied-alert"

    def __init__(self, view: ItemView) -> None:
        super().__init__(view, reply=clip(view.item.principal_reply or "", 3000))


class NoPrincipal(DomainError):
    key = "difficulty-no-principal"


# -- checks on what a person types or sends ------------------------------------------------------------------
def check_text(text: str | None) -> str:
    return sized_text(text, TEXT_MIN, TEXT_MAX, TextTooShort, TextTooLong)


def check_reply(text: str | None) -> str:
    return sized_text(text, REPLY_MIN, REPLY_MAX, ReplyTooShort, ReplyTooLong)


def check_size(size: int | None) -> None:
    checks.check_size(size, FILE_MAX_BYTES, FileTooLarge)


def check_document(file_name: str | None, mime_type: str | None, size: int | None) -> None:
    """PDF, DOC/DOCX, XLS/XLSX, JPG/PNG up to 10 MB; the extension and the MIME type must agree."""
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
    unit_id: int | None = None
    on_behalf_of_unit: bool = False
    text: str = ""
    file_id: str | None = None
    file_kind: str | None = None  # document | photo
    file_name: str | None = None
    topic_kind: str | None = None  # movement | round
    topic_code: str | None = None

    def as_state(self) -> dict[str, Any]:
        return {"draft": asdict(self)}

    @classmethod
    def from_state(cls, data: dict[str, Any]) -> Draft:
        raw = data.get("draft") or {}
        return cls(**{k: v for k, v in raw.items() if k in cls.__dataclass_fields__})


# -- the plan: movements and rounds a difficulty may concern -------------------------------------------------
@dataclass(frozen=True)
class Topic:
    kind: str  # movement | round
    code: str
    names: dict[str, str] = field(default_factory=dict)

    def label(self, locale: str) -> str:
        return self.names.get(locale) or self.names.get("vi") or self.code


# -- what the messages show ----------------------------------------------------------------------------------
@dataclass
class ItemView:
    item: Difficulty
    author: str
    unit: str | None
    topic: Topic | None = None
    answerer: str | None = None
    principal: str | None = None

    @property
    def can_answer(self) -> bool:
        return self.item.state != DifficultyState.ANSWERED.value

    @property
    def can_forward(self) -> bool:
        return self.item.state == DifficultyState.OPEN.value

    @property
    def can_reply(self) -> bool:
        """The principal may still give an opinion: forwarded, and none given yet."""
        return self.item.forwarded_at is not None and not self.item.principal_reply


# -- texts and buttons on queued messages ----------------------------------------------------------------
class DifficultyTexts(Protocol):
    """The texts the service queues (handlers/render/difficulty.py words them)."""

    def card(self, view: ItemView, locale: str | None = None, *, title_key: str = ...) -> str: ...

    def answer_for_author(self, view: ItemView, locale: str | None) -> str: ...

    def reply_for_secretary(self, view: ItemView, locale: str | None) -> str: ...

    def file_caption(self, item: Difficulty, locale: str | None) -> str: ...


class DifficultyMarkup(Protocol):
    """Inline keyboards as JSON-ready dicts (handlers/keyboards.py implements it)."""

    def for_secretary(
        self, item_id: int, locale: str, *, can_answer: bool, can_forward: bool
    ) -> dict[str, Any] | None: ...

    def for_principal(self, item_id: int, locale: str) -> dict[str, Any] | None: ...


class NoMarkup:
    def for_secretary(
        self, item_id: int, locale: str, *, can_answer: bool, can_forward: bool
    ) -> dict[str, Any] | None:
        return None

    def for_principal(self, item_id: int, locale: str) -> dict[str, Any] | None:
        return None


@dataclass
class Page:
    items: list[ItemView]
    total: int
    page: int
    pages: int
    unit: str | None = None  # the name of the unit the secretary's list is filtered on


LIST_STATES: dict[str, tuple[str, ...] | None] = {
    "all": None,
    "open": UNANSWERED,
    "ans": (DifficultyState.ANSWERED.value,),
}
FORWARDED = "fwd"  # the principal's list: the items forwarded for their opinion
