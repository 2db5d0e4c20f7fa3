"""What `plan load` warns about in the reminder rules (a warning never blocks a valid plan).

- An offset that lands before its window opens (before the round's nominations open, or the school year's
  registration): named with the round or school year; that occurrence is skipped when the time comes.
- An offset that falls in the quiet hours so near its deadline that waiting for their end would pass it
  (deadlines close at 23:59:59: an offset under about 3 h): it goes 30 minutes before the quiet
  hours the evening before instead (20:30 for 21:00-07:00), merged with an offset that goes later then.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from bot.clock import fmt_date
from bot.plan.calendar import Moment, closes_at, nominations_open, opens_at
from bot.plan.schema import PlanFile, PlanIssue
from bot.services.reminder_times import QuietHours, due_of

# kind -> (the plan's moment of the deadline, opens (True) or closes)
_ROUND_POINTS = {
    "nominations_close": ("nominations_close", False),
    "voting_open": ("voting_open", True),
    "voting_close": ("voting_close", False),
    "ceremony": ("ceremony", True),
}


def _instant(moment: Moment, opening: bool) -> datetime:
    return opens_at(moment) if opening else closes_at(moment)


def _deadlines(plan: PlanFile, kind: str) -> Iterator[tuple[str, datetime, datetime]]:
    """(round or school year code, deadline, window opening) of each occurrence of `kind` in the file."""
    if kind in _ROUND_POINTS:
        field, opening = _ROUND_POINTS[kind]
        for r in plan.rounds:
            if plan.school_year(r.school_year) is None:
                continue
            moment = getattr(r.windows, field)
            yield r.code, _instant(moment, opening), opens_at(nominations_open(plan, r))
        return
    for sy in plan.school_years:
        opens = opens_at(sy.registration.opens)
        if kind == "registration_close":
            yield sy.code, closes_at(sy.registration.closes), opens
        elif kind == "acknowledgement":
            yield sy.code, closes_at(sy.acknowledgement or sy.registration.closes), opens
        elif kind == "province_report" and sy.report_to_province is not None:
            yield sy.code, closes_at(sy.report_to_province), opens


def reminder_warnings(
    plan: PlanFile, quiet: QuietHours, quiet_text: str, day_at: str = "08:00"
) -> list[PlanIssue]:
    out: list[PlanIssue] = []
    for i, rule in enumerate(plan.reminder_rules):
        evening: set[str] = set()
        for code, deadline, opens in _deadlines(plan, rule.deadline):
            for j, offset in enumerate(rule.offsets):
                due = due_of(deadline, offset, day_at, quiet.tz)
                loc = ("reminder_rules", i, "offsets", j)
                if due < opens:
                    params = {"offset": offset, "what": code, "opens": fmt_date(opens)}
                    out.append(PlanIssue(loc, "plan-warn-before-open", params))
                elif offset not in evening and quiet.evening_before(due, deadline):
                    evening.add(offset)
                    params = {"offset": offset, "quiet": quiet_text, "at": quiet.evening_time()}
                    out.append(PlanIssue(loc, "plan-warn-evening-before", params))
    return out
