"""Acknowledging the plan: "Xem kế hoạch" (the plan in short) and "Tôi đã đọc và quán triệt kế hoạch".

The two buttons come on the welcome after joining, on the plan sent to everyone when a new period is loaded,
and on /start and /plan until the person presses the second (`offer(...)`, `add_offer(...)`: the hooks those
handlers call).
"""

from __future__ import annotations

from contextlib import suppress
from typing import Literal

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.clock import fmt_when
from bot.context import Ctx
from bot.errors import DomainError
from bot.filters import Allowed, personal_router
from bot.i18n import get_i18n, t, tn
from bot.plan import views
from bot.roles import Action, Member, Role
from bot.services.acknowledgement import AcknowledgementService, offer_markup
from bot.services.plan import PlanService
from bot.text import esc, split_message
from handlers.keyboards import PlanCb
from storage.models.plan import PlanMovement, PlanPeriod

MOVEMENT_LABEL_MAX = 48  # characters of a movement's name on its button


class AckCb(CallbackData, prefix="ak"):  # bot.services.acknowledgement.ack_data builds the same strings
    op: Literal["view", "ok", "mv"]  # the plan in short, "I have read it", one movement's criteria
    id: int  # the period (view, ok) or the movement (mv)


def router() -> Router:
    r = personal_router("acknowledgement")
    r.callback_query.register(view, AckCb.filter(F.op == "view"), Allowed(Action.PLAN_VIEW))
    r.callback_query.register(movement, AckCb.filter(F.op == "mv"), Allowed(Action.PLAN_VIEW))
    r.callback_query.register(acknowledge, AckCb.filter(F.op == "ok"), Allowed(Action.PLAN_ACK))
    return r  # an outsider's press reaches the fallback ("ask for an invite")


def _locale() -> str:
    return get_i18n().current_locale


def _markup(data: dict[str, object]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup.model_validate(data)


# -- the hooks of the welcome, /start and /plan -----------------------------------------------------------
async def offer(ctx: Ctx, person_id: int, locale: str | None = None) -> InlineKeyboardMarkup | None:
    """The two buttons while `person_id` has not acknowledged the current plan; None once they have."""
    period = await AcknowledgementService(ctx).pending(person_id)
    if period is None:
        return None
    return _markup(offer_markup(period.id, locale or _locale()))


async def add_offer(ctx: Ctx, me: Member, markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """`markup` with the acknowledgement button added below, while it has not been pressed."""
    period = await AcknowledgementService(ctx).pending(me.person_id)
    if period is None:
        return markup
    rows = list(markup.inline_keyboard) if markup else []
    rows.append(
        [InlineKeyboardButton(text=t("ack-btn-ack"), callback_data=AckCb(op="ok", id=period.id).pack())]
    )
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def delivery_line(ctx: Ctx, me: Member, period: PlanPeriod) -> str | None:
    """For the secretary's /plan: how the plan sent to everyone was delivered."""
    if not me.has(Role.SECRETARY) and not me.has(Role.ADMIN):
        return None
    report = await AcknowledgementService(ctx).delivery(period.id)
    if report is None:
        return None
    return t(
        "ack-delivery",
        total=report.total,
        sent=report.sent,
        blocked=report.blocked,
        failed=report.failed,
        pending=report.pending,
    )


# -- the plan in short ------------------------------------------------------------------------------------
def overview_text(period: PlanPeriod, movements: list[PlanMovement], rounds_text: str, locale: str) -> str:
    names = [f"{i}. {esc(views.pick(m, 'name', locale))}" for i, m in enumerate(movements, 1)]
    parts = [views.period_heading(period, locale)]
    if names:
        parts.append("\n".join([tn("ack-view-movements", len(names), locale=locale), *names]))
    parts.append(rounds_text)
    return "\n\n".join(parts)


def overview_keyboard(
    period: PlanPeriod, movements: list[PlanMovement], *, acknowledged: bool, locale: str
) -> InlineKeyboardMarkup:
    rows = []
    for i, m in enumerate(movements, 1):
        name = views.pick(m, "name", locale)
        if len(name) > MOVEMENT_LABEL_MAX:
            name = name[: MOVEMENT_LABEL_MAX - 1].rstrip() + "…"
        rows.append([InlineKeyboardButton(text=f"{i}. {name}", callback_data=AckCb(op="mv", id=m.id).pack())])
    if period.document_path:
        rows.append(
            [
                InlineKeyboardButton(
                    text=t("plan-btn-document"), callback_data=PlanCb(v="doc", p=period.id).pack()
                )
            ]
        )
    if not acknowledged:
        rows.append(
            [InlineKeyboardButton(text=t("ack-btn-ack"), callback_data=AckCb(op="ok", id=period.id).pack())]
        )
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def _rounds_text(ctx: Ctx, period: PlanPeriod, locale: str) -> str:
    """The rounds of the current school year with their dates; without one, every round of the period."""
    service = PlanService(ctx)
    current = await service.current()
    if current.school_year is not None and current.school_year.period_id == period.id:
        lines = [views.school_year_text(current.school_year, locale), "", t("plan-view-rounds-heading")]
        lines += [views.round_block(r, current.now, locale) for r in current.school_year_rounds]
        return "\n".join(lines)
    blocks = views.school_years_text(
        await service.repo.school_years(period.id), await service.repo.rounds(period.id), current.now, locale
    )
    return "\n\n".join([t("plan-view-rounds-heading"), *blocks])


async def view(query: CallbackQuery, callback_data: AckCb, ctx: Ctx, me: Member) -> None:
    service = PlanService(ctx)
    period = await service.repo.period(callback_data.id)
    if period is None or not isinstance(query.message, Message):
        await query.answer(t("ack-stale"), show_alert=True)
        return
    await query.answer()
    locale = _locale()
    movements = await service.repo.movements(period.id)
    acknowledged = await AcknowledgementService(ctx).acknowledged_at(period.id, me.person_id) is not None
    current = await AcknowledgementService(ctx).current_period()
    text = overview_text(period, movements, await _rounds_text(ctx, period, locale), locale)
    markup = overview_keyboard(
        period,
        movements,
        acknowledged=acknowledged or current is None or current.id != period.id,
        locale=locale,
    )
    parts = split_message(text)
    for i, part in enumerate(parts):
        await query.message.answer(part, reply_markup=markup if i == len(parts) - 1 else None)


async def movement(query: CallbackQuery, callback_data: AckCb, ctx: Ctx) -> None:
    row = await ctx.session.get(PlanMovement, callback_data.id)
    if row is None or not isinstance(query.message, Message):
        await query.answer(t("ack-stale"), show_alert=True)
        return
    await query.answer()
    locale = _locale()
    siblings = await PlanService(ctx).repo.movements(row.period_id)
    index = next((i for i, m in enumerate(siblings, 1) if m.id == row.id), 1)
    for part in split_message(views.movement_block(index, row, locale)):
        await query.message.answer(part)


async def acknowledge(query: CallbackQuery, callback_data: AckCb, ctx: Ctx) -> None:
    try:
        done = await AcknowledgementService(ctx).acknowledge(callback_data.id)
    except DomainError as e:
        await query.answer(e.text(), show_alert=True)
        return
    at = fmt_when(done.at, _locale())
    await query.answer(t("ack-done" if done.new else "ack-already", at=at), show_alert=True)
    await _drop_ack_button(query)


async def _drop_ack_button(query: CallbackQuery) -> None:
    """The message keeps its other buttons; the acknowledgement button goes."""
    msg = query.message
    if not isinstance(msg, Message) or msg.reply_markup is None:
        return
    rows = [
        [b for b in row if not (b.callback_data or "").startswith("ak:ok:")]
        for row in msg.reply_markup.inline_keyboard
    ]
    rows = [row for row in rows if row]
    with suppress(TelegramBadRequest):  # already shown
        await msg.edit_reply_markup(reply_markup=InlineKeyboardMarkup(inline_keyboard=rows) if rows else None)
