"""Last in line: someone in the middle of a conversation is pointed at its buttons or /cancel; outsiders
are told to ask for an invite; members get a pointer to /help."""

from __future__ import annotations

from aiogram import Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.commands import COMMANDS
from bot.conversation import command_of, flow_name
from bot.filters import personal_router
from bot.i18n import t
from bot.roles import Member, can
from bot.text import esc


def router() -> Router:
    r = personal_router("fallback")
    r.message.register(any_message)
    r.callback_query.register(any_button)
    return r


async def any_message(message: Message, state: FSMContext, me: Member | None) -> None:
    current = await state.get_state()
    if current is not None:
        command = command_of(message.text)
        if command is not None:  # unknown, or not theirs: it ends nothing (bot/conversation.py)
            text = t("conversation-command-kept", command=esc(f"/{command[0]}"), flow=flow_name(current))
            await message.answer(text)
            return
        await message.answer(t("unknown-input-in-flow"))
        return
    command = command_of(message.text)
    if me is not None and command is not None and not_permitted(command[0], me):
        await message.answer(t("command-not-permitted", command=esc(f"/{command[0]}")))
        return
    await message.answer(t("need-invite") if me is None else t("unknown-input"))


def not_permitted(name: str, me: Member) -> bool:
    """A command of the registry (bot.commands) that none of the member's roles allows."""
    spec = COMMANDS.get(name)
    return spec is not None and spec.action is not None and not can(me, spec.action)


async def any_button(query: CallbackQuery, me: Member | None) -> None:
    await query.answer(t("need-invite") if me is None else t("button-stale"), show_alert=True)
