"""/pending: what waits for this person's action, one part per feature.

Each feature registers its part with `@pending_part(order)` at import: a coroutine `(ctx) -> (lines, rows)`
giving the lines of its section and its buttons (one per item, opening the item's card). A part may raise a
`Refused(text)` (not in charge of anything it lists): its text is shown only when no part has anything.
The command is for those who act on others' requests: unit heads (and acting deputies) and the secretary
(`PENDING`); anyone else gets the fallback's "không thuộc quyền hạn". A long list goes in parts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.context import Ctx
from bot.filters import Allowed, personal_router
from bot.i18n import t
from bot.roles import Role, Scope, register_rules
from bot.text import split_message

Part = tuple[list[str], list[list[InlineKeyboardButton]]]
PartFn = Callable[[Ctx], Awaitable[Part]]
_PARTS: dict[str, tuple[int, PartFn]] = {}
PENDING = "pending_view"  # each part decides what it shows (a head's units, the secretary's share)
register_rules(
    {PENDING: {Role.UNIT_HEAD: Scope.OWN_UNIT, Role.DEPUTY_HEAD: Scope.OWN_UNIT, Role.SECRETARY: Scope.ALL}}
)


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
    r.message.register(pending, Command("pending"), Allowed(PENDING))
    return r


async def pending(message: Message, ctx: Ctx) -> None:
    await show_parts(message, ctx, [fn for _order, fn in sorted(_PARTS.values(), key=lambda p: p[0])])


async def show_parts(message: Message, ctx: Ctx, fns: list[PartFn]) -> None:
    """/pending's sections `fns` (all of them, or one: a summary's button opens its own list)."""
    lines: list[str] = []
    rows: list[list[InlineKeyboardButton]] = []
    error: str | None = None
    for fn in fns:
        try:
            part_lines, part_rows = await fn(ctx)
        except Refused as e:
            error = error or e.text
            continue
        if part_lines:
            lines += ([""] if lines else []) + part_lines
            rows += part_rows
    if not lines:
        await message.answer(error or t("pending-none"))
        return
    markup = InlineKeyboardMarkup(inline_keyboard=rows) if rows else None
    parts = split_message("\n".join(lines))
    for i, part in enumerate(parts):
        await message.answer(part, reply_markup=markup if i == len(parts) - 1 else None)
