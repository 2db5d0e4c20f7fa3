"""/plan for everyone linked: the plan, its movements, rounds, titles, document; /rounds for the secretary."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, FSInputFile, InlineKeyboardMarkup, Message

from bot.clock import fmt_date, fmt_when, parse_day
from bot.commands import register_command
from bot.context import Ctx
from bot.conversation import conversation
from bot.errors import DomainError
from bot.filters import TYPED, Allowed, Linked, personal_router
from bot.i18n import get_i18n, t
from bot.plan import views
from bot.replies import after_sent
from bot.roles import Action, Member
from bot.services.plan import CurrentPlan, PlanNotLoaded, PlanService, effective_voting_window, round_phase
from bot.services.registration import RegistrationService
from bot.text import esc, split_message
from handlers import acknowledgement
from handlers.keyboards import PlanCb, RoundCb, plan_keyboard, round_confirm_keyboard, round_keyboard
from storage.models.plan import PlanPeriod, PlanRound, PlanSchoolYear

register_command("plan", Action.PLAN_VIEW, "plan-cmd-plan", order=20)
register_command("rounds", Action.PLAN_WINDOWS, "plan-cmd-rounds", order=21)


class RoundsSG(StatesGroup):
    until = State()  # waiting for the new closing date of the voting
    confirm = State()  # the new date is shown; waiting for "Xác nhận gia hạn" (data: round_id, until)


EXTEND_PRESS = (RoundCb.filter(F.op == "ext"), Allowed(Action.PLAN_WINDOWS))
conversation(RoundsSG, "plan-flow-extend", started_by=[EXTEND_PRESS])


def router() -> Router:
    r = personal_router("plan")
    r.message.register(show_plan, Command("plan"), Allowed(Action.PLAN_VIEW))
    r.callback_query.register(browse, PlanCb.filter(), Allowed(Action.PLAN_VIEW))
    r.message.register(show_rounds, Command("rounds"), Allowed(Action.PLAN_WINDOWS))
    r.callback_query.register(ask_open_early, RoundCb.filter(F.op == "early"), Allowed(Action.PLAN_WINDOWS))
    r.callback_query.register(open_early, RoundCb.filter(F.op == "early_ok"), Allowed(Action.PLAN_WINDOWS))
    r.callback_query.register(ask_until, *EXTEND_PRESS)
    r.callback_query.register(
        extend, RoundCb.filter(F.op == "ext_ok"), StateFilter(RoundsSG.confirm), Allowed(Action.PLAN_WINDOWS)
    )
    r.callback_query.register(keep_window, RoundCb.filter(F.op == "keep"), Allowed(Action.PLAN_WINDOWS))
    r.callback_query.register(stale_confirm, RoundCb.filter(F.op == "ext_ok"), Allowed(Action.PLAN_WINDOWS))
    r.callback_query.register(
        not_allowed, RoundCb.filter(), Linked()
    )  # a linked person without the authority
    r.message.register(
        got_until, StateFilter(RoundsSG.until, RoundsSG.confirm), TYPED, Allowed(Action.PLAN_WINDOWS)
    )
    return r


def _locale() -> str:
    return get_i18n().current_locale


async def _send_long(message: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Send `text` in parts of at most 4096 characters, split on line boundaries; buttons on the last."""
    parts = split_message(text)
    for i, part in enumerate(parts):
        await message.answer(part, reply_markup=markup if i == len(parts) - 1 else None)


# -- /plan ----------------------------------------------------------------------------------------------
def _current_rounds_text(current: CurrentPlan, locale: str, closes: dict[int, datetime]) -> str:
    if current.school_year is None:
        return t("plan-view-no-school-year")
    year = views.school_year_text(current.school_year, locale, closes.get(current.school_year.id))
    lines = [year, "", t("plan-view-rounds-heading")]
    if not current.school_year_rounds:
        lines.append(t("plan-view-no-rounds"))
    for round_ in current.school_year_rounds:
        lines += ["", views.round_block(round_, current.now, locale)]
    return "\n".join(lines)


async def registration_closes(
    ctx: Ctx, me: Member | None, years: list[PlanSchoolYear | None]
) -> dict[int, datetime]:
    """The registration window's close of each school year as extended for the reader (issue 18, D20)."""
    person_id = me.person_id if me is not None else None
    return await RegistrationService(ctx).closes_for(person_id, [y for y in years if y is not None])


async def show_plan(message: Message, ctx: Ctx, me: Member) -> None:
    service = PlanService(ctx)
    current = await service.current()
    period = current.period
    if period is None:
        await message.answer(PlanNotLoaded().text())
        return
    locale = _locale()
    parts = [
        views.period_heading(period, locale),
        views.movements_text(await service.repo.movements(period.id), locale),
        _current_rounds_text(current, locale, await registration_closes(ctx, me, [current.school_year])),
    ]
    delivered = await acknowledgement.delivery_line(ctx, me, period)  # the secretary: the plan sent to all
    text = "\n\n".join([*parts, delivered] if delivered else parts)
    markup = await acknowledgement.add_offer(ctx, me, plan_keyboard(period.id, bool(period.document_path)))
    await _send_long(message, text, markup)


async def browse(query: CallbackQuery, callback_data: PlanCb, ctx: Ctx, bot: Bot, me: Member | None) -> None:
    service = PlanService(ctx)
    period = await service.repo.period(callback_data.p)
    if period is None or not isinstance(query.message, Message):
        await query.answer(t("plan-stale"), show_alert=True)
        return
    await query.answer()
    message = query.message
    locale = _locale()
    if callback_data.v == "doc":
        await _send_document(message, service, period, bot)
    elif callback_data.v == "mov":
        await _send_long(message, views.movements_text(await service.repo.movements(period.id), locale))
    elif callback_data.v == "rnd":
        years = await service.repo.school_years(period.id)
        blocks = views.school_years_text(
            years,
            await service.repo.rounds(period.id),
            ctx.clock.now(),
            locale,
            await registration_closes(ctx, me, years),
        )
        await _send_long(message, "\n\n".join([t("plan-view-rounds-heading"), *blocks]))
    else:
        items = await service.repo.commendations(period.id)
        factors = await service.repo.factors([c.id for c in items])
        await _send_long(message, views.titles_text(items, factors, locale))


def _document_file(path: str | None) -> FSInputFile | None:
    if not path or not Path(path).is_file():
        return None
    return FSInputFile(path, filename=Path(path).name)


async def _send_document(message: Message, service: PlanService, period: PlanPeriod, bot: Bot) -> None:
    """The period's document: by its cached file_id for this bot, else uploaded once and cached."""
    if not period.document_path:
        await message.answer(t("plan-doc-none"))
        return
    caption = esc(views.pick(period, "document_title", _locale())) or None
    cached = await service.document_file_id(period, bot.id)
    if cached is not None:
        try:
            await message.answer_document(cached, caption=caption)
            return
        except TelegramBadRequest:  # the file_id is no longer valid: upload again
            pass
    upload = _document_file(period.document_path)
    if upload is None:
        await message.answer(t("plan-doc-missing"))
        return
    sent = await message.answer_document(upload, caption=caption)

    async def remember(real: Message) -> None:  # may run after the commit, in a unit of work of its own
        if real.document is not None:
            await PlanService(service.ctx).remember_document_file(period, bot.id, real.document.file_id)

    now = after_sent(sent, remember)
    if now is not None:
        await now


# -- /rounds -------------------------------------------------------------------------------------------
def _round_view(round_: PlanRound, now: datetime) -> tuple[str, InlineKeyboardMarkup | None]:
    phase = round_phase(round_, now)
    text = views.round_block(round_, now, _locale())
    markup = round_keyboard(
        round_.id, can_open_early=phase == "reviewing", can_extend=phase not in ("upcoming", "closed")
    )
    return text, markup


async def show_rounds(message: Message, ctx: Ctx) -> None:
    current = await PlanService(ctx).current()
    if not current.rounds:
        await message.answer(t("plan-rounds-none"))
        return
    for round_ in current.rounds:
        text, markup = _round_view(round_, current.now)
        await message.answer(text, reply_markup=markup)


async def _refresh(query: CallbackQuery, round_: PlanRound, ctx: Ctx) -> None:
    if not isinstance(query.message, Message):
        return
    text, markup = _round_view(round_, ctx.clock.now())
    try:
        await query.message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as e:
        if "not modified" not in str(e):
            raise


async def _answer(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    if isinstance(query.message, Message):
        await query.message.answer(text, reply_markup=markup)


async def ask_open_early(query: CallbackQuery, callback_data: RoundCb, ctx: Ctx) -> None:
    """Nothing changes yet: the secretary confirms the early opening first."""
    try:
        round_ = await PlanService(ctx).early_openable_round(callback_data.r)
    except DomainError as e:
        await query.answer(e.text(), show_alert=True)
        return
    await query.answer()
    name = esc(views.pick(round_, "name", _locale()))
    text = t("plan-rounds-confirm-early", name=name, planned=fmt_when(round_.voting_open_at))
    await _answer(query, text, round_confirm_keyboard(round_.id, "early_ok"))


async def open_early(query: CallbackQuery, callback_data: RoundCb, ctx: Ctx) -> None:
    try:
        round_ = await PlanService(ctx).open_voting_early(callback_data.r)
    except DomainError as e:
        await query.answer(e.text(), show_alert=True)
        return
    await query.answer(t("plan-rounds-opened"))
    await _refresh(query, round_, ctx)


async def keep_window(query: CallbackQuery, state: FSMContext) -> None:
    """The secretary changed their mind: the window stays as it is."""
    if await state.get_state() in (RoundsSG.until.state, RoundsSG.confirm.state):
        await state.clear()
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(t("plan-rounds-kept"))


async def stale_confirm(query: CallbackQuery) -> None:
    """A confirmation pressed after the conversation ended (/cancel, another command)."""
    await query.answer(t("plan-rounds-confirm-stale"), show_alert=True)


async def ask_until(query: CallbackQuery, callback_data: RoundCb, ctx: Ctx, state: FSMContext) -> None:
    try:
        round_ = await PlanService(ctx).extendable_round(callback_data.r)
    except DomainError as e:
        await query.answer(e.text(), show_alert=True)
        return
    await state.set_state(RoundsSG.until)
    await state.update_data(round_id=round_.id)
    await query.answer()
    _, closes = effective_voting_window(round_)
    if isinstance(query.message, Message):
        name = esc(views.pick(round_, "name", _locale()))
        await query.message.answer(t("plan-rounds-ask-until", name=name, close=fmt_when(closes)))


async def not_allowed(query: CallbackQuery) -> None:
    await query.answer(t("plan-rounds-not-allowed"), show_alert=True)


async def got_until(message: Message, ctx: Ctx, state: FSMContext) -> None:
    """A new closing date: checked and shown; nothing changes until the secretary confirms it."""
    text = message.text or ""
    until = parse_day(text, ctx.clock.today())
    if until is None:
        await message.answer(t("plan-rounds-bad-date", text=esc(text[:40])))
        return
    round_id = int((await state.get_data()).get("round_id") or 0)
    try:
        round_ = await PlanService(ctx).check_extension(round_id, until)
    except DomainError as e:
        await message.answer(e.text())
        return  # still waiting: the secretary may send another date, or /cancel
    await state.set_state(RoundsSG.confirm)
    await state.update_data(until=until.isoformat())
    _, closes = effective_voting_window(round_)
    name = esc(views.pick(round_, "name", _locale()))
    ask = t("plan-rounds-confirm-extend", name=name, close=fmt_when(closes), until=fmt_date(until))
    await message.answer(ask, reply_markup=round_confirm_keyboard(round_.id, "ext_ok"))


async def extend(query: CallbackQuery, callback_data: RoundCb, ctx: Ctx, state: FSMContext) -> None:
    """The secretary confirmed: the rules are checked again, then the voting runs to the new day."""
    data = await state.get_data()
    if int(data.get("round_id") or 0) != callback_data.r or not data.get("until"):
        await query.answer(t("plan-rounds-confirm-stale"), show_alert=True)
        return
    until = date.fromisoformat(str(data["until"]))
    try:
        round_ = await PlanService(ctx).extend_voting(callback_data.r, until)
    except DomainError as e:
        await state.clear()
        await query.answer(e.text(), show_alert=True)
        return
    await state.clear()
    await query.answer()
    text_, markup = _round_view(round_, ctx.clock.now())
    if isinstance(query.message, Message):
        await query.message.edit_text(t("plan-rounds-extended", until=fmt_date(until)))
        await query.message.answer(text_, reply_markup=markup)
