"""Conversations end cleanly: a new command, or a button that starts another flow, ends the one in progress.

Each StatesGroup is declared here by its feature, beside the group, with the catalogue key of its human
name and the buttons that start it:

    conversation(DifficultyAnswerSG, "difficulty-flow-answer", started_by=ANSWER_PRESS)

where `ANSWER_PRESS` is the tuple of filters the feature registers its handler with (so the two cannot
drift apart). Then, for a person in the middle of a conversation (any state) in a private chat:

- `/help` and `/cancel` go to their handlers, and the state stays (/cancel ends it itself); /help ends with
  what is still open (`open_line`: the conversation, and the question waiting when its state names one);
- any other registered command (bot.commands) the person may use, `/start <payload>` included, ends the
  conversation first: the state is cleared (staged in the update's unit of work, like every FSM write), the
  bot says "Đã hủy thao tác đang dở: …" and the command runs;
- a command that is not registered, or not the person's to use, ends nothing (the fallback answers it);
- a button that starts another flow than the current one ends it the same way, then runs;
- any other button (a step of this flow, or a one-shot action such as paging a list) keeps the state.

One outer middleware on `message` and `callback_query` does this before any router's filters, so the
routers see the cleared state (`raw_state`); `install(dp)` registers it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiogram import BaseMiddleware, Bot, Dispatcher
from aiogram.dispatcher.event.handler import FilterObject, HandlerObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Chat, Message, TelegramObject

from bot.commands import COMMANDS
from bot.i18n import t
from bot.roles import Member, can

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

# Commands that leave the conversation as it is: /help answers beside it, /cancel ends it in its own words.
KEEPS = frozenset({"help", "cancel"})
UNNAMED = "conversation-flow-unnamed"


async def _never(*_: Any, **__: Any) -> None:  # pragma: no cover - the handler of a check is never called
    return None


@dataclass(frozen=True)
class Flow:
    group: type[StatesGroup]
    name_key: str
    starters: tuple[HandlerObject, ...]  # each: the filters of one button that starts the flow
    asks: dict[str, str] = field(default_factory=dict)  # a state's full name -> the question it waits for


FLOWS: dict[str, Flow] = {}  # by the group's full name


def conversation(
    group: type[StatesGroup],
    name_key: str,
    *,
    started_by: Sequence[Sequence[Any]] = (),
    asks: dict[State, str] | None = None,
) -> type[StatesGroup]:
    """Declare a conversation: its human name (a catalogue key) and the buttons that start it.

    `started_by` holds, per button, the filters its handler is registered with (a CallbackData filter,
    `Allowed(...)`, ...): a press that passes them all starts this flow. Commands that start a flow need no
    declaration: every registered command ends the conversation in progress. `asks` names, per state, the
    question waiting there (a catalogue key), for the end of /help; a state without one is named by the
    conversation alone."""
    starters = tuple(
        HandlerObject(callback=_never, filters=[FilterObject(f) for f in filters]) for filters in started_by
    )
    named = {state.state: key for state, key in (asks or {}).items() if state.state}
    FLOWS[group.__full_group_name__] = Flow(group, name_key, starters, named)
    return group


def flow_of(state: str | None) -> Flow | None:
    if not state:
        return None
    return next((f for f in FLOWS.values() if state in f.group), None)


def flow_name(state: str | None) -> str:
    """The human name of the conversation `state` belongs to, in the current language."""
    found = flow_of(state)
    return t(found.name_key if found else UNNAMED)


def open_line(state: str | None) -> str | None:
    """What /help ends with in a conversation (which it keeps): "Anh/Chị vẫn đang: {the conversation} —
    {the question waiting}. Gõ /cancel để hủy."; None outside one."""
    if not state:
        return None
    found = flow_of(state)
    ask = found.asks.get(state) if found else None
    if ask is None:
        return t("conversation-open", flow=flow_name(state))
    return t("conversation-open-ask", flow=flow_name(state), ask=t(ask))


def command_of(text: str | None) -> tuple[str, str] | None:
    """("start", "abc") for "/start abc" or "/start@thidua_bot abc"; None for text that is no command."""
    if not text or not text.startswith("/"):
        return None
    parts = text[1:].split(maxsplit=1)
    name = parts[0].split("@", 1)[0].lower() if parts else ""
    return (name, parts[1] if len(parts) > 1 else "") if name else None


def ends_conversation(name: str, me: Member | None) -> bool:
    """A registered command the person may use, other than /help and /cancel."""
    spec = COMMANDS.get(name)
    if spec is None or name in KEEPS:
        return False
    return spec.action is None or can(me, spec.action)


class ConversationMiddleware(BaseMiddleware):
    """Ends the conversation in progress when a command or a button starts something else."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        chat: Chat | None = data.get("event_chat")
        state: FSMContext | None = data.get("state")
        current: str | None = data.get("raw_state")
        if current is None or state is None or chat is None or chat.type != "private":
            return await handler(event, data)
        if await self._ends(event, current, data):
            name = flow_name(current)
            await state.clear()
            data["raw_state"] = None  # the routers' StateFilter reads this: the conversation is over
            await self._say(event, data.get("bot"), t("conversation-ended", flow=name))
        return await handler(event, data)

    @staticmethod
    async def _ends(event: TelegramObject, current: str, data: dict[str, Any]) -> bool:
        if isinstance(event, Message):
            command = command_of(event.text)
            return command is not None and ends_conversation(command[0], data.get("me"))
        if isinstance(event, CallbackQuery):
            mine = flow_of(current)
            for other in FLOWS.values():
                if mine is not None and other.group is mine.group:
                    continue
                for starter in other.starters:
                    passed, _ = await starter.check(event, **data)
                    if passed:
                        return True
        return False

    @staticmethod
    async def _say(event: TelegramObject, bot: Bot | None, text: str) -> None:
        if isinstance(event, Message):
            await event.answer(text)
        elif isinstance(event, CallbackQuery):
            if isinstance(event.message, Message):
                await event.message.answer(text)
            elif bot is not None:
                await bot.send_message(event.from_user.id, text)


def install(dp: Dispatcher) -> None:
    """Before any router's filters, for messages and button presses."""
    guard = ConversationMiddleware()
    dp.message.outer_middleware(guard)
    dp.callback_query.outer_middleware(guard)
