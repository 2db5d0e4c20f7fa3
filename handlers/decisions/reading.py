"""/summary (the principal's: counts per title, decisions waiting for a signature, proposals upward) and
/history (one's own record over the years; a unit head's people and unit, anyone's for the secretary)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message

from bot.commands import register_command
from bot.context import Ctx
from bot.errors import DomainError
from bot.filters import Allowed
from bot.i18n import t
from bot.roles import Member
from bot.services.decisions import HISTORY, SUMMARY, DecisionService
from bot.text import split_message
from handlers.decisions.common import DecCb, button, keyboard
from handlers.render import decisions as render

register_command("summary", SUMMARY, "decisions-cmd-summary", order=76)
register_command("history", HISTORY, "decisions-cmd-history", order=77)


def register(r: Router) -> None:
    r.message.register(summary, Command("summary"), Allowed(SUMMARY))
    r.message.register(history, Command("history"), Allowed(HISTORY))
    r.callback_query.register(history_of, DecCb.filter(F.op.in_({"hp", "hu"})), Allowed(HISTORY))


async def summary(message: Message, ctx: Ctx) -> None:
    try:
        text = render.summary(await DecisionService(ctx).summary())
    except DomainError as e:
        await message.answer(e.text())
        return
    for part in split_message(text):
        await message.answer(part)


async def history(message: Message, command: CommandObject, ctx: Ctx, me: Member) -> None:
    """/history: one's own record; "/history <name>": a person's or a unit's, for the unit head (the
    unit's) and the secretary (anyone's), picked among what the name finds."""
    service = DecisionService(ctx)
    if command.args:
        try:
            found = await service.history_search(command.args)
        except DomainError as e:
            await message.answer(e.text())
            return
        if not found:
            await message.answer(t("decisions-history-none-found"))
            return
        rows = [[button(name, "hp" if kind == "p" else "hu", id_)] for kind, id_, name in found]
        await message.answer(t("decisions-history-pick"), reply_markup=keyboard(*rows))
        return
    lines = await service.history()
    for part in split_message(render.history(me.full_name, lines)):
        await message.answer(part)


async def history_of(query: CallbackQuery, callback_data: DecCb, ctx: Ctx) -> None:
    """A person's or a unit's record, the authority checked again by the service (a forged press too)."""
    person = callback_data.id if callback_data.op == "hp" else None
    unit = callback_data.id if callback_data.op == "hu" else None
    try:
        lines = await DecisionService(ctx).history(person, unit)
    except DomainError as e:
        await query.answer(e.text(), show_alert=True)
        return
    name = await DecisionService(ctx).subject_name(person, unit)
    await query.answer()
    assert isinstance(query.message, Message)
    for part in split_message(render.history(name, lines)):
        await query.message.answer(part)
