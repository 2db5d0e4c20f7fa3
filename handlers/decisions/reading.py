"""/summary (the principal's: counts per title, decisions waiting for a signature, proposals upward) and
/history (one's own record over the years)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message

from bot.commands import register_command
from bot.context import Ctx
from bot.errors import DomainError
from bot.filters import Allowed
from bot.roles import Member
from bot.services.decisions import HISTORY, SUMMARY, DecisionService
from bot.text import split_message
from handlers.render import decisions as render

register_command("summary", SUMMARY, "decisions-cmd-summary", order=76)
register_command("history", HISTORY, "decisions-cmd-history", order=77)


def register(r: Router) -> None:
    r.message.register(summary, Command("summary"), Allowed(SUMMARY))
    r.message.register(history, Command("history"), Allowed(HISTORY))


async def summary(message: Message, ctx: Ctx) -> None:
    try:
        text = render.summary(await DecisionService(ctx).summary())
    except DomainError as e:
        await message.answer(e.text())
        return
    for part in split_message(text):
        await message.answer(part)


async def history(message: Message, ctx: Ctx, me: Member) -> None:
    lines = await DecisionService(ctx).history()
    for part in split_message(render.history(me.full_name, lines)):
        await message.answer(part)
