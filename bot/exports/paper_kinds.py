"""The documents' kinds made by the export worker (issue 21, decision 42): the round's Word papers (tờ trình,
biên bản, quyết định with its annex, the round's report), the certificates of a decision (PDF on the blank),
the blank's test grid, and /stats' three charts (PNG, sent as photos).

None is in /export's menu (`listed=False`): /papers, /blank and /stats ask for them after their checks
(bot/services/documents/papers.py `check`). Each query reads plain rows in the worker's unit of work (no
ORM object crosses into the thread) and each build is pure, rows in, bytes out: the files are
bot/exports/papers.py's, bot/exports/certificates.py's and bot/exports/charts.py's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.config import Settings
from bot.exports import charts
from bot.exports import papers as files
from bot.exports.certificates import FIELDS, Layout, grid_pdf
from bot.exports.registry import DOCX, PDF, PNG, ExportFilter, export_kind
from bot.i18n import t
from bot.roles import Role, Scope
from bot.services.decisions.reading import tallied_rounds
from bot.services.documents.common import DocumentsError
from bot.services.documents.layouts import DEFAULT, layout
from bot.services.documents.papers import CertificatePage, RoundPapers, pages_of
from bot.services.documents.papers import compute as papers_of
from bot.services.documents.stats import compute as stats_of
from storage.models import Person

SECRETARY = {Role.SECRETARY: Scope.ALL}
CHARTS = {Role.SECRETARY: Scope.ALL, Role.PRINCIPAL: Scope.ALL}
CAPTION = "documents-file-caption"  # the kind's name and the personal-data note
WORD = {  # kind: the file's stem
    "to_trinh": "to-trinh-khen-thuong",
    "bien_ban": "bien-ban-hop-hoi-dong",
    "quyet_dinh": "quyet-dinh-khen-thuong",
    "bao_cao": "bao-cao-ket-qua-dot",
}


@dataclass(frozen=True)
class Paper:
    kind: str
    papers: RoundPapers
    settings: Settings
    today: date
    secretary: str  # who asked: the tờ trình's and the biên bản's signer


@dataclass(frozen=True)
class Certificates:
    pages: tuple[CertificatePage, ...]
    layout: Layout
    settings: Settings


@dataclass(frozen=True)
class Grid:
    layout: Layout
    labels: Mapping[str, str]


@dataclass(frozen=True)
class Chart:
    title: str
    labels: tuple[str, ...]
    series: Mapping[str, Sequence[float]]
    empty: str


def _today(ctx: Any) -> date:
    return ctx.clock.now().astimezone(ctx.settings.tz).date()


async def _round_id(ctx: Any, f: ExportFilter) -> int:
    """The round asked for; the operator's `thidua export` without --round: the latest tallied one."""
    if f.round_id is not None:
        return f.round_id
    rounds = await tallied_rounds(ctx)
    if not rounds:
        raise DocumentsError("documents-no-round")
    return rounds[0].id


async def _paper(ctx: Any, f: ExportFilter, kind: str) -> list[Paper]:
    papers = await papers_of(ctx, await _round_id(ctx, f))
    if kind == "quyet_dinh" and papers.decision is None:
        raise DocumentsError("documents-no-decision")
    asker = await ctx.session.get(Person, f.requester_id) if f.requester_id is not None else None
    return [Paper(kind, papers, ctx.settings, _today(ctx), asker.full_name if asker else "")]


def _word(rows: Sequence[Paper], f: ExportFilter, locale: str) -> bytes:
    p = rows[0]
    return files.round_docx(p.kind, p.papers, p.settings, p.today, p.secretary)[1]


def _register_word(kind: str, order: int) -> None:
    async def query(ctx: Any, f: ExportFilter) -> list[Paper]:
        return await _paper(ctx, f, kind)

    register = export_kind(kind, title=f"documents-kind-{kind}", roles=SECRETARY, build=_word,
                           filters=("round",), file_name=WORD[kind], mime=DOCX, order=order, listed=False,
                           caption=CAPTION)  # fmt: skip
    register(query)


for _n, _kind in enumerate(WORD):
    _register_word(_kind, 120 + _n)


def _certificates(rows: Sequence[Certificates], f: ExportFilter, locale: str) -> bytes:
    c = rows[0]
    return files.certificates(c.pages, c.layout, c.settings)[1]


@export_kind("giay_khen", title="documents-kind-giay_khen", roles=SECRETARY, build=_certificates,
             filters=("decision",), file_name="giay-khen", mime=PDF, order=130, listed=False,
             caption=CAPTION)  # fmt: skip
async def giay_khen(ctx: Any, f: ExportFilter) -> list[Certificates]:
    """One page per active commendation of the decision, where the blank puts each field."""
    if f.decision_id is None:
        raise DocumentsError("documents-decision-unknown")
    pages = tuple(await pages_of(ctx, f.decision_id))
    if not pages:
        raise DocumentsError("documents-nothing-to-print", number=f.decision_code or "")
    return [Certificates(pages, await layout(ctx), ctx.settings)]


def _grid(rows: Sequence[Grid], f: ExportFilter, locale: str) -> bytes:
    return grid_pdf(rows[0].layout, rows[0].labels)


@export_kind("blank_grid", title="documents-kind-blank_grid", roles=SECRETARY, build=_grid,
             filters=("blank",), file_name="luoi-can-chinh", mime=PDF, order=131, listed=False,
             caption="documents-blank-grid")  # fmt: skip
async def blank_grid(ctx: Any, f: ExportFilter) -> list[Grid]:
    """The blank's grid page, each field's mark where it prints now."""
    labels = {name: t(f"documents-field-{name}", locale=f.locale) for name in FIELDS}
    return [Grid(await layout(ctx, f.blank or DEFAULT), labels)]


def _chart(rows: Sequence[Chart], f: ExportFilter, locale: str) -> bytes:
    c = rows[0]
    return charts.bar_chart(c.title, c.labels, c.series, c.empty)


def _chart_kind(name: str, order: int):  # type: ignore[no-untyped-def]
    return export_kind(name, title=f"documents-kind-{name}", roles=CHARTS, build=_chart, mime=PNG,
                       file_name="bieu-do-" + name.removeprefix("chart_").replace("_", "-"), order=order,
                       listed=False, caption="documents-chart-caption")  # fmt: skip


@_chart_kind("chart_units", 140)
async def chart_units(ctx: Any, f: ExportFilter) -> list[Chart]:
    """Acknowledgement and registration per unit, this school year."""
    s, lang = await stats_of(ctx), f.locale
    series = {
        t("documents-chart-staff", locale=lang): s.staff,
        t("documents-chart-ack", locale=lang): s.acknowledged,
        t("documents-chart-reg", locale=lang): s.registered,
    }
    title = t("documents-chart-units", locale=lang, year=s.school_year)
    return [Chart(title, s.units, series, t("documents-chart-empty", locale=lang))]


@_chart_kind("chart_titles", 141)
async def chart_titles(ctx: Any, f: ExportFilter) -> list[Chart]:
    """Commendations per title, one series per school year."""
    s, lang = await stats_of(ctx), f.locale
    names = tuple(sorted({k for v in s.titles.values() for k in v}))
    series = {year: [v.get(k, 0) for k in names] for year, v in s.titles.items()}
    title = t("documents-chart-titles", locale=lang)
    return [Chart(title, names, series, t("documents-chart-empty", locale=lang))]


@_chart_kind("chart_deeds", 142)
async def chart_deeds(ctx: Any, f: ExportFilter) -> list[Chart]:
    """Verified good deeds per month."""
    s, lang = await stats_of(ctx), f.locale
    series = {t("documents-chart-deeds-n", locale=lang): [n for _, n in s.deeds]}
    title = t("documents-chart-deeds", locale=lang)
    return [Chart(title, tuple(m for m, _ in s.deeds), series, t("documents-chart-empty", locale=lang))]


CHART_KINDS = ("chart_units", "chart_titles", "chart_deeds")
