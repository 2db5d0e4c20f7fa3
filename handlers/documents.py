"""/budget, /papers, /stats, /fund and /blank (issue 21): the round's money for finance, the Word papers
and the certificates for the secretary, the charts, the fund's ledger, the blank's positions.

What must answer at once is answered in the update: the right, an unknown round, no decision, nothing to
print, a template that does not parse or lacks a placeholder, the budget's and the ledger's text. The file
itself is an export job (decision 42): committed with the update, built by the export worker after the
commit (bot/exports/paper_kinds.py, documents_kinds.py), sent through the outbox; the person reads
"Đang chuẩn bị tệp…" meanwhile. Every press is checked again by the services."""

from __future__ import annotations

import asyncio
import logging

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

import bot.exports.kinds  # registers the kinds, the documents' too
import bot.exports.worker  # noqa: F401  (registers the due work `exports`)
from bot.commands import register_command
from bot.context import Ctx
from bot.errors import DomainError
from bot.exports.certificates import FIELDS
from bot.exports.paper_kinds import CHART_KINDS
from bot.exports.word import check_template
from bot.filters import Allowed, personal_router
from bot.i18n import t
from bot.services import documents as docs
from bot.services.decisions.reading import tallied_rounds
from bot.services.documents.layouts import DEFAULT, move
from bot.services.documents.papers import check
from bot.services.exports import ExportService
from bot.text import esc
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


def preparing(title_key: str) -> str:
    """ "Đang chuẩn bị tệp… (Tờ trình đề nghị khen thưởng). …": what the person reads until the file comes."""
    return t("export-preparing-kind", kind=esc(t(title_key)))


async def pressed(query: CallbackQuery, callback_data: DocCb, ctx: Ctx) -> None:
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
            await _paper(message, ctx, callback_data.r, PAPER_KINDS[callback_data.k])
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
    await ExportService(ctx).request("budget", round_id=round_id)
    await message.answer(render.budget_text(b))
    await message.answer(preparing("documents-export-budget"))


async def _paper(message: Message, ctx: Ctx, round_id: int, kind: str) -> None:
    ready = await check(ctx, round_id, kind)
    service = ExportService(ctx)
    if kind == "bao_cao_nam":
        await service.request_all(("year_report_docx", "year_report"), school_year_id=ready.school_year_id)
    elif kind == "giay_khen":
        assert ready.decision is not None  # check() refused it before
        await service.request("giay_khen", decision_id=ready.decision.id)
    else:
        await asyncio.to_thread(check_template, kind, ctx.settings.document_templates_dir)
        await service.request(kind, round_id=round_id)
    await message.answer(preparing(f"documents-kind-{kind}"))


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
    await message.answer(render.ledger_text(ledger))
    try:
        await ExportService(ctx).request("fund")
    except DomainError as e:  # the same ledger still being made: the income above is saved all the same
        await message.answer(e.text())
        return
    await message.answer(preparing("documents-export-fund"))


async def show_stats(message: Message, ctx: Ctx) -> None:
    """/stats: three charts, each an export job sent as a photo."""
    try:
        await ExportService(ctx).request_all(CHART_KINDS)
    except DomainError as e:
        await message.answer(e.text())
        return
    await message.answer(preparing("documents-stats-cmd"))


async def blank(message: Message, command: CommandObject, ctx: Ctx) -> None:
    """/blank: the grid page; /blank <field> <x> <y> [size]: a field moved (mm from the top-left)."""
    args = (command.args or "").split()
    try:
        if not args:
            docs.ensure_papers(ctx)
            await ExportService(ctx).request("blank_grid", blank=DEFAULT)
            await message.answer(preparing("documents-kind-blank_grid"))
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
