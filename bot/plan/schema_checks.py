"""What ties a well-shaped plan's values together: the order of dates, references between codes,
uniqueness. `PlanFile` runs `plan_problems` when it is built, so a `PlanFile` that exists is a valid plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

from bot.plan.calendar import Moment, closes_at, has_time, local_day, opens_at
from bot.plan.messages import Listing, known_list
from bot.plan.schema import AwardForm, Commendation, CriteriaRule, PlanFile, Round, SchoolYear, Title
from bot.plan.schema_rules import _ONE_OF, _RULE_REFERENCES, RULE_KINDS
from bot.plan.schema_values import Loc, PlanIssue, Subject, format_path, parse_offset

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
