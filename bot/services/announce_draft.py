"""What an announcement is made of, and what is checked as the sender types it. No aiogram here.

- `Draft`: what the sender is composing, kept in the conversation's data (plain JSON).
- `parts(text, photo)`: what each recipient gets: a photo with the text as its caption when the text fits
  1024 characters (counted after parsing), else the photo alone and then the text, split at 4096.
- `check_line`, `check_text`: a line of achievement, a whole text, within their limits.
- `parse_decision(text, today)`: "45/QĐ-CĐKT 20/05/2026": a decision's number and date, not in the future.
- `parse_when(text, ctx)`: a time to send at, in the future; `quiet_window(ctx, when)`: the quiet hours that
  hold it (a post scheduled or sent in them is confirmed first: `QuietTime`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.clock import example_when, fmt_date, fmt_when, parse_day
from bot.clock import parse_when as typed_when
from bot.context import Ctx
from bot.errors import DomainError
from bot.services.reminder_times import QuietHours
from bot.text import split_message
from bot.tghtml import visible_length

KIND, PROGRESS_KIND = "broadcast", "bc-progress"
CAPTION_MAX, MESSAGE_MAX, TEXT_MAX, LINE_MAX, NUMBER_MAX = 1024, 4096, 12_000, 300, 60
CB = "bcf"  # handlers.announce.BcCb: "bcf:<op>:<id>"
DECISION_EXAMPLE = "45/QĐ-CĐKT"  # a decision's number, shown with today's date as what to type


def bc_data(op: str, broadcast_id: int) -> str:
    return f"{CB}:{op}:{broadcast_id}"


def batch_of(broadcast_id: int, round_: int) -> str:
    return f"bc:{broadcast_id}:{round_}"


def decision_example(today: date) -> str:
    """What to show as a decision to type: a number and today's date (never a day in the future)."""
    return f"{DECISION_EXAMPLE} {fmt_date(today)}"


# -- errors a person can cause ---------------------------------------------------------------------------
class ScheduleInPast(DomainError):
    key = "announce-when-past"


class WhenUnclear(DomainError):
    key = "announce-when-unclear"


class DecisionUnclear(DomainError):
    key = "announce-decision-unclear"


class DecisionInFuture(DomainError):
    key = "announce-decision-future"


class TextTooLong(DomainError):
    key = "announce-text-too-long"


class LineTooLong(DomainError):
    key = "announce-line-too-long"


class QuietTime(DomainError):
    """A post would go in the quiet hours: the sender confirms, or moves it to their end (`until`)."""

    key = "announce-quiet-when"

    def __init__(self, when: datetime | None, until: datetime, hours: str, locale: str | None = None) -> None:
        key = "announce-quiet-now" if when is None else self.key
        params = {"hours": hours, "until": fmt_when(until, locale)}
        super().__init__(key, **params, **({"when": fmt_when(when, locale)} if when else {}))
        self.when, self.until = when, until


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


_DECISION = re.compile(  # "Quyết định số" / "Số" typed before the number: the template says it already
    r"(?:quyết\s+định\s+)?(?:số\s+)?(?P<number>.+?)[\s,]+(?:ngày\s+)?(?P<day>\d{1,2}[/.-]\d{1,2}[/.-]\d{4})$",
    re.I,
)


def parse_decision(text: str, today: date) -> tuple[str, date]:
    """ "45/QĐ-CĐKT 20/05/2026" (or "Quyết định số 45/QĐ-CĐKT ngày 20/05/2026") → ("45/QĐ-CĐKT",
    2026-05-20); a decision is signed by today at the latest."""
    m = _DECISION.match(" ".join((text or "").split()))
    day = parse_day(m.group("day")) if m else None
    if m is None or day is None or len(m.group("number")) > NUMBER_MAX:
        raise DecisionUnclear(example=decision_example(today))
    if day > today:
        raise DecisionInFuture(date=fmt_date(day), today=fmt_date(today))
    return m.group("number"), day


def parse_when(text: str, ctx: Ctx) -> datetime:
    """ "08:00 20/05/2026" (or "20/05/2026 08:00") on the college's clock: an aware instant, in the future."""
    local = typed_when(text, ctx.clock.tz, ctx.clock.today())
    if local is None:
        raise WhenUnclear(example=example_when(ctx.clock.now(), ctx.clock.tz))
    if local <= ctx.clock.now():
        raise ScheduleInPast(when=fmt_when(local))
    return local


def quiet_window(ctx: Ctx, when: datetime) -> tuple[datetime, datetime] | None:
    """The quiet hours (REMINDER_QUIET_HOURS) that hold `when`, or None."""
    return QuietHours.parse(ctx.settings.reminder_quiet_hours, ctx.settings.tz).window_of(when)


def check_quiet(ctx: Ctx, when: datetime | None, locale: str | None = None) -> None:
    """Refuse a post at `when` (None: now) in the quiet hours, unless the sender confirmed it."""
    window = quiet_window(ctx, when or ctx.clock.now())
    if window is not None:
        begin, end = window
        raise QuietTime(when, end, f"{begin:%H:%M}–{end:%H:%M}", locale)
