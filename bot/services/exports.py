"""Exports (issue 21): who may take which file, the committed job, and how long its file stays.

`ExportService(ctx)`:
- `available()` → the kinds the actor may export (each kind's action `export.<name>` in bot/roles.py);
- `rounds()`, `years()`, `units(kind)` → the filter's choices (a head's units: their own only);
- `request(kind, round_id=, school_year_id=, unit_id=, decision_id=, blank=)` → the queued `ExportJob`: the
  authority checked again (the kind, the unit against the person's grants: a forged unit is refused before
  anything is written), the filter resolved to its codes, the request audited (`export.requested`: the
  kind, the filter, the scope); the worker (bot/exports/worker.py) is woken after the commit and sends the
  file through the outbox (the documents' commands too: /papers, /budget, /fund, /stats, /blank ask for
  their kinds here); `request_all(kinds, …)` one command's several files, every kind checked before any
  is added (a double tap while one is still being made adds none);
- `resolve(kind, round=, year=, unit=)` → the `ExportFilter` of codes typed (the operator's `thidua export`),
  scope all.
`remove_expired(now)` (due work `exports`) removes the files older than EXPORT_RETENTION_DAYS and their
outbox copy, never while a waiting outbox row still uses them.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, select, update

from bot.context import Ctx
from bot.errors import DomainError, NotAllowed
from bot.exports.registry import ExportFilter, ExportKind, kind, kinds
from bot.roles import Role, Scope, can, register_rules, units_for
from bot.services.audit import Audit
from bot.services.outbox import NOT_SENT
from storage.models import OutboxMessage, Unit
from storage.models.core import OutboxFile
from storage.models.decisions import Decision
from storage.models.exports import ExportJob
from storage.models.plan import PlanPeriod, PlanRound, PlanSchoolYear

EXPORT = "export"  # /export: whoever may take at least one kind
OUTBOX_KIND = "export"
register_rules(
    {
        EXPORT: {
            Role.SECRETARY: Scope.ALL,
            Role.UNIT_HEAD: Scope.OWN_UNIT,
            Role.DEPUTY_HEAD: Scope.OWN_UNIT,
            Role.FINANCE: Scope.ALL,
        }
    }
)


class UnknownKind(DomainError):
    key = "export-unknown-kind"


class AlreadyPreparing(DomainError):
    """The same file for the same person is still being made (a double tap)."""

    key = "export-already-preparing"


class UnknownFilter(DomainError):
    """A round, school year or unit not found: `export-unknown-round` / `-year` / `-unit`, with `value`."""

    key = "export-unknown-unit"


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


@dataclass(frozen=True)
class Choice:
    id: int
    code: str
    name: str


class ExportService:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.s = ctx.session

    # -- what may be taken ------------------------------------------------------------------------------
    def available(self) -> list[ExportKind]:
        """The kinds of /export's menu the actor may take."""
        return [k for k in kinds() if k.listed and can(self.ctx.actor, k.action)]

    def kind(self, name: str, *, menu: bool = False) -> ExportKind:
        """The kind `name`, if the actor may take it; `menu`: only a kind /export offers (a press there
        naming a document's kind is as unknown as a misspelt one)."""
        found = kind(name)
        if found is None or (menu and not found.listed):
            raise UnknownKind(kind=name, kinds=", ".join(k.name for k in kinds()))
        if self.ctx.actor is not None and not can(self.ctx.actor, found.action):
            raise NotAllowed()
        return found

    async def rounds(self, limit: int = 8) -> list[Choice]:
        """The latest rounds first (of the latest loaded period first)."""
        rows = await self.s.execute(
            select(PlanRound.id, PlanRound.code, PlanRound.name_vi, PlanRound.name_en)
            .join(PlanPeriod, PlanPeriod.id == PlanRound.period_id)
            .order_by(PlanPeriod.start_year.desc(), PlanRound.voting_close_at.desc())
            .limit(limit)
        )
        return [Choice(r.id, r.code, self._name(r.name_vi, r.name_en)) for r in rows]

    async def years(self, limit: int = 6) -> list[Choice]:
        rows = await self.s.execute(
            select(PlanSchoolYear.id, PlanSchoolYear.code).order_by(PlanSchoolYear.start.desc()).limit(limit)
        )
        return [Choice(r.id, r.code, r.code) for r in rows]

    async def units(self, export: ExportKind) -> list[Choice]:
        """The units the actor may choose: every active unit for the secretary, their own for a head."""
        scope = units_for(self.ctx.actor, export.action) if self.ctx.actor is not None else None
        query = select(Unit.id, Unit.code, Unit.name).where(Unit.active.is_(True)).order_by(Unit.code)
        if scope is not None:
            query = query.where(Unit.id.in_(sorted(scope)))
        return [Choice(r.id, r.code, r.name) for r in await self.s.execute(query)]

    def _name(self, vi: str, en: str) -> str:
        lang = self.ctx.actor.language if self.ctx.actor is not None else "vi"
        return en if lang == "en" and en else vi

    # -- the filter -------------------------------------------------------------------------------------
    async def _filter(
        self,
        export: ExportKind,
        round_id: int | None,
        school_year_id: int | None,
        unit_id: int | None,
        decision_id: int | None = None,
        blank: str | None = None,
    ) -> ExportFilter:
        actor = self.ctx.actor
        scope = units_for(actor, export.action) if actor is not None else None
        if unit_id is not None and scope is not None and unit_id not in scope:
            raise NotAllowed()
        if scope is not None and not scope:
            raise NotAllowed()
        round_ = await self.s.get(PlanRound, round_id) if round_id is not None else None
        year = await self.s.get(PlanSchoolYear, school_year_id) if school_year_id is not None else None
        unit = await self.s.get(Unit, unit_id) if unit_id is not None else None
        decision = await self.s.get(Decision, decision_id) if decision_id is not None else None
        for what, asked, found in (
            ("round", round_id, round_),
            ("year", school_year_id, year),
            ("unit", unit_id, unit),
            ("decision", decision_id, decision),
        ):
            if asked is not None and found is None:
                raise UnknownFilter(f"export-unknown-{what}", value=str(asked))
        return ExportFilter(
            round_id=round_id if "round" in export.filters else None,
            school_year_id=school_year_id if "year" in export.filters else None,
            unit_id=unit_id if "unit" in export.filters else None,
            units=scope,
            round_code=round_.code if round_ is not None and "round" in export.filters else None,
            year_code=year.code if year is not None and "year" in export.filters else None,
            unit_code=unit.code if unit is not None and "unit" in export.filters else None,
            decision_id=decision.id if decision is not None and "decision" in export.filters else None,
            decision_code=decision.number if decision is not None and "decision" in export.filters else None,
            blank=blank if "blank" in export.filters else None,
            secretary=scope is None,
            offered=export.filters,
        )

    async def narrowed(
        self,
        name: str,
        *,
        round_id: int | None = None,
        school_year_id: int | None = None,
        unit_id: int | None = None,
        decision_id: int | None = None,
        blank: str | None = None,
    ) -> tuple[ExportKind, ExportFilter]:
        """The kind and its filter for the actor, refused as `request` refuses (nothing written)."""
        export = self.kind(name)
        return export, await self._filter(export, round_id, school_year_id, unit_id, decision_id, blank)

    async def make(self, export: ExportKind, f: ExportFilter, locale: str | None = None) -> tuple[bytes, int]:
        """The file's bytes and its row count now, in this unit of work (the operator's `thidua export`;
        the chat goes through the job). The build runs in a thread."""
        actor = self.ctx.actor
        lang = locale or (actor.language if actor is not None else None) or self.ctx.settings.default_locale
        f = replace(f, made_at=self.ctx.clock.now(), locale=lang or "vi")
        rows = list(await export.query(self.ctx, f))
        data = await asyncio.to_thread(export.build, rows, f, f.locale)
        return data, len(rows)

    async def resolve(
        self, name: str, *, round: str | None = None, year: str | None = None, unit: str | None = None
    ) -> tuple[ExportKind, ExportFilter]:
        """The kind and filter of codes typed by the operator (`thidua export`): scope all."""
        export = self.kind(name)
        ids: dict[str, int | None] = {"round": None, "year": None, "unit": None}
        lookups: dict[str, tuple[Any, Any]] = {
            "round": (PlanRound.id, PlanRound.code),
            "year": (PlanSchoolYear.id, PlanSchoolYear.code),
            "unit": (Unit.id, Unit.code),
        }
        for what, typed in (("round", round), ("year", year), ("unit", unit)):
            if typed is None:
                continue
            id_col, code_col = lookups[what]
            found = await self.s.scalar(
                select(id_col).where(code_col == typed.strip()).order_by(id_col.desc())
            )
            if found is None:
                raise UnknownFilter(f"export-unknown-{what}", value=typed)
            ids[what] = found
        return export, await self._filter(export, ids["round"], ids["year"], ids["unit"])

    # -- the job ----------------------------------------------------------------------------------------
    async def request(
        self,
        name: str,
        *,
        round_id: int | None = None,
        school_year_id: int | None = None,
        unit_id: int | None = None,
        decision_id: int | None = None,
        blank: str | None = None,
    ) -> ExportJob:
        [job] = await self.request_all(
            (name,),
            round_id=round_id,
            school_year_id=school_year_id,
            unit_id=unit_id,
            decision_id=decision_id,
            blank=blank,
        )
        return job

    async def request_all(
        self,
        names: tuple[str, ...],
        *,
        round_id: int | None = None,
        school_year_id: int | None = None,
        unit_id: int | None = None,
        decision_id: int | None = None,
        blank: str | None = None,
    ) -> list[ExportJob]:
        """One job per kind of `names` (one command's files: /stats' charts), or none: every kind is
        checked first, so a double tap while one of them is still being made adds none."""
        narrow = (round_id, school_year_id, unit_id, decision_id, blank)
        prepared = [await self._prepared(name, narrow) for name in names]
        return [await self._add(export, f) for export, f in prepared]

    async def _prepared(self, name: str, narrow: tuple[Any, ...]) -> tuple[ExportKind, ExportFilter]:
        """The kind and its filter, refused when the actor may not take it or it is still being made."""
        actor = self.ctx.actor
        if actor is None:
            raise NotAllowed()
        export = self.kind(name)
        f = await self._filter(export, *narrow)
        waiting = await self.s.scalars(
            select(ExportJob.filters).where(
                ExportJob.person_id == actor.person_id,
                ExportJob.kind == export.name,
                ExportJob.state.in_(("queued", "building")),
            )
        )
        if any(ExportFilter.from_json(other) == f for other in waiting):
            raise AlreadyPreparing()
        return export, f

    async def _add(self, export: ExportKind, f: ExportFilter) -> ExportJob:
        actor = self.ctx.actor
        assert actor is not None
        job = ExportJob(
            person_id=actor.person_id,
            chat_id=actor.telegram_id,
            kind=export.name,
            filters=f.as_json(),
            locale=actor.language or "vi",
            state="queued",
            attempts=0,
            created_at=self.ctx.clock.now(),
        )
        self.s.add(job)
        await self.s.flush()
        self.audit_taken(export, f, job.id)
        from bot.exports.worker import wake_after_commit

        wake_after_commit(self.ctx)
        return job

    def audit_taken(
        self, export: ExportKind, f: ExportFilter, job_id: int | None = None, **extra: Any
    ) -> None:
        """Who took which kind with which filter (the files hold personal data); never the rows."""
        after = {"kind": export.name, **f.as_audit(), **extra}
        Audit(self.ctx).record("export.requested", "export_job", job_id, after=after)

    # -- retention --------------------------------------------------------------------------------------
    async def remove_expired(self, now: datetime) -> int:
        """The jobs built more than EXPORT_RETENTION_DAYS ago: their file removed and the outbox's copy
        (bytes, path, file_id) blanked, unless a waiting outbox row still carries that copy. Returns how
        many."""
        cutoff = now - timedelta(days=self.ctx.settings.export_retention_days)
        waiting = exists().where(
            and_(OutboxMessage.outbox_file_id == ExportJob.outbox_file_id, OutboxMessage.status.in_(NOT_SENT))
        )
        jobs = (
            await self.s.scalars(
                select(ExportJob).where(
                    ExportJob.removed_at.is_(None),
                    ExportJob.built_at.is_not(None),
                    ExportJob.built_at < cutoff,
                    ~waiting,
                )
            )
        ).all()
        for job in jobs:
            if job.path:
                await asyncio.to_thread(_remove, job.path)
            if job.outbox_file_id is not None:
                await self.s.execute(
                    update(OutboxFile)
                    .where(OutboxFile.id == job.outbox_file_id, OutboxFile.path == job.path)
                    .values(data=None, path=None, file_id=None)
                )
            job.removed_at = now
        return len(jobs)
