"""The plan file: a period of emulation and commendation (thi đua – khen thưởng) as data.

The pydantic models check the shape and each value on its own (the value types: `schema_values`);
`plan_problems` (`schema_checks`) then checks what ties values together (order of dates, references
between codes, uniqueness; the criteria rules' kinds: `schema_rules`). Every problem is a
`PlanIssue`: a location in the file, a message key and its parameters. `PlanFile` runs both, so a
`PlanFile` that exists is a valid plan.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.plan.schema_rules import (  # re-exported: the rules' vocabulary is read from here
    DISCIPLINE_MEASURES,
    INITIATIVE_KINDS,
    INITIATIVE_SCOPES,
    RULE_KINDS,
    TASK_RATINGS,
    ParamSpec,
)
from bot.plan.schema_values import (  # re-exported: the value types and problems are read from here
    Amount,
    Audience,
    Code,
    Comparison,
    DeadlineKind,
    DecidedBy,
    Loc,
    LocalDay,
    LocalMoment,
    Offset,
    Percent,
    PlanError,
    PlanIssue,
    QuotaBase,
    QuotaRounding,
    RoundKind,
    SchoolYearCode,
    Share,
    Subject,
    Text,
    TieRule,
    VoteBase,
    format_path,
    parse_offset,
    parse_share,
)

__all__ = [
    "DISCIPLINE_MEASURES",
    "INITIATIVE_KINDS",
    "INITIATIVE_SCOPES",
    "RULE_KINDS",
    "TASK_RATINGS",
    "Amount",
    "Audience",
    "AwardForm",
    "Code",
    "Commendation",
    "CommentPeriod",
    "Comparison",
    "Confidentiality",
    "Council",
    "CriteriaRule",
    "DatedAmount",
    "DatedFactor",
    "DatedRounding",
    "DatedSwitch",
    "DeadlineKind",
    "DecidedBy",
    "Document",
    "Loc",
    "LocalDay",
    "LocalMoment",
    "LocalizedName",
    "LocalizedText",
    "Money",
    "Movement",
    "MovementCriteria",
    "Occasion",
    "Offset",
    "ParamSpec",
    "Percent",
    "Period",
    "PlanError",
    "PlanFile",
    "PlanIssue",
    "Quota",
    "QuotaBase",
    "QuotaRounding",
    "Recusal",
    "RegistrationWindow",
    "ReminderRule",
    "Round",
    "RoundKind",
    "RoundWindows",
    "SchoolYear",
    "SchoolYearCode",
    "Share",
    "Sourced",
    "StrictModel",
    "Subject",
    "Text",
    "Threshold",
    "TieRule",
    "Title",
    "VoteBase",
    "format_path",
    "parse_offset",
    "parse_share",
    "rule_key",
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
        from bot.plan.schema_checks import plan_problems  # the checks read these models: imported once built

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


_CHECKS = ("plan_problems", "window_order_issues", "comment_fits", "WINDOW_ORDER")


def __getattr__(name: str) -> Any:
    """The checks, still read from here: `schema_checks` imports these models, so it loads on first use."""
    if name in _CHECKS:
        from bot.plan import schema_checks

        return getattr(schema_checks, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
