"""/budget, /papers, /stats, /fund and /blank (issue 21): the round's money for finance, the Word papers
and the certificates for the secretary, the charts, the fund's ledger, the blank's positions. Each file
is made in a thread and queued through the outbox; every press is checked again by the service."""

from __future__ import annotations

import asyncio
import logging

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.commands import register_command
from bot.context import Ctx
from bot.errors import DomainError
from bot.exports import charts
from bot.exports import papers as files
from bot.exports.certificates import FIELDS, grid_pdf
from bot.filters import Allowed, personal_router
from bot.i18n import t
from bot.roles import Member
from bot.services import documents as docs
from bot.services.decisions.reading import tallied_rounds
from bot.services.documents.layouts import layout, move
from bot.services.documents.sending import send_file
from handlers.keyboards import button
from handlers.render import documents as render

log = logging.getLogger(__name__)
ALERT_MAX = 200  # Telegram's limit of a callback answer's text
PAPER_KINDS = ("to_trinh", "bien_ban", "quyet_dinh", "bao_cao", "giay_khen", "bao_cao_nam")

register_command("budget", docs.BUDGET, "documents-budget-cmd", order=80)
register_command("papers", docs.PAPERS, "documents-papers-cmd", order=81)
register_command("fund", docs.BUDGET, "documents-fund-cmd", order=82)
register_command("stats", docs.STATS, "documents-stats-cmd", order=83)
register_command("blank", docs.PAPERS, "documents-blank-cmd", order=84)


class DocCb(CallbackData, prefix="doc"):
    op: str  # b: a round's budget · p: a round's papers · k: one paper
    r: int
    k: int = 0


def router() -> Router:
    r = personal_router("documents")
    r.message.register(ask_budget, Command("budget"), Allowed(docs.BUDGET))
    r.message.register(ask_papers, Command("papers"), Allowed(docs.PAPERS))
    r.message.register(fund, Command("fund"), Allowed(docs.BUDGET))
    r.message.register(show_stats, Command("stats"), Allowed(docs.STATS))
    r.message.register(blank, Command("blank"), Allowed(docs.PAPERS))
    r.callback_query.register(pressed, DocCb.filter())
    return r


async def _rounds(ctx: Ctx, op: str) -> InlineKeyboardMarkup | None:
    rounds = await tallied_rounds(ctx)
    if not rounds:
        return None
    return InlineKeyboardMarkup(inline_keyboard=[[button(x.name_vi, DocCb(op=op, r=x.id))] for x in rounds])


async def ask_budget(message: Message, ctx: Ctx) -> None:
    kb = await _rounds(ctx, "b")
    await message.answer(t("documents-pick-round") if kb else t("documents-no-round"), reply_markup=kb)


async def ask_papers(message: Message, ctx: Ctx) -> None:
    kb = await _rounds(ctx, "p")
    await message.answer(t("documents-pick-round") if kb else t("documents-no-round"), reply_markup=kb)


async def _queue(message: Message, ctx: Ctx, what: str, name: str, data: bytes, caption: str, **kw) -> None:
    queued = await send_file(ctx, what, name, data, caption, **kw)
    await message.answer(t("documents-queued") if queued else t("documents-unreachable"))


async def pressed(query: CallbackQuery, callback_data: DocCb, ctx: Ctx, me: Member | None) -> None:
    message = query.message
    try:
        if callback_data.op == "b":
            await _budget(message, ctx, callback_data.r)
        elif callback_data.op == "p":
            docs.ensure_papers(ctx)
            rows = [[button(t(f"documents-kind-{k}"), DocCb(op="k", r=callback_data.r, k=i))]
                    for i, k in enumerate(PAPER_KINDS)]  # fmt: skip
            await message.answer(
                t("documents-pick-kind"), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
            )
        elif callback_data.op == "k" and 0 <= callback_data.k < len(PAPER_KINDS):
            await _paper(message, ctx, me, callback_data.r, PAPER_KINDS[callback_data.k])
        await query.answer()
    except DomainError as e:
        text = e.text()
        if len(text) <= ALERT_MAX:
            await query.answer(text, show_alert=True)
        else:  # a template's error with its detail: too long for an alert
            await query.answer()
            await message.answer(text)


async def _budget(message: Message, ctx: Ctx, round_id: int) -> None:
    b = await docs.budget(ctx, round_id)
    name, data = await asyncio.to_thread(files.budget_xlsx, b)
    await message.answer(render.budget_text(b))
    await _queue(message, ctx, "budget", name, data, t("documents-budget-caption"), round=round_id)


async def _paper(message: Message, ctx: Ctx, me: Member | None, round_id: int, kind: str) -> None:
    p = await docs.round_papers(ctx, round_id)
    today = ctx.clock.now().astimezone(ctx.settings.tz).date()
    if kind == "bao_cao_nam":
        report = await docs.year_report(ctx, p.school_year)
        who = me.full_name if me else ""
        name, data = await asyncio.to_thread(files.year_docx, report, ctx.settings, today, who)
        book, sheet = await asyncio.to_thread(files.year_xlsx, report)
        await send_file(ctx, kind, book, sheet, t("documents-kind-bao_cao_nam"), year=p.school_year)
    elif kind == "giay_khen":
        if p.decision is None:
            raise docs.DocumentsError("documents-no-decision")
        pages = await docs.certificate_pages(ctx, p.decision.id)
        blank_ = await layout(ctx)
        name, data = await asyncio.to_thread(files.certificates, pages, blank_, ctx.settings)
    else:
        if kind == "quyet_dinh" and p.decision is None:
            raise docs.DocumentsError("documents-no-decision")
        who = me.full_name if me else ""
        name, data = await asyncio.to_thread(files.round_docx, kind, p, ctx.settings, today, who)
    await _queue(message, ctx, kind, name, data, t(f"documents-kind-{kind}"), round=round_id)


async def fund(message: Message, command: CommandObject, ctx: Ctx) -> None:
    """/fund: this year's ledger; /fund <amount> <source>: an income today."""
    today = ctx.clock.now().astimezone(ctx.settings.tz).date()
    args = (command.args or "").split(maxsplit=1)
    try:
        if args:
            if len(args) < 2:
                raise docs.DocumentsError("documents-fund-usage")
            await docs.add_income(ctx, today, docs.parse_amount(args[0]), args[1])
        ledger = await docs.ledger(ctx, today.year)
    except DomainError as e:
        await message.answer(e.text())
        return
    name, data = await asyncio.to_thread(files.ledger_xlsx, ledger)
    await message.answer(render.ledger_text(ledger))
    await _queue(
        message, ctx, "fund", name, data, t("documents-fund-caption", year=today.year), year=today.year
    )


async def show_stats(message: Message, ctx: Ctx) -> None:
    s = await docs.stats(ctx)
    names = sorted({k for v in s.titles.values() for k in v})
    deeds = {t("documents-chart-deeds-n"): [n for _, n in s.deeds]}
    pictures = [
        (t("documents-chart-units", year=s.school_year), s.units,
         {t("documents-chart-staff"): s.staff, t("documents-chart-ack"): s.acknowledged,
          t("documents-chart-reg"): s.registered}),
        (t("documents-chart-titles"), names, {y: [v.get(k, 0) for k in names] for y, v in s.titles.items()}),
        (t("documents-chart-deeds"), [m for m, _ in s.deeds], deeds),
    ]  # fmt: skip
    for n, (title, labels, series) in enumerate(pictures, start=1):
        png = await asyncio.to_thread(charts.bar_chart, title, labels, series, t("documents-chart-empty"))
        await send_file(ctx, "stats", f"thong-ke-{n}.png", png, title, photo=True)
    await message.answer(t("documents-queued"))


async def blank(message: Message, command: CommandObject, ctx: Ctx) -> None:
    """/blank: the grid page; /blank <field> <x> <y> [size]: a field moved (mm from the top-left)."""
    args = (command.args or "").split()
    try:
        if not args:
            current = await layout(ctx)
            labels = {f: t(f"documents-field-{f}") for f in FIELDS}
            data = await asyncio.to_thread(grid_pdf, current, labels)
            await _queue(message, ctx, "grid", "luoi-can-chinh.pdf", data, t("documents-blank-grid"))
            return
        if len(args) not in (3, 4):
            raise docs.DocumentsError("documents-blank-usage", fields=", ".join(FIELDS))
        try:
            x, y, *size = (float(a.replace(",", ".")) for a in args[1:])
        except ValueError:
            raise docs.DocumentsError("documents-blank-usage", fields=", ".join(FIELDS)) from None
        moved = await move(ctx, args[0], x, y, size[0] if size else None)
    except DomainError as e:
        await message.answer(e.text())
        return
    spot = moved.fields[args[0]]
    await message.answer(t("documents-blank-moved", field=t(f"documents-field-{args[0]}"), x=f"{spot.x:g}",
                           y=f"{spot.y:g}", size=f"{spot.size:g}"))  # fmt: skip
