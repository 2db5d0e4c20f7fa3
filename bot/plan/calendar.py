"""The plan's dates on the clock: which school year and which rounds are current.

Dates in a plan file are local dates of the college (Asia/Ho_Chi_Minh). A date that opens
something opens at the start of its local day (00:00); a date that closes something closes at
the end of its local day (23:59:59); a value with a time is taken at that local time.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING, Literal

from bot.clock import VN_TZ

if TYPE_CHECKING:
    from bot.plan.schema import PlanFile, Round, SchoolYear

LOCAL_TZ = VN_TZ  # the college's zone (bot.clock.VN_TZ)

Moment = date | datetime
"""A local calendar day, or a naive local wall-clock time."""

RoundPhase = Literal["upcoming", "nominating", "reviewing", "voting", "awaiting_ceremony", "closed"]


def has_time(moment: Moment) -> bool:
    return isinstance(moment, datetime)


def local_day(moment: Moment) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def opens_at(moment: Moment) -> datetime:
    """The aware instant something opens: the given local time, else 00:00 of that day."""
    if isinstance(moment, datetime):
        return moment.replace(tzinfo=LOCAL_TZ)
    return datetime.combine(moment, time.min, tzinfo=LOCAL_TZ)


def closes_at(moment: Moment) -> datetime:
    """The aware instant something closes: the given local time, else the end of that day."""
    if isinstance(moment, datetime):
        return moment.replace(tzinfo=LOCAL_TZ)
    return datetime.combine(moment, time.max, tzinfo=LOCAL_TZ)


def to_local(when: datetime) -> datetime:
    """`when` in Asia/Ho_Chi_Minh; a naive datetime is refused (its zone would be a guess)."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("an aware datetime is needed (give it a tzinfo)")
    return when.astimezone(LOCAL_TZ)


def format_moment(moment: Moment) -> str:
    """dd/mm/yyyy, with HH:MM when the plan gives a time."""
    if isinstance(moment, datetime):
        return moment.strftime("%d/%m/%Y %H:%M")
    return moment.strftime("%d/%m/%Y")


def school_year_on(plan: PlanFile, day: date) -> SchoolYear | None:
    """The school year whose days include the local `day`."""
    for school_year in plan.school_years:
        if school_year.start <= day <= school_year.end:
            return school_year
    return None


def current_school_year(plan: PlanFile, when: datetime) -> SchoolYear | None:
    """The school year under way at `when`, or None between school years or outside the period."""
    return school_year_on(plan, to_local(when).date())


def nominations_open(plan: PlanFile, round_: Round) -> Moment:
    """When nominations open: as written, else the first day of the round's school year."""
    if round_.windows.nominations_open is not None:
        return round_.windows.nominations_open
    school_year = plan.school_year(round_.school_year)
    if school_year is None:  # a validated plan always knows the school year
        raise KeyError(round_.school_year)
    return school_year.start


def round_opens_at(plan: PlanFile, round_: Round) -> datetime:
    return opens_at(nominations_open(plan, round_))


def round_ends_at(round_: Round) -> datetime:
    """A round is over at the end of its ceremony's local day, whatever time the ceremony has."""
    return closes_at(local_day(round_.windows.ceremony))


def current_rounds(plan: PlanFile, when: datetime) -> list[Round]:
    """The rounds under way at `when` (nominations opened, ceremony day not yet over), by opening."""
    local = to_local(when)
    under_way = [r for r in plan.rounds if round_opens_at(plan, r) <= local <= round_ends_at(r)]
    return sorted(under_way, key=lambda r: (round_opens_at(plan, r), r.code))


def round_phase(plan: PlanFile, round_: Round, when: datetime) -> RoundPhase:
    """Where the round stands at `when` by the plan's dates alone (no early opening or extension)."""
    local = to_local(when)
    windows = round_.windows
    if local < round_opens_at(plan, round_):
        return "upcoming"
    if local <= closes_at(windows.nominations_close):
        return "nominating"
    if local < opens_at(windows.voting_open):
        return "reviewing"
    if local <= closes_at(windows.voting_close):
        return "voting"
    if local <= round_ends_at(round_):
        return "awaiting_ceremony"
    return "closed"
