"""The plan's rules of a vote, copied to the vote when it opens, so a later `thidua plan load` cannot change
a vote in progress: the titles the round may nominate (`nominable`), each title's threshold (share, base,
"at least"/"more than", quorum, tie), quota (percent, base, rounding), registration and criteria, and
whether a recused member is out of a dossier's base.

The copy is made from the same values `plan load` writes to `plan_commendation` (its column names), so the
rules a file would give and the rules a vote holds are compared like for like. A reload that would change
one of them while the vote runs is refused whole (`refuse_frozen_changes`), naming the round and the value.
Shares are kept as [numerator, denominator]: 2/3 stays 2/3.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from bot.context import Ctx
from bot.plan.loader import locate_in
from bot.plan.messages import Phrase
from bot.plan.schema import PlanError, PlanFile, PlanIssue
from bot.services.voting.tally import Quota, Threshold, TitleRules
from storage.models.plan import PlanCommendation, PlanPeriod, PlanRound
from storage.repositories.voting import VotingRepo

COLUMNS = (
    "kind",
    "subject",
    "subjects",
    "registration_required",
    "threshold_num",
    "threshold_den",
    "threshold_base",
    "threshold_comparison",
    "quorum_num",
    "quorum_den",
    "tie_rule",
    "quota_percent",
    "quota_base",
    "quota_title",
    "quota_rounding",
    "criteria_rules",
)
REFERS = ("holds_title", "members_with_title")  # criteria that read another title's result


def _pair(value: Fraction | Decimal | int | None) -> list[int] | None:
    if value is None:
        return None
    exact = Fraction(value)
    return [exact.numerator, exact.denominator]


def _fraction(pair: Sequence[int] | None) -> Fraction | None:
    return Fraction(int(pair[0]), int(pair[1])) if pair else None


def title_rules(values: Mapping[str, Any]) -> dict[str, Any]:
    """A title's rules from its `plan_commendation` values (a row's, or those a plan file would write)."""
    quorum = values.get("quorum_num")
    quota = None
    if values.get("quota_percent") is not None:
        quota = {
            "percent": _pair(Decimal(str(values["quota_percent"]))),
            "base": values["quota_base"],
            "title": values.get("quota_title"),
            "rounding": values.get("quota_rounding") or "down_min_one",
        }
    return {
        "kind": values["kind"],
        "subject": values.get("subject"),
        "subjects": list(values.get("subjects") or []),
        "registration_required": bool(values["registration_required"]),
        "threshold": {
            "share": [int(values["threshold_num"]), int(values["threshold_den"])],
            "base": values["threshold_base"],
            "comparison": values.get("threshold_comparison") or "at_least",
            "quorum": [int(quorum), int(values["quorum_den"])] if quorum else None,
            "tie": values.get("tie_rule") or "chair",
        },
        "quota": quota,
        "criteria_rules": list(values.get("criteria_rules") or []),
    }


def freeze(
    round_: PlanRound, commendations: Sequence[PlanCommendation], period: PlanPeriod
) -> dict[str, Any]:
    """The rules a vote of `round_` opens with, from the plan rows as loaded."""
    by_code = {c.code: c for c in commendations}
    titles = {
        code: title_rules({name: getattr(by_code[code], name) for name in COLUMNS})
        for code in round_.nominable
        if code in by_code
    }
    return {"nominable": list(round_.nominable), "recusal": period.recusal_base, "titles": titles}


def tally_rules(rules: Mapping[str, Any]) -> dict[str, TitleRules]:
    """The frozen rules as the tally reads them, in the round's order of titles."""
    out: dict[str, TitleRules] = {}
    for code, title in rules.get("titles", {}).items():
        threshold = title["threshold"]
        quota = title.get("quota")
        after = [quota["title"]] if quota and quota.get("title") else []
        after += _referred(title.get("criteria_rules", []))
        out[code] = TitleRules(
            code,
            Threshold(
                _fraction(threshold["share"]) or Fraction(1, 2),
                threshold["base"],
                threshold.get("comparison", "at_least"),
                _fraction(threshold.get("quorum")),
            ),
            Quota(
                _fraction(quota["percent"]) or Fraction(0),
                quota["base"],
                quota.get("title"),
                quota["rounding"],
            )
            if quota
            else None,
            tuple(t for t in dict.fromkeys(after) if t != code),
        )
    return out


def _referred(rules: Sequence[Mapping[str, Any]]) -> Iterator[str]:
    for rule in rules:
        params = rule.get("params") or {}
        if rule.get("kind") in REFERS and params.get("title"):
            yield str(params["title"])
        if rule.get("kind") == "any_of":
            yield from _referred(params.get("rules") or [])


# -- a reload while a vote runs -------------------------------------------------------------------------
FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("share", ("voting", "share")),
    ("base", ("voting", "base")),
    ("comparison", ("voting", "comparison")),
    ("quorum", ("voting", "quorum")),
    ("tie", ("voting", "tie")),
    ("quota", ("quota",)),
    ("registration_required", ("registration_required",)),
    ("criteria_rules", ("criteria_rules",)),
)


def _value(title: Mapping[str, Any] | None, name: str) -> Any:
    if title is None:
        return None
    if name in ("share", "base", "comparison", "quorum", "tie"):
        return title["threshold"].get(name)
    return title.get(name)


def _shown(value: Any) -> str:
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return f"{value[0]}/{value[1]}" if value[1] != 1 else str(value[0])
    if isinstance(value, dict) and "kind" in value:  # a criteria rule, as the file writes it
        params = ", ".join(f"{k}: {_shown(v)}" for k, v in (value.get("params") or {}).items())
        return f"{value['kind']} {{{params}}}" if params else str(value["kind"])
    if isinstance(value, dict):  # a quota
        return f"{_shown(value.get('percent'))} % {value.get('title') or value.get('base')}"
    if isinstance(value, list):  # criteria rules
        return "[" + "; ".join(_shown(v) for v in value) + "]" if value else "—"
    return "—" if value is None else str(value)


def changes(
    frozen: Mapping[str, Any], nominable: Sequence[str], titles: Mapping[str, Mapping[str, Any]], recusal: str
) -> Iterator[tuple[str, str | None, str, str]]:
    """(what, title, frozen value, new value) for every frozen rule the new values would change."""
    if list(frozen.get("nominable", [])) != list(nominable):
        yield "nominable", None, ", ".join(frozen.get("nominable", [])), ", ".join(nominable)
    if frozen.get("recusal") != recusal:
        yield "recusal", None, str(frozen.get("recusal")), recusal
    for code, old in frozen.get("titles", {}).items():
        new = titles.get(code)
        for name, _ in FIELDS:
            if _value(old, name) != _value(new, name):
                yield name, code, _shown(_value(old, name)), _shown(_value(new, name))


def _location(plan: PlanFile, round_index: int, what: str, code: str | None) -> tuple[str | int, ...]:
    if code is None:
        return ("rounds", round_index, "nominable") if what == "nominable" else ("council", "recusal")
    group = "titles" if any(t.code == code for t in plan.titles) else "award_forms"
    items = plan.titles if group == "titles" else plan.award_forms
    index = next((i for i, item in enumerate(items) if item.code == code), None)
    if index is None:
        return ("rounds", round_index, "nominable")
    return (group, index, *dict(FIELDS)[what])


async def refuse_frozen_changes(
    ctx: Ctx,
    plan: PlanFile,
    period_id: int,
    commendations: Mapping[str, Mapping[str, Any]],
    text: str,
    filename: str,
) -> None:
    """Raise `PlanError` (and nothing is written) when the file would change a rule of a running vote."""
    issues: list[PlanIssue] = []
    for voting, round_row in await VotingRepo(ctx.session).running_in_period(period_id):
        index = next((i for i, r in enumerate(plan.rounds) if r.code == round_row.code), None)
        if index is None:
            continue  # the round is dropped: refused as a removal still in use (register_reference)
        nominable = list(plan.rounds[index].nominable)
        titles = {code: title_rules(commendations[code]) for code in nominable if code in commendations}
        for what, code, old, new in changes(voting.rules, nominable, titles, plan.council.recusal.base):
            params = {
                "round": round_row.code,
                "what": Phrase(f"plan-frozen-{what}"),
                "title": code or "",
                "old": old,
                "new": new,
            }
            key = "plan-frozen-title" if code else "plan-frozen-round"
            issues.append(locate_in(text, PlanIssue(_location(plan, index, what, code), key, params)))
    if issues:
        raise PlanError(issues, filename)
