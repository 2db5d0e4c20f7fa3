"""The criteria checks, pure: a title's `criteria_rules` (the plan's) against what is known of a nominee.

Every check says met, unmet, "chưa có dữ liệu" (`no_data`: nothing imported, or not for this person),
`pending` (it reads a title this very vote decides, not tallied yet) or `council` (a criterion in words,
judged by the council). A failed check is a warning on the card and in the result: it never blocks.
A title that requires a registration needs an endorsed one; that check comes first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

from bot.plan.schema import DISCIPLINE_MEASURES, INITIATIVE_SCOPES, TASK_RATINGS

Status = Literal["met", "unmet", "no_data", "pending", "council"]
WARNS: frozenset[str] = frozenset({"unmet", "no_data", "pending"})  # shown as warnings
REGISTRATION = {"kind": "registration", "params": {}}


@dataclass(frozen=True)
class Facts:
    """What is known of one nominee (a person, or a unit with its members) for one school year.

    `*_known`: that kind of data was imported for the year (a missing row then means "none").
    `titles`: (title, years ago) -> held; a key that is missing is not known. `pending`: titles of this
    year that the vote under way decides for this nominee."""

    rating: str | None = None
    ratings_known: bool = False
    discipline: tuple[str, ...] = ()
    discipline_known: bool = False
    initiatives: tuple[tuple[str, str], ...] = ()  # (kind, scope)
    initiatives_known: bool = False
    titles: Mapping[tuple[str, int], bool] = field(default_factory=dict)
    pending: frozenset[str] = frozenset()
    awards: Mapping[str, bool] = field(default_factory=dict)  # award form -> held (known ones)
    registration: str | None = None  # the state of this title's registration this year, if any
    members: tuple[Facts, ...] | None = None  # a unit's staff; None for a person


@dataclass(frozen=True)
class Check:
    rule: Mapping[str, Any]
    status: Status
    detail: Mapping[str, Any] = field(default_factory=dict)
    parts: tuple[Check, ...] = ()  # an any_of's own checks

    @property
    def warns(self) -> bool:
        return self.status in WARNS


def evaluate(rules: Sequence[Mapping[str, Any]], facts: Facts, *, registration_required: bool) -> list[Check]:
    """The checks of a title for a nominee, in the plan's order (the registration first)."""
    checks = []
    if registration_required:
        endorsed = facts.registration == "endorsed"
        detail = {"state": facts.registration or "none"}
        checks.append(Check(REGISTRATION, "met" if endorsed else "unmet", detail))
    return checks + [check(rule, facts) for rule in rules]


def check(rule: Mapping[str, Any], facts: Facts) -> Check:
    kind = str(rule.get("kind"))
    params = dict(rule.get("params") or {})
    if kind == "any_of":
        parts = tuple(check(r, facts) for r in params.get("rules") or [])
        return Check(rule, _any(p.status for p in parts), parts=parts)
    judge = _KINDS.get(kind)
    if judge is None:
        return Check(rule, "no_data")
    status, detail = judge(params, facts)
    return Check(rule, status, detail)


def _any(statuses: Any) -> Status:
    found = set(statuses)
    for status in ("met", "pending", "council", "no_data"):
        if status in found:
            return status  # type: ignore[return-value]
    return "unmet"


def _all(statuses: Sequence[Status]) -> Status:
    if "unmet" in statuses:
        return "unmet"
    for status in ("pending", "no_data"):
        if status in statuses:
            return status  # type: ignore[return-value]
    return "met"


def _at_least(value: str | None, minimum: str, scale: Sequence[str]) -> bool:
    return value in scale and scale.index(value) >= scale.index(minimum)


# -- one kind each ------------------------------------------------------------------------------------
Judged = tuple[Status, dict[str, Any]]


def _task_rating(params: dict[str, Any], facts: Facts) -> Judged:
    if not facts.ratings_known or facts.rating is None:
        return "no_data", {}
    met = _at_least(facts.rating, params["min"], TASK_RATINGS)
    return ("met" if met else "unmet"), {"rating": facts.rating}


def _held(facts: Facts, title: str, years: int) -> Status:
    statuses: list[Status] = []
    for back in range(years):
        if back == 0 and title in facts.pending:
            statuses.append("pending")
            continue
        held = facts.titles.get((title, back))
        statuses.append("no_data" if held is None else "met" if held else "unmet")
    return _all(statuses)


def _holds_title(params: dict[str, Any], facts: Facts) -> Judged:
    return _held(facts, params["title"], int(params.get("consecutive_years") or 1)), {}


def _holds_award(params: dict[str, Any], facts: Facts) -> Judged:
    held = facts.awards.get(params["award"])
    return ("no_data" if held is None else "met" if held else "unmet"), {}


def _initiative(params: dict[str, Any], facts: Facts) -> Judged:
    if not facts.initiatives_known:
        return "no_data", {}
    wanted = params.get("kind")
    found = sum(
        1
        for kind, scope in facts.initiatives
        if (wanted is None or kind == wanted) and _at_least(scope, params["scope"], INITIATIVE_SCOPES)
    )
    return ("met" if found >= int(params.get("count") or 1) else "unmet"), {"count": found}


def _share_met(params: dict[str, Any], have: int, of: int) -> bool:
    share = Fraction(have * 100, of)
    ok = True
    if "min_percent" in params:
        ok &= share >= Fraction(str(params["min_percent"]))
    if "more_than_percent" in params:
        ok &= share > Fraction(str(params["more_than_percent"]))
    if "min_count" in params:
        ok &= have >= int(params["min_count"])
    return ok


def _members_task_rating(params: dict[str, Any], facts: Facts) -> Judged:
    members = facts.members
    if not members or not all(m.ratings_known and m.rating is not None for m in members):
        return "no_data", {"of": len(members or ())}
    have = sum(1 for m in members if _at_least(m.rating, params["min"], TASK_RATINGS))
    return ("met" if _share_met(params, have, len(members)) else "unmet"), {"have": have, "of": len(members)}


def _members_with_title(params: dict[str, Any], facts: Facts) -> Judged:
    members = facts.members
    if not members:
        return "no_data", {"of": 0}
    statuses = [_held(m, params["title"], 1) for m in members]
    if "pending" in statuses or "no_data" in statuses:
        return ("pending" if "pending" in statuses else "no_data"), {"of": len(members)}
    have = statuses.count("met")
    return ("met" if _share_met(params, have, len(members)) else "unmet"), {"have": have, "of": len(members)}


def _disciplined(facts: Facts, heaviest_allowed: str | None) -> Status:
    if not facts.discipline_known:
        return "no_data"
    start = DISCIPLINE_MEASURES.index(heaviest_allowed) if heaviest_allowed else 0
    return (
        "unmet"
        if any(_at_least(m, DISCIPLINE_MEASURES[start], DISCIPLINE_MEASURES) for m in facts.discipline)
        else "met"
    )


def _no_discipline(params: dict[str, Any], facts: Facts) -> Judged:
    measure = params.get("from")
    if params.get("members"):
        if not facts.members:
            return "no_data", {}
        statuses = [_disciplined(m, measure) for m in facts.members]
        return _all(statuses), {"have": statuses.count("unmet")}
    if facts.members is not None:  # a unit itself: no data of its own
        return "no_data", {}
    return _disciplined(facts, measure), {}


def _text(params: dict[str, Any], facts: Facts) -> Judged:
    return "council", {}


_KINDS = {
    "task_rating": _task_rating,
    "holds_title": _holds_title,
    "holds_award": _holds_award,
    "initiative": _initiative,
    "members_task_rating": _members_task_rating,
    "members_with_title": _members_with_title,
    "no_discipline": _no_discipline,
    "text": _text,
}


def warnings(checks: Sequence[Check]) -> list[dict[str, Any]]:
    """The checks that warn, as stored with a result (JSON): the rule, its status and what was counted."""
    return [
        {"kind": "criteria", "rule": dict(c.rule), "status": c.status, "detail": dict(c.detail)}
        for c in checks
        if c.warns
    ]
