"""The plan file's values on their own: where a problem is (`PlanIssue`, `PlanError`), and the value
types its models are built of (codes, local days and moments, amounts in đồng, exact shares, offsets) with
the closed vocabularies (subjects, deadlines, audiences). `bot.plan.schema` builds the models on them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, PlainValidator
from pydantic_core import PydanticCustomError

from bot.i18n import tn
from bot.plan.calendar import LOCAL_TZ
from bot.plan.messages import DIAGNOSTIC_LOCALE, render, template

Loc = tuple[str | int, ...]

# ---------------------------------------------------------------------------------------------
# Problems


def format_path(loc: Sequence[str | int]) -> str:
    """('rounds', 2, 'windows', 'voting_close') -> 'rounds[2].windows.voting_close'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass(frozen=True)
class PlanIssue:
    """One problem in a plan file: where (`loc`, `line`), and what (`key` + `params`)."""

    loc: Loc
    key: str
    params: Mapping[str, Any] = field(default_factory=dict)
    line: int | None = None

    @property
    def path(self) -> str:
        return format_path(self.loc)

    @property
    def message(self) -> str:
        """The problem in English (logs and exceptions); `text(locale)` for a reader."""
        return render(self.key, self.params)

    def text(self, locale: str | None = None) -> str:
        return render(self.key, self.params, locale)

    def format(self, locale: str | None = None) -> str:
        """`path: message (line N)`, in `locale` (default English)."""
        message = self.text(locale)
        text = f"{self.path}: {message}" if self.loc else message
        if self.line is None:
            return text
        return f"{text} {render('plan-at-line', {'line': self.line}, locale)}"

    def __str__(self) -> str:
        return self.format()


class PlanError(Exception):
    """A plan file that cannot be used; `issues` says every reason found."""

    def __init__(self, issues: Sequence[PlanIssue], filename: str | None = None) -> None:
        self.issues = list(issues)
        self.filename = filename
        super().__init__(str(self))

    def report(self, locale: str | None = None) -> str:
        """A heading and one line per problem, in `locale` (default English)."""
        head = f"{self.filename}: " if self.filename else ""
        count = tn("plan-problems", len(self.issues), locale=locale or DIAGNOSTIC_LOCALE)
        lines = "\n".join(f"  {issue.format(locale)}" for issue in self.issues)
        return f"{head}{count}\n{lines}"

    def __str__(self) -> str:
        return self.report()


def _error(key: str, **params: Any) -> PydanticCustomError:
    return PydanticCustomError(key, template(key), params)


# ---------------------------------------------------------------------------------------------
# Value types

CODE_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
_SCHOOL_YEAR_RE = re.compile(r"(\d{4})-(\d{4})")
_OFFSET_RE = re.compile(r"(\d+)([dhm])")
_DMY_RE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2}))?")
_OFFSET_UNITS = {"d": "days", "h": "hours", "m": "minutes"}
_DOTTED_AMOUNT_RE = re.compile(r"\d{1,3}(?:\.\d{3})+")


def _check_code(value: str) -> str:
    if not CODE_RE.fullmatch(value):
        raise _error("plan-bad-code", value=value)
    return value


def _check_school_year_code(value: str) -> str:
    match = _SCHOOL_YEAR_RE.fullmatch(value)
    if not match or int(match[2]) != int(match[1]) + 1:
        raise _error("plan-school-year-code", value=value)
    return value


def _parse_text_moment(text: str) -> date | datetime | None:
    text = text.strip()
    match = _DMY_RE.fullmatch(text)
    try:
        if match:
            day, month, year, hour, minute = match.groups()
            if hour is None:
                return date(int(year), int(month), int(day))
            return datetime(int(year), int(month), int(day), int(hour), int(minute))
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _local_naive(value: datetime) -> datetime:
    if value.tzinfo is not None:
        value = value.astimezone(LOCAL_TZ)
    return value.replace(tzinfo=None, microsecond=0)


def _parse_moment(value: Any) -> date | datetime:
    """A local day, or a naive local time: from YAML dates/timestamps or dd/mm/yyyy [HH:MM] text."""
    parsed = _parse_text_moment(value) if isinstance(value, str) else value
    if isinstance(parsed, datetime):
        return _local_naive(parsed)
    if isinstance(parsed, date):
        return parsed
    raise _error("plan-bad-moment", value=value)


def _parse_day(value: Any) -> date:
    parsed = _parse_text_moment(value) if isinstance(value, str) else value
    if isinstance(parsed, datetime):
        raise _error("plan-datetime-not-date", value=value)
    if isinstance(parsed, date):
        return parsed
    raise _error("plan-bad-date", value=value)


def _amount_from_text(value: Any) -> Any:
    """'1.490.000' (Vietnamese thousands dots) -> 1490000; anything else is left to the int check."""
    if isinstance(value, str) and _DOTTED_AMOUNT_RE.fullmatch(value.strip()):
        return int(value.replace(".", ""))
    return value


def _check_percent(value: Decimal) -> Decimal:
    if value > 100:
        raise _error("plan-quota-over-100", value=value)
    if value <= 0:
        raise _error("plan-quota-not-positive", value=value)
    return value


_FRACTION_RE = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


def parse_share(value: Any) -> Fraction:
    """A share of votes or members, exact: 0.9, "0.9" or "2/3" (kept as 2/3, never 0.6667), in (0, 1]."""
    share: Fraction | None = None
    if isinstance(value, str) and (match := _FRACTION_RE.fullmatch(value)):
        share = Fraction(int(match[1]), int(match[2])) if int(match[2]) else None
    elif isinstance(value, int | float | Decimal | str) and not isinstance(value, bool):
        try:
            share = Fraction(Decimal(str(value).strip()))
        except (InvalidOperation, ValueError):
            share = None
    if share is None:
        raise _error("plan-share-bad", value=value)
    if not 0 < share <= 1:
        raise _error("plan-threshold-range", value=value)
    return share


def _check_offset(value: str) -> str:
    if not _OFFSET_RE.fullmatch(value):
        raise _error("plan-bad-offset", value=value)
    return value


def parse_offset(value: str) -> timedelta:
    """'7d' -> 7 days, '3h' -> 3 hours, '30m' -> 30 minutes."""
    match = _OFFSET_RE.fullmatch(value)
    if not match:
        raise ValueError(render("plan-bad-offset", {"value": value}))
    return timedelta(**{_OFFSET_UNITS[match[2]]: int(match[1])})


Code = Annotated[str, Field(min_length=1), AfterValidator(_check_code)]
SchoolYearCode = Annotated[str, AfterValidator(_check_school_year_code)]
Text = Annotated[str, Field(min_length=1)]
LocalDay = Annotated[date, PlainValidator(_parse_day)]
LocalMoment = Annotated[date | datetime, PlainValidator(_parse_moment)]
Amount = Annotated[int, Field(gt=0), BeforeValidator(_amount_from_text)]
Percent = Annotated[Decimal, AfterValidator(_check_percent)]
Share = Annotated[Fraction, PlainValidator(parse_share)]
Offset = Annotated[str, AfterValidator(_check_offset)]

Subject = Literal["individual", "collective"]
DecidedBy = Literal["school", "upward"]
VoteBase = Literal["all_members", "votes_cast"]
QuotaBase = Literal["title", "unit_staff"]
Comparison = Literal["at_least", "more_than"]  # a share met "at least" (>=) or "more than" (>)
TieRule = Literal["chair", "reballot"]  # who settles a tie at a quota's line
QuotaRounding = Literal["down_min_one", "down", "up"]  # down, with at least one when the base is not empty
RoundKind = Literal["yearly", "interim", "final"]
DeadlineKind = Literal[
    "registration_close",
    "acknowledgement",  # the school year's `acknowledgement` (default: the registration's close)
    "nominations_close",
    "voting_open",
    "voting_close",
    "review_meeting",  # the council's review meeting (họp Hội đồng bình xét), set in chat while voting
    "ceremony",  # the award ceremony (lễ khen thưởng, at the hội nghị sơ kết or tổng kết)
    "province_report",  # the school year's `report_to_province`
]
Audience = Literal[
    "all_staff",  # every linked staff member
    "pending",  # those who have not yet done what the deadline asks (register, vote, ...)
    "unit_heads",
    "council_members",
    "secretary",
    "principal",
    "union",
    "nominees",
]
