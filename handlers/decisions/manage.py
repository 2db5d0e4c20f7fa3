"""The secretary's part before the decision: publishing the list for comment (a preview first, the bound
chats and every CBVC-NLĐ ticked or not, then the post through the announcements' sender) and /objections
with its answers (dismissed with a reason, documents asked of the unit head by a deadline, the dossier
voted again until a time)."""

from __future__ import annotations

import contextlib

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.clock import example_when, fmt_when
from bot.commands import register_command
from bot.context import Ctx
from bot.errors import DomainError
from bot.filters import TYPED, Allowed
from bot.i18n import t
from bot.services.announce_draft import parse_when
from bot.services.decisions import DECIDE, DecisionService
from bot.services.invites import deep_link
from bot.text import split_message
from handlers.decisions.common import AnswerSG, DecCb, PublishSG, button, keyboard, say
from handlers.render import announce as announce_render
from handlers.render import decisions as render
from storage.repositories.channels import ChannelRepo

register_command("objections", DECIDE, "decisions-cmd-objections", order=74)
ANSWERS = {"ad": "decisions-ask-dismiss", "aq": "decisions-ask-deadline", "ar": "decisions-ask-reballot"}


def register(r: Router) -> None:
    r.message.register(objections, Command("objections"), Allowed(DECIDE))
    r.callback_query.register(answer_start, DecCb.filter(F.op.in_(set(ANSWERS))), Allowed(DECIDE))
    r.message.register(answer_text, StateFilter(AnswerSG.text), TYPED, Allowed(DECIDE))
    r.callback_query.register(publish_preview, DecCb.filter(F.op == "pp"), Allowed(DECIDE))
    r.callback_query.register(toggle_target, DecCb.filter(F.op.in_({"pc", "pt"})), Allowed(DECIDE))
    r.callback_query.register(publish, DecCb.filter(F.op == "ps"), Allowed(DECIDE))


async def objections(message: Message, ctx: Ctx) -> None:
    views = await DecisionService(ctx).objections(open_only=True)
    if not views:
        await message.answer(t("decisions-objections-none"))
        return
    await message.answer(t("decisions-objections-head", count=len(views)))
    for v in views:
        rows = [button(t("decisions-btn-dismiss"), "ad", v.id)]
        if v.state == "open":
            rows.append(button(t("decisions-btn-documents"), "aq", v.id))
        await message.answer(
            render.objection_line(v),
            reply_markup=keyboard(rows, [button(t("decisions-btn-reballot"), "ar", v.id)]),
        )


async def answer_start(query: CallbackQuery, callback_data: DecCb, state: FSMContext, ctx: Ctx) -> None:
    views = {v.id: v for v in await DecisionService(ctx).objections(open_only=True)}
    if callback_data.id not in views:
        await query.answer(t("decisions-objection-answered"), show_alert=True)
        return
    await state.set_state(AnswerSG.text)
    await state.set_data({"op": callback_data.op, "id": callback_data.id})
    example = example_when(ctx.clock.now(), ctx.clock.tz)
    await say(query, t(ANSWERS[callback_data.op], example=example))


async def answer_text(message: Message, state: FSMContext, ctx: Ctx) -> None:
    data = await state.get_data()
    service, text = DecisionService(ctx), message.text or ""
    try:
        if data["op"] == "ad":
            await service.dismiss(data["id"], text)
        elif data["op"] == "aq":
            await service.ask_documents(data["id"], parse_when(text, ctx))
        else:
            await service.reopen(data["id"], parse_when(text, ctx))
    except DomainError as e:
        await message.answer(e.text())
        return
    await state.clear()
    await message.answer(t(f"decisions-answered-{data['op']}"))


async def _post(ctx: Ctx, bot: Bot, round_id: int) -> str:
    pub = await DecisionService(ctx).publication(round_id)
    me = await bot.me()
    return render.publication(pub, deep_link(me.username or "", pub.payload))


async def _choice(state: FSMContext, round_id: int) -> tuple[list[int], bool]:
    """Where the post goes (the bound chats picked, every CBVC-NLĐ or not); by default every CBVC-NLĐ."""
    pub = (await state.get_data()).get("pub") or {}
    if pub.get("round") != round_id:
        return [], True
    return list(pub.get("chats") or []), bool(pub.get("staff"))


async def _targets(ctx: Ctx, round_id: int, chats: list[int], staff: bool):  # type: ignore[no-untyped-def]
    """The publishing's buttons: each bound chat and "Toàn thể CBVC-NLĐ" ticked or not, then send."""
    mark = "✓ "
    rows = [
        [button((mark if b.id in chats else "") + announce_render.chat_button(b), "pc", round_id, b.id)]
        for b in await ChannelRepo(ctx.session).active()
    ]
    rows.append([button((mark if staff else "") + t("decisions-btn-publish-staff"), "pt", round_id)])
    return keyboard(
        *rows,
        [button(t("decisions-btn-publish"), "ps", round_id)],
        [button(t("decisions-btn-cancel"), "ox")],
    )


async def publish_preview(
    query: CallbackQuery, callback_data: DecCb, state: FSMContext, ctx: Ctx, bot: Bot
) -> None:
    try:
        post = await _post(ctx, bot, callback_data.id)
    except DomainError as e:
        await query.answer(e.text(), show_alert=True)
        return
    await query.answer()
    assert isinstance(query.message, Message)
    await state.set_state(PublishSG.targets)
    await state.set_data({"pub": {"round": callback_data.id, "chats": [], "staff": True}})
    parts = split_message(t("decisions-publish-preview") + "\n\n" + post)
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        markup = await _targets(ctx, callback_data.id, [], True) if last else None
        await query.message.answer(part, reply_markup=markup)


async def toggle_target(query: CallbackQuery, callback_data: DecCb, state: FSMContext, ctx: Ctx) -> None:
    """A bound chat (x) or every CBVC-NLĐ ticked or unticked; a chat unbound meanwhile, or forged, refused."""
    chats, staff = await _choice(state, callback_data.id)
    if callback_data.op == "pc":
        if callback_data.x not in {b.id for b in await ChannelRepo(ctx.session).active()}:
            await query.answer(t("button-stale"), show_alert=True)
            return
        kept = [c for c in chats if c != callback_data.x]
        chats = kept if len(kept) < len(chats) else [*kept, callback_data.x]
    else:
        staff = not staff
    await state.update_data(pub={"round": callback_data.id, "chats": chats, "staff": staff})
    await query.answer()
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramBadRequest):
            await query.message.edit_reply_markup(
                reply_markup=await _targets(ctx, callback_data.id, chats, staff)
            )


async def publish(query: CallbackQuery, callback_data: DecCb, state: FSMContext, ctx: Ctx, bot: Bot) -> None:
    assert query.from_user is not None
    chats, staff = await _choice(state, callback_data.id)
    try:
        post = await _post(ctx, bot, callback_data.id)
        period = await DecisionService(ctx).publish(callback_data.id, post, chats, staff, query.from_user.id)
    except DomainError as e:
        await say(query, e.text())
        return
    await state.clear()
    await say(query, t("decisions-published", until=fmt_when(period.closes_at)))
