"""/decide: the secretary records a round's decision in one conversation: the number and date on one line,
the signer, the list (one left out with a reason, an amount edited), the provisional amounts confirmed, a
preview that says it is not recorded yet, then "Ghi nhận". Every press checks again through the service."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.clock import fmt_date
from bot.commands import register_command
from bot.context import Ctx
from bot.errors import DomainError
from bot.filters import TYPED, Allowed
from bot.i18n import t
from bot.services.announce import ANNOUNCE, BroadcastService
from bot.services.announce_draft import Draft, decision_example
from bot.services.decisions import DECIDE, DecisionDraft, DecisionService
from bot.text import esc, split_message
from handlers.decisions.common import DecCb, DecideSG, button, keyboard, say
from handlers.render import decisions as render

register_command("decide", DECIDE, "decisions-cmd-decide", order=75)
STEPS = {"rm", "rl", "rn", "ra", "rb", "rc"}


def register(r: Router) -> None:
    r.message.register(start, Command("decide"), Allowed(DECIDE))
    r.callback_query.register(pick_round, DecCb.filter(F.op == "dr"), Allowed(DECIDE))
    r.message.register(number, StateFilter(DecideSG.number), TYPED, Allowed(DECIDE))
    r.callback_query.register(
        signer, StateFilter(DecideSG.signer), DecCb.filter(F.op == "sg"), Allowed(DECIDE)
    )
    r.callback_query.register(
        step, StateFilter(DecideSG.preview), DecCb.filter(F.op.in_(STEPS)), Allowed(DECIDE)
    )
    r.message.register(left_out, StateFilter(DecideSG.leave_reason), TYPED, Allowed(DECIDE))
    r.message.register(amount, StateFilter(DecideSG.amount), TYPED, Allowed(DECIDE))
    r.callback_query.register(announce, DecCb.filter(F.op == "an"), Allowed(ANNOUNCE))


async def start(message: Message, ctx: Ctx) -> None:
    rounds = await DecisionService(ctx).rounds()
    if not rounds:
        await message.answer(t("decisions-summary-none"))
        return
    rows = [[button(r.name_vi, "dr", r.id)] for r in rounds[:10]]
    await message.answer(t("decisions-decide-pick"), reply_markup=keyboard(*rows))


async def pick_round(query: CallbackQuery, callback_data: DecCb, state: FSMContext, ctx: Ctx) -> None:
    try:
        await DecisionService(ctx).decidable(callback_data.id)
    except DomainError as e:
        markup = None
        if e.key == "decisions-comment-not-held":
            markup = keyboard([button(t("decisions-btn-publish-start"), "pp", callback_data.id)])
        await say(query, e.text(), markup)
        return
    await state.set_state(DecideSG.number)
    await state.set_data(DecisionDraft(callback_data.id).as_state())
    await say(query, t("decisions-ask-number", example=decision_example(ctx.clock.today())))


async def number(message: Message, state: FSMContext, ctx: Ctx) -> None:
    service = DecisionService(ctx)
    try:
        draft = await service.with_number(
            DecisionDraft.from_state(await state.get_data()), message.text or ""
        )
    except DomainError as e:
        await message.answer(e.text())
        return
    signers = await service.signers(draft.decided_on)
    if not signers:
        await message.answer(t("decisions-no-signer", date=fmt_date(draft.decided_on)))
        return
    await state.set_data(draft.as_state())
    await state.set_state(DecideSG.signer)
    rows = [
        [
            button(
                t("decisions-btn-deputy" if s.deputy else "decisions-btn-principal", name=s.name),
                "sg",
                s.person_id,
            )
        ]
        for s in signers
    ]
    await message.answer(t("decisions-ask-signer"), reply_markup=keyboard(*rows))


async def _show(target: Message, state: FSMContext, ctx: Ctx, draft: DecisionDraft) -> None:
    try:
        preview = await DecisionService(ctx).preview(draft)
    except DomainError as e:
        await state.clear()
        await target.answer(e.text())
        return
    await state.set_data(draft.as_state())
    await state.set_state(DecideSG.preview)
    rows = [[button(t("decisions-btn-record"), "rc")]]
    if preview.provisional and not draft.confirmed:
        rows = [[button(t("decisions-btn-confirm-money"), "rm")]]
    rows += [
        [button(t("decisions-btn-leave-out"), "rl"), button(t("decisions-btn-edit-amount"), "ra")],
        [button(t("decisions-btn-cancel"), "ox")],
    ]
    parts = split_message(render.preview(preview))
    for i, part in enumerate(parts):
        await target.answer(part, reply_markup=keyboard(*rows) if i == len(parts) - 1 else None)


async def signer(query: CallbackQuery, callback_data: DecCb, state: FSMContext, ctx: Ctx) -> None:
    try:
        draft = await DecisionService(ctx).with_signer(
            DecisionDraft.from_state(await state.get_data()), callback_data.id
        )
    except DomainError as e:
        await query.answer(e.text(), show_alert=True)
        return
    await query.answer()
    assert isinstance(query.message, Message)
    await _show(query.message, state, ctx, draft)


async def step(query: CallbackQuery, callback_data: DecCb, state: FSMContext, ctx: Ctx) -> None:
    draft = DecisionDraft.from_state(await state.get_data())
    service = DecisionService(ctx)
    assert isinstance(query.message, Message)
    op = callback_data.op
    if op == "rm":
        draft.confirmed = True
    elif op in ("rl", "ra"):
        preview = await service.preview(draft)
        names = [line.candidate for line in preview.lines if line.left_out is None]
        pick = "rn" if op == "rl" else "rb"
        rows = [[button(f"{c.name} — {c.title(None)}", pick, c.nomination_id)] for c in names]
        await say(query, t("decisions-pick-name"), keyboard(*rows))
        return
    elif op in ("rn", "rb"):
        await state.update_data(pick=callback_data.id)
        await state.set_state(DecideSG.leave_reason if op == "rn" else DecideSG.amount)
        await say(query, t("decisions-ask-leave-reason" if op == "rn" else "decisions-ask-amount"))
        return
    elif op == "rc":
        await _record(query, state, ctx, draft)
        return
    await query.answer()
    await _show(query.message, state, ctx, draft)


async def _record(query: CallbackQuery, state: FSMContext, ctx: Ctx, draft: DecisionDraft) -> None:
    try:
        decision = await DecisionService(ctx).record(draft)
    except DomainError as e:
        await say(query, e.text())
        return
    await state.clear()
    await say(
        query,
        t("decisions-recorded", number=esc(decision.number), date=fmt_date(decision.decided_on)),
        keyboard([button(t("decisions-btn-announce"), "an", decision.id)]),
    )


async def decision_buttons(ctx: Ctx):  # type: ignore[no-untyped-def]
    """/announce's "Quyết định khen thưởng": the latest recorded decisions, each opening its draft."""
    decisions = await DecisionService(ctx).recorded()
    rows = [
        [button(t("decisions-btn-pick-decision", number=d.number, date=fmt_date(d.decided_on)), "an", d.id)]
        for d in decisions
    ]
    return keyboard(*rows) if rows else None


async def announce(query: CallbackQuery, callback_data: DecCb, state: FSMContext, ctx: Ctx) -> None:
    """ "Thông báo": /announce opened at its draft, the decision's commended as the exemplars."""
    from handlers.announce import AnnounceSG, _show_draft  # the announce room's draft step
    from handlers.render import announce as announce_render

    draft = Draft(source="decision", picks=[{"d": callback_data.id}])
    locale = ctx.actor.language if ctx.actor else None
    exemplars = await BroadcastService(ctx).exemplars(draft, locale)
    if not exemplars:  # a forged press, or a decision whose commendations were all revoked
        await query.answer(t("decisions-unknown"), show_alert=True)
        return
    draft.text = announce_render.draft(draft.source, exemplars, None, locale)
    await query.answer()
    await state.clear()
    await state.set_state(AnnounceSG.draft)
    assert isinstance(query.message, Message)
    await _show_draft(query.message, state, draft)


async def left_out(message: Message, state: FSMContext, ctx: Ctx) -> None:
    data = await state.get_data()
    draft = DecisionDraft.from_state(data)
    try:
        await DecisionService(ctx).leave_out(draft, data["pick"], message.text or "")
    except DomainError as e:
        await message.answer(e.text())
        return
    await _show(message, state, ctx, draft)


async def amount(message: Message, state: FSMContext, ctx: Ctx) -> None:
    data = await state.get_data()
    draft = DecisionDraft.from_state(data)
    try:
        await DecisionService(ctx).set_amount(draft, data["pick"], message.text or "")
    except DomainError as e:
        await message.answer(e.text())
        return
    await _show(message, state, ctx, draft)
