"""/pending: what waits for this person's action, one part per feature.

Each feature registers its part with `@pending_part(order)` at import: a coroutine `(ctx) -> (lines, rows)`
giving the lines of its section and its buttons (one per item, opening the item's card). A part may raise a
`Refused(text)` (not in charge of anything it lists): its text is shown only when no part has anything.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.context import Ctx
from bot.filters import Allowed, personal_router
from bot.i18n import t

Part = tuple[list[str], list[list[InlineKeyboardButton]]]
PartFn = Callable[[Ctx], Awaitable[Part]]
_PARTS: dict[str, tuple[int, PartFn]] = {}
LINKED = Allowed("help")  # every linked person may ask; each part decides what it shows


class Refused(Exception):
    """A part's reason for listing nothing (e.g. not in charge of a unit), already worded."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def pending_part(order: int) -> Callable[[PartFn], PartFn]:
    """Register a feature's section of /pending; sections are shown by `order`."""

    def wrap(fn: PartFn) -> PartFn:
        _PARTS[f"{fn.__module__}.{fn.__qualname__}"] = (order, fn)
        return fn

    return wrap


def router() -> Router:
    r = personal_router("pending")
    r.message.register(pending, Command("pending"), LINKED)
    return r


async def pending(message: Message, ctx: Ctx) -> None:
    lines: list[str] = []
    rows: list[list[InlineKeyboardButton]] = []
    error: str | None = None
    for _order, fn in sorted(_PARTS.values(), key=lambda p: p[0]):
        try:
            part_lines, part_rows = await fn(ctx)
        except Refused as e:
            error = error or e.text
            continue
        if part_lines:
            lines += ([""] if lines else []) + part_lines
            rows += part_rows
    if not lines:
        await message.answer(error or t("registration-pending-none"))
        return
    markup = InlineKeyboardMarkup(inline_keyboard=rows) if rows else None
    await message.answer("\n".join(lines), reply_markup=markup)
