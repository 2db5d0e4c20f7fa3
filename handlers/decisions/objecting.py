"""/object and the deep link of the published list (/start obj<round>): anyone linked objects to one name,
with a reason, previewed before it is sent. The unit head's part of /pending: the documents asked for,
answered in a line of text."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy import select

from bot.clock import fmt_when
from bot.commands import register_command
from bot.context import Ctx
from bot.errors import DomainError
from bot.filters import TYPED, Allowed, personal_router
from bot.i18n import t
from bot.services.decisions import OBJECT, REASON_MAX, REASON_MIN, DecisionService
from bot.services.decisions.comment import LINK_PREFIX
from bot.services.decisions.common import reason_of
from bot.text import clip, esc
from handlers.decisions.common import DecCb, ObjectSG, SupplySG, button, keyboard, say
from handlers.pending import pending_part
from storage.models.decisions import CommentPeriod

register_command("object", OBJECT, "decisions-cmd-object", order=72)


def link_router() -> Router:
    """Before join's /start: the deep link of a published list."""
    r = personal_router("decisions-link")
    r.message.register(
        by_link, CommandStart(deep_link=True, magic=F.args.regexp(rf"^{LINK_PREFIX}\d+$")), Allowed(OBJECT)
    )
    return r


def register(r: Router) -> None:
    r.message.register(start, Command("object"), Allowed(OBJECT))
    r.callback_query.register(pick, DecCb.filter(F.op == "on"), Allowed(OBJECT))
    r.message.register(reason, StateFilter(ObjectSG.reason), TYPED, Allowed(OBJECT))
    r.callback_query.register(
        send, StateFilter(ObjectSG.confirm), DecCb.filter(F.op == "os"), Allowed(OBJECT)
    )
    r.callback_query.register(stop, DecCb.filter(F.op == "ox"))
    r.callback_query.register(supply_start, DecCb.filter(F.op == "sp"))
    r.message.register(supply_text, StateFilter(SupplySG.text), TYPED)


async def _running(ctx: Ctx) -> list[int]:
    now = ctx.clock.now()
    stmt = select(CommentPeriod.round_id).where(CommentPeriod.opens_at <= now, CommentPeriod.closes_at >= now)
    return list((await ctx.session.scalars(stmt.order_by(CommentPeriod.round_id))).all())


async def _offer(message: Message, ctx: Ctx, rounds: list[int]) -> None:
    rows = []
    for round_id in rounds:
        try:
            names = await DecisionService(ctx).listed(round_id)
        except DomainError:
            continue
        rows += [[button(f"{c.name} — {c.title(None)}", "on", round_id, c.nomination_id)] for c in names]
    if not rows:
        await message.answer(t("decisions-object-closed"))
        return
    await message.answer(t("decisions-object-pick"), reply_markup=keyboard(*rows[:90]))


async def start(message: Message, ctx: Ctx) -> None:
    await _offer(message, ctx, await _running(ctx))


async def by_link(message: Message, command: CommandObject, ctx: Ctx) -> None:
    await _offer(message, ctx, [int((command.args or "")[len(LINK_PREFIX) :])])


async def pick(query: CallbackQuery, callback_data: DecCb, state: FSMContext, ctx: Ctx) -> None:
    try:
        names = await DecisionService(ctx).listed(callback_data.id)
    except DomainError as e:
        await query.answer(e.text(), show_alert=True)
        return
    who = next((c for c in names if c.nomination_id == callback_data.x), None)
    if who is None:  # a forged or stale press
        await query.answer(t("decisions-object-not-listed"), show_alert=True)
        return
    await state.set_state(ObjectSG.reason)
    await state.set_data({"round": callback_data.id, "nom": who.nomination_id, "name": who.name})
    await say(query, t("decisions-ask-reason", name=esc(who.name), min=REASON_MIN, max=REASON_MAX))


async def reason(message: Message, state: FSMContext) -> None:
    try:
        text = reason_of(message.text, REASON_MIN, REASON_MAX)
    except DomainError as e:
        await message.answer(e.text())
        return
    data = await state.get_data()
    await state.update_data(reason=text)
    await state.set_state(ObjectSG.confirm)
    await message.answer(
        t("decisions-object-preview", name=esc(data["name"]), reason=esc(text)),
        reply_markup=keyboard(
            [button(t("decisions-btn-send"), "os"), button(t("decisions-btn-cancel"), "ox")]
        ),
    )


async def send(query: CallbackQuery, state: FSMContext, ctx: Ctx) -> None:
    data = await state.get_data()
    try:
        await DecisionService(ctx).object(data["round"], data["nom"], data["reason"])
    except DomainError as e:
        await state.clear()
        await say(query, e.text())
        return
    await state.clear()
    await say(query, t("decisions-object-sent", name=esc(data["name"])))


async def stop(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await say(query, t("decisions-cancelled"))


# -- the unit head: documents asked for ------------------------------------------------------------------
@pending_part(45)
async def documents_part(ctx: Ctx) -> tuple[list[str], list[list]]:
    asked = await DecisionService(ctx).comment.documents_asked()
    if not asked:
        return [], []
    lines = [t("decisions-pending-head")]
    rows = []
    for view, _unit in asked:
        when = fmt_when(view.deadline) if view.deadline else ""
        lines.append(
            t(
                "decisions-pending-line",
                name=esc(view.nominee),
                reason=esc(clip(view.reason, 300)),
                deadline=when,
            )
        )
        rows.append([button(t("decisions-btn-supply", name=view.nominee), "sp", view.id)])
    return lines, rows


async def supply_start(query: CallbackQuery, callback_data: DecCb, state: FSMContext, ctx: Ctx) -> None:
    mine = {v.id for v, _ in await DecisionService(ctx).comment.documents_asked()}
    if callback_data.id not in mine:  # not this head's, or answered: checked again on every press
        await query.answer(t("decisions-not-head"), show_alert=True)
        return
    await state.set_state(SupplySG.text)
    await state.set_data({"objection": callback_data.id})
    await say(query, t("decisions-ask-supply"))


async def supply_text(message: Message, state: FSMContext, ctx: Ctx) -> None:
    data = await state.get_data()
    try:
        await DecisionService(ctx).supply(data["objection"], message.text or "")
    except DomainError as e:
        await message.answer(e.text())
        return
    await state.clear()
    await message.answer(t("decisions-supplied"))
