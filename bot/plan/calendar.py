"""The plan's dates on the clock.

Dates in a plan file are local dates of the college (Asia/Ho_Chi_Minh). A date that opens
something opens at the start of its local day (00:00); a date that closes something closes at
the end of its local day (23:59:59); a value with a time is taken at that local time. A loaded
round holds these as aware instants; `round_phase` says where it stands at a moment.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any, Literal

from bot.clock import VN_TZ

if TYPE_CHECKING:
    from bot.plan.schema import PlanFile, Round

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


def nominations_open(plan: PlanFile, round_: Round) -> Moment:
    """When nominations open: as written, else the first day of the round's school year."""
    if round_.windows.nominations_open is not None:
        return round_.windows.nominations_open
    school_year = plan.school_year(round_.school_year)
    if school_year is None:  # a validated plan always knows the school year
        raise KeyError(round_.school_year)
    return school_year.start


# -- a loaded round (storage.models.plan.PlanRound: aware UTC instants) on the clock -------------------
def effective_voting_window(round_: Any) -> tuple[datetime, datetime]:
    """When the voting opens and closes, honouring the secretary's early opening and extension."""
    opens = round_.voting_open_at
    if round_.voting_opened_early_at is not None and round_.voting_opened_early_at < opens:
        opens = round_.voting_opened_early_at
    closes = round_.voting_close_at
    if round_.voting_extended_to is not None and round_.voting_extended_to > closes:
        closes = round_.voting_extended_to
    return opens, closes


def round_ends_at(round_: Any) -> datetime:
    """A round is over at the end of its ceremony's local day, whatever time the ceremony has."""
    return closes_at(to_local(round_.ceremony_at).date())


def round_phase(round_: Any, when: datetime) -> RoundPhase:
    """Where the round stands at `when`, with the secretary's early opening and extension."""
    now = to_local(when)
    opens, closes = effective_voting_window(round_)
    if now < round_.nominations_open_at:
        return "upcoming"
    if opens <= now <= closes:
        return "voting"
    if now <= round_.nominations_close_at:
        return "nominating"
    if now < opens:
        return "reviewing"
    if now <= round_ends_at(round_):
        return "awaiting_ceremony"
    return "closed"
