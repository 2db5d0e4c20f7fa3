"""The documents' export kinds (issue 21), in the registry of bot/exports/registry.py: the award budget of
a round (finance and the secretary), the fund's ledger (finance and the secretary) and the yearly report to
the province as a workbook and as a Word document (the secretary). The rows are the documents' services'
(bot/services/documents); the files are bot/exports/papers.py's."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from bot.exports import papers as files
from bot.exports.registry import DOCX, ExportFilter, export_kind
from bot.roles import Role, Scope
from bot.services.decisions.reading import tallied_rounds
from bot.services.documents.budget import compute as budget_of
from bot.services.documents.fund import compute as ledger_of
from bot.services.documents.yearly import YearReport
from bot.services.documents.yearly import compute as report_of
from storage.models.plan import PlanSchoolYear

MONEY = {Role.SECRETARY: Scope.ALL, Role.FINANCE: Scope.ALL}
SECRETARY = {Role.SECRETARY: Scope.ALL}


def _budget_file(rows: Sequence[Any], f: ExportFilter, locale: str) -> bytes:
    return files.budgets_xlsx(rows)


@export_kind("budget", title="documents-export-budget", roles=MONEY, build=_budget_file, filters=("round",),
             file_name="du-toan-khen-thuong", order=90)  # fmt: skip
async def budget(ctx: Any, f: ExportFilter) -> list[Any]:
    """The round's budget; without a round, every tallied round's."""
    ids = [f.round_id] if f.round_id is not None else [r.id for r in await tallied_rounds(ctx)]
    return [await budget_of(ctx, i) for i in ids]


async def _year(ctx: Any, f: ExportFilter) -> PlanSchoolYear | None:
    if f.school_year_id is not None:
        return await ctx.session.get(PlanSchoolYear, f.school_year_id)
    today = ctx.clock.now().astimezone(ctx.settings.tz).date()
    years = list(await ctx.session.scalars(select(PlanSchoolYear).order_by(PlanSchoolYear.start.desc())))
    return next((y for y in years if y.start <= today <= y.end), years[0] if years else None)


def _fund_file(rows: Sequence[Any], f: ExportFilter, locale: str) -> bytes:
    return files.ledger_xlsx(rows[0])[1]


@export_kind("fund", title="documents-export-fund", roles=MONEY, build=_fund_file, filters=("year",),
             file_name="so-quy-thi-dua", order=91)  # fmt: skip
async def fund(ctx: Any, f: ExportFilter) -> list[Any]:
    """The ledger of the calendar year a school year ends in (its awards are decided then); else this year."""
    year = await _year(ctx, f) if f.school_year_id is not None else None
    which = year.end.year if year else ctx.clock.now().astimezone(ctx.settings.tz).year
    return [await ledger_of(ctx, which)]


async def _report(ctx: Any, f: ExportFilter) -> list[Any]:
    """[(the report, the settings, today)]: a school year's (else the current one's); an empty report
    without a plan, so the file still has its headings."""
    year = await _year(ctx, f)
    today = ctx.clock.now().astimezone(ctx.settings.tz).date()
    report = await report_of(ctx, year.code) if year else YearReport("", (), (), (), (0, 0), 0)
    return [(report, ctx.settings, today)]


def _year_xlsx(rows: Sequence[Any], f: ExportFilter, locale: str) -> bytes:
    return files.year_xlsx(rows[0][0])[1]


def _year_docx(rows: Sequence[Any], f: ExportFilter, locale: str) -> bytes:
    report, settings, today = rows[0]
    return files.year_docx(report, settings, today, "")[1]


@export_kind("year_report", title="documents-export-year-report", roles=SECRETARY, build=_year_xlsx,
             filters=("year",), file_name="bao-cao-nam", order=92)  # fmt: skip
async def year_report(ctx: Any, f: ExportFilter) -> list[Any]:
    return await _report(ctx, f)


@export_kind("year_report_docx", title="documents-export-year-report-docx", roles=SECRETARY, build=_year_docx,
             filters=("year",), file_name="bao-cao-nam", mime=DOCX, order=93)  # fmt: skip
async def year_report_docx(ctx: Any, f: ExportFilter) -> list[Any]:
    return await _report(ctx, f)
