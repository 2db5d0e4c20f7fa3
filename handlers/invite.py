"""/invite: a link to join, for the role and unit the sender may invite.

/invite                     buttons: role, then unit (skipped when there is one choice)
/invite staff TCHC 20       directly: role, unit code and number of uses (each optional)

A link for a unit head where the unit has one is not made at once: the secretary is told who the head is and
chooses to replace them (their role ends the day the link is used) or to invite a deputy (a staff link; the
head's rights are delegated between dates in /people).
"""

from __future__ import annotations

from typing import Literal

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.commands import register_command
from bot.context import Ctx
from bot.errors import DomainError
from bot.filters import Allowed, personal_router
from bot.i18n import t, tn
from bot.roles import Action, Member, Role
from bot.services.invites import (
    MAX_USES,
    CreatedInvite,
    InviteService,
    UnitHasHead,
    deep_link,
    expires_text,
    invitable_roles,
    role_name,
)
from bot.text import esc, plain
from handlers.keyboards import InviteRoleCb, InviteUnitCb, invite_roles_keyboard, invite_units_keyboard
from handlers.keyboards import button as _btn
from storage.repositories.roster import RosterRepo

register_command("invite", Action.INVITE, "invite-cmd", order=40)


class InviteHeadCb(CallbackData, prefix="ivh"):
    op: Literal["rep", "dep"]  # replace the unit's head; invite a deputy instead
    unit: int
    head: int  # the head the secretary was warned of
    n: int = 1


def router() -> Router:
    r = personal_router("invite")
    r.message.register(invite, Command("invite"), Allowed(Action.INVITE))
    r.callback_query.register(pick_role, InviteRoleCb.filter(), Allowed(Action.INVITE))
    r.callback_query.register(pick_unit, InviteUnitCb.filter(), Allowed(Action.INVITE))
    r.callback_query.register(head_choice, InviteHeadCb.filter(), Allowed(Action.INVITE))
    return r


def created_text(c: CreatedInvite, bot_username: str) -> str:
    return t(
        "invite-created",
        role=role_name(c.invite.role),
        unit=esc(c.unit.name),
        uses=tn("invite-uses", c.invite.max_uses),
        expires=expires_text(c.invite),
        link=deep_link(bot_username, c.token),
    )


async def _create(
    ctx: Ctx, bot: Bot, role: str, unit_id: int, n: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The link; or, for a head where the unit has one, the warning naming the head and the two choices."""
    try:
        created = await InviteService(ctx).create(role, unit_id, max_uses=n)
    except UnitHasHead as e:
        return e.text(), _head_choices(e, unit_id, n)
    me = await bot.me()
    return created_text(created, me.username or ""), None


def _head_choices(e: UnitHasHead, unit_id: int, n: int) -> InlineKeyboardMarkup:
    head = int(e.params["head"])
    replace = InviteHeadCb(op="rep", unit=unit_id, head=head, n=1)
    deputy = InviteHeadCb(op="dep", unit=unit_id, head=head, n=n)
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_btn(t("invite-btn-replace-head", name=str(e.params["head_name"])), replace)],
            [_btn(t("invite-btn-deputy"), deputy)],
        ]
    )


async def _next_step(ctx: Ctx, bot: Bot, role: str, n: int) -> tuple[str, InlineKeyboardMarkup | None]:
    """After the role: the unit buttons, or the link when only one unit is possible."""
    svc = InviteService(ctx)
    svc.check_role(role)
    units = await svc.units_for(role)
    if not units:
        return t("invite-no-units"), None
    if len(units) == 1:
        return await _create(ctx, bot, role, units[0].id, n)
    return t("invite-pick-unit", role=role_name(role)), invite_units_keyboard(
        [(u.id, u.name) for u in units], role, n
    )


def _parse(args: str | None, codes: dict[str, int]) -> tuple[str | None, int | None, int] | None:
    role: str | None = None
    unit: int | None = None
    n = 1
    for word in (args or "").split():
        low = word.lower()
        if low in {r.value for r in Role}:
            role = low
        elif word.upper() in codes:
            unit = codes[word.upper()]
        elif word.isdigit():
            n = int(word)
        else:
            return None
    return role, unit, n


async def invite(message: Message, command: CommandObject, me: Member, ctx: Ctx, bot: Bot) -> None:
    units = await RosterRepo(ctx.session).units_by_code()
    parsed = _parse(command.args, {code.upper(): u.id for code, u in units.items()})
    if parsed is None:
        await message.answer(t("invite-usage"))
        return
    role, unit_id, n = parsed
    if not 1 <= n <= MAX_USES:
        await message.answer(t("invite-bad-uses", max=MAX_USES))
        return
    roles = invitable_roles(me)
    try:
        if role is None and len(roles) == 1:
            role = roles[0].value
        if role is None:
            await message.answer(
                t("invite-pick-role"),
                reply_markup=invite_roles_keyboard([(r.value, role_name(r)) for r in roles], n),
            )
            return
        if unit_id is None:
            text, kb = await _next_step(ctx, bot, role, n)
        else:
            text, kb = await _create(ctx, bot, role, unit_id, n)
        await message.answer(text, reply_markup=kb)
    except DomainError as e:
        await message.answer(e.text())


async def pick_role(query: CallbackQuery, callback_data: InviteRoleCb, ctx: Ctx, bot: Bot) -> None:
    try:
        if not 1 <= callback_data.n <= MAX_USES:
            raise DomainError("invite-bad-uses", max=MAX_USES)
        text, kb = await _next_step(ctx, bot, callback_data.role, callback_data.n)
    except DomainError as e:
        await query.answer(plain(e.text()), show_alert=True)
        return
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(text, reply_markup=kb)  # type: ignore[arg-type]


async def pick_unit(query: CallbackQuery, callback_data: InviteUnitCb, ctx: Ctx, bot: Bot) -> None:
    try:
        text, kb = await _create(ctx, bot, callback_data.role, callback_data.unit, callback_data.n)
    except DomainError as e:
        await query.answer(plain(e.text()), show_alert=True)
        return
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(text, reply_markup=kb)


async def head_choice(query: CallbackQuery, callback_data: InviteHeadCb, ctx: Ctx, bot: Bot) -> None:
    """After the warning: a head's link replacing the head the secretary was told of (checked again: still
    the head), or a staff link for a deputy. A forged or stale press changes nothing."""
    c = callback_data
    service = InviteService(ctx)
    try:
        if c.op == "rep":
            created = await service.create(Role.UNIT_HEAD.value, c.unit, replaces=c.head, max_uses=1)
            note = t("invite-replace-note", name=esc(created.replaced or ""))
        else:
            created = await service.create(Role.STAFF.value, c.unit, max_uses=c.n)
            note = t("invite-deputy-note", staff=role_name(Role.STAFF), head=role_name(Role.UNIT_HEAD))
    except UnitHasHead as e:  # the unit's head changed since the warning: warned again
        text, kb = e.text(), _head_choices(e, c.unit, c.n)
    except DomainError as e:
        await query.answer(plain(e.text()), show_alert=True)
        return
    else:
        me = await bot.me()
        text, kb = created_text(created, me.username or "") + "\n\n" + note, None
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(text, reply_markup=kb)
