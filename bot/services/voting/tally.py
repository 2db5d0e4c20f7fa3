"""The tally, pure: counts in, results out. No database, no clock, no floats (`fractions.Fraction`).

Per title, in the order the rules depend on (a quota counted on another title's result comes after it:
Lao động tiên tiến before Chiến sĩ thi đua cơ sở, whose 15 % quota is a share of the same round's LĐTT):

1. the agree share of each dossier: agree over the dossier's members (base `all_members`: the council, a
   recused member out of it unless the plan counts them) or over the votes cast (`votes_cast`); a quorum is
   the share of the dossier's members who voted. A share is met "at least" (>=) or "more than" (>);
2. a quota caps how many of those who met it pass: ranked by their agree share, the best pass; those at the
   line with the same share as the last place are "tied" when they do not all fit, never broken here
   (the chair settles them through the secretary: `Settlement`); the rest are "over_quota";
3. warnings that do not change the outcome: a count that reveals every vote (unanimous, a council of two),
   a quota counted on a title whose own tie is not settled yet, a quota's base that is not in this vote.

"Chưa quyết" and a member who did not vote are not votes: `DossierCount` holds only agree and disagree.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

Outcome = Literal["passed", "failed", "over_quota", "tied"]
OUTCOMES: tuple[Outcome, ...] = ("failed", "over_quota", "tied", "passed")  # worst first
AGREE, DISAGREE = "agree", "disagree"


@dataclass(frozen=True)
class Threshold:
    share: Fraction
    base: Literal["all_members", "votes_cast"] = "all_members"
    comparison: Literal["at_least", "more_than"] = "at_least"
    quorum: Fraction | None = None

    def met(self, share: Fraction) -> bool:
        return share > self.share if self.comparison == "more_than" else share >= self.share


@dataclass(frozen=True)
class Quota:
    percent: Fraction  # 15 means 15 %
    base: Literal["title", "unit_staff"] = "title"
    title: str | None = None  # base "title": the title whose passes it is a share of
    rounding: Literal["down_min_one", "down", "up"] = "down_min_one"

    def size(self, base: int) -> int:
        """How many may pass out of `base`: rounded as the plan says (down, at least one when not empty)."""
        exact = Fraction(base) * self.percent / 100
        if self.rounding == "up":
            return math.ceil(exact)
        size = math.floor(exact)
        return max(size, 1) if self.rounding == "down_min_one" and base > 0 else size


@dataclass(frozen=True)
class TitleRules:
    code: str
    threshold: Threshold
    quota: Quota | None = None
    after: tuple[str, ...] = ()  # titles whose results this one reads (its quota's, its criteria's)


@dataclass(frozen=True)
class DossierCount:
    dossier_id: int
    title: str
    members: int  # the dossier's council (its base when `all_members`)
    agree: int = 0
    disagree: int = 0
    unit_id: int | None = None  # for a quota on the unit's staff

    @property
    def voters(self) -> int:
        return self.agree + self.disagree


@dataclass(frozen=True)
class Settlement:
    """The chair's choice among tied dossiers: `chosen` pass, the others of `among` are over the quota."""

    title: str
    among: frozenset[int]
    chosen: frozenset[int]


@dataclass(frozen=True)
class DossierResult:
    dossier_id: int
    title: str
    members: int
    voters: int
    agree: int
    disagree: int
    share: Fraction
    outcome: Outcome
    rank: int | None = None
    reasons: tuple[str, ...] = ()  # below_threshold | no_quorum | no_votes | quota | settled
    warnings: tuple[str, ...] = ()  # reveals_every_vote | quota_base_tied | quota_base_absent


@dataclass(frozen=True)
class TitleResult:
    code: str
    dossiers: tuple[DossierResult, ...]
    quota: int | None = None  # places, when a quota applies (the largest, for one per unit)
    open_places: int = 0  # places left for the tied, once the clear passes are counted

    @property
    def passed(self) -> int:
        return sum(1 for d in self.dossiers if d.outcome == "passed")

    @property
    def tied(self) -> tuple[int, ...]:
        return tuple(d.dossier_id for d in self.dossiers if d.outcome == "tied")


@dataclass(frozen=True)
class Tally:
    titles: tuple[TitleResult, ...]

    def of(self, dossier_id: int) -> DossierResult:
        return next(d for t in self.titles for d in t.dossiers if d.dossier_id == dossier_id)

    def title(self, code: str) -> TitleResult | None:
        return next((t for t in self.titles if t.code == code), None)


# -- counting -----------------------------------------------------------------------------------------
def count_ballots(
    choices: Iterable[tuple[int, str]], dossiers: Mapping[int, tuple[str, int, int | None]]
) -> list[DossierCount]:
    """(dossier, choice) of every ballot, in any order -> the counts; `dossiers`: id -> (title, members,
    unit). A choice other than agree or disagree is not a vote."""
    agree: dict[int, int] = dict.fromkeys(dossiers, 0)
    disagree: dict[int, int] = dict.fromkeys(dossiers, 0)
    for dossier_id, choice in choices:
        if choice == AGREE:
            agree[dossier_id] += 1
        elif choice == DISAGREE:
            disagree[dossier_id] += 1
    return [
        DossierCount(d, title, members, agree[d], disagree[d], unit)
        for d, (title, members, unit) in sorted(dossiers.items())
    ]


def order(rules: Mapping[str, TitleRules]) -> list[str]:
    """The titles in the order their rules depend on one another (then their own order); a loop of
    dependencies (a plan mistake) keeps the rest of the plan's order."""
    done: list[str] = []
    visiting: set[str] = set()

    def visit(code: str) -> None:
        if code in done or code in visiting or code not in rules:
            return
        visiting.add(code)
        for before in rules[code].after:
            visit(before)
        visiting.discard(code)
        done.append(code)

    for code in rules:
        visit(code)
    return done


# -- the tally ----------------------------------------------------------------------------------------
def tally(
    rules: Mapping[str, TitleRules],
    counts: Sequence[DossierCount],
    *,
    settlements: Iterable[Settlement] = (),
    unit_staff: Mapping[int, int] | None = None,
) -> Tally:
    """Every title's results. `unit_staff`: each unit's staff, for a quota on it."""
    settled = {d: d in s.chosen for s in settlements for d in s.among}
    results: dict[str, TitleResult] = {}
    for code in order(rules):
        mine = sorted((c for c in counts if c.title == code), key=lambda c: c.dossier_id)
        results[code] = _title(rules[code], mine, results, settled, unit_staff or {})
    return Tally(tuple(results[code] for code in order(rules)))


def _share(rule: Threshold, count: DossierCount) -> Fraction:
    base = count.members if rule.base == "all_members" else count.voters
    return Fraction(count.agree, base) if base > 0 else Fraction(0)


def _judged(rule: Threshold, count: DossierCount) -> DossierResult:
    share = _share(rule, count)
    reasons: list[str] = []
    if count.voters == 0:
        reasons.append("no_votes")
    elif rule.quorum is not None and (
        count.members == 0 or Fraction(count.voters, count.members) < rule.quorum
    ):
        reasons.append("no_quorum")
    elif not rule.met(share):
        reasons.append("below_threshold")
    warnings = ("reveals_every_vote",) if _reveals(count) else ()
    outcome: Outcome = "failed" if reasons else "passed"
    return DossierResult(
        count.dossier_id,
        count.title,
        count.members,
        count.voters,
        count.agree,
        count.disagree,
        share,
        outcome,
        reasons=tuple(reasons),
        warnings=warnings,
    )


def _reveals(count: DossierCount) -> bool:
    """The count alone says how each voter voted: all the same way, or a council of two."""
    return count.voters > 0 and (count.agree in (0, count.voters) or count.members <= 2)


def _title(
    rules: TitleRules,
    counts: Sequence[DossierCount],
    done: Mapping[str, TitleResult],
    settled: Mapping[int, bool],
    unit_staff: Mapping[int, int],
) -> TitleResult:
    judged = [_judged(rules.threshold, c) for c in counts]
    quota = rules.quota
    if quota is None:
        return TitleResult(rules.code, tuple(judged))
    if quota.base == "unit_staff":
        groups: dict[int | None, list[DossierResult]] = {}
        for result, count in zip(judged, counts, strict=True):
            groups.setdefault(count.unit_id, []).append(result)
        out: list[DossierResult] = []
        sizes, places = [], 0
        for unit_id, group in groups.items():
            size = quota.size(unit_staff.get(unit_id or 0, 0))
            ranked, left = _ranked(group, size, settled, ())
            out += ranked
            sizes.append(size)
            places += left
        out.sort(key=lambda d: d.dossier_id)
        return TitleResult(rules.code, tuple(out), max(sizes, default=0), places)
    base = done.get(quota.title or "")
    if base is None:  # the title the quota is a share of is not in this vote: no quota, and say so
        warned = tuple(_warn(d, "quota_base_absent") for d in judged)
        return TitleResult(rules.code, warned)
    size = quota.size(base.passed)
    extra = ("quota_base_tied",) if base.tied else ()
    ranked, left = _ranked(judged, size, settled, extra)
    return TitleResult(rules.code, tuple(sorted(ranked, key=lambda d: d.dossier_id)), size, left)


def _warn(result: DossierResult, *warnings: str) -> DossierResult:
    return _with(result, warnings=result.warnings + tuple(w for w in warnings if w not in result.warnings))


def _with(result: DossierResult, **changes: object) -> DossierResult:
    values = {name: getattr(result, name) for name in result.__dataclass_fields__}
    return DossierResult(**(values | changes))  # type: ignore[arg-type]


def _ranked(
    group: Sequence[DossierResult], size: int, settled: Mapping[int, bool], extra: tuple[str, ...]
) -> tuple[list[DossierResult], int]:
    """Those who met the threshold, ranked by agree share: the best `size` pass, a tie at the line is
    "tied" (or as the chair settled it), the rest over the quota. The places left for the tied."""
    failed = [_warn(d, *extra) for d in group if d.outcome == "failed"]
    met = sorted((d for d in group if d.outcome == "passed"), key=lambda d: (-d.share, d.dossier_id))
    ranks = {d.dossier_id: 1 + sum(1 for o in met if o.share > d.share) for d in met}
    if len(met) <= size:
        return failed + [_warn(_with(d, rank=ranks[d.dossier_id]), *extra) for d in met], 0
    line = met[size - 1].share if size > 0 else None
    above = {d.dossier_id for d in met if line is not None and d.share > line}
    at_line = {d.dossier_id for d in met if line is not None and d.share == line}
    places = size - len(above)
    out = list(failed)
    for d in met:
        rank = ranks[d.dossier_id]
        if d.dossier_id in above or (d.dossier_id in at_line and len(at_line) <= places):
            outcome: Outcome = "passed"
        elif d.dossier_id in at_line:
            outcome = "tied"
        else:
            outcome = "over_quota"
        reasons = d.reasons + (("quota",) if outcome == "over_quota" else ())
        if outcome == "tied" and d.dossier_id in settled:
            outcome = "passed" if settled[d.dossier_id] else "over_quota"
            reasons += ("settled",)
        out.append(_warn(_with(d, outcome=outcome, rank=rank, reasons=reasons), *extra))
    return out, places if len(at_line) > places else 0
