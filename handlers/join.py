"""Joining with an invite: /start <token> → consent → who you are → confirm → language → welcome.

Registered before handlers/common.py, so `/start <payload>` lands here. Someone who is not linked yet
has no `me`; their answers live only in the FSM state until the last step completes the join.
"""

from __future__ import annotations

import contextlib

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject, CommandStart, StateFilter, or_f
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot import menus
from bot.context import Ctx
from bot.conversation import conversation
from bot.errors import DomainError
from bot.filters import NOT_COMMAND, TYPED, Allowed, personal_router
from bot.i18n import get_i18n, t
from bot.roles import Action, Member
from bot.services.invites import role_name
from bot.services.join import JoinOffer, JoinService
from bot.text import esc, plain
from handlers.common import help_text
from handlers.keyboards import (
    ConfirmJoinerCb,
    JoinCb,
    JoinLangCb,
    JoinPageCb,
    JoinPickCb,
    confirm_joiner_markup,
    join_consent_keyboard,
    join_identity_keyboard,
    join_lang_keyboard,
    join_pick_keyboard,
    join_summary_keyboard,
)


class JoinSG(StatesGroup):
    consent = State()
    identity = State()  # a personal invite: "this is me"
    pick = State()  # a unit invite: pick yourself from the roster
    name = State()  # not on the roster: type your full name
    confirm = State()  # name, unit and role
    language = State()


conversation(JoinSG, "join-flow")  # started by /start <payload>, a command


def router() -> Router:
    r = personal_router("join")
    r.message.register(start, CommandStart(deep_link=True))
    r.message.register(cancel, StateFilter(JoinSG), Command("cancel"))
    r.callback_query.register(
        consent, StateFilter(JoinSG.consent), JoinCb.filter(F.op.in_({"agree", "refuse"}))
    )
    r.callback_query.register(
        identity, StateFilter(JoinSG.identity), JoinCb.filter(F.op.in_({"me", "notme"}))
    )
    r.callback_query.register(page, StateFilter(JoinSG.pick), JoinPageCb.filter())
    r.callback_query.register(pick, StateFilter(JoinSG.pick), JoinPickCb.filter())
    r.callback_query.register(not_listed, StateFilter(JoinSG.pick), JoinCb.filter(F.op == "new"))
    r.message.register(typed_name, StateFilter(JoinSG.name), TYPED)
    r.callback_query.register(confirm, StateFilter(JoinSG.confirm), JoinCb.filter(F.op.in_({"ok", "stop"})))
    r.callback_query.register(language, StateFilter(JoinSG.language), JoinLangCb.filter())
    r.callback_query.register(confirm_joiner, ConfirmJoinerCb.filter(), Allowed(Action.CONFIRM_JOINER))
    r.callback_query.register(
        stale, or_f(JoinCb.filter(), JoinPickCb.filter(), JoinPageCb.filter(), JoinLangCb.filter())
    )
    r.message.register(use_buttons, StateFilter(JoinSG), NOT_COMMAND)
    return r


# -- helpers ---------------------------------------------------------------------------------------------
async def _drop_buttons(query: CallbackQuery) -> None:
    if isinstance(query.message, Message) and query.message.reply_markup:
        with contextlib.suppress(TelegramBadRequest):
            await query.message.edit_reply_markup(reply_markup=None)


async def _say(query: CallbackQuery, text: str, **kw: object) -> None:
    await query.answer()
    await _drop_buttons(query)
    if isinstance(query.message, Message):
        await query.message.answer(text, **kw)  # type: ignore[arg-type]


async def _ask_name(query: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(JoinSG.name)
    await _say(query, t("join-name-ask"))


async def _summary(state: FSMContext) -> tuple[str, object]:
    data = await state.get_data()
    await state.set_state(JoinSG.confirm)
    text = t(
        "join-summary",
        name=esc(data.get("person_name") or data.get("name") or ""),
        unit=esc(data["unit_name"]),
        role=role_name(data["role"]),
    )
    return text, join_summary_keyboard()


async def _pick_page(ctx: Ctx, unit_id: int, page_no: int) -> tuple[str, object, int] | None:
    people, page_no, pages = await JoinService(ctx).roster_page(unit_id, page_no)
    if not people:
        return None
    text = t("join-pick-ask", page=page_no + 1, pages=pages)
    return text, join_pick_keyboard([(p.id, p.full_name) for p in people], page_no, pages), page_no


# -- the steps ------------------------------------------------------------------------------------------
async def start(
    message: Message, command: CommandObject, state: FSMContext, ctx: Ctx, me: Member | None
) -> None:
    if me is not None:
        await message.answer(t("join-already-member"))
        return
    assert message.from_user is not None
    try:
        offer: JoinOffer = await JoinService(ctx).begin(command.args or "", message.from_user.id)
    except DomainError as e:
        await message.answer(e.text())
        return
    await state.set_state(JoinSG.consent)
    await state.set_data(
        {
            "invite": offer.invite_id,
            "role": offer.role,
            "unit": offer.unit_id,
            "unit_name": offer.unit_name,
            "person": offer.person_id,
            "person_name": offer.person_name,
            "personal": offer.person_id is not None,
        }
    )
    await message.answer(
        t("join-consent", unit=esc(offer.unit_name), role=role_name(offer.role)),
        reply_markup=join_consent_keyboard(),
    )


async def cancel(message: Message, state: FSMContext) -> None:
    await state.clear()
    await message.answer(t("join-cancelled"))


async def consent(query: CallbackQuery, callback_data: JoinCb, state: FSMContext, ctx: Ctx) -> None:
    if callback_data.op == "refuse":
        await state.clear()
        await _say(query, t("join-consent-refused"))
        return
    data = await state.get_data()
    if data.get("personal"):
        await state.set_state(JoinSG.identity)
        await _say(
            query,
            t("join-identity-ask", name=esc(data["person_name"]), unit=esc(data["unit_name"])),
            reply_markup=join_identity_keyboard(),
        )
        return
    shown = await _pick_page(ctx, data["unit"], 0)
    if shown is None:
        await _ask_name(query, state)
        return
    text, kb, _ = shown
    await state.set_state(JoinSG.pick)
    await _say(query, text, reply_markup=kb)


async def identity(query: CallbackQuery, callback_data: JoinCb, state: FSMContext) -> None:
    if callback_data.op == "notme":
        await state.clear()
        await _say(query, t("join-not-me"))
        return
    text, kb = await _summary(state)
    await _say(query, text, reply_markup=kb)


async def page(query: CallbackQuery, callback_data: JoinPageCb, state: FSMContext, ctx: Ctx) -> None:
    data = await state.get_data()
    shown = await _pick_page(ctx, data["unit"], callback_data.p)
    await query.answer()
    if shown is None or not isinstance(query.message, Message):
        return
    text, kb, _ = shown
    with contextlib.suppress(TelegramBadRequest):
        await query.message.edit_text(text, reply_markup=kb)  # type: ignore[arg-type]


async def pick(query: CallbackQuery, callback_data: JoinPickCb, state: FSMContext, ctx: Ctx) -> None:
    data = await state.get_data()
    try:
        person = await JoinService(ctx).pick(data["unit"], callback_data.id)
    except DomainError as e:
        await query.answer(plain(e.text()), show_alert=True)
        return
    await state.update_data(person=person.id, person_name=person.full_name)
    text, kb = await _summary(state)
    await _say(query, text, reply_markup=kb)


async def not_listed(query: CallbackQuery, state: FSMContext) -> None:
    await _ask_name(query, state)


async def typed_name(message: Message, state: FSMContext) -> None:
    try:
        name = JoinService.clean_name(message.text or "")
    except DomainError as e:
        await message.answer(e.text())
        return
    await state.update_data(name=name, person=None, person_name=None)
    text, kb = await _summary(state)
    await message.answer(text, reply_markup=kb)  # type: ignore[arg-type]


async def confirm(query: CallbackQuery, callback_data: JoinCb, state: FSMContext) -> None:
    if callback_data.op == "stop":
        await state.clear()
        await _say(query, t("join-cancelled"))
        return
    await state.set_state(JoinSG.language)
    await _say(query, t("join-lang-ask"), reply_markup=join_lang_keyboard())


async def language(
    query: CallbackQuery, callback_data: JoinLangCb, state: FSMContext, ctx: Ctx, bot: Bot
) -> None:
    data = await state.get_data()
    try:
        joined = await JoinService(ctx).complete(
            data["invite"],
            query.from_user.id,
            callback_data.code,
            person_id=data.get("person"),
            full_name=data.get("name"),
            confirm_markup=confirm_joiner_markup,
        )
    except DomainError as e:
        await state.clear()
        await _say(query, e.text())
        return
    await state.clear()
    with get_i18n().use_locale(callback_data.code):
        text = t(
            "join-welcome",
            name=esc(joined.person.full_name),
            unit=esc(joined.unit_name),
            role=role_name(joined.role),
        )
        if joined.new_on_roster:
            text += "\n\n" + t("join-welcome-unconfirmed")
        text += "\n\n" + help_text(joined.member)
    await _say(query, text)
    await menus.set_menu(bot, joined.member)


async def confirm_joiner(query: CallbackQuery, callback_data: ConfirmJoinerCb, ctx: Ctx) -> None:
    try:
        person = await JoinService(ctx).confirm_joiner(callback_data.id)
    except DomainError as e:
        await query.answer(plain(e.text()), show_alert=True)
        return
    await query.answer(t("join-confirm-done", name=person.full_name))
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramBadRequest):
            await query.message.edit_text(
                (query.message.html_text or "") + "\n\n" + t("join-confirm-done", name=esc(person.full_name)),
                reply_markup=None,
            )


async def stale(query: CallbackQuery) -> None:
    await query.answer(t("join-stale"), show_alert=True)


async def use_buttons(message: Message, state: FSMContext) -> None:
    current = await state.get_state()
    await message.answer(t("join-name-ask") if current == JoinSG.name.state else t("join-use-buttons"))
