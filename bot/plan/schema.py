"""The plan file: a period of emulation and commendation (thi đua – khen thưởng) as data.

The pydantic models check the shape and each value on its own; `plan_problems` then checks what
ties values together (order of dates, references between codes, uniqueness). Every problem is a
`PlanIssue`: a location in the file, a message key and its parameters. `PlanFile` runs both, so a
`PlanFile` that exists is a valid plan.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from itertools import pairwise
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from bot.i18n import tn
from bot.plan.calendar import LOCAL_TZ, Moment, closes_at, has_time, local_day, opens_at
from bot.plan.messages import DIAGNOSTIC_LOCALE, Listing, Phrase, known_list, render, template

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

_CODE_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
_SCHOOL_YEAR_RE = re.compile(r"(\d{4})-(\d{4})")
_OFFSET_RE = re.compile(r"(\d+)([dhm])")
_DMY_RE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2}))?")
_OFFSET_UNITS = {"d": "days", "h": "hours", "m": "minutes"}
_DOTTED_AMOUNT_RE = re.compile(r"\d{1,3}(?:\.\d{3})+")


def _check_code(value: str) -> str:
    if not _CODE_RE.fullmatch(value):
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


# ---------------------------------------------------------------------------------------------
# Models


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class LocalizedName(StrictModel):
    vi: Text
    en: Text


class LocalizedText(StrictModel):
    vi: Text
    en: Text | None = None


class Sourced(StrictModel):
    """A value taken from a legal text: where it comes from, and whether it still needs checking."""

    source: Text
    to_confirm: bool = False


class Document(StrictModel):
    path: Text  # relative to the plan file
    title: LocalizedName | None = None


class Period(StrictModel):
    code: Code
    start_year: int = Field(ge=2000, le=2100)
    end_year: int = Field(ge=2000, le=2100)
    title: LocalizedName
    purpose: LocalizedText | None = None
    document: Document | None = None
    source: Text | None = None


class MovementCriteria(StrictModel):
    collective: LocalizedText
    individual: LocalizedText


class Movement(StrictModel):
    code: Code
    name: LocalizedName
    criteria: MovementCriteria
    source: Text | None = None


class Threshold(Sourced):
    """The share of agree votes needed, counted on all council members or on the votes cast; "at least"
    or "more than"; an optional quorum (the share of members who must take part). A tie at a quota's line
    goes to the chair (or to a re-ballot)."""

    share: Share
    base: VoteBase
    comparison: Comparison = "at_least"
    quorum: Share | None = None
    tie: TieRule = "chair"


class Quota(Sourced):
    """At most `percent` % of those reaching `title` (base: title), or of the unit's staff."""

    percent: Percent
    base: QuotaBase
    title: Code | None = None
    rounding: QuotaRounding = "down_min_one"


class CriteriaRule(StrictModel):
    """A criterion as data; `RULE_KINDS` lists the kinds and their parameters. `source`: the legal text it
    comes from (for the reader of the file)."""

    kind: Text
    params: dict[str, Any] = Field(default_factory=dict)
    source: Text | None = None


class DatedFactor(Sourced):
    """Award money as a multiple of lương cơ sở, from a date of effect."""

    factor: Decimal = Field(gt=0)
    effective_from: LocalDay
    subject: Subject | None = None


class DatedAmount(Sourced):
    amount: Amount  # đồng; 1490000, 1_490_000 or "1.490.000"
    effective_from: LocalDay


def _in_force(values: Iterable[Any], day: date) -> Any:
    candidates = [v for v in values if v.effective_from <= day]
    return max(candidates, key=lambda v: v.effective_from) if candidates else None


class Commendation(Sourced):
    """What the fields of a title and of an award form share."""

    code: Code
    name: LocalizedName
    decided_by: DecidedBy
    registration_required: bool
    voting: Threshold
    quota: Quota | None = None
    criteria_rules: list[CriteriaRule] = Field(default_factory=list)
    award_factors: list[DatedFactor] = Field(default_factory=list)
    note: LocalizedText | None = None

    def factor_on(self, day: date, subject: Subject | None = None) -> DatedFactor | None:
        """The factor in force on `day` (for `subject`, when factors differ by subject)."""
        values = [f for f in self.award_factors if f.subject in (None, subject)]
        return _in_force(values, day)


class Title(Commendation):
    """A danh hiệu thi đua, given to an individual or to a collective."""

    subject: Subject


class AwardForm(Commendation):
    """A hình thức khen thưởng; `level` orders them, lowest first."""

    level: int = Field(ge=1)
    subjects: list[Subject] = Field(min_length=1)


class DatedRounding(Sourced):
    """How award money is rounded, from a date of effect: up to a multiple of `step` đồng (an exact
    multiple stays). NĐ 91/2017 Art. 68.2 says so; whether its successors keep it is `to_confirm`."""

    step: Amount
    effective_from: LocalDay


class DatedSwitch(Sourced):
    """A yes-or-no rule of the money, from a date of effect (e.g. only the highest title of a round paid)."""

    value: bool
    effective_from: LocalDay


class Money(StrictModel):
    luong_co_so: list[DatedAmount] = Field(min_length=1)
    award_rounding: list[DatedRounding] = Field(default_factory=list)  # none: rounded to the đồng
    highest_only: list[DatedSwitch] = Field(default_factory=list)  # several titles in one round: one paid

    def luong_co_so_on(self, day: date) -> DatedAmount | None:
        """The lương cơ sở in force on `day`."""
        return _in_force(self.luong_co_so, day)

    def rounding_on(self, day: date) -> DatedRounding | None:
        return _in_force(self.award_rounding, day)


class RegistrationWindow(StrictModel):
    opens: LocalMoment
    closes: LocalMoment


class SchoolYear(StrictModel):
    code: SchoolYearCode
    start: LocalDay
    end: LocalDay
    registration: RegistrationWindow
    acknowledgement: LocalMoment | None = None  # default: the registration's close
    report_to_province: LocalMoment | None = None  # the yearly report to the province


class RoundWindows(StrictModel):
    nominations_open: LocalMoment | None = None  # default: the first day of the school year
    nominations_close: LocalMoment
    voting_open: LocalMoment
    voting_close: LocalMoment
    ceremony: LocalMoment


class CommentPeriod(Sourced):
    """The public comment period (công khai, lấy ý kiến) on the proposed list, in days from its publishing;
    from the college's Quy chế (no law sets one for school titles)."""

    days: int = Field(ge=1, le=60)


class Occasion(StrictModel):
    name: LocalizedName
    date: LocalDay


class Round(StrictModel):
    code: Code
    kind: RoundKind
    school_year: Text
    name: LocalizedName
    nominable: list[Code] = Field(min_length=1)
    windows: RoundWindows
    occasion: Occasion | None = None
    source: Text | None = None
    comment_period: CommentPeriod | None = None  # none: the list is not published for comment


class ReminderRule(StrictModel):
    deadline: DeadlineKind
    offsets: list[Offset] = Field(min_length=1)
    audience: list[Audience] = Field(min_length=1)

    def offset_deltas(self) -> list[timedelta]:
        return [parse_offset(o) for o in self.offsets]

    @property
    def key(self) -> str:
        """The rule's identity: its deadline and its audiences, whatever their order or the rule's place."""
        return rule_key(self.deadline, self.audience)


def rule_key(deadline: str, audience: Iterable[str]) -> str:
    return f"{deadline}:{','.join(sorted(set(audience)))}"


class Confidentiality(StrictModel):
    nominee_can_read_summary: bool
    secret_ballot: bool = True


class Recusal(Sourced):
    """Whether a recused member (a nominee, the head of a nominated unit) is out of the dossier's base."""

    base: Literal["excluded", "counted"] = "excluded"


class Council(StrictModel):
    """The council's rules that hold for every title (optional: older plans have none)."""

    recusal: Recusal = Field(
        default_factory=lambda: Recusal(source="Quy chế thi đua, khen thưởng của Nhà trường", to_confirm=True)
    )


class PlanFile(StrictModel):
    schema_version: Literal[1] = 1
    period: Period
    movements: list[Movement] = Field(min_length=1)
    titles: list[Title] = Field(min_length=1)
    award_forms: list[AwardForm] = Field(min_length=1)
    money: Money
    school_years: list[SchoolYear] = Field(min_length=1)
    rounds: list[Round]
    reminder_rules: list[ReminderRule]
    confidentiality: Confidentiality
    council: Council = Field(default_factory=Council)

    @model_validator(mode="after")
    def _consistent(self) -> PlanFile:
        issues = plan_problems(self)
        if issues:
            raise PlanError(issues)
        return self

    @property
    def commendations(self) -> list[Title | AwardForm]:
        return [*self.titles, *self.award_forms]

    def commendation(self, code: str) -> Title | AwardForm | None:
        return next((c for c in self.commendations if c.code == code), None)

    def school_year(self, code: str) -> SchoolYear | None:
        return next((s for s in self.school_years if s.code == code), None)


# ---------------------------------------------------------------------------------------------
# Criteria rule kinds

# lowest first: "min" of a rule means this rating or a higher one
TASK_RATINGS = ("khong_hoan_thanh", "hoan_thanh_nhiem_vu", "hoan_thanh_tot", "hoan_thanh_xuat_sac")
INITIATIVE_SCOPES = ("co_so", "tinh", "toan_quoc")
INITIATIVE_KINDS = ("sang_kien", "de_tai")  # a recognised initiative; an accepted research project
# lightest first: "from" of no_discipline means this measure or a heavier one
DISCIPLINE_MEASURES = ("khien_trach", "canh_cao", "ha_bac_luong", "giang_chuc", "cach_chuc", "buoc_thoi_viec")


@dataclass(frozen=True)
class ParamSpec:
    kind: Literal["code", "count", "percent", "choice", "bool", "text", "rules"]
    required: bool = True
    choices: tuple[str, ...] = ()

    def accepts(self, value: Any) -> bool:
        if self.kind == "code":
            return isinstance(value, str) and bool(_CODE_RE.fullmatch(value))
        if self.kind == "count":
            return isinstance(value, int) and not isinstance(value, bool) and value >= 1
        if self.kind == "percent":
            number = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
            return number and 0 < value <= 100
        if self.kind == "choice":
            return value in self.choices
        if self.kind == "bool":
            return isinstance(value, bool)
        if self.kind == "rules":
            return isinstance(value, list) and len(value) >= 2 and all(isinstance(v, dict) for v in value)
        return isinstance(value, str) and bool(value.strip())

    def expected(self) -> Phrase:
        return Phrase(f"plan-expect-{self.kind}", {"choices": ", ".join(self.choices)})


RULE_KINDS: dict[str, dict[str, ParamSpec]] = {
    # the person's (or the collective's) own rating of the year
    "task_rating": {"min": ParamSpec("choice", choices=TASK_RATINGS)},
    # has held a title (this year, or this many years in a row up to this year)
    "holds_title": {"title": ParamSpec("code"), "consecutive_years": ParamSpec("count", required=False)},
    # has been given an award form (within the last N years, if given)
    "holds_award": {"award": ParamSpec("code"), "within_years": ParamSpec("count", required=False)},
    # an initiative (sáng kiến) or research (đề tài) recognised at a scope (either kind, unless `kind`)
    "initiative": {
        "scope": ParamSpec("choice", choices=INITIATIVE_SCOPES),
        "count": ParamSpec("count", required=False),
        "kind": ParamSpec("choice", required=False, choices=INITIATIVE_KINDS),
    },
    # for collectives: the members' ratings and titles, "at least" (min_percent) or "more than" a share
    "members_task_rating": {
        "min": ParamSpec("choice", choices=TASK_RATINGS),
        "min_percent": ParamSpec("percent", required=False),
        "more_than_percent": ParamSpec("percent", required=False),
    },
    "members_with_title": {
        "title": ParamSpec("code"),
        "min_percent": ParamSpec("percent", required=False),
        "more_than_percent": ParamSpec("percent", required=False),
        "min_count": ParamSpec("count", required=False),
    },
    # no disciplinary measure from `from` up (default: any); for collectives on no member (members: true)
    "no_discipline": {
        "members": ParamSpec("bool", required=False),
        "from": ParamSpec("choice", required=False, choices=DISCIPLINE_MEASURES),
    },
    # a criterion the council judges from its text
    "text": {"vi": ParamSpec("text"), "en": ParamSpec("text", required=False)},
    # at least one of two or more rules (each a {kind, params} of its own)
    "any_of": {"rules": ParamSpec("rules")},
}
# what one of these rules needs at least one of
_ONE_OF = {
    "members_task_rating": ("min_percent", "more_than_percent"),
    "members_with_title": ("min_percent", "more_than_percent", "min_count"),
}
_RULE_REFERENCES = {"holds_title": "title", "holds_award": "award", "members_with_title": "title"}


# ---------------------------------------------------------------------------------------------
# Checks across values


def plan_problems(plan: PlanFile) -> list[PlanIssue]:
    """Every problem that ties several values of a well-shaped plan together."""
    checks = (
        _period_issues,
        _uniqueness_issues,
        _school_year_issues,
        _round_issues,
        _commendation_issues,
        _money_issues,
        _reminder_issues,
    )
    return [issue for check in checks for issue in check(plan)]


def _period_issues(plan: PlanFile) -> Iterator[PlanIssue]:
    period = plan.period
    if period.end_year < period.start_year:
        yield PlanIssue(
            ("period", "end_year"),
            "plan-period-years",
            {"start_year": period.start_year, "end_year": period.end_year},
        )


def _duplicates(values: Iterable[tuple[Any, Loc]], key: str, param: str) -> Iterator[PlanIssue]:
    seen: dict[Any, Loc] = {}
    for value, loc in values:
        if value in seen:
            yield PlanIssue(loc, key, {param: value, "other": format_path(seen[value])})
        else:
            seen[value] = loc


def _uniqueness_issues(plan: PlanFile) -> Iterator[PlanIssue]:
    def codes(name: str, items: Sequence[Any]) -> list[tuple[Any, Loc]]:
        return [(item.code, (name, i, "code")) for i, item in enumerate(items)]

    yield from _duplicates(codes("movements", plan.movements), "plan-duplicate-code", "code")
    commendations = codes("titles", plan.titles) + codes("award_forms", plan.award_forms)
    yield from _duplicates(commendations, "plan-duplicate-code", "code")
    yield from _duplicates(codes("school_years", plan.school_years), "plan-duplicate-code", "code")
    yield from _duplicates(codes("rounds", plan.rounds), "plan-duplicate-code", "code")
    levels = [(form.level, ("award_forms", i, "level")) for i, form in enumerate(plan.award_forms)]
    yield from _duplicates(levels, "plan-duplicate-level", "level")


def _order_issue(earlier: tuple[str, Moment], later: tuple[str, Moment], loc: Loc) -> PlanIssue | None:
    """`later` must come after `earlier`; `earlier` opens, or closes when its name ends in 'close(s)'."""
    (name_a, a), (name_b, b) = earlier, later
    closing = name_a.endswith(("close", "closes"))
    a_at = closes_at(a) if closing else opens_at(a)
    b_at = opens_at(b) if closing else closes_at(b)
    if (a_at <= b_at) if closing else (a_at < b_at):
        return None
    if local_day(b) < local_day(a):
        return PlanIssue((*loc, name_b), "plan-date-before", {"other": name_a})
    if has_time(a) and has_time(b):
        return PlanIssue((*loc, name_b), "plan-time-before", {"other": name_a})
    return PlanIssue((*loc, name_b), "plan-same-day", {"other": name_a})


def window_order_issues(points: Sequence[tuple[str, Moment | None]], loc: Loc) -> Iterator[PlanIssue]:
    """Each given point after the previous given one (missing optional points are skipped)."""
    given = [(name, value) for name, value in points if value is not None]
    for earlier, later in pairwise(given):
        issue = _order_issue(earlier, later, loc)
        if issue is not None:
            yield issue


def _outside(school_year: SchoolYear, name: str, value: Moment, loc: Loc) -> PlanIssue | None:
    if school_year.start <= local_day(value) <= school_year.end:
        return None
    params = {
        "school_year": school_year.code,
        "start": school_year.start.strftime("%d/%m/%Y"),
        "end": school_year.end.strftime("%d/%m/%Y"),
    }
    return PlanIssue((*loc, name), "plan-outside-school-year", params)


def _school_year_issues(plan: PlanFile) -> Iterator[PlanIssue]:
    period = plan.period
    previous: SchoolYear | None = None
    for index in sorted(range(len(plan.school_years)), key=lambda k: plan.school_years[k].start):
        sy = plan.school_years[index]
        loc: Loc = ("school_years", index)
        if sy.end <= sy.start:
            yield PlanIssue((*loc, "end"), "plan-date-before", {"other": "start"})
        if sy.start.year != int(sy.code[:4]):
            yield PlanIssue((*loc, "start"), "plan-school-year-start", {"code": sy.code, "year": sy.code[:4]})
        if sy.start.year < period.start_year or sy.end.year > period.end_year:
            params = {"start_year": period.start_year, "end_year": period.end_year}
            yield PlanIssue((*loc, "code"), "plan-outside-period", params)
        if previous is not None and sy.start <= previous.end:
            params = {"code": sy.code, "other": previous.code}
            yield PlanIssue((*loc, "start"), "plan-school-years-overlap", params)
        previous = sy
        yield from _registration_issues(sy, (*loc, "registration"))


def _registration_issues(sy: SchoolYear, loc: Loc) -> Iterator[PlanIssue]:
    points: list[tuple[str, Moment | None]] = [
        ("opens", sy.registration.opens),
        ("closes", sy.registration.closes),
    ]
    yield from window_order_issues(points, loc)
    yield from _outside_issues(sy, points, loc)


def _outside_issues(
    sy: SchoolYear, points: Sequence[tuple[str, Moment | None]], loc: Loc
) -> Iterator[PlanIssue]:
    for name, value in points:
        issue = _outside(sy, name, value, loc) if value is not None else None
        if issue is not None:
            yield issue


WINDOW_ORDER = ("nominations_open", "nominations_close", "voting_open", "voting_close", "ceremony")


def _round_issues(plan: PlanFile) -> Iterator[PlanIssue]:
    known = {c.code for c in plan.commendations}
    yearly: dict[str, Loc] = {}
    final: Loc | None = None
    for i, round_ in enumerate(plan.rounds):
        loc: Loc = ("rounds", i)
        yield from _round_reference_issues(plan, round_, loc, known)
        points = [(name, getattr(round_.windows, name)) for name in WINDOW_ORDER]
        yield from window_order_issues(points, (*loc, "windows"))
        school_year = plan.school_year(round_.school_year)
        if school_year is not None:
            yield from _outside_issues(school_year, points, (*loc, "windows"))
        yield from _comment_issues(round_, loc)
        if round_.kind == "yearly":
            if round_.school_year in yearly:
                params = {"school_year": round_.school_year, "other": format_path(yearly[round_.school_year])}
                yield PlanIssue((*loc, "kind"), "plan-duplicate-yearly-round", params)
            yearly.setdefault(round_.school_year, loc)
        if round_.kind == "final":
            if final is not None:
                yield PlanIssue((*loc, "kind"), "plan-duplicate-final-round", {"other": format_path(final)})
            final = final or loc


def comment_fits(voting_close: date, days: int, ceremony: date) -> bool:
    """A comment period published the day after the vote closes ends (at the end of its last day) before
    the ceremony's day."""
    return voting_close + timedelta(days=days) < ceremony


def _comment_issues(round_: Round, loc: Loc) -> Iterator[PlanIssue]:
    period = round_.comment_period
    if period is None:
        return
    close, ceremony = local_day(round_.windows.voting_close), local_day(round_.windows.ceremony)
    if not comment_fits(close, period.days, ceremony):
        params = {"days": period.days, "ceremony": ceremony.strftime("%d/%m/%Y")}
        yield PlanIssue((*loc, "comment_period", "days"), "plan-comment-after-ceremony", params)


def _round_reference_issues(plan: PlanFile, round_: Round, loc: Loc, known: set[str]) -> Iterator[PlanIssue]:
    if plan.school_year(round_.school_year) is None:
        params = {"code": round_.school_year, "known": known_list(s.code for s in plan.school_years)}
        yield PlanIssue((*loc, "school_year"), "plan-unknown-school-year", params)
    seen: dict[str, Loc] = {}
    for j, code in enumerate(round_.nominable):
        here: Loc = (*loc, "nominable", j)
        if code not in known:
            yield PlanIssue(here, "plan-unknown-title", {"code": code, "known": known_list(known)})
        elif code in seen:
            yield PlanIssue(here, "plan-duplicate-code", {"code": code, "other": format_path(seen[code])})
        seen.setdefault(code, here)


def _commendation_issues(plan: PlanFile) -> Iterator[PlanIssue]:
    known = {c.code for c in plan.commendations}
    for group, items in (("titles", plan.titles), ("award_forms", plan.award_forms)):
        for i, item in enumerate(items):
            loc: Loc = (group, i)
            if item.quota is not None:
                yield from _quota_issues(item, (*loc, "quota"), known)
            for j, rule in enumerate(item.criteria_rules):
                yield from _rule_issues(rule, (*loc, "criteria_rules", j), known)
            yield from _factor_issues(item, (*loc, "award_factors"))


def _quota_issues(item: Commendation, loc: Loc, known: set[str]) -> Iterator[PlanIssue]:
    quota = item.quota
    assert quota is not None
    if quota.base == "unit_staff":
        if quota.title is not None:
            yield PlanIssue((*loc, "title"), "plan-quota-title-unexpected")
        return
    if quota.title is None:
        yield PlanIssue((*loc, "title"), "plan-quota-title-needed")
    elif quota.title == item.code:
        yield PlanIssue((*loc, "title"), "plan-quota-self")
    elif quota.title not in known:
        yield PlanIssue(
            (*loc, "title"), "plan-unknown-title", {"code": quota.title, "known": known_list(known)}
        )


def _rule_issues(rule: CriteriaRule, loc: Loc, known: set[str]) -> Iterator[PlanIssue]:
    spec = RULE_KINDS.get(rule.kind)
    if spec is None:
        yield PlanIssue(
            (*loc, "kind"), "plan-rule-unknown-kind", {"kind": rule.kind, "known": known_list(RULE_KINDS)}
        )
        return
    for name, param in spec.items():
        if param.required and name not in rule.params:
            yield PlanIssue((*loc, "params"), "plan-rule-missing-param", {"kind": rule.kind, "param": name})
    for name, value in rule.params.items():
        here: Loc = (*loc, "params", name)
        param = spec.get(name)
        if param is None:
            params = {"kind": rule.kind, "param": name, "allowed": known_list(spec)}
            yield PlanIssue(here, "plan-rule-unknown-param", params)
        elif not param.accepts(value):
            params = {"kind": rule.kind, "param": name, "expected": param.expected()}
            yield PlanIssue(here, "plan-rule-bad-param", params)
        elif _RULE_REFERENCES.get(rule.kind) == name and value not in known:
            yield PlanIssue(here, "plan-unknown-title", {"code": value, "known": known_list(known)})
    needed = _ONE_OF.get(rule.kind)
    if needed and not set(needed) & rule.params.keys():
        params = {"kind": rule.kind, "param": Listing(needed)}
        yield PlanIssue((*loc, "params"), "plan-rule-missing-param", params)
    if rule.kind == "any_of" and spec["rules"].accepts(rule.params.get("rules")):
        yield from _nested_rule_issues(rule.params["rules"], (*loc, "params", "rules"), known)


def _nested_rule_issues(items: list[dict[str, Any]], loc: Loc, known: set[str]) -> Iterator[PlanIssue]:
    """The rules inside an `any_of`, each checked as a rule of its own (an `any_of` may hold another)."""
    for k, item in enumerate(items):
        here: Loc = (*loc, k)
        kind, params = item.get("kind"), item.get("params", {})
        extra = sorted(set(item) - {"kind", "params", "source"})
        if not isinstance(kind, str) or not isinstance(params, dict) or extra:
            yield PlanIssue(here, "plan-rule-nested-shape", {"extra": ", ".join(extra)})
            continue
        yield from _rule_issues(CriteriaRule(kind=kind, params=params), here, known)


def _subjects_of(item: Commendation) -> list[Subject]:
    if isinstance(item, AwardForm):
        return list(item.subjects)
    if isinstance(item, Title):
        return [item.subject]
    return []


def _factor_issues(item: Commendation, loc: Loc) -> Iterator[PlanIssue]:
    allowed = _subjects_of(item)
    for j, factor in enumerate(item.award_factors):
        if factor.subject is None and isinstance(item, AwardForm):
            yield PlanIssue((*loc, j, "subject"), "plan-factor-subject-needed")
        elif factor.subject is not None and factor.subject not in allowed:
            params = {"subject": factor.subject, "allowed": Listing(tuple(allowed), "and")}
            yield PlanIssue((*loc, j, "subject"), "plan-factor-subject-mismatch", params)
    dated = [
        ((f.subject, f.effective_from), (*loc, j, "effective_from")) for j, f in enumerate(item.award_factors)
    ]
    yield from _dated_duplicates(dated)


def _dated_duplicates(values: Iterable[tuple[Any, Loc]]) -> Iterator[PlanIssue]:
    for issue in _duplicates(values, "plan-duplicate-effective-from", "value"):
        yield PlanIssue(issue.loc, issue.key, {"other": issue.params["other"]})


def _money_issues(plan: PlanFile) -> Iterator[PlanIssue]:
    for name in ("luong_co_so", "award_rounding", "highest_only"):
        values = getattr(plan.money, name)
        dated = [(v.effective_from, ("money", name, j, "effective_from")) for j, v in enumerate(values)]
        yield from _dated_duplicates(dated)
    start = date(plan.period.start_year, 1, 1)
    if plan.money.luong_co_so_on(start) is None:
        yield PlanIssue(
            ("money", "luong_co_so"), "plan-no-luong-co-so-at-start", {"day": start.strftime("%d/%m/%Y")}
        )


def _reminder_issues(plan: PlanFile) -> Iterator[PlanIssue]:
    rules: dict[str, int] = {}
    for i, rule in enumerate(plan.reminder_rules):
        if rule.key in rules:
            params = {"other": format_path(("reminder_rules", rules[rule.key]))}
            yield PlanIssue(("reminder_rules", i, "audience"), "plan-duplicate-rule", params)
        rules.setdefault(rule.key, i)
        seen: dict[timedelta, str] = {}
        for j, offset in enumerate(rule.offsets):
            delta = parse_offset(offset)
            if delta in seen:
                params = {"value": offset, "other": seen[delta]}
                yield PlanIssue(("reminder_rules", i, "offsets", j), "plan-duplicate-offset", params)
            seen.setdefault(delta, offset)
