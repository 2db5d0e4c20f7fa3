"""/difficulty and /difficulties: raise a difficulty, answer it, forward it to the principal."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import suppress

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter, or_f
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.clock import fmt_date
from bot.commands import register_command
from bot.context import Ctx
from bot.conversation import conversation
from bot.errors import DomainError
from bot.filters import NOT_COMMAND, TYPED, Allowed, Is, personal_router
from bot.i18n import get_i18n, t, tn
from bot.roles import Action, Member
from bot.services.difficulty import (
    DifficultyService,
    Draft,
    ItemView,
    Page,
    ReplyTooLong,
    ReplyTooShort,
    Settled,
    Topic,
    check_document,
    check_size,
    check_text,
)
from bot.text import clip
from handlers.keyboards import (
    DiffBehalfCb,
    DiffDraftCb,
    DifficultyButtons,
    DiffItemCb,
    DiffListCb,
    DiffTopicCb,
    difficulty_behalf_keyboard,
    difficulty_card_keyboard,
    difficulty_confirm_keyboard,
    difficulty_list_keyboard,
    difficulty_secretary_keyboard,
    difficulty_skip_keyboard,
    difficulty_topic_keyboard,
    difficulty_units_keyboard,
)
from handlers.render.difficulty import TEXTS, card, file_caption, state_label


class DifficultySG(StatesGroup):
    behalf = State()  # a unit head: personally, or for the unit
    text = State()
    file = State()
    topic = State()  # only when the plan has movements or rounds
    confirm = State()


class DifficultyAnswerSG(StatesGroup):
    text = State()


class DifficultyReplySG(StatesGroup):
    text = State()


register_command("difficulty", Action.DIFFICULTY_RAISE, "difficulty-cmd-raise", order=40)
register_command("difficulties", Action.DIFFICULTY_RAISE, "difficulty-cmd-list", order=41)

RAISE, ANSWER, REPLY = Action.DIFFICULTY_RAISE, Action.DIFFICULTY_ANSWER, Action.DIFFICULTY_REPLY_PRINCIPAL
# The buttons that start a conversation, on a notification or on a card opened from /difficulties.
ANSWER_PRESS = (DiffItemCb.filter(F.op == "ans"), Allowed(ANSWER))
REPLY_PRESS = (DiffItemCb.filter(F.op == "rep"), Allowed(REPLY))
conversation(DifficultySG, "difficulty-flow-raise")
conversation(DifficultyAnswerSG, "difficulty-flow-answer", started_by=[ANSWER_PRESS])
conversation(DifficultyReplySG, "difficulty-flow-reply", started_by=[REPLY_PRESS])
PREVIEW_TEXT_MAX = 3000  # the escaped text, with room for a long file name and topic under 4096
TextAction = Callable[[int, str], Awaitable[ItemView]]  # the service's answer or principal_reply


def router() -> Router:
    r = personal_router("difficulty")
    r.message.register(start, Command("difficulty"), Allowed(RAISE))
    r.message.register(show_list, Command("difficulties"), Allowed(RAISE))
    # raising
    r.callback_query.register(
        pick_behalf, StateFilter(DifficultySG.behalf), DiffBehalfCb.filter(), Allowed(RAISE)
    )
    r.message.register(got_text, StateFilter(DifficultySG.text), TYPED, Allowed(RAISE))
    r.message.register(need_text, StateFilter(DifficultySG.text), NOT_COMMAND, Allowed(RAISE))
    r.message.register(got_document, StateFilter(DifficultySG.file), Is(F.document), Allowed(RAISE))
    r.message.register(got_photo, StateFilter(DifficultySG.file), Is(F.photo), Allowed(RAISE))
    r.message.register(need_file, StateFilter(DifficultySG.file), NOT_COMMAND, Allowed(RAISE))
    r.callback_query.register(
        skip_file, StateFilter(DifficultySG.file), DiffDraftCb.filter(F.op == "skip"), Allowed(RAISE)
    )
    r.callback_query.register(
        pick_topic, StateFilter(DifficultySG.topic), DiffTopicCb.filter(), Allowed(RAISE)
    )
    r.callback_query.register(
        send, StateFilter(DifficultySG.confirm), DiffDraftCb.filter(F.op == "send"), Allowed(RAISE)
    )
    r.callback_query.register(
        drop, StateFilter(DifficultySG.confirm), DiffDraftCb.filter(F.op == "cancel"), Allowed(RAISE)
    )
    r.callback_query.register(
        stale_draft, or_f(DiffBehalfCb.filter(), DiffDraftCb.filter(), DiffTopicCb.filter())
    )
    # the secretary and the principal
    r.callback_query.register(press_answer, *ANSWER_PRESS)
    r.callback_query.register(press_forward, DiffItemCb.filter(F.op == "fwd"), Allowed(ANSWER))
    r.callback_query.register(press_reply, *REPLY_PRESS)
    r.callback_query.register(press_card, DiffItemCb.filter(F.op == "card"), Allowed(RAISE))
    r.callback_query.register(not_yours, DiffItemCb.filter())
    r.message.register(got_answer, StateFilter(DifficultyAnswerSG.text), TYPED, Allowed(ANSWER))
    r.message.register(need_reply_text, StateFilter(DifficultyAnswerSG.text), NOT_COMMAND, Allowed(ANSWER))
    r.message.register(got_reply, StateFilter(DifficultyReplySG.text), TYPED, Allowed(REPLY))
    r.message.register(need_reply_text, StateFilter(DifficultyReplySG.text), NOT_COMMAND, Allowed(REPLY))
    # lists
    r.callback_query.register(list_page, DiffListCb.filter(), Allowed(RAISE))
    return r


def service(ctx: Ctx) -> DifficultyService:
    return DifficultyService(ctx, DifficultyButtons(), TEXTS)


async def _edit_pressed(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Show the outcome on the message whose button was pressed (it may already show it)."""
    if isinstance(query.message, Message):
        with suppress(TelegramBadRequest):
            await query.message.edit_text(text, reply_markup=markup)


async def _drop_buttons(query: CallbackQuery) -> None:
    if isinstance(query.message, Message) and query.message.reply_markup:
        with suppress(TelegramBadRequest):
            await query.message.edit_reply_markup(reply_markup=None)


def _lang() -> str:
    return get_i18n().current_locale


def _where(query: CallbackQuery) -> list[int] | None:
    """The chat and message of the card pressed, so the outcome can be shown on it later."""
    msg = query.message
    if isinstance(msg, Message) and msg.text is not None:
        return [msg.chat.id, msg.message_id]
    return None


# -- raising -------------------------------------------------------------------------------------------------
async def start(message: Message, ctx: Ctx, state: FSMContext) -> None:
    svc = service(ctx)
    await state.clear()
    units = await svc.headed_units()
    if units:
        await state.set_state(DifficultySG.behalf)
        await message.answer(
            t("difficulty-ask-behalf"),
            reply_markup=difficulty_behalf_keyboard([(u.id, u.name) for u in units]),
        )
        return
    draft = await svc.start()
    await state.set_state(DifficultySG.text)
    await state.set_data(draft.as_state())
    await message.answer(t("difficulty-ask-text"))


async def pick_behalf(query: CallbackQuery, callback_data: DiffBehalfCb, ctx: Ctx, state: FSMContext) -> None:
    try:
        draft = await service(ctx).start(callback_data.unit or None)
    except DomainError as e:
        await query.answer(e.text(), show_alert=True)
        return
    await state.set_state(DifficultySG.text)
    await state.set_data(draft.as_state())
    if draft.on_behalf_of_unit:  # the preview names the unit
        names = {u.id: u.name for u in await service(ctx).headed_units()}
        await state.update_data(unit_name=names.get(draft.unit_id or 0, ""))
    await query.answer()
    await _drop_buttons(query)
    if isinstance(query.message, Message):
        await query.message.answer(t("difficulty-ask-text"))


async def got_text(message: Message, state: FSMContext) -> None:
    try:
        text = check_text(message.text)
    except DomainError as e:
        await message.answer(e.text())
        return  # the state stays: the person simply sends another text
    draft = Draft.from_state(await state.get_data())
    draft.text = text
    await state.update_data(draft.as_state())
    await state.set_state(DifficultySG.file)
    await message.answer(t("difficulty-ask-file"), reply_markup=difficulty_skip_keyboard())


async def need_text(message: Message) -> None:
    await message.answer(t("difficulty-need-text"))


async def got_document(message: Message, ctx: Ctx, state: FSMContext) -> None:
    doc = message.document
    assert doc is not None
    try:
        check_document(doc.file_name, doc.mime_type, doc.file_size)
    except DomainError as e:
        await message.answer(e.text())
        return
    draft = Draft.from_state(await state.get_data())
    draft.file_id, draft.file_kind, draft.file_name = doc.file_id, "document", doc.file_name
    await state.update_data(draft.as_state())
    await _after_file(message, ctx, state)


async def got_photo(message: Message, ctx: Ctx, state: FSMContext) -> None:
    assert message.photo
    photo = message.photo[-1]  # the largest size
    try:
        check_size(photo.file_size)
    except DomainError as e:
        await message.answer(e.text())
        return
    draft = Draft.from_state(await state.get_data())
    draft.file_id, draft.file_kind, draft.file_name = photo.file_id, "photo", None
    await state.update_data(draft.as_state())
    await _after_file(message, ctx, state)


async def need_file(message: Message) -> None:
    await message.answer(t("difficulty-need-file"), reply_markup=difficulty_skip_keyboard())


async def skip_file(query: CallbackQuery, ctx: Ctx, state: FSMContext) -> None:
    await query.answer()
    await _drop_buttons(query)
    if isinstance(query.message, Message):
        await _after_file(query.message, ctx, state)


async def _after_file(message: Message, ctx: Ctx, state: FSMContext) -> None:
    """Ask which movement or round it concerns when the plan has any; else go straight to the preview."""
    topics = await service(ctx).topics()
    if not topics:
        await _preview(message, state, None)
        return
    await state.update_data(topics=[[tp.kind, tp.code, tp.names] for tp in topics])
    await state.set_state(DifficultySG.topic)
    labels = [t(f"difficulty-topic-{tp.kind}", topic=tp.label(_lang())) for tp in topics]
    await message.answer(t("difficulty-ask-topic"), reply_markup=difficulty_topic_keyboard(labels))


async def pick_topic(query: CallbackQuery, callback_data: DiffTopicCb, state: FSMContext) -> None:
    data = await state.get_data()
    choices = data.get("topics") or []
    draft = Draft.from_state(data)
    topic: Topic | None = None
    if callback_data.i >= 0:
        if callback_data.i >= len(choices):
            await query.answer(t("difficulty-draft-stale"), show_alert=True)
            return
        kind, code, names = choices[callback_data.i]
        topic = Topic(kind, code, names)
        draft.topic_kind, draft.topic_code = kind, code
    else:
        draft.topic_kind = draft.topic_code = None
    await state.update_data(draft.as_state())
    await query.answer()
    await _drop_buttons(query)
    if isinstance(query.message, Message):
        await _preview(query.message, state, topic)


async def _preview(message: Message, state: FSMContext, topic: Topic | None) -> None:
    data = await state.get_data()
    draft = Draft.from_state(data)
    lines = [t("difficulty-preview-title")]
    if draft.on_behalf_of_unit:
        lines.append(t("difficulty-preview-for-unit", unit=clip(str(data.get("unit_name") or ""), 200)))
    if topic is not None:
        lines.append(t(f"difficulty-card-topic-{topic.kind}", topic=clip(topic.label(_lang()), 200)))
    if draft.file_kind == "photo":
        lines.append(t("difficulty-card-photo"))
    elif draft.file_kind == "document":
        lines.append(t("difficulty-card-file", name=clip(draft.file_name or "", 200)))
    lines += ["", clip(draft.text, PREVIEW_TEXT_MAX), "", t("difficulty-preview-ask")]
    await state.set_state(DifficultySG.confirm)
    await message.answer("\n".join(lines), reply_markup=difficulty_confirm_keyboard())


async def send(query: CallbackQuery, ctx: Ctx, state: FSMContext) -> None:
    draft = Draft.from_state(await state.get_data())
    await state.clear()
    try:
        item = await service(ctx).submit(draft)
    except DomainError as e:
        await query.answer(e.text(), show_alert=True)
        await _drop_buttons(query)
        return
    await query.answer()
    await _edit_pressed(query, t("difficulty-sent", id=item.id))


async def drop(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await query.answer()
    await _edit_pressed(query, t("difficulty-dropped"))


async def stale_draft(query: CallbackQuery) -> None:
    await query.answer(t("difficulty-draft-stale"), show_alert=True)


# -- the secretary and the principal: press a button on the card, then type ---------------------------------
async def _show_on_card(
    bot: Bot, where: list[int] | None, view: ItemView, *, principal: bool = False
) -> None:
    """Show what has come of the item on the card pressed; the principal's card has no buttons."""
    if not where:
        return
    if principal:
        text, markup = card(view, _lang(), title_key="difficulty-forward-title"), None
    else:
        markup = difficulty_secretary_keyboard(
            view.item.id, can_answer=view.can_answer, can_forward=view.can_forward
        )
        text = card(view, _lang())
    with suppress(TelegramBadRequest):  # the card may be gone, or already show this
        await bot.edit_message_text(text=text, chat_id=where[0], message_id=where[1], reply_markup=markup)


async def _refuse(query: CallbackQuery, bot: Bot, e: DomainError, *, principal: bool = False) -> None:
    """A refused press: an alert, and when someone came first, the card shows what came of it."""
    if isinstance(e, Settled):
        await query.answer(e.alert(), show_alert=True)
        await _show_on_card(bot, _where(query), e.view, principal=principal)
    else:
        await query.answer(e.text(), show_alert=True)


async def _ask_for_text(
    query: CallbackQuery, state: FSMContext, step: State, view: ItemView, ask: str
) -> None:
    await state.set_state(step)
    await state.set_data({"item": view.item.id, "card": _where(query)})
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(ask)


async def _take_text(
    message: Message, state: FSMContext, bot: Bot, act: TextAction, done_key: str, *, principal: bool
) -> None:
    """The secretary's answer or the principal's reply, typed after pressing the card's button."""
    data = await state.get_data()
    try:
        view = await act(int(data.get("item") or 0), message.text or "")
    except (ReplyTooShort, ReplyTooLong) as e:
        await message.answer(e.text())
        return  # the state stays: they simply type again
    except DomainError as e:
        await state.clear()
        await message.answer(e.text())
        if isinstance(e, Settled):
            await _show_on_card(bot, data.get("card"), e.view, principal=principal)
        return
    await state.clear()
    await _show_on_card(bot, data.get("card"), view, principal=principal)
    await message.answer(t(done_key, id=view.item.id, name=clip(view.author, 100)))


async def not_yours(query: CallbackQuery, callback_data: DiffItemCb, me: Member | None) -> None:
    key = "difficulty-not-principal" if callback_data.op == "rep" else "difficulty-not-secretary"
    await query.answer(t(key) if me is not None else t("need-invite"), show_alert=True)


async def need_reply_text(message: Message) -> None:
    await message.answer(t("difficulty-need-reply-text"))


async def press_answer(
    query: CallbackQuery, callback_data: DiffItemCb, ctx: Ctx, state: FSMContext, bot: Bot
) -> None:
    try:
        view = await service(ctx).answerable(callback_data.id)
    except DomainError as e:
        await _refuse(query, bot, e)
        return
    ask = t(
        "difficulty-ask-answer", id=view.item.id, name=clip(view.author, 100), text=clip(view.item.text, 500)
    )
    await _ask_for_text(query, state, DifficultyAnswerSG.text, view, ask)


async def got_answer(message: Message, ctx: Ctx, state: FSMContext, bot: Bot) -> None:
    await _take_text(message, state, bot, service(ctx).answer, "difficulty-answer-sent", principal=False)


async def press_forward(query: CallbackQuery, callback_data: DiffItemCb, ctx: Ctx, bot: Bot) -> None:
    try:
        view = await service(ctx).forward(callback_data.id)
    except DomainError as e:
        await _refuse(query, bot, e)
        return
    await query.answer(t("difficulty-forwarded-alert", id=view.item.id))
    await _show_on_card(bot, _where(query), view)


async def press_reply(
    query: CallbackQuery, callback_data: DiffItemCb, ctx: Ctx, state: FSMContext, bot: Bot
) -> None:
    try:
        view = await service(ctx).repliable(callback_data.id)
    except DomainError as e:
        await _refuse(query, bot, e, principal=True)
        return
    await _ask_for_text(
        query, state, DifficultyReplySG.text, view, t("difficulty-ask-reply", id=view.item.id)
    )


async def got_reply(message: Message, ctx: Ctx, state: FSMContext, bot: Bot) -> None:
    await _take_text(
        message, state, bot, service(ctx).principal_reply, "difficulty-reply-sent", principal=True
    )


# -- lists ---------------------------------------------------------------------------------------------------
def _state_label(view: ItemView, states: str) -> str:
    """In the principal's list, whether their opinion is still awaited; elsewhere the item's state."""
    if states == "fwd":
        return t(
            "difficulty-state-principal-replied" if view.item.principal_reply else "difficulty-state-awaited"
        )
    return state_label(view)


def _list_text(page: Page, *, mine: bool, states: str) -> str:
    if mine:
        lines = [t("difficulty-mine-title")]
    else:
        lines = [t("difficulty-list-title", filter=t(f"difficulty-filter-{states}"))]
        if page.unit:
            lines.append(t("difficulty-list-unit", unit=clip(page.unit, 200)))
    if not page.items:
        lines += ["", t("difficulty-mine-empty" if mine else "difficulty-list-empty")]
        return "\n".join(lines)
    lines.append(tn("difficulty-list-page", page.total, page=page.page + 1, pages=page.pages))
    if not mine:
        lines.append(t("difficulty-list-open-hint"))
    for view in page.items:
        item = view.item
        state = _state_label(view, states)
        lines += ["", t("difficulty-list-item", id=item.id, date=fmt_date(item.created_at), state=state)]
        if mine:
            lines.append(clip(item.text, 200))
            if item.answer:
                lines.append(t("difficulty-list-answer", answer=clip(item.answer, 400)))
        else:
            who = view.author if not view.unit else f"{view.unit} — {view.author}"
            lines.append(t("difficulty-list-who", who=clip(who, 150), text=clip(item.text, 200)))
    return "\n".join(lines)


async def _list(svc: DifficultyService, f: str, unit_id: int, page: int) -> tuple[str, InlineKeyboardMarkup]:
    mine = f == "mine"
    result = await svc.listing(mine=mine, states=f, unit_id=unit_id, page=page)
    text = _list_text(result, mine=mine, states=f)
    items = tuple(v.item.id for v in result.items)
    principal = svc.is_principal() and not svc.is_secretary()
    kb = difficulty_list_keyboard(f, unit_id, result.page, result.pages, items=items, principal=principal)
    return text, kb


async def show_list(message: Message, ctx: Ctx) -> None:
    """The secretary's list of every item, the principal's of those forwarded to them, else one's own."""
    svc = service(ctx)
    f = "all" if svc.is_secretary() else "fwd" if svc.is_principal() else "mine"
    text, kb = await _list(svc, f, 0, 0)
    await message.answer(text, reply_markup=kb if kb.inline_keyboard else None)


async def list_page(query: CallbackQuery, callback_data: DiffListCb, ctx: Ctx) -> None:
    svc = service(ctx)
    f = callback_data.f
    try:
        if f == "units":
            units = await svc.units_with_items()
            text = t("difficulty-list-pick-unit") if units else t("difficulty-list-empty")
            markup = difficulty_units_keyboard([(u.id, u.name) for u in units], "all")
        else:
            text, markup = await _list(svc, f, callback_data.u, callback_data.p)
    except DomainError as e:
        await query.answer(e.text(), show_alert=True)
        return
    await query.answer()
    await _edit_pressed(query, text, markup if markup.inline_keyboard else None)


async def press_card(query: CallbackQuery, callback_data: DiffItemCb, ctx: Ctx) -> None:
    """An item opened from the list, as a card of its own with the notification's buttons (the same
    callbacks, so every press on it is checked again against the item's state)."""
    svc = service(ctx)
    try:
        view = await svc.opened(callback_data.id)
    except DomainError as e:
        await query.answer(e.text(), show_alert=True)
        return
    await query.answer()
    if not isinstance(query.message, Message):
        return
    secretary = svc.is_secretary()
    title = "difficulty-card-title" if secretary else "difficulty-forward-title"
    markup = difficulty_card_keyboard(
        view.item.id,
        can_answer=secretary and view.can_answer,
        can_forward=secretary and view.can_forward,
        can_reply=svc.is_principal() and view.can_reply,
    )
    await query.message.answer(card(view, _lang(), title_key=title), reply_markup=markup)
    item = view.item
    if item.file_id and item.file_kind == "document":
        await query.message.answer_document(item.file_id, caption=file_caption(item, _lang()))
    elif item.file_id and item.file_kind == "photo":
        await query.message.answer_photo(item.file_id, caption=file_caption(item, _lang()))
