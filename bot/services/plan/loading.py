"""Loading a plan file into the database: the period's rows made equal to the file.

`LoadingService(ctx).load(plan, text, path)` upserts the period's rows by their stable key (period, code),
so ids never move and every record that refers to them stays valid. Loading the same file again changes
nothing. Dropping an item that records of other features refer to is refused, naming what refers to it
(`references.register_reference`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

from bot.clock import fmt_date
from bot.context import Ctx
from bot.i18n import t
from bot.plan.calendar import closes_at, nominations_open, opens_at
from bot.plan.loader import locate_in
from bot.plan.messages import Phrase
from bot.plan.schema import Commendation, PlanError, PlanFile, PlanIssue, Title
from bot.services.audit import Audit
from bot.services.plan.references import Reference, RefTarget, references
from bot.services.plan.reminder_warnings import reminder_warnings
from bot.services.reminder_times import QuietHours
from storage.models.plan import (
    PlanAwardFactor,
    PlanCommendation,
    PlanMoneyValue,
    PlanMovement,
    PlanPeriod,
    PlanReminderRule,
    PlanRound,
    PlanSchoolYear,
)
from storage.repositories.plan import AWARD_ROUND_UP, HIGHEST_ONLY, LUONG_CO_SO, MONEY_KINDS, PlanRepo

# -- the load report ---------------------------------------------------------------------------------------
KINDS = ("period", "movement", "commendation", "money", "school_year", "round", "reminder_rule")


@dataclass
class LoadReport:
    period_code: str
    period_id: int
    status: Literal["created", "updated", "unchanged"] = "unchanged"
    added: dict[str, list[str]] = field(default_factory=dict)
    changed: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # kind -> code -> fields
    removed: dict[str, list[str]] = field(default_factory=dict)
    announcement: Any = None  # a new current period sent to everyone (bot.services.acknowledgement)
    warnings: list[PlanIssue] = field(default_factory=list)  # never block: reminder offsets (issue 13)

    def note_added(self, kind: str, code: str) -> None:
        self.added.setdefault(kind, []).append(code)

    def note_changed(self, kind: str, code: str, fields: Iterable[str]) -> None:
        self.changed.setdefault(kind, {}).setdefault(code, []).extend(fields)

    def note_removed(self, kind: str, code: str) -> None:
        self.removed.setdefault(kind, []).append(code)

    @property
    def touched(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def summary(self) -> dict[str, Any]:
        return {
            "period": self.period_code,
            "status": self.status,
            "added": self.added,
            "changed": self.changed,
            "removed": self.removed,
        }

    def lines(self, locale: str | None = None) -> list[str]:
        out = [t(f"plan-load-{self.status}", locale=locale, period=self.period_code)]
        for key, group in (("added", self.added), ("changed", self.changed), ("removed", self.removed)):
            for kind in KINDS:
                codes = list(group.get(kind, []))
                if codes:
                    what = t(f"plan-kind-{kind}", locale=locale)
                    out.append(t(f"plan-load-{key}", locale=locale, what=what, codes=", ".join(codes)))
        if self.warnings:
            out.append(t("plan-warnings", locale=locale))
            out += [f"  {w.format(locale)}" for w in self.warnings]
        return out


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


# -- desired rows from a plan file ----------------------------------------------------------------------
def _period_values(plan: PlanFile, text: str, path: str | None, document: tuple[str, str] | None) -> dict:
    p = plan.period
    doc = p.document
    return {
        "start_year": p.start_year,
        "end_year": p.end_year,
        "title_vi": p.title.vi,
        "title_en": p.title.en,
        "purpose_vi": p.purpose.vi if p.purpose else None,
        "purpose_en": p.purpose.en if p.purpose else None,
        "source": p.source,
        "document_path": document[0] if document else None,
        "document_title_vi": doc.title.vi if doc and doc.title else None,
        "document_title_en": doc.title.en if doc and doc.title else None,
        "document_sha256": document[1] if document else None,
        "nominee_can_read_summary": plan.confidentiality.nominee_can_read_summary,
        "secret_ballot": plan.confidentiality.secret_ballot,
        "recusal_base": plan.council.recusal.base,
        "recusal_source": plan.council.recusal.source,
        "recusal_to_confirm": plan.council.recusal.to_confirm,
        "schema_version": plan.schema_version,
        "source_path": path,
        "source_yaml": text,
        "source_sha256": _sha256(text.encode("utf-8")),
    }


def _movement_values(plan: PlanFile) -> dict[str, dict[str, Any]]:
    return {
        m.code: {
            "position": i,
            "name_vi": m.name.vi,
            "name_en": m.name.en,
            "collective_vi": m.criteria.collective.vi,
            "collective_en": m.criteria.collective.en,
            "individual_vi": m.criteria.individual.vi,
            "individual_en": m.criteria.individual.en,
            "source": m.source,
        }
        for i, m in enumerate(plan.movements)
    }


def _commendation_values(plan: PlanFile) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for i, c in enumerate(plan.commendations):
        is_title = isinstance(c, Title)
        quota = c.quota
        out[c.code] = {
            "kind": "title" if is_title else "award_form",
            "position": i,
            "subject": c.subject if isinstance(c, Title) else None,
            "subjects": [c.subject] if isinstance(c, Title) else list(c.subjects),  # type: ignore[attr-defined]
            "level": None if is_title else c.level,  # type: ignore[attr-defined]
            "name_vi": c.name.vi,
            "name_en": c.name.en,
            "decided_by": c.decided_by,
            "registration_required": c.registration_required,
            "threshold_share": _shown(c.voting.share),
            "threshold_num": c.voting.share.numerator,
            "threshold_den": c.voting.share.denominator,
            "threshold_comparison": c.voting.comparison,
            "quorum_num": c.voting.quorum.numerator if c.voting.quorum else None,
            "quorum_den": c.voting.quorum.denominator if c.voting.quorum else None,
            "tie_rule": c.voting.tie,
            "threshold_base": c.voting.base,
            "threshold_source": c.voting.source,
            "threshold_to_confirm": c.voting.to_confirm,
            "quota_percent": quota.percent if quota else None,
            "quota_base": quota.base if quota else None,
            "quota_title": quota.title if quota else None,
            "quota_source": quota.source if quota else None,
            "quota_to_confirm": quota.to_confirm if quota else False,
            "quota_rounding": quota.rounding if quota else None,
            "criteria_rules": [_jsonable({"kind": r.kind, "params": r.params}) for r in c.criteria_rules],
            "note_vi": c.note.vi if c.note else None,
            "note_en": c.note.en if c.note else None,
            "source": c.source,
            "to_confirm": c.to_confirm,
        }
    return out


def _shown(share: Fraction) -> Decimal:
    """The share as `threshold_share` shows it (4 places); the vote reads `threshold_num/_den`, exact."""
    return (Decimal(share.numerator) / Decimal(share.denominator)).quantize(Decimal("0.0001"))


def _factor_values(item: Commendation) -> dict[tuple[str | None, date], dict[str, Any]]:
    return {
        (f.subject, f.effective_from): {"factor": f.factor, "source": f.source, "to_confirm": f.to_confirm}
        for f in item.award_factors
    }


def money_warnings(plan: PlanFile) -> list[PlanIssue]:
    """An award decided upward carries no school money (issue 20): a factor given to one is a warning."""
    out = []
    for group, items in (("titles", plan.titles), ("award_forms", plan.award_forms)):
        for i, item in enumerate(items):
            if item.decided_by == "upward" and item.award_factors:
                out.append(PlanIssue((group, i, "award_factors"), "plan-upward-factor", {"code": item.code}))
    return out


def _money_values(plan: PlanFile) -> dict[tuple[str, date], dict[str, Any]]:
    """Each dated money value by (kind, day): lương cơ sở (đồng), the award rounding's step (đồng), and
    whether only the highest title of a round is paid (1 or 0)."""
    m = plan.money
    dated: list[tuple[str, Any, int]] = [
        *((LUONG_CO_SO, v, v.amount) for v in m.luong_co_so),
        *((AWARD_ROUND_UP, v, v.step) for v in m.award_rounding),
        *((HIGHEST_ONLY, v, int(v.value)) for v in m.highest_only),
    ]
    return {
        (kind, v.effective_from): {"amount": amount, "source": v.source, "to_confirm": v.to_confirm}
        for kind, v, amount in dated
    }


def _school_year_values(plan: PlanFile) -> dict[str, dict[str, Any]]:
    return {
        sy.code: {
            "start": sy.start,
            "end": sy.end,
            "registration_opens_at": _utc(opens_at(sy.registration.opens)),
            "registration_closes_at": _utc(closes_at(sy.registration.closes)),
            "acknowledgement_closes_at": _utc(closes_at(sy.acknowledgement)) if sy.acknowledgement else None,
            "province_report_at": _utc(closes_at(sy.report_to_province)) if sy.report_to_province else None,
        }
        for sy in plan.school_years
    }


def _round_values(plan: PlanFile, school_year_ids: dict[str, int]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for i, r in enumerate(plan.rounds):
        w = r.windows
        out[r.code] = {
            "school_year_id": school_year_ids[r.school_year],
            "kind": r.kind,
            "position": i,
            "name_vi": r.name.vi,
            "name_en": r.name.en,
            "nominable": list(r.nominable),
            "nominations_open_at": _utc(opens_at(nominations_open(plan, r))),
            "nominations_close_at": _utc(closes_at(w.nominations_close)),
            "voting_open_at": _utc(opens_at(w.voting_open)),
            "voting_close_at": _utc(closes_at(w.voting_close)),
            "ceremony_at": _utc(opens_at(w.ceremony)),
            "occasion_vi": r.occasion.name.vi if r.occasion else None,
            "occasion_en": r.occasion.name.en if r.occasion else None,
            "occasion_date": r.occasion.date if r.occasion else None,
            "source": r.source,
            "comment_days": r.comment_period.days if r.comment_period else None,
            "comment_source": r.comment_period.source if r.comment_period else None,
            "comment_to_confirm": bool(r.comment_period and r.comment_period.to_confirm),
        }
    return out


def _reminder_values(plan: PlanFile) -> dict[str, dict[str, Any]]:
    """The rules by content (deadline and audiences): reordering them changes only their positions."""
    return {
        r.key: {
            "position": i,
            "deadline": r.deadline,
            "offsets": list(r.offsets),
            "audience": sorted(set(r.audience)),
        }
        for i, r in enumerate(plan.reminder_rules)
    }


def _apply(row: Any, values: dict[str, Any]) -> list[str]:
    """Set the values that differ; the names of the fields that changed."""
    changed = []
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed.append(name)
    return changed


_GROUPS: dict[RefTarget, str] = {
    "movement": "movements",
    "commendation": "titles",
    "school_year": "school_years",
    "round": "rounds",
}


class LoadingService:
    """Loads plan files: `load` and what it needs."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.repo = PlanRepo(ctx.session)

    async def load(
        self, plan: PlanFile, source_text: str, path: str | Path | None = None, *, announce: bool = True
    ) -> LoadReport:
        """Upsert the plan into the database; raises `PlanError` (and changes nothing) when it cannot.

        A period loaded for the first time that contains today is sent to every linked member (`announce`;
        the demo data does not announce)."""
        filename = str(path) if path is not None else "<plan>"
        document = self._document(plan, source_text, path, filename)
        period = await self.repo.period_by_code(plan.period.code)
        await self._refuse_conflicts(plan, period, source_text, filename)

        source_path = _resolved(path)
        values = _period_values(plan, source_text, source_path, document)
        created = period is None
        if period is None:
            period = self.repo.add(
                PlanPeriod(code=plan.period.code, loaded_at=self.ctx.clock.now(), **values)
            )
            await self.ctx.session.flush()
            report = LoadReport(period.code, period.id, "created")
            report.note_added("period", period.code)
        else:
            report = LoadReport(period.code, period.id)
            fields = _apply(period, values)
            if fields:
                report.note_changed("period", period.code, fields)

        pid = period.id
        await self._sync_rounds_removed(plan, pid, report)
        await self._sync(PlanMovement, pid, "movement", _movement_values(plan), report)
        await self._sync_commendations(plan, pid, report)
        await self._sync_money(plan, pid, report)
        dropped_years: list[PlanSchoolYear] = []
        school_years = await self._sync(
            PlanSchoolYear, pid, "school_year", _school_year_values(plan), report, deferred=dropped_years
        )
        ids = {code: row.id for code, row in school_years.items()}
        await self._sync(PlanRound, pid, "round", _round_values(plan, ids), report)
        for row in dropped_years:  # once no round points at them
            await self.ctx.session.delete(row)
        await self.ctx.session.flush()
        await self._sync_reminders(plan, pid, report)
        report.warnings = self._warnings(plan, source_text)

        if not created and report.touched:
            report.status = "updated"
        if report.touched:
            period.loaded_at = self.ctx.clock.now()
            await self.ctx.session.flush()
            Audit(self.ctx).record("plan.loaded", "plan_period", pid, after=report.summary())
        if announce:
            from bot.services.acknowledgement import announce_if_new

            report.announcement = await announce_if_new(self.ctx, period, created)
        return report

    def _warnings(self, plan: PlanFile, source_text: str) -> list[PlanIssue]:
        """What never blocks: reminder offsets (issue 13), a factor given to an award decided upward."""
        settings = self.ctx.settings
        quiet = QuietHours.parse(settings.reminder_quiet_hours, settings.tz)
        found = [
            *reminder_warnings(plan, quiet, settings.reminder_quiet_hours, settings.reminder_day_at),
            *money_warnings(plan),
        ]
        return [locate_in(source_text, w) for w in found]

    def _document(
        self, plan: PlanFile, text: str, path: str | Path | None, filename: str
    ) -> tuple[str, str] | None:
        doc = plan.period.document
        if doc is None:
            return None
        base = Path(path).resolve().parent if path is not None else Path.cwd()
        file = (base / doc.path).resolve()
        if not file.is_file():
            issue = PlanIssue(("period", "document", "path"), "plan-document-missing", {"path": str(file)})
            raise PlanError([locate_in(text, issue)], filename)
        return str(file), _sha256(file.read_bytes())

    async def _refuse_conflicts(
        self, plan: PlanFile, period: PlanPeriod | None, text: str, filename: str
    ) -> None:
        """Refused whole: dropping what records use; changing the rules of a vote in progress (issue 19)."""
        await self._refuse_removals_in_use(plan, period, text, filename)
        if period is not None:
            from bot.services.voting.rules import refuse_frozen_changes

            desired = _commendation_values(plan)
            await refuse_frozen_changes(self.ctx, plan, period.id, desired, text, filename)

    async def _refuse_removals_in_use(
        self, plan: PlanFile, period: PlanPeriod | None, text: str, filename: str
    ) -> None:
        if period is None:
            return
        keep: dict[RefTarget, set[str]] = {
            "movement": {m.code for m in plan.movements},
            "commendation": {c.code for c in plan.commendations},
            "school_year": {s.code for s in plan.school_years},
            "round": {r.code for r in plan.rounds},
        }
        models: dict[RefTarget, Any] = {
            "movement": PlanMovement,
            "commendation": PlanCommendation,
            "school_year": PlanSchoolYear,
            "round": PlanRound,
        }
        issues: list[PlanIssue] = []
        for target, model in models.items():
            dropped = [
                row for row in await self.repo.of_period(model, period.id) if row.code not in keep[target]
            ]
            if not dropped:
                continue
            counts: dict[int, list[tuple[Reference, int]]] = {}
            for ref in references():
                if ref.target != target:
                    continue
                for row_id, n in (
                    await self.repo.count_references(ref.column, [r.id for r in dropped])
                ).items():
                    counts.setdefault(row_id, []).append((ref, n))
            for row in dropped:
                if row.id not in counts:
                    continue
                refs = [Phrase("plan-ref-count", {"label": ref, "count": n}) for ref, n in counts[row.id]]
                group = _GROUPS[target]
                if target == "commendation" and row.kind == "award_form":
                    group = "award_forms"
                params = {"what": Phrase(f"plan-what-{target}"), "code": row.code, "refs": _Joined(refs)}
                issues.append(locate_in(text, PlanIssue((group,), "plan-removed-in-use", params)))
        if issues:
            raise PlanError(issues, filename)

    async def _sync(
        self,
        model: Any,
        period_id: int,
        kind: str,
        desired: dict[Any, dict[str, Any]],
        report: LoadReport,
        key: Callable[[Any], Any] = lambda row: row.code,
        make: Callable[[Any, dict[str, Any]], Any] | None = None,
        label: Callable[[Any], str] = str,
        deferred: list[Any] | None = None,
        quiet: tuple[str, ...] = (),
    ) -> dict[Any, Any]:
        """Rows of `model` for the period made equal to `desired` (key -> values); returns key -> row.

        Rows the file no longer has are deleted, or put in `deferred` when others still point at them.
        """
        existing = {key(row): row for row in await self.repo.of_period(model, period_id)}
        rows: dict[Any, Any] = {}
        for k, values in desired.items():
            row = existing.pop(k, None)
            if row is None:
                row = self.repo.add(make(k, values) if make else model(period_id=period_id, code=k, **values))
                report.note_added(kind, label(k))
            else:
                fields = [f for f in _apply(row, values) if f not in quiet]
                if fields:
                    report.note_changed(kind, label(k), fields)
            rows[k] = row
        for k, row in existing.items():
            if deferred is not None:
                deferred.append(row)
            else:
                await self.ctx.session.delete(row)
            report.note_removed(kind, label(k))
        await self.ctx.session.flush()
        return rows

    async def _sync_rounds_removed(self, plan: PlanFile, period_id: int, report: LoadReport) -> None:
        """Rounds the file drops go first: the school years they belong to may be dropped too."""
        keep = {r.code for r in plan.rounds}
        for row in await self.repo.rounds(period_id):
            if row.code not in keep:
                await self.ctx.session.delete(row)
                report.note_removed("round", row.code)
        await self.ctx.session.flush()

    async def _sync_commendations(self, plan: PlanFile, period_id: int, report: LoadReport) -> None:
        desired = _commendation_values(plan)
        existing = await self.repo.of_period(PlanCommendation, period_id)
        dropped = [row.id for row in existing if row.code not in desired]
        for factor in await self.repo.factors(dropped):
            await self.ctx.session.delete(factor)
        await self.ctx.session.flush()
        rows = await self._sync(PlanCommendation, period_id, "commendation", desired, report)
        factors = await self.repo.factors([row.id for row in rows.values()])
        by_item: dict[int, dict[tuple[str | None, date], PlanAwardFactor]] = {}
        for f in factors:
            by_item.setdefault(f.commendation_id, {})[(f.subject, f.effective_from)] = f
        for item in plan.commendations:
            row = rows[item.code]
            have = by_item.get(row.id, {})
            changed: list[str] = []
            for k, values in _factor_values(item).items():
                factor = have.pop(k, None)
                if factor is None:
                    self.repo.add(
                        PlanAwardFactor(commendation_id=row.id, subject=k[0], effective_from=k[1], **values)
                    )
                    changed.append(f"award_factor {k[1].isoformat()} added")
                elif _apply(factor, values):
                    changed.append(f"award_factor {k[1].isoformat()}")
            for k, factor in have.items():
                await self.ctx.session.delete(factor)
                changed.append(f"award_factor {k[1].isoformat()} removed")
            if changed and item.code not in report.added.get("commendation", []):
                report.note_changed("commendation", item.code, changed)
        await self.ctx.session.flush()

    async def _sync_money(self, plan: PlanFile, period_id: int, report: LoadReport) -> None:
        def make(kind: str, day: date, values: dict[str, Any]) -> PlanMoneyValue:
            return PlanMoneyValue(period_id=period_id, kind=kind, effective_from=day, **values)

        def label(kind: str, day: date) -> str:
            return fmt_date(day) if kind == LUONG_CO_SO else f"{kind} {fmt_date(day)}"

        existing = {
            (row.kind, row.effective_from): row
            for kind in MONEY_KINDS
            for row in await self.repo.money(period_id, kind)
        }
        desired = _money_values(plan)
        for (kind, day), values in desired.items():
            row = existing.pop((kind, day), None)
            if row is None:
                self.repo.add(make(kind, day, values))
                report.note_added("money", label(kind, day))
            elif fields := _apply(row, values):
                report.note_changed("money", label(kind, day), fields)
        for (kind, day), row in existing.items():
            await self.ctx.session.delete(row)
            report.note_removed("money", label(kind, day))
        await self.ctx.session.flush()

    async def _sync_reminders(self, plan: PlanFile, period_id: int, report: LoadReport) -> None:
        def make(key: str, values: dict[str, Any]) -> PlanReminderRule:
            return PlanReminderRule(period_id=period_id, key=key, **values)

        await self._sync(
            PlanReminderRule,
            period_id,
            "reminder_rule",
            _reminder_values(plan),
            report,
            key=lambda row: row.key,
            make=make,
            label=_rule_label,
            quiet=("position",),
        )


def _rule_label(key: str) -> str:
    """ "registration_close:pending,unit_heads" -> "registration_close (pending, unit_heads)"."""
    deadline, _, audience = key.partition(":")
    return f"{deadline} ({audience.replace(',', ', ')})"


def _resolved(path: str | Path | None) -> str | None:
    return str(Path(path).resolve()) if path is not None else None


@dataclass(frozen=True)
class _Joined:
    parts: Sequence[Phrase]

    def render(self, locale: str) -> str:
        return "; ".join(p.render(locale) for p in self.parts)

    def __str__(self) -> str:
        return self.render("en")
