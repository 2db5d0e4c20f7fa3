"""/export: a list as an Excel file (issue 21), for the secretary (every unit) and the unit heads (their own).

/export       buttons: the list (the kinds the person may take), then the round or the school year ("Tất cả"
              too), then the unit for the secretary; the last press queues the job and the message says
              "Đang chuẩn bị tệp…"; the file comes through the outbox when the worker has built it.

The choices ride in the callback data (`ex`), never trusted: every press goes through the service again,
which checks the kind against the person's roles and the unit against their grants (a forged press for
another unit is refused, nothing written).
"""

from __future__ import annotations

from contextlib import suppress
from typing import Literal

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

import bot.exports.kinds  # registers the kinds
import bot.exports.worker  # noqa: F401  (registers the due work `exports`)
from bot.commands import register_command
from bot.context import Ctx
from bot.errors import DomainError
from bot.exports.registry import ExportKind
from bot.filters import Allowed, personal_router
from bot.i18n import t
from bot.roles import Member, units_for
from bot.services.exports import EXPORT, Choice, ExportService, UnknownKind
from bot.text import esc
from handlers.keyboards import button

register_command("export", EXPORT, "export-cmd", order=79)

Step = Literal["k", "r", "y", "u"]


class ExportCb(CallbackData, prefix="ex"):
    s: Step  # what this press chose: the kind, a round, a year, a unit
    k: str  # the kind
    r: int = 0  # round id; 0: all
    y: int = 0  # school year id; 0: all
    u: int = 0  # unit id; 0: all (the secretary) or the own units (a head)


def router() -> Router:
    r = personal_router("exports")
    r.message.register(start, Command("export"), Allowed(EXPORT))
    r.callback_query.register(press, ExportCb.filter(), Allowed(EXPORT))
    r.callback_query.register(refused, ExportCb.filter())
    return r


def _steps(kind: ExportKind, me: Member) -> list[Step]:
    """The choices after the kind: a round (or else a school year), then a unit when the person may see
    every unit (a head's file is the own unit's)."""
    steps: list[Step] = []
    if "round" in kind.filters:
        steps.append("r")
    elif "year" in kind.filters:
        steps.append("y")
    if "unit" in kind.filters and units_for(me, kind.action) is None:
        steps.append("u")
    return steps


def _markup(rows: list[list[tuple[str, ExportCb]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[button(text, data) for text, data in row] for row in rows])


async def start(message: Message, ctx: Ctx) -> None:
    available = ExportService(ctx).available()
    if not available:
        await message.answer(t("export-none"))
        return
    rows = [[(t(k.title), ExportCb(s="k", k=k.name))] for k in available]
    await message.answer(t("export-pick-kind"), reply_markup=_markup(rows))


def _choices(step: Step, cb: ExportCb, found: list[Choice]) -> list[list[tuple[str, ExportCb]]]:
    everything = {"r": "export-btn-all-rounds", "y": "export-btn-all-years", "u": "export-btn-all-units"}[
        step
    ]
    field = {"r": "r", "y": "y", "u": "u"}[step]
    rows = [[(c.name, cb.model_copy(update={"s": step, field: c.id}))] for c in found]
    rows.append([(t(everything), cb.model_copy(update={"s": step, field: 0}))])
    return rows


async def press(query: CallbackQuery, callback_data: ExportCb, me: Member, ctx: Ctx) -> None:
    service = ExportService(ctx)
    try:
        kind = service.kind(callback_data.k, menu=True)
    except UnknownKind:  # no button names one: an old or forged press
        await query.answer(t("button-stale"), show_alert=True)
        return
    except DomainError as e:
        await query.answer(e.text(), show_alert=True)
        return
    steps = _steps(kind, me)
    done = steps.index(callback_data.s) + 1 if callback_data.s in steps else 0
    if done < len(steps):
        step = steps[done]
        found = await (
            service.rounds() if step == "r" else service.years() if step == "y" else service.units(kind)
        )
        key = {"r": "export-pick-round", "y": "export-pick-year", "u": "export-pick-unit"}[step]
        await query.answer()
        await _edit(query, t(key, kind=esc(t(kind.title))), _markup(_choices(step, callback_data, found)))
        return
    try:
        await service.request(
            kind.name,
            round_id=callback_data.r or None,
            school_year_id=callback_data.y or None,
            unit_id=callback_data.u or None,
        )
    except DomainError as e:
        await query.answer(e.text(), show_alert=True)
        return
    await query.answer()
    await _edit(query, t("export-preparing-kind", kind=esc(t(kind.title))))


async def refused(query: CallbackQuery) -> None:
    await query.answer(t("error-not-allowed"), show_alert=True)


async def _edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    if isinstance(query.message, Message):
        with suppress(TelegramBadRequest):
            await query.message.edit_text(text, reply_markup=markup)
